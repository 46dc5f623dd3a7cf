"""Messages every file import says the same way (the support-menu catalogue, survey results;
core.csv_import reads both), so one wording and one translation serve them all. Row 1 is the
first row under the header."""

from django.utils.translation import gettext_lazy as _

NO_SUCH_FILE = _("No such file: %(path)s")
PROBLEMS = _("%(count)s problem(s); nothing was imported.")
NOT_CSV = _("The file could not be read as CSV.")
NO_ROWS = _("The file has no rows to import.")
MISSING_COLUMNS = _("Columns missing from the file: %(columns)s.")
ROW_ERROR = _("Row %(row)s: %(error)s")
ROW_COLUMN_ERROR = _("Row %(row)s, %(field)s: %(error)s")
UNKNOWN_VALUE = _("Unknown value “%(value)s”. Allowed: %(allowed)s")
UNKNOWN_CODES = _("Unknown code(s): %(codes)s. Allowed: %(allowed)s")
BAD_DATE = _("Write the date as YYYY-MM-DD, for example 2026-04-01 (not “%(value)s”).")
BAD_YEN = _(
    "Write a whole number of yen, for example 3000000, 3,000,000 or 3,000,000円 (not “%(value)s”)."
)
UNREADABLE_ENCODING = _(
    "The file is neither UTF-8 nor Shift_JIS text. Save it as “CSV UTF-8 (comma delimited)” "
    "and import it again."
)
REPEATED_COLUMNS = _("Columns named more than once: %(columns)s.")
ROW_WIDTH = _("The row has %(cells)s cells but the header names %(columns)s columns.")
NUL_CELL = _("Row %(row)s, %(field)s: contains a NUL character (a control code), which cannot be "
             "stored. Remove it and import again.")  # fmt: skip
NUL_HEADER = _("The header row contains a NUL character (a control code). Remove it and import "
               "again.")  # fmt: skip


def nul_cells(header, rows) -> list[str]:
    """A message for each cell holding NUL, which PostgreSQL cannot store in text: `rows` are
    (row number, cells) with row 1 the first under the header."""
    if any("\x00" in str(name) for name in header):
        return [str(NUL_HEADER)]
    return [
        str(
            NUL_CELL % {"row": number, "field": header[index] if index < len(header) else index + 1}
        )
        for number, cells in rows
        for index, cell in enumerate(cells)
        if cell is not None and "\x00" in str(cell)
    ]
