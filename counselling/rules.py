"""Counselling rules kept apart from the models so they can be read, tested and explained alone.

Everything here is pure Python: no models, no database. Views and services turn model rows into
the small fact objects below and show the results (and their reasons) to concierges, so a
suggestion is never a black box and a rule change is a change to this one file.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import jpholiday
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------
# Codes shared with the models. Plain strings, so this module does not depend on the models.
# ---------------------------------------------------------------------------------------------

STAGE_PREPARATION = "preparation"  # 輸出準備
STAGE_CHALLENGE = "challenge"  # 輸出挑戦
STAGE_EXPANSION = "expansion"  # 輸出継続・拡大
STAGES = (STAGE_PREPARATION, STAGE_CHALLENGE, STAGE_EXPANSION)

STATUSES = (
    "new",
    "contacted",
    "counselling",
    "proposals",
    "support",
    "follow_up",
    "realised",
    "closed",
)
TERMINAL_STATUSES = frozenset({"realised", "closed"})

# ---------------------------------------------------------------------------------------------
# Business days
# ---------------------------------------------------------------------------------------------

# A run of closed days longer than a year means the caller's ``closed`` is wrong (for example it
# closes every day); failing loudly beats looping forever inside a request.
_MAX_CLOSED_RUN = 366


def _is_year_end_closure(d: date) -> bool:
    """Government offices (and JETRO) close 12/29–1/3 (年末年始); jpholiday only knows 1/1."""
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def is_business_day(d: date) -> bool:
    """Deadlines promised to firms are counted in days the offices are open, not calendar days."""
    return d.weekday() < 5 and not jpholiday.is_holiday(d) and not _is_year_end_closure(d)


def business_days_after(
    start: date, days: int, *, closed: Callable[[date], bool] | None = None
) -> date:
    """Return the date ``days`` business days after ``start``.

    ``start`` itself is not counted, so a contact on Friday with a one-business-day deadline is
    due on Monday. ``days=0`` gives ``start`` when it is a business day, else the next one: work
    that arrives on a closed day is handled on the next open day. ``closed`` lets a caller add
    its own closed days (an office's foundation day, a system outage) on top of the national
    calendar.
    """
    if days < 0:
        raise ValueError("days must be zero or positive")

    def is_open(d: date) -> bool:
        return is_business_day(d) and not (closed is not None and closed(d))

    if days == 0 and is_open(start):
        return start
    # On a closed start, days=0 means "the next open day", which is one step like days=1.
    remaining = max(days, 1)
    current = start
    closed_run = 0
    while True:
        current += timedelta(days=1)
        if not is_open(current):
            closed_run += 1
            if closed_run > _MAX_CLOSED_RUN:
                raise ValueError(f"no business day within {_MAX_CLOSED_RUN} days after {start}")
            continue
        closed_run = 0
        remaining -= 1
        if remaining == 0:
            return current


# ---------------------------------------------------------------------------------------------
# Stage suggestion
# ---------------------------------------------------------------------------------------------

# Reasons are module constants so that tests (and templates, if they need to) compare against
# the very strings the rule produces.
REASON_EXPORT_REALISED = _("An export has been realised in this program.")
REASON_EXPORTS_DIRECTLY = _(
    "The firm already exports directly and is taking on a new market, product or method."
)
REASON_TARGET_AND_BUYERS = _("An export target is set and the firm is looking for buyers.")
REASON_EXPERIENCE_AND_TARGET = _(
    "The firm has export experience (indirect or e-commerce) and an export target is set."
)
REASON_NO_TARGET = _("No export target (country, product, amount and date) is set yet.")
REASON_MARKET_UNDECIDED = _("The target country is not decided yet or market research is needed.")
REASON_PRODUCT_DEVELOPMENT = _("The product for export is still being developed.")
REASON_NO_EXPERIENCE = _("The firm has no export experience.")
REASON_NO_BUYER_SEARCH = _("The firm is not yet looking for buyers or talking with any.")

_NEW_CHALLENGE_TYPES = frozenset({"new_market", "new_product", "new_method"})
_BUYER_SITUATIONS = frozenset({"find_buyers", "trade_fairs"})
_MARKET_SITUATIONS = frozenset({"no_target_country", "market_research"})
_INDIRECT_EXPERIENCE = frozenset({"indirect", "ec"})


@dataclass(frozen=True)
class StageFacts:
    """What the stage rule looks at, gathered from the firm's registration and its sessions."""

    export_experience: str  # "none" | "indirect" | "direct" | "ec"
    ec_success: bool
    challenge_type: str  # "first_export" | "new_market" | "new_product" | "new_method" | "restart"
    situations: frozenset[str]  # e.g. "no_target_country", "market_research", "find_buyers"
    has_target: bool  # an export target (country, product, amount, date) is set
    has_buyer_talks: bool  # a session recorded talks with buyers / a trade fair / an order
    has_realised_export: bool  # an export was realised in this program


@dataclass(frozen=True)
class StageSuggestion:
    """A suggested stage with the reasons shown to the concierge, who makes the final call."""

    stage: str  # "preparation" | "challenge" | "expansion"
    reasons: tuple[str, ...]  # lazy translated strings, at least one


def stage_suggest(facts: StageFacts) -> StageSuggestion:
    """Suggest a stage, with reasons, so concierges classify firms the same way.

    The rule is a table read top-down; the first matching row wins:

    ==  ==================================================================  ===========
    #   condition                                                           stage
    ==  ==================================================================  ===========
    1   has_realised_export, or export_experience == "direct" and           expansion
        challenge_type in {"new_market", "new_product", "new_method"}
    2   has_target and (has_buyer_talks or situations include               challenge
        "find_buyers" or "trade_fairs")
    3   export_experience in {"indirect", "ec"} and has_target              challenge
    4   otherwise                                                           preparation
    ==  ==================================================================  ===========

    Row 1 gives every reason that holds (realised export, direct exporter). Row 4 lists what
    points to preparation: no target; target country undecided or market research needed
    ("no_target_country", "market_research"); product development; no export experience. When
    none of those holds (a target is set but the firm is not looking for buyers) it says so, so
    there is always at least one reason. ``ec_success`` is recorded for the concierge but does
    not change the suggestion.
    """
    # Row 1
    reasons: list[str] = []
    if facts.has_realised_export:
        reasons.append(REASON_EXPORT_REALISED)
    if facts.export_experience == "direct" and facts.challenge_type in _NEW_CHALLENGE_TYPES:
        reasons.append(REASON_EXPORTS_DIRECTLY)
    if reasons:
        return StageSuggestion(STAGE_EXPANSION, tuple(reasons))

    # Row 2
    looking_for_buyers = facts.has_buyer_talks or bool(facts.situations & _BUYER_SITUATIONS)
    if facts.has_target and looking_for_buyers:
        return StageSuggestion(STAGE_CHALLENGE, (REASON_TARGET_AND_BUYERS,))

    # Row 3
    if facts.export_experience in _INDIRECT_EXPERIENCE and facts.has_target:
        return StageSuggestion(STAGE_CHALLENGE, (REASON_EXPERIENCE_AND_TARGET,))

    # Row 4
    if not facts.has_target:
        reasons.append(REASON_NO_TARGET)
    if facts.situations & _MARKET_SITUATIONS:
        reasons.append(REASON_MARKET_UNDECIDED)
    if "product_development" in facts.situations:
        reasons.append(REASON_PRODUCT_DEVELOPMENT)
    if facts.export_experience == "none":
        reasons.append(REASON_NO_EXPERIENCE)
    if not reasons:
        # Only reachable with a target set, so row 2 failing means no buyer search.
        reasons.append(REASON_NO_BUYER_SEARCH)
    return StageSuggestion(STAGE_PREPARATION, tuple(reasons))


# ---------------------------------------------------------------------------------------------
# Next-step checklist and status transitions
# ---------------------------------------------------------------------------------------------

LABEL_FIRST_CONTACT = _("Record the first contact")
LABEL_FIRST_SESSION = _("Hold a first counselling session")
LABEL_TARGET = _("Set an export target: country, product, amount and date")
LABEL_PROPOSAL = _("Propose at least one support menu")
LABEL_SUPPORT_STARTED = _("Record the adoption of a proposed menu")


@dataclass(frozen=True)
class CaseFacts:
    """What the checklist needs to know about a case, read from the case and its children."""

    status: str
    stage: str
    has_first_contact: bool
    counselling_session_count: int  # sessions that were counselling (is_counselling_session)
    has_target: bool
    proposal_count: int
    target_required_for_challenge: bool  # a setting can relax the rule


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to do before the case can move on; ``code`` is stable for templates and tests."""

    code: str
    label: str  # lazy translated
    done: bool


def can_move_to_challenge(facts: CaseFacts) -> bool:
    """輸出挑戦 means working toward a concrete target, unless the setting relaxes that."""
    return not facts.target_required_for_challenge or facts.has_target


def next_step_checklist(facts: CaseFacts) -> list[ChecklistItem]:
    """List what the next status (and, while counselling, the next stage) needs, in order.

    Shown on the case page so a concierge sees at a glance why a case is stuck.

    =============  =================================================================
    status         items
    =============  =================================================================
    new            first_contact (done when the first contact is recorded)
    contacted      first_session (done when counselling_session_count >= 1)
    counselling    target, only in stage "preparation" when a target is required
                   for 輸出挑戦 (done when has_target); proposal (done when
                   proposal_count >= 1)
    proposals      support_started (always open: recording an adoption moves the case on)
    support,       none: the rules set no precondition for follow-up or realisation
    follow_up
    realised,      none: terminal
    closed
    =============  =================================================================

    An unknown status raises ``ValueError``: it means the models and these rules disagree.
    """
    status = facts.status
    if status == "new":
        return [ChecklistItem("first_contact", LABEL_FIRST_CONTACT, facts.has_first_contact)]
    if status == "contacted":
        done = facts.counselling_session_count >= 1
        return [ChecklistItem("first_session", LABEL_FIRST_SESSION, done)]
    if status == "counselling":
        items = []
        if facts.stage == STAGE_PREPARATION and facts.target_required_for_challenge:
            items.append(ChecklistItem("target", LABEL_TARGET, facts.has_target))
        items.append(ChecklistItem("proposal", LABEL_PROPOSAL, facts.proposal_count >= 1))
        return items
    if status == "proposals":
        return [ChecklistItem("support_started", LABEL_SUPPORT_STARTED, False)]
    if status in {"support", "follow_up"} or status in TERMINAL_STATUSES:
        return []
    raise ValueError(f"unknown case status: {status!r}")


# ---------------------------------------------------------------------------------------------
# Status follows the work
# ---------------------------------------------------------------------------------------------

# The statuses the work moves a case through, in order. Recording work moves a case forward
# along it, never back; follow-up, realised and closed are left to people (and to the survey
# answer that realises an export).
WORK_ORDER = ("new", "contacted", "counselling", "proposals", "support")
COUNSELLING_CHANNELS = frozenset({"meeting", "online", "phone"})


def is_counselling_session(*, channel: str, has_issues: bool, contact_only: bool) -> bool:
    """A counselling session (個別カウンセリング): face to face, online or by phone, with at
    least one 課題 recorded, and not logged as a first contact only. Any other session (an
    e-mail, a call with no 課題, a contact logged as the first contact only) is a contact."""
    return channel in COUNSELLING_CHANNELS and has_issues and not contact_only


def status_after_work(current: str, reached: str) -> str:
    """The status a case has once work that reaches ``reached`` is recorded:

    ==============================================  ===========
    work recorded                                   reached
    ==============================================  ===========
    a contact (any session)                         contacted
    a counselling session (is_counselling_session)  counselling
    menus proposed                                  proposals
    a proposal adopted (採択)                        support
    ==============================================  ===========

    ``reached`` when the case is at an earlier status of WORK_ORDER, else ``current``: a case
    further on (or in follow-up, realised, closed) stays where it is.
    """
    if reached not in WORK_ORDER:
        raise ValueError(f"not a status the work reaches: {reached!r}")
    if current in WORK_ORDER and WORK_ORDER.index(current) < WORK_ORDER.index(reached):
        return reached
    return current


# Allowed status changes by hand (the work makes the moves of status_after_work itself). A case
# can always be closed; proposals may go back to counselling (the firm declined every menu) and
# follow-up back to support (a further menu was needed).
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"contacted", "closed"}),
    "contacted": frozenset({"counselling", "closed"}),
    "counselling": frozenset({"proposals", "closed"}),
    "proposals": frozenset({"support", "counselling", "closed"}),
    "support": frozenset({"follow_up", "closed"}),
    "follow_up": frozenset({"realised", "support", "closed"}),
    "realised": frozenset(),
    "closed": frozenset(),
}


def transition_allowed(current: str, new: str) -> bool:
    """Guard for status changes; an unknown status is never allowed to move, rather than crash."""
    return new in TRANSITIONS.get(current, frozenset())


# A participant from before this system, imported with its follow-up survey results, joins
# where its old records leave it: its case, opened new, moves to follow-up at once, outside
# the counselling workflow above. Only the survey-results import makes these moves.
LEGACY_TRANSITIONS: dict[str, frozenset[str]] = {"new": frozenset({"follow_up"})}


def legacy_transition_allowed(current: str, new: str) -> bool:
    return new in LEGACY_TRANSITIONS.get(current, frozenset())
