"""The survey results file as the tests write it: the header, one row, a whole file of answers
for some cases, and the admin page that takes it."""

import csv
from io import StringIO

from django.urls import reverse

from outcomes import importing

HEADER = ",".join(importing.COLUMNS)
SURVEY_IMPORT = reverse("admin:outcomes_surveyresponse_import")


def line(**cells) -> str:
    """One CSV row: a 6-month answer, no export, from a hearing, unless overridden."""
    values = {"wave_months": "6", "answered_on": "2026-05-10", "export_realised": "no",
              "source": "hearing", **cells}  # fmt: skip
    columns = importing.COLUMNS + tuple(c for c in importing.LEGACY_COLUMNS if c in values)
    out = StringIO()
    csv.writer(out, lineterminator="").writerow([values.get(column, "") for column in columns])
    return out.getvalue()


def survey_file(cases, *, bad_row: bool = False) -> bytes:
    """The 6- and 12-month answers of each case, and a row for an unknown reference if asked."""
    rows = [line(registration_ref=case.registration.reference, wave_months=wave)
            for case in cases for wave in ("6", "12")]  # fmt: skip
    if bad_row:
        rows.append(line(registration_ref="EX-0000-NONE-0000"))
    return ("\r\n".join((HEADER, *rows)) + "\r\n").encode("utf-8")
