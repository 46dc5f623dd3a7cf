"""Reading an uploaded XLSX catalogue without trusting what the file says about itself.

An XLSX file is a zip of XML. Two small files can make a naive reader allocate without limit:
a sheet whose `<dimension ref>` declares 3,000 × 16,384 cells (openpyxl's read-only reader
pads every row to the declared width: 49 million cells from a 4.8 KB upload), and a zip bomb
(a few kilobytes that unpack to gigabytes). So, before a single row is read:

1. the zip's directory is read and the unpacked size of every member added up (the sizes are
   upper bounds: Python's zipfile stops and raises when a member inflates beyond them); more
   than XLSX_MAX_UNCOMPRESSED_BYTES, or a suspicious compression ratio, is refused;
2. the active sheet's declared size is refused when larger than a catalogue can be
   (CATALOGUE_MAX_ROWS × CATALOGUE_MAX_COLUMNS);
3. rows are then read one by one as the cells are (not padded to the declared size), and
   reading stops with the same message at the first row or cell beyond the limits, so a sheet
   without a dimension, or with cells outside it, cannot get round the check."""

import io
import zipfile

import openpyxl
import tablib
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# A real workbook unpacks to at most a few dozen times its size; a bomb to thousands of times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024  # small files are never bombs worth the name

WORKBOOK_TOO_LARGE = _(
    "The workbook unpacks to %(size)s MB, more than a catalogue can be (at most %(max)s MB). "
    "Check that this is the catalogue file, or save it again as a new .xlsx workbook."
)
SHEET_TOO_LARGE = _(
    "The sheet “%(sheet)s” is %(rows)s rows × %(columns)s columns; a catalogue has at most "
    "%(max_rows)s rows and %(max_columns)s columns. Delete the empty rows and columns beyond "
    "the table (or copy the table into a new workbook) and import it again."
)

CELLS_BEYOND_LIMITS = _(
    "The sheet “%(sheet)s” has cells beyond row %(max_rows)s or column %(max_columns)s, more "
    "than a catalogue can be. Delete the rows and columns beyond the table (or copy the table "
    "into a new workbook) and import it again."
)


class WorkbookRefused(ValueError):
    """The file is not read: the message says why, in the user's language."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def zip_check(data: bytes) -> None:
    """Refuse a workbook that would unpack to more than a catalogue can be. Raises
    zipfile.BadZipFile for a file that is not a zip at all."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
    bomb = unpacked > RATIO_CHECKED_ABOVE_BYTES and unpacked > MAX_COMPRESSION_RATIO * len(data)
    if unpacked > limit or bomb:
        raise WorkbookRefused(
            str(WORKBOOK_TOO_LARGE % {"size": _megabytes(unpacked), "max": _megabytes(limit)})
        )


def _too_large(sheet, rows, columns, max_rows, max_columns) -> WorkbookRefused:
    return WorkbookRefused(str(SHEET_TOO_LARGE % {
        "sheet": sheet.title, "rows": f"{rows:,}", "columns": f"{columns:,}",
        "max_rows": f"{max_rows:,}", "max_columns": f"{max_columns:,}",
    }))  # fmt: skip


def xlsx_dataset(data: bytes) -> tablib.Dataset:
    """The active sheet of an XLSX file as a dataset (first row: the headers), read within the
    catalogue's limits. Raises WorkbookRefused for a file over them, and zipfile or openpyxl
    errors for a file that is not a workbook."""
    zip_check(data)
    max_rows = settings.CATALOGUE_MAX_ROWS + 1  # and the header row
    max_columns = settings.CATALOGUE_MAX_COLUMNS
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > max_rows or declared_columns > max_columns:
            raise _too_large(sheet, declared_rows, declared_columns, max_rows - 1, max_columns)
        # Read as the cells are, not as declared: each row as wide as its last cell (checked
        # at once), gaps as empty rows, and never past the limits.
        sheet.reset_dimensions()
        rows: list[list] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            beyond = len(row) > max_columns and any(v is not None for v in row[max_columns:])
            if number > max_rows or beyond:
                raise WorkbookRefused(str(CELLS_BEYOND_LIMITS % {
                    "sheet": sheet.title, "max_rows": f"{max_rows:,}",
                    "max_columns": f"{max_columns:,}"}))  # fmt: skip
            rows.append(list(row[:max_columns]))
    finally:
        workbook.close()
    while rows and all(value in (None, "") for value in rows[-1]):  # formatted, empty rows
        rows.pop()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    # As wide as the last column with a value: formatted, empty columns are dropped, and a
    # value under no header keeps its (blank) header, so the import names it.
    used = max(
        (max((i + 1 for i, value in enumerate(row) if value not in (None, "")), default=0)
         for row in rows), default=0,
    )  # fmt: skip
    dataset.headers = rows[0][:used] + [None] * (used - len(rows[0][:used]))
    for row in rows[1:]:
        cells = row[:used]
        dataset.append(cells + [None] * (used - len(cells)))
    return dataset
