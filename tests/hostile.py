"""The hostile-input harness shared by tests/test_hostile_input.py and
tests/test_hostile_dates.py: Hypothesis settings, one rolled-back example at a time, posting
without letting a 500 pass, reading the messages shown, writing a survey results file, and
sending both import files (survey results, support-menu catalogue) by command and admin page.
The catalogue file itself is written by support_menus/tests/helpers.py."""

import contextlib
import csv
import io
import re

from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hsettings

from outcomes import importing

FAST = hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = hsettings(FAST, max_examples=15)

# --- Examples, requests and messages -----------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
FEEDBACK = re.compile(r'class="invalid-feedback"[^>]*>(.*?)</(?:div|span|p)>', re.S)
TAG = re.compile(r"<[^>]+>")


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    pass


@contextlib.contextmanager
def rolled_back():
    """One Hypothesis example: every write is undone afterwards."""
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def short(value) -> str:
    text = repr(value)
    return text if len(text) < 300 else f"{text[:300]}… ({len(text)} chars)"


def send(client, method: str, url: str, data=None, **kwargs):
    """The response, or an AssertionError naming the input when the view raised (a 500)."""
    try:
        response = getattr(client, method)(url, data, **kwargs)
    except Exception as error:
        raise AssertionError(
            f"500: {method.upper()} {url} raised {type(error).__name__}: {str(error)[:300]} "
            f"for {short(data)}"
        ) from error
    assert response.status_code != 500, f"500: {method.upper()} {url} for {short(data)}"
    return response


def html(response) -> str:
    return response.content.decode()


def field_messages(page: str) -> list[str]:
    return [TAG.sub("", m).strip() for m in FEEDBACK.findall(page)]


def assert_explained(page: str, where: str) -> None:
    """Re-shown with an error next to a field, each message non-empty and in Japanese."""
    messages = field_messages(page)
    assert "is-invalid" in page, f"no field marked invalid on {where}"
    assert messages, f"no field error shown on {where}"
    for message in messages:
        assert JAPANESE.search(message), f"unclear message {message!r} on {where}"


# --- The survey results import -----------------------------------------------------------------

SURVEY_DATA = {"export_realised": "yes", "first_export_date": "2026-01-10", "destinations": ["US"],
               "products": "日本酒", "amount_yen": "1000000", "mode": "", "target_set": "yes",
               "target_achieved": "yes", "trajectory": "increased", "own_efforts": ["pr"],
               "fee_band": "le100k", "satisfaction": "4", "comments": "ありがとう"}  # fmt: skip
SURVEY_HEADER = list(importing.COLUMNS)


def survey_csv(rows, *, header=SURVEY_HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def survey_row(reference: str, **cells) -> list[str]:
    values = {"registration_ref": reference, "wave_months": "6", "answered_on": "2026-01-10",
              "export_realised": "no", "source": "hearing", **cells}  # fmt: skip
    return [values.get(column, "") for column in SURVEY_HEADER]


def run_survey_command(tmp_path, data: bytes, *options) -> tuple[bool, str]:
    """(imported, every message) of `import_survey_results`; only CommandError may escape."""
    path = tmp_path / "results.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_survey_results", str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{error}\n{err.getvalue()}"
    except Exception as error:
        raise AssertionError(
            f"traceback: import_survey_results raised {type(error).__name__}: "
            f"{str(error)[:300]} for {short(data)}"
        ) from error
    return True, out.getvalue()


def admin_survey_import(client, data: bytes, *, name="results.csv", really=False):
    upload = io.BytesIO(data)
    upload.name = name
    body = {"file": upload, "import" if really else "check": "1"}
    return send(client, "post", reverse("admin:outcomes_surveyresponse_import"), body)


# --- The support-menu catalogue import ---------------------------------------------------------


def run_catalogue_command(tmp_path, data: bytes, *, name="menus.csv") -> tuple[bool, str]:
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("catalogue", "import", str(path), "--dry-run", stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{error}\n{err.getvalue()}"
    except Exception as error:
        raise AssertionError(
            f"traceback: catalogue import --dry-run raised {type(error).__name__}: "
            f"{str(error)[:300]} for {short(data)}"
        ) from error
    return True, out.getvalue()


def admin_catalogue_import(client, data: bytes, name="menus.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    return send(client, "post", reverse("admin:support_menus_supportmenu_import"),
                {"import_file": upload, "format": 0, "resource": 0})  # fmt: skip


def admin_import_messages(page: str) -> list[str]:
    """The form's errors and the import's error list (file-level and row errors)."""
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    section = page.split("<h2>", 1)[1] if "<h2>" in page else ""
    errors += re.findall(r"<li>(.*?)</li>", section.split("<!-- END Content -->")[0], re.S)
    return [" ".join(TAG.sub(" ", e).split()) for e in errors if TAG.sub("", e).strip()]
