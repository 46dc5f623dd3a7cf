"""Every import reads its file through the one reader (core.csv_import), so a file that one
import takes, the other takes too, and both refuse the same things the same way."""

import pytest

from core.csv_import import CSVImport
from core.file_messages import NUL_CELL, REPEATED_COLUMNS
from outcomes.importing import SurveyFileError, SurveyResultsFile
from support_menus.resources import CatalogueFile, CatalogueFileError

READERS = [(SurveyResultsFile, SurveyFileError), (CatalogueFile, CatalogueFileError)]


def a_file(reader, *, first="清酒", header=None, encoding="utf-8") -> bytes:
    header = header or list(reader.columns)
    row = [first] + ["x"] * (len(header) - 1)
    return "\r\n".join([",".join(header), ",".join(row), ""]).encode(encoding)


@pytest.mark.parametrize(("reader", "error"), READERS)
def test_both_imports_share_the_reader(reader, error):
    assert issubclass(reader, CSVImport)
    assert reader.error_class is error


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize(("reader", "error"), READERS)
def test_both_imports_read_utf8_and_shift_jis(reader, error, encoding):
    header, rows = reader().read(a_file(reader, encoding=encoding))
    assert header == list(reader.columns)
    assert rows[0][1][0] == "清酒"


@pytest.mark.parametrize(("reader", "error"), READERS)
def test_both_imports_name_a_repeated_column_and_a_nul_cell(reader, error):
    header = [*reader.columns, reader.columns[0]]
    with pytest.raises(error, match=str(REPEATED_COLUMNS % {"columns": reader.columns[0]})):
        reader().read(a_file(reader, header=header))
    with pytest.raises(error) as refused:
        reader().read(a_file(reader, first="a\x00b"))
    assert str(refused.value) == str(NUL_CELL % {"row": 1, "field": reader.columns[0]})
