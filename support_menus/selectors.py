"""Reads for support menus: the catalogue, case facts for the matching engine, proposals.

Everything a user sees goes through proposal_qs_visible_to or case_qs_visible_to."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.filters import YesNoFilter
from core.models import CountryRegion, DestinationRegion, IndustryDivision, Prefecture
from counselling.models import Case, CounsellingSession, IssueTag, Stage
from registrations.models import ChallengeType
from registrations.size_class import SizeClass
from support_menus.matching import CaseProfile, Catalogue, Match, MenuFacts, Reason, describe
from support_menus.models import (
    Category,
    ProductField,
    Proposal,
    Provider,
    SupportMenu,
    confirmation_cutoff,
)
from support_menus.permissions import proposal_qs_visible_to
from support_menus.product_fields import product_fields_of

# 現在の状況 answered at registration → the 課題 it raises, so a case has issues to match
# before its first session.
SITUATION_TAGS: dict[str, tuple[str, ...]] = {
    "no_target_country": ("market_research",),
    "market_research": ("market_research",),
    "product_development": ("product_regulation",),
    "find_buyers": ("buyers",),
    "trade_fairs": ("trade_fairs",),
    "start_ec": ("cross_border_ec",),
    "trade_practice": ("pricing_logistics",),
    "finance": ("finance",),
    "regulation": ("product_regulation", "ip"),
    "people": ("people_language",),
}
# A case whose stage is not assessed yet is matched as a preparation case (as the checklist).
DEFAULT_STAGE = Stage.PREPARATION.value

MENU_RELATED = ("provider",)


# --- Catalogue ---------------------------------------------------------------------------


class MenuFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search (name, summary)"), method="search")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    provider = django_filters.ModelChoiceFilter(
        queryset=Provider.objects.all(), label=_("Provider")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"), method="by_stage")
    active = YesNoFilter(label=_("Active"))

    class Meta:
        model = SupportMenu
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(summary__icontains=value))

    def by_stage(self, queryset, name, value):
        # JSON containment is not portable to SQLite; the catalogue is small (hundreds).
        codes = [m.code for m in queryset.only("code", "stages") if value in m.stages]
        return queryset.filter(code__in=codes)


def menu_filter(*, params) -> MenuFilter:
    queryset = SupportMenu.objects.select_related(*MENU_RELATED).prefetch_related(
        Prefetch("issue_tags", queryset=IssueTag.objects.order_by("order"))
    )
    return MenuFilter(params, queryset=queryset)


def menus_confirmation_due(queryset: QuerySet[SupportMenu], *, today) -> QuerySet[SupportMenu]:
    """The menus whose facts nobody confirmed within settings.MENU_CONFIRMATION_MONTHS."""
    return queryset.filter(
        Q(confirmed_on__isnull=True) | Q(confirmed_on__lt=confirmation_cutoff(today))
    )


def menu_confirmation_due_count(*, today) -> int:
    """Active menus due for confirmation (the administrators' landing page)."""
    return menus_confirmation_due(SupportMenu.objects.filter(active=True), today=today).count()


def menu_facts(menu: SupportMenu) -> MenuFacts:
    """Needs issue_tags, industries and prefectures prefetched (as catalogue_load does)."""
    return MenuFacts(
        code=menu.code,
        stages=frozenset(menu.stages),
        issue_tags=frozenset(tag.code for tag in menu.issue_tags.all()),
        size_classes=frozenset(menu.size_classes),
        corporation_only=menu.corporation_only,
        industries=frozenset(division.code for division in menu.industries.all()),
        product_fields=frozenset(menu.product_fields),
        prefectures=frozenset(prefecture.code for prefecture in menu.prefectures.all()),
        ec_experience=menu.ec_experience,
        challenge_types=frozenset(menu.challenge_types),
        requires_target=menu.requires_target,
        destination_regions=frozenset(menu.destination_regions),
        opens_on=menu.opens_on,
        closes_on=menu.closes_on,
        active=menu.active,
    )


def catalogue_load() -> tuple[Catalogue, dict[str, SupportMenu]]:
    """The whole catalogue compiled for the engine, and the menus by code (four queries)."""
    menus = list(
        SupportMenu.objects.select_related(*MENU_RELATED).prefetch_related(
            "issue_tags", "industries", "prefectures"
        )
    )
    return Catalogue(menu_facts(menu) for menu in menus), {menu.code: menu for menu in menus}


def reason_labels() -> dict[str, dict[str, str]]:
    """Code → label for every parameter a reason can name (three queries: 課題, industries,
    prefectures)."""
    stages = dict(Stage.choices)
    tags = dict(IssueTag.objects.values_list("code", "name"))
    regions = dict(DestinationRegion.choices)
    challenges = dict(ChallengeType.choices)
    industries = dict(IndustryDivision.objects.values_list("code", "name"))
    prefectures = dict(Prefecture.objects.values_list("code", "name"))
    sizes = dict(SizeClass.choices)
    sizes[""] = _("size unknown")
    fields = dict(ProductField.choices)
    fields["none"] = _("none of these")
    return {
        "stage": stages, "stages": stages, "tag": tags, "regions": regions,
        "challenge": challenges, "challenges": challenges, "industry": industries,
        "industries": industries, "size": sizes, "sizes": sizes, "prefecture": prefectures,
        "prefectures": prefectures, "fields": fields, "products": fields,
    }  # fmt: skip


def reasons_text(reasons: Iterable[Reason], labels) -> list[str]:
    return [describe(reason, labels) for reason in reasons]


# --- Case facts --------------------------------------------------------------------------

PROFILE_FIELDS = (
    "pk", "stage", "target_country", "target_product", "target_amount_yen", "target_date",
    "registration__situations", "registration__challenge_type", "registration__products",
    "registration__export_experience", "registration__ec_success",
    "registration__destinations", "registration__destinations_undecided",
    "registration__business__size_class", "registration__business__industry_id",
    "registration__business__entity_type", "registration__business__prefecture_id",
)  # fmt: skip


def _country_codes(value) -> list[str]:
    """A multiple CountryField read with values(): a list of countries or a "US,TW" string."""
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return [str(country) for country in value or []]


def _profile(row: dict, tags: set[str], country_regions: dict[str, str], today) -> CaseProfile:
    countries = set()
    if not row["registration__destinations_undecided"]:
        countries.update(_country_codes(row["registration__destinations"]))
    if row["target_country"]:
        countries.add(str(row["target_country"]))
    for situation in row["registration__situations"] or []:
        tags.update(SITUATION_TAGS.get(situation, ()))
    return CaseProfile(
        stage=row["stage"] or DEFAULT_STAGE,
        issue_tags=frozenset(tags),
        size_class=row["registration__business__size_class"],
        industry=row["registration__business__industry_id"],
        product_fields=product_fields_of(
            row["registration__products"], row["registration__business__industry_id"]
        ),
        prefecture=row["registration__business__prefecture_id"],
        entity_type=row["registration__business__entity_type"],
        challenge_type=row["registration__challenge_type"],
        export_experience=row["registration__export_experience"],
        ec_success=row["registration__ec_success"],
        target_regions=frozenset(country_regions[c] for c in countries if c in country_regions),
        has_target=bool(
            row["target_country"] and row["target_product"] and row["target_amount_yen"]
            and row["target_date"]
        ),
        today=today,
    )  # fmt: skip


def country_regions() -> dict[str, str]:
    return {str(c): region for c, region in CountryRegion.objects.values_list("country", "region")}


def case_profiles(
    cases: QuerySet[Case], *, today: datetime.date, regions: dict[str, str] | None = None
) -> list[tuple[int, CaseProfile]]:
    """The engine's facts for every case in the queryset, in two queries (cases, then the
    課題 of their sessions) whatever their number."""
    rows = list(cases.order_by("pk").values(*PROFILE_FIELDS))
    tags: dict[int, set[str]] = defaultdict(set)
    through = CounsellingSession.tags.through.objects.filter(
        counsellingsession__case_id__in=[row["pk"] for row in rows]
    )
    for case_id, code in through.values_list("counsellingsession__case_id", "issuetag__code"):
        tags[case_id].add(code)
    regions = regions if regions is not None else country_regions()
    return [(row["pk"], _profile(row, tags[row["pk"]], regions, today)) for row in rows]


def case_profile(case: Case, *, today: datetime.date) -> CaseProfile:
    return case_profiles(Case.objects.filter(pk=case.pk), today=today)[0][1]


# --- The proposal page -------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedMatch:
    menu: SupportMenu
    score: int
    reasons: list[str]
    proposed: bool  # an active proposal of this menu exists on the case


@dataclass(frozen=True)
class ExplainedExclusion:
    menu: SupportMenu
    reasons: list[str]


def case_ranking(*, case: Case, today: datetime.date) -> dict:
    """The ranking the concierge sees on "propose menus", every reason in words."""
    catalogue, menus = catalogue_load()
    profile = case_profile(case, today=today)
    ranking = catalogue.rank(profile)
    labels = reason_labels()
    active = set(
        case.proposals.filter(status__in=Proposal.ACTIVE_STATUSES).values_list(
            "menu__code", flat=True
        )
    )
    return {
        "profile": profile,
        "ranked": [
            ExplainedMatch(menus[m.menu.code], m.score, reasons_text(m.reasons, labels),
                           m.menu.code in active)
            for m in ranking.ranked
        ],
        "excluded": [
            ExplainedExclusion(menus[e.menu.code], reasons_text(e.reasons, labels))
            for e in ranking.excluded
        ],
        "tag_names": sorted(labels["tag"].get(code, code) for code in profile.issue_tags),
        "product_field_names": [
            label for code, label in ProductField.choices if code in profile.product_fields
        ],
    }  # fmt: skip


def ranked_matches(*, case: Case, today: datetime.date) -> dict[str, Match]:
    """The eligible menus for the case by code, as the engine ranks them now."""
    catalogue, _menus = catalogue_load()
    ranking = catalogue.rank(case_profile(case, today=today), explain_exclusions=False)
    return {match.menu.code: match for match in ranking.ranked}


# --- Proposals ---------------------------------------------------------------------------

PROPOSAL_RELATED = ("menu__provider",)


def case_proposals(*, case: Case) -> list[Proposal]:
    return list(case.proposals.select_related(*PROPOSAL_RELATED).order_by("-proposed_on", "-id"))


def proposal_get(*, user, case: Case, pk: int) -> Proposal:
    """One proposal of the case, through the user's proposal scope (404 outside it)."""
    queryset = proposal_qs_visible_to(user).filter(case=case).select_related("menu")
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class ProposalBatch:
    """Menus proposed together (one case, one day), with the concierge's one message."""

    note: str
    proposals: list[Proposal]


def proposal_batches_own(*, user) -> list[ProposalBatch]:
    """The proposals a firm's contact sees on their page, newest first, grouped as they were
    proposed: every proposal of a batch stores the message, the firm reads it once."""
    batches: list[tuple[tuple, list[Proposal]]] = []
    proposals = (
        proposal_qs_visible_to(user)
        .select_related(*PROPOSAL_RELATED, "case__registration")
        .order_by("-proposed_on", "case_id", "note", "-id")
    )
    for proposal in proposals:
        key = (proposal.case_id, proposal.proposed_on, proposal.note)
        if batches and batches[-1][0] == key:
            batches[-1][1].append(proposal)
        else:
            batches.append((key, [proposal]))
    return [ProposalBatch(note=key[2], proposals=items) for key, items in batches]


def open_case_id_bounds(*, chunk_size: int) -> list[tuple[int, int]]:
    """Consecutive (first pk, last pk) ranges of open cases, each holding chunk_size cases:
    the re-ranking job hands these ranges to its chunk tasks (a range, not a list of pks)."""
    ids = list(
        Case.objects.filter(status__in=Case.OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]
