"""Tests for the pure counselling rules: business days, stage suggestion, checklist, the status
the work gives a case, transitions.

No database: every test works on plain values, so the rules can be checked by reading them.
"""

import itertools
from datetime import date, timedelta

import jpholiday
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from counselling import rules
from counselling.rules import (
    TRANSITIONS,
    WORK_ORDER,
    CaseFacts,
    ChecklistItem,
    StageFacts,
    business_days_after,
    can_move_to_challenge,
    is_business_day,
    is_counselling_session,
    next_step_checklist,
    stage_suggest,
    status_after_work,
    transition_allowed,
)

# ---------------------------------------------------------------------------------------------
# Business days
# ---------------------------------------------------------------------------------------------


def _open_by_hand(d: date, extra_closed: frozenset[date] = frozenset()) -> bool:
    """An independent oracle, written from the calendar rules rather than from rules.py."""
    year_end = (d.month, d.day) >= (12, 29) or (d.month, d.day) <= (1, 3)
    return (
        d.weekday() not in (5, 6)
        and not jpholiday.is_holiday(d)
        and not year_end
        and d not in extra_closed
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 1), True),  # Monday, June has no public holiday
        (date(2026, 6, 6), False),  # Saturday
        (date(2026, 6, 7), False),  # Sunday
        (date(2026, 4, 29), False),  # 昭和の日
        (date(2026, 5, 6), False),  # 振替休日
        (date(2026, 5, 7), True),  # Thursday after Golden Week
        (date(2026, 12, 28), True),  # Monday, last working day of the year
        (date(2026, 12, 29), False),  # 年末年始 on a Tuesday
        (date(2026, 12, 31), False),
        (date(2027, 1, 1), False),  # 元日
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),  # Monday, first working day of the year
    ],
)
def test_is_business_day(day, expected):
    assert is_business_day(day) is expected


def test_calendar_assumptions_hold_in_jpholiday():
    """The expected dates below rely on these facts; if jpholiday changes, fail here first."""
    assert jpholiday.is_holiday_name(date(2026, 4, 29)) == "昭和の日"
    for d in (date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)):
        assert jpholiday.is_holiday(d)
    assert not jpholiday.is_holiday(date(2026, 12, 28))
    for d in (date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7)):
        assert not jpholiday.is_holiday(d)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Plain weekdays.
        (date(2026, 6, 1), 1, date(2026, 6, 2)),
        (date(2026, 6, 1), 3, date(2026, 6, 4)),
        (date(2026, 6, 1), 4, date(2026, 6, 5)),
        # Across a weekend.
        (date(2026, 6, 5), 1, date(2026, 6, 8)),  # Fri → Mon
        (date(2026, 6, 3), 5, date(2026, 6, 10)),  # Wed → next Wed
        (date(2026, 6, 6), 1, date(2026, 6, 8)),  # from a Saturday
        # Golden Week 2026: 4/29 (Wed) 昭和の日, 5/2–5/6 Sat, Sun and three holidays.
        (date(2026, 4, 28), 1, date(2026, 4, 30)),
        (date(2026, 4, 28), 2, date(2026, 5, 1)),
        (date(2026, 4, 28), 3, date(2026, 5, 7)),
        # 4/30 (1), 5/1 (2), 5/7 (3), 5/8 (4), 5/11 Mon (5).
        (date(2026, 4, 28), 5, date(2026, 5, 11)),
        # Year end: 12/26–27 weekend, 12/28 Mon (1), 12/29–1/3 closed, 1/4 (2) … 1/7 (5).
        (date(2026, 12, 25), 1, date(2026, 12, 28)),
        (date(2026, 12, 25), 2, date(2027, 1, 4)),
        (date(2026, 12, 25), 5, date(2027, 1, 7)),
    ],
)
def test_business_days_after(start, days, expected):
    assert business_days_after(start, days) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 6, 1), date(2026, 6, 1)),  # a business day is its own day 0
        (date(2026, 6, 6), date(2026, 6, 8)),  # Saturday → Monday
        (date(2026, 5, 3), date(2026, 5, 7)),  # Golden Week Sunday → Thursday
        (date(2026, 12, 29), date(2027, 1, 4)),  # year-end closure → first working day
    ],
)
def test_zero_days_is_start_or_next_business_day(start, expected):
    assert business_days_after(start, 0) == expected


def test_closed_adds_days_on_top_of_the_calendar():
    office_closed = date(2026, 6, 2)
    assert business_days_after(date(2026, 6, 1), 1, closed=lambda d: d == office_closed) == date(
        2026, 6, 3
    )
    assert business_days_after(office_closed, 0, closed=lambda d: d == office_closed) == date(
        2026, 6, 3
    )


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="zero or positive"):
        business_days_after(date(2026, 6, 1), -1)


def test_a_closed_callable_that_closes_everything_fails_instead_of_looping():
    with pytest.raises(ValueError, match="no business day"):
        business_days_after(date(2026, 6, 1), 1, closed=lambda d: True)


_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@settings(deadline=None)
@given(
    start=_dates,
    days=st.integers(min_value=1, max_value=60),
    closed_offsets=st.frozensets(st.integers(min_value=0, max_value=120), max_size=10),
)
def test_business_days_after_counts_exactly_days_business_days(start, days, closed_offsets):
    extra_closed = frozenset(start + timedelta(days=o) for o in closed_offsets)
    result = business_days_after(start, days, closed=extra_closed.__contains__)

    assert result > start
    assert _open_by_hand(result, extra_closed)
    span = (start + timedelta(days=n) for n in range(1, (result - start).days + 1))
    assert sum(_open_by_hand(d, extra_closed) for d in span) == days


@settings(deadline=None)
@given(start=_dates)
def test_zero_days_is_the_first_business_day_on_or_after_start(start):
    result = business_days_after(start, 0)

    assert result >= start
    assert is_business_day(result)
    between = (start + timedelta(days=n) for n in range((result - start).days))
    assert not any(_open_by_hand(d) for d in between)


# ---------------------------------------------------------------------------------------------
# Stage suggestion
# ---------------------------------------------------------------------------------------------


def _stage_facts(**overrides) -> StageFacts:
    """A firm that points to no rule in particular; each test sets what it is about."""
    values = {
        "export_experience": "none",
        "ec_success": False,
        "challenge_type": "first_export",
        "situations": frozenset(),
        "has_target": False,
        "has_buyer_talks": False,
        "has_realised_export": False,
    }
    values.update(overrides)
    return StageFacts(**values)


@pytest.mark.parametrize(
    ("facts", "stage", "reasons"),
    [
        # Row 1: expansion.
        pytest.param(
            _stage_facts(has_realised_export=True),
            "expansion",
            (rules.REASON_EXPORT_REALISED,),
            id="1-realised-export",
        ),
        pytest.param(
            _stage_facts(export_experience="direct", challenge_type="new_market"),
            "expansion",
            (rules.REASON_EXPORTS_DIRECTLY,),
            id="1-direct-new-market",
        ),
        pytest.param(
            _stage_facts(export_experience="direct", challenge_type="new_product"),
            "expansion",
            (rules.REASON_EXPORTS_DIRECTLY,),
            id="1-direct-new-product",
        ),
        pytest.param(
            _stage_facts(export_experience="direct", challenge_type="new_method"),
            "expansion",
            (rules.REASON_EXPORTS_DIRECTLY,),
            id="1-direct-new-method",
        ),
        pytest.param(
            _stage_facts(
                export_experience="direct", challenge_type="new_market", has_realised_export=True
            ),
            "expansion",
            (rules.REASON_EXPORT_REALISED, rules.REASON_EXPORTS_DIRECTLY),
            id="1-both-reasons",
        ),
        pytest.param(
            _stage_facts(
                has_realised_export=True,
                has_target=True,
                has_buyer_talks=True,
                situations=frozenset({"find_buyers"}),
            ),
            "expansion",
            (rules.REASON_EXPORT_REALISED,),
            id="1-wins-over-2",
        ),
        # Row 2: challenge, target and buyers.
        pytest.param(
            _stage_facts(has_target=True, has_buyer_talks=True),
            "challenge",
            (rules.REASON_TARGET_AND_BUYERS,),
            id="2-buyer-talks",
        ),
        pytest.param(
            _stage_facts(has_target=True, situations=frozenset({"find_buyers"})),
            "challenge",
            (rules.REASON_TARGET_AND_BUYERS,),
            id="2-find-buyers",
        ),
        pytest.param(
            _stage_facts(has_target=True, situations=frozenset({"trade_fairs"})),
            "challenge",
            (rules.REASON_TARGET_AND_BUYERS,),
            id="2-trade-fairs",
        ),
        pytest.param(
            _stage_facts(export_experience="ec", has_target=True, has_buyer_talks=True),
            "challenge",
            (rules.REASON_TARGET_AND_BUYERS,),
            id="2-wins-over-3",
        ),
        pytest.param(
            _stage_facts(
                export_experience="direct",
                challenge_type="restart",
                has_target=True,
                has_buyer_talks=True,
            ),
            "challenge",
            (rules.REASON_TARGET_AND_BUYERS,),
            id="2-direct-restart-is-not-expansion",
        ),
        # Row 3: challenge, experience and target.
        pytest.param(
            _stage_facts(export_experience="indirect", has_target=True),
            "challenge",
            (rules.REASON_EXPERIENCE_AND_TARGET,),
            id="3-indirect",
        ),
        pytest.param(
            _stage_facts(export_experience="ec", ec_success=True, has_target=True),
            "challenge",
            (rules.REASON_EXPERIENCE_AND_TARGET,),
            id="3-ec",
        ),
        # Row 4: preparation, with what points there.
        pytest.param(
            _stage_facts(),
            "preparation",
            (rules.REASON_NO_TARGET, rules.REASON_NO_EXPERIENCE),
            id="4-nothing-yet",
        ),
        pytest.param(
            _stage_facts(
                situations=frozenset(
                    {"no_target_country", "market_research", "product_development"}
                )
            ),
            "preparation",
            (
                rules.REASON_NO_TARGET,
                rules.REASON_MARKET_UNDECIDED,
                rules.REASON_PRODUCT_DEVELOPMENT,
                rules.REASON_NO_EXPERIENCE,
            ),
            id="4-every-reason",
        ),
        pytest.param(
            _stage_facts(export_experience="indirect", situations=frozenset({"market_research"})),
            "preparation",
            (rules.REASON_NO_TARGET, rules.REASON_MARKET_UNDECIDED),
            id="4-market-research",
        ),
        pytest.param(
            _stage_facts(
                export_experience="ec",
                has_buyer_talks=True,
                situations=frozenset({"find_buyers", "no_target_country"}),
            ),
            "preparation",
            (rules.REASON_NO_TARGET, rules.REASON_MARKET_UNDECIDED),
            id="4-buyers-without-target",
        ),
        pytest.param(
            _stage_facts(has_target=True, situations=frozenset({"product_development"})),
            "preparation",
            (rules.REASON_PRODUCT_DEVELOPMENT, rules.REASON_NO_EXPERIENCE),
            id="4-target-but-product-in-development",
        ),
        pytest.param(
            _stage_facts(
                export_experience="direct", challenge_type="first_export", has_target=True
            ),
            "preparation",
            (rules.REASON_NO_BUYER_SEARCH,),
            id="4-fallback-reason",
        ),
    ],
)
def test_stage_suggest(facts, stage, reasons):
    suggestion = stage_suggest(facts)

    assert suggestion.stage == stage
    assert suggestion.reasons
    assert len(suggestion.reasons) == len(reasons)
    assert all(got is want for got, want in zip(suggestion.reasons, reasons, strict=True))


def test_reason_constants_are_distinct():
    constants = [getattr(rules, name) for name in dir(rules) if name.startswith("REASON_")]
    assert len(constants) == 9
    assert len({str(c) for c in constants}) == len(constants)


@given(
    st.builds(
        StageFacts,
        export_experience=st.sampled_from(["none", "indirect", "direct", "ec"]),
        ec_success=st.booleans(),
        challenge_type=st.sampled_from(
            ["first_export", "new_market", "new_product", "new_method", "restart"]
        ),
        situations=st.frozensets(
            st.sampled_from(
                [
                    "no_target_country",
                    "market_research",
                    "product_development",
                    "find_buyers",
                    "trade_fairs",
                    "start_ec",
                    "trade_practice",
                    "finance",
                    "regulation",
                    "people",
                ]
            )
        ),
        has_target=st.booleans(),
        has_buyer_talks=st.booleans(),
        has_realised_export=st.booleans(),
    )
)
def test_every_suggestion_is_a_stage_with_a_reason(facts):
    suggestion = stage_suggest(facts)

    assert suggestion.stage in rules.STAGES
    assert suggestion.reasons


# ---------------------------------------------------------------------------------------------
# Checklist
# ---------------------------------------------------------------------------------------------


def _case_facts(**overrides) -> CaseFacts:
    values = {
        "status": "new",
        "stage": "preparation",
        "has_first_contact": False,
        "counselling_session_count": 0,
        "has_target": False,
        "proposal_count": 0,
        "target_required_for_challenge": True,
    }
    values.update(overrides)
    return CaseFacts(**values)


def _summary(items: list[ChecklistItem]) -> list[tuple[str, bool]]:
    return [(item.code, item.done) for item in items]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(_case_facts(), [("first_contact", False)], id="new-open"),
        pytest.param(_case_facts(has_first_contact=True), [("first_contact", True)], id="new-done"),
        pytest.param(
            _case_facts(status="contacted"), [("first_session", False)], id="contacted-open"
        ),
        pytest.param(
            _case_facts(status="contacted", counselling_session_count=1),
            [("first_session", True)],
            id="contacted-done",
        ),
        pytest.param(
            _case_facts(status="counselling"),
            [("target", False), ("proposal", False)],
            id="counselling-preparation-open",
        ),
        pytest.param(
            _case_facts(status="counselling", has_target=True, proposal_count=2),
            [("target", True), ("proposal", True)],
            id="counselling-preparation-done",
        ),
        pytest.param(
            _case_facts(status="counselling", target_required_for_challenge=False),
            [("proposal", False)],
            id="counselling-target-not-required",
        ),
        pytest.param(
            _case_facts(status="counselling", stage="challenge", proposal_count=1),
            [("proposal", True)],
            id="counselling-challenge",
        ),
        pytest.param(
            _case_facts(status="counselling", stage="expansion"),
            [("proposal", False)],
            id="counselling-expansion",
        ),
        pytest.param(
            _case_facts(status="proposals", proposal_count=3, has_target=True),
            [("support_started", False)],
            id="proposals-always-open",
        ),
        pytest.param(_case_facts(status="support"), [], id="support"),
        pytest.param(_case_facts(status="follow_up"), [], id="follow_up"),
        pytest.param(_case_facts(status="realised"), [], id="realised"),
        pytest.param(_case_facts(status="closed"), [], id="closed"),
    ],
)
def test_next_step_checklist(facts, expected):
    assert _summary(next_step_checklist(facts)) == expected


@pytest.mark.parametrize(
    ("status", "code", "label"),
    [
        ("new", "first_contact", rules.LABEL_FIRST_CONTACT),
        ("contacted", "first_session", rules.LABEL_FIRST_SESSION),
        ("counselling", "target", rules.LABEL_TARGET),
        ("counselling", "proposal", rules.LABEL_PROPOSAL),
        ("proposals", "support_started", rules.LABEL_SUPPORT_STARTED),
    ],
)
def test_checklist_labels(status, code, label):
    items = {item.code: item for item in next_step_checklist(_case_facts(status=status))}
    assert items[code].label is label


def test_checklist_labels_read_as_specified():
    with translation.override("en"):
        assert str(rules.LABEL_FIRST_CONTACT) == "Record the first contact"
        assert str(rules.LABEL_TARGET) == (
            "Set an export target: country, product, amount and date"
        )


def test_checklist_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="unknown case status"):
        next_step_checklist(_case_facts(status="archived"))


@pytest.mark.parametrize(
    ("required", "has_target", "expected"),
    [(True, False, False), (True, True, True), (False, False, True), (False, True, True)],
)
def test_can_move_to_challenge(required, has_target, expected):
    facts = _case_facts(target_required_for_challenge=required, has_target=has_target)
    assert can_move_to_challenge(facts) is expected


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------

# Written out again from the specification, so a slip in TRANSITIONS does not test itself.
_SPECIFIED_TRANSITIONS = {
    ("new", "contacted"),
    ("new", "closed"),
    ("contacted", "counselling"),
    ("contacted", "closed"),
    ("counselling", "proposals"),
    ("counselling", "closed"),
    ("proposals", "support"),
    ("proposals", "counselling"),
    ("proposals", "closed"),
    ("support", "follow_up"),
    ("support", "closed"),
    ("follow_up", "realised"),
    ("follow_up", "support"),
    ("follow_up", "closed"),
}


def test_transitions_cover_every_status():
    assert set(TRANSITIONS) == set(rules.STATUSES)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == _SPECIFIED_TRANSITIONS


@pytest.mark.parametrize(("current", "new"), list(itertools.product(rules.STATUSES, repeat=2)))
def test_transition_allowed(current, new):
    assert transition_allowed(current, new) is ((current, new) in _SPECIFIED_TRANSITIONS)
    assert transition_allowed(current, new) is (new in TRANSITIONS[current])


@pytest.mark.parametrize(("current", "new"), [("archived", "closed"), ("new", "archived")])
def test_unknown_statuses_never_transition(current, new):
    assert transition_allowed(current, new) is False


# ---------------------------------------------------------------------------------------------
# Status follows the work
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "has_issues", "contact_only", "expected"),
    [
        ("meeting", True, False, True),
        ("online", True, False, True),
        ("phone", True, False, True),
        ("email", True, False, False),  # an e-mail is a contact, not counselling
        ("meeting", False, False, False),  # no 課題 recorded
        ("phone", True, True, False),  # logged as the first contact only
        ("meeting", True, True, False),
    ],
)
def test_a_counselling_session_is_a_meeting_online_or_phone_with_issues(
    channel, has_issues, contact_only, expected
):
    assert (
        is_counselling_session(channel=channel, has_issues=has_issues, contact_only=contact_only)
        is expected
    )


# Written out from the issue: the work moves a case forward to what it reached, never back;
# follow-up, realised and closed cases stay.
_SPECIFIED_WORK_MOVES = {
    ("new", "contacted"): "contacted",
    ("new", "counselling"): "counselling",
    ("contacted", "counselling"): "counselling",
    ("new", "proposals"): "proposals",
    ("contacted", "proposals"): "proposals",
    ("counselling", "proposals"): "proposals",
    ("new", "support"): "support",
    ("contacted", "support"): "support",
    ("counselling", "support"): "support",
    ("proposals", "support"): "support",
}


@pytest.mark.parametrize(
    ("current", "reached"), list(itertools.product(rules.STATUSES, WORK_ORDER[1:]))
)
def test_the_work_moves_a_case_forward_only(current, reached):
    expected = _SPECIFIED_WORK_MOVES.get((current, reached), current)
    assert status_after_work(current, reached) == expected


def test_the_work_reaches_only_the_statuses_of_the_work():
    assert WORK_ORDER == ("new", "contacted", "counselling", "proposals", "support")
    for status in ("follow_up", "realised", "closed", "archived"):
        with pytest.raises(ValueError, match="not a status the work reaches"):
            status_after_work("new", status)
