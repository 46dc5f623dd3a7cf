"""The one reader of import files (core.csv_import): encodings, header, rows, dates, yen."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.csv_import import CSVImport, ImportFileError, date_parse, nfkc, yen_parse
from core.file_messages import (
    BAD_DATE,
    BAD_YEN,
    MISSING_COLUMNS,
    NO_ROWS,
    NOT_CSV,
    NUL_CELL,
    REPEATED_COLUMNS,
    ROW_WIDTH,
    UNREADABLE_ENCODING,
)

UNKNOWN = "Unknown columns: %(columns)s."
EXPECTED = "Expected: %(columns)s (optional: %(optional)s)."
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Sample(CSVImport):
    columns = ("code", "name")
    optional_columns = ("note",)
    unknown_columns_message = UNKNOWN
    expected_columns_message = EXPECTED


def message(refused) -> str:
    return str(refused.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_utf8_with_or_without_bom_and_shift_jis_read_the_same(encoding):
    data = "Ｃｏｄｅ, Name\r\nm-1,清酒\r\n".encode(encoding)
    assert Sample().read(data) == (["code", "name"], [(1, ["m-1", "清酒"])])


def test_text_in_neither_encoding_is_refused_saying_how_to_save_it():
    with pytest.raises(ImportFileError) as refused:
        Sample().read(b"code,name\r\nm,\x82\xff\r\n")  # neither UTF-8 nor cp932
    assert message(refused) == str(UNREADABLE_ENCODING)


def test_the_header_names_every_missing_unknown_and_repeated_column():
    with pytest.raises(ImportFileError) as refused:
        Sample().read(b"code,colour,colour\r\nm,red,blue\r\n")
    assert message(refused) == " ".join([
        str(MISSING_COLUMNS % {"columns": "name"}), UNKNOWN % {"columns": "colour, colour"},
        str(REPEATED_COLUMNS % {"columns": "colour"}),
        EXPECTED % {"columns": "code, name", "optional": "note"},
    ])  # fmt: skip


def test_blank_rows_are_skipped_but_keep_their_number_and_trailing_columns_are_dropped():
    header, rows = Sample().read(b"code,name,,\r\n,,\r\nm,x\r\n")
    assert header == ["code", "name"]
    assert rows == [(2, ["m", "x"])]


# (200,000 bytes: longer than a CSV field may be.)
@pytest.mark.parametrize(("data", "expected"), [
    (b"", NO_ROWS), (b"code,name\r\n", NO_ROWS), (b"a" * 200_000, NOT_CSV),
])  # fmt: skip
def test_a_file_without_rows_or_not_csv_is_refused(data, expected):
    with pytest.raises(ImportFileError) as refused:
        Sample().read(data)
    assert message(refused) == str(expected)


def test_a_nul_cell_is_named_by_row_and_column():
    with pytest.raises(ImportFileError) as refused:
        Sample().read(b"code,name\r\nm,x\x00y\r\n")
    assert message(refused) == str(NUL_CELL % {"row": 1, "field": "name"})


def test_a_row_wider_than_the_header_is_a_problem_and_a_short_one_is_filled():
    header = ["code", "name"]
    assert Sample.width_problem(header, ["m", "x", "extra"]) == str(
        ROW_WIDTH % {"cells": 3, "columns": 2}
    )
    assert Sample.width_problem(header, ["m", "x", " "]) is None
    assert Sample.cells_fit(header, ["m"]) == ["m", ""]


@pytest.mark.parametrize("text", ["2026-04-01", "2026/4/1", "２０２６/０４/０１", " 2026-4-01 "])
def test_dates_as_people_type_them(text):
    assert date_parse(text) == datetime.date(2026, 4, 1)


@pytest.mark.parametrize("text", ["2026年4月1日", "01/04/2026", "2026-02-30", "2026-4"])
def test_other_dates_are_refused_with_the_value(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD") as refused:
        date_parse(text)
    assert str(refused.value) == str(BAD_DATE % {"value": nfkc(text)})


@pytest.mark.parametrize("text", ["3000000", "3,000,000", "￥3,000,000", "3000000円",
                                  "¥3,000,000円", "３，０００，０００円"])  # fmt: skip
def test_yen_as_people_type_it(text):
    assert yen_parse(text) == 3_000_000


@pytest.mark.parametrize("text", ["三百万円", "3,000,000ドル", "-3000", "3.5", "$300", "1" * 19])
def test_other_amounts_are_refused_with_the_value(text):
    with pytest.raises(ValueError, match="3000000") as refused:
        yen_parse(text)
    assert str(refused.value) == str(BAD_YEN % {"value": nfkc(text)})


def test_blank_dates_and_amounts_are_none():
    assert date_parse("  ") is None
    assert yen_parse("") is None


@given(day=st.dates(min_value=datetime.date(1900, 1, 1)), slash=st.booleans(),
       full_width=st.booleans())  # fmt: skip
def test_any_date_reads_back_however_it_is_written(day, slash, full_width):
    text = f"{day.year}/{day.month}/{day.day}" if slash else day.isoformat()
    assert date_parse(text.translate(FULL_WIDTH) if full_width else text) == day


@given(amount=st.integers(min_value=0, max_value=10**18 - 1), commas=st.booleans(),
       prefix=st.sampled_from(["", "￥", "¥"]), suffix=st.sampled_from(["", "円"]),
       full_width=st.booleans())  # fmt: skip
def test_any_amount_reads_back_however_it_is_written(amount, commas, prefix, suffix, full_width):
    digits = f"{amount:,}" if commas else str(amount)
    if full_width:
        digits = digits.translate(FULL_WIDTH)
    assert yen_parse(f"{prefix}{digits}{suffix}") == amount
