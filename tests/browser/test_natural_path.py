"""Issue 15's natural path on one new case, in the browser: the lead assigns, the concierge
counsels, sets a target, moves the stage, proposes a menu and records its adoption, and the
firm answers its survey with an export. At each step the case page, the referring partner's
list and the ministry's 事業者別進捗 show the same status."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from portal.demo.support_menus import catalogue_seed
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_one_case_along_the_natural_path_shows_the_same_status_everywhere(
    live_server, browser, page, jetro_tokyo, chamber_tokyo
):
    catalogue_seed()
    lead = UserFactory(role=Role.OFFICE_LEAD, organisation=jetro_tokyo)
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo,
                            last_name="鈴木", first_name="一郎")  # fmt: skip
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    ministry = UserFactory(role=Role.MINISTRY)
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    Registration.objects.filter(pk=registration.pk).update(referred_by=chamber_tokyo)
    case = Case.objects.get(registration=registration)
    reference = registration.reference

    def signed_in(user):
        context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
        other = context.new_page()
        other.set_default_timeout(10_000)
        sign_in(other, live_server, user)
        return other

    partner_page, ministry_page = signed_in(partner), signed_in(ministry)

    def shown_everywhere(label: str) -> None:
        assert page.get_by_test_id("case-status").inner_text() == label
        partner_page.goto(live_server.url + reverse("registrations:referral-list"))
        assert label in partner_page.locator("tr", has_text=reference).inner_text()
        ministry_page.goto(live_server.url + reverse("reporting:progress-businesses")
                           + "?date_from=2022-12-16")  # fmt: skip
        row = ministry_page.locator("tr", has_text=reference)
        assert label in row.locator("td").all_inner_texts(), label

    # The lead assigns the new case.
    sign_in(page, live_server, lead)
    page.goto(live_server.url + reverse("counselling:queue"))
    page.get_by_role("checkbox", name="株式会社山田製作所").check()
    page.locator("#id_concierge").select_option(str(concierge.pk))
    page.get_by_role("button", name="チェックした案件を割り当て", exact=True).click()
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, concierge)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    shown_everywhere("新規")

    # The first counselling session.
    page.locator("#session-form summary").click()
    page.locator("#id_session-held_at").fill("2026-11-20T10:00")
    page.locator("#id_session-channel").select_option("meeting")
    page.locator("#id_session-duration_minutes").fill("60")
    page.get_by_label("市場調査").check()
    page.locator("#id_session-notes").fill("米国の日本酒市場について相談")
    page.get_by_role("button", name="記録を保存").click()
    shown_everywhere("カウンセリング中")

    # A target, then the stage.
    page.locator("#target-form summary").click()
    page.locator("input[name='target-target_country'][value='US']").check()
    page.locator("#id_target-target_product").fill("純米吟醸酒")
    page.locator("#id_target-target_amount_yen").fill("5000000")
    page.locator("#id_target-target_date").fill("2027-03-31")
    page.get_by_role("button", name="目標を保存").click()
    page.locator("#stage-form summary").click()
    page.locator("#id_stage-stage").select_option("challenge")
    page.locator("#id_stage-reason").fill("目標設定済みで商談先を探し始めた")
    page.get_by_role("button", name="段階を変更").click()
    assert page.get_by_test_id("case-stage").inner_text() == "輸出挑戦"
    shown_everywhere("カウンセリング中")

    # A proposal, then its adoption.
    page.locator("section#proposals").get_by_role("link", name="支援メニューを提案").click()
    first = page.get_by_test_id("ranking").locator("li[data-menu]").nth(0)
    code = first.get_attribute("data-menu")
    first.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="チェックしたメニューを提案").click()
    shown_everywhere("支援策提案済み")
    for step in ("applied", "adopted"):
        row = page.get_by_test_id("proposals").locator(f"li[data-proposal={code}]")
        row.get_by_label("次のステップ").select_option(step)
        row.get_by_role("button", name="更新").click()
    shown_everywhere("支援中")

    # The firm answers its survey: an export was realised.
    survey = SurveyFactory(case=case)
    firm_page = browser.new_context(locale="ja-JP").new_page()
    firm_page.goto(live_server.url + reverse("outcomes:answer", args=[survey_token_make(survey)]))
    firm_page.get_by_label("はい、輸出しました").check()
    firm_page.get_by_label("初めて輸出した日はいつですか").fill(timezone.localdate().isoformat())
    firm_page.get_by_label("増加").check()
    firm_page.get_by_label("10万円以下").check()
    firm_page.get_by_role("button", name="回答を送信").click()
    firm_page.wait_for_load_state()
    assert firm_page.get_by_test_id("survey-done").is_visible(), firm_page.locator(
        "main"
    ).inner_text()[:600]
    page.reload()
    shown_everywhere("輸出実現")
    page.screenshot(path=str(ARTIFACTS / "natural-path-case.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Case.Status.REALISED
