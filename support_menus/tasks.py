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


# An import job may take longer than other tasks; it stays under the broker's visibility
# timeout (3600 s), so a running job is never delivered twice.
IMPORT_SOFT_TIME_LIMIT = 3000
IMPORT_TIME_LIMIT = 3300


@shared_task(name="support_menus.catalogue_import_job", soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
             time_limit=IMPORT_TIME_LIMIT)  # fmt: skip
def catalogue_import_job_task(job_id: int) -> str:
    """A large catalogue file uploaded in the admin: check it, then import all rows or none."""
    from support_menus.import_jobs import import_job_run
    from support_menus.services import catalogue_import_job_runner

    return import_job_run(job_id=job_id, runner=catalogue_import_job_runner).status


@shared_task(name="support_menus.import_files_purge")
def import_files_purge_task() -> int:
    """Daily: delete uploaded import files kept past IMPORT_FILE_KEEP_DAYS (the jobs stay)."""
    from django.utils import timezone

    from support_menus.import_jobs import import_files_purge

    return import_files_purge(now=timezone.now())
