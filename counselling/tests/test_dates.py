"""Issue 13: dates and amounts within sense on the case page, and the BC timestamp that made
the office's lists answer 500 (ADR 0013)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.roles import Role
from core.validators import BEFORE_START, IN_FUTURE, NEGATIVE_AMOUNT, TOO_FAR_AHEAD, plan_latest
from counselling.models import Case, CaseEvent, CounsellingSession
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

START = {"start": "2020-01-01"}
# Typed in Japan time, midnight of 1 January of the year 1 is 31 December 1 BC in UTC.
BC = "0001-01-01 00:00:00+09"
LISTS = ("counselling:case-list", "registrations:registration-list")


@pytest.fixture
def case(users):
    return CaseFactory(registration__business__prefecture_id="13", concierge=users[Role.CONCIERGE])


def session_post(client, case, **fields):
    data = {"session-held_at": "2026-11-20T10:00", "session-channel": "phone",
            "session-duration_minutes": "30"}  # fmt: skip
    data.update({f"session-{name}": value for name, value in fields.items()})
    return client.post(reverse("counselling:session-log", args=[case.pk]), data)


def target_post(client, case, **fields):
    data = {
        "target-target_country": "US",
        "target-target_product": "日本酒",
        "target-target_amount_yen": "1000000",
        "target-target_date": "2027-12-31",
    }
    data.update({f"target-{name}": value for name, value in fields.items()})
    return client.post(reverse("counselling:target-set", args=[case.pk]), data)


def errors(response, prefix):
    form = response.context[f"{prefix}_form"]
    return {name: list(messages) for name, messages in form.errors.items()}


# --- The forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("held_at", ["0001-01-01T00:00", "0001-01-01T10:00", "2019-12-31T23:59"])
def test_a_session_before_the_program_is_refused_beside_the_field(client, users, case, held_at):
    client.force_login(users[Role.CONCIERGE])
    response = session_post(client, case, held_at=held_at)
    assert response.status_code == 400
    assert errors(response, "session")["held_at"] == [BEFORE_START % START]
    assert escape(BEFORE_START % START) in response.text
    assert not CounsellingSession.objects.exists()
    for name in LISTS:  # the lists still answer
        assert client.get(reverse(name)).status_code == 200


def test_a_session_in_the_future_is_refused_but_today_in_japan_is_fine(client, users, case):
    client.force_login(users[Role.CONCIERGE])
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    response = session_post(client, case, held_at=f"{tomorrow}T00:00")
    assert response.status_code == 400
    assert errors(response, "session")["held_at"] == [IN_FUTURE % {"today": today.isoformat()}]
    assert session_post(client, case, held_at=f"{today}T23:59").status_code == 302


def test_a_next_action_too_far_ahead_is_refused(client, users, case):
    client.force_login(users[Role.CONCIERGE])
    too_far = plan_latest() + datetime.timedelta(days=1)
    response = session_post(client, case, next_action="電話", next_action_due=too_far.isoformat())
    assert response.status_code == 400
    assert errors(response, "session")["next_action_due"] == [
        TOO_FAR_AHEAD % {"years": 10, "latest": plan_latest().isoformat()}
    ]
    assert not CounsellingSession.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_date", "0001-01-01", lambda: BEFORE_START % START),
        ("target_date", "9999-12-31",
         lambda: TOO_FAR_AHEAD % {"years": 10, "latest": plan_latest().isoformat()}),
        ("target_amount_yen", "-1", lambda: str(NEGATIVE_AMOUNT)),
    ],
    ids=["year-1", "year-9999", "negative-amount"],
)  # fmt: skip
def test_a_target_out_of_sense_is_refused_beside_the_field(client, users, case, field, value,
                                                           message):  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    response = target_post(client, case, **{field: value})
    assert response.status_code == 400
    assert errors(response, "target")[field] == [message()]
    case.refresh_from_db()
    assert (case.target_date, case.target_amount_yen) == (None, None)


def test_a_sensible_target_is_saved(client, users, case):
    client.force_login(users[Role.CONCIERGE])
    assert target_post(client, case).status_code == 302
    case.refresh_from_db()
    assert case.target_date == datetime.date(2027, 12, 31)


def test_program_start_year_is_a_setting(client, users, case, settings):
    settings.PROGRAM_START_YEAR = 2024
    client.force_login(users[Role.CONCIERGE])
    response = session_post(client, case, held_at="2023-06-01T10:00")
    assert errors(response, "session")["held_at"] == [BEFORE_START % {"start": "2024-01-01"}]


# --- The database --------------------------------------------------------------------------------


def test_the_database_refuses_a_bc_session_stored_around_the_forms(case):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO counselling_counsellingsession (case_id, held_at, channel, "
            "duration_minutes, attendees, notes, stage_assessed, buyer_talks, created_at, "
            "updated_at) VALUES (%s, %s::timestamptz, 'phone', 30, '', '', '', false, now(), "
            "now())",
            [case.pk, BC],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(target_amount_yen=-5)


def _store_bc_session_as_the_old_schema_allowed(case) -> int:
    """The row today's code stored for a session typed as 0001-01-01 00:00: the constraints
    are dropped (inside the test's transaction) to stand for a database before them."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER TABLE
        for table, name in (
            ("counselling_counsellingsession", "session_held_at_in_range"),
            ("counselling_case", "case_first_contact_at_in_range"),
            ("counselling_case", "case_last_contact_at_in_range"),
            ("counselling_case", "case_target_date_in_range"),
            ("counselling_case", "case_target_amount_yen_not_negative"),
        ):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")  # fmt: skip
        cursor.execute(
            "INSERT INTO counselling_counsellingsession (case_id, held_at, channel, "
            "duration_minutes, attendees, notes, stage_assessed, buyer_talks, contact_only, "
            "created_at, updated_at) VALUES (%s, %s::timestamptz, 'phone', 30, '', '', '', "
            "false, false, '2026-11-02 01:00+00', now()) RETURNING id",
            [case.pk, BC],
        )
        session_id = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE counselling_case SET first_contact_at = %s::timestamptz, "
            "last_contact_at = %s::timestamptz, status = 'contacted', "
            "target_date = '0001-01-01', target_amount_yen = -5 WHERE id = %s",
            [BC, BC, case.pk],
        )
        cursor.execute(
            "INSERT INTO counselling_caseevent (case_id, at, kind, summary) "
            "VALUES (%s, %s::timestamptz, 'session', 'Phone 30min')",
            [case.pk, BC],
        )
    return session_id


def test_a_bc_session_made_the_lists_500_and_the_repair_migration_mends_it(client, users, case):
    session_id = _store_bc_session_as_the_old_schema_allowed(case)
    client.force_login(users[Role.OFFICE_LEAD])
    client.raise_request_exception = False
    for name in LISTS:  # what the office saw before this fix
        assert client.get(reverse(name)).status_code == 500, name

    migration = importlib.import_module("counselling.migrations.0005_repair_out_of_range_dates")
    # The repair runs before the timeline became append-only (0007 adds the trigger), so it is
    # run here as the database then was: without the trigger, for this transaction only.
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE counselling_caseevent DISABLE TRIGGER counselling_caseevent_append_only"
        )
        migration.repair(apps, None)
        cursor.execute(
            "ALTER TABLE counselling_caseevent ENABLE TRIGGER counselling_caseevent_append_only"
        )

    for name in LISTS:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("counselling:case-detail", args=[case.pk])).status_code == 200
    session = CounsellingSession.objects.get(pk=session_id)
    entered = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)
    assert session.held_at == entered  # when it was entered
    case.refresh_from_db()
    assert (case.first_contact_at, case.last_contact_at) == (entered, entered)
    assert (case.target_date, case.target_amount_yen) == (None, None)
    assert case.events.get(kind=CaseEvent.Kind.SESSION).at == entered
    repair_line = case.events.get(kind=CaseEvent.Kind.STATUS)
    assert "データ修復" in repair_line.summary
    assert session.history.first().history_change_reason.startswith("ADR 0013")
    assert case.history.first().history_change_reason.startswith("ADR 0013")
