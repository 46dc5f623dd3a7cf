"""Benchmark rows for outcomes, used by `manage.py bench` on its throwaway database: the
daily survey sweeps over a realistic number of surveys."""

import time

from django.db import connection
from django.utils import timezone

from core.models import OutboundEmail
from outcomes.models import Survey
from outcomes.services import survey_reminders_send, surveys_schedule

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
