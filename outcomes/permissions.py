"""Who may see which surveys: the one scoping rule every survey page uses."""

from enum import StrEnum

from django.db.models import QuerySet

from core.roles import OFFICE_ROLES, Role
from counselling.permissions import case_qs_visible_to
from outcomes.models import ProgressExport, Survey

_OFFICE_GRANTS = ("outcomes.view_survey", "outcomes.add_surveyresponse", "outcomes.change_survey")
# What each role is granted (core.roles collects every app's ROLE_GRANTS; the admin role has
# every permission).
ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.CONCIERGE: _OFFICE_GRANTS,
    Role.OFFICE_LEAD: _OFFICE_GRANTS,
    Role.MINISTRY: (
        "outcomes.view_outcome_report",
        "outcomes.view_progress_dashboard",
        "outcomes.export_progress",
    ),
}


class SurveyPermission(StrEnum):
    VIEW = "outcomes.view_survey"  # the surveys of a case, with their answers
    ANSWER = "outcomes.add_surveyresponse"  # enter an answer taken by phone or in a hearing
    RESEND = "outcomes.change_survey"  # send a fresh link by hand
    REPORT = "outcomes.view_outcome_report"  # the outcome report (aggregates only)


def survey_qs_visible_to(user) -> QuerySet[Survey]:
    """Admins every survey; concierges and office leads the surveys of their office's cases.
    Firms reach their own survey only through its signed link, never by id."""
    surveys = Survey.objects.all()
    role = user.role if user.is_authenticated else None
    if role == Role.ADMIN:
        return surveys
    if role in OFFICE_ROLES:
        return surveys.filter(case__in=case_qs_visible_to(user))
    return surveys.none()


class ProgressPermission(StrEnum):
    DASHBOARD = "outcomes.view_progress_dashboard"  # aggregates, and their open-data export
    EXPORT = "outcomes.export_progress"  # business-level rows (names, 法人番号): logged


def progress_export_qs_visible_to(user) -> QuerySet[ProgressExport]:
    """Admins every export (the export log); everyone else only the exports they asked for."""
    exports = ProgressExport.objects.all()
    if not user.is_authenticated:
        return exports.none()
    if user.role == Role.ADMIN:
        return exports
    return exports.filter(requested_by=user)
