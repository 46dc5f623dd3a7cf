"""Issue 15: the status follows the work, and the partner who referred the firm, the ministry's
事業者別進捗 and the firm itself read the same field, so they agree with the case page at every
step: first contact, first session, proposal, adoption, an answered survey with an export."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.roles import Role
from core.tests.factories import UserFactory
from counselling import services as counselling_services
from counselling.models import Case, IssueTag
from counselling.tests.factories import CaseFactory
from outcomes import services as outcome_services
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory
from registrations.tests.factories import RegistrationFactory
from reporting.services import business_progress_refresh
from support_menus import services as menu_services
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db


def _row(html: str, reference: str) -> str:
    [row] = [r for r in re.findall(r"<tr.*?</tr>", html, re.S) if reference in r]
    return row


def _shown(status: str, case: Case, pages: dict[str, Client]) -> None:
    with translation.override("ja"):
        label = str(Case.Status(status).label)
    reference = case.registration.reference
    on_case = pages["concierge"].get(reverse("counselling:case-detail", args=[case.pk])).text
    assert f'data-testid="case-status">{label}<' in on_case
    referrals = pages["partner"].get(reverse("registrations:referral-list")).text
    assert label in _row(referrals, reference)
    progress = (
        pages["ministry"]
        .get(reverse("reporting:progress-businesses"), {"date_from": "2022-12-16"})
        .text
    )
    assert f"<td>{label}</td>" in _row(progress, reference)
    home = pages["firm"].get(reverse("portal:home")).text
    [card] = [c for c in re.findall(r'<li[^>]*data-testid="registration".*?</li>', home, re.S)
              if reference in c]  # fmt: skip
    assert f'data-testid="case-status">{label}<' in card


def test_the_case_the_partner_the_ministry_and_the_firm_show_the_same_status(users, chamber_tokyo):
    concierge = users[Role.CONCIERGE]
    firm = UserFactory(role=Role.BUSINESS)
    registration = RegistrationFactory(
        contact__user=firm, referred_by=chamber_tokyo, business__prefecture_id="13",
        situations=["market_research"],
    )  # fmt: skip
    case = CaseFactory(registration=registration, concierge=concierge)
    business_progress_refresh()  # the ministry's list of firms (their progress is live)
    menu = SupportMenuFactory(code="m-market", tags=["market_research"])
    pages = {}
    for name, user in (("concierge", concierge), ("partner", users[Role.PARTNER]),
                       ("ministry", users[Role.MINISTRY]), ("firm", firm)):  # fmt: skip
        pages[name] = Client()
        pages[name].force_login(user)
    _shown(Case.Status.NEW, case, pages)

    counselling_services.session_log(case=case, actor=concierge, data={
        "held_at": timezone.now(), "channel": "phone", "contact_only": True})  # fmt: skip
    _shown(Case.Status.CONTACTED, case, pages)

    counselling_services.session_log(case=case, actor=concierge, data={
        "held_at": timezone.now(), "channel": "meeting",
        "tags": list(IssueTag.objects.filter(code="market_research"))})  # fmt: skip
    _shown(Case.Status.COUNSELLING, case, pages)

    today = timezone.localdate()
    [proposal] = menu_services.proposals_create(
        case=case, menu_codes=[menu.code], note="", actor=concierge, today=today
    )
    _shown(Case.Status.PROPOSALS, case, pages)

    menu_services.proposal_status_change(
        proposal=proposal, status=Proposal.Status.ADOPTED, on=today, actor=concierge
    )
    _shown(Case.Status.SUPPORT, case, pages)

    survey = SurveyFactory(case=case)
    outcome_services.survey_answer(
        survey=survey, source=SurveyResponse.Source.WEB,
        data={"export_realised": SurveyResponse.ExportRealised.YES, "first_export_date": today},
    )  # fmt: skip
    _shown(Case.Status.REALISED, case, pages)
