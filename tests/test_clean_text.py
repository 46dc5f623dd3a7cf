"""Issue 13, "what goes in is clean text, what comes out always opens": control and format
characters are refused by every form and both imports, stored ones are cleaned by a data
migration, e-mail subjects and XLSX files can always be built, request bodies are UTF-8 or
400, and the catalogue's export escapes formulas visibly and re-imports to the same values.
Each rule is tested through the real views (or command, or job) and the real database."""

import csv
import importlib
import io
import re
import urllib.parse

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.file_messages import ROW_COLUMN_ERROR
from core.models import Organisation
from core.roles import Role
from core.services import email_outbox_dispatch
from counselling.models import Case, CounsellingSession
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.services import survey_resend
from outcomes.tests.factories import SurveyFactory
from registrations.models import Business, Contact, Registration
from registrations.normalise import name_key
from registrations.tests.factories import BusinessFactory, RegistrationFactory, form_data
from support_menus import resources
from support_menus.models import SupportMenu
from support_menus.resources import COLUMNS, dataset_read, result_errors
from support_menus.services import catalogue_import
from support_menus.tests.helpers import ROW, run_import

pytestmark = pytest.mark.django_db

SINGLE_LINE_MESSAGE = "改行・制御文字"  # the start of core.text.SINGLE_LINE_REFUSED in Japanese
MULTILINE_MESSAGE = "制御文字や見えない書式文字"
DIRTY_VALUES = [
    "株式会社\n山田製作所",
    "株式会社\r山田製作所",
    "山田\u202e製作所",  # right-to-left override
    "山田\u2066製作所\u2069",  # bidi isolates
    "\x1b[31m山田製作所\x1b[0m",  # ANSI escape
    "山田\u200b製作所",  # zero-width space
    "山田\u200d製作所",  # zero-width joiner
    "\ufeff山田製作所",  # BOM
    "山田\u2028製作所",  # line separator
    "山田\v製作所",  # vertical tab
    "山田\x85製作所",  # C1 next line
]
FEEDBACK = re.compile(r'class="invalid-feedback"[^>]*>(.*?)</(?:div|span|p)>', re.S)


def field_errors(response) -> str:
    return " ".join(FEEDBACK.findall(response.content.decode()))


# --- 1. Single-line fields refuse line breaks, control and format characters ----------------


@pytest.mark.parametrize("value", DIRTY_VALUES)
def test_the_registration_form_refuses_a_name_with_control_or_format_characters(client, value):
    before = (Business.objects.count(), Registration.objects.count())
    response = client.post(reverse("registrations:register"), form_data(name=value))
    assert response.status_code == 200
    assert response.context["form"].errors["name"][0].startswith(SINGLE_LINE_MESSAGE)
    assert SINGLE_LINE_MESSAGE in field_errors(response)  # beside the field, in Japanese
    from core.text import refused_characters

    first = refused_characters(value.strip())[0]
    assert f"U+{ord(first):04X}" in field_errors(response)  # named, since it is invisible
    assert (Business.objects.count(), Registration.objects.count()) == before


@pytest.mark.parametrize(
    "field", ["representative", "address", "contact_name", "contact_department", "phone",
              "referral_organisation_name", "corporate_number", "postal_code"],
)  # fmt: skip
def test_every_single_line_field_of_the_registration_form_refuses_them(client, field):
    data = form_data(**{field: "東京\u202e1", "referral_source": "chamber"})
    response = client.post(reverse("registrations:register"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(SINGLE_LINE_MESSAGE)
    assert not Registration.objects.exists()


def test_a_multi_line_field_keeps_line_breaks_and_tabs_but_refuses_other_characters(client):
    response = client.post(reverse("registrations:register"),
                           form_data(products="日本酒\u200e\r\n焼酎"))  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["products"][0].startswith(MULTILINE_MESSAGE)
    assert not Registration.objects.exists()

    response = client.post(reverse("registrations:register"),
                           form_data(products="日本酒\r\n焼酎\tほか"))  # fmt: skip
    assert response.status_code == 302
    assert Registration.objects.get().products == "日本酒\r\n焼酎\tほか"


def test_the_referral_form_refuses_them(client, users):
    client.force_login(users[Role.PARTNER])
    response = client.post(reverse("registrations:referral-create"),
                           form_data(name="山田\u202e製作所"))  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["name"][0].startswith(SINGLE_LINE_MESSAGE)
    assert not Registration.objects.filter(business__name__contains="山田").exists()


def test_the_contact_form_refuses_them(client, users):
    client.force_login(users[Role.BUSINESS])
    data = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "department": "海外\n事業部",
            "email": "hanako@example.jp", "phone": "03-1234-5678"}  # fmt: skip
    response = client.post(reverse("registrations:contact-update"), data)
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in field_errors(response)
    assert Contact.objects.get(user=users[Role.BUSINESS]).department != "海外\n事業部"


def test_the_session_form_refuses_a_line_break_in_attendees_and_keeps_one_in_notes(client, users):
    case = CaseFactory(registration__business__prefecture_id="13")
    client.force_login(users[Role.CONCIERGE])
    url = reverse("counselling:session-log", args=[case.pk])
    data = {"session-held_at": "2026-11-20T10:00", "session-channel": "online",
            "session-duration_minutes": "45", "session-notes": "一行目\n二行目",
            "session-attendees": "山田\n社長"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400  # the case page, re-shown with the form's errors
    assert SINGLE_LINE_MESSAGE in field_errors(response)
    assert not CounsellingSession.objects.exists()

    response = client.post(url, {**data, "session-attendees": "山田社長",
                                 "session-next_action": "資料\u202e送付"})  # fmt: skip
    assert response.status_code == 400
    assert not CounsellingSession.objects.exists()

    response = client.post(url, {**data, "session-attendees": "山田社長"})
    assert response.status_code == 302
    assert CounsellingSession.objects.get().notes == "一行目\n二行目"


def test_the_survey_form_refuses_them(client, users):
    from outcomes.services import survey_token_make

    survey = SurveyFactory(case=CaseFactory(status=Case.Status.SUPPORT, stage="challenge"))
    url = reverse("outcomes:answer", args=[survey_token_make(survey)])
    response = client.post(url, {"export_realised": "yes", "first_export_date": "2026-01-10",
                                 "products": "日本酒\u200b", "destinations": ["US"]})  # fmt: skip
    assert response.status_code == 400
    assert SINGLE_LINE_MESSAGE in field_errors(response)
    assert not SurveyResponse.objects.exists()


# --- 1. The imports apply the same rule, with row and column ----------------------------------


def test_the_catalogue_import_refuses_them_by_row_and_column():
    rows = [{**ROW, "name": "テスト\u202e伴走支援"},
            {**ROW, "code": "second", "summary": "一行目\n二行目"},
            {**ROW, "code": "third", "summary": "見えない\u200b文字"}]  # fmt: skip
    result = run_import(rows)
    errors = result_errors(result)
    assert len(errors) == 2, errors
    assert errors[0].startswith(ROW_COLUMN_ERROR % {"row": 1, "field": "name", "error": ""})
    assert "U+202E" in errors[0]
    assert errors[1].startswith(ROW_COLUMN_ERROR % {"row": 3, "field": "summary", "error": ""})
    assert "U+200B" in errors[1]
    assert not SupportMenu.objects.exists()


def survey_csv(reference: str, encoding="utf-8", **cells) -> bytes:
    from outcomes import importing

    values = {"registration_ref": reference, "wave_months": "6", "answered_on": "2026-01-10",
              "export_realised": "no", "source": "hearing", **cells}  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(importing.COLUMNS)
    writer.writerow([values.get(column, "") for column in importing.COLUMNS])
    return out.getvalue().encode(encoding)


def test_the_survey_import_refuses_them_by_row_and_column(tmp_path, users):
    from outcomes import importing

    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge")
    data = survey_csv(case.registration.reference, products="日本酒\x1b[31m")
    result = importing.survey_results_import(data, dry_run=False, create_missing=False)
    assert len(result.errors) == 1, result.errors
    prefix = ROW_COLUMN_ERROR % {"row": 1, "field": "products", "error": ""}
    assert result.errors[0].startswith(prefix)
    assert "U+001B" in result.errors[0]
    assert not SurveyResponse.objects.exists()


# --- 1. The data migration cleans what is stored ----------------------------------------------


def test_the_data_migration_cleans_stored_names_without_touching_unique_values():
    clean_migration = importlib.import_module("core.migrations.0007_clean_stored_text")
    business = BusinessFactory(
        name="株式会社\n山田\u202e製作所\u200b", corporate_number="7010705000725",
        representative="山田\t太郎", address="千代田区\u3000霞が関",
    )  # fmt: skip
    Business.objects.filter(pk=business.pk).update(name_key=name_key(business.name))
    registration = RegistrationFactory(business=business, contact__name="\ufeff山田\x1b[0m花子",
                                       contact__department="輸出\r\n推進室")  # fmt: skip
    clean = BusinessFactory(name="清潔株式会社")
    menu = SupportMenu.objects.create(
        code="x-menu", name="補助\u2066金\u2069", provider_id=CATALOGUE_PROVIDER(),
        category="subsidy", summary="一行目\n二行目", url="https://example.jp/",
        stages=["challenge"],
    )  # fmt: skip
    org = Organisation.objects.get(code="chamber-tokyo")
    Organisation.objects.filter(pk=org.pk).update(name="東京\u200d商工会議所")
    history_before = business.history.count()

    changed = clean_migration.stored_text_clean(django_apps, None)

    assert changed >= 4
    business.refresh_from_db()
    assert business.name == "株式会社 山田製作所"
    assert business.name_key == name_key("株式会社 山田製作所")
    assert business.representative == "山田 太郎"
    assert business.address == "千代田区\u3000霞が関"  # an ideographic space is text
    assert business.corporate_number == "7010705000725"
    assert business.history.count() == history_before + 1
    assert business.history.first().history_change_reason == clean_migration.REASON
    contact = Contact.objects.get(pk=registration.contact_id)
    assert (contact.name, contact.department) == ("山田花子", "輸出 推進室")
    menu.refresh_from_db()
    assert (menu.name, menu.code, menu.summary) == ("補助金", "x-menu", "一行目\n二行目")
    assert Organisation.objects.get(pk=org.pk).name == "東京商工会議所"
    assert Business.objects.get(pk=clean.pk).name == "清潔株式会社"
    assert clean_migration.stored_text_clean(django_apps, None) == 0  # idempotent


def CATALOGUE_PROVIDER() -> int:  # noqa: N802
    from support_menus.models import Provider

    return Provider.objects.get(code="jetro").pk


# --- 2. E-mail subjects can always be built ---------------------------------------------------


def test_a_firm_name_with_line_breaks_and_bidi_controls_still_gets_its_mail(users, settings):
    """The name was stored before the rule (or by a path without a form): the subject is
    cleaned when enqueued, and a real send through Django's mail layer succeeds."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge")
    Business.objects.filter(pk=case.registration.business_id).update(
        name="悪意\n株式会社\v\u202eX-Injected: 1"
    )
    survey = SurveyFactory(case=case)
    survey.refresh_from_db()
    mail.outbox.clear()
    survey_resend(survey=survey, actor=users[Role.CONCIERGE])
    assert email_outbox_dispatch() == 1
    [message] = mail.outbox
    assert "悪意 株式会社 X-Injected: 1" in message.subject
    assert not re.search(r"[\n\r\v\u202e]", message.subject)
    assert "X-Injected" not in message.message()


# --- 3. Request bodies that are not UTF-8 are refused with 400 -----------------------------------


def shift_jis_form(**overrides) -> str:
    data = form_data(**overrides)
    return urllib.parse.urlencode(data, doseq=True, encoding="cp932")


def test_a_shift_jis_form_body_is_refused_with_a_japanese_400_and_nothing_stored(client):
    response = client.post(reverse("registrations:register"), shift_jis_form(),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert "送信" in response.content.decode()
    assert not Business.objects.exists()


@pytest.mark.parametrize("charset", ["shift_jis", "euc-jp", "no-such-charset", "utf-16"])
def test_a_post_declaring_another_charset_answers_400_never_500(client, charset):
    body = urllib.parse.urlencode(form_data(), doseq=True).encode()
    response = client.generic(
        "POST", reverse("registrations:register"), body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )  # fmt: skip
    assert response.status_code == 400
    assert not Business.objects.exists()


def test_a_post_declaring_utf8_is_fine(client):
    body = urllib.parse.urlencode(form_data(), doseq=True)
    content_type = "application/x-www-form-urlencoded; charset=UTF-8"
    response = client.post(reverse("registrations:register"), body, content_type=content_type)
    assert response.status_code == 302
    assert Business.objects.get().name == "株式会社山田製作所"


def test_a_multipart_form_field_that_is_not_utf8_is_refused(client, users):
    client.force_login(users[Role.BUSINESS])
    boundary = "BoUnDaRy"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n').encode()
    body += "山田".encode("shift_jis") + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(reverse("registrations:contact-update"), body,
                           content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip
    assert response.status_code == 400


def test_a_multipart_form_in_utf8_keeps_a_typed_replacement_character(client, users):
    """Only bytes that are not UTF-8 are refused: a U+FFFD typed (or pasted) as text is a
    character like any other, in a multipart form as in a urlencoded one."""
    client.force_login(users[Role.BUSINESS])
    data = {"name": "山田\ufffd花子", "name_kana": "ヤマダ ハナコ", "department": "",
            "email": "hanako@example.jp", "phone": "03-1234-5678"}  # fmt: skip
    response = client.post(reverse("registrations:contact-update"), data)  # multipart
    assert response.status_code == 302
    assert Contact.objects.get(user=users[Role.BUSINESS]).name == "山田\ufffd花子"


def test_a_shift_jis_csv_upload_still_reaches_the_survey_import(client, users):
    """Only form fields are checked, never the uploaded file: the importer reads Shift_JIS."""
    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge")
    client.force_login(users[Role.ADMIN])
    upload = io.BytesIO(survey_csv(case.registration.reference, encoding="cp932",
                                   products="日本酒"))  # fmt: skip
    upload.name = "results.csv"
    response = client.post(reverse("admin:outcomes_surveyresponse_import"),
                           {"file": upload, "import": "1"})  # fmt: skip
    assert response.status_code == 200
    assert response.context["result"].errors == []
    assert SurveyResponse.objects.get().products == "日本酒"


# --- 4. The catalogue's exports escape formulas visibly and re-import unchanged ----------------

FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","x")',
    "fee_note": "-50%（自己負担）",
    "summary": "@SUM(1+1)\n二行目",
}


@pytest.fixture
def formula_menu(db):
    from support_menus.models import Provider

    menu = SupportMenu.objects.create(
        code="formula-menu", provider=Provider.objects.get(code="jetro"), category="subsidy",
        url="https://example.jp/", stages=["challenge"], **FORMULAS,
    )  # fmt: skip
    SupportMenu.objects.create(
        code="quote-menu", provider=Provider.objects.get(code="jetro"), category="subsidy",
        url="https://example.jp/", stages=["challenge"], name="'引用符で始まる名称",
        summary="ふつう", fee_note="+81 3 0000 0000",
    )  # fmt: skip
    return menu


def admin_export(client, file_format: int) -> bytes:
    response = client.post(
        reverse("admin:support_menus_supportmenu_export"),
        {"format": file_format, "resource": 0,
         **{f"supportmenuresource_{column}": "on" for column in COLUMNS}},
    )  # fmt: skip
    assert response.status_code == 200
    return response.content


def test_the_admin_csv_export_escapes_formulas_with_an_apostrophe(client, users, formula_menu):
    client.force_login(users[Role.ADMIN])
    page = client.get(reverse("admin:support_menus_supportmenu_export")).content.decode()
    assert "アポストロフィ" in page  # the page says what the export does
    rows = {
        row["code"]: row for row in csv.DictReader(io.StringIO(admin_export(client, 0).decode()))
    }
    row = rows["formula-menu"]
    for column, value in FORMULAS.items():
        assert row[column] == "'" + value, column  # never silently changed, never a formula
    assert rows["quote-menu"]["name"] == "''引用符で始まる名称"
    assert rows["quote-menu"]["fee_note"] == "'+81 3 0000 0000"
    assert "None" not in rows["quote-menu"].values()


@pytest.mark.parametrize("file_format", [0, 1])  # CSV, XLSX
def test_an_exported_catalogue_re_imports_to_the_same_values(client, users, formula_menu,
                                                             file_format):  # fmt: skip
    client.force_login(users[Role.ADMIN])
    content = admin_export(client, file_format)
    SupportMenu.objects.filter(code="formula-menu").update(name="変えた", fee_note="", summary="x")
    SupportMenu.objects.filter(code="quote-menu").update(name="変えた")
    extension = ("csv", "xlsx")[file_format]
    result = catalogue_import(dataset=dataset_read(content, extension), dry_run=False)
    assert result_errors(result) == []
    menu = SupportMenu.objects.get(code="formula-menu")
    assert {column: getattr(menu, column) for column in FORMULAS} == FORMULAS
    assert SupportMenu.objects.get(code="quote-menu").name == "'引用符で始まる名称"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_catalogue_command_export_escapes_and_round_trips(formula_menu, tmp_path, file_format):
    path = tmp_path / f"catalogue.{file_format}"
    call_command("catalogue", "export", "--format", file_format, "--output", str(path))
    dataset = dataset_read(path.read_bytes(), file_format)
    names = dict(zip(dataset["code"], dataset["name"], strict=True))
    assert names["formula-menu"] == "'" + FORMULAS["name"]
    SupportMenu.objects.filter(code="formula-menu").update(name="変えた")
    call_command("catalogue", "import", str(path))
    assert SupportMenu.objects.get(code="formula-menu").name == FORMULAS["name"]


def test_the_catalogue_xlsx_export_drops_characters_openpyxl_refuses(formula_menu):
    SupportMenu.objects.filter(code="quote-menu").update(summary="縦\vタブ")
    dataset = dataset_read(resources.catalogue_export("xlsx"), "xlsx")
    summaries = dict(zip(dataset["code"], dataset["summary"], strict=True))
    assert summaries["quote-menu"] == "縦タブ"
