"""Browser journey for the concierge workspace."""

import pytest

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_lead_assigns_and_the_concierge_counsels_sets_a_target_and_moves_the_stage(
    live_server, page, jetro_tokyo
):
    lead = UserFactory(role=Role.OFFICE_LEAD, organisation=jetro_tokyo, last_name="田中")
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo,
                            last_name="鈴木", first_name="一郎")  # fmt: skip
    registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    case = Case.objects.get()

    sign_in(page, live_server, lead)
    page.get_by_role("link", name="事務所の未割当案件").first.click()
    page.get_by_role("checkbox", name="株式会社山田製作所").check()
    page.locator("#id_concierge").select_option(str(concierge.pk))
    page.get_by_role("button", name="チェックした案件を割り当て", exact=True).click()
    assert "割り当て" in page.locator("main").inner_text()
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, concierge)
    page.get_by_role("link", name="案件一覧").first.click()
    page.get_by_role("link", name="株式会社山田製作所").click()
    page.locator("#id_session-held_at").fill("2026-11-20T10:00")
    page.locator("#id_session-channel").select_option("meeting")
    page.get_by_label("市場調査").check()
    page.get_by_label("商談先探し").check()
    page.locator("#id_session-notes").fill("米国の日本酒市場について相談")
    page.locator("#id_session-stage_assessed").select_option("preparation")
    page.get_by_role("button", name="記録を保存").click()
    # A meeting with 課題 recorded is the first counselling session.
    assert page.get_by_test_id("case-status").inner_text() == "カウンセリング中"

    page.locator("#id_target-target_country").select_option("US")
    page.locator("#id_target-target_product").fill("純米吟醸酒")
    page.locator("#id_target-target_amount_yen").fill("5000000")
    page.locator("#id_target-target_date").fill("2027-03-31")
    page.get_by_role("button", name="目標を保存").click()

    page.locator("#id_stage-stage").select_option("challenge")
    page.locator("#id_stage-reason").fill("目標設定済みで商談先を探し始めた")
    page.get_by_role("button", name="段階を変更").click()

    assert page.get_by_test_id("case-stage").inner_text() == "輸出挑戦"
    timeline = page.get_by_test_id("timeline").inner_text()
    for expected in ("鈴木 一郎に割り当て", "市場調査", "純米吟醸酒", "輸出準備 → 輸出挑戦",
                     case.registration.reference):  # fmt: skip
        assert expected in timeline, expected
    page.screenshot(path=str(ARTIFACTS / "case-page.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING
    assert case.first_contact_at is not None


def test_a_first_contact_only_moves_the_case_to_contacted_and_the_list_shows_what_is_due(
    live_server, page, jetro_tokyo
):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo, last_name="鈴木")
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    Case.objects.filter(registration=registration).update(concierge=concierge)
    case = Case.objects.get()

    sign_in(page, live_server, concierge)
    page.get_by_role("link", name="案件一覧").first.click()
    for name in ("mine", "overdue"):  # yes/no filters
        options = page.locator(f"select[name={name}] option").all_inner_texts()
        assert options == ["すべて", "はい", "いいえ"], name
    page.get_by_role("link", name="株式会社山田製作所").click()
    assert page.get_by_test_id("case-status").inner_text() == "新規"
    page.locator("#id_session-held_at").fill("2026-11-20T10:00")
    page.locator("#id_session-channel").select_option("phone")
    page.get_by_label("初回連絡のみ").check()
    page.get_by_role("button", name="記録を保存").click()
    assert page.get_by_test_id("case-status").inner_text() == "初回連絡済み"
    assert "初回連絡のみ" in page.get_by_test_id("timeline").inner_text()
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED
    assert case.first_contact_at is not None
