"""Benchmark pages and jobs at realistic scale: median and p95 server time, query count.

Run through `make bench` (bin/bench), which points DATABASE_URL at a separate database."""

import statistics
import time
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from core.database import database_ensure
from core.models import OutboundEmail, User
from core.services import email_outbox_dispatch
from counselling.models import Case, CounsellingSession
from counselling.permissions import case_qs_visible_to
from outcomes.models import Survey
from portal.bench import outcomes as survey_bench
from portal.bench import support_menus as menu_bench
from portal.demo.core import DEMO_LOGINS
from registrations.models import Business
from registrations.permissions import registration_qs_visible_to

PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway database)


class Command(BaseCommand):
    help = "Seed a benchmark database and print a Markdown table of page and job timings."

    def add_arguments(self, parser):
        parser.add_argument("--businesses", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=30, help="requests per page")
        parser.add_argument(
            "--sessions", type=int, default=1_000_000,
            help="top counselling sessions up to this many (server-side insert)",
        )  # fmt: skip
        parser.add_argument(
            "--broker-url", default="redis://127.0.0.1:6379/15",
            help="also re-rank through a real worker on this Redis broker ('' to skip)",
        )  # fmt: skip
        parser.add_argument(
            "--surveys", type=int, default=300_000, help="top the surveys up to this many"
        )
        parser.add_argument(
            "--menus", type=int, default=300, help="top the catalogue up to this many menus"
        )
        parser.add_argument(
            "--only", choices=("all", "progress"), default="all",
            help="progress: time only the dashboard and exports, on the data already seeded",
        )  # fmt: skip
        parser.add_argument(
            "--recreate-database",
            action="store_true",
            help="drop and create the (PostgreSQL) database named by DATABASE_URL first",
        )

    def handle(self, *args, **options):
        if options["only"] == "progress":
            call_command("migrate", verbosity=0)
            if not Business.objects.exists():
                raise CommandError("--only progress needs a seeded bench database")
            self._print(survey_bench.progress_rows(repeat=options["repeat"], password=PASSWORD),
                        options["repeat"])  # fmt: skip
            return
        if options["recreate_database"]:
            if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
                raise CommandError("--recreate-database needs a PostgreSQL DATABASE_URL")
            database_ensure(recreate=True)
        rows: list[tuple[str, str, str, str]] = []

        call_command("migrate", verbosity=0)
        if Business.objects.exists():
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command(
            "seed_demo", businesses=options["businesses"], password=PASSWORD, stdout=StringIO()
        )
        rows.append((f"job: seed_demo --businesses {options['businesses']}",
                     f"{time.monotonic() - started:.1f} s", "", ""))  # fmt: skip
        started = time.monotonic()
        added = self._sessions_top_up(options["sessions"])
        rows.append((f"job: top up {added:,} counselling sessions (SQL insert)",
                     f"{time.monotonic() - started:.1f} s", "", ""))  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        rows += menu_bench.catalogue_top_up(options["menus"])
        rows += self._pages(options["repeat"])
        rows += menu_bench.ranking_rows(repeat=options["repeat"], broker_url=options["broker_url"])
        rows += survey_bench.surveys_top_up(options["surveys"])
        rows += survey_bench.sweep_rows()
        rows.append(self._outbox_job())
        rows += survey_bench.progress_rows(repeat=options["repeat"], password=PASSWORD)
        self._print(rows, options["repeat"])

    def _print(self, rows, repeat: int) -> None:
        n = Business.objects.count()
        sessions = CounsellingSession.objects.count()
        surveys = Survey.objects.count()
        self.stdout.write(
            f"\n### Benchmark: {n:,} businesses, {sessions:,} counselling sessions, "
            f"{surveys:,} surveys, "
            f"{repeat} requests per page (Django test client)\n"
        )
        self.stdout.write("| page or job | median | p95 | queries |")
        self.stdout.write("|---|---|---|---|")
        for row in rows:
            self.stdout.write("| " + " | ".join(row) + " |")

    def _sessions_top_up(self, target: int) -> int:
        """Bring the session count to `target` by repeating follow-up sessions over the
        contacted cases, in one INSERT … SELECT (a measurement aid, not demo data)."""
        missing = target - CounsellingSession.objects.count()
        cases = Case.objects.exclude(status=Case.Status.NEW).count()
        if missing <= 0 or not cases:
            return 0
        per_case = -(-missing // cases)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO counselling_counsellingsession
                    (created_at, updated_at, case_id, held_at, channel, duration_minutes,
                     attendees, notes, stage_assessed, buyer_talks, contact_only,
                     created_by_id)
                SELECT now(), now(), c.id, c.created_at + (g * interval '9 days'), 'phone',
                       30, '', 'フォローアップの連絡', '', false, false, c.concierge_id
                FROM counselling_case c CROSS JOIN generate_series(1, %s) AS g
                WHERE c.status <> 'new'
                LIMIT %s
                """,
                [per_case, missing],
            )
            return cursor.rowcount

    def _time(self, client: Client, method: str, path: str, repeat: int, data=None):
        timings, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = (
                    getattr(client, method)(path, data) if data else getattr(client, method)(path)
                )
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 400:
                raise CommandError(f"{path} answered {response.status_code}")
            queries = len(ctx.captured_queries)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
        return f"{statistics.median(timings):.1f} ms", f"{p95:.1f} ms", str(queries)

    def _pages(self, repeat: int) -> list[tuple[str, str, str, str]]:
        rows = []
        anonymous = Client()
        rows.append(("GET / (public welcome)", *self._time(anonymous, "get", "/", repeat)))
        rows.append(("GET /accounts/login/", *self._time(anonymous, "get", reverse("login"),
                                                          repeat)))  # fmt: skip
        for login in DEMO_LOGINS:
            client = Client()
            response = client.post(reverse("login"),
                                   {"username": login.username, "password": PASSWORD})  # fmt: skip
            if response.status_code != 302:
                raise CommandError(f"could not sign in as {login.username}")
            rows.append((f"GET / as {login.role} ({login.username})",
                         *self._time(client, "get", "/", repeat)))  # fmt: skip
            if login.role in ("admin", "concierge") and login.username != "demo-concierge-osaka":
                rows += self._registration_pages(client, login, repeat)
            if login.username in ("demo-concierge", "demo-lead"):
                rows += self._counselling_pages(client, login, repeat)
            if login.role == "admin":
                rows.append(
                    (
                        "GET admin business list (admin)",
                        *self._time(
                            client,
                            "get",
                            reverse("admin:registrations_business_changelist"),
                            repeat,
                        ),
                    )
                )
                rows.append(
                    (
                        "GET admin business search (admin)",
                        *self._time(
                            client,
                            "get",
                            reverse("admin:registrations_business_changelist") + "?q=製作所",
                            repeat,
                        ),
                    )
                )
        return rows

    def _registration_pages(self, client, login, repeat):
        listing = reverse("registrations:registration-list")
        first = registration_qs_visible_to(login_user(login)).first()
        pages = [
            ("registrations list", listing),
            ("registrations list, page 50", listing + "?page=50"),
            ("registrations filtered (region, size, challenge)",
             listing + "?region=kanto&size_class=small&challenge_type=first_export"),
            ("registrations search by name", listing + "?q=製作所"),
            ("registrations search by kana", listing + "?q=ヤマダ"),
            ("registration detail", reverse("registrations:registration-detail", args=[first.pk])),
            ("suspected duplicates queue", reverse("registrations:duplicate-queue")),
        ]  # fmt: skip
        return [
            (f"GET {name} ({login.role})", *self._time(client, "get", path, repeat))
            for name, path in pages
        ]

    def _counselling_pages(self, client, login, repeat):
        user = login_user(login)
        case = case_qs_visible_to(user).filter(sessions__isnull=False).order_by("pk").first()
        pages = [
            ("cases (my cases / office cases)", reverse("counselling:case-list")),
            ("cases, overdue only", reverse("counselling:case-list") + "?overdue=true"),
            ("case page", reverse("counselling:case-detail", args=[case.pk])),
            (
                "propose menus (ranking with reasons)",
                reverse("support_menus:case-propose", args=[case.pk]),
            ),
            ("support-menu catalogue", reverse("support_menus:menu-list")),
        ]
        if login.role == "office_lead":
            pages.append(("office queue", reverse("counselling:queue")))
        return [
            (f"GET {name} ({login.role})", *self._time(client, "get", path, repeat))
            for name, path in pages
        ]

    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    def _outbox_job(self) -> tuple[str, str, str, str]:
        # A backlog as after a broker outage: pending rows whose dispatch kick was lost.
        OutboundEmail.objects.bulk_create(
            OutboundEmail(idempotency_key=f"bench:{i}", to=f"firm{i}@example.jp",
                          subject="bench", body="b", kind="firm")
            for i in range(1000)
        )  # fmt: skip
        started = time.monotonic()
        sent = email_outbox_dispatch(batch_size=100, max_batches=100)
        elapsed = time.monotonic() - started
        return (f"job: outbox dispatch of {sent} e-mails (locmem backend)",
                f"{elapsed:.2f} s ({sent / elapsed:.0f}/s)", "", "")  # fmt: skip


def login_user(login) -> User:
    return User.objects.get(username=login.username)
