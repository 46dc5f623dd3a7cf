"""Fixtures shared by every test: one user per role, wired to real reference data."""

import pytest

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory
from registrations.tests.factories import RegistrationFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """Client.force_login stands for a finished sign-in, second factor included; the sign-in
    steps themselves (password, authenticator, recovery codes) are tested through the login
    form in core/tests/test_two_factor.py and in the browser."""
    from django.test import Client

    from core.sessions import TWO_FACTOR_VERIFIED_KEY

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        session = self.session
        session[TWO_FACTOR_VERIFIED_KEY] = True
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture
def jetro_tokyo(db) -> Organisation:
    return Organisation.objects.get(code="jetro-tokyo")


@pytest.fixture
def jetro_osaka(db) -> Organisation:
    return Organisation.objects.get(code="jetro-osaka")


@pytest.fixture
def chamber_tokyo(db) -> Organisation:
    return Organisation.objects.get(code="chamber-tokyo")


@pytest.fixture
def users(db, jetro_tokyo, chamber_tokyo):
    """One user per role, keyed by role value. The business user is a contact of a firm."""
    result = {
        Role.PARTNER: UserFactory(role=Role.PARTNER, organisation=chamber_tokyo),
        Role.CONCIERGE: UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo),
        Role.OFFICE_LEAD: UserFactory(role=Role.OFFICE_LEAD, organisation=jetro_tokyo),
        Role.MINISTRY: UserFactory(
            role=Role.MINISTRY, organisation=Organisation.objects.get(code="meti-sme-agency")
        ),
        Role.ADMIN: UserFactory(role=Role.ADMIN, is_staff=True),
    }
    business_user = UserFactory(role=Role.BUSINESS)
    RegistrationFactory(contact__user=business_user, business__name="株式会社テスト製作所")
    result[Role.BUSINESS] = business_user
    return result


@pytest.fixture
def catalogue(db):
    """The starting catalogue shipped in support_menus/data/, imported as an admin would."""
    from portal.demo.support_menus import catalogue_seed

    catalogue_seed()


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests (live server, real worker) flush the database after each test;
    this puts back the rows the data migrations load, through each app's
    `reference_data.reference_data_load(apps)` (the function its migration calls). Roles come
    back by themselves: the flush runs post_migrate, which re-creates the role groups."""
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "reference_data"):
            import_module(f"{config.name}.reference_data").reference_data_load(apps)
