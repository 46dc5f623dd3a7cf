from celery import shared_task


@shared_task(name="counselling.case_reminders_send")
def case_reminders_send_task() -> int:
    """Daily reminders for concierges; idempotent per person and day (outbox key)."""
    from counselling.services import case_reminders_send

    return case_reminders_send()
