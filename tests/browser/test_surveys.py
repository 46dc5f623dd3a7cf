"""Browser journeys: a firm opens its survey link, answers, amends, and the case shows the
export as realised to its concierge; on a phone, the questions that do not apply stay hidden
(no export, then an export), and stopping the e-mails asks first and can be undone."""

import re

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
    page.get_by_label("はい、輸出しました").check()
    page.get_by_label("初めて輸出した日はいつですか").fill("2026-09-01")
    page.get_by_label("増加").check()
    page.get_by_label("PR強化").check()
    page.get_by_label("10万円以下").check()
    page.screenshot(path=str(ARTIFACTS / "survey-form.png"), full_page=True)
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("survey-done").is_visible()

    page.get_by_role("link", name="回答を確認・修正する").click()
    assert page.get_by_test_id("already-answered").is_visible()
    page.get_by_label("ほかにお伝えになりたいことがあれば").fill(
        "台湾の商社から追加注文がありました"
    )
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
    assert "2026年9月1日" in surveys.inner_text()
    page.screenshot(path=str(ARTIFACTS / "case-surveys.png"), full_page=True)


PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_firm_on_a_phone_sees_only_the_questions_that_apply(live_server, page, jetro_tokyo):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge", concierge=concierge)
    survey = SurveyFactory(case=case)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("outcomes:answer", args=[survey_token_make(survey)]))
    exported = page.get_by_role("group", name="輸出は実現しましたか")
    details = page.locator("#if-export_realised")
    achieved = page.get_by_role("group", name="その目標は達成できましたか")
    assert details.is_hidden()  # nothing chosen yet: no export details
    assert achieved.is_hidden()

    # No export: the export's questions stay hidden; a target set asks whether it was achieved.
    exported.get_by_label("いいえ").check()
    assert details.is_hidden()
    page.get_by_role("group", name="輸出の目標（数量や金額）を決めましたか").get_by_label(
        "はい"
    ).check()
    assert achieved.is_visible()
    achieved.get_by_label("いいえ").check()
    scale = page.get_by_test_id("satisfaction-scale")
    assert scale.inner_text().split() == ["1", "不満", "2", "やや不満", "3", "ふつう", "4",
                                          "やや満足", "5", "満足"]  # fmt: skip
    scale.get_by_text("やや満足").click()
    assert page.get_by_role("radio", name="4 やや満足").is_checked()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "survey-no-export-390.png"), full_page=True)
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("survey-done").is_visible()
    answer = SurveyResponse.objects.get()
    assert (answer.export_realised, answer.target_set, answer.target_achieved,
            answer.satisfaction) == ("no", "yes", "no", 4)  # fmt: skip

    # An export after all: its questions appear, and a missing date is explained beside them.
    page.get_by_role("link", name="回答を確認・修正する").click()
    exported.get_by_label("はい、輸出しました").check()
    assert details.is_visible()
    page.get_by_label("輸出した商品は何ですか").fill("純米吟醸酒")
    page.get_by_role("group", name="支援を受けた後、輸出はどう変わりましたか").get_by_label(
        "増加"
    ).check()
    page.get_by_label("10万円超20万円以下").check()
    page.get_by_role("button", name="回答を送信").click()
    summary = page.get_by_test_id("error-summary")
    link = summary.get_by_role("link", name=re.compile("初めて輸出した日を入力してください"))
    assert link.get_attribute("href") == "#id_first_export_date"
    assert details.is_visible()
    page.get_by_label("初めて輸出した日はいつですか").fill("2026-09-01")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "survey-export-390.png"), full_page=True)
    page.get_by_role("button", name="回答を送信").click()
    assert page.get_by_test_id("survey-done").is_visible()
    answer.refresh_from_db()
    assert (answer.export_realised, str(answer.first_export_date), answer.products,
            answer.trajectory, answer.fee_band) == (
        "yes", "2026-09-01", "純米吟醸酒", "increased", "le200k")  # fmt: skip


def test_stopping_the_e_mails_asks_first_and_can_be_undone(live_server, page):
    survey = SurveyFactory()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("outcomes:answer", args=[survey_token_make(survey)]))
    page.get_by_role("link", name="この調査のメール配信を停止する").click()
    assert page.get_by_test_id("opt-out-confirm").is_visible()
    page.screenshot(path=str(ARTIFACTS / "survey-opt-out-confirm-390.png"), full_page=True)
    survey.refresh_from_db()
    assert survey.opted_out_at is None
    page.get_by_role("button", name="メールの配信を停止する").click()
    assert page.get_by_test_id("opted-out").is_visible()
    page.screenshot(path=str(ARTIFACTS / "survey-opted-out-390.png"), full_page=True)
    survey.refresh_from_db()
    assert survey.opted_out_at is not None
    page.get_by_role("button", name="メールの配信を再開する").click()
    assert page.get_by_test_id("survey-form").is_visible()
    assert "配信を再開しました" in page.locator("main").inner_text()
    survey.refresh_from_db()
    assert survey.opted_out_at is None
