"""A partner on a phone and on a desk: the home page's funnel, one referral's page and the
support-menu catalogue, with nothing scrolling sideways."""

import pytest
from django.urls import reverse

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory
from reporting.tests.helpers import EXPECTED_FUNNEL, SESSION_NOTE, referral_world
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_a_partner_follows_its_referrals_and_browses_the_catalogue(
    live_server, page, chamber_tokyo, width, height
):
    world = referral_world(chamber_tokyo, Organisation.objects.get(code="chamber-osaka"))
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def looked_at(name: str) -> None:
        assert page.evaluate(SIDEWAYS) == 0, f"{name} scrolls sideways at {width} px"
        page.screenshot(path=str(ARTIFACTS / f"partner-{name}-{width}.png"), full_page=True)

    sign_in(page, live_server, UserFactory(role=Role.PARTNER, organisation=chamber_tokyo))
    assert page.get_by_role("heading", level=1).inner_text() == "紹介した事業者"
    for name, value in EXPECTED_FUNNEL.items():
        figure = page.locator(f'[data-figure="{name}"]')
        assert figure.get_attribute("data-value") == str(value)
        assert figure.inner_text() == str(value)
    looked_at("home")

    page.get_by_role("link", name="輸出実現株式会社").click()
    assert page.get_by_role("heading", level=1).inner_text() == "輸出実現株式会社"
    assert page.get_by_test_id("realised").inner_text().startswith("はい")
    assert "輸出商談会マッチング" in page.get_by_test_id("proposals").inner_text()
    assert SESSION_NOTE not in page.content()
    assert page.url.endswith(reverse("portal:referral-detail", args=[world.realised.pk]))
    looked_at("referral")

    toggler = page.get_by_role("button", name="ナビゲーションを切り替え")
    if toggler.is_visible():  # on a phone the navigation is folded away
        toggler.click()
    page.locator("#main-nav").get_by_role("link", name="支援メニュー").click()
    assert page.get_by_role("heading", level=1).inner_text() == "支援メニュー"
    assert page.get_by_test_id("menu-table").get_by_text("海外展示会出展支援").count() == 1
    looked_at("catalogue")
