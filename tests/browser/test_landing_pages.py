import pytest
from django.core.management import call_command
from django.utils import translation

from core.models import User
from core.roles import Role
from portal.demo.core import DEMO_LOGINS
from tests.browser.helpers import ARTIFACTS, pass_second_factor
from tests.permissions import LANDING_HEADINGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-test-pass-1"


@pytest.fixture
def demo_data(reference_data, tmp_path):
    with (tmp_path / "seed.txt").open("w") as out:
        call_command("seed_demo", businesses=200, password=PASSWORD, stdout=out)


def japanese(text: str) -> str:
    with translation.override("ja"):
        translated = translation.gettext(text)
    assert translated != text, f"no Japanese translation for {text!r}"
    return translated


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_landing_page_in_japanese(
    role, demo_data, live_server, page
):
    username = next(login.username for login in DEMO_LOGINS if login.role == role)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=japanese("Sign in")).first.click()
    page.get_by_label("メールアドレスまたはログインID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name=japanese("Sign in")).click()
    pass_second_factor(page, User.objects.get(username=username))

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == japanese(LANDING_HEADINGS[role])
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_test_id("signed-in-as").inner_text().strip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"landing-{role.value}.png"), full_page=True)
    # Every navigation entry fits on one line, and the account menu opens.
    for link in page.locator("#main-nav .nav-link").all():
        box = link.bounding_box()
        assert box is not None
        assert box["height"] < 48, link.inner_text()
        assert box["x"] + box["width"] <= 1280, link.inner_text()
    page.get_by_test_id("signed-in-as").click()
    assert page.get_by_role("link", name=japanese("Preferences")).is_visible()

    page.get_by_role("button", name=japanese("Sign out")).click()
    assert page.get_by_role("heading", level=1).inner_text() == japanese("Sign in")
