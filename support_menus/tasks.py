from celery import shared_task


@shared_task(name="support_menus.case_rankings_refresh_all")
def case_rankings_refresh_all_task() -> int:
    """Nightly, and after a catalogue change: split the open cases into chunk tasks."""
    from support_menus.services import case_rankings_refresh_all

    return case_rankings_refresh_all()


@shared_task(name="support_menus.case_rankings_refresh")
def case_rankings_refresh_task(*, first_pk: int, last_pk: int) -> int:
    """Re-rank one chunk of open cases; an upsert, so a redelivery is harmless."""
    from django.utils import timezone

    from support_menus.services import case_rankings_refresh

    return case_rankings_refresh(first_pk=first_pk, last_pk=last_pk, today=timezone.localdate())
