"""Reads for reporting: the outcome report's answers, the export log, business-level
progress on screen, the funnel of any scope of firms and what a partner's referrals became."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import MetiRegion
from core.pagination import page_get
from counselling.models import Stage
from outcomes.models import SurveyResponse
from registrations.models import Business, Registration
from registrations.permissions import business_qs_visible_to, registration_qs_visible_to
from reporting.dashboard import firms, headline_figures
from reporting.exports import ADOPTED, business_progress_rows
from reporting.filters import ProgressFilters
from reporting.models import ProgressExport
from reporting.permissions import progress_export_qs_visible_to
from reporting.progress import FIGURE_DEFINITIONS, HEADLINE_FIGURES, HEADLINE_LABELS, Headline
from reporting.report import Answer, GroupFigures, outcome_figures
from support_menus.models import Category
from support_menus.permissions import proposal_qs_visible_to

# --- The outcome report ---------------------------------------------------------------------

GROUP_BY = ("menu_category", "stage", "region", "none")
NO_MENU = "-"


def outcome_answers(*, group_by: str) -> list[Answer]:
    """Every firm's most recent answer, with the groups it counts in (two queries)."""
    rows = (
        SurveyResponse.objects.order_by("survey__case_id", "-answered_at", "-pk")
        .values_list(
            "pk", "survey__case_id", "export_realised", "target_achieved", "trajectory",
            "own_efforts", "fee_band", "survey__case__stage",
            "survey__case__registration__business__prefecture__region",
        )
        .iterator(chunk_size=5000)
    )  # fmt: skip
    latest, seen = [], set()
    for row in rows:
        if row[1] not in seen:
            seen.add(row[1])
            latest.append(row)
    categories: dict[int, set[str]] = defaultdict(set)
    if group_by == "menu_category":
        used = SurveyResponse.menus_used.through.objects.values_list(
            "surveyresponse_id", "supportmenu__category"
        )
        for response_id, category in used.iterator(chunk_size=5000):
            categories[response_id].add(category)

    def groups(row) -> tuple[str, ...]:
        if group_by == "menu_category":
            return tuple(sorted(categories.get(row[0], ()))) or (NO_MENU,)
        if group_by == "stage":
            return (row[7] or NO_MENU,)
        if group_by == "region":
            return (row[8] or NO_MENU,)
        return ("all",)

    return [
        Answer(groups(row), row[2], row[3], row[4], tuple(row[5] or ()), row[6]) for row in latest
    ]


def outcome_report(*, group_by: str) -> list[GroupFigures]:
    order = {
        "menu_category": [code for code, _label in Category.choices],
        "stage": [code for code, _label in Stage.choices],
        "region": [code for code, _label in MetiRegion.choices],
        "none": ["all"],
    }[group_by]
    return outcome_figures(outcome_answers(group_by=group_by), order=order)


def group_labels(group_by: str) -> dict[str, str]:
    choices = {"menu_category": Category.choices, "stage": Stage.choices,
               "region": MetiRegion.choices, "none": [("all", _("All respondents"))]}  # fmt: skip
    return {**dict(choices[group_by]), NO_MENU: _("Not recorded")}


# --- Progress exports --------------------------------------------------------------------------

EXPORT_LIST_LIMIT = 50


def progress_exports_recent(*, user) -> list[ProgressExport]:
    return list(
        progress_export_qs_visible_to(user).select_related("requested_by")[:EXPORT_LIST_LIMIT]
    )


def progress_export_ready(*, user, pk: int) -> ProgressExport:
    """A finished export file the user may download (404 otherwise)."""
    return get_object_or_404(
        progress_export_qs_visible_to(user), pk=pk, status=ProgressExport.Status.READY
    )


# --- Business-level progress on screen ----------------------------------------------------------


def progress_businesses_page(*, filters, page_number):
    """One page of the firms registered in the period, newest first, with their progress:
    the page is cut from the dashboard's fact table (indexed, counted cheaply), and only its
    firms are read live (a fixed number of queries whatever the number of firms)."""
    ordered = (
        firms(filters)
        .filter(registered_at__gte=filters.start, registered_at__lt=filters.end)
        .order_by("-registered_at", "-case_id")
        .values_list("case_id", flat=True)
    )
    page = page_get(ordered, page_number)
    case_ids = list(page.object_list)
    rows = {row["case_id"]: row for row in business_progress_rows(filters, case_ids=case_ids)}
    return page, [rows[case_id] for case_id in case_ids if case_id in rows]


# --- The funnel: how far firms got -------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    definition: str
    value: int


FUNNEL_STEPS = {
    "referred": (
        pgettext_lazy("funnel", "Referred"),
        _("Firms in the program, each counted once: registered, or still waiting for the "
          "firm's consent or for confirmation. Withdrawn registrations are not counted."),
    ),
    **{key: (HEADLINE_LABELS[key], FIGURE_DEFINITIONS[key]) for key in HEADLINE_FIGURES},
}  # fmt: skip


def program_figures() -> list[Headline]:
    """The program's headline figures today, as the dashboard shows them unfiltered."""
    return headline_figures(ProgressFilters.default())


def registered_by_region() -> list[dict]:
    """Registered firms (as program_figures counts them) per METI region, every region listed
    (zero where none); the rows add up to the registered figure."""
    counts = dict(firms(ProgressFilters.default()).values_list("region").annotate(n=Count("pk")))
    return [
        {"region": region, "label": label, "count": counts.get(region, 0)}
        for region, label in MetiRegion.choices
    ]


def business_funnel(businesses: QuerySet[Business]) -> list[FunnelStep]:
    """How far the firms of `businesses` (any scope: a partner's referrals, a region, all)
    got: referred, then the headline figures (registered, counselled, proposed, adopted,
    realised) counted by headline_figures, as on every page, in three queries whatever their
    number. Referred also counts the firms still waiting for consent (not yet in the fact
    table); withdrawn registrations and merged firms are left out of every step."""
    live = Registration.objects.filter(business=OuterRef("pk")).exclude(
        status=Registration.Status.WITHDRAWN
    )
    counts = {
        figure.key: figure.value
        for figure in headline_figures(
            ProgressFilters.default(), business_ids=businesses.values("pk")
        )
    }
    counts["referred"] = businesses.filter(Exists(live), merged_into__isnull=True).count()
    return [
        FunnelStep(key, str(label), str(definition), counts[key])
        for key, (label, definition) in FUNNEL_STEPS.items()
    ]


# --- A partner's referrals ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralProposal:
    """A menu proposed on a referred firm's case: what a partner may know of it (never the
    message to the firm, the score or the reasons)."""

    menu: str
    provider: str
    status: str
    proposed_on: datetime.date
    adopted_on: datetime.date | None


@dataclass(frozen=True)
class ReferralProgress:
    """What a referral became, as its partner sees it: the registration's status and the
    case's stage, status, first contact, proposals and realised export. Never counselling
    notes or sessions, nor the firm's contact details."""

    pk: int
    reference: str
    name: str
    prefecture: str
    referred_on: datetime.date
    status: str
    status_label: str
    office: str
    has_case: bool
    stage: str
    case_status: str
    first_contact_on: datetime.date | None
    realised_on: datetime.date | None
    proposals: list[ReferralProposal]

    @property
    def adopted(self) -> list[ReferralProposal]:
        return [proposal for proposal in self.proposals if proposal.adopted_on is not None]


def _referrals(*, user) -> QuerySet[Registration]:
    """The registrations a partner's organisation referred (registration_qs_visible_to), with
    their case and the proposals on it (proposal_qs_visible_to): two queries."""
    proposals = proposal_qs_visible_to(user).select_related("menu__provider")
    return (
        registration_qs_visible_to(user)
        .filter(referred_by__isnull=False)
        .select_related("business__prefecture", "office", "case")
        .prefetch_related(
            Prefetch("case__proposals", queryset=proposals.order_by("proposed_on", "id"))
        )
        .order_by("-created_at", "-id")
    )


def _referral_progress(registration: Registration) -> ReferralProgress:
    case = getattr(registration, "case", None)
    first_contact = case.first_contact_at if case else None
    proposals = [
        ReferralProposal(
            menu=proposal.menu.name, provider=proposal.menu.provider.name,
            status=proposal.get_status_display(), proposed_on=proposal.proposed_on,
            adopted_on=proposal.decided_on if proposal.status in ADOPTED else None,
        )
        for proposal in (case.proposals.all() if case else ())
    ]  # fmt: skip
    submitted = registration.submitted_business
    return ReferralProgress(
        pk=registration.pk,
        reference=registration.reference,
        name=registration.submitted_name,
        prefecture=submitted.get("prefecture_name") or registration.business.prefecture.name,
        referred_on=localdate(registration.created_at),
        status=registration.status,
        status_label=registration.get_status_display(),
        office=registration.office.name if registration.office else "",
        has_case=case is not None,
        stage=case.get_stage_display() if case else "",
        case_status=case.get_status_display() if case else "",
        first_contact_on=localdate(first_contact) if first_contact else None,
        realised_on=case.realised_on if case else None,
        proposals=proposals,
    )


def referral_funnel(*, user) -> list[FunnelStep]:
    """The funnel of the firms the user's organisation referred (business_qs_visible_to)."""
    return business_funnel(business_qs_visible_to(user))


def referral_progress_list(*, user, limit: int | None = None) -> list[ReferralProgress]:
    """The user's organisation's referrals, newest first, with what each became (two queries
    whatever their number)."""
    referrals = _referrals(user=user)
    return [_referral_progress(r) for r in (referrals[:limit] if limit else referrals)]


def referral_progress_get(*, user, pk: int) -> ReferralProgress:
    """One referral of the user's organisation (404 outside it)."""
    return _referral_progress(get_object_or_404(_referrals(user=user), pk=pk))
