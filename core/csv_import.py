"""One way to read an import file, shared by every import (the survey results, the support-menu
catalogue), like Data Hub's BaseCSVImportForm: each import subclasses CSVImport with its
columns and messages, so every import treats a file the same way.

- Encoding: UTF-8 with or without BOM (Excel's "CSV UTF-8"), else Shift_JIS/cp932 (Excel's
  "CSV"); anything else is refused with a message saying how to save the file.
- Header: names without surrounding space or BOM, lower-cased; Excel's trailing empty columns
  dropped; one message naming every missing, unknown and repeated column.
- Rows: numbered as the user counts them (row 1 is the first under the header); blank rows
  are skipped but keep their number; a cell holding NUL (which PostgreSQL cannot store) is
  named by row and column; a row wider than the header is named by its row.
- Values as people type them: dates `2026-04-01` or `2026/4/1`, full-width digits too;
  amounts of yen `3000000`, `3,000,000`, `￥3,000,000` or `3,000,000円` (core.forms.YenField
  reads typed amounts the same way)."""

import csv
import datetime
import io
import re
import unicodedata

from django.utils.translation import gettext

from core.file_messages import (
    BAD_DATE,
    BAD_YEN,
    MISSING_COLUMNS,
    NO_ROWS,
    NOT_CSV,
    REPEATED_COLUMNS,
    ROW_WIDTH,
    UNREADABLE_ENCODING,
    nul_cells,
)

ENCODINGS = ("utf-8-sig", "cp932")  # Excel's "CSV UTF-8", then its Shift_JIS "CSV"
YEN_DIGITS_MAX = 18  # more digits than a bigint holds is not an amount

_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
_YEN = re.compile(r"[¥\\]?\s*([0-9,]+)\s*円?")  # NFKC makes the full-width ￥ a ¥


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (encoding, format, columns): the message says
    why, in the user's language."""


def nfkc(value: str) -> str:
    """Full-width digits and letters (a Japanese IME's) as ASCII, without surrounding space."""
    return unicodedata.normalize("NFKC", value).strip()


def date_parse(text: str) -> datetime.date | None:
    """`2026-04-01`, `2026/4/1` or their full-width forms as a date; None when blank. Raises
    ValueError (its message: BAD_DATE) for anything else."""
    text = nfkc(text)
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        day = datetime.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:  # 2026-02-30
        day = None
    if day is None:
        raise ValueError(str(BAD_DATE % {"value": text}))
    return day


def yen_parse(text: str) -> int | None:
    """A whole number of yen as people write it (`3,000,000`, `￥3,000,000`, `3000000円`,
    full-width digits); None when blank. Raises ValueError (its message: BAD_YEN) otherwise."""
    text = nfkc(text)
    if not text:
        return None
    match = _YEN.fullmatch(text)
    digits = match.group(1).replace(",", "") if match else ""
    if not digits or len(digits) > YEN_DIGITS_MAX:
        raise ValueError(str(BAD_YEN % {"value": text}))
    return int(digits)


def yen_format(amount: int) -> str:
    """An amount of yen as people read it: 3000000 → 「3,000,000円」 (yen_parse reads it back)."""
    return gettext("%(amount)s yen") % {"amount": f"{amount:,}"}


def header_name(name) -> str:
    """A column name as written in a header cell (a BOM or full-width letters left by Excel or
    an IME do not matter)."""
    return nfkc(str(name or "").replace("\ufeff", "")).lower()


class CSVImport:
    """The file reading of one import. Subclasses set `columns` (required), `optional_columns`,
    the messages naming unknown columns and the expected header, and the error they raise."""

    columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    unknown_columns_message = None  # %(columns)s: the unknown ones
    expected_columns_message = None  # %(columns)s, and %(optional)s if it names them
    error_class = ImportFileError

    def decode(self, data: bytes) -> str:
        for encoding in ENCODINGS:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise self.error_class(str(UNREADABLE_ENCODING))

    def table(self, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """The header (normalised names) and the numbered rows that are not blank, unchecked."""
        try:
            lines = list(csv.reader(io.StringIO(self.decode(data), newline="")))
        except csv.Error:
            raise self.error_class(str(NOT_CSV)) from None
        if not lines:
            raise self.error_class(str(NO_ROWS))
        header = [header_name(name) for name in lines[0]]
        while header and not header[-1]:  # Excel's trailing empty columns
            header.pop()
        rows = [(number, cells) for number, cells in enumerate(lines[1:], start=1)
                if any(cell.strip() for cell in cells)]  # fmt: skip
        return header, rows

    def read(self, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
        """`table`, checked: no NUL anywhere, the header names the columns, rows follow."""
        header, rows = self.table(data)
        nul = nul_cells(header, rows)
        if nul:
            raise self.error_class(" ".join(nul))
        self.header_check(header)
        if not rows:
            raise self.error_class(str(NO_ROWS))
        return header, rows

    def header_problems(self, header: list[str]) -> list[str]:
        """One message for every missing, unknown and repeated column, then the expected
        header; empty when the header is right."""
        allowed = self.columns + self.optional_columns
        missing = [column for column in self.columns if column not in header]
        unknown = [column or '""' for column in header if column not in allowed]
        repeated = sorted({column for column in header if column and header.count(column) > 1})
        problems = []
        if missing:
            problems.append(MISSING_COLUMNS % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(self.unknown_columns_message % {"columns": ", ".join(unknown)})
        if repeated:
            problems.append(REPEATED_COLUMNS % {"columns": ", ".join(repeated)})
        if problems:
            expected = {"columns": ", ".join(self.columns),
                        "optional": ", ".join(self.optional_columns)}  # fmt: skip
            problems.append(self.expected_columns_message % expected)
        return [str(problem) for problem in problems]

    def header_check(self, header: list[str]) -> None:
        problems = self.header_problems(header)
        if problems:
            raise self.error_class(" ".join(problems))

    @staticmethod
    def width_problem(header: list[str], cells: list[str]) -> str | None:
        """ROW_WIDTH when the row has values beyond the header's columns."""
        if any(str(cell or "").strip() for cell in cells[len(header) :]):
            return str(ROW_WIDTH % {"cells": len(cells), "columns": len(header)})
        return None

    @staticmethod
    def cells_fit(header: list[str], cells: list[str]) -> list[str]:
        """The row as wide as the header: missing cells blank, empty extra cells dropped."""
        return list(cells[: len(header)]) + [""] * (len(header) - len(cells))
