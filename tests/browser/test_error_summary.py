"""A failed submit shows the error summary at the top of the page and moves focus to it."""

import pytest

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_a_target_saved_without_a_country_is_refused_with_a_focused_summary(
    live_server, page, jetro_tokyo
):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    case = Case.objects.get()
    case.concierge = concierge
    case.save(update_fields=["concierge"])

    sign_in(page, live_server, concierge)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("#target-form summary").click()  # the form opens where it is used
    assert not page.locator("input[name='target-target_country']:checked").count()
    page.locator("#id_target-target_product").fill("純米吟醸酒")
    page.get_by_role("button", name="目標を保存").click()
    page.wait_for_load_state()

    summary = page.get_by_test_id("error-summary")
    assert "入力内容に3件の問題があります" in summary.inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary", page.evaluate(
        "document.activeElement.outerHTML.slice(0, 200)"
    )
    link = summary.get_by_role("link", name="目標国・地域を選択してください。")
    assert link.get_attribute("href") == "#id_target-target_country"
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_target-target_country"
    case.refresh_from_db()
    assert not case.target_country
