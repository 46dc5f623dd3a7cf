"""Reads for reporting: the outcome report's answers, the export log and business-level
progress on screen."""

from collections import defaultdict

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.models import MetiRegion
from core.pagination import page_get
from counselling.models import Stage
from outcomes.models import SurveyResponse
from reporting.dashboard import firms
from reporting.exports import business_progress_rows
from reporting.models import ProgressExport
from reporting.permissions import progress_export_qs_visible_to
from reporting.report import Answer, GroupFigures, outcome_figures
from support_menus.models import Category

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
