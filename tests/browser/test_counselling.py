"""Browser journey for the concierge workspace."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def days_ahead(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


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
    # The lead lands on the queue counts and the first contacts overdue.
    assert page.get_by_test_id("unassigned-count").inner_text() == "1"
    page.get_by_role("link", name="事務所の未割当案件").first.click()
    # Select-all ticks every case of the page (static/js/select-all.js), and clears them.
    select_all = page.get_by_role("checkbox", name="すべて選択")
    select_all.check()
    assert page.get_by_role("checkbox", name="株式会社山田製作所").is_checked()
    select_all.uncheck()
    assert not page.get_by_role("checkbox", name="株式会社山田製作所").is_checked()
    page.get_by_role("checkbox", name="株式会社山田製作所").check()
    # Each concierge with their open caseload.
    assert "鈴木 一郎（担当 0件）" in page.locator("#id_concierge").inner_text()
    page.locator("#id_concierge").select_option(str(concierge.pk))
    page.get_by_role("button", name="チェックした案件を割り当て", exact=True).click()
    assert "割り当て" in page.locator("main").inner_text()
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, concierge)
    # The concierge lands on their work: the new assignment is there.
    page.get_by_test_id("work-new").get_by_role("link", name="株式会社山田製作所").click()
    page.wait_for_url(re.compile(r"/cases/[0-9]+/$"))
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings[:4] == ["概要", "活動", "支援メニュー", "調査"]
    # Each form opens where it is used.
    assert not page.locator("#id_session-held_at").is_visible()
    page.locator("#session-form summary").click()
    page.locator("#id_session-held_at").fill("2026-11-20T10:00")
    page.locator("#id_session-channel").select_option("meeting")
    page.locator("#id_session-duration_minutes").fill("60")
    page.get_by_label("市場調査").check()
    page.get_by_label("商談先探し").check()
    page.locator("#id_session-notes").fill("米国の日本酒市場について相談")
    page.locator("#id_session-stage_assessed").select_option("preparation")
    page.locator("#id_session-next_action").fill("見積書を送る")
    page.locator("#id_session-next_action_due").fill(days_ahead(10))
    page.get_by_role("button", name="記録を保存").click()
    # A meeting with 課題 recorded is the first counselling session.
    assert page.get_by_test_id("case-status").inner_text() == "カウンセリング中"

    # The next action at the top: rescheduled, then done; both on the timeline.
    assert page.get_by_test_id("next-action-text").inner_text() == "見積書を送る"
    page.locator("#next-action-reschedule-form summary").click()
    page.locator("#id_reschedule-due").fill(days_ahead(17))
    page.get_by_role("button", name="この日に延期").click()
    due = timezone.localdate() + datetime.timedelta(days=17)
    assert page.get_by_test_id("next-action-due").inner_text() == date_format(due)  # 2026年12月18日
    page.locator("#next-action-done-form").get_by_role("button", name="完了").click()
    assert page.get_by_test_id("next-action-text").count() == 0

    # A logged session is corrected on its own page, with who and when on the timeline.
    page.get_by_test_id("timeline").get_by_role("link", name="訂正").click()
    page.locator("#id_session-duration_minutes").fill("90")
    page.get_by_role("button", name="訂正を保存").click()
    assert "90分" in page.get_by_test_id("timeline").inner_text()
    assert "面談記録の訂正" in page.get_by_test_id("timeline").inner_text()

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
    timeline = page.get_by_test_id("timeline").inner_text()
    for expected in ("鈴木 一郎に割り当て", "市場調査", "純米吟醸酒", "輸出準備 → 輸出挑戦",
                     case.registration.reference):  # fmt: skip
        assert expected in timeline, expected
    page.screenshot(path=str(ARTIFACTS / "case-page.png"), full_page=True)
    # The activity stream filtered to stage changes only (a plain GET).
    page.get_by_test_id("activity-filters").get_by_role("link", name="段階の変更").click()
    stages = page.get_by_test_id("timeline").inner_text()
    assert "輸出準備 → 輸出挑戦" in stages
    assert "純米吟醸酒" not in stages
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
    page.locator("#session-form summary").click()
    page.locator("#id_session-held_at").fill("2026-11-20T10:00")
    page.locator("#id_session-channel").select_option("phone")
    page.locator("#id_session-duration_minutes").fill("10")
    page.get_by_label("初回連絡のみ").check()
    page.get_by_role("button", name="記録を保存").click()
    assert page.get_by_test_id("case-status").inner_text() == "初回連絡済み"
    assert "初回連絡のみ" in page.get_by_test_id("timeline").inner_text()
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED
    assert case.first_contact_at is not None
