from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from registrations.models import Business
from registrations.services.deletion import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise the firms whose cases all ended more than RETENTION_YEARS ago (registrations "
        "and cases stay, so the program's figures keep counting them). Run with --dry-run "
        "first: it lists the firms and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        due = retention_apply(today=timezone.localdate(), dry_run=dry_run)
        for business in Business.objects.filter(pk__in=due).order_by("pk")[:50]:
            self.stdout.write(f"{business.pk}\t{business.name}")
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(due)} firms {verb} (retention: {settings.RETENTION_YEARS} years).")
