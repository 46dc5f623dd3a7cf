import pytest

from core.roles import Role
from core.tests.factories import UserFactory
from registrations.permissions import business_qs_visible_to
from registrations.tests.factories import BusinessFactory
from tests.permissions import ALL_ROLES, SEES_OSAKA_BUSINESS, SEES_TOKYO_REFERRED_BUSINESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo_referred(chamber_tokyo):
    return BusinessFactory(prefecture_id="13", referred_by=chamber_tokyo)


@pytest.fixture
def osaka_business():
    return BusinessFactory(prefecture_id="27")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_business_visibility_by_role(role, users, tokyo_referred, osaka_business):
    visible = set(business_qs_visible_to(users[role]))
    assert (tokyo_referred in visible) == (role in SEES_TOKYO_REFERRED_BUSINESS)
    assert (osaka_business in visible) == (role in SEES_OSAKA_BUSINESS)


def test_business_user_sees_only_their_own_business(users, tokyo_referred):
    own = users[Role.BUSINESS].contact.business
    assert list(business_qs_visible_to(users[Role.BUSINESS])) == [own]


def test_concierge_of_another_office_sees_none_of_tokyo(jetro_osaka, tokyo_referred):
    osaka_concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka)
    assert tokyo_referred not in business_qs_visible_to(osaka_concierge)


def test_users_without_role_or_organisation_see_nothing(tokyo_referred):
    assert not business_qs_visible_to(UserFactory()).exists()
    assert not business_qs_visible_to(UserFactory(role=Role.CONCIERGE)).exists()
    assert not business_qs_visible_to(UserFactory(role=Role.PARTNER)).exists()
