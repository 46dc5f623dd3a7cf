"""Issue 13, "what comes out always opens", for the progress reports: every XLSX writer (the
download, the background job, the command and the aggregate tables) drops the characters
openpyxl refuses."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from core.roles import Role
from counselling.tests.factories import CaseFactory
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting import exports
from reporting.models import ProgressExport

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("reporting:progress-export")
PERIOD = {"date_from": "2025-04-01", "date_to": "2025-09-30"}


@pytest.fixture
def vt_firm():
    import datetime
    from zoneinfo import ZoneInfo

    business = BusinessFactory(name="縦\vタブ\x07株式会社", prefecture_id="13", size_class="sme")
    registration = RegistrationFactory(
        business=business,
        registered_at=datetime.datetime(2025, 6, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo")),
    )
    return CaseFactory(registration=registration)


def names_in(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [row[1] for row in list(book.worksheets[0].values)[1:]]


def test_a_vertical_tab_in_a_firm_name_no_longer_fails_the_business_xlsx(client, users, vt_firm):
    """Before: openpyxl raised IllegalCharacterError and the download answered 500."""
    client.force_login(users[Role.MINISTRY])
    response = client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"})
    assert response.status_code == 200
    assert names_in(response.content) == ["縦タブ株式会社"]


def test_the_background_xlsx_and_the_command_also_drop_them(
    client, users, vt_firm, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.PROGRESS_XLSX_SYNC_MAX_ROWS = 0
    client.force_login(users[Role.MINISTRY])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT_URL, {**PERIOD, "kind": "businesses", "format": "xlsx"})
    assert response.status_code == 302
    export = ProgressExport.objects.get()
    assert export.status == ProgressExport.Status.READY, export.error
    assert names_in(export.file.read()) == ["縦タブ株式会社"]

    path = tmp_path / "firms.xlsx"
    call_command("export_progress", format="xlsx", output=str(path), **{"from": "2025-04-01",
                 "to": "2025-09-30"})  # fmt: skip
    assert names_in(path.read_bytes()) == ["縦タブ株式会社"]


def test_the_aggregate_xlsx_writer_drops_them_in_cells_and_notes():
    target = io.BytesIO()
    exports.write_xlsx(target, ["表\v"], [["区分\x0b\x1f"], [1]], title="集計",
                       notes=["注記\x0c"])  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(target.getvalue()))
    assert list(book.worksheets[0].values) == [("表",), ("区分",), (1,)]
    assert list(book.worksheets[1].values) == [("注記",)]
