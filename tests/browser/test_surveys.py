"""Browser journey: a firm opens its survey link, answers, amends, and the case shows the
export as realised to its concierge."""

import pytest
from django.urls import reverse

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_the_firm_answers_amends_and_the_case_shows_realised(live_server, page, jetro_tokyo):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    case = CaseFactory(status=Case.Status.FOLLOW_UP, stage="challenge", concierge=concierge)
    survey = SurveyFactory(case=case)
    url = live_server.url + reverse("outcomes:answer", args=[survey_token_make(survey)])

    page.goto(url)
    assert case.registration.business.name in page.locator("main").inner_text()
    page.get_by_label("あり", exact=True).check()
    page.get_by_label("初回輸出日").fill("2026-09-01")
    page.get_by_label("増加").check()
    page.get_by_label("PR強化").check()
    page.get_by_label("10万円以下").check()
    page.screenshot(path=str(ARTIFACTS / "survey-form.png"), full_page=True)
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("survey-done").is_visible()

    page.get_by_role("link", name="回答を確認・修正する").click()
    assert page.get_by_test_id("already-answered").is_visible()
    page.get_by_label("ご意見").fill("台湾の商社から追加注文がありました")
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("survey-done").is_visible()
    answer = SurveyResponse.objects.get()
    assert answer.comments == "台湾の商社から追加注文がありました"
    assert answer.trajectory == "increased"

    sign_in(page, live_server, concierge)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.get_by_test_id("case-status").inner_text() == "輸出実現"
    section = page.locator("section#surveys")
    assert section.get_by_role("heading", level=2).inner_text() == "調査"
    surveys = section.get_by_test_id("surveys")
    assert surveys.get_by_test_id("survey-state").inner_text() == "回答済み"
    assert "2026-09-01" in surveys.inner_text()
    page.screenshot(path=str(ARTIFACTS / "case-surveys.png"), full_page=True)
