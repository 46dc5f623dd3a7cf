"""A catalogue XLSX is sized before it is read: a 4.8 KB file that declares 3,000 × 16,384
cells, or a zip bomb, is refused with a message, in bounded memory, by the command and the
admin alike. (Before: 394 MB peak for the 4.8 KB file, measured with tracemalloc.)"""

import io
import re
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.roles import Role
from support_menus import resources, xlsx
from support_menus.models import SupportMenu
from support_menus.resources import COLUMNS, CatalogueFileError, dataset_read
from support_menus.tests.helpers import ROW, csv_bytes

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def workbook(rows=(COLUMNS, tuple(ROW[c] for c in COLUMNS))) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with the sheet's XML changed by hand, as an attacker would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def declaring(ref: str, *, last_row: int | None = None) -> bytes:
    """A small workbook whose sheet declares the size `ref` and has a cell on `last_row`."""

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)
        if last_row:
            cell = (
                f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>z</t></is></c></row>'
            )
            xml = xml.replace("</sheetData>", cell + "</sheetData>")
        return xml

    return rewrite_sheet(workbook(), change)


def peak_of(function, *args) -> tuple[object, int]:
    tracemalloc.start()
    try:
        try:
            result = function(*args)
        except Exception as error:  # noqa: BLE001 (the error is the result here)
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sheet_declaring_millions_of_cells_is_refused_in_bounded_memory():
    data = declaring("A1:XFD3000", last_row=3000)
    assert len(data) < 6000  # the 4.8 KB file of the report
    refused, peak = peak_of(dataset_read, data, "xlsx")
    assert isinstance(refused, CatalogueFileError)
    assert str(refused) == str(xlsx.SHEET_TOO_LARGE % {
        "sheet": "Sheet", "rows": "3,000", "columns": "16,384",  # what the sheet declares
        "max_rows": "10,000", "max_columns": "64",  # what a catalogue may be
    })  # fmt: skip
    assert peak < 5 * MB, f"peak {peak / MB:.1f} MB"  # was 394 MB


def test_a_sheet_without_a_declared_size_is_read_only_up_to_the_limit(settings):
    settings.CATALOGUE_MAX_ROWS = 50
    data = rewrite_sheet(workbook(), lambda xml: re.sub(r"<dimension[^>]*/>", "", xml))
    assert "<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()
    assert len(dataset_read(data, "xlsx")) == 1  # an honest small sheet still imports
    far = rewrite_sheet(data, lambda xml: xml.replace("</sheetData>", (
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row>'
        "</sheetData>")))  # fmt: skip
    refused, peak = peak_of(dataset_read, far, "xlsx")
    assert isinstance(refused, CatalogueFileError), refused
    assert peak < 5 * MB, f"peak {peak / MB:.1f} MB"


def test_a_value_beyond_the_allowed_width_is_refused_not_dropped(settings):
    settings.CATALOGUE_MAX_COLUMNS = 30
    data = rewrite_sheet(workbook(), lambda xml: re.sub(r"<dimension[^>]*/>", "", xml).replace(
        "</row></sheetData>",
        '<c r="AZ2" t="inlineStr"><is><t>hidden</t></is></c></row></sheetData>'))  # fmt: skip
    with pytest.raises(CatalogueFileError) as refused:
        dataset_read(data, "xlsx")
    assert str(refused.value) == str(xlsx.CELLS_BEYOND_LIMITS % {
        "sheet": "Sheet", "max_rows": "10,001", "max_columns": "30"})  # fmt: skip


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    def bomb(xml: str) -> str:  # 8 MB of spaces inside the sheet: compresses ~1000 to 1
        return xml.replace("<sheetData>", "<sheetData>" + " " * (8 * MB))

    data = rewrite_sheet(workbook(), bomb)
    assert len(data) < 100_000
    refused, peak = peak_of(dataset_read, data, "xlsx")
    assert isinstance(refused, CatalogueFileError)
    assert str(refused).startswith(str(xlsx.WORKBOOK_TOO_LARGE).split("%")[0])
    assert peak < 5 * MB, f"peak {peak / MB:.1f} MB"


def test_a_workbook_larger_than_the_limit_is_refused(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 2_000
    with pytest.raises(CatalogueFileError, match="MB"):
        dataset_read(workbook(), "xlsx")


def test_trailing_formatted_rows_and_columns_are_not_rows_to_import():
    data = declaring("A1:AD40")  # Excel's used range after formatting empty cells
    dataset = dataset_read(data, "xlsx")
    assert tuple(dataset.headers) == COLUMNS
    assert len(dataset) == 1


def test_a_csv_with_more_rows_than_a_catalogue_is_refused(settings):
    settings.CATALOGUE_MAX_ROWS = 3
    with pytest.raises(CatalogueFileError) as refused:
        dataset_read(csv_bytes([{**ROW, "code": f"m{i}"} for i in range(4)]), "csv")
    assert str(refused.value) == str(resources.TOO_MANY_ROWS % {"rows": "4", "max": "3"})


def test_the_command_refuses_the_crafted_file(tmp_path):
    path = tmp_path / "menus.xlsx"
    path.write_bytes(declaring("A1:XFD3000", last_row=3000))
    with pytest.raises(CommandError, match="16,384"):
        call_command("catalogue", "import", str(path))
    assert not SupportMenu.objects.exists()


def test_the_admin_refuses_the_crafted_file_with_a_message(client, users):
    client.force_login(users[Role.ADMIN])
    upload = io.BytesIO(declaring("A1:XFD3000", last_row=3000))
    upload.name = "menus.xlsx"
    response, peak = peak_of(client.post, reverse("admin:support_menus_supportmenu_import"),
                             {"import_file": upload, "format": 1, "resource": 0})  # fmt: skip
    assert response.status_code == 200
    [error] = response.context["form"].errors["import_file"]
    assert "16,384" in error
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"
    assert not SupportMenu.objects.exists()


def test_an_honest_xlsx_still_imports_through_the_admin(client, users):
    client.force_login(users[Role.ADMIN])
    upload = io.BytesIO(workbook())
    upload.name = "menus.xlsx"
    response = client.post(reverse("admin:support_menus_supportmenu_import"),
                           {"import_file": upload, "format": 1, "resource": 0})  # fmt: skip
    assert response.context["confirm_form"] is not None
    assert "test-hands-on" in response.content.decode()
