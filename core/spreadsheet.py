"""Cells we hand out in spreadsheets (CSV, XLSX) must not run as formulas, and every cell must
be writable: openpyxl refuses the control characters XML 1.0 cannot hold (a vertical tab in a
firm's name once made the ministry's XLSX answer 500). See docs/adr/0015-clean-text.md."""

from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The mark put in front of such a cell (Excel's own "this is text" prefix).
TEXT_MARK = "'"


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe, so
    `=HYPERLINK(…)` stays text (OWASP, CSV injection). Numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return TEXT_MARK + value
    return value


def neutralise_reversible(value):
    """`neutralise`, for files that are read back (the catalogue): a cell that already starts
    with an apostrophe gets one more, so `unneutralise` restores every value exactly."""
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def unneutralise(value):
    """What `neutralise_reversible` wrote, read back: one leading apostrophe removed."""
    if isinstance(value, str) and value.startswith(TEXT_MARK):
        return value[len(TEXT_MARK) :]
    return value


def xlsx_safe(value):
    """A value openpyxl can always write: the control characters XML cannot hold (all of
    U+0000–U+001F but tab, line feed and carriage return) are removed. Other values pass."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class _EscapedFormat:
    """An admin export format for files that are read back (the catalogue).

    django-import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT deletes a leading "=",
    silently changing the value (and leaves + - @ alone); these formats always escape, visibly
    and reversibly (`neutralise_reversible`), whatever that setting says. The resource that
    reads the file back calls `unneutralise` on every cell."""

    def cell(self, value):
        return neutralise_reversible(value)

    def export_data(self, dataset, **kwargs):
        rows = [[self.cell(value) for value in row] for row in dataset]
        del dataset[0 : len(dataset)]
        for row in rows:
            dataset.append(row)
        return dataset.export(self.get_title(), **kwargs)


class EscapedCSV(_EscapedFormat, base_formats.CSV):
    pass


class EscapedXLSX(_EscapedFormat, base_formats.XLSX):
    def cell(self, value):
        return neutralise_reversible(xlsx_safe(value))
