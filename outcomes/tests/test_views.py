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


def test_the_firm_can_opt_out(client, survey):
    url = reverse("outcomes:opt-out", args=[services.survey_token_make(survey)])
    assert client.post(url).status_code == 200
    survey.refresh_from_db()
    assert survey.opted_out_at is not None


def test_opting_out_through_a_closed_link_answers_410_and_changes_nothing(client, survey):
    url = reverse("outcomes:opt-out", args=[services.survey_token_make(survey)])
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.post(url)
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
