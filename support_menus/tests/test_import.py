"""The catalogue as a file: the shipped catalogue, the command, the admin import, and
malformed files (columns, values, dates, encodings) that must fail clearly and change nothing."""

import io
from datetime import date

import pytest
import tablib
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.file_messages import (
    BAD_DATE,
    BAD_YEN,
    MISSING_COLUMNS,
    PROBLEMS,
    ROW_COLUMN_ERROR,
    ROW_ERROR,
    ROW_WIDTH,
    UNKNOWN_CODES,
    UNREADABLE_ENCODING,
)
from support_menus import resources
from support_menus.models import SupportMenu
from support_menus.resources import COLUMNS, CatalogueFileError, dataset_read, result_errors
from support_menus.services import catalogue_import
from support_menus.tests.helpers import ROW, csv_bytes, run_import

pytestmark = pytest.mark.django_db


def test_the_shipped_catalogue_imports_cleanly(catalogue):
    menus = SupportMenu.objects.all()
    assert menus.count() >= 30
    assert not menus.filter(source_url="").exists()
    assert set(menus.values_list("category", flat=True)) == {
        "hands_on", "cross_border_ec", "trade_fairs", "trading_matching", "finance",
        "insurance", "ip", "subsidy", "training", "information",
    }  # fmt: skip
    for name in ("JAPAN MALL", "外国出願", "輸出代金保険", "ものづくり補助金", "持続化補助金"):
        assert menus.filter(name__contains=name).exists(), name


def test_a_dry_run_reports_what_would_change_and_writes_nothing():
    result = run_import([ROW], dry_run=True)
    assert result_errors(result) == []
    assert result.totals["new"] == 1
    assert not SupportMenu.objects.exists()


def test_an_import_creates_menus_with_every_column():
    result = run_import([{**ROW, "subsidy_cap_yen": "3,000,000", "subsidy_rate": "1/2",
                          "opens_on": "2026-04-01", "closes_on": "2026-12-22"}])  # fmt: skip
    assert result_errors(result) == []
    menu = SupportMenu.objects.get(code="test-hands-on")
    assert menu.stages == ["preparation", "challenge"]
    assert sorted(menu.issue_tags.values_list("code", flat=True)) == ["buyers", "market_research"]
    assert sorted(menu.industries.values_list("code", flat=True)) == ["E", "I"]
    assert menu.size_classes == ["small", "sme"]
    assert menu.subsidy_cap_yen == 3_000_000
    assert str(menu.closes_on) == "2026-12-22"
    assert menu.history.exists()


def test_importing_again_updates_by_code_instead_of_duplicating():
    run_import([ROW])
    result = run_import([{**ROW, "name": "改名した伴走支援", "stages": "expansion"}])
    assert result.totals["update"] == 1
    menu = SupportMenu.objects.get()
    assert (menu.name, menu.stages) == ("改名した伴走支援", ["expansion"])
    assert (
        run_import([{**ROW, "name": "改名した伴走支援", "stages": "expansion"}]).totals["skip"] == 1
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("category", "hands-on", "hands_on"),  # names the allowed values
        ("stages", "preparation;prep", "prep"),
        ("stages", "", None),
        ("issue_tags", "market_research;export_law", "export_law"),
        ("industries", "Z", "Z"),
        ("provider", "acme", "acme"),
        ("size_classes", "tiny", "tiny"),
        ("ec_experience", "never", "never"),
        ("challenge_types", "first", "first"),
        ("destination_regions", "mars", "mars"),
        ("corporation_only", "maybe", "maybe"),
        ("opens_on", "2026年4月1日", "2026年4月1日"),  # 2026/04/01 imports (core.csv_import)
        ("closes_on", "31.12.2026", "31.12.2026"),
        ("subsidy_cap_yen", "100万円", "100万円"),
        ("subsidy_rate", "50%", None),
        ("url", "jetro.go.jp", None),
        ("name", "", None),
    ],
)
def test_a_bad_cell_fails_its_row_with_a_message_and_nothing_is_imported(column, value, expected):
    good = {**ROW, "code": "good-menu"}
    result = run_import([good, {**ROW, column: value}])
    errors = result_errors(result)
    assert len(errors) >= 1
    assert all("2" in line for line in errors), errors  # the second row
    assert any(column in line for line in errors), errors
    if expected:
        assert any(expected in line for line in errors), errors
    assert not SupportMenu.objects.exists()  # the good row was rolled back too


def test_a_window_that_closes_before_it_opens_is_refused():
    result = run_import([{**ROW, "opens_on": "2026-05-01", "closes_on": "2026-04-01"}])
    assert result_errors(result)
    assert not SupportMenu.objects.exists()


def test_wrong_columns_name_what_is_missing_and_what_is_unknown():
    header = [c for c in COLUMNS if c != "stages"] + ["stage"]
    result = run_import([{**ROW, "stage": "preparation"}], header=header)
    [message] = result_errors(result)
    assert str(MISSING_COLUMNS % {"columns": "stages"}) in message
    assert str(resources.UNKNOWN_COLUMNS % {"columns": "stage"}) in message
    assert not SupportMenu.objects.exists()


def test_a_code_on_two_rows_is_refused():
    errors = result_errors(run_import([ROW, {**ROW, "name": "別名"}]))
    assert errors == [str(resources.DUPLICATE_CODES % {"codes": "test-hands-on"})]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_file_in_utf8_with_or_without_bom_or_in_shift_jis_imports(encoding):
    result = run_import([ROW], encoding=encoding)
    assert result_errors(result) == []
    assert SupportMenu.objects.get().name == ROW["name"]


def test_dates_and_amounts_import_as_people_type_them():
    """The survey-results import's tolerance (core.csv_import): 2026/4/1, full-width digits,
    ￥ and 円."""
    row = {**ROW, "opens_on": "２０２６/４/１", "closes_on": "2027-3-31",
           "subsidy_cap_yen": "￥3,000,000"}  # fmt: skip
    assert result_errors(run_import([row])) == []
    menu = SupportMenu.objects.get()
    assert (menu.opens_on, menu.closes_on) == (date(2026, 4, 1), date(2027, 3, 31))
    assert menu.subsidy_cap_yen == 3_000_000


def test_a_bad_date_and_amount_are_named_by_row_and_column():
    row = {**ROW, "opens_on": "来年の春", "subsidy_cap_yen": "三百万円"}
    errors = result_errors(run_import([row]))
    assert errors == [
        str(ROW_COLUMN_ERROR % {"row": 1, "field": "subsidy_cap_yen",
                                "error": BAD_YEN % {"value": "三百万円"}}),
        str(ROW_COLUMN_ERROR % {"row": 1, "field": "opens_on",
                                "error": BAD_DATE % {"value": "来年の春"}}),
    ]  # fmt: skip
    assert not SupportMenu.objects.exists()


def test_a_file_that_is_not_text_gets_a_clear_message():
    with pytest.raises(CatalogueFileError) as raised:
        dataset_read(b"\x89PNG\r\n\x1a\n\x00\x80\xff\xfe\x81", "csv")
    assert str(raised.value) == str(UNREADABLE_ENCODING)


def test_a_row_wider_than_the_header_is_named():
    data = csv_bytes([ROW]) + b"a" + b",b" * len(COLUMNS) + b"\r\n"
    with pytest.raises(CatalogueFileError) as raised:
        dataset_read(data, "csv")
    width = ROW_WIDTH % {"cells": len(COLUMNS) + 1, "columns": len(COLUMNS)}
    assert str(raised.value) == str(ROW_ERROR % {"row": 2, "error": width})


def test_a_file_that_is_not_a_workbook_gets_a_clear_message():
    with pytest.raises(CatalogueFileError) as raised:
        dataset_read(csv_bytes([ROW]), "xlsx")
    assert str(raised.value) == str(resources.NOT_XLSX)


def test_an_empty_file_and_an_unknown_extension_are_refused():
    with pytest.raises(CatalogueFileError):
        dataset_read(b"", "csv")
    with pytest.raises(CatalogueFileError):
        resources.file_format("catalogue.ods")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(catalogue, file_format):
    data = resources.catalogue_export(file_format)
    dataset = dataset_read(data, file_format)
    assert tuple(dataset.headers) == COLUMNS
    before = SupportMenu.objects.count()
    result = catalogue_import(dataset=dataset, dry_run=False)
    assert result_errors(result) == []
    assert result.totals["skip"] == before
    assert SupportMenu.objects.count() == before


def test_xlsx_cells_of_native_types_import(tmp_path):
    dataset = tablib.Dataset(headers=COLUMNS)
    dataset.append(
        [{**ROW, "corporation_only": True, "subsidy_cap_yen": 500000,
          "opens_on": "2026-04-01"}[c] for c in COLUMNS]
    )  # fmt: skip
    result = catalogue_import(dataset=dataset_read(dataset.export("xlsx"), "xlsx"), dry_run=False)
    assert result_errors(result) == []
    menu = SupportMenu.objects.get()
    assert (menu.corporation_only, menu.subsidy_cap_yen) == (True, 500_000)


def test_the_command_exports_and_imports(tmp_path, catalogue, capsys):
    out = tmp_path / "catalogue.xlsx"
    call_command("catalogue", "export", "--format", "xlsx", "--output", str(out))
    assert out.stat().st_size > 1000
    call_command("catalogue", "import", str(out), "--dry-run")
    assert "変更なし38件" in capsys.readouterr().out  # the command speaks Japanese


def test_the_command_lists_row_errors_and_imports_nothing(tmp_path, capsys):
    path = tmp_path / "menus.csv"
    path.write_bytes(csv_bytes([ROW, {**ROW, "code": "second", "category": "grants"}]))
    with pytest.raises(CommandError) as failure:
        call_command("catalogue", "import", str(path))
    with translation.override("ja"):  # the command speaks Japanese
        assert str(failure.value) == str(PROBLEMS % {"count": 1})
    assert "grants" in capsys.readouterr().err
    assert not SupportMenu.objects.exists()


def test_the_command_imports_a_shift_jis_file(tmp_path):
    path = tmp_path / "menus.csv"
    path.write_bytes(csv_bytes([ROW], encoding="cp932"))
    call_command("catalogue", "import", str(path))
    assert SupportMenu.objects.get().name == ROW["name"]


@pytest.fixture
def admin_client_jp(client, users):
    from core.roles import Role

    client.force_login(users[Role.ADMIN])
    return client


def _admin_import(client, data: bytes, name="menus.csv", file_format=0):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        reverse("admin:support_menus_supportmenu_import"),
        {"import_file": upload, "format": file_format, "resource": 0},
    )


def test_the_admin_import_previews_then_applies_on_confirmation(admin_client_jp):
    response = _admin_import(admin_client_jp, csv_bytes([ROW]))
    assert response.status_code == 200
    assert "test-hands-on" in response.content.decode()
    assert not SupportMenu.objects.exists()  # only previewed
    form = response.context["confirm_form"]
    response = admin_client_jp.post(
        reverse("admin:support_menus_supportmenu_process_import"),
        {**form.initial, "resource": form.initial.get("resource", 0)},
    )
    assert response.status_code == 302
    menu = SupportMenu.objects.get(code="test-hands-on")
    assert {h.history_user.role for h in menu.history.all()} == {"admin"}


def test_the_admin_import_shows_row_numbered_errors_and_no_confirm_button(admin_client_jp):
    response = _admin_import(admin_client_jp, csv_bytes([ROW, {**ROW, "code": "x", "stages": "y"}]))
    content = response.content.decode()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    # Row 2's unknown stage is named, with the allowed codes (the page is in Japanese).
    with translation.override("ja"):
        allowed = "preparation, challenge, expansion"
        message = str(UNKNOWN_CODES) % {"codes": "y", "allowed": allowed}
    assert f"<li>{escape(message)}</li>" in content
    assert not SupportMenu.objects.exists()


def test_the_admin_import_previews_a_shift_jis_file(admin_client_jp):
    response = _admin_import(admin_client_jp, csv_bytes([ROW], encoding="cp932"))
    assert not response.context["form"].errors
    assert response.context["confirm_form"] is not None
    assert ROW["name"] in response.content.decode()


def test_the_admin_import_explains_wrong_columns_without_a_traceback(admin_client_jp):
    header = [c for c in COLUMNS if c != "stages"]
    response = _admin_import(admin_client_jp, csv_bytes([ROW], header=header))
    content = response.content.decode()
    assert "stages" in content
    assert "Traceback" not in content
    assert not SupportMenu.objects.exists()


def test_the_admin_exports_the_catalogue_as_xlsx(admin_client_jp, catalogue):
    response = admin_client_jp.post(
        reverse("admin:support_menus_supportmenu_export"),
        {"format": 1, "resource": 0, **{f"supportmenuresource_{c}": "on" for c in COLUMNS}},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    dataset = dataset_read(response.content, "xlsx")
    assert len(dataset) == SupportMenu.objects.count()


def test_the_command_imports_the_starting_catalogue_only_into_an_empty_one(catalogue, capsys):
    from support_menus.resources import CATALOGUE_FILE

    SupportMenu.objects.filter(code="jetro-japan-mall").update(name="管理者が編集した名称")
    call_command("catalogue", "import", str(CATALOGUE_FILE), "--if-empty")
    assert "nothing imported" in capsys.readouterr().out
    assert SupportMenu.objects.get(code="jetro-japan-mall").name == "管理者が編集した名称"


def test_the_admin_edits_a_menu_with_ticks_and_audits_the_change(admin_client_jp, catalogue):
    menu = SupportMenu.objects.get(code="jetro-japan-mall")
    url = reverse("admin:support_menus_supportmenu_change", args=[menu.pk])
    form = admin_client_jp.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "stages": ["preparation", "challenge"],
                            "size_classes": ["small"], "challenge_types": [],
                            "destination_regions": ["asia"], "opens_on": "", "closes_on": "",
                            "subsidy_cap_yen": "", "provider": menu.provider_id}.items()
        if value is not None
    }  # fmt: skip
    data["issue_tags"] = [tag.pk for tag in data.get("issue_tags", [])]
    data["industries"] = [i.pk for i in data.get("industries", [])]
    data["prefectures"] = [p.pk for p in data.get("prefectures", [])]
    response = admin_client_jp.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    menu.refresh_from_db()
    assert menu.stages == ["preparation", "challenge"]
    assert menu.size_classes == ["small"]
    assert menu.destination_regions == ["asia"]
    assert menu.history.first().history_user.role == "admin"
