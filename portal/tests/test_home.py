"""The landing pages: the public welcome page and one page per role."""

import pytest
from django.utils import timezone

from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from registrations.models import Registration
from registrations.tests.factories import RegistrationFactory
from support_menus.tests.factories import SupportMenuFactory
from tests.permissions import LANDING_HEADINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_anonymous_visitor_gets_the_public_welcome_page_in_japanese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.text
    assert "ログイン" in response.text


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_page(english, users, role):
    english.force_login(users[role])
    response = english.get("/")
    assert response.status_code == 200
    assert '<h1 class="h3 mb-' in response.text
    assert LANDING_HEADINGS[role] in response.text
    for other, heading in LANDING_HEADINGS.items():
        if other != role:
            assert heading not in response.text


def test_landing_list_runs_the_same_queries_for_1_or_25_businesses(
    client, users, django_assert_num_queries
):
    client.force_login(users[Role.CONCIERGE])
    RegistrationFactory(business__prefecture_id="13")
    with django_assert_num_queries(11) as one:
        client.get("/")
    RegistrationFactory.create_batch(24, business__prefecture_id="13")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert len(response.context["registrations"]) == 20
    assert response.context["registration_count"] == 26  # with the business user's Tokyo firm


def test_concierge_landing_shows_only_their_office_area(client, users):
    RegistrationFactory(business__name="東京の会社", business__prefecture_id="13")
    RegistrationFactory(business__name="大阪の会社", business__prefecture_id="27")
    client.force_login(users[Role.CONCIERGE])
    response = client.get("/")
    assert "東京の会社" in response.text
    assert "大阪の会社" not in response.text


def test_ministry_sees_registered_firms_per_meti_region_adding_up_to_the_figure(client, users):
    CaseFactory.create_batch(2, registration__business__prefecture_id="04")  # 宮城県: 東北
    CaseFactory(registration__business__prefecture_id="15")  # 新潟県: 関東経済産業局
    client.force_login(users[Role.MINISTRY])
    response = client.get("/")
    rows = {row["region"]: row["count"] for row in response.context["region_counts"]}
    assert rows["tohoku"] == 2
    assert rows["kanto"] == 1  # 新潟 (the business user's firm has no case: not registered yet)
    assert rows["okinawa"] == 0
    assert 'data-figure="registered" data-value="3"' in response.text


def test_ministry_sees_how_many_firms_realised_an_export(client, users):
    today = timezone.localdate()
    CaseFactory.create_batch(2, status=Case.Status.REALISED, close_reason="realised",
                             realised_on=today)  # fmt: skip
    CaseFactory(status=Case.Status.SUPPORT)
    client.force_login(users[Role.MINISTRY])
    response = client.get("/")
    assert 'data-figure="realised" data-value="2">2<' in response.text


def test_the_firm_sees_who_its_concierge_is_and_how_to_reach_the_office(client, users):
    business_user = users[Role.BUSINESS]
    registration = Registration.objects.get(contact__user=business_user)
    case = CaseFactory(registration=registration, concierge=users[Role.CONCIERGE])
    case.office.phone = "03-0000-0000"
    case.office.email = "office@example.jp"
    case.office.save()

    client.force_login(business_user)
    response = client.get("/")

    card = response.text.split('data-testid="my-concierge"')[1].split("</div>\n</div>")[0]
    assert users[Role.CONCIERGE].get_full_name() in card
    assert case.office.name in card
    assert 'href="tel:03-0000-0000"' in card
    assert 'href="mailto:office@example.jp"' in card


def test_before_assignment_the_firm_sees_its_office(client, users):
    business_user = users[Role.BUSINESS]
    case = CaseFactory(registration=Registration.objects.get(contact__user=business_user))

    client.force_login(business_user)
    response = client.get("/")

    card = response.text.split('data-testid="my-concierge"')[1].split("</div>\n</div>")[0]
    assert "担当者を決めています" in card
    assert case.office.name in card
    assert "tel:" not in card


def test_the_admin_landing_page_counts_the_menus_due_for_confirmation(client, users):
    SupportMenuFactory(confirmed_on=None)
    SupportMenuFactory(confirmed_on=timezone.localdate())

    client.force_login(users[Role.ADMIN])
    response = client.get("/")

    assert response.context["menus_confirmation_due"] == 1
    assert 'data-testid="menus-confirmation-due-link"' in response.text
