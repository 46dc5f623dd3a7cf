import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.models import Prefecture
from core.roles import Role
from portal.demo.core import demo_office_addresses_ensure, demo_users_ensure
from portal.demo.outcomes import surveys_seed
from portal.demo.registrations import business_demo_login_link, businesses_seed
from portal.demo.support_menus import catalogue_seed, proposals_seed, rankings_seed
from registrations.models import Business
from reporting.services import business_progress_refresh

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 (demo data only; printed for the user)


class Command(BaseCommand):
    help = (
        "Fill the database with realistic, reproducible demo data and create the demo logins "
        "(one or more per role). Prints the logins as a table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--businesses", type=int, default=200, help="how many businesses")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (reproducible)")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="password for all demo logins"
        )
        parser.add_argument(
            "--logins-json", type=Path, help="also write the logins to this JSON file"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="add businesses only when there are none yet; always refresh the logins",
        )

    def handle(self, *args, **options):
        n = options["businesses"]
        if n < 0:
            raise CommandError("--businesses must be 0 or more")
        if not Prefecture.objects.exists():
            raise CommandError("Reference data is missing: run `manage.py migrate` first.")
        existing = Business.objects.count()
        if existing and not options["if_empty"]:
            raise CommandError(
                f"The database already has {existing} businesses. Flush it first, "
                "or pass --if-empty to refresh only the demo logins."
            )
        started = time.monotonic()
        with transaction.atomic():
            # Logins first: the demo concierges take some of the seeded cases.
            logins = demo_users_ensure(password=options["password"])
            demo_office_addresses_ensure()
            catalogue_seed()
            if not existing:
                businesses_seed(n=n, seed=options["seed"])
                proposals_seed(seed=options["seed"])
                surveys_seed(seed=options["seed"])
                rankings_seed()
                business_progress_refresh()
            business_demo_login_link(
                user=next(user for login, user in logins if login.role == Role.BUSINESS)
            )
        elapsed = time.monotonic() - started
        if not existing:
            self.stdout.write(f"Seeded {n} businesses in {elapsed:.1f} s.")
        else:
            self.stdout.write(f"Kept the {existing} existing businesses; demo logins refreshed.")
        self._print_logins(logins, options["password"])
        if options["logins_json"]:
            options["logins_json"].write_text(
                json.dumps(
                    [
                        {
                            "role": str(login.role),
                            "username": user.username,
                            "password": options["password"],
                        }
                        for login, user in logins
                    ],
                    indent=2,
                ),
                encoding="utf-8",
            )

    def _print_logins(self, logins, password: str) -> None:
        rows = [("role", "username", "password")] + [
            (str(login.role), user.username, password) for login, user in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        self.stdout.write("Demo logins:")
        self.stdout.write(line)
        for i, row in enumerate(rows):
            self.stdout.write(
                "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"
            )
            if i == 0:
                self.stdout.write(line)
        self.stdout.write(line)
