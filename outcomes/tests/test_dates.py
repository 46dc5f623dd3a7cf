"""Issue 13: survey answers within sense (ADR 0013). A first export is neither in the future
nor before the firm registered; amounts are not negative; a later "no" after a "yes" keeps
the case's realised date and says so on the timeline. The same rules hold for the firm's
link, the office's entry and the survey results import, and the repair migration mends
answers stored before them."""

import csv
import datetime
import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from core.roles import Role
from core.validators import AMOUNT_TOO_LARGE, BEFORE_START, IN_FUTURE, MAX_YEN, NEGATIVE_AMOUNT
from counselling.models import Case, CaseEvent
from counselling.tests.factories import CaseFactory
from outcomes import importing, services
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

REGISTERED = datetime.datetime(2025, 4, 1, 10, 0, tzinfo=datetime.UTC)  # 2025-04-01 in Japan
START = {"start": "2020-01-01"}


@pytest.fixture
def case(users):
    return CaseFactory(
        registration__business__prefecture_id="13", registration__registered_at=REGISTERED,
        status=Case.Status.SUPPORT, concierge=users[Role.CONCIERGE],
    )  # fmt: skip


@pytest.fixture
def survey(case):
    return SurveyFactory(case=case, wave_months=6)


def answer_url(survey) -> str:
    return reverse("outcomes:answer", args=[services.survey_token_make(survey)])


def staff_url(survey) -> str:
    return reverse("outcomes:staff-answer", args=[survey.case.pk, survey.pk])


def today() -> str:
    return timezone.localdate().isoformat()


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def before_registration() -> str:
    return services.FIRST_EXPORT_BEFORE_REGISTRATION % {"date": "2025-04-01"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first_export_date": "0001-01-01"}, "first_export_date", lambda: BEFORE_START % START),
        ({"first_export_date": "2025-03-31"}, "first_export_date", before_registration),
        ({"first_export_date": "9999-12-31"}, "first_export_date",
         lambda: IN_FUTURE % {"today": today()}),
        ({"amount_yen": "-1"}, "amount_yen", lambda: str(NEGATIVE_AMOUNT)),
        ({"amount_yen": str(MAX_YEN + 1)}, "amount_yen",
         lambda: AMOUNT_TOO_LARGE % {"max": f"{MAX_YEN:,}"}),
    ],
    ids=["year-1", "before-registration", "year-9999", "negative", "huge"],
)  # fmt: skip
@pytest.mark.parametrize("who", ["firm", "staff"])
def test_an_answer_out_of_sense_is_refused_beside_the_field(client, users, survey, fields, field,
                                                            message, who):  # fmt: skip
    data = {"export_realised": "yes", "first_export_date": "2025-06-01", **fields}
    if who == "staff":
        client.force_login(users[Role.CONCIERGE])
        response = client.post(staff_url(survey), {**data, "source": "phone"})
    else:
        response = client.post(answer_url(survey), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message()]
    assert not SurveyResponse.objects.exists()
    survey.case.refresh_from_db()
    assert survey.case.status == Case.Status.SUPPORT


def test_a_first_export_on_the_registration_day_or_today_is_fine(client, survey):
    for day in ("2025-04-01", today()):
        data = {"export_realised": "yes", "first_export_date": day}
        assert client.post(answer_url(survey), data).status_code == 302
    assert SurveyResponse.objects.get().first_export_date == timezone.localdate()


def test_the_service_refuses_an_export_before_registration_whoever_calls_it(survey):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        services.survey_answer(survey=survey, source="phone", data={
            "export_realised": "yes", "first_export_date": datetime.date(2025, 1, 1)})  # fmt: skip
    assert raised.value.message_dict == {"first_export_date": [before_registration()]}
    assert not SurveyResponse.objects.exists()


# --- A later "no" after a "yes" -----------------------------------------------------------------


def test_a_later_no_keeps_the_realised_date_and_the_timeline_shows_the_change(client, case):
    six, twelve = SurveyFactory(case=case, wave_months=6), SurveyFactory(case=case, wave_months=12)
    client.post(answer_url(six), {"export_realised": "yes", "first_export_date": "2025-09-01"})
    case.refresh_from_db()
    assert (case.status, case.realised_on) == (Case.Status.REALISED, datetime.date(2025, 9, 1))

    assert client.post(answer_url(twelve), {"export_realised": "no"}).status_code == 302

    case.refresh_from_db()
    assert (case.status, case.realised_on) == (Case.Status.REALISED, datetime.date(2025, 9, 1))
    with translation.override("en"):
        expected = services.EXPORT_NO_AFTER_YES % {
            "wave": 12, "earlier": 6, "answer": SurveyResponse.ExportRealised.NO.label,
            "date": "2025-09-01",
        }  # fmt: skip
        summaries = list(case.events.filter(kind=CaseEvent.Kind.STATUS).values_list(
            "summary", flat=True))  # fmt: skip
    with translation.override("ja"):
        expected_ja = str(services.EXPORT_NO_AFTER_YES % {
            "wave": 12, "earlier": 6, "answer": SurveyResponse.ExportRealised.NO.label,
            "date": "2025-09-01"})  # fmt: skip
    assert expected_ja in summaries, (expected, summaries)
    events = case.events.exclude(kind=CaseEvent.Kind.SURVEY).count()
    client.post(answer_url(twelve), {"export_realised": "no", "comments": "追記"})  # amended
    assert case.events.exclude(kind=CaseEvent.Kind.SURVEY).count() == events  # said once
    client.force_login(case.concierge)
    page = client.get(reverse("counselling:case-detail", args=[case.pk])).content.decode()
    assert escape(expected_ja) in page


def test_an_amended_answer_from_yes_to_negotiating_is_on_the_timeline(client, survey):
    client.post(answer_url(survey), {"export_realised": "yes", "first_export_date": "2025-09-01"})
    events = survey.case.events.exclude(kind=CaseEvent.Kind.SURVEY).count()
    client.post(answer_url(survey), {"export_realised": "negotiating"})
    survey.case.refresh_from_db()
    assert survey.case.realised_on == datetime.date(2025, 9, 1)
    assert survey.case.events.exclude(kind=CaseEvent.Kind.SURVEY).count() == events + 1
    assert "2025-09-01" in survey.case.events.filter(kind=CaseEvent.Kind.STATUS).first().summary


def test_a_no_without_an_earlier_yes_adds_nothing(client, survey):
    events = survey.case.events.exclude(kind=CaseEvent.Kind.SURVEY).count()
    client.post(answer_url(survey), {"export_realised": "no"})
    assert survey.case.events.exclude(kind=CaseEvent.Kind.SURVEY).count() == events


# --- The survey results import -------------------------------------------------------------------


def line(**cells) -> str:
    values = {"wave_months": "6", "answered_on": "2025-06-10", "export_realised": "no",
              "source": "hearing", **cells}  # fmt: skip
    out = StringIO()
    csv.writer(out, lineterminator="").writerow([values.get(c, "") for c in importing.COLUMNS])
    return out.getvalue()


def import_failing(tmp_path, *rows) -> str:
    path = tmp_path / "results.csv"
    path.write_bytes(("\r\n".join((",".join(importing.COLUMNS), *rows)) + "\r\n").encode())
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_survey_results", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"answered_on": "0001-01-01"}, "answered_on", "cannot be before 2020-01-01"),
        ({"answered_on": "2019-12-31"}, "answered_on", "cannot be before 2020-01-01"),
        ({"export_realised": "yes", "first_export_date": "2000-01-01"}, "first_export_date",
         "cannot be before 2020-01-01"),
        ({"export_realised": "yes", "first_export_date": "2025-03-31"}, "first_export_date",
         "before the firm registered with the program (2025-04-01)"),
        ({"amount_yen": "9" * 18}, "amount_yen", "cannot be more than 1,000,000,000,000 yen"),
        ({"amount_yen": "-5"}, "amount_yen", "whole number"),
    ],
)  # fmt: skip
def test_the_import_names_row_and_column_of_a_date_or_amount_out_of_sense(
    tmp_path, case, cells, column, expected
):
    errors = import_failing(tmp_path, line(registration_ref=case.registration.reference, **cells))
    assert f"Row 1, {column}: " in errors
    assert expected in errors
    assert not SurveyResponse.objects.exists()


def test_the_import_speaks_japanese_by_default(tmp_path, case):
    path = tmp_path / "results.csv"
    row = line(registration_ref=case.registration.reference, answered_on="0001-01-01")
    path.write_bytes(("\r\n".join((",".join(importing.COLUMNS), row)) + "\r\n").encode())
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_survey_results", str(path), stdout=StringIO(), stderr=err)
    assert "2020-01-01" in err.getvalue()
    assert "cannot be before" not in err.getvalue()


# --- The repair migration ------------------------------------------------------------------------


def test_the_repair_migration_mends_answers_stored_before_the_constraints(survey):
    response = SurveyResponse.objects.create(
        survey=survey, export_realised="yes", source="web", answered_at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE outcomes_surveyresponse "
                       "DROP CONSTRAINT surveyresponse_dates_amounts_in_range")  # fmt: skip
        cursor.execute(
            "UPDATE outcomes_surveyresponse SET first_export_date = '0001-01-01', "
            "answered_at = '0001-01-01 00:00:00+09'::timestamptz, amount_yen = -7, "
            "created_at = '2026-03-03 03:00+00' WHERE id = %s",
            [response.pk],
        )
        cursor.execute(
            "UPDATE outcomes_survey SET answered_at = '0001-01-01 00:00:00+09'::timestamptz "
            "WHERE id = %s",
            [survey.pk],
        )

    migration = importlib.import_module("outcomes.migrations.0003_repair_out_of_range_dates")
    migration.repair(apps, None)

    response.refresh_from_db()
    stored = datetime.datetime(2026, 3, 3, 3, 0, tzinfo=datetime.UTC)
    assert (response.first_export_date, response.amount_yen) == (None, None)
    assert response.answered_at == stored
    survey.refresh_from_db()
    assert survey.answered_at == stored
    assert response.history.first().history_change_reason.startswith("ADR 0013")
