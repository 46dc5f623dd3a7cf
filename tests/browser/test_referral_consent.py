"""A partner refers a firm and the firm, on its phone, checks and corrects the referral,
consents, and later opens the link again (issue 16: referral consent that means something)."""

import pytest

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from registrations.models import Registration
from tests.browser.helpers import ARTIFACTS, fill_business_and_contact, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_firm_corrects_the_referral_on_its_phone_and_consents(
    live_server, page, browser, chamber_tokyo
):
    page.set_viewport_size(PHONE)
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    sign_in(page, live_server, partner)
    page.goto(f"{live_server.url}/partner/referrals/new/")
    fill_business_and_contact(page)
    page.locator("#id_name").fill("株式会社山田製作")  # the partner's typo
    page.get_by_role("button", name="紹介を送信する").click()
    page.wait_for_load_state()

    body = OutboundEmail.objects.get(to="hanako@example.jp").body
    assert "までに下記のリンクを開き" in body
    link = next(line for line in body.splitlines() if "/register/confirm/" in line)
    path = link[link.index("/register/confirm/") :]

    # The firm opens the mail on its own phone.
    firm = browser.new_context(locale="ja-JP", viewport=PHONE).new_page()
    firm.goto(live_server.url + path)
    main = firm.locator("main")
    assert "東京商工会議所" in main.inner_text()
    assert firm.locator("#id_name").input_value() == "株式会社山田製作"
    assert firm.locator("#id_prefecture option:checked").inner_text() == "東京都"
    assert firm.locator("#id_corporate_number").is_disabled()
    assert no_sideways_scroll(firm)
    firm.screenshot(path=str(ARTIFACTS / "consent-390.png"), full_page=True)

    firm.locator("#id_name").fill("株式会社山田製作所")
    firm.locator("#id_consent_privacy").check()
    firm.get_by_role("button", name="内容を確認して登録する").click()
    firm.wait_for_load_state()
    error = firm.locator("#error_1_id_consent_sharing")
    assert "同意" in error.inner_text()
    summary = firm.get_by_test_id("error-summary")
    assert "1件" in summary.inner_text()
    assert firm.locator("#id_name").input_value() == "株式会社山田製作所"  # nothing lost
    firm.screenshot(path=str(ARTIFACTS / "consent-unticked-390.png"), full_page=True)
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.AWAITING_CONSENT

    firm.locator("#id_consent_privacy").check()
    firm.locator("#id_consent_sharing").check()
    firm.get_by_role("button", name="内容を確認して登録する").click()
    assert firm.get_by_test_id("reference").inner_text() == registration.reference
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.business.name == "株式会社山田製作所"

    firm.goto(live_server.url + path)
    assert firm.get_by_role("heading", level=1).inner_text() == "登録は完了しています"
    assert firm.get_by_test_id("link-done").get_by_role("link", name="ログイン").is_visible()
    assert no_sideways_scroll(firm)
    firm.screenshot(path=str(ARTIFACTS / "consent-done-390.png"), full_page=True)
    firm.context.close()
