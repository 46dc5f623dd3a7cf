"""Browser journey: a concierge ranks the catalogue for a case, proposes two menus, and
follows one of them to adoption; the firm then sees its proposals on its page."""

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from portal.demo.support_menus import catalogue_seed
from registrations.models import Registration
from registrations.services import intake as registration_intake
from registrations.tests.factories import registration_data
from support_menus.models import Proposal
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def counselled_case(reference_data, jetro_tokyo):
    catalogue_seed()
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo,
                            last_name="鈴木", first_name="一郎")  # fmt: skip
    registration = registration_intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.ONLINE
    )
    Case.objects.filter(registration=registration).update(
        concierge=concierge, status=Case.Status.COUNSELLING, stage="preparation",
        first_contact_at=timezone.now(),
    )  # fmt: skip
    return Case.objects.get(registration=registration), concierge


def test_the_concierge_proposes_two_menus_and_follows_one_to_adoption(live_server, page,
                                                                      counselled_case):  # fmt: skip
    case, concierge = counselled_case
    sign_in(page, live_server, concierge)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    section = page.locator("section#proposals")
    assert section.get_by_role("heading", level=2).inner_text() == "支援メニュー"
    section.get_by_role("link", name="支援メニューを提案").click()

    ranking = page.get_by_test_id("ranking")
    items = ranking.locator("li[data-menu]")
    assert items.count() >= 5
    # Every eligible menu says why it fits; the firm asked for market research at registration.
    assert "市場調査" in ranking.inner_text()
    first, second = items.nth(0), items.nth(1)
    first_code, second_code = first.get_attribute("data-menu"), second.get_attribute("data-menu")
    first_name = first.locator("label").inner_text()
    page.get_by_test_id("excluded").locator("summary").click()
    assert page.get_by_test_id("excluded").locator("li[data-menu]").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "propose-menus.png"), full_page=True)

    page.get_by_role("checkbox", name=first_name).check()
    second.locator("input[type=checkbox]").check()
    page.get_by_label("企業へのメッセージ").fill("まずはこの2つをご検討ください。")
    page.get_by_role("button", name="チェックしたメニューを提案").click()

    proposals = page.get_by_test_id("proposals")
    assert proposals.locator(f"li[data-proposal={first_code}]").count() == 1
    assert proposals.locator(f"li[data-proposal={second_code}]").count() == 1
    assert page.get_by_test_id("case-status").inner_text() == "支援策提案済み"

    row = proposals.locator(f"li[data-proposal={first_code}]")
    row.get_by_label("次のステップ").select_option("applied")
    row.get_by_role("button", name="更新").click()
    row = page.get_by_test_id("proposals").locator(f"li[data-proposal={first_code}]")
    row.get_by_label("次のステップ").select_option("adopted")
    row.get_by_role("button", name="更新").click()

    row = page.get_by_test_id("proposals").locator(f"li[data-proposal={first_code}]")
    assert row.get_by_test_id("proposal-status").inner_text() == "採択"
    assert page.get_by_test_id("case-status").inner_text() == "支援中"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert first_name in timeline
    page.get_by_test_id("activity-filters").get_by_role("link", name="提案").click()
    kinds = (
        page.get_by_test_id("timeline")
        .locator("li")
        .evaluate_all("items => items.map(item => item.dataset.kind)")
    )
    assert set(kinds) == {"proposal"}
    page.screenshot(path=str(ARTIFACTS / "case-proposals.png"), full_page=True)

    adopted = Proposal.objects.get(case=case, menu__code=first_code)
    assert adopted.status == Proposal.Status.ADOPTED
    assert adopted.decided_on == timezone.localdate()
    assert adopted.reasons
    assert Proposal.objects.get(case=case, menu__code=second_code).status == "proposed"
    email = OutboundEmail.objects.get(to="hanako@example.jp", idempotency_key__startswith="prop")
    assert first_name in email.body
