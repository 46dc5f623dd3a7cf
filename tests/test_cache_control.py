"""Pages and downloads with personal data say `Cache-Control: no-store`, so neither a shared
computer's browser cache nor a proxy keeps a copy (static files keep their caching:
core/tests/test_cache_control.py)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.roles import Role
from counselling.tests.factories import CaseFactory
from outcomes import services as survey_services
from outcomes.tests.factories import SurveyFactory
from registrations.models import Registration
from registrations.services import consent as registration_consent
from registrations.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def assert_no_store(response):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "no-store" in cache_control, (response.status_code, response.get("Cache-Control"))
    assert "private" in cache_control
    assert "public" not in cache_control


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.BUSINESS, reverse("portal:home")),
        (Role.BUSINESS, reverse("registrations:my-data", args=["json"])),
        (Role.BUSINESS, reverse("registrations:my-data", args=["csv"])),
        (Role.BUSINESS, reverse("registrations:my-data-page")),
        (Role.CONCIERGE, reverse("counselling:case-list")),
        (Role.CONCIERGE, reverse("registrations:registration-list")),
        (Role.MINISTRY, reverse("reporting:progress-export") + "?kind=aggregates&format=csv"),
        (Role.ADMIN, reverse("admin:registrations_business_changelist")),
        (Role.ADMIN, reverse("admin:support_menus_supportmenu_export")),
    ],
)
def test_signed_in_pages_and_downloads_are_not_stored(client, users, role, url):
    client.force_login(users[role])
    response = client.get(url)
    assert response.status_code == 200, url
    assert_no_store(response)


def test_a_signed_in_users_error_and_redirect_answers_are_not_stored(client, users):
    client.force_login(users[Role.BUSINESS])
    assert_no_store(client.get("/cases/999999/"))
    assert_no_store(client.get(reverse("core:health")))


def test_the_emailed_link_pages_are_not_stored(client, users, jetro_tokyo):
    survey = SurveyFactory(case=CaseFactory(status="support", stage="challenge"))
    response = client.get(
        reverse("outcomes:answer", args=[survey_services.survey_token_make(survey)])
    )
    assert response.status_code == 200
    assert survey.case.registration.business.name in response.content.decode()
    assert_no_store(response)

    registration = RegistrationFactory(
        status=Registration.Status.AWAITING_CONSENT,
        consent_nonce="n" * 32,
        privacy_consented_at=None,
        sharing_consented_at=None,
    )
    token = registration_consent.consent_token_make(registration)
    response = client.get(reverse("registrations:consent", args=[token]))
    assert response.status_code == 200
    assert_no_store(response)

    user = users[Role.BUSINESS]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    response = client.get(url, follow=True)
    assert_no_store(response)


def test_public_pages_are_not_stored_either(client):
    assert_no_store(client.get(reverse("registrations:register")))
