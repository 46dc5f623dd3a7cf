"""Forms people can finish (issue 16), in the browser, on a phone (390 px) as on a desk:
a failed submit shows the error summary (count, links, focus) with messages that name the
field; the postal code fills in the prefecture and address; sign-in says what the login ID
is and where it went wrong; a password rule is told under the new password."""

import pytest

from core.roles import Role
from core.tests.factories import PASSWORD, UserFactory
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
PHONE = {"width": 390, "height": 844}


def _summary_has_focus(page) -> bool:
    return page.evaluate("document.activeElement.dataset.testid") == "error-summary"


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 900}], ids=["390", "1366"])
def test_an_empty_registration_lists_each_field_by_name_and_the_links_lead_there(
    live_server, page, viewport
):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/register/")
    page.get_by_role("button", name="登録する").click()
    page.wait_for_load_state()

    summary = page.get_by_test_id("error-summary")
    assert _summary_has_focus(page)
    assert summary.get_by_role("heading").inner_text().startswith("入力内容に")
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    assert "事業者名を入力してください。" in texts
    assert "都道府県を選択してください。" in texts
    assert "事業者区分を選択してください。" in texts
    assert not any("このフィールドは必須です" in text for text in texts)
    assert f"入力内容に{links.count()}件の問題があります" in summary.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"register-errors-{viewport['width']}.png"))

    summary.get_by_role("link", name="事業者名を入力してください。").click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    # and the same message sits under the field
    assert "事業者名を入力してください。" in page.locator("#div_id_name").inner_text()


def test_the_postal_code_fills_the_prefecture_and_address_and_says_so(live_server, page):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/register/")
    page.locator("#id_postal_code").fill("１００－００１３")  # as an IME types it
    status = page.get_by_test_id("postal-code-status")
    status.get_by_text("郵便番号から都道府県と住所を入力しました").wait_for()
    assert page.locator("#id_prefecture").input_value() == "13"
    assert page.locator("#id_address").input_value() == "千代田区霞が関"
    assert status.get_attribute("aria-live") == "polite"
    page.locator("#id_address").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "register-postal-code-390.png"))

    # Another code: what the script filled in follows it, what the person typed is kept.
    page.locator("#id_address").fill("千代田区霞が関1-3-1")
    page.locator("#id_postal_code").fill("530-0001")
    status.get_by_text("郵便番号から都道府県を入力しました（大阪府大阪市北区梅田）").wait_for()
    assert page.locator("#id_prefecture").input_value() == "27"
    assert page.locator("#id_address").input_value() == "千代田区霞が関1-3-1"
    # A prefecture the person chose is kept too: the status only says where the code is.
    page.locator("#id_prefecture").select_option("01")
    page.locator("#id_postal_code").fill("100-0013")
    status.get_by_text("この郵便番号の住所は東京都千代田区霞が関です。").wait_for()
    assert page.locator("#id_prefecture").input_value() == "01"


def test_a_wrong_password_is_told_under_the_password_and_in_the_summary(live_server, page):
    user = UserFactory(role=Role.BUSINESS, username="hanako@example.jp")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert "事業者の方は、登録したメールアドレス" in page.locator("#div_id_username").inner_text()
    page.get_by_label("メールアドレスまたはログインID").fill("Hanako@Example.jp")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert _summary_has_focus(page)
    under = page.locator("#div_id_password").inner_text()
    assert "メールアドレス（ログインID）またはパスワードが正しくありません" in under
    page.screenshot(path=str(ARTIFACTS / "login-wrong-390.png"))
    page.get_by_test_id("error-summary").get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_password"

    page.get_by_label("パスワード").fill(PASSWORD)  # the e-mail address in any case
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, user.username


def test_a_staff_password_breaking_a_rule_is_told_under_the_new_password(
    live_server, page, jetro_tokyo
):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    sign_in(page, live_server, concierge)
    page.goto(f"{live_server.url}/accounts/password-change/")
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("1234567890")
    page.locator("#id_new_password2").fill("1234567890")
    page.get_by_role("button", name="パスワードを保存").click()
    page.wait_for_load_state()
    assert _summary_has_focus(page)
    message = "数字だけのパスワードは使えません。英字や記号も入れてください。"
    assert message in page.locator("#div_id_new_password1").inner_text()
    assert message not in page.locator("#div_id_new_password2").inner_text()
    page.get_by_test_id("error-summary").get_by_role("link", name=message).click()
    assert page.evaluate("document.activeElement.id") == "id_new_password1"
