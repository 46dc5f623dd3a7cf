import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from freezegun import freeze_time

from core.models import OutboundEmail, User
from core.roles import Role
from core.tests.factories import UserFactory
from counselling import services
from counselling.models import Case, CaseEvent, IssueTag, Stage
from counselling.tests.factories import CaseFactory
from registrations.models import Business, Contact, Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def concierge(users):
    return users[Role.CONCIERGE]


def session_data(**overrides):
    data = {
        "held_at": timezone.now(), "channel": "meeting", "duration_minutes": 60,
        "tags": list(IssueTag.objects.filter(code__in=["market_research", "buyers"])),
        "notes": "米国向けの販路について相談", "stage_assessed": "", "next_action": "見積書の確認",
        "next_action_due": datetime.date(2026, 12, 10),
    }  # fmt: skip
    data.update(overrides)
    return data


@freeze_time("2026-04-28 10:00:00+09:00")
def test_a_confirmed_registration_opens_one_case_with_the_first_contact_due_in_business_days():
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    case = registration.case
    assert case.office.code == "jetro-tokyo"
    assert case.status == Case.Status.NEW
    # 5 business days after Tue 28 April 2026 skip 昭和の日 and Golden Week.
    assert case.first_contact_due == datetime.date(2026, 5, 11)
    assert services.case_open(registration=registration) == case
    kinds = set(case.events.values_list("kind", flat=True))
    assert kinds == {CaseEvent.Kind.REGISTERED, CaseEvent.Kind.EMAIL}
    assert "hanako@example.jp" in case.events.get(kind=CaseEvent.Kind.EMAIL).summary


def test_a_failure_opening_the_case_rolls_the_whole_registration_back(monkeypatch):
    """The case opens in the registration's transaction (registration_confirmed's receiver):
    if it fails, no registration, business, contact, account or mail is left behind."""

    def case_open_failing(**kwargs):
        raise RuntimeError("case not opened")

    monkeypatch.setattr(services, "case_open", case_open_failing)
    with pytest.raises(RuntimeError, match="case not opened"):
        registration_intake.registration_submit(
            data=registration_data(), channel=Registration.Channel.ONLINE
        )
    assert not Registration.objects.exists()
    assert not Business.objects.exists()
    assert not Contact.objects.exists()
    assert not User.objects.filter(email="hanako@example.jp").exists()
    assert not OutboundEmail.objects.exists()


def test_a_referral_opens_its_case_only_when_the_firm_consents(chamber_tokyo):
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.PARTNER, referred_by=chamber_tokyo
    )
    assert not Case.objects.exists()
    registration_intake.registration_consent_confirm(registration=registration)
    assert Case.objects.get().registration == registration


def test_assign_then_reassign_needs_a_reason(users, jetro_tokyo):
    case = CaseFactory()
    lead = users[Role.OFFICE_LEAD]
    other = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    services.case_assign(case=case, concierge=users[Role.CONCIERGE], actor=lead)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, concierge=other, actor=lead)
    services.case_assign(case=case, concierge=other, actor=lead, reason="担当替え")
    assert case.concierge == other
    assert [e.kind for e in case.events.all()] == ["assigned", "assigned"]


def test_a_concierge_of_another_office_cannot_take_the_case(users, jetro_osaka):
    case = CaseFactory()
    osaka = UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, concierge=osaka, actor=users[Role.OFFICE_LEAD])


def test_assign_by_load_evens_out_open_cases(users, jetro_tokyo):
    lead = users[Role.OFFICE_LEAD]
    a, b = users[Role.CONCIERGE], UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    for case in CaseFactory.create_batch(3):
        services.case_assign(case=case, concierge=a, actor=lead)
    queue = CaseFactory.create_batch(5)
    assigned = services.case_assign_by_load(cases=queue, concierges=[a, b], actor=lead)
    assert [case for case, _concierge in assigned] == sorted(
        queue, key=lambda c: (c.first_contact_due, c.pk)
    )
    assert all(case.concierge == concierge for case, concierge in assigned)
    counts = {u: Case.objects.filter(concierge=u).count() for u in (a, b)}
    assert counts == {a: 4, b: 4}


def _status_lines(case) -> list[str]:
    return list(
        case.events.filter(kind=CaseEvent.Kind.STATUS)
        .order_by("id")
        .values_list("summary", flat=True)
    )


def _move(old, new) -> str:
    return f"{Case.Status(old).label} → {Case.Status(new).label}"


def test_the_first_counselling_session_records_first_contact_and_moves_the_case_on(concierge):
    case = CaseFactory(concierge=concierge)
    held = timezone.now() - datetime.timedelta(hours=2)
    services.session_log(case=case, actor=concierge, data=session_data(held_at=held))
    case.refresh_from_db()
    assert case.first_contact_at == held  # the SLA clock stops
    assert case.status == Case.Status.COUNSELLING
    assert case.next_action == "見積書の確認"
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["session", "status"]
    assert "市場調査" in case.events.get(kind="session").summary
    assert _status_lines(case) == [_move(Case.Status.NEW, Case.Status.COUNSELLING)]
    assert case.history.first().status == Case.Status.COUNSELLING
    assert case.history.first().updated_by == concierge


@pytest.mark.parametrize("channel", ["meeting", "online", "phone"])
def test_a_counselling_session_moves_a_contacted_case_to_counselling(channel, concierge):
    case = CaseFactory(status=Case.Status.CONTACTED, first_contact_at=timezone.now())
    services.session_log(case=case, actor=concierge, data=session_data(channel=channel))
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING
    assert _status_lines(case) == [_move(Case.Status.CONTACTED, Case.Status.COUNSELLING)]


def test_a_first_contact_only_stops_the_sla_clock_and_moves_the_case_to_contacted(concierge):
    case = CaseFactory(concierge=concierge)
    held = timezone.now() - datetime.timedelta(hours=1)
    # A call with 課題 noted, logged as the first contact only: not counselling yet.
    services.session_log(
        case=case, actor=concierge,
        data=session_data(held_at=held, channel="phone", contact_only=True),
    )  # fmt: skip
    case.refresh_from_db()
    assert case.first_contact_at == held
    assert case.status == Case.Status.CONTACTED
    session = case.sessions.get()
    assert session.contact_only
    assert not services.session_is_counselling(session)
    with translation.override("ja"):
        assert "初回連絡のみ" in case.events.get(kind="session").summary
    assert _status_lines(case) == [_move(Case.Status.NEW, Case.Status.CONTACTED)]

    # The counselling session that follows moves it on.
    services.session_log(case=case, actor=concierge, data=session_data())
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING
    assert case.first_contact_at == held  # the first contact stays the first
    assert _status_lines(case)[-1] == _move(Case.Status.CONTACTED, Case.Status.COUNSELLING)


@pytest.mark.parametrize(
    "overrides",
    [{"channel": "email"}, {"tags": []}],
    ids=["an e-mail", "no issues recorded"],
)
def test_a_contact_that_is_not_counselling_moves_a_new_case_to_contacted_only(overrides, concierge):
    case = CaseFactory()
    services.session_log(case=case, actor=concierge, data=session_data(**overrides))
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED
    assert case.first_contact_at is not None
    # and another one leaves a contacted case as it is
    services.session_log(case=case, actor=concierge, data=session_data(**overrides))
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED
    assert len(_status_lines(case)) == 1


@pytest.mark.parametrize(
    "status", [Case.Status.COUNSELLING, Case.Status.PROPOSALS, Case.Status.SUPPORT,
               Case.Status.FOLLOW_UP],
)  # fmt: skip
def test_a_session_leaves_a_case_further_on_where_it_is(status, concierge):
    case = CaseFactory(status=status, first_contact_at=timezone.now())
    services.session_log(case=case, actor=concierge, data=session_data())
    services.session_log(case=case, actor=concierge, data=session_data(contact_only=True))
    case.refresh_from_db()
    assert case.status == status
    assert _status_lines(case) == []


def test_following_the_work_goes_forward_only_and_starts_support_once(concierge):
    case = CaseFactory()
    services.case_status_follow_work(case=case, reached=Case.Status.SUPPORT, actor=concierge)
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPORT
    started = case.support_started_at
    assert started is not None
    for reached in (Case.Status.CONTACTED, Case.Status.PROPOSALS, Case.Status.SUPPORT):
        services.case_status_follow_work(case=case, reached=reached, actor=concierge)
    case.refresh_from_db()
    assert (case.status, case.support_started_at) == (Case.Status.SUPPORT, started)
    assert _status_lines(case) == [_move(Case.Status.NEW, Case.Status.SUPPORT)]


@pytest.mark.parametrize("status", [Case.Status.REALISED, Case.Status.CLOSED])
def test_following_the_work_leaves_an_ended_case_as_it_is(status, concierge):
    case = CaseFactory(status=status)
    services.case_status_follow_work(case=case, reached=Case.Status.SUPPORT, actor=concierge)
    case.refresh_from_db()
    assert case.status == status
    assert _status_lines(case) == []


def test_manual_changes_stay_within_the_allowed_transitions(concierge):
    case = CaseFactory(status=Case.Status.CONTACTED)
    services.case_status_change(case=case, status=Case.Status.COUNSELLING, actor=concierge)
    assert case.status == Case.Status.COUNSELLING
    with pytest.raises(ValidationError) as refused:  # the work may, a person may not
        services.case_status_change(case=case, status=Case.Status.SUPPORT, actor=concierge)
    assert refused.value.code == "transition_not_allowed"


def test_a_session_that_assesses_the_stage_records_a_stage_change(concierge):
    case = CaseFactory(concierge=concierge)
    services.session_log(
        case=case, actor=concierge, data=session_data(stage_assessed=Stage.PREPARATION)
    )
    case.refresh_from_db()
    assert case.stage == Stage.PREPARATION
    assert case.stage_changes.get().to_stage == Stage.PREPARATION


def test_moving_to_challenge_needs_a_reason_and_a_target(concierge, settings):
    case = CaseFactory(stage=Stage.PREPARATION)
    with pytest.raises(ValidationError):
        services.case_stage_change(case=case, stage=Stage.CHALLENGE, reason="", actor=concierge)
    with pytest.raises(ValidationError) as error:
        services.case_stage_change(
            case=case, stage=Stage.CHALLENGE, reason="商談開始", actor=concierge
        )
    assert error.value.code == "target_required"
    services.case_target_set(case=case, actor=concierge, data={
        "target_country": "US", "target_product": "日本酒", "target_amount_yen": 5_000_000,
        "target_date": datetime.date(2027, 3, 31)})  # fmt: skip
    services.case_stage_change(case=case, stage=Stage.CHALLENGE, reason="商談開始", actor=concierge)
    assert case.stage == Stage.CHALLENGE
    settings.TARGET_REQUIRED_FOR_CHALLENGE = False
    other = CaseFactory(stage=Stage.PREPARATION)
    services.case_stage_change(case=other, stage=Stage.CHALLENGE, reason="緩和", actor=concierge)


def test_status_transitions_are_enforced_and_closing_needs_a_reason(concierge):
    case = CaseFactory()
    with pytest.raises(ValidationError):
        services.case_status_change(case=case, status=Case.Status.SUPPORT, actor=concierge)
    with pytest.raises(ValidationError):
        services.case_status_change(case=case, status=Case.Status.CLOSED, actor=concierge)
    services.case_status_change(
        case=case, status=Case.Status.CLOSED, close_reason="unreachable", actor=concierge
    )
    assert case.closed_at is not None
    with pytest.raises(ValidationError):
        services.session_log(case=case, actor=concierge, data=session_data())


def test_every_change_is_audited_with_who_and_what(concierge):
    case = CaseFactory()
    services.case_status_change(case=case, status=Case.Status.CONTACTED, actor=concierge)
    latest = case.history.first()
    assert latest.status == Case.Status.CONTACTED
    assert latest.updated_by == concierge


def test_the_legacy_transition_moves_only_a_new_case_to_follow_up_on_the_timeline():
    case = CaseFactory()
    services.case_status_set_legacy(case=case, status=Case.Status.FOLLOW_UP, note="imported")
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).get()
    assert event.summary.endswith(": imported")
    assert event.actor is None
    assert case.history.first().status == Case.Status.FOLLOW_UP  # audited
    with pytest.raises(ValidationError) as refused:
        services.case_status_set_legacy(case=case, status=Case.Status.REALISED, note="x")
    assert refused.value.code == "transition_not_allowed"
