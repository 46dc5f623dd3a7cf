"""Issue 13: hostile dates and amounts to every form that takes them and to both imports.

Hypothesis posts out-of-range dates (the year 1 typed at midnight in Japan time, which
PostgreSQL stored as a BC timestamp, 9999-12-31, impossible and malformed days, random dates
of any year) and amounts (negative, beyond a bigint, huge, written oddly). Whatever arrives:
never a 500, never a stored value outside the rules of core.validators (ADR 0013), and a
message in Japanese next to the field or naming the import's row and column. After each
example the office's lists and the case page still answer.

Each example runs in a savepoint that is rolled back (tests/hostile.py, as in
test_hostile_input)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.roles import Role
from core.validators import (
    MAX_YEN,
    plan_latest,
    program_start,
)
from counselling.models import Case, CounsellingSession
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from support_menus import services as menu_services
from support_menus.models import Proposal, SupportMenu
from support_menus.tests.factories import SupportMenuFactory
from support_menus.tests.helpers import ROW, csv_bytes
from tests.hostile import (
    FEW,
    JAPANESE,
    SURVEY_DATA,
    admin_catalogue_import,
    admin_import_messages,
    admin_survey_import,
    assert_explained,
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

DATE_SAMPLES = (
    "0001-01-01", "9999-12-31", "0000-00-00", "0001-01-00", "1999-12-31", "2019-12-31",
    "2020-01-01", "10000-01-01", "-0001-01-01", "2026-02-30", "2100-01-01", "2099-12-31",
    "99999999-01-01", "0001/01/01", "９９９９-１２-３１", "1e308", "",
)  # fmt: skip
AMOUNT_SAMPLES = (
    "-1", "-0", "0", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
    "9" * 40, str(MAX_YEN), str(MAX_YEN + 1), "1e308", "-1e308", "NaN", "inf", "1,000",
    "１０００", "12万", "",
)  # fmt: skip

any_date = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
hostile_date = st.one_of(st.sampled_from(DATE_SAMPLES), any_date.map(datetime.date.isoformat))
hostile_datetime = st.one_of(
    st.sampled_from([f"{d}T00:00" for d in DATE_SAMPLES]
                    + ["0001-01-01T09:18", "9999-12-31T23:59"]),
    st.builds(lambda d, t: f"{d.isoformat()}T{t:%H:%M}", any_date, st.times()),
)  # fmt: skip
hostile_amount = st.one_of(
    st.sampled_from(AMOUNT_SAMPLES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def within_past(value) -> bool:
    """A record's date: from the program's start year to today in Japan time."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return program_start() <= value <= timezone.localdate()


def within_plan(value) -> bool:
    return program_start() <= value <= plan_latest()


def within_yen(value) -> bool:
    return 0 <= value <= MAX_YEN


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def concierge_client(users) -> Client:
    client = Client()
    client.force_login(users[Role.CONCIERGE])
    return client


@pytest.fixture
def admin_client(users) -> Client:
    client = Client()
    client.force_login(users[Role.ADMIN])
    return client


@pytest.fixture
def case(users) -> Case:
    return CaseFactory(
        registration__business__prefecture_id="13", status=Case.Status.COUNSELLING,
        concierge=users[Role.CONCIERGE],
    )  # fmt: skip


def lists_still_answer(client: Client, case: Case, where: str) -> None:
    for url in (reverse("counselling:case-list"), reverse("registrations:registration-list"),
                reverse("counselling:case-detail", args=[case.pk])):  # fmt: skip
        assert send(client, "get", url).status_code == 200, f"{url} after {where}"


def refused_beside_the_field(response, where: str) -> None:
    assert response.status_code == 400, f"{where}: status {response.status_code}"
    assert_explained(html(response), where)


# --- The case page's forms -----------------------------------------------------------------------


@FEW
@given(held_at=hostile_datetime, due=hostile_date)
def test_session_form_with_hostile_dates(concierge_client, case, held_at, due):
    url = reverse("counselling:session-log", args=[case.pk])
    data = {"session-held_at": held_at, "session-channel": "phone",
            "session-duration_minutes": "30", "session-next_action": "電話",
            "session-next_action_due": due}  # fmt: skip
    where = f"POST session held_at={held_at!r} next_action_due={due!r}"
    with rolled_back():
        response = send(concierge_client, "post", url, data)
        if response.status_code == 302:
            session = CounsellingSession.objects.get(case=case)
            assert within_past(session.held_at), where
            case.refresh_from_db()
            assert case.next_action_due is None or within_plan(case.next_action_due), where
        else:
            refused_beside_the_field(response, where)
            assert not CounsellingSession.objects.filter(case=case).exists(), where
        lists_still_answer(concierge_client, case, where)


@FEW
@given(target_date=hostile_date, amount=hostile_amount)
def test_target_form_with_hostile_dates_and_amounts(concierge_client, case, target_date, amount):
    url = reverse("counselling:target-set", args=[case.pk])
    data = {"target-target_country": "US", "target-target_product": "日本酒",
            "target-target_amount_yen": amount, "target-target_date": target_date}  # fmt: skip
    where = f"POST target date={target_date!r} amount={short(amount)}"
    with rolled_back():
        response = send(concierge_client, "post", url, data)
        case.refresh_from_db()
        if response.status_code == 302:
            assert within_plan(case.target_date), where
            assert within_yen(case.target_amount_yen), where
        else:
            refused_beside_the_field(response, where)
            assert (case.target_date, case.target_amount_yen) == (None, None), where
        lists_still_answer(concierge_client, case, where)


@pytest.fixture
def proposal(users, case) -> Proposal:
    SupportMenuFactory(code="m-plain")
    [proposal] = menu_services.proposals_create(
        case=case, menu_codes=["m-plain"], note="", actor=users[Role.CONCIERGE],
        today=timezone.localdate(),
    )  # fmt: skip
    return proposal


@FEW
@given(on=hostile_date)
def test_proposal_status_form_with_hostile_dates(concierge_client, proposal, on):
    url = reverse("support_menus:proposal-status", args=[proposal.case_id, proposal.pk])
    prefix = f"proposal-{proposal.pk}"
    where = f"POST proposal status on={on!r}"
    with rolled_back():
        response = send(concierge_client, "post", url, {f"{prefix}-status": "applied",
                                                         f"{prefix}-on": on})  # fmt: skip
        proposal.refresh_from_db()
        if response.status_code == 302:
            assert within_past(proposal.applied_on), where
        else:
            refused_beside_the_field(response, where)
            assert proposal.applied_on is None, where
        lists_still_answer(concierge_client, proposal.case, where)


# --- The survey answer: the firm's link and the office's entry ----------------------------------


@pytest.fixture
def survey(case):
    return SurveyFactory(case=case)


def check_survey(response, where: str) -> None:
    if response.status_code == 302:
        answer = SurveyResponse.objects.get()
        assert answer.first_export_date is None or within_past(answer.first_export_date), where
        assert answer.amount_yen is None or within_yen(answer.amount_yen), where
    else:
        refused_beside_the_field(response, where)
        assert not SurveyResponse.objects.exists(), where


@FEW
@given(first=hostile_date, amount=hostile_amount)
def test_survey_answer_with_hostile_dates_and_amounts(client, concierge_client, survey, first,
                                                      amount):  # fmt: skip
    url = reverse("outcomes:answer", args=[survey_token_make(survey)])
    where = f"POST survey first_export_date={first!r} amount_yen={short(amount)}"
    with rolled_back():
        response = send(
            client, "post", url, {**SURVEY_DATA, "first_export_date": first, "amount_yen": amount}
        )
        check_survey(response, where)
        lists_still_answer(concierge_client, survey.case, where)


@FEW
@given(first=hostile_date, amount=hostile_amount)
def test_staff_survey_answer_with_hostile_dates_and_amounts(concierge_client, survey, first,
                                                            amount):  # fmt: skip
    url = reverse("outcomes:staff-answer", args=[survey.case.pk, survey.pk])
    where = f"POST staff survey first_export_date={first!r} amount_yen={short(amount)}"
    with rolled_back():
        response = send(
            concierge_client,
            "post",
            url,
            {**SURVEY_DATA, "source": "phone", "first_export_date": first, "amount_yen": amount},
        )
        check_survey(response, where)
        lists_still_answer(concierge_client, survey.case, where)


# --- The survey results import: command and admin page ------------------------------------------


def _import_row(case, answered, first, amount) -> list[str]:
    return survey_row(case.registration.reference, answered_on=answered, export_realised="yes",
                      first_export_date=first, amount_yen=amount)  # fmt: skip


def check_imported_answers(where: str) -> None:
    for answer in SurveyResponse.objects.all():
        assert within_past(answer.answered_at), where
        assert answer.first_export_date is None or within_past(answer.first_export_date), where
        assert answer.amount_yen is None or within_yen(answer.amount_yen), where


@FEW
@given(answered=hostile_date, first=hostile_date, amount=hostile_amount)
def test_survey_import_command_with_hostile_dates_and_amounts(tmp_path, case, answered, first,
                                                              amount):  # fmt: skip
    data = survey_csv([_import_row(case, answered, first, amount)])
    where = f"import_survey_results {short(_import_row(case, answered, first, amount))}"
    with rolled_back():
        imported, message = run_survey_command(tmp_path, data)
        if imported:
            check_imported_answers(where)
        else:
            assert JAPANESE.search(message), f"{where}: {message[:300]!r}"
            assert "1行目" in message, f"{where}: the row is not named: {message[:300]!r}"
            assert not SurveyResponse.objects.exists(), where


@FEW
@given(answered=hostile_date, first=hostile_date, amount=hostile_amount)
def test_survey_admin_import_with_hostile_dates_and_amounts(admin_client, concierge_client, case,
                                                            answered, first, amount):  # fmt: skip
    data = survey_csv([_import_row(case, answered, first, amount)])
    where = f"admin survey import {short(_import_row(case, answered, first, amount))}"
    with rolled_back():
        response = admin_survey_import(admin_client, data, really=True)
        assert response.status_code in (200, 302), where
        if SurveyResponse.objects.exists():
            check_imported_answers(where)
        else:
            page = html(response)
            assert "1行目" in page, f"{where}: the row is not named"
        lists_still_answer(concierge_client, case, where)


# --- The catalogue import: command and admin page ------------------------------------------------


def _catalogue(opens, closes, cap) -> bytes:
    return csv_bytes([{**ROW, "opens_on": opens, "closes_on": closes,
                           "subsidy_cap_yen": cap}])  # fmt: skip


def catalogue_values_within_sense(opens: str, closes: str, cap: str, where: str) -> None:
    """What an import accepted: each window date a plan date, the cap a sensible amount."""
    for value in (opens, closes):
        if value:
            assert within_plan(datetime.date.fromisoformat(value)), where
    if cap:
        assert within_yen(int(cap.replace(",", ""))), where


@FEW
@given(opens=hostile_date, closes=hostile_date, cap=hostile_amount)
def test_catalogue_import_command_with_hostile_dates_and_amounts(tmp_path, db, opens, closes,
                                                                 cap):  # fmt: skip
    where = f"catalogue import opens_on={opens!r} closes_on={closes!r} cap={short(cap)}"
    with rolled_back():
        imported, message = run_catalogue_command(tmp_path, _catalogue(opens, closes, cap))
        if imported:
            catalogue_values_within_sense(opens, closes, cap, where)
        else:
            assert JAPANESE.search(message), f"{where}: {message[:300]!r}"
        assert not SupportMenu.objects.exists(), where  # a dry run


@FEW
@given(opens=hostile_date, closes=hostile_date, cap=hostile_amount)
def test_catalogue_admin_import_with_hostile_dates_and_amounts(admin_client, opens, closes, cap):
    where = f"admin catalogue import opens_on={opens!r} closes_on={closes!r} cap={short(cap)}"
    with rolled_back():
        response = admin_catalogue_import(admin_client, _catalogue(opens, closes, cap))
        assert response.status_code == 200, where
        page = html(response)
        confirm = (response.context or {}).get("confirm_form")
        if confirm is None:
            messages = admin_import_messages(page)
            assert messages, f"{where}: no message"
            assert all(JAPANESE.search(m) for m in messages), f"{where}: {messages!r}"
        else:  # previewed: every value is within sense
            catalogue_values_within_sense(opens, closes, cap, where)
        assert not SupportMenu.objects.exists(), where  # only previewed
