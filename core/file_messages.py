"""Messages every file import says the same way (the support-menu catalogue, survey results),
so one wording and one translation serve them all. Row 1 is the first row under the header."""

from django.utils.translation import gettext_lazy as _

NOT_CSV = _("The file could not be read as CSV.")
NO_ROWS = _("The file has no rows to import.")
MISSING_COLUMNS = _("Columns missing from the file: %(columns)s.")
ROW_ERROR = _("Row %(row)s: %(error)s")
ROW_COLUMN_ERROR = _("Row %(row)s, %(field)s: %(error)s")
UNKNOWN_VALUE = _("Unknown value “%(value)s”. Allowed: %(allowed)s")
UNKNOWN_CODES = _("Unknown code(s): %(codes)s. Allowed: %(allowed)s")
BAD_DATE = _("Write the date as YYYY-MM-DD, for example 2026-04-01 (not “%(value)s”).")
BAD_YEN = _("Write a whole number of yen without a unit (not “%(value)s”).")
