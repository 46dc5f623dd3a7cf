"""Browser journey for the ministry's progress dashboard: filters, charts, the firm export."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.tests.factories import CaseFactory
from reporting.filters import fiscal_year_start
from reporting.models import ProgressExport
from tests.browser.helpers import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

TOHOKU_FIRMS = {"株式会社仙台精密": "04", "松島水産株式会社": "04", "盛岡南部鉄器株式会社": "03"}
TOKYO_FIRM = "株式会社東京商事"


def firm_register(name: str, prefecture: str, *, counselled: bool = False):
    """A firm registered (with its case) a moment ago: inside the default period, which runs
    from 1 April of the current fiscal year to today."""
    now = timezone.now()
    return CaseFactory(
        registration__business__name=name,
        registration__business__prefecture_id=prefecture,
        registration__registered_at=now - timedelta(minutes=5),
        first_contact_at=now - timedelta(minutes=1) if counselled else None,
    )


def ministry_user():
    return UserFactory(
        role=Role.MINISTRY, organisation=Organisation.objects.get(code="meti-sme-agency"),
        last_name="経産", first_name="花子",
    )  # fmt: skip


def first_value(table, code: str) -> str:
    """The first measure (registered firms) of a breakdown table's row."""
    return table.locator(f"tr[data-code='{code}'] td").first.inner_text()


def test_ministry_filters_by_region_sees_charts_and_downloads_the_firm_csv(live_server, page):
    for number, (name, prefecture) in enumerate(TOHOKU_FIRMS.items()):
        firm_register(name, prefecture, counselled=number == 0)
    firm_register(TOKYO_FIRM, "13", counselled=True)
    ministry = ministry_user()
    today = timezone.localdate()
    period = f"期間：{date_format(fiscal_year_start(today))}～{date_format(today)}"

    sign_in(page, live_server, ministry)
    page.get_by_role("navigation").get_by_role("link", name="進捗ダッシュボード").click()
    expect(page.get_by_role("heading", name="進捗ダッシュボード", level=1)).to_be_visible()
    expect(page.get_by_test_id("period")).to_have_text(period)
    # The figures come from a fact table, built on this first visit (the test database starts
    # without one), so they include the firms created above.
    expect(page.get_by_test_id("refreshed-at")).to_be_visible()
    expect(page.get_by_test_id("headline-registered")).to_have_text("4")
    expect(page.get_by_test_id("headline-counselled")).to_have_text("2")
    regions = page.get_by_test_id("table-region")
    expect(regions).to_be_visible()
    assert first_value(regions, "tohoku") == "3"
    assert first_value(regions, "kanto") == "1"
    assert regions.locator("tfoot td").first.inner_text() == "4"

    page.locator("#id_region").select_option(label="東北")
    page.get_by_role("button", name="表示", exact=True).click()

    heading = page.get_by_test_id("period")
    expect(heading).to_contain_text(period)
    expect(heading.locator(".badge")).to_have_text(["経済産業局管内: 東北"])
    expect(page.get_by_test_id("headline-registered")).to_have_text(str(len(TOHOKU_FIRMS)))
    expect(page.get_by_test_id("headline-counselled")).to_have_text("1")
    prefectures = page.get_by_test_id("table-prefecture")
    assert first_value(prefectures, "04") == "2"
    assert first_value(prefectures, "03") == "1"
    # Only Tohoku's six prefectures are listed once the region is chosen.
    expect(prefectures.locator("tbody tr")).to_have_count(6)
    expect(prefectures.locator("tr[data-code='13']")).to_have_count(0)
    assert prefectures.locator("tfoot td").first.inner_text() == str(len(TOHOKU_FIRMS))
    regions = page.get_by_test_id("table-region")
    assert first_value(regions, "tohoku") == "3"
    assert first_value(regions, "kanto") == "0"
    funnel = page.get_by_test_id("table-funnel")
    assert first_value(funnel, "registered") == "3"
    assert first_value(funnel, "counselled") == "1"

    canvas = page.locator("canvas[data-chart='region']")
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 0
    assert box["height"] > 0
    assert canvas.evaluate("canvas => Chart.getChart(canvas) !== undefined")
    registered = canvas.evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data")
    assert sum(registered) == len(TOHOKU_FIRMS)
    page.screenshot(path=str(ARTIFACTS / "progress-dashboard.png"), full_page=True)

    page.get_by_test_id("export-menu").click()
    item = page.get_by_test_id("export-businesses-csv")
    expect(item).to_have_text("事業者別進捗（CSV）")
    with page.expect_download() as info:
        item.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    for column in ("受付番号", "事業者名", "都道府県", "経済産業局管内"):
        assert column in header, column
    names = {row[header.index("事業者名")] for row in body}
    assert names == set(TOHOKU_FIRMS)
    assert TOKYO_FIRM not in content.decode("utf-8-sig")
    assert {row[header.index("経済産業局管内")] for row in body} == {"東北"}
    assert sorted(row[header.index("都道府県")] for row in body) == ["宮城県", "宮城県", "岩手県"]

    export = ProgressExport.objects.get()
    assert export.kind == ProgressExport.Kind.BUSINESSES
    assert export.format == ProgressExport.Format.CSV
    assert export.filters["region"] == "tohoku"
    assert export.row_count == len(TOHOKU_FIRMS)
    assert export.requested_by == ministry

    # The same firms, on screen, with the filter kept.
    page.get_by_test_id("firms-link").click()
    expect(page.get_by_role("heading", name="事業者別進捗")).to_be_visible()
    table = page.get_by_test_id("firm-table")
    for name in TOHOKU_FIRMS:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(TOKYO_FIRM)
    expect(page.locator("#id_region")).to_have_value("tohoku")


def test_concierge_has_no_dashboard_link_and_is_refused(live_server, page, jetro_tokyo):
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)

    sign_in(page, live_server, concierge)
    expect(page.get_by_role("link", name="案件一覧").first).to_be_visible()
    expect(page.get_by_role("link", name="進捗ダッシュボード")).to_have_count(0)

    response = page.goto(f"{live_server.url}/reports/progress/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="アクセスが拒否されました")).to_be_visible()
    expect(page.get_by_test_id("headlines")).to_have_count(0)


def test_printed_dashboard_hides_the_filters_and_navigation(live_server, page):
    firm_register("株式会社仙台精密", "04")
    sign_in(page, live_server, ministry_user())
    page.goto(f"{live_server.url}/reports/progress/")
    expect(page.get_by_test_id("progress-filters")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.get_by_test_id("progress-filters")).to_be_hidden()
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_test_id("export-menu")).to_be_hidden()
    for key in ("region", "prefecture", "funnel"):
        expect(page.get_by_test_id(f"table-{key}")).to_be_visible()
    expect(page.get_by_test_id("headline-registered")).to_have_text("1")
