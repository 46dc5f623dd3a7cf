"""The survey pages: the firm's signed link (no sign-in), and the case office's entry of
answers taken by phone, fresh links and delivery on the case page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes import services
from outcomes.models import Survey, SurveyResponse
from outcomes.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def japanese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def survey(users, jetro_tokyo):
    case = CaseFactory(status=Case.Status.SUPPORT, stage="challenge",
                       concierge=users[Role.CONCIERGE])  # fmt: skip
    return SurveyFactory(case=case)


def answer_url(survey) -> str:
    return reverse("outcomes:answer", args=[services.survey_token_make(survey)])


def test_the_firm_answers_without_signing_in_and_can_amend(client, survey):
    response = client.get(answer_url(survey))
    assert response.status_code == 200
    assert survey.case.registration.business.name in response.content.decode()
    response = client.post(answer_url(survey), {
        "export_realised": "yes", "first_export_date": "2026-05-10", "destinations": ["US"],
        "trajectory": "increased", "own_efforts": ["pr"], "fee_band": "le100k",
    })  # fmt: skip
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert 'data-testid="survey-done"' in done.content.decode()
    assert SurveyResponse.objects.get().source == "web"
    survey.case.refresh_from_db()
    assert survey.case.status == Case.Status.REALISED
    page = client.get(answer_url(survey)).content.decode()
    assert 'data-testid="already-answered"' in page
    client.post(answer_url(survey), {"export_realised": "yes", "first_export_date": "2026-05-10",
                                     "comments": "追加の注文あり"})  # fmt: skip
    assert SurveyResponse.objects.get().comments == "追加の注文あり"


def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(client, survey):
    from outcomes.forms import FIRST_EXPORT_DATE_REQUIRED

    response = client.post(answer_url(survey), {"export_realised": "yes"})
    assert response.status_code == 400
    assert str(FIRST_EXPORT_DATE_REQUIRED) in response.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("token", ["not-a-token", "eyJzIjoxfQ:1abc:tampered"])
def test_a_bad_link_shows_a_friendly_page_and_reveals_nothing(client, survey, token):
    response = client.get(reverse("outcomes:answer", args=[token]))
    assert response.status_code == 404
    assert 'data-testid="link-invalid"' in response.content.decode()
    assert survey.case.registration.business.name not in response.content.decode()


def test_an_expired_survey_shows_that_it_is_closed(client, survey):
    url = answer_url(survey)
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.get(url)
    assert response.status_code == 410
    assert survey.case.registration.business.name not in response.content.decode()
    assert client.post(url, {"export_realised": "no"}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_opting_out_asks_first_and_the_same_link_undoes_it_both_audited(client, survey):
    token = services.survey_token_make(survey)
    url = reverse("outcomes:opt-out", args=[token])
    answer = reverse("outcomes:answer", args=[token])
    page = client.get(answer).content.decode()
    assert f'href="{url}"' in page  # a link to a confirmation, not a one-click form
    confirm = client.get(url)
    assert 'data-testid="opt-out-confirm"' in confirm.content.decode()
    survey.refresh_from_db()
    assert survey.opted_out_at is None  # opening the page changes nothing
    assert client.post(url).status_code == 400  # no choice made: nothing changes
    survey.refresh_from_db()
    assert survey.opted_out_at is None

    response = client.post(url, {"action": "stop"})
    assert response["Location"] == url
    survey.refresh_from_db()
    assert survey.opted_out_at is not None
    stopped = client.get(url).content.decode()
    assert 'data-testid="opted-out"' in stopped
    assert 'data-testid="opt-out-undo"' in stopped
    # The survey link leads to the same page, with the way back.
    assert client.get(answer)["Location"] == url

    response = client.post(url, {"action": "resume"})
    assert response["Location"] == answer
    survey.refresh_from_db()
    assert survey.opted_out_at is None
    assert client.get(answer).status_code == 200
    reasons = list(survey.history.order_by("history_date").values_list(
        "history_change_reason", "opted_out_at"))  # fmt: skip
    assert [reason for reason, _at in reasons[-2:]] == [services.OPTED_OUT,
                                                        services.OPT_OUT_UNDONE]  # fmt: skip
    assert reasons[-2][1] is not None
    assert reasons[-1][1] is None


def test_an_opt_out_cannot_be_undone_once_the_survey_has_closed(client, survey):
    url = reverse("outcomes:opt-out", args=[services.survey_token_make(survey)])
    client.post(url, {"action": "stop"})
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = client.get(url).content.decode()
    assert 'data-testid="opted-out"' in page
    assert 'data-testid="opt-out-undo"' not in page
    assert client.post(url, {"action": "resume"}).status_code == 400
    survey.refresh_from_db()
    assert survey.opted_out_at is not None


def test_opting_out_through_a_closed_link_answers_410_and_changes_nothing(client, survey):
    url = reverse("outcomes:opt-out", args=[services.survey_token_make(survey)])
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.post(url, {"action": "stop"})
    assert response.status_code == 410
    assert 'data-testid="survey-closed"' in response.content.decode()
    assert survey.case.registration.business.name not in response.content.decode()
    survey.refresh_from_db()
    assert survey.opted_out_at is None


def test_the_concierge_enters_a_phone_answer(client, users, survey):
    client.force_login(users[Role.CONCIERGE])
    url = reverse("outcomes:staff-answer", args=[survey.case.pk, survey.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"export_realised": "negotiating", "source": "phone"})
    assert response.status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.source, answer.created_by) == ("phone", users[Role.CONCIERGE])


def test_a_fresh_link_replaces_the_old_one(client, users, survey):
    old = answer_url(survey)
    client.force_login(users[Role.CONCIERGE])
    response = client.post(reverse("outcomes:resend", args=[survey.case.pk, survey.pk]))
    assert response.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    survey.refresh_from_db()
    assert client.get(answer_url(survey)).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_staff_pages_are_scoped_to_the_case_office(client, users, survey, role):
    client.force_login(users[role])
    url = reverse("outcomes:staff-answer", args=[survey.case.pk, survey.pk])
    expected = {Role.CONCIERGE: 200, Role.OFFICE_LEAD: 200, Role.ADMIN: 200}.get(role, 403)
    assert client.get(url).status_code == expected


def test_another_office_gets_404(client, survey, jetro_osaka):
    client.force_login(UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka))
    for name in ("outcomes:staff-answer", "outcomes:resend"):
        url = reverse(name, args=[survey.case.pk, survey.pk])
        assert client.post(url, {"export_realised": "no", "source": "phone"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_case_page_shows_delivery_including_a_bounce(client, users, survey):
    OutboundEmail.objects.create(
        idempotency_key=services.survey_invite_key(survey), to="x@example.jp", subject="s",
        body="b", status=OutboundEmail.Status.FAILED, kind="firm",
    )  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    page = client.get(reverse("counselling:case-detail", args=[survey.case.pk])).content.decode()
    assert 'data-testid="surveys"' in page
    assert 'data-wave="6"' in page
    from django.utils.translation import gettext

    assert gettext("bounced") in page


def test_the_case_page_shows_only_the_reminders_of_the_link_last_sent(client, users, survey):
    # Before issue 16 a fresh link kept the old link's reminders, dated before its send.
    old = timezone.now() - datetime.timedelta(days=20)
    Survey.objects.filter(pk=survey.pk).update(reminder1_at=old)
    client.force_login(users[Role.CONCIERGE])
    case_url = reverse("counselling:case-detail", args=[survey.case.pk])
    page = client.get(case_url).content.decode()
    assert 'data-testid="survey-reminders"' not in page
    assert japanese_date(timezone.localdate(old)) not in page
    client.post(reverse("outcomes:resend", args=[survey.case.pk, survey.pk]))
    survey.refresh_from_db()
    assert (survey.reminder1_at, survey.reminder2_at) == (None, None)
    later = survey.sent_at + datetime.timedelta(days=7)
    Survey.objects.filter(pk=survey.pk).update(reminder1_at=later)
    page = client.get(case_url).content.decode()
    assert japanese_date(timezone.localdate(later)) in page
