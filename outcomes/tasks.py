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


@shared_task(name="outcomes.survey_results_import_job", soft_time_limit=3000, time_limit=3300)
def survey_results_import_job_task(job_id: int) -> str:
    """A large survey results file uploaded in the admin: every row checked, then all imported
    in one transaction or none (under the broker's visibility timeout, 3600 s)."""
    from outcomes.importing import survey_results_import_job_runner
    from support_menus.import_jobs import import_job_run

    return import_job_run(job_id=job_id, runner=survey_results_import_job_runner).status
