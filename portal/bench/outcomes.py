"""Benchmark rows for outcomes, used by `manage.py bench` on its throwaway database: the
daily survey sweeps over a realistic number of surveys, and the ministry's dashboard and
progress exports over every firm."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from outcomes.models import Survey
from outcomes.services import survey_reminders_send, surveys_schedule
from reporting.exports import business_progress_count, business_progress_queryset
from reporting.filters import ProgressFilters
from reporting.services import business_progress_refresh

Row = tuple[str, str, str, str]


def surveys_top_up(target: int) -> list[Row]:
    """Bring the surveys to `target` with waves 6, 12, 24 and 36 over the cases, links sent
    on every day of the last 70 (so a day's reminders are about 1/70 of them), 40% answered,
    earlier reminders already marked: the state a daily sweep meets in steady running."""
    missing = target - Survey.objects.count()
    if missing <= 0:
        return []
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO outcomes_survey (created_at, updated_at, case_id, wave_months, due_on,
                closes_on, token_nonce, sent_at, answered_at, reminder1_at, reminder2_at)
            SELECT now(), now(), s.case_id, s.wave, s.sent::date, s.sent::date + 60,
                   md5(s.case_id::text || s.wave::text), s.sent,
                   CASE WHEN s.case_id %% 5 < 2 THEN s.sent + interval '3 days' END,
                   CASE WHEN s.case_id %% 5 >= 2 AND s.sent < now() - interval '8 days'
                        THEN s.sent + interval '7 days' END,
                   CASE WHEN s.case_id %% 5 >= 2 AND s.sent < now() - interval '15 days'
                        THEN s.sent + interval '14 days' END
            FROM (
                SELECT c.id AS case_id, w.wave,
                       now() - ((c.id * 13 + w.wave * 7) %% 70) * interval '1 day'
                             - interval '2 hours' AS sent
                FROM counselling_case c CROSS JOIN (VALUES (6), (12), (24), (36)) AS w(wave)
                WHERE NOT EXISTS (SELECT 1 FROM outcomes_survey o
                                  WHERE o.case_id = c.id AND o.wave_months = w.wave)
                ORDER BY c.id, w.wave
                LIMIT %s
            ) AS s
            """,
            [missing],
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE outcomes_survey")
    return [(f"job: top up {added:,} surveys (SQL insert; {Survey.objects.count():,} in all)",
             f"{time.monotonic() - started:.1f} s", "", "")]  # fmt: skip


def sweep_rows() -> list[Row]:
    today = timezone.localdate()
    total = Survey.objects.count()
    rows = []
    before = OutboundEmail.objects.count()
    started = time.monotonic()
    sent = survey_reminders_send(today=today)
    elapsed = time.monotonic() - started
    queued = OutboundEmail.objects.count() - before
    rows.append((f"job: daily reminder sweep over {total:,} surveys ({sent:,} reminders due, "
                 f"{queued:,} outbox rows written)", f"{elapsed:.1f} s", "", ""))  # fmt: skip
    started = time.monotonic()
    again = survey_reminders_send(today=today)
    rows.append((f"job: the same sweep again ({again} reminders: none twice)",
                 f"{time.monotonic() - started:.2f} s", "", ""))  # fmt: skip
    started = time.monotonic()
    created = surveys_schedule(today=today)
    rows.append((f"job: daily wave scheduling over every case ({created:,} surveys created)",
                 f"{time.monotonic() - started:.1f} s", "", ""))  # fmt: skip
    return rows


# --- Progress dashboard and exports -------------------------------------------------------------

WHOLE_PROGRAM = "date_from=2022-12-16"


def _child(args: list[str]) -> tuple[float, float]:
    """Run `manage.py ARGS` in a child process: wall time (s) and its peak RSS (MB)."""
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args], stdout=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} exited {process.returncode}")
    return time.monotonic() - started, usage.ru_maxrss / 1024


def _copy_floor(filters, path: Path) -> float:
    """PostgreSQL COPY of the same rows (codes, no labels): the floor of any CSV export."""
    sql, params = business_progress_queryset(filters).query.sql_with_params()
    started = time.monotonic()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with (
        connection.cursor() as cursor,
        path.open("wb") as out,
        cursor.cursor.copy(statement, params) as copy,
    ):
        for data in copy:
            out.write(data)
    return time.monotonic() - started


def _stream(client: Client, url: str) -> tuple[float, float, int]:
    """Server time to the first byte and to the last of a streamed download."""
    started = time.perf_counter()
    response = client.get(url)
    chunks = iter(response.streaming_content)
    size = len(next(chunks))
    first = time.perf_counter() - started
    size += sum(len(chunk) for chunk in chunks)
    return first, time.perf_counter() - started, size


def progress_rows(*, repeat: int, password: str) -> list[Row]:
    """The ministry's dashboard and the progress exports over the whole program."""
    started = time.monotonic()
    firms = business_progress_refresh()
    rebuilt = f"{time.monotonic() - started:.1f} s"
    rows: list[Row] = [(f"job: rebuild the dashboard's fact table ({firms:,} firms; every 10 "
                        "minutes by beat)", rebuilt, "", "")]  # fmt: skip
    client = Client()
    client.post(reverse("login"), {"username": "demo-ministry", "password": password})
    dashboard = reverse("reporting:progress")
    businesses_page = reverse("reporting:progress-businesses")
    pages = (("progress dashboard, this fiscal year", dashboard, ""),
             ("progress dashboard, whole program", dashboard, WHOLE_PROGRAM),
             ("progress dashboard, whole program, 東北 only", dashboard,
              WHOLE_PROGRAM + "&region=tohoku"),
             ("progress by firm, whole program", businesses_page, WHOLE_PROGRAM),
             ("progress by firm, whole program, page 1000", businesses_page,
              WHOLE_PROGRAM + "&page=1000"))  # fmt: skip
    for name, path, query in pages:
        timings, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(f"{path}?{query}")
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code  # noqa: S101
            queries = len(ctx.captured_queries)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        median = statistics.median(timings)
        rows.append((f"GET {name} (ministry)", f"{median:.0f} ms",
                     f"{p95:.0f} ms", str(queries)))  # fmt: skip

    filters = ProgressFilters(date_from=settings.PROGRAM_START_DATE, date_to=timezone.localdate())
    firms = business_progress_count(filters)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        copy_s = _copy_floor(filters, tmp / "copy.csv")
        rows.append((f"export: PostgreSQL COPY of the same {firms:,} rows (the floor)",
                     f"{copy_s:.2f} s", "", ""))  # fmt: skip
        first, total, size = _stream(
            client, f"{reverse('reporting:progress-export')}?{WHOLE_PROGRAM}"
            "&kind=businesses&format=csv",
        )  # fmt: skip
        rows.append((f"export: business CSV download, {firms:,} firms ({size / 1e6:.0f} MB), "
                     f"first byte / last byte (server)", f"{first * 1000:.0f} ms",
                     f"{total:.1f} s ({total / copy_s:.1f}× COPY)", ""))  # fmt: skip
        baseline_s, baseline_mb = _child(["check"])
        csv_s, csv_mb = _child(["export_progress", "--format", "csv", "--from", "2022-12-16",
                                "--output", str(tmp / "p.csv")])  # fmt: skip
        rows.append((f"export: `export_progress --format csv` ({firms:,} rows), wall time and "
                     f"peak RSS (`manage.py check` alone: {baseline_mb:.0f} MB)",
                     f"{csv_s:.1f} s", f"{csv_mb:.0f} MB", ""))  # fmt: skip
        xlsx_s, xlsx_mb = _child(["export_progress", "--format", "xlsx", "--from", "2022-12-16",
                                  "--output", str(tmp / "p.xlsx")])  # fmt: skip
        rows.append((f"export: `export_progress --format xlsx` ({firms:,} rows, openpyxl "
                     "write-only; the background job runs the same code)", f"{xlsx_s:.1f} s",
                     f"{xlsx_mb:.0f} MB", ""))  # fmt: skip
        plain_s, plain_mb = _child(["shell", "-c", PLAIN_EXPORT.format(out=tmp / "plain.csv")])
        rows.append((f"export: django-import-export's plain `Resource().export()` → CSV, same "
                     f"{firms:,} rows", f"{plain_s:.1f} s ({plain_s / csv_s:.1f}× ours)",
                     f"{plain_mb:.0f} MB", ""))  # fmt: skip
        aggregate_s, aggregate_mb = _child(["export_progress", "--aggregate", "--format",
                                            "xlsx", "--from", "2022-12-16",
                                            "--output", str(tmp / "a.xlsx")])  # fmt: skip
        rows.append(("export: aggregate tables, small cells suppressed (XLSX)",
                     f"{aggregate_s:.1f} s", f"{aggregate_mb:.0f} MB", ""))  # fmt: skip
    return rows


# The plain import-export path, for comparison: the whole table built as a tablib.Dataset.
PLAIN_EXPORT = """
from django.conf import settings
from django.utils import timezone
from reporting.exports import business_progress_rows
from reporting.filters import ProgressFilters
from reporting.resources import BusinessProgressResource
filters = ProgressFilters(date_from=settings.PROGRAM_START_DATE, date_to=timezone.localdate())
dataset = BusinessProgressResource().export(queryset=business_progress_rows(filters))
open("{out}", "w", encoding="utf-8-sig").write(dataset.csv)
"""
