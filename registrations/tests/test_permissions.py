import pytest

from core.roles import Role
from core.tests.factories import UserFactory
from registrations.models import Registration
from registrations.permissions import business_qs_visible_to, registration_qs_visible_to
from registrations.tests.factories import RegistrationFactory
from tests.permissions import (
    ALL_ROLES,
    SEES_AWAITING_CONSENT_REFERRAL,
    SEES_OSAKA_BUSINESS,
    SEES_TOKYO_REFERRED_BUSINESS,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo_referred(chamber_tokyo):
    return RegistrationFactory(business__prefecture_id="13", referred_by=chamber_tokyo)


@pytest.fixture
def osaka():
    return RegistrationFactory(business__prefecture_id="27")


@pytest.fixture
def awaiting(chamber_tokyo):
    return RegistrationFactory(
        business__prefecture_id="13", referred_by=chamber_tokyo,
        status=Registration.Status.AWAITING_CONSENT, privacy_consented_at=None,
        sharing_consented_at=None,
    )  # fmt: skip


@pytest.mark.parametrize("role", ALL_ROLES)
def test_registration_and_business_visibility_by_role(role, users, tokyo_referred, osaka, awaiting):
    user = users[role]
    registrations = set(registration_qs_visible_to(user))
    businesses = set(business_qs_visible_to(user))
    assert (tokyo_referred in registrations) == (role in SEES_TOKYO_REFERRED_BUSINESS)
    assert (tokyo_referred.business in businesses) == (role in SEES_TOKYO_REFERRED_BUSINESS)
    assert (osaka in registrations) == (role in SEES_OSAKA_BUSINESS)
    assert (osaka.business in businesses) == (role in SEES_OSAKA_BUSINESS)
    assert (awaiting in registrations) == (role in SEES_AWAITING_CONSENT_REFERRAL)
    assert (awaiting.business in businesses) == (role in SEES_AWAITING_CONSENT_REFERRAL)


def test_business_user_sees_only_their_own(users, tokyo_referred):
    user = users[Role.BUSINESS]
    assert list(business_qs_visible_to(user)) == [user.contact.business]
    assert [r.contact.user for r in registration_qs_visible_to(user)] == [user]


def test_another_office_and_another_partner_see_none_of_it(jetro_osaka, tokyo_referred):
    osaka_concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka)
    assert tokyo_referred not in registration_qs_visible_to(osaka_concierge)
    from core.models import Organisation

    other_partner = UserFactory(
        role=Role.PARTNER, organisation=Organisation.objects.get(code="chamber-osaka")
    )
    assert not registration_qs_visible_to(other_partner).exists()


def test_users_without_role_or_organisation_see_nothing(tokyo_referred):
    for user in (UserFactory(), UserFactory(role=Role.CONCIERGE), UserFactory(role=Role.PARTNER)):
        assert not registration_qs_visible_to(user).exists()
        assert not business_qs_visible_to(user).exists()
