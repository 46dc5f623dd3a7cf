"""Nothing recorded by default on the case page: every select starts blank, ending a case asks
for a confirmation, and a failed submit shows the error summary."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.forms import CHOOSE
from core.roles import Role
from counselling.forms import (
    CLOSE_CONFIRM_REQUIRED,
    SessionForm,
    StageForm,
    StatusForm,
    SupportReviewForm,
    TargetForm,
)
from counselling.models import Case
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def first_choice(form, name):
    return list(form.fields[name].choices)[0]


def test_a_case_without_a_target_shows_no_country_chosen():
    case = CaseFactory()
    form = TargetForm(prefix="target", instance=case)
    assert 'value="CN"' in str(form["target_country"])
    assert "checked" not in str(form["target_country"])
    data = {"target-target_product": "日本酒", "target-target_amount_yen": "100",
            "target-target_date": "2027-03-31"}  # fmt: skip
    with translation.override("ja"):
        bound = TargetForm(data, prefix="target", instance=case)
        assert bound.errors["target_country"] == ["目標国・地域を選択してください。"]


def test_a_case_without_a_stage_shows_no_stage_chosen():
    form = StageForm(prefix="stage", initial={"stage": ""})
    assert first_choice(form, "stage") == ("", CHOOSE)
    assert '<option value="" selected>' in str(form["stage"])


def test_the_status_and_review_selects_start_blank():
    form = StatusForm(prefix="status", case=CaseFactory(status=Case.Status.COUNSELLING))
    assert first_choice(form, "status") == ("", CHOOSE)
    assert [value for value, _ in form.fields["status"].choices] == ["", "proposals", "closed"]
    assert first_choice(form, "close_reason")[0] == ""
    assert first_choice(SupportReviewForm(), "decision") == ("", CHOOSE)


@pytest.mark.parametrize(
    ("status", "data"),
    [(Case.Status.CLOSED, {"status": "closed", "close_reason": "declined"}),
     (Case.Status.FOLLOW_UP, {"status": "realised"})],
)  # fmt: skip
def test_ending_a_case_needs_the_confirmation_box(status, data):
    case = CaseFactory(status=Case.Status.COUNSELLING if status == "closed" else status)
    refused = StatusForm(data, case=case)
    assert refused.errors == {"confirm": [CLOSE_CONFIRM_REQUIRED]}
    confirmed = StatusForm({**data, "confirm": "on"}, case=case)
    assert confirmed.is_valid()
    assert "confirm" not in confirmed.cleaned_data  # the service gets only what it records


def test_a_move_that_does_not_end_the_case_needs_no_confirmation():
    case = CaseFactory(status=Case.Status.COUNSELLING)
    assert StatusForm({"status": "proposals"}, case=case).is_valid()


def test_closing_without_the_box_saves_nothing_and_shows_the_summary(client, users):
    case = CaseFactory(registration__business__prefecture_id="13", status=Case.Status.COUNSELLING)
    client.force_login(users[Role.CONCIERGE])
    url = reverse("counselling:status-change", args=[case.pk])
    data = {"status-status": "closed", "status-close_reason": "declined"}

    response = client.post(url, data)

    assert response.status_code == 400
    assert 'data-testid="error-summary"' in response.text
    assert 'href="#id_status-confirm"' in response.text
    assert 'id="status-form"' in response.text  # the form's own section, where the action goes
    assert f'action="{url}#status-form"' in response.text
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING

    assert client.post(url, {**data, "status-confirm": "on"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Case.Status.CLOSED, "declined")


def test_the_case_page_has_no_summary_until_a_submit_fails(client, users):
    case = CaseFactory(registration__business__prefecture_id="13")
    client.force_login(users[Role.CONCIERGE])
    response = client.get(reverse("counselling:case-detail", args=[case.pk]))
    assert "data-error-summary" not in response.text


def test_the_session_form_records_no_channel_and_no_stage_nobody_chose():
    form = SessionForm(prefix="session")
    assert first_choice(form, "channel") == ("", CHOOSE)
    assert first_choice(form, "stage_assessed")[0] == ""  # optional: its empty option stays
    assert '<option value="" selected>' in str(form["stage_assessed"])


def test_a_new_session_asks_how_long_it_took_and_a_correction_keeps_what_was_recorded():
    assert SessionForm(prefix="session").initial.get("duration_minutes") is None
    session = CaseFactory().sessions.create(held_at="2026-11-20T10:00+09:00", channel="phone",
                                            duration_minutes=45)  # fmt: skip
    assert SessionForm(prefix="session", instance=session).initial["duration_minutes"] == 45


def test_the_target_amount_is_read_as_people_write_it_and_shown_in_yen(client, users):
    case = CaseFactory(registration__business__prefecture_id="13",
                       registration__business__industry_id="I",
                       registration__business__industry_detail="retail",
                       registration__business__capital_yen=30_000_000)  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    client.post(
        reverse("counselling:target-set", args=[case.pk]),
        {"target-target_country": "VN", "target-target_product": "日本酒",
         "target-target_amount_yen": "￥５,０００,０００円", "target-target_date": "2027-03-31"},
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.target_country.code, case.target_amount_yen) == ("VN", 5_000_000)
    page = client.get(reverse("counselling:case-detail", args=[case.pk])).text
    assert "ベトナム · 日本酒 · 5,000,000円" in page
    assert "30,000,000円" in page  # the firm's capital
    assert "小売業（店舗・通信販売など）" in page
    assert "¥" not in page
