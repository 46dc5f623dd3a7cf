"""Browser journeys for the front door: a firm registers; a partner refers and the firm
confirms. Fields are found by their ids; what the person reads is asserted in Japanese."""

import re

import pytest

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from registrations.models import Registration
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def fill_business_and_contact(page, *, corporate_number="７０１０７０５０００７２５"):
    page.locator("#id_entity_type_0").check()  # 法人
    page.locator("#id_corporate_number").fill(corporate_number)
    page.locator("#id_name").fill("株式会社山田製作所")
    page.locator("#id_name_kana").fill("やまだせいさくしょ")
    page.locator("#id_representative").fill("山田 太郎")
    page.locator("#id_postal_code").fill("〒100-0013")
    page.locator("#id_prefecture").select_option("13")
    page.locator("#id_address").fill("千代田区霞が関1-3-1")
    page.locator("#id_industry_option").select_option("E")
    page.locator("#id_capital_yen").fill("10000000")
    page.locator("#id_employees").fill("12")
    page.locator("#id_contact_name").fill("山田 花子")
    page.locator("#id_contact_name_kana").fill("ヤマダ ハナコ")
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("#id_email_confirm").fill("hanako@example.jp")
    page.locator("#id_phone").fill("03-1234-5678")
    page.locator("#id_challenge_type_0").check()  # はじめての輸出
    page.get_by_label("ターゲット国の市場調査に取り組みたい").check()
    page.locator("#id_products").fill("純米吟醸酒")
    page.locator("input[name=destinations][value=US]").check()
    page.locator("input[name=destinations][value=TW]").check()
    page.locator("#id_export_experience_0").check()


def test_a_first_time_firm_registers_in_japanese_and_gets_its_reference(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="プログラムに登録する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "プログラムに登録する"
    fill_business_and_contact(page)
    page.locator("#id_referral_source").select_option("chamber")
    page.locator("#id_referral_organisation_name").fill("東京商工会議所")
    page.locator("#id_consent_privacy").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="登録する").click()

    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"EX-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert "ご登録を受け付けました" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "register-done.png"), full_page=True)
    registration = Registration.objects.get(reference=reference)
    assert registration.business.name_kana == "ヤマダセイサクショ"
    assert registration.business.corporate_number == "7010705000725"
    assert OutboundEmail.objects.filter(to="hanako@example.jp").exists()


def test_a_wrong_corporate_number_shows_its_message_next_to_the_field(live_server, page):
    page.goto(f"{live_server.url}/register/")
    fill_business_and_contact(page, corporate_number="2835678256246")
    page.locator("#id_referral_source").select_option("web")
    page.locator("#id_consent_privacy").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="登録する").click()

    error = page.locator("#error_1_id_corporate_number")
    assert "法人番号" in error.inner_text()
    assert page.locator("#id_name").input_value() == "株式会社山田製作所"  # nothing lost
    page.screenshot(path=str(ARTIFACTS / "register-error.png"), full_page=True)
    assert not Registration.objects.exists()


def test_a_partner_refers_a_firm_and_the_firm_confirms(live_server, page, chamber_tokyo):
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    sign_in(page, live_server, partner)
    page.get_by_role("link", name="事業者を紹介する").first.click()
    fill_business_and_contact(page)
    page.get_by_role("button", name="紹介を送信する").click()
    row = page.get_by_test_id("referral-table").locator("tbody tr").first
    assert "事業者の同意待ち" in row.inner_text()

    registration = Registration.objects.get()
    body = OutboundEmail.objects.get(to="hanako@example.jp").body
    link = next(line for line in body.splitlines() if "/register/confirm/" in line)
    page.get_by_role("button", name="ログアウト").click()
    page.goto(live_server.url + link[link.index("/register/confirm/") :])
    assert "東京商工会議所" in page.locator("main").inner_text()
    page.locator("#id_consent_privacy").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="内容を確認して登録する").click()
    assert page.get_by_test_id("reference").inner_text() == registration.reference
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
