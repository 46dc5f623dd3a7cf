"""The survey results import (`manage.py import_survey_results`): files in both encodings,
row-numbered problems that stop the whole file, idempotent re-imports, dry runs and the
legacy participants --create-missing creates."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from core.models import OutboundEmail
from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes import importing
from outcomes.models import Survey, SurveyResponse
from outcomes.tests.factories import SurveyFactory
from outcomes.tests.helpers import HEADER, line
from registrations.models import Business, Registration
from registrations.services.legacy import LEGACY_NOTICE_VERSION
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

LEGACY_HEADER = HEADER + ",business_name,prefecture"
BAD_CHECK_DIGIT = "2835678256246"
UNREGISTERED_NUMBER = "7010705000725"  # a valid 法人番号 that no business in the tests has


def write(tmp_path, *rows, header=HEADER, encoding="utf-8", name="results.csv"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join((header, *rows)) + "\r\n").encode(encoding))
    return path


def run(path, *options) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_survey_results", str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        pytest.fail(f"{error}\n{err.getvalue()}")
    return out.getvalue()


def run_failing(path, *options) -> tuple[str, str]:
    """(stderr, the CommandError's message) of an import that must fail."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_survey_results", str(path), *options, stdout=StringIO(), stderr=err)
    return err.getvalue(), str(failure.value)


def noon(day: str) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(12), tzinfo=importing.JST
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the command speaks the site's language, Japanese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def case():
    return CaseFactory(status=Case.Status.SUPPORT)


@pytest.fixture
def menus():
    return [SupportMenuFactory(code="hands-on"), SupportMenuFactory(code="ec-japan-mall")]


def test_a_utf8_file_with_bom_imports_every_answer_through_survey_answer(tmp_path, case, menus):
    survey = SurveyFactory(case=case, wave_months=6)
    other = CaseFactory()
    path = write(
        tmp_path,
        line(registration_ref=case.registration.reference, export_realised="negotiating",
             destinations="us; tw", products="日本酒・焼酎", amount_yen="1,200,000",
             mode="indirect", target_set="yes", target_achieved="no", trajectory="increased",
             own_efforts="sales;pr", menus_used="hands-on;ec-japan-mall", fee_band="le100k",
             source="phone"),
        line(corporate_number=other.registration.business.corporate_number, wave_months="12",
             answered_on="2026-06-01"),
        encoding="utf-8-sig",
    )  # fmt: skip

    output = run(path)

    assert "2 new answer(s), 0 updated, 0 unchanged" in output
    response = SurveyResponse.objects.get(survey=survey)
    assert response.export_realised == "negotiating"
    assert sorted(country.code for country in response.destinations) == ["TW", "US"]
    assert (response.products, response.amount_yen, response.mode) == ("日本酒・焼酎", 1_200_000,
                                                                       "indirect")  # fmt: skip
    assert (response.target_set, response.target_achieved, response.trajectory) == (
        "yes", "no", "increased")  # fmt: skip
    assert response.own_efforts == ["pr", "sales"]
    assert set(response.menus_used.all()) == set(menus)
    assert (response.fee_band, response.source) == ("le100k", "phone")
    assert response.answered_at == noon("2026-05-10")
    survey.refresh_from_db()
    assert survey.answered_at == noon("2026-05-10")
    assert Survey.objects.get(case=other, wave_months=12).response.source == "hearing"


def test_a_shift_jis_file_imports(tmp_path, case):
    path = write(
        tmp_path, line(registration_ref=case.registration.reference, products="緑茶（静岡県産）"),
        encoding="cp932",
    )  # fmt: skip

    run(path)

    assert SurveyResponse.objects.get().products == "緑茶（静岡県産）"


def test_a_row_for_a_wave_without_a_survey_creates_it_unsent(tmp_path, case, settings):
    settings.SURVEY_OPEN_DAYS = 60
    path = write(tmp_path, line(registration_ref=case.registration.reference, wave_months="24",
                                answered_on="2026-03-02"))  # fmt: skip

    assert "1 survey(s)" in run(path)

    survey = Survey.objects.get(case=case)
    assert (survey.wave_months, survey.due_on, survey.closes_on) == (
        24, datetime.date(2026, 3, 2), datetime.date(2026, 5, 1))  # fmt: skip
    assert survey.sent_at is None
    assert len(survey.token_nonce) == 32
    assert survey.answered_at == noon("2026-03-02")


def test_importing_the_same_file_again_changes_nothing(tmp_path, case, menus, users):
    case.concierge = users[Role.CONCIERGE]
    case.save()
    row = line(registration_ref=case.registration.reference, destinations="CN",
               menus_used="hands-on", own_efforts="hiring", source="web")  # fmt: skip
    path = write(tmp_path, row)
    run(path)
    response = SurveyResponse.objects.get()
    before = (response.updated_at, response.history.count(), OutboundEmail.objects.count(),
              case.events.count())  # fmt: skip

    output = run(path)

    assert "0 new answer(s), 0 updated, 1 unchanged; 0 survey(s)" in output
    response.refresh_from_db()
    after = (response.updated_at, response.history.count(), OutboundEmail.objects.count(),
             case.events.count())  # fmt: skip
    assert after == before


def test_a_changed_answer_is_updated_and_keeps_what_the_file_has_no_column_for(tmp_path, case):
    survey = SurveyFactory(case=case)
    SurveyResponse.objects.create(survey=survey, export_realised="no", source="web",
                                  satisfaction=4, comments="丁寧な支援",
                                  answered_at=noon("2026-05-10"))  # fmt: skip
    path = write(tmp_path, line(registration_ref=case.registration.reference, source="web",
                                export_realised="negotiating"))  # fmt: skip

    assert "0 new answer(s), 1 updated" in run(path)

    response = SurveyResponse.objects.get()
    assert (response.export_realised, response.satisfaction, response.comments) == (
        "negotiating", 4, "丁寧な支援")  # fmt: skip


def test_an_export_realised_moves_the_case_to_realised_and_tells_the_concierge(
    tmp_path, case, users
):
    case.concierge = users[Role.CONCIERGE]
    case.save()
    path = write(tmp_path, line(registration_ref=case.registration.reference,
                                export_realised="yes", first_export_date="2026-04-20"))  # fmt: skip

    run(path)

    case.refresh_from_db()
    assert (case.status, case.realised_on) == (Case.Status.REALISED, datetime.date(2026, 4, 20))
    assert OutboundEmail.objects.filter(to=case.concierge.email).count() == 1


def test_a_corporate_number_finds_the_most_recent_registration_that_has_a_case(tmp_path):
    business = BusinessFactory()
    older = CaseFactory(registration__business=business)
    newer = CaseFactory(registration__business=business)
    RegistrationFactory(business=business, status="withdrawn")  # the newest, without a case
    path = write(tmp_path, line(corporate_number=business.corporate_number))

    run(path)

    assert Survey.objects.get().case == newer
    assert not older.surveys.exists()


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"registration_ref": "EX-2026-ZZZZ-ZZZZ"}, "registration_ref", "EX-2026-ZZZZ-ZZZZ"),
        (
            {"registration_ref": "", "corporate_number": UNREGISTERED_NUMBER},
            "corporate_number",
            "--create-missing",
        ),
        (
            {"registration_ref": "", "corporate_number": BAD_CHECK_DIGIT},
            "corporate_number",
            "check digit",
        ),
        ({"export_realised": "maybe"}, "export_realised", "yes, no, negotiating"),
        ({"export_realised": ""}, "export_realised", "A value is required"),
        ({"trajectory": "up"}, "trajectory", "increased, flat, decreased, or blank"),
        ({"fee_band": "100k"}, "fee_band", "0, le100k, le200k, le300k, gt300k"),
        ({"source": "mail"}, "source", "web, phone, hearing, import"),
        ({"mode": "air"}, "mode", "direct, indirect, ec"),
        ({"wave_months": "7"}, "wave_months", "Allowed: 6, 12, 24, 36"),
        ({"answered_on": "2026-02-30"}, "answered_on", "YYYY-MM-DD"),
        ({"answered_on": "10/05/2026"}, "answered_on", "YYYY-MM-DD"),
        ({"answered_on": "2999-01-01"}, "answered_on", "in the future"),
        ({"first_export_date": "2026-13-01"}, "first_export_date", "YYYY-MM-DD"),
        ({"amount_yen": "12万"}, "amount_yen", "whole number"),
        ({"amount_yen": "-5"}, "amount_yen", "whole number"),
        ({"menus_used": "hands-on;no-such-menu"}, "menus_used", "no-such-menu"),
        ({"destinations": "US;XX"}, "destinations", "XX"),
        ({"destinations": "USA"}, "destinations", "USA"),
        ({"own_efforts": "pr;tv"}, "own_efforts", "Allowed: pr, hiring"),
        ({"export_realised": "yes"}, "first_export_date", "Required when export_realised"),
        ({"first_export_date": "2026-06-01"}, "first_export_date", "cannot be later"),
        ({"target_achieved": "yes"}, "target_achieved", "unless target_set is yes"),
        ({"products": "x" * 301}, "products", "At most 300"),
    ],
)
def test_a_bad_value_is_reported_with_its_row_and_column_and_nothing_is_imported(
    tmp_path, case, menus, cells, column, expected
):
    second = CaseFactory()
    cells = {"registration_ref": second.registration.reference, **cells}
    path = write(tmp_path, line(registration_ref=case.registration.reference), line(**cells))

    errors, message = run_failing(path)

    assert f"Row 2, {column}: " in errors
    assert expected in errors
    assert "Row 1" not in errors
    assert message == "1 problem(s); nothing was imported."
    assert not Survey.objects.exists()
    assert not SurveyResponse.objects.exists()


def test_every_problem_of_the_file_is_reported_at_once(tmp_path, case):
    path = write(
        tmp_path,
        line(registration_ref=case.registration.reference, answered_on="2026-5-1x"),
        line(corporate_number=BAD_CHECK_DIGIT),
        line(),
        line(registration_ref=case.registration.reference, fee_band="free"),
    )

    errors, message = run_failing(path)

    assert "Row 1, answered_on: " in errors
    assert "Row 2, corporate_number: " in errors
    assert "Row 3: Give the firm's corporate_number or registration_ref" in errors
    assert "Row 4, fee_band: " in errors
    assert message.startswith("4 problem(s)")


def test_the_same_firm_and_wave_on_two_rows_is_refused(tmp_path, case):
    business = case.registration.business
    path = write(tmp_path, line(registration_ref=case.registration.reference),
                 line(corporate_number=business.corporate_number))  # fmt: skip

    errors, _message = run_failing(path)

    assert "Row 2: Row 1 already has an answer from this firm for this wave." in errors


def test_identifiers_of_two_different_firms_are_refused(tmp_path, case):
    other = CaseFactory()
    number = other.registration.business.corporate_number
    path = write(tmp_path, line(registration_ref=case.registration.reference,
                                corporate_number=number))  # fmt: skip

    errors, _message = run_failing(path)

    assert "Row 1: The corporate number" in errors


def test_a_registration_without_a_case_is_refused(tmp_path):
    registration = RegistrationFactory()
    path = write(tmp_path, line(registration_ref=registration.reference))

    errors, _message = run_failing(path)

    assert "Row 1, registration_ref: The firm has no counselling case" in errors


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (HEADER.replace(",fee_band", ""), ["Columns missing from the file: fee_band."]),
        (HEADER + ",satisfaction", ["does not know: satisfaction."]),
        (HEADER.replace("source", "channel"),
         ["Columns missing from the file: source.", "does not know: channel."]),
        (HEADER + ",source", ["Columns named more than once: source."]),
    ],
)  # fmt: skip
def test_wrong_or_missing_columns_are_one_file_level_error(tmp_path, case, header, named):
    path = write(tmp_path, "1,2,3", header=header)

    errors, message = run_failing(path)

    assert errors == ""
    for text in named:
        assert text in message
    assert "The first row must name these columns: corporate_number," in message


def test_an_unreadable_or_empty_file_is_a_file_level_error(tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x81\x00\xff\xfe\x80")
    assert "neither UTF-8 nor Shift_JIS" in run_failing(binary)[1]
    assert "no rows" in run_failing(write(tmp_path, header=HEADER))[1]
    assert "No such file" in run_failing(tmp_path / "missing.csv")[1]


def test_a_dry_run_writes_nothing_but_says_what_it_would_do(tmp_path, case, users):
    case.concierge = users[Role.CONCIERGE]
    case.save()
    path = write(
        tmp_path,
        line(registration_ref=case.registration.reference, export_realised="yes",
             first_export_date="2026-04-01"),
        line(corporate_number=UNREGISTERED_NUMBER, business_name="株式会社旧参加", prefecture="13"),
        header=LEGACY_HEADER,
    )  # fmt: skip
    businesses = Business.objects.count()

    output = run(path, "--dry-run", "--create-missing")

    assert output.startswith("Dry run, nothing saved.")
    assert "2 new answer(s)" in output
    assert "2 survey(s) and 1 firm(s) created" in output
    assert not Survey.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert Business.objects.count() == businesses
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPORT


def test_create_missing_creates_a_legacy_corporation_once(tmp_path):
    path = write(
        tmp_path,
        line(corporate_number=UNREGISTERED_NUMBER, business_name="株式会社旧参加商事",
             prefecture="13"),
        line(corporate_number=UNREGISTERED_NUMBER, business_name="株式会社旧参加商事",
             prefecture="13", wave_months="12", answered_on="2026-07-01"),
        header=LEGACY_HEADER,
    )  # fmt: skip

    assert "2 survey(s) and 1 firm(s) created" in run(path, "--create-missing")

    business = Business.objects.get(corporate_number=UNREGISTERED_NUMBER)
    assert (business.entity_type, business.name, business.prefecture_id) == (
        "corporation", "株式会社旧参加商事", "13")  # fmt: skip
    assert (business.industry_id, business.employees, business.size_class) == ("T", 0, "")
    registration = business.registrations.get()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.notice_version == LEGACY_NOTICE_VERSION
    assert registration.privacy_consented_at is not None
    assert registration.sharing_consented_at is not None
    assert registration.contact.email.endswith("@legacy-import.invalid")
    case = registration.case
    assert case.status == Case.Status.FOLLOW_UP
    assert case.office == business.prefecture.office
    assert sorted(case.surveys.values_list("wave_months", flat=True)) == [6, 12]

    assert "0 new answer(s), 0 updated, 2 unchanged; 0 survey(s) and 0 firm(s)" in run(
        path, "--create-missing"
    )
    assert Business.objects.filter(name="株式会社旧参加商事").count() == 1


def test_create_missing_creates_a_sole_proprietor_by_name_and_prefecture_name(tmp_path):
    path = write(tmp_path, line(business_name="山田農園", prefecture="北海道",
                                export_realised="yes", first_export_date="2026-03-01"),
                 header=LEGACY_HEADER)  # fmt: skip

    run(path, "--create-missing")
    run(path, "--create-missing")

    business = Business.objects.get(name="山田農園")
    assert (business.entity_type, business.corporate_number, business.prefecture_id) == (
        "sole_proprietor", None, "01")  # fmt: skip
    case = business.registrations.get().case
    assert (case.status, case.realised_on) == (Case.Status.REALISED, datetime.date(2026, 3, 1))
    assert SurveyResponse.objects.count() == 1


def test_create_missing_requires_business_name_and_prefecture(tmp_path):
    path = write(tmp_path, line(corporate_number=UNREGISTERED_NUMBER, business_name="",
                                prefecture=""), header=LEGACY_HEADER)  # fmt: skip

    errors, _message = run_failing(path, "--create-missing")

    assert "Row 1, business_name: Required to create a firm" in errors
    assert "Row 1, prefecture: Required to create a firm" in errors
    assert not Business.objects.filter(corporate_number=UNREGISTERED_NUMBER).exists()


def test_create_missing_names_the_allowed_prefectures_and_still_checks_the_number(tmp_path):
    path = write(
        tmp_path,
        line(corporate_number=UNREGISTERED_NUMBER, business_name="A社", prefecture="99"),
        line(corporate_number=BAD_CHECK_DIGIT, business_name="B社", prefecture="東京都"),
        header=LEGACY_HEADER,
    )

    errors, _message = run_failing(path, "--create-missing")

    assert "Row 1, prefecture: Unknown prefecture “99”" in errors
    assert "Row 2, corporate_number: " in errors


def test_full_width_digits_and_a_corporate_number_with_hyphens_are_accepted(tmp_path):
    case = CaseFactory()
    number = case.registration.business.corporate_number
    spaced = f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}"
    path = write(tmp_path, line(corporate_number=spaced, wave_months="１２",
                                answered_on="２０２６-０５-１０"))  # fmt: skip

    run(path)

    assert Survey.objects.get().case == case


@pytest.mark.parametrize("amount", ["3000000", "3,000,000", "￥3,000,000", "3000000円"])
def test_yen_and_slashed_dates_import_as_people_type_them(tmp_path, amount):
    """The catalogue import reads them the same way (core.csv_import)."""
    case = CaseFactory()
    path = write(tmp_path, line(registration_ref=case.registration.reference,
                                answered_on="2026/5/10", amount_yen=amount))  # fmt: skip

    run(path)

    response = SurveyResponse.objects.get()
    assert (response.amount_yen, response.answered_at) == (3_000_000, noon("2026-05-10"))


# --- The admin import -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, users):
    client.force_login(users[Role.ADMIN])
    return client


def _upload(client, path, *, button):
    from django.urls import reverse

    with path.open("rb") as handle:
        return client.post(reverse("admin:outcomes_surveyresponse_import"),
                           {"file": handle, button: "1"})  # fmt: skip


def test_the_admin_checks_a_shift_jis_file_then_imports_it(admin_client, case, tmp_path):
    ref = case.registration.reference
    path = write(tmp_path, line(registration_ref=ref, products="清酒"), encoding="cp932")
    response = _upload(admin_client, path, button="check")
    assert response.status_code == 200
    assert "1" in response.context["result"].summary_text
    assert not SurveyResponse.objects.exists()  # a check saves nothing
    response = _upload(admin_client, path, button="import")
    assert response.context["result"].created == 1
    assert SurveyResponse.objects.get().products == "清酒"


def test_the_admin_import_lists_row_numbered_problems_and_imports_nothing(
    admin_client, case, tmp_path
):
    ref = case.registration.reference
    path = write(tmp_path, line(registration_ref=ref), line(registration_ref="EX-0000-NONE-0000"))
    response = _upload(admin_client, path, button="import")
    errors = response.context["result"].errors
    assert errors
    assert all("2" in error for error in errors)
    assert 'data-testid="survey-import-errors"' in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_only_admins_reach_the_admin_import(client, users):
    from django.urls import reverse

    client.force_login(users[Role.CONCIERGE])
    response = client.get(reverse("admin:outcomes_surveyresponse_import"))
    assert response.status_code == 302  # not staff: the admin sends them to its login
