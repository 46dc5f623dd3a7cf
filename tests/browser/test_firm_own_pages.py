"""Browser journey on a phone (390 × 844): the firm reads its page in cards (with the survey
it can answer), reads its data in Japanese and downloads it for Excel, opens the withdraw page
and goes back, asks for its data to be deleted, and then finds the request pending on its page
and an acknowledgement in the outbox. No page scrolls sideways."""

import pytest
from django.urls import reverse

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.tests.factories import CaseFactory
from outcomes.tests.factories import SurveyFactory
from registrations.models import DeletionRequest, Registration
from registrations.tests.factories import RegistrationFactory
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

PHONE = {"width": 390, "height": 844}


def _look(page, name: str) -> None:
    """No sideways scrolling, and a screenshot to look at."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, width)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"firm-390-{name}.png"), full_page=True)


def test_the_firm_reads_its_data_goes_back_and_asks_for_deletion_on_a_phone(live_server, page):
    firm_user = UserFactory(role=Role.BUSINESS)
    registration = RegistrationFactory(contact__user=firm_user,
                                       business__name="株式会社みなと精工")  # fmt: skip
    SurveyFactory(case=CaseFactory(registration=registration))
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, firm_user)

    page.goto(f"{live_server.url}/")
    cards = page.get_by_test_id("my-registrations")
    assert cards.get_by_role("heading", name="株式会社みなと精工").is_visible()
    assert registration.reference in cards.get_by_role("heading", level=3).inner_text()
    surveys = page.get_by_test_id("my-surveys")
    assert surveys.get_by_role("heading", name="6か月後調査").is_visible()
    assert surveys.get_by_role("link", name="回答する").is_visible()
    _look(page, "home")

    # The data, readable: Japanese item names and labels; the CSV for Excel.
    page.get_by_role("link", name="画面で見る・印刷する").click()
    data = page.get_by_test_id("my-data-page")
    data.wait_for()
    assert data.get_by_role("heading", name="登録 1").is_visible()
    assert "取組区分" in data.inner_text()
    assert "はじめての輸出" in data.inner_text()
    assert "first_export" not in data.inner_text()
    _look(page, "data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel用にダウンロード（CSV）").click()
    csv_text = download.value.path().read_bytes().decode("utf-8")
    assert csv_text.startswith("\ufeff区分,項目,内容")
    assert "登録 1,取組区分,はじめての輸出" in csv_text
    page.get_by_role("link", name="登録情報に戻る").click()
    page.get_by_test_id("my-registrations").wait_for()

    # Withdraw: the page has a way back, and going back changes nothing.
    page.get_by_role("link", name="取り下げる").click()
    page.get_by_role("heading", name="登録の取り下げ").wait_for()
    _look(page, "withdraw")
    page.get_by_role("link", name="キャンセルして戻る").click()
    page.get_by_test_id("my-registrations").wait_for()
    assert page.url == f"{live_server.url}/"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED

    # Deletion: asked for once, then pending on the page, acknowledged by e-mail.
    page.get_by_role("link", name="データの削除を依頼する").click()
    page.get_by_role("heading", name="データの削除を依頼する").wait_for()
    _look(page, "deletion")
    page.get_by_label("理由（任意）").fill("事業を終了するため")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="削除を依頼する").click()
    pending = page.get_by_test_id("deletion-pending")
    pending.wait_for()
    request = DeletionRequest.objects.get(business=registration.business)
    assert request.status == DeletionRequest.Status.PENDING
    assert "データの削除を申請中です（" in pending.inner_text()
    assert "受付）" in pending.inner_text()
    assert page.get_by_role("link", name="データの削除を依頼する").count() == 0
    _look(page, "deletion-pending")
    mail = OutboundEmail.objects.get(idempotency_key__startswith="deletion-received:")
    assert mail.to == registration.contact.email
    assert "データ削除のご依頼を受け付けました" in mail.subject
    assert page.url == f"{live_server.url}{reverse('portal:home')}"
