from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name: (task, every N seconds). Later apps add their schedules here.
INTERVALS = {
    # Sends e-mails whose immediate dispatch was lost (broker down, crash after commit).
    "Outbox: send pending e-mails": ("core.email_outbox_dispatch", 60),
    # The ministry dashboard's figures are at most this old (BUSINESS_PROGRESS_REFRESH_MINUTES).
    "Reporting: rebuild the dashboard's figures": ("reporting.business_progress_refresh", 600),
}
# name: (task, crontab fields in Asia/Tokyo).
CRONTABS = {
    # Every day at 08:00 https://crontab.guru/#0_8_*_*_*
    "Counselling: daily reminders for concierges": (
        "counselling.case_reminders_send",
        {"minute": "0", "hour": "8"},
    ),
    # Every day at 07:00 https://crontab.guru/#0_7_*_*_*
    "Outcomes: create the survey waves that fall due": (
        "outcomes.surveys_schedule",
        {"minute": "0", "hour": "7"},
    ),
    # Every day at 10:00 https://crontab.guru/#0_10_*_*_*
    "Outcomes: survey reminders": ("outcomes.survey_reminders_send", {"minute": "0", "hour": "10"}),
    # Every day at 02:30 https://crontab.guru/#30_2_*_*_* (windows open and close by date)
    "Support menus: re-rank the open cases": (
        "support_menus.case_rankings_refresh_all",
        {"minute": "30", "hour": "2"},
    ),
    # Every day at 03:45 https://crontab.guru/#45_3_*_*_* (a dry run until RETENTION_APPLY)
    "Registrations: anonymise firms past retention": (
        "registrations.retention",
        {"minute": "45", "hour": "3"},
    ),
    # Every day at 03:15 https://crontab.guru/#15_3_*_*_* (files of business data expire)
    "Reporting: delete expired progress-export files": (
        "reporting.progress_exports_purge",
        {"minute": "15", "hour": "3"},
    ),
    # Every day at 03:20 https://crontab.guru/#20_3_*_*_* (uploaded import files expire)
    "Support menus: delete kept import files": (
        "support_menus.import_files_purge",
        {"minute": "20", "hour": "3"},
    ),
}


class Command(BaseCommand):
    help = (
        "Create the beat schedules (django-celery-beat) if missing. Existing ones are left as "
        "an administrator edited them."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, seconds) in INTERVALS.items():
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
            self._ensure(name, task=task, interval=interval)
        for name, (task, fields) in CRONTABS.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                **fields, timezone=settings.TIME_ZONE
            )
            self._ensure(name, task=task, crontab=crontab)

    def _ensure(self, name: str, **defaults) -> None:
        _task, created = PeriodicTask.objects.get_or_create(name=name, defaults=defaults)
        self.stdout.write(f"{'Created' if created else 'Kept'}: {name}")
