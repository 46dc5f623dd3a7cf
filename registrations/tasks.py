import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="registrations.retention")
def retention_task() -> int:
    """Daily: anonymise the firms past RETENTION_YEARS, or, until RETENTION_APPLY is on, only
    log how many would be (a dry run). Delivered approval mails of deletion requests lose
    their address and body (always)."""
    from django.conf import settings
    from django.utils import timezone

    from registrations.services.deletion import deletion_decision_mails_forget, retention_apply

    deletion_decision_mails_forget()
    due = retention_apply(today=timezone.localdate(), dry_run=not settings.RETENTION_APPLY)
    logger.info(
        "Retention: %s firms %s.", len(due),
        "anonymised" if settings.RETENTION_APPLY else "due (dry run: RETENTION_APPLY is off)",
    )  # fmt: skip
    return len(due)
