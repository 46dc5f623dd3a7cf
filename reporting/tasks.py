from celery import shared_task


@shared_task(name="reporting.progress_export_build")
def progress_export_build_task(export_id: int) -> int:
    """Build a large XLSX progress export in the background (XLSX cannot be streamed)."""
    from reporting.services import progress_export_build, progress_export_fail

    try:
        return progress_export_build(export_id=export_id).row_count or 0
    except Exception:
        progress_export_fail(export_id=export_id)
        raise


@shared_task(name="reporting.progress_exports_purge")
def progress_exports_purge_task() -> int:
    """Daily: delete progress-export files past their keeping time (the log stays)."""
    from django.utils import timezone

    from reporting.services import progress_exports_purge

    return progress_exports_purge(now=timezone.now())


@shared_task(name="reporting.business_progress_refresh")
def business_progress_refresh_task() -> int:
    """Every few minutes: rebuild the dashboard's fact table (one row per firm)."""
    from reporting.services import business_progress_refresh

    return business_progress_refresh()
