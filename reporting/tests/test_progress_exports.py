"""Progress-report downloads as the real users get them: who may download what, what the files
contain (and never contain), formula injection, the export log, the background XLSX, the
purge of old files, the command, and the exports page."""

import csv
import datetime
import io
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case, CounsellingSession
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting import services
from reporting.filters import ProgressFilters
from reporting.models import ProgressExport
from reporting.progress import SUPPRESSION_RULE
from reporting.resources import AggregateResource, BusinessProgressResource
from reporting.services import business_progress_refresh, progress_exports_purge
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = {"date_from": "2025-04-01", "date_to": "2025-09-30"}
EXPORT_URL = reverse("reporting:progress-export")
EXPORTS_URL = reverse("reporting:progress-exports")
DASHBOARD_URL = reverse("reporting:progress")
EVIL = '=HYPERLINK("http://evil.example","x")'
S = ProgressExport.Status


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def firm(key, name, prefecture, registered_at, *, first_contact_at=None, **case_fields) -> Case:
    """A firm with a contact, a representative, an address and a session note, each a string
    that must never leave the case pages."""
    business = BusinessFactory(
        name=name, prefecture_id=prefecture, size_class="sme",
        representative=f"代表者{key}太郎", address=f"秘密区{key}番地", postal_code="9800001",
    )  # fmt: skip
    registration = RegistrationFactory(
        business=business, registered_at=registered_at, contact__name=f"担当者{key}花子",
        contact__email=f"contact-{key}@secret.example", contact__phone=f"022-{key}00-9999",
        contact__department=f"輸出推進室{key}",
    )  # fmt: skip
    case = CaseFactory(registration=registration, first_contact_at=first_contact_at,
                       **case_fields)  # fmt: skip
    if first_contact_at:
        CounsellingSession.objects.create(
            case=case, held_at=first_contact_at, channel="phone",
            notes=f"極秘メモ{key}：社長の健康問題", attendees=f"担当者{key}花子",
        )  # fmt: skip
    return case


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(db):
    """Four firms registered in the period (three in Tohoku, one in Tokyo) and one before."""
    m1 = firm("1", "宮城精工株式会社", "04", at(2025, 5, 10, 0, 30),
              first_contact_at=at(2025, 5, 12), stage="challenge",
              status=Case.Status.REALISED, realised_on=datetime.date(2025, 8, 1))  # fmt: skip
    menus = SupportMenuFactory.create_batch(2)
    Proposal.objects.create(case=m1, menu=menus[0], score=80, proposed_on=datetime.date(2025, 6, 1),
                            status=Proposal.Status.ADOPTED)  # fmt: skip
    Proposal.objects.create(case=m1, menu=menus[1], score=60, proposed_on=datetime.date(2025, 6, 2))
    for wave, answered, destinations in ((6, at(2025, 6, 20), ["FR"]),
                                         (12, at(2025, 9, 1), ["US", "TW"])):  # fmt: skip
        SurveyResponse.objects.create(
            survey=SurveyFactory(case=m1, wave_months=wave, answered_at=answered),
            export_realised="yes", destinations=destinations, source="web", answered_at=answered,
        )  # fmt: skip
    m2 = firm("2", "青森りんご合同会社", "02", at(2025, 6, 1), first_contact_at=at(2025, 6, 3))
    m3 = firm("3", "仙台食品株式会社", "04", at(2025, 6, 15))
    t1 = firm("4", EVIL, "13", at(2025, 7, 1))
    old = firm("5", "古川商店株式会社", "04", at(2024, 1, 10), first_contact_at=at(2024, 1, 12))
    business_progress_refresh()  # the aggregate tables read the dashboard's fact table
    return {"m1": m1, "m2": m2, "m3": m3, "t1": t1, "old": old}


def secrets_of_firms() -> list[str]:
    keys = "12345"
    return [
        *(f"代表者{k}太郎" for k in keys), *(f"秘密区{k}番地" for k in keys), "9800001",
        *(f"担当者{k}花子" for k in keys), *(f"contact-{k}@secret.example" for k in keys),
        *(f"022-{k}00-9999" for k in keys), *(f"輸出推進室{k}" for k in keys),
        *(f"極秘メモ{k}" for k in keys), "社長の健康問題",
    ]  # fmt: skip


def download(client, **params):
    response = client.get(EXPORT_URL, {**PERIOD, **params})
    assert response.status_code == 200, response
    if response.streaming:
        return response, b"".join(response.streaming_content)
    return response, response.content


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def all_cells(book) -> list:
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def ministry(client, users):
    client.force_login(users[Role.MINISTRY])
    return users[Role.MINISTRY]


# --- who may download what ---------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in (DASHBOARD_URL, EXPORT_URL, EXPORTS_URL,
                reverse("reporting:progress-export-download", args=[1])):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.BUSINESS, 403), (Role.PARTNER, 403), (Role.CONCIERGE, 403),
        (Role.OFFICE_LEAD, 403), (Role.MINISTRY, 200), (Role.ADMIN, 200),
    ],
)  # fmt: skip
def test_only_ministry_and_admin_see_the_dashboard_and_download(client, users, role, expected):
    client.force_login(users[role])
    assert client.get(DASHBOARD_URL).status_code == expected
    assert client.get(EXPORTS_URL).status_code == expected
    for kind in ("aggregates", "businesses"):
        for fmt in ("csv", "xlsx"):
            response = client.get(EXPORT_URL, {"kind": kind, "format": fmt})
            assert response.status_code == expected, (kind, fmt)
    logged = ProgressExport.objects.filter(requested_by=users[role]).count()
    assert logged == (4 if expected == 200 else 0)


def test_business_rows_need_their_own_permission(client, world):
    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_progress_dashboard"))
    client.force_login(viewer)
    assert client.get(DASHBOARD_URL, PERIOD).status_code == 200
    assert client.get(EXPORT_URL, {**PERIOD, "kind": "businesses"}).status_code == 403
    assert client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"}) \
        .status_code == 403  # fmt: skip
    response, content = download(client, kind="aggregates", format="csv")
    assert content.startswith(b"\xef\xbb\xbf")
    page = client.get(DASHBOARD_URL, PERIOD).content.decode()
    assert 'data-testid="export-businesses-csv"' not in page
    assert 'data-testid="export-aggregates-csv"' in page
    assert list(ProgressExport.objects.values_list("kind", flat=True)) == ["aggregates"]


def test_unknown_kinds_and_formats_are_not_found(client, ministry):
    assert client.get(EXPORT_URL, {"kind": "contacts"}).status_code == 404
    assert client.get(EXPORT_URL, {"kind": "businesses", "format": "pdf"}).status_code == 404
    assert not ProgressExport.objects.exists()


def test_bad_filters_send_the_user_back_to_the_dashboard(client, ministry):
    response = client.get(EXPORT_URL, {"kind": "businesses", "region": "kanto",
                                       "prefecture": "04"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].startswith(DASHBOARD_URL + "?")
    assert "prefecture=04" in response["Location"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "絞り込み条件を修正してからエクスポートしてください。"
    ]
    assert not ProgressExport.objects.exists()


# --- no contact data ---------------------------------------------------------------------------


def test_business_level_files_and_the_dashboard_carry_no_contact_data(client, ministry, world):
    secrets = secrets_of_firms()
    _response, content = download(client, kind="businesses", format="csv")
    text = content.decode("utf-8-sig")
    assert "宮城精工株式会社" in text  # the export has the firms ...
    assert [s for s in secrets if s in text] == []  # ... but none of their contact data
    _response, content = download(client, kind="businesses", format="xlsx")
    cells = " ".join(str(value) for value in all_cells(workbook(content)) if value is not None)
    assert "宮城精工株式会社" in cells
    assert [s for s in secrets if s in cells] == []
    for fmt in ("csv", "xlsx"):
        _response, content = download(client, kind="aggregates", format=fmt)
        text = content.decode("utf-8-sig") if fmt == "csv" else " ".join(
            str(value) for value in all_cells(workbook(content)) if value is not None
        )  # fmt: skip
        assert "宮城精工株式会社" not in text
        assert [s for s in secrets if s in text] == []
    page = client.get(DASHBOARD_URL, PERIOD).content.decode()
    assert [s for s in secrets if s in page] == []
    assert "宮城精工株式会社" not in page


# --- the business-level CSV ---------------------------------------------------------------------


def test_business_csv_streams_one_row_per_firm_registered_in_the_period(client, ministry, world):
    response, content = download(client, kind="businesses", format="csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="progress-businesses-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(content)
    headers = [str(h) for h in BusinessProgressResource().get_export_headers()]
    assert rows[0] == headers
    assert headers[:2] == ["受付番号", "事業者名"]  # Japanese, the default language
    assert [row[1] for row in rows[1:]] == [
        "宮城精工株式会社",
        "青森りんご合同会社",
        "仙台食品株式会社",
        "'" + EVIL,
    ]  # oldest registration first; the firm registered before the period is left out
    business = world["m1"].registration.business
    assert rows[1] == [
        world["m1"].registration.reference, "宮城精工株式会社", business.corporate_number,
        "宮城県", "東北", "製造業", "中小企業", "はじめての輸出", "Web",
        "2025-05-10",  # registered at 00:30 Japan time: still 10 May
        "2025-05-12", "輸出挑戦", "輸出実現", "2", "1", "2025-08-01",
        "台湾、米国",  # the latest answer's destinations
    ]  # fmt: skip
    assert rows[2][10:17] == ["2025-06-03", "", "新規", "0", "0", "", ""]


def test_business_csv_follows_the_firm_filters(client, ministry, world):
    _response, content = download(client, kind="businesses", format="csv", region="tohoku")
    assert [row[3] for row in csv_rows(content)[1:]] == ["宮城県", "青森県", "宮城県"]
    _response, content = download(client, kind="businesses", format="csv", prefecture="02")
    assert [row[1] for row in csv_rows(content)[1:]] == ["青森りんご合同会社"]


@pytest.mark.parametrize("name", [EVIL, "+81商事株式会社", "@ホーム株式会社", "-マイナス株式会社"])
def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe(client, ministry, name):
    firm("9", name, "13", at(2025, 5, 1))
    _response, content = download(client, kind="businesses", format="csv")
    [_header, row] = csv_rows(content)
    assert row[1] == "'" + name


# --- the business-level XLSX --------------------------------------------------------------------


def test_business_xlsx_is_a_workbook_with_dates_and_text_that_never_runs(client, ministry, world):
    response, content = download(client, kind="businesses", format="xlsx")
    assert not response.streaming
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = workbook(content)
    assert book.sheetnames == ["事業者別進捗"]
    sheet = book.worksheets[0]
    rows = list(sheet.values)
    assert list(rows[0]) == [str(h) for h in BusinessProgressResource().get_export_headers()]
    assert len(rows) == 1 + 4
    registered = sheet.cell(row=2, column=10)
    assert registered.is_date
    assert registered.value.date() == datetime.date(2025, 5, 10)  # a date cell, not text
    assert registered.value.time() == datetime.time(0)
    assert sheet.cell(row=2, column=14).value == 2  # a number, not text
    evil = sheet.cell(row=5, column=2)
    assert evil.value == EVIL
    assert evil.data_type == "s"  # kept as text: the formula never runs


# --- the aggregate tables -----------------------------------------------------------------------


def test_aggregate_csv_says_what_it_is_and_hides_small_cells(client, ministry, world):
    response, content = download(client, kind="aggregates", format="csv", region="tohoku")
    assert response.streaming
    rows = csv_rows(content)
    notes = [row for row in rows if row and row[0].startswith("# ")]
    assert rows[: len(notes)] == notes  # the notes come first
    assert [len(row) for row in notes] == [1, 1, 1]
    assert notes[0] == ["# 新規輸出１万者支援プログラムの進捗"]
    assert "期間：2025-04-01～2025-09-30。絞り込み：region=tohoku。" in notes[1][0]
    assert notes[2] == [f"# 秘匿処理：{SUPPRESSION_RULE}"]
    assert "二次秘匿" in notes[2][0]  # the rule in Japanese
    header = rows[len(notes)]
    assert header == [str(h) for h in AggregateResource().get_export_headers()]
    data = [dict(zip(header, row, strict=True)) for row in rows[len(notes) + 1 :]]
    cell = {(r["表コード"], r[header[2]], r[header[4]]): (r[header[6]], r[header[7]])
            for r in data}  # fmt: skip
    # Tohoku: 宮城 2 and 青森 1 registered → both hidden; the total 3 is published.
    assert cell[("prefecture", "04", "registered")] == ("X", "X")
    assert cell[("prefecture", "02", "registered")] == ("X", "X")
    assert ("prefecture", "13", "registered") not in cell  # only the region's prefectures
    assert cell[("prefecture", "05", "registered")] == ("0", "0.0")
    assert cell[("prefecture", "total", "registered")] == ("3", "100.0")
    assert cell[("region", "tohoku", "registered")] == ("3", "100.0")
    # Counselled: 宮城 1 and 青森 1; the total of 2 is hidden too.
    assert cell[("region", "total", "counselled")] == ("X", "X")
    assert cell[("funnel", "registered", "firms")] == ("3", "100.0")
    export = ProgressExport.objects.get()
    assert export.row_count == len(data)


def test_aggregate_csv_hides_a_single_firm_and_the_next_smallest_cell(client, ministry, world):
    _response, content = download(client, kind="aggregates", format="csv")
    rows = csv_rows(content)
    cell = {(row[0], row[2], row[4]): row[6] for row in rows if len(row) == 8}
    # Kanto has 1 firm (hidden); Tohoku's 3 is the next smallest and is hidden with it.
    assert cell[("region", "kanto", "registered")] == "X"
    assert cell[("region", "tohoku", "registered")] == "X"
    assert cell[("region", "kinki", "registered")] == "0"
    assert cell[("region", "total", "registered")] == "4"


def test_aggregate_xlsx_has_the_tables_and_a_notes_sheet(client, ministry, world):
    _response, content = download(client, kind="aggregates", format="xlsx", region="tohoku")
    book = workbook(content)
    assert len(book.worksheets) == 2
    assert book.sheetnames == ["集計表", "注記"]
    tables, notes = book.worksheets
    rows = list(tables.values)
    assert list(rows[0]) == [str(h) for h in AggregateResource().get_export_headers()]
    cell = {(row[0], row[2], row[4]): (row[6], row[7]) for row in rows[1:]}
    assert cell[("prefecture", "04", "registered")] == ("X", "X")
    assert cell[("prefecture", "total", "registered")][0] == 3
    assert [row[0] for row in notes.values][2] == f"秘匿処理：{SUPPRESSION_RULE}"
    assert ProgressExport.objects.get().row_count == len(rows) - 1


# --- the export log -----------------------------------------------------------------------------


def test_every_download_is_logged(client, ministry, world):
    for kind, fmt in (("businesses", "csv"), ("businesses", "xlsx"), ("aggregates", "csv")):
        download(client, kind=kind, format=fmt, region="tohoku")
    logged = list(ProgressExport.objects.order_by("pk"))
    filters = ProgressFilters(datetime.date(2025, 4, 1), datetime.date(2025, 9, 30),
                              region="tohoku").as_dict()  # fmt: skip
    assert [(e.requested_by, e.requested_via, e.kind, e.format, e.filters, e.status)
            for e in logged] == [
        (ministry, "web", "businesses", "csv", filters, S.DELIVERED),
        (ministry, "web", "businesses", "xlsx", filters, S.DELIVERED),
        (ministry, "web", "aggregates", "csv", filters, S.DELIVERED),
    ]  # fmt: skip
    assert filters["region"] == "tohoku"
    assert [e.row_count for e in logged[:2]] == [3, 3]
    assert all(e.finished_at is not None for e in logged)


# --- the large XLSX in the background ----------------------------------------------------------


def test_a_large_xlsx_is_built_in_the_background_and_downloaded_by_its_owner(
    client, users, ministry, world, settings, django_capture_on_commit_callbacks
):
    settings.PROGRESS_XLSX_SYNC_MAX_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == EXPORTS_URL
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        ("info", "4者分のXLSXを作成しています。1～2分でこの画面からダウンロードできます。")
    ]
    export = ProgressExport.objects.get()
    assert (export.requested_by, export.kind, export.format) == (ministry, "businesses", "xlsx")
    assert (export.status, export.row_count) == (S.READY, 4)
    assert export.file.name.startswith("progress-exports/progress-businesses-")
    assert export.finished_at is not None

    url = reverse("reporting:progress-export-download", args=[export.pk])
    response = client.get(url)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    content = b"".join(response.streaming_content)  # the test client closes the file
    rows = list(workbook(content).worksheets[0].values)
    assert len(rows) == 5
    assert [row[1] for row in rows[1:]] == [
        "宮城精工株式会社", "青森りんご合同会社", "仙台食品株式会社", EVIL,
    ]  # fmt: skip

    client.force_login(UserFactory(role=Role.MINISTRY))
    assert client.get(url).status_code == 404
    client.force_login(users[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 200
    assert len(list(workbook(b"".join(response.streaming_content)).worksheets[0].values)) == 5


def test_a_pending_export_cannot_be_downloaded(client, ministry, world, settings):
    settings.PROGRESS_XLSX_SYNC_MAX_ROWS = 2
    response = client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"})
    assert response.status_code == 302
    export = ProgressExport.objects.get()
    assert export.status == S.PENDING  # its job runs after the commit
    url = reverse("reporting:progress-export-download", args=[export.pk])
    assert client.get(url).status_code == 404


def test_a_broker_failure_marks_the_export_failed_without_an_error_page(
    client, ministry, world, settings, django_capture_on_commit_callbacks
):
    from reporting.tasks import progress_export_build_task

    settings.PROGRESS_XLSX_SYNC_MAX_ROWS = 2
    with (
        mock.patch.object(progress_export_build_task, "delay",
                          side_effect=OperationalError("broker down")) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):  # fmt: skip
        response = client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == EXPORTS_URL
    export = ProgressExport.objects.get()
    delay.assert_called_once_with(export.pk)
    assert export.status == S.FAILED
    assert (
        export.error
        == "エクスポートを開始できませんでした。しばらくしてからもう一度お試しください。"
    )
    assert not export.file
    page = client.get(EXPORTS_URL).content.decode()
    assert export.error in page


def test_a_build_that_raises_marks_the_export_failed(ministry, world):
    export = services.progress_export_log(
        user=ministry, via="web", kind="businesses", fmt="xlsx",
        filters=ProgressFilters(datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)),
        row_count=4, status=S.PENDING,
    )  # fmt: skip
    from reporting.tasks import progress_export_build_task

    with (
        mock.patch("reporting.exports.business_xlsx", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        progress_export_build_task.apply(args=[export.pk], throw=True)
    export.refresh_from_db()
    assert export.status == S.FAILED
    assert (
        export.error
        == "エクスポートに失敗しました。もう一度お試しいただくか、事務局にお知らせください。"
    )


# --- the purge ---------------------------------------------------------------------------------


def test_old_export_files_are_deleted_and_their_log_rows_kept(ministry, settings, tmp_path):
    settings.PROGRESS_EXPORT_KEEP_DAYS = 7
    now = timezone.now()
    filters = ProgressFilters(datetime.date(2025, 4, 1), datetime.date(2025, 9, 30))

    def ready(days_ago: int) -> ProgressExport:
        export = services.progress_export_log(
            user=ministry, via="web", kind="businesses", fmt="xlsx", filters=filters,
            row_count=1, status=S.PENDING,
        )  # fmt: skip
        export.file.save(f"old-{days_ago}.xlsx", ContentFile(b"PK fake"), save=False)
        export.status = S.READY
        export.finished_at = now - datetime.timedelta(days=days_ago)
        export.save()
        return export

    old, recent = ready(8), ready(2)
    old_path, recent_path = old.file.path, recent.file.path
    assert old_path.startswith(str(tmp_path))
    delivered = services.progress_export_log(
        user=ministry, via="web", kind="aggregates", fmt="csv", filters=filters, row_count=9
    )
    ProgressExport.objects.filter(pk=delivered.pk).update(
        finished_at=now - datetime.timedelta(days=30)
    )
    assert progress_exports_purge(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.file.name) == (S.EXPIRED, "")
    assert not Path(old_path).exists()
    assert (recent.status, bool(recent.file)) == (S.READY, True)
    assert Path(recent_path).exists()
    assert ProgressExport.objects.count() == 3
    assert ProgressExport.objects.get(pk=delivered.pk).status == S.DELIVERED
    assert progress_exports_purge(now=now) == 0


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_the_same_rows_as_the_web_and_logs_them(client, ministry, world,
                                                                   tmp_path):  # fmt: skip
    path = tmp_path / "firms.csv"
    out = io.StringIO()
    call_command("export_progress", format="csv", output=str(path), region="tohoku",
                 date_from="2025-04-01", date_to="2025-09-30", stdout=out)  # fmt: skip
    assert out.getvalue().startswith("3 rows written to ")
    _response, web = download(client, kind="businesses", format="csv", region="tohoku")
    assert path.read_bytes() == web
    assert len(csv_rows(web)) == 1 + 3
    export = ProgressExport.objects.filter(requested_by=None).get()
    assert export.requested_via.startswith("manage.py export_progress")
    assert (export.kind, export.format, export.row_count, export.status) == (
        "businesses", "csv", 3, S.DELIVERED,
    )  # fmt: skip
    assert (
        export.filters
        == ProgressFilters(
            datetime.date(2025, 4, 1), datetime.date(2025, 9, 30), region="tohoku"
        ).as_dict()
    )


def test_the_command_writes_the_aggregate_tables_as_xlsx(world, tmp_path):
    path = tmp_path / "tables.xlsx"
    call_command("export_progress", "--aggregate", format="xlsx", output=str(path),
                 date_from="2025-04-01", date_to="2025-09-30", stdout=io.StringIO())  # fmt: skip
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["集計表", "注記"]
    rows = list(book.worksheets[0].values)
    export = ProgressExport.objects.get()
    assert (export.kind, export.format, export.row_count) == ("aggregates", "xlsx", len(rows) - 1)
    cell = {(row[0], row[2], row[4]): row[6] for row in rows[1:]}
    assert cell[("funnel", "registered", "firms")] == 4


def test_the_command_refuses_bad_filters(tmp_path):
    with pytest.raises(CommandError, match="prefecture: 宮城県は選択した地域に含まれません。"):
        call_command("export_progress", output=str(tmp_path / "x.csv"), region="kanto",
                     prefecture="04")  # fmt: skip
    assert not ProgressExport.objects.exists()


# --- the exports page --------------------------------------------------------------------------


def test_the_exports_page_lists_the_users_exports_and_polls_while_one_is_pending(
    client, users, ministry
):
    filters = ProgressFilters(datetime.date(2025, 4, 1), datetime.date(2025, 9, 30),
                              region="tohoku")  # fmt: skip
    mine = services.progress_export_log(user=ministry, via="web", kind="businesses", fmt="csv",
                                        filters=filters, row_count=1234)  # fmt: skip
    someone_else = services.progress_export_log(
        user=UserFactory(role=Role.MINISTRY), via="web", kind="aggregates", fmt="csv",
        filters=filters, row_count=7,
    )  # fmt: skip
    page = client.get(EXPORTS_URL).content.decode()
    assert f'data-export="{mine.pk}"' in page
    assert f'data-export="{someone_else.pk}"' not in page
    assert "region=tohoku" in page
    assert "1,234" in page
    assert "hx-trigger" not in page

    pending = services.progress_export_log(user=ministry, via="web", kind="businesses",
                                           fmt="xlsx", filters=filters, row_count=20_000,
                                           status=S.PENDING)  # fmt: skip
    page = client.get(EXPORTS_URL).content.decode()
    assert f'data-export="{pending.pk}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{EXPORTS_URL}"' in page
    assert "<html" in page

    partial = client.get(EXPORTS_URL, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert [t.name for t in partial.templates][0] == "reporting/includes/progress_export_rows.html"
    body = partial.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="export-rows"')
    assert 'hx-trigger="every 2s"' in body
    assert f'data-export="{pending.pk}"' in body

    client.force_login(users[Role.ADMIN])
    page = client.get(EXPORTS_URL).content.decode()
    assert f'data-export="{mine.pk}"' in page
    assert f'data-export="{someone_else.pk}"' in page


def test_a_ready_export_has_a_download_link(client, ministry):
    export = services.progress_export_log(
        user=ministry, via="web", kind="businesses", fmt="xlsx",
        filters=ProgressFilters(datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)),
        row_count=5, status=S.PENDING,
    )  # fmt: skip
    export.file.save("ready.xlsx", ContentFile(b"PK fake"), save=False)
    export.status = S.READY
    export.save()
    page = client.get(EXPORTS_URL).content.decode()
    assert f'href="{reverse("reporting:progress-export-download", args=[export.pk])}"' in page
    assert "hx-trigger" not in page


def test_every_note_line_starts_with_a_hash_whatever_it_says(client, ministry, world):
    # In English the rule has commas, and so has the summary of two filters.
    response = client.get(
        EXPORT_URL, {**PERIOD, "kind": "aggregates", "region": "tohoku", "prefecture": "04"},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "# Progress of the New Export 10,000 Companies Support Program"
    assert lines[1].startswith(
        "# Period: 2025-04-01 to 2025-09-30. Filters: region=tohoku, prefecture=04. Created "
    )
    assert lines[2] == f"# Suppression: {SUPPRESSION_RULE}"
    assert "secondary suppression" in lines[2]
    assert lines[3].startswith("Table code,Table,")
    # A reader that skips comment lines finds the header and the rows.
    data = [line for line in lines if not line.startswith("#")]
    rows = list(csv.reader(data))
    assert {len(row) for row in rows} == {8}
