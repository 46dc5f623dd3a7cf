from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# name: (task, every N seconds). Later apps add their schedules here.
SCHEDULES = {
    # Sends e-mails whose immediate dispatch was lost (broker down, crash after commit).
    "Outbox: send pending e-mails": ("core.email_outbox_dispatch", 60),
}


class Command(BaseCommand):
    help = (
        "Create the beat schedules (django-celery-beat) if missing. Existing ones are left as "
        "an administrator edited them."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, seconds) in SCHEDULES.items():
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            _task, created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "interval": interval}
            )
            self.stdout.write(f"{'Created' if created else 'Kept'}: {name}")
