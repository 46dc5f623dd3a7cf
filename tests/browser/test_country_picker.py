"""The country picker as a firm uses it on the registration form: search in Japanese, choose
with the keyboard, see and remove the chosen countries as chips; 「未定」 and countries exclude
each other; it works on a phone and without JavaScript."""

import pytest

from tests.browser.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

PHONE = {"width": 390, "height": 844}


def ticked(page) -> list[str]:
    return page.eval_on_selector_all(
        "input[name=destinations]:checked", "boxes => boxes.map(box => box.value)"
    )


def chips(page) -> list[str]:
    return page.locator(".country-picker-chips li > span:first-child").all_inner_texts()


def visible_countries(page) -> list[str]:
    return page.locator(".country-picker-option:visible label").all_inner_texts()


def test_a_firm_finds_countries_by_japanese_reading_and_removes_one_by_keyboard(live_server, page):
    page.goto(f"{live_server.url}/register/")
    search = page.get_by_label("国・地域名で探す（例: タイ、たい、Thailand）")
    assert "Ctrl" not in page.locator("main").inner_text()
    # The main destinations first, as listed; then the rest in 五十音 order.
    assert visible_countries(page)[:8] == [
        "中国", "米国", "台湾", "香港", "韓国", "タイ", "ベトナム", "シンガポール"
    ]  # fmt: skip

    search.fill("べい")  # hiragana finds 米国 by its reading
    assert visible_countries(page) == ["米国", "米領サモア"]
    search.press("Enter")  # chooses the first match, does not send the form
    assert "/register/" in page.url
    assert search.input_value() == ""
    search.fill("Taiwan")
    page.get_by_label("台湾", exact=True).check()
    search.fill("ﾍﾞﾄﾅﾑ")  # half-width katakana too
    search.press("Enter")
    assert chips(page) == ["米国", "台湾", "ベトナム"]
    assert ticked(page) == ["US", "TW", "VN"]
    page.locator("[data-country-picker]").screenshot(path=str(ARTIFACTS / "country-picker.png"))

    remove = page.get_by_role("button", name="台湾を外す")
    remove.focus()
    page.keyboard.press("Enter")
    assert chips(page) == ["米国", "ベトナム"]
    assert ticked(page) == ["US", "VN"]
    # Focus stays in the chips, on the next one.
    assert page.evaluate("document.activeElement.textContent") == "×ベトナムを外す"

    search.fill("ぞぞぞ")
    assert page.locator(".country-picker-empty").inner_text() == "該当する国・地域はありません。"
    assert page.locator(".country-picker-empty").is_visible()


def test_not_decided_and_countries_exclude_each_other(live_server, page):
    page.goto(f"{live_server.url}/register/")
    page.get_by_label("中国", exact=True).check()
    page.get_by_label("タイ", exact=True).check()
    undecided = page.get_by_label("未定")
    undecided.check()
    assert ticked(page) == []
    assert chips(page) == []
    page.get_by_label("韓国", exact=True).check()
    assert not undecided.is_checked()
    assert chips(page) == ["韓国"]


def test_on_a_phone_the_picker_fits_the_screen(live_server, browser):
    context = browser.new_context(locale="ja-JP", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/register/")
    page.get_by_label("国・地域名で探す（例: タイ、たい、Thailand）").fill("シンガ")
    page.get_by_label("シンガポール", exact=True).check()
    picker = page.locator("#div_id_destinations")
    picker.scroll_into_view_if_needed()
    box = picker.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "country-picker-phone.png"))
    context.close()


def test_without_javascript_the_countries_are_plain_boxes(live_server, browser):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/register/")
    assert not page.locator(".country-picker-search").is_visible()
    page.get_by_label("台湾", exact=True).check()
    page.get_by_label("ドイツ", exact=True).check()
    assert ticked(page) == ["TW", "DE"]
    context.close()
