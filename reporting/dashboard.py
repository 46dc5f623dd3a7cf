"""Reads for the ministry's progress dashboard and the aggregate export: a fixed number of
aggregate queries, whatever the number of firms. National by design: the figures are counts,
and the views that show them are open only to roles with the dashboard permission.

Each firm counts once, with the case of its latest registration; withdrawn registrations and
firms merged into another are left out. Headline figures are totals as at the period's end,
each with its growth during the period. The breakdowns follow the firms registered in the
period (a cohort) and how far each had got by the period's end."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)  # fmt: skip
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import CountryRegion, DestinationRegion, IndustryDivision, MetiRegion, Prefecture
from counselling.models import Case, Stage, StageChange
from outcomes.models import SurveyResponse
from registrations.models import ChallengeType, ReferralSource, Registration
from registrations.size_class import SizeClass
from reporting.filters import ProgressFilters
from reporting.models import BusinessProgress
from reporting.progress import (
    FUNNEL,
    FUNNEL_LABELS,
    HEADLINE_FIGURES,
    HEADLINE_LABELS,
    Breakdown,
    BreakdownRow,
    Headline,
    breakdown,
    change,
    pct,
)  # fmt: skip
from support_menus.models import Proposal

ADOPTED = (Proposal.Status.ADOPTED, Proposal.Status.COMPLETED)

REGISTERED = Registration.Status.REGISTERED
NOT_RECORDED = ""


def progress_cases(filters: ProgressFilters | None = None) -> QuerySet[Case]:
    """Each firm once (the case of its latest registration), live, with the firm filters
    applied and its registration time, first proposal and first adoption dates annotated; no
    period filter.
    The business-level export reads this; the dashboard reads its copy in BusinessProgress."""
    newer = Registration.objects.filter(
        business_id=OuterRef("registration__business_id"), status=REGISTERED,
        registered_at__gt=OuterRef("registration__registered_at"),
    )  # fmt: skip
    first_proposed = (
        Proposal.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
        .annotate(first=Min("proposed_on")).values("first")
    )  # fmt: skip
    first_adopted = (
        Proposal.objects.filter(case_id=OuterRef("pk"), status__in=ADOPTED).order_by()
        .values("case_id").annotate(first=Min(Coalesce("decided_on", "proposed_on")))
        .values("first")
    )  # fmt: skip
    return (
        Case.objects.filter(
            registration__status=REGISTERED, registration__business__merged_into__isnull=True
        )
        .filter(~Exists(newer))
        .filter(filters.business_q("registration__business__") if filters else Q())
        .annotate(
            first_proposed_on=Subquery(first_proposed[:1]),
            first_adopted_on=Subquery(first_adopted[:1]),
            registered=Coalesce("registration__registered_at", "registration__created_at"),
        )
        .order_by()
    )


def firms(filters: ProgressFilters) -> QuerySet[BusinessProgress]:
    """The dashboard's firms (its fact table), with the firm filters applied."""
    return BusinessProgress.objects.filter(filters.progress_q()).order_by()


def _as_at(filters: ProgressFilters, *, end: bool) -> dict:
    """Counts of firms registered, counselled, proposed, adopted and realised as at the
    period's end (or its start)."""
    moment = filters.end if end else filters.start
    suffix = "end" if end else "start"
    day = filters.date_to if end else filters.date_from - timedelta(days=1)
    return {
        f"registered_{suffix}": Count("pk", filter=Q(registered_at__lt=moment)),
        f"counselled_{suffix}": Count("pk", filter=Q(first_contact_at__lt=moment)),
        f"proposed_{suffix}": Count("pk", filter=Q(first_proposed_on__lte=day)),
        f"adopted_{suffix}": Count("pk", filter=Q(first_adopted_on__lte=day)),
        f"realised_{suffix}": Count("pk", filter=Q(realised_on__lte=day)),
    }


def _cohort_measures(filters: ProgressFilters) -> dict:
    return {
        "registered": Count("pk"),
        "counselled": Count("pk", filter=Q(first_contact_at__lt=filters.end)),
        "proposed": Count("pk", filter=Q(first_proposed_on__lte=filters.date_to)),
        "realised": Count("pk", filter=Q(realised_on__lte=filters.date_to)),
    }


class Median(Aggregate):
    """PostgreSQL's continuous median (an ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _median_days_to_first_contact(cases: QuerySet[BusinessProgress], filters: ProgressFilters):
    """Median days from registration to first contact, over the firms first contacted in the
    period and in the period before (one query)."""
    previous = filters.previous()
    waited = ExpressionWrapper(
        F("first_contact_at") - F("registered_at"), output_field=DurationField()
    )
    in_period = Q(first_contact_at__gte=filters.start, first_contact_at__lt=filters.end)
    in_previous = Q(first_contact_at__gte=previous.start, first_contact_at__lt=previous.end)
    if connection.vendor == "postgresql":
        medians = cases.aggregate(
            now=Median(waited, filter=in_period, output_field=DurationField()),
            before=Median(waited, filter=in_previous, output_field=DurationField()),
        )
        now, before = medians["now"], medians["before"]
    else:  # SQLite (make run): no ordered-set aggregates
        rows = list(
            cases.filter(in_period | in_previous)
            .annotate(waited=waited)
            .values_list("first_contact_at", "waited")
        )
        now = [w for at, w in rows if at >= filters.start]
        before = [w for at, w in rows if at < filters.start]
        now = statistics.median(now) if now else None
        before = statistics.median(before) if before else None

    def days(value):
        if value is None:
            return None
        return round(value.total_seconds() / 86400, 1)

    return days(now), days(before)


def _months(filters: ProgressFilters) -> list[date]:
    months, day = [], filters.date_from.replace(day=1)
    while day <= filters.date_to:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_key(value) -> date:
    return value.date() if hasattr(value, "date") else value


@dataclass
class Dashboard:
    filters: ProgressFilters
    headlines: list[Headline]
    open_by_stage: Breakdown
    monthly: Breakdown
    funnel: Breakdown
    breakdowns: list[Breakdown]  # region, prefecture, industry, size, challenge, referral
    destinations: Breakdown
    target: Breakdown
    trajectory: Breakdown

    @property
    def tables(self) -> list[Breakdown]:
        """Every table, in page order (the aggregate export writes them all)."""
        return [self.open_by_stage, self.monthly, self.funnel, *self.breakdowns,
                self.destinations, self.target, self.trajectory]  # fmt: skip


def business_progress_refreshed_at() -> datetime | None:
    return BusinessProgress.objects.order_by("pk").values_list("refreshed_at", flat=True).first()


def _totals(cases: QuerySet[BusinessProgress], filters: ProgressFilters) -> dict:
    """The headline counts as at the period's end and its start (one query)."""
    return cases.aggregate(**_as_at(filters, end=True), **_as_at(filters, end=False))


def headline_figures(
    filters: ProgressFilters, *, business_ids: QuerySet | None = None
) -> list[Headline]:
    """The headline figures (registered, counselled, proposed, adopted, realised, the
    realisation rate and the median days to first contact) of the firms the filters select,
    or of `business_ids` among them: the only source of these figures on every page, in two
    queries, from the fact table."""
    cases = firms(filters)
    if business_ids is not None:
        cases = cases.filter(business_id__in=business_ids)
    return _headlines(_totals(cases, filters), *_median_days_to_first_contact(cases, filters))


def progress_dashboard(filters: ProgressFilters) -> Dashboard:
    """Everything the dashboard shows, in 17 queries, from the fact table."""
    cases = firms(filters)
    totals = _totals(cases, filters)
    median_now, median_before = _median_days_to_first_contact(cases, filters)
    cohort = cases.filter(registered_at__gte=filters.start, registered_at__lt=filters.end)
    measures = _cohort_measures(filters)

    def by(field: str) -> dict[str, dict[str, int]]:
        rows = cohort.values(field).annotate(**measures)
        return {row[field] or NOT_RECORDED: row for row in rows}

    prefectures = list(Prefecture.objects.order_by("code").values_list("code", "name", "region"))
    shown_prefectures = [
        (code, name) for code, name, region in prefectures
        if (not filters.region or region == filters.region)
        and (not filters.prefecture or code == filters.prefecture)
    ]  # fmt: skip
    by_prefecture = by("prefecture")
    by_region: dict[str, Counter] = defaultdict(Counter)
    for code, _name, region in prefectures:
        by_region[region].update({m: by_prefecture.get(code, {}).get(m, 0) for m in FUNNEL})
    cohort_totals = {m: sum(by_prefecture.get(code, {}).get(m, 0) for code, *_ in prefectures)
                     for m in FUNNEL}  # fmt: skip

    breakdowns = [
        breakdown("region", _("By METI region"),
                  _("Firms registered in the period, by the METI region of their prefecture."),
                  by_region, MetiRegion.choices),
        breakdown("prefecture", _("By prefecture"),
                  _("Firms registered in the period, by prefecture."),
                  by_prefecture, shown_prefectures),
        breakdown("industry", _("By industry"),
                  _("Firms registered in the period, by JSIC division."),
                  by("industry"),
                  IndustryDivision.objects.order_by("code").values_list("code", "name")),
        breakdown("size_class", _("By size class"),
                  _("Firms registered in the period, by size class (SME Basic Act)."),
                  by("size_class"), SizeClass.choices),
        breakdown("challenge_type", _("By type of challenge"),
                  _("Firms registered in the period, by type of challenge (取組区分)."),
                  by("challenge_type"), ChallengeType.choices),
        breakdown("referral", _("By referral channel"),
                  _("Firms registered in the period, by how they came to the program."),
                  by("referral_source"), ReferralSource.choices),
    ]  # fmt: skip
    funnel = Breakdown(
        key="funnel", title=_("From registration to export"),
        description=_("Of the firms registered in the period, how many had been counselled, "
                      "proposed support menus and realised an export by the period's end."),
        measures=("firms",), measure_labels={"firms": _("Firms")},
        rows=[BreakdownRow(m, str(FUNNEL_LABELS[m]), {"firms": cohort_totals[m]}) for m in FUNNEL],
        totals={"firms": cohort_totals["registered"]},
    )  # fmt: skip

    return Dashboard(
        filters=filters,
        headlines=_headlines(totals, median_now, median_before),
        open_by_stage=_open_by_stage(cases, filters),
        monthly=_monthly(cases, filters, totals),
        funnel=funnel,
        breakdowns=breakdowns,
        destinations=_destinations(cases, filters, totals),
        **_answers(cases, filters),
    )


def _headlines(totals: dict, median_now, median_before) -> list[Headline]:
    in_period = _("in the period")
    headlines = [
        Headline(m, HEADLINE_LABELS[m], totals[f"{m}_end"],
                 change(totals[f"{m}_end"], totals[f"{m}_start"]), in_period)
        for m in HEADLINE_FIGURES
    ]  # fmt: skip
    rate_end = pct(totals["realised_end"], totals["registered_end"])
    rate_start = pct(totals["realised_start"], totals["registered_start"])
    headlines.append(Headline(
        "rate", _("Realisation rate"), rate_end, change(rate_end, rate_start),
        _("points in the period"), "%",
    ))  # fmt: skip
    headlines.append(Headline(
        "first_contact_days", _("Median days to first contact"), median_now,
        change(median_now, median_before), _("days against the previous period"),
        pgettext_lazy("unit", "days"),
    ))  # fmt: skip
    return headlines


def _open_by_stage(cases: QuerySet[BusinessProgress], filters: ProgressFilters) -> Breakdown:
    """Open cases by stage today, and how many firms entered each stage in the period."""
    open_now = dict(
        cases.filter(status__in=Case.OPEN_STATUSES).values_list("stage").annotate(n=Count("pk"))
    )
    entered = dict(
        StageChange.objects.filter(
            created_at__gte=filters.start, created_at__lt=filters.end,
            case_id__in=cases.values("case_id"),
        ).values_list("to_stage").annotate(n=Count("case", distinct=True)).order_by()
    )  # fmt: skip
    counts = {
        stage: {"open": open_now.get(stage, 0), "entered": entered.get(stage, 0)}
        for stage in {*open_now, *entered}
    }
    return breakdown(
        "open_by_stage", _("Open cases by stage"),
        _("Open cases today by stage, and the firms that entered each stage in the period."),
        counts, [*Stage.choices, (NOT_RECORDED, _("Not assessed yet"))],
        measures=("open", "entered"),
        measure_labels={"open": _("Open today"), "entered": _("Entered in the period")},
    )  # fmt: skip


def _monthly(
    cases: QuerySet[BusinessProgress], filters: ProgressFilters, totals: dict
) -> Breakdown:
    """Registrations and realised exports per month of the period, with running totals since
    the program began."""
    registered = dict(
        cases.filter(registered_at__gte=filters.start, registered_at__lt=filters.end)
        .annotate(month=TruncMonth("registered_at"))
        .values_list("month").annotate(n=Count("pk"))
    )  # fmt: skip
    realised = dict(
        cases.filter(realised_on__gte=filters.date_from, realised_on__lte=filters.date_to)
        .annotate(month=TruncMonth("realised_on"))
        .values_list("month").annotate(n=Count("pk"))
    )  # fmt: skip
    registered = {_month_key(k): v for k, v in registered.items()}
    realised = {_month_key(k): v for k, v in realised.items()}
    running_registered, running_realised = totals["registered_start"], totals["realised_start"]
    rows = []
    for month in _months(filters):
        running_registered += registered.get(month, 0)
        running_realised += realised.get(month, 0)
        rows.append(BreakdownRow(month.strftime("%Y-%m"), date_format(month, "YEAR_MONTH_FORMAT"), {
            "registered": registered.get(month, 0), "registered_total": running_registered,
            "realised": realised.get(month, 0), "realised_total": running_realised,
        }))  # fmt: skip
    return Breakdown(
        key="monthly", title=_("Month by month"),
        description=_("Registrations and realised exports per month, with the running totals "
                      "since the program began."),
        measures=("registered", "registered_total", "realised", "realised_total"),
        measure_labels={
            "registered": FUNNEL_LABELS["registered"],
            "registered_total": _("Registered, cumulative"),
            "realised": _("Exports realised"), "realised_total": _("Realised, cumulative"),
        },
        rows=rows,
        totals={"registered": sum(registered.values()), "realised": sum(realised.values()),
                "registered_total": running_registered, "realised_total": running_realised},
    )  # fmt: skip


def _destinations(
    cases: QuerySet[BusinessProgress], filters: ProgressFilters, totals: dict
) -> Breakdown:
    """Destination regions of the exports realised in the period, from the firms' survey
    answers; a firm exporting to two regions counts in both."""
    realised = cases.filter(realised_on__gte=filters.date_from, realised_on__lte=filters.date_to)
    answers = SurveyResponse.objects.filter(
        export_realised=SurveyResponse.ExportRealised.YES,
        survey__case_id__in=realised.values("case_id"),
    ).values_list("survey__case_id", "destinations")
    region_of = dict(CountryRegion.objects.values_list("country", "region"))
    regions: dict[int, set[str]] = defaultdict(set)
    for case_id, countries in answers.iterator(chunk_size=5000):
        # values_list() gives the field's stored text ("TW,US"), not a list of countries.
        for country in filter(None, (countries or "").split(",")):
            regions[case_id].add(region_of.get(country, DestinationRegion.OTHER))
    counts = Counter(region for found in regions.values() for region in found)
    realised_in_period = totals["realised_end"] - totals["realised_start"]
    counts[NOT_RECORDED] = realised_in_period - len([found for found in regions.values() if found])
    return breakdown(
        "destinations", _("Destinations of realised exports"),
        _("Firms whose export was realised in the period, by destination region (from their "
          "survey answers; a firm exporting to two regions counts in both)."),
        {region: {"firms": n} for region, n in counts.items()},
        [*DestinationRegion.choices, (NOT_RECORDED, _("Not recorded"))],
        measures=("firms",), measure_labels={"firms": _("Firms")},
        totals={"firms": realised_in_period},
    )  # fmt: skip


def _answers(cases: QuerySet[BusinessProgress], filters: ProgressFilters) -> dict[str, Breakdown]:
    """Target achievement and trajectory among firms that reported an export in the period
    (each firm once, with its latest answer in the period)."""
    later = SurveyResponse.objects.filter(
        survey__case_id=OuterRef("survey__case_id"), answered_at__gt=OuterRef("answered_at"),
        answered_at__lt=filters.end,
    )  # fmt: skip
    rows = (
        SurveyResponse.objects.filter(
            answered_at__gte=filters.start, answered_at__lt=filters.end,
            survey__case_id__in=cases.values("case_id"),
        )
        .filter(~Exists(later), export_realised=SurveyResponse.ExportRealised.YES)
        .values_list("target_achieved", "trajectory").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    target, trajectory = Counter(), Counter()
    for achieved, went, n in rows:
        target[achieved] += n
        trajectory[went] += n
    firms = {"firms": _("Firms")}
    return {
        "target": breakdown(
            "target", _("Export target achieved"),
            _("Firms that reported an export in the period: was their export target met?"),
            {k: {"firms": v} for k, v in target.items()},
            [*SurveyResponse.YesNo.choices, (NOT_RECORDED, _("Not recorded"))],
            measures=("firms",), measure_labels=firms,
        ),
        "trajectory": breakdown(
            "trajectory", _("Exports since the support"),
            _("Firms that reported an export in the period: have their exports increased, "
              "stayed flat or decreased since the support?"),
            {k: {"firms": v} for k, v in trajectory.items()},
            [*SurveyResponse.Trajectory.choices, (NOT_RECORDED, _("Not recorded"))],
            measures=("firms",), measure_labels=firms,
        ),
    }  # fmt: skip
