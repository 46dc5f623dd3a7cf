"""Who may see which surveys: the one scoping rule every survey page uses."""

from enum import StrEnum

from django.db.models import QuerySet

from core.roles import OFFICE_ROLES, Role
from counselling.permissions import case_qs_visible_to
from outcomes.models import Survey
from registrations.permissions import registration_qs_visible_to

_OFFICE_GRANTS = ("outcomes.view_survey", "outcomes.add_surveyresponse", "outcomes.change_survey")
# What each role is granted (core.roles collects every app's ROLE_GRANTS; the admin role has
# every permission).
ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.CONCIERGE: _OFFICE_GRANTS,
    Role.OFFICE_LEAD: _OFFICE_GRANTS,
}


class SurveyPermission(StrEnum):
    VIEW = "outcomes.view_survey"  # the surveys of a case, with their answers
    ANSWER = "outcomes.add_surveyresponse"  # enter an answer taken by phone or in a hearing
    RESEND = "outcomes.change_survey"  # send a fresh link by hand


def survey_qs_visible_to(user) -> QuerySet[Survey]:
    """- admin: every survey
    - concierge, office lead: the surveys of their office's cases (case_qs_visible_to)
    - business: the surveys of their own registrations' cases (registration_qs_visible_to),
      listed on their page; they answer through the signed link, never by id (the survey
      pages by id are staff pages)
    - partner, ministry: none"""
    surveys = Survey.objects.all()
    role = user.role if user.is_authenticated else None
    if role == Role.ADMIN:
        return surveys
    if role in OFFICE_ROLES:
        return surveys.filter(case__in=case_qs_visible_to(user))
    if role == Role.BUSINESS:
        return surveys.filter(case__registration__in=registration_qs_visible_to(user))
    return surveys.none()
