"""The data migration of issue 15 (outcomes 0006): each open case's status recomputed from its
record, with a timeline line and a history row."""

import datetime
import importlib
import itertools

import pytest
from django.apps import apps
from django.utils import timezone

from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

migration = importlib.import_module("outcomes.migrations.0006_case_status_from_the_record")
status_from_record = migration.status_from_record

DAY = datetime.timedelta(days=1)
NOTHING = {
    "contact": False, "counselling": False, "proposed": False, "adopted": False,
    "exported": False, "moved_back": False,
}  # fmt: skip


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({}, "new"),
        ({"contact": True}, "contacted"),
        ({"contact": True, "counselling": True}, "counselling"),
        ({"contact": True, "counselling": True, "proposed": True}, "proposals"),
        ({"contact": True, "counselling": True, "proposed": True, "adopted": True}, "support"),
        ({"proposed": True}, "proposals"),  # proposals without a session logged
        ({"exported": True}, "realised"),
    ],
)
def test_a_new_case_goes_where_its_record_leaves_it(record, expected):
    assert status_from_record("new", **{**NOTHING, **record}) == expected


@pytest.mark.parametrize(
    ("current", "record", "expected"),
    [
        ("contacted", {"counselling": True, "proposed": True, "adopted": True}, "support"),
        ("counselling", {"counselling": True}, "counselling"),
        ("proposals", {"contact": True}, "proposals"),  # never back
        ("support", {"proposed": True}, "support"),
        ("follow_up", {"adopted": True}, "follow_up"),  # beyond the work's order
        ("follow_up", {"exported": True}, "realised"),
        ("counselling", {"proposed": True, "moved_back": True}, "counselling"),  # a person's call
        ("counselling", {"exported": True, "moved_back": True}, "realised"),
        ("realised", {"exported": True}, "realised"),
        ("closed", {"adopted": True, "exported": True}, "closed"),
    ],
)
def test_the_record_moves_a_case_forward_only(current, record, expected):
    assert status_from_record(current, **{**NOTHING, **record}) == expected


@pytest.mark.parametrize("values", itertools.product([False, True], repeat=6))
def test_the_record_never_moves_a_case_back(values):
    record = dict(zip(NOTHING, values, strict=True))
    order = [*migration.WORK_ORDER, "realised"]
    for current in migration.WORK_ORDER:
        assert order.index(status_from_record(current, **record)) >= order.index(current)


# --- The migration on a database ----------------------------------------------------------------


def session(case, channel="meeting", *, tags=("market_research",), contact_only=False):
    logged = CounsellingSession.objects.create(
        case=case, held_at=timezone.now() - 30 * DAY, channel=channel, contact_only=contact_only
    )
    logged.tags.set(IssueTag.objects.filter(code__in=tags))
    return logged


def proposal(case, status=Proposal.Status.PROPOSED, decided_on=None):
    return Proposal.objects.create(
        case=case, menu=SupportMenuFactory(), score=50, status=status,
        proposed_on=timezone.localdate() - 20 * DAY, decided_on=decided_on,
    )  # fmt: skip


def status_lines(case) -> list[str]:
    return list(case.events.filter(kind=CaseEvent.Kind.STATUS).values_list("summary", flat=True))


@pytest.mark.django_db
def test_the_migration_puts_each_open_case_where_its_record_leaves_it():
    today = timezone.localdate()
    # Issue 15: a first session, three proposals and an adoption, and still 初回連絡済み.
    stuck = CaseFactory(status=Case.Status.CONTACTED, first_contact_at=timezone.now() - 40 * DAY)
    session(stuck, "online")
    proposal(stuck)
    proposal(stuck, Proposal.Status.DECLINED, decided_on=today - 9 * DAY)
    proposal(stuck, Proposal.Status.ADOPTED, decided_on=today - 7 * DAY)
    contact_recorded = CaseFactory(first_contact_at=timezone.now() - 3 * DAY)
    by_email = CaseFactory()
    session(by_email, "email")
    counselled = CaseFactory(status=Case.Status.CONTACTED)
    session(counselled, "phone")
    first_contact_only = CaseFactory(status=Case.Status.CONTACTED)
    session(first_contact_only, "phone", contact_only=True)
    no_issues = CaseFactory(status=Case.Status.CONTACTED)
    session(no_issues, "meeting", tags=())
    proposed = CaseFactory(status=Case.Status.COUNSELLING)
    proposal(proposed)
    exported = CaseFactory(status=Case.Status.FOLLOW_UP)
    survey = SurveyFactory(case=exported, wave_months=12)
    SurveyResponse.objects.create(
        survey=survey, export_realised="yes", first_export_date=today - 60 * DAY, source="web",
        answered_at=timezone.now() - DAY,
    )  # fmt: skip
    # Left as they are: a case moved back by hand, one beyond the work, ended ones, a right one.
    moved_back = CaseFactory(status=Case.Status.PROPOSALS)
    moved_back.status = Case.Status.COUNSELLING
    moved_back.save()  # its history holds 支援策提案済み
    proposal(moved_back, Proposal.Status.DECLINED, decided_on=today)
    follow_up = CaseFactory(status=Case.Status.FOLLOW_UP)
    proposal(follow_up, Proposal.Status.COMPLETED, decided_on=today - 100 * DAY)
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)
    session(closed)
    proposal(closed, Proposal.Status.ADOPTED, decided_on=today)
    right = CaseFactory(status=Case.Status.PROPOSALS)
    session(right)
    proposal(right)
    fresh = CaseFactory()

    assert migration.recompute(apps, None) == 6

    expected = {
        stuck: Case.Status.SUPPORT, contact_recorded: Case.Status.CONTACTED,
        by_email: Case.Status.CONTACTED, counselled: Case.Status.COUNSELLING,
        first_contact_only: Case.Status.CONTACTED, no_issues: Case.Status.CONTACTED,
        proposed: Case.Status.PROPOSALS, exported: Case.Status.REALISED,
        moved_back: Case.Status.COUNSELLING, follow_up: Case.Status.FOLLOW_UP,
        closed: Case.Status.CLOSED, right: Case.Status.PROPOSALS, fresh: Case.Status.NEW,
    }  # fmt: skip
    unchanged = {first_contact_only, no_issues, moved_back, follow_up, closed, right, fresh}
    for case, status in expected.items():
        old = case.status
        case.refresh_from_db()
        assert case.status == status, (old, status)
        lines = status_lines(case)
        if case in unchanged:
            assert lines == [], old
        else:
            [line] = lines
            assert line.startswith(f"{Case.Status(old).label} → {Case.Status(status).label}: ")
            assert "記録" in line  # in the program's language: 記録から再計算
            assert case.events.get(kind=CaseEvent.Kind.STATUS).actor is None
            history = case.history.first()
            assert (history.status, history.history_change_reason) == (
                status,
                migration.HISTORY_REASON,
            )

    # Support started the day of the first adoption; the export on its reported date.
    assert timezone.localtime(stuck.support_started_at).date() == today - 7 * DAY
    assert (exported.realised_on, exported.close_reason) == (today - 60 * DAY, "realised")
    assert exported.closed_at is not None

    # Safe to run again: nothing left to move.
    assert migration.recompute(apps, None) == 0
