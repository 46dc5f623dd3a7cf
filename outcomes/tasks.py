from celery import shared_task


@shared_task(name="outcomes.surveys_schedule")
def surveys_schedule_task() -> int:
    """Daily: create the survey waves that fall due and e-mail their links."""
    from django.utils import timezone

    from outcomes.services import surveys_schedule

    return surveys_schedule(today=timezone.localdate())


@shared_task(name="outcomes.survey_reminders_send")
def survey_reminders_send_task() -> int:
    """Daily: reminders 1 and 2; each is sent once (marked with its outbox row)."""
    from django.utils import timezone

    from outcomes.services import survey_reminders_send

    return survey_reminders_send(today=timezone.localdate())
