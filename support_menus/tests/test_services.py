"""Writes for support menus: proposing menus, a proposal's lifecycle, the stored best matches
of open cases, and the case facts the matching engine is given."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from freezegun import freeze_time

from core.models import OutboundEmail
from core.roles import Role
from core.validators import IN_FUTURE
from counselling import services as case_services
from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag, Stage
from counselling.tests.factories import CaseFactory
from support_menus import selectors, services
from support_menus.models import CaseMenuRanking, Proposal, SupportMenu
from support_menus.resources import CATALOGUE_FILE, dataset_read
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
Status = Proposal.Status


# --- Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def concierge(users):
    return users[Role.CONCIERGE]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def menus():
    """Four menus open to every firm at every stage, and one only for expansion (so it is
    never eligible for a case not yet assessed, which is matched as preparation)."""
    return {
        "market": SupportMenuFactory(code="m-market", name="市場調査サービス",
                                     tags=["market_research"]),
        "buyers": SupportMenuFactory(code="m-buyers", name="バイヤー紹介", tags=["buyers"]),
        "plain": SupportMenuFactory(code="m-plain", name="総合相談窓口"),
        "fairs": SupportMenuFactory(code="m-fairs", name="展示会出展支援", tags=["trade_fairs"]),
        "expansion": SupportMenuFactory(code="m-expansion", name="海外拠点設立支援",
                                        stages=["expansion"]),
    }  # fmt: skip


@pytest.fixture
def case(concierge):
    """A Tokyo firm in counselling, stage not assessed, that wants to research its market."""
    return CaseFactory(
        status=Case.Status.COUNSELLING, concierge=concierge,
        registration__situations=["market_research"],
    )  # fmt: skip


def propose(case, *codes, actor, on, note=""):
    return services.proposals_create(
        case=case, menu_codes=list(codes), note=note, actor=actor, today=on
    )


def engine_reasons(case, today) -> dict[str, tuple[int, list[dict]]]:
    """What the engine says now, per eligible menu: score and reasons as a proposal stores
    them (in the program's language)."""
    matches = selectors.ranked_matches(case=case, today=today)
    labels = selectors.reason_labels()
    with translation.override(settings.LANGUAGE_CODE):
        return {
            code: (match.score, [
                {"code": reason.code, "text": text}
                for reason, text in zip(
                    match.reasons, selectors.reasons_text(match.reasons, labels), strict=True
                )
            ])
            for code, match in matches.items()
        }  # fmt: skip


def error_codes(error: ValidationError) -> set[str | None]:
    errors = (
        [e for field in error.error_dict.values() for e in field]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return {e.code for e in errors}


# --- proposals_create -------------------------------------------------------------------------


def test_only_menus_eligible_now_can_be_proposed(case, menus, concierge, today):
    with pytest.raises(ValidationError) as raised:
        propose(case, "m-market", "m-expansion", actor=concierge, on=today)

    assert raised.value.message_dict == {
        "menus": [str(services.NOT_ELIGIBLE % {"menus": "m-expansion"})]
    }
    assert not Proposal.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not case.events.exists()
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING


def test_a_menu_whose_window_closed_is_no_longer_eligible(case, concierge, today):
    SupportMenuFactory(code="m-closed", closes_on=today - DAY)
    with pytest.raises(ValidationError) as raised:
        propose(case, "m-closed", actor=concierge, on=today)
    assert raised.value.message_dict == {
        "menus": [str(services.NOT_ELIGIBLE % {"menus": "m-closed"})]
    }
    assert not Proposal.objects.exists()


def test_each_proposal_keeps_the_engines_score_and_reasons_of_that_moment(
    case, menus, concierge, today
):
    expected = engine_reasons(case, today)

    proposals = propose(case, "m-plain", "m-market", actor=concierge, on=today,
                        note="  まずは市場調査から始めましょう。 ")  # fmt: skip

    # Best score first; the market menu addresses the firm's 課題.
    assert [p.menu.code for p in proposals] == ["m-market", "m-plain"]
    market_tag = IssueTag.objects.get(code="market_research").name
    for proposal in proposals:
        proposal.refresh_from_db()
        assert (proposal.score, proposal.reasons) == expected[proposal.menu.code]
        assert all(set(reason) == {"code", "text"} for reason in proposal.reasons)
        assert proposal.status == Status.PROPOSED
        assert proposal.proposed_on == today
        assert proposal.note == "まずは市場調査から始めましょう。"
        assert proposal.created_by == concierge
    market = Proposal.objects.get(menu__code="m-market")
    assert any(r["code"] == "issue" and market_tag in r["text"] for r in market.reasons)
    assert market.score > Proposal.objects.get(menu__code="m-plain").score


def test_changing_the_catalogue_afterwards_does_not_change_stored_reasons(
    case, menus, concierge, today
):
    [proposal] = propose(case, "m-market", actor=concierge, on=today)
    stored = (proposal.score, proposal.reasons)

    menu = menus["market"]
    menu.issue_tags.clear()
    menu.stages = ["expansion"]
    menu.save()

    assert "m-market" not in selectors.ranked_matches(case=case, today=today)  # engine changed
    proposal.refresh_from_db()
    assert (proposal.score, proposal.reasons) == stored


def test_proposing_moves_a_case_in_counselling_to_proposals_and_fills_the_timeline(
    case, menus, concierge, today
):
    propose(case, "m-market", "m-buyers", actor=concierge, on=today)

    case.refresh_from_db()
    assert case.status == Case.Status.PROPOSALS
    events = list(case.events.filter(kind=CaseEvent.Kind.PROPOSAL))
    assert len(events) == 2
    assert {e.actor for e in events} == {concierge}
    for name in (menus["market"].name, menus["buyers"].name):
        assert sum(name in e.summary for e in events) == 1
    status_event = case.events.get(kind=CaseEvent.Kind.STATUS)
    assert str(Case.Status.PROPOSALS.label) in status_event.summary


@pytest.mark.parametrize("status", [Case.Status.NEW, Case.Status.CONTACTED])
def test_proposing_moves_any_earlier_open_status_to_proposals(status, menus, concierge, today):
    """Issue 15: after a session and proposals the case still said 初回連絡済み."""
    case = CaseFactory(status=status)
    propose(case, "m-plain", actor=concierge, on=today)
    case.refresh_from_db()
    assert case.status == Case.Status.PROPOSALS
    change = case.events.get(kind=CaseEvent.Kind.STATUS)
    assert change.summary == f"{Case.Status(status).label} → {Case.Status.PROPOSALS.label}"
    assert change.actor == concierge
    assert case.history.first().status == Case.Status.PROPOSALS  # audited


@pytest.mark.parametrize("status", [Case.Status.PROPOSALS, Case.Status.SUPPORT,
                                    Case.Status.FOLLOW_UP])  # fmt: skip
def test_proposing_on_a_case_past_counselling_keeps_its_status(status, menus, concierge, today):
    case = CaseFactory(status=status)
    propose(case, "m-plain", actor=concierge, on=today)
    case.refresh_from_db()
    assert case.status == status
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS).exists()


def test_the_firm_gets_one_email_listing_the_menus_and_the_timeline_shows_it(
    case, menus, concierge, today, django_capture_on_commit_callbacks
):
    contact = case.registration.contact
    with django_capture_on_commit_callbacks(execute=True):
        propose(case, "m-market", "m-buyers", actor=concierge, on=today, note="ご検討ください")

    outbox_row = OutboundEmail.objects.get()
    assert outbox_row.to == contact.email
    assert outbox_row.status == OutboundEmail.Status.SENT
    [message] = mail.outbox
    assert message.to == [contact.email]
    assert message.subject == outbox_row.subject
    assert case.registration.business.name in message.subject
    for menu in (menus["market"], menus["buyers"]):
        assert menu.name in message.body
        assert menu.url in message.body
    assert menus["plain"].name not in message.body
    assert "ご検討ください" in message.body
    email_event = case.events.get(kind=CaseEvent.Kind.EMAIL)
    assert contact.email in email_event.summary
    assert outbox_row.subject in email_event.summary


def test_the_proposal_email_names_the_concierge_and_the_office_and_replies_to_the_office(
    case, menus, concierge, today
):
    case.office.phone = "03-0000-0000"
    case.office.email = "office@example.jp"
    case.office.save()

    propose(case, "m-market", actor=concierge, on=today)

    email = OutboundEmail.objects.get()
    assert email.reply_to == "office@example.jp"
    assert f"{concierge.get_full_name()}（{case.office.name}）" in email.body
    assert "03-0000-0000" in email.body
    assert "office@example.jp" in email.body


def test_without_an_office_address_the_proposal_email_has_no_reply_to(
    case, menus, concierge, today
):
    propose(case, "m-market", actor=concierge, on=today)

    email = OutboundEmail.objects.get()
    assert email.reply_to == ""
    assert f"{concierge.get_full_name()}（{case.office.name}）" in email.body


def test_the_email_waits_for_the_commit(case, menus, concierge, today):
    propose(case, "m-market", actor=concierge, on=today)
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING
    assert mail.outbox == []


def test_a_menu_already_proposed_and_active_cannot_be_proposed_again(case, menus, concierge, today):
    [first] = propose(case, "m-market", actor=concierge, on=today - DAY)

    with pytest.raises(ValidationError) as raised:
        propose(case, "m-buyers", "m-market", actor=concierge, on=today)

    assert raised.value.message_dict == {
        "menus": [str(services.ALREADY_PROPOSED % {"menus": menus["market"].name})]
    }
    assert list(Proposal.objects.all()) == [first]  # the other menu was not proposed either
    assert OutboundEmail.objects.count() == 1


def test_a_menu_can_be_proposed_again_once_its_proposal_has_ended(case, menus, concierge, today):
    [first] = propose(case, "m-market", actor=concierge, on=today - 2 * DAY)
    services.proposal_status_change(
        proposal=first, status=Status.DECLINED, on=today - DAY, actor=concierge
    )
    [again] = propose(case, "m-market", actor=concierge, on=today)
    assert again.pk != first.pk
    assert Proposal.objects.filter(menu__code="m-market").count() == 2


def test_nothing_can_be_proposed_on_a_closed_case(menus, concierge, today):
    case = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)
    with pytest.raises(ValidationError) as raised:
        propose(case, "m-plain", actor=concierge, on=today)
    assert raised.value.messages == [str(case_services.CASE_CLOSED)]
    assert not Proposal.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_empty_choice_is_refused(case, menus, concierge, today):
    with pytest.raises(ValidationError) as raised:
        propose(case, actor=concierge, on=today)
    assert raised.value.message_dict == {"menus": [str(services.CHOOSE_MENUS)]}
    assert not Proposal.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_refusals_carry_their_error_codes(case, menus, concierge, today):
    """Each refusal names a code (services pass one), so callers can tell them apart."""
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)
    [proposal] = propose(case, "m-market", actor=concierge, on=today - 3 * DAY)
    attempts = {
        "case_closed": lambda: propose(closed, "m-plain", actor=concierge, on=today),
        "no_menus": lambda: propose(case, actor=concierge, on=today),
        "not_eligible": lambda: propose(case, "m-expansion", actor=concierge, on=today),
        "already_proposed": lambda: propose(case, "m-market", actor=concierge, on=today),
        "status_not_allowed": lambda: services.proposal_status_change(
            proposal=proposal, status=Status.COMPLETED, on=today, actor=concierge),
        "future_date": lambda: services.proposal_status_change(
            proposal=proposal, status=Status.APPLIED, on=today + DAY, actor=concierge),
        "date_before": lambda: services.proposal_status_change(
            proposal=proposal, status=Status.APPLIED, on=today - 4 * DAY, actor=concierge),
    }  # fmt: skip
    found = {}
    for code, attempt in attempts.items():
        with pytest.raises(ValidationError) as raised:
            attempt()
        found[code] = error_codes(raised.value)

    assert found == {code: {code} for code in attempts}


# --- proposal_status_change -------------------------------------------------------------------

# The lifecycle as specified: (from, to) pairs that are allowed, and the date each step records.
ALLOWED = {
    (Status.PROPOSED, Status.APPLIED), (Status.PROPOSED, Status.ADOPTED),
    (Status.PROPOSED, Status.DECLINED), (Status.APPLIED, Status.ADOPTED),
    (Status.APPLIED, Status.REJECTED), (Status.APPLIED, Status.DECLINED),
    (Status.ADOPTED, Status.COMPLETED), (Status.ADOPTED, Status.DECLINED),
}  # fmt: skip
DATE_FIELD = {
    Status.APPLIED: "applied_on", Status.ADOPTED: "decided_on", Status.REJECTED: "decided_on",
    Status.DECLINED: "decided_on", Status.COMPLETED: "completed_on",
}  # fmt: skip
DISALLOWED = sorted((old, new) for old in Status for new in Status if (old, new) not in ALLOWED)
# The steps that bring a new proposal to each status.
PATHS = {
    Status.PROPOSED: [], Status.APPLIED: [Status.APPLIED], Status.ADOPTED: [Status.ADOPTED],
    Status.REJECTED: [Status.APPLIED, Status.REJECTED], Status.DECLINED: [Status.DECLINED],
    Status.COMPLETED: [Status.ADOPTED, Status.COMPLETED],
}  # fmt: skip
START = 30  # days ago a proposal of proposal_in was made; each step of its path is 5 days on


def proposal_in(status, *, case, menu, actor, today) -> Proposal:
    start = today - START * DAY
    [proposal] = propose(case, menu.code, actor=actor, on=start)
    for number, step in enumerate(PATHS[status], start=1):
        proposal = services.proposal_status_change(
            proposal=proposal, status=step, on=start + 5 * number * DAY, actor=actor
        )
    assert proposal.status == status
    return proposal


def test_the_transition_table_is_the_specified_lifecycle():
    table = {(old, new) for old, news in services.PROPOSAL_TRANSITIONS.items() for new in news}
    assert table == ALLOWED
    assert set(services.PROPOSAL_TRANSITIONS) == set(Status)
    assert services.STATUS_DATE_FIELD == DATE_FIELD


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED), ids=lambda s: str(s))
def test_every_allowed_transition_records_its_date(case, menus, concierge, today, old, new):
    proposal = proposal_in(old, case=case, menu=menus["market"], actor=concierge, today=today)
    before = {field: getattr(proposal, field) for field in set(DATE_FIELD.values())}
    on = today - DAY

    returned = services.proposal_status_change(
        proposal=proposal, status=new, on=on, actor=concierge
    )

    proposal.refresh_from_db()
    assert returned.status == proposal.status == new
    assert getattr(proposal, DATE_FIELD[new]) == on
    for field, value in before.items():
        if field != DATE_FIELD[new]:
            assert getattr(proposal, field) == value, field
    assert proposal.proposed_on == today - START * DAY


@pytest.mark.parametrize(("old", "new"), DISALLOWED, ids=lambda s: str(s))
def test_a_disallowed_transition_is_refused(case, menus, concierge, today, old, new):
    proposal = proposal_in(old, case=case, menu=menus["market"], actor=concierge, today=today)
    history = proposal.history.count()
    events = case.events.count()

    with pytest.raises(ValidationError) as raised:
        services.proposal_status_change(proposal=proposal, status=new, on=today, actor=concierge)

    expected = services.STATUS_NOT_ALLOWED % {
        "current": Status(old).label,
        "new": Status(new).label,
    }
    assert raised.value.message_dict == {"status": [str(expected)]}
    proposal.refresh_from_db()
    assert proposal.status == old
    assert proposal.history.count() == history
    assert case.events.count() == events


def test_a_date_in_the_future_is_refused(case, menus, concierge, today):
    [proposal] = propose(case, "m-market", actor=concierge, on=today)
    with pytest.raises(ValidationError) as raised:
        services.proposal_status_change(
            proposal=proposal, status=Status.APPLIED, on=today + DAY, actor=concierge
        )
    assert raised.value.message_dict == {"on": [IN_FUTURE % {"today": today.isoformat()}]}
    proposal.refresh_from_db()
    assert (proposal.status, proposal.applied_on) == (Status.PROPOSED, None)


def test_today_is_not_in_the_future(case, menus, concierge, today):
    [proposal] = propose(case, "m-market", actor=concierge, on=today)
    services.proposal_status_change(
        proposal=proposal, status=Status.APPLIED, on=today, actor=concierge
    )
    proposal.refresh_from_db()
    assert proposal.applied_on == today


@pytest.mark.parametrize(
    ("path", "new", "previous_days_ago"),
    [
        pytest.param([], Status.APPLIED, 10, id="applied-before-proposed"),
        pytest.param([], Status.ADOPTED, 10, id="adopted-before-proposed"),
        pytest.param([Status.APPLIED], Status.REJECTED, 5, id="rejected-before-applied"),
        pytest.param([Status.ADOPTED], Status.COMPLETED, 5, id="completed-before-adopted"),
    ],
)
def test_a_date_before_the_previous_step_is_refused(
    case, menus, concierge, today, path, new, previous_days_ago
):
    [proposal] = propose(case, "m-market", actor=concierge, on=today - 10 * DAY)
    for step in path:
        proposal = services.proposal_status_change(
            proposal=proposal, status=step, on=today - 5 * DAY, actor=concierge
        )
    previous = today - previous_days_ago * DAY

    with pytest.raises(ValidationError) as raised:
        services.proposal_status_change(
            proposal=proposal, status=new, on=previous - DAY, actor=concierge
        )

    assert raised.value.message_dict == {
        "on": [str(services.DATE_BEFORE % {"date": previous.isoformat()})]
    }
    proposal.refresh_from_db()
    assert proposal.status == (path[-1] if path else Status.PROPOSED)
    # The same day as the previous step is fine.
    services.proposal_status_change(proposal=proposal, status=new, on=previous, actor=concierge)
    proposal.refresh_from_db()
    assert proposal.status == new


def test_adoption_on_a_case_with_proposals_moves_it_to_support(case, menus, concierge, today):
    market, buyers = propose(case, "m-market", "m-buyers", actor=concierge, on=today - 5 * DAY)
    case.refresh_from_db()
    assert case.status == Case.Status.PROPOSALS

    services.proposal_status_change(
        proposal=market, status=Status.APPLIED, on=today - 3 * DAY, actor=concierge
    )
    case.refresh_from_db()
    assert case.status == Case.Status.PROPOSALS  # applying is not support yet

    services.proposal_status_change(
        proposal=market, status=Status.ADOPTED, on=today, actor=concierge
    )
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPORT
    assert case.support_started_at is not None

    # A second adoption leaves a case in support as it is.
    services.proposal_status_change(
        proposal=buyers, status=Status.ADOPTED, on=today, actor=concierge
    )
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPORT
    assert case.events.filter(kind=CaseEvent.Kind.STATUS).count() == 2  # → proposals, → support


def test_adoption_moves_a_case_moved_back_to_counselling_to_support(case, menus, concierge, today):
    """The firm declined the other menus and the concierge moved the case back by hand; a
    proposal still open is then adopted: the work reaches support."""
    market, buyers = propose(case, "m-market", "m-buyers", actor=concierge, on=today - 5 * DAY)
    services.proposal_status_change(proposal=buyers, status=Status.DECLINED, on=today - DAY,
                                    actor=concierge)  # fmt: skip
    case.refresh_from_db()
    case_services.case_status_change(case=case, status=Case.Status.COUNSELLING, actor=concierge)
    services.proposal_status_change(proposal=market, status=Status.ADOPTED, on=today,
                                    actor=concierge)  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPORT
    summary = case.events.filter(kind=CaseEvent.Kind.STATUS).order_by("-id").first().summary
    assert summary == f"{Case.Status.COUNSELLING.label} → {Case.Status.SUPPORT.label}"


def test_adoption_leaves_a_case_in_follow_up_as_it_is(case, menus, concierge, today):
    [proposal] = propose(case, "m-market", actor=concierge, on=today - 5 * DAY)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.FOLLOW_UP)
    services.proposal_status_change(proposal=proposal, status=Status.ADOPTED, on=today,
                                    actor=concierge)  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOW_UP


def test_a_proposal_on_a_closed_case_cannot_move(case, menus, concierge, today):
    [proposal] = propose(case, "m-market", actor=concierge, on=today)
    case_services.case_status_change(
        case=case, status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED,
        actor=concierge,
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        services.proposal_status_change(
            proposal=proposal, status=Status.DECLINED, on=today, actor=concierge
        )
    assert raised.value.messages == [str(case_services.CASE_CLOSED)]
    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED


def test_every_change_is_audited_and_on_the_timeline(case, menus, concierge, users, today):
    lead = users[Role.OFFICE_LEAD]
    [proposal] = propose(case, "m-market", actor=concierge, on=today - 10 * DAY)
    services.proposal_status_change(
        proposal=proposal, status=Status.APPLIED, on=today - 5 * DAY, actor=concierge,
        note="申請書を提出",
    )  # fmt: skip
    services.proposal_status_change(proposal=proposal, status=Status.ADOPTED, on=today, actor=lead)

    history = list(proposal.history.order_by("history_date", "history_id"))
    assert [(h.status, h.updated_by) for h in history] == [
        (Status.PROPOSED, concierge), (Status.APPLIED, concierge), (Status.ADOPTED, lead),
    ]  # fmt: skip
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert history[1].applied_on == today - 5 * DAY
    assert history[2].decided_on == today

    events = list(case.events.filter(kind=CaseEvent.Kind.PROPOSAL).order_by("at", "id"))
    assert len(events) == 3  # proposed, applied, adopted
    applied, adopted = events[1], events[2]
    assert menus["market"].name in applied.summary
    assert str(Status.APPLIED.label) in applied.summary
    assert (today - 5 * DAY).isoformat() in applied.summary
    assert "申請書を提出" in applied.summary
    assert applied.actor == concierge
    assert str(Status.ADOPTED.label) in adopted.summary
    assert adopted.actor == lead


# --- Stored best matches ----------------------------------------------------------------------


def engine_ranking(case, today):
    catalogue, _menus = selectors.catalogue_load()
    return catalogue.rank(selectors.case_profile(case, today=today)).ranked


def assert_stored_ranking_is_the_engines(case, today):
    ranked = engine_ranking(case, today)
    stored = CaseMenuRanking.objects.get(case=case)
    assert stored.eligible_count == len(ranked)
    assert stored.top == [
        {"code": m.menu.code, "score": m.score} for m in ranked[: services.RANKING_TOP]
    ]
    assert stored.top_menu.code == ranked[0].menu.code
    return stored


def test_refreshing_stores_the_best_matches_of_the_open_cases_in_the_range(menus, today):
    research = CaseFactory(registration__situations=["market_research"])
    buyers = CaseFactory(status=Case.Status.SUPPORT, registration__situations=["find_buyers"])
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)
    outside = CaseFactory()

    ranked = services.case_rankings_refresh(first_pk=research.pk, last_pk=closed.pk, today=today)

    assert ranked == 2
    assert set(CaseMenuRanking.objects.values_list("case", flat=True)) == {research.pk, buyers.pk}
    first = assert_stored_ranking_is_the_engines(research, today)
    second = assert_stored_ranking_is_the_engines(buyers, today)
    assert first.top_menu == menus["market"]
    assert second.top_menu == menus["buyers"]
    assert first.eligible_count == 4  # every menu but the expansion one
    assert len(first.top) == services.RANKING_TOP
    assert not CaseMenuRanking.objects.filter(case__in=[closed, outside]).exists()


def test_refreshing_again_updates_the_rows_in_place(menus, today):
    cases = CaseFactory.create_batch(2, registration__situations=["market_research"])
    first_run = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
    second_run = first_run + datetime.timedelta(days=1)
    with freeze_time(first_run):
        services.case_rankings_refresh(first_pk=cases[0].pk, last_pk=cases[1].pk, today=today)
    assert CaseMenuRanking.objects.get(case=cases[0]).top_menu == menus["market"]

    menus["market"].active = False
    menus["market"].save()
    with freeze_time(second_run):
        services.case_rankings_refresh(first_pk=cases[0].pk, last_pk=cases[1].pk, today=today)

    assert CaseMenuRanking.objects.count() == 2
    for case in cases:
        stored = assert_stored_ranking_is_the_engines(case, today)
        assert stored.ranked_at == second_run
        assert stored.eligible_count == 3
        assert "m-market" not in [entry["code"] for entry in stored.top]


def test_refreshing_drops_the_ranking_of_a_case_closed_since(menus, concierge, today):
    staying, closing = CaseFactory.create_batch(2)
    services.case_rankings_refresh(first_pk=staying.pk, last_pk=closing.pk, today=today)
    assert CaseMenuRanking.objects.count() == 2

    case_services.case_status_change(
        case=closing, status=Case.Status.CLOSED, close_reason=Case.CloseReason.UNREACHABLE,
        actor=concierge,
    )  # fmt: skip
    ranked = services.case_rankings_refresh(first_pk=staying.pk, last_pk=closing.pk, today=today)

    assert ranked == 1
    assert list(CaseMenuRanking.objects.values_list("case", flat=True)) == [staying.pk]


def test_a_case_with_no_eligible_menu_is_stored_with_none(today):
    SupportMenuFactory(stages=["expansion"])
    case = CaseFactory()
    services.case_rankings_refresh(first_pk=case.pk, last_pk=case.pk, today=today)
    stored = CaseMenuRanking.objects.get(case=case)
    assert (stored.top_menu, stored.top, stored.eligible_count) == (None, [], 0)


def test_refresh_all_hands_the_open_cases_to_chunks_and_ranks_them_all(menus, today):
    open_cases = CaseFactory.create_batch(3)
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)
    open_cases += CaseFactory.create_batch(2, status=Case.Status.FOLLOW_UP)

    chunks = services.case_rankings_refresh_all(chunk_size=2)

    assert chunks == 3
    assert set(CaseMenuRanking.objects.values_list("case", flat=True)) == {
        case.pk for case in open_cases
    }
    for case in open_cases:
        assert_stored_ranking_is_the_engines(case, today)
    assert not CaseMenuRanking.objects.filter(case=closed).exists()


def test_open_case_bounds_are_consecutive_ranges_of_open_cases(menus):
    cases = CaseFactory.create_batch(5)
    case_services.case_status_change(
        case=cases[2], status=Case.Status.CLOSED, close_reason=Case.CloseReason.DUPLICATE,
        actor=None,
    )  # fmt: skip
    pks = [c.pk for c in cases]
    assert selectors.open_case_id_bounds(chunk_size=2) == [(pks[0], pks[1]), (pks[3], pks[4])]
    assert selectors.open_case_id_bounds(chunk_size=10) == [(pks[0], pks[4])]


def test_refresh_all_drops_the_ranking_of_the_newest_case_once_it_is_closed(
    menus, concierge, today
):
    """The nightly run must not leave a closed case with its old best match: the case list
    shows the stored best match of every case, closed ones included."""
    older = CaseFactory()
    newest = CaseFactory()
    services.case_rankings_refresh_all()
    assert CaseMenuRanking.objects.count() == 2

    case_services.case_status_change(
        case=newest, status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED,
        actor=concierge,
    )  # fmt: skip
    services.case_rankings_refresh_all()

    assert set(CaseMenuRanking.objects.values_list("case", flat=True)) == {older.pk}


def catalogue_dataset():
    return dataset_read(CATALOGUE_FILE.read_bytes(), "csv")


def test_a_real_catalogue_import_re_ranks_the_open_cases_after_commit(
    today, django_capture_on_commit_callbacks
):
    open_cases = [
        CaseFactory(registration__situations=["start_ec"]),
        CaseFactory(status=Case.Status.COUNSELLING, registration__situations=["finance"]),
    ]
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.catalogue_import(dataset=catalogue_dataset(), dry_run=False)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert result.totals["new"] == SupportMenu.objects.count() > 30
    assert not CaseMenuRanking.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1

    callbacks[0]()

    for case in open_cases:
        stored = assert_stored_ranking_is_the_engines(case, today)
        assert stored.eligible_count > 0
    assert not CaseMenuRanking.objects.filter(case=closed).exists()


def test_a_dry_run_import_does_not_re_rank(django_capture_on_commit_callbacks):
    CaseFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.catalogue_import(dataset=catalogue_dataset(), dry_run=True)
    assert callbacks == []
    assert not SupportMenu.objects.exists()
    assert not CaseMenuRanking.objects.exists()


def test_an_import_that_changes_nothing_does_not_re_rank(
    catalogue, django_capture_on_commit_callbacks
):
    CaseFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.catalogue_import(dataset=catalogue_dataset(), dry_run=False)
    assert result.totals["skip"] == SupportMenu.objects.count()
    assert callbacks == []
    assert not CaseMenuRanking.objects.exists()


# --- The profile the engine sees --------------------------------------------------------------


def add_session(case, *tag_codes):
    session = CounsellingSession.objects.create(
        case=case, held_at=timezone.now(), channel=CounsellingSession.Channel.PHONE
    )
    session.tags.set(IssueTag.objects.filter(code__in=tag_codes))


def test_issue_tags_come_from_sessions_and_registration_situations(today):
    case = CaseFactory(registration__situations=["find_buyers", "regulation", "no_target_country"])
    add_session(case, "finance")
    add_session(case, "organisation", "buyers")
    other = CaseFactory(registration__situations=["start_ec"])  # its facts stay its own
    add_session(other, "people_language")

    profile = selectors.case_profile(case, today=today)

    assert profile.issue_tags == {
        "finance", "organisation", "buyers",  # sessions
        "product_regulation", "ip", "market_research",  # situations via SITUATION_TAGS
    }  # fmt: skip


def test_every_situation_maps_to_known_issue_tags():
    from registrations.models import Situation

    assert set(selectors.SITUATION_TAGS) == set(Situation.values)
    known = set(IssueTag.objects.values_list("code", flat=True))
    assert {tag for tags in selectors.SITUATION_TAGS.values() for tag in tags} <= known


def test_target_country_and_desired_destinations_map_to_regions(today):
    case = CaseFactory(registration__destinations=["US", "TW"], target_country="FR")
    profile = selectors.case_profile(case, today=today)
    assert profile.target_regions == {"north_america", "asia", "europe"}


def test_undecided_destinations_give_no_region_from_the_registration(today):
    undecided = CaseFactory(
        registration__destinations=["US", "BR"], registration__destinations_undecided=True
    )
    assert selectors.case_profile(undecided, today=today).target_regions == frozenset()

    with_target = CaseFactory(
        registration__destinations=["US"], registration__destinations_undecided=True,
        target_country="TW",
    )  # fmt: skip
    assert selectors.case_profile(with_target, today=today).target_regions == {"asia"}


def test_stage_falls_back_to_preparation_and_the_firm_facts_are_passed_on(today):
    case = CaseFactory(
        stage="", registration__challenge_type="new_market",
        registration__export_experience="ec", registration__ec_success=True,
        registration__business__prefecture_id="27", registration__business__industry_id="I",
        registration__business__size_class="sme",
    )  # fmt: skip
    profile = selectors.case_profile(case, today=today)
    assert profile.stage == Stage.PREPARATION == selectors.DEFAULT_STAGE
    assert (profile.challenge_type, profile.export_experience, profile.ec_success) == (
        "new_market", "ec", True,
    )  # fmt: skip
    assert (profile.prefecture, profile.industry, profile.size_class) == ("27", "I", "sme")
    assert profile.entity_type == "corporation"
    assert profile.has_target is False
    assert profile.today == today

    assessed = CaseFactory(
        stage=Stage.CHALLENGE, target_country="US", target_product="日本酒",
        target_amount_yen=5_000_000, target_date=today + 100 * DAY,
    )  # fmt: skip
    profile = selectors.case_profile(assessed, today=today)
    assert (profile.stage, profile.has_target) == (Stage.CHALLENGE, True)


def test_profiles_of_many_cases_take_two_queries(today, django_assert_num_queries):
    for situations in (["finance"], ["people"], []):
        add_session(CaseFactory(registration__situations=situations), "buyers")
    regions = selectors.country_regions()
    with django_assert_num_queries(2):
        profiles = selectors.case_profiles(Case.objects.all(), today=today, regions=regions)
    assert [p.issue_tags for _pk, p in profiles] == [
        {"finance", "buyers"}, {"people_language", "buyers"}, {"buyers"},
    ]  # fmt: skip
