"""Reads for outcomes, through survey_qs_visible_to (staff) or a signed link (firms)."""

from collections import defaultdict
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.models import MetiRegion, OutboundEmail
from core.pagination import page_get
from counselling.models import Case, Stage
from outcomes.models import ProgressExport, Survey, SurveyResponse
from outcomes.permissions import progress_export_qs_visible_to, survey_qs_visible_to
from outcomes.report import Answer, GroupFigures, outcome_figures
from outcomes.services import survey_invite_key, survey_reminder_key
from support_menus.models import Category, SupportMenu


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    bounced: bool  # an e-mail about it failed permanently


def case_surveys(*, case: Case) -> list[SurveyRow]:
    """The case's surveys with their delivery (two queries, whatever their number)."""
    surveys = list(case.surveys.select_related("response").order_by("wave_months"))
    keys = {
        key: survey.pk
        for survey in surveys
        for key in (survey_invite_key(survey), survey_reminder_key(survey, 1),
                    survey_reminder_key(survey, 2))
    }  # fmt: skip
    failed = {
        keys[key]
        for key in OutboundEmail.objects.filter(
            idempotency_key__in=list(keys), status=OutboundEmail.Status.FAILED
        ).values_list("idempotency_key", flat=True)
    } if surveys else set()  # fmt: skip
    return [SurveyRow(survey, survey.pk in failed) for survey in surveys]


def survey_get(*, user, case: Case, pk: int) -> Survey:
    queryset = survey_qs_visible_to(user).filter(case=case).select_related("response")
    return get_object_or_404(queryset, pk=pk)


def survey_menus(*, survey: Survey):
    """The menus a firm can say it used: those proposed on its case."""
    return SupportMenu.objects.filter(proposals__case_id=survey.case_id).distinct().order_by("name")


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


def progress_firms_page(*, filters, page_number):
    """One page of the firms registered in the period, newest first, with their progress:
    the page is cut from the dashboard's fact table (indexed, counted cheaply), and only its
    firms are read live (a fixed number of queries whatever the number of firms)."""
    from outcomes.dashboard import firms
    from outcomes.exports import business_progress_rows

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
