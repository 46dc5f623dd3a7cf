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


@shared_task(name="outcomes.progress_export_build")
def progress_export_build_task(export_id: int) -> int:
    """Build a large XLSX progress export in the background (XLSX cannot be streamed)."""
    from outcomes.services import progress_export_build, progress_export_fail

    try:
        return progress_export_build(export_id=export_id).row_count or 0
    except Exception:
        progress_export_fail(export_id=export_id)
        raise


@shared_task(name="outcomes.progress_exports_purge")
def progress_exports_purge_task() -> int:
    """Daily: delete progress-export files past their keeping time (the log stays)."""
    from django.utils import timezone

    from outcomes.services import progress_exports_purge

    return progress_exports_purge(now=timezone.now())


@shared_task(name="outcomes.firm_progress_refresh")
def firm_progress_refresh_task() -> int:
    """Every few minutes: rebuild the dashboard's fact table (one row per firm)."""
    from outcomes.services import firm_progress_refresh

    return firm_progress_refresh()


@shared_task(name="outcomes.survey_results_import_job", soft_time_limit=3000, time_limit=3300)
def survey_results_import_job_task(job_id: int) -> str:
    """A large survey results file uploaded in the admin: every row checked, then all imported
    in one transaction or none (under the broker's visibility timeout, 3600 s)."""
    from outcomes.importing import survey_results_import_job_runner
    from support_menus.import_jobs import import_job_run

    return import_job_run(job_id=job_id, runner=survey_results_import_job_runner).status
