"""Browser journey: the concierge sees when each menu's facts were confirmed while proposing;
the firm then finds on its page who its concierge is, how to reach the office, and the
concierge's message once, with its line breaks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from portal.demo.support_menus import catalogue_seed
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_the_firm_sees_its_concierge_and_the_message_once(live_server, page, jetro_tokyo):
    catalogue_seed()
    jetro_tokyo.phone = "03-0000-0000"
    jetro_tokyo.email = "office@example.jp"
    jetro_tokyo.save()
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo,
                            last_name="鈴木", first_name="一郎")  # fmt: skip
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    Case.objects.filter(registration=registration).update(
        concierge=concierge, status=Case.Status.COUNSELLING, stage="preparation",
        first_contact_at=timezone.now(),
    )  # fmt: skip
    case = Case.objects.get(registration=registration)
    firm_user = UserFactory(role=Role.BUSINESS)
    contact = registration.contact
    contact.user = firm_user
    contact.save()

    sign_in(page, live_server, concierge)
    page.goto(live_server.url + reverse("support_menus:case-propose", args=[case.pk]))
    first = page.get_by_test_id("ranking").locator("li[data-menu]").nth(0)
    assert "情報確認日: " in first.get_by_test_id("confirmed-on").inner_text()
    first.locator("input[type=checkbox]").check()
    page.get_by_test_id("ranking").locator("li[data-menu]").nth(1).locator(
        "input[type=checkbox]"
    ).check()
    page.get_by_label("企業へのメッセージ").fill(
        "面談ありがとうございました。\n次の2つをご検討ください。"
    )
    page.get_by_role("button", name="チェックしたメニューを提案").click()
    page.get_by_test_id("proposals").wait_for()

    page.context.clear_cookies()
    sign_in(page, live_server, firm_user)
    page.goto(f"{live_server.url}/")
    card = page.get_by_test_id("my-concierge").inner_text()
    assert "鈴木 一郎" in card
    assert "ジェトロ東京" in card
    assert "03-0000-0000" in card
    assert "office@example.jp" in card
    messages = page.get_by_test_id("concierge-message")
    assert messages.count() == 1
    assert "面談ありがとうございました。\n次の2つをご検討ください。" in messages.inner_text()
    page.screenshot(path=str(ARTIFACTS / "firm-concierge.png"), full_page=True)
