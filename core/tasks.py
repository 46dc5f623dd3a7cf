from celery import shared_task


@shared_task(name="core.email_outbox_dispatch")
def email_outbox_dispatch_task() -> int:
    """Send due outbox e-mails. Safe to run concurrently and to redeliver."""
    from core.services import email_outbox_dispatch

    return email_outbox_dispatch()
