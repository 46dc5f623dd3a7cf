"""The case page's "Follow-up surveys" panel (counselling.panels), registered in
OutcomesConfig.ready."""

from django.utils.translation import gettext_lazy as _

from counselling.panels import CasePanel
from outcomes import selectors
from outcomes.permissions import SurveyPermission


def surveys_panel_context(case, request, bound) -> dict:
    return {
        "surveys": selectors.case_surveys(case=case),
        "can_answer_surveys": request.user.has_perm(SurveyPermission.ANSWER),
    }


SURVEYS_PANEL = CasePanel(
    name="surveys", heading=_("Surveys"), order=20,
    template_name="outcomes/includes/case_surveys.html",
    context=surveys_panel_context, permission=SurveyPermission.VIEW,
)  # fmt: skip
