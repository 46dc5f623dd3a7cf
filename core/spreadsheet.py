"""Cells we hand out in spreadsheets (CSV, XLSX) must not run as formulas."""

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe, so
    `=HYPERLINK(…)` stays text (OWASP, CSV injection). Numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
