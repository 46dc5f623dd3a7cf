from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured

from core.roles import Role, role_grants, role_groups_sync
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migrate_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_each_role_group_has_exactly_the_grants_the_apps_declare(role):
    granted = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == role_grants()[role]


def test_the_grants_are_the_union_of_every_apps_declaration():
    declared = {role: set() for role in Role if role != Role.ADMIN}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        for role, names in getattr(module, "ROLE_GRANTS", {}).items():
            declared[role].update(names)
    assert role_grants() == declared
    assert "core.view_prefecture" in role_grants()[Role.MINISTRY]  # core declares its own


def test_admin_group_has_every_permission():
    assert Group.objects.get(name=Role.ADMIN).permissions.count() == Permission.objects.count()


def test_sync_restores_a_permission_removed_by_hand():
    group = Group.objects.get(name=Role.CONCIERGE)
    group.permissions.clear()
    role_groups_sync()
    assert group.permissions.count() == len(role_grants()[Role.CONCIERGE])


def test_a_grant_naming_an_unknown_permission_fails_loudly(monkeypatch):
    from core import permissions

    monkeypatch.setitem(permissions.ROLE_GRANTS, Role.MINISTRY, ("core.view_no_such_model",))
    with pytest.raises(ImproperlyConfigured, match="core.view_no_such_model"):
        role_grants()
    with pytest.raises(ImproperlyConfigured, match="core.view_no_such_model"):
        role_groups_sync()


def test_a_grant_to_the_admin_role_fails_loudly(monkeypatch):
    from core import permissions

    monkeypatch.setitem(permissions.ROLE_GRANTS, Role.ADMIN, ("core.view_prefecture",))
    with pytest.raises(ImproperlyConfigured, match="admin"):
        role_grants()


def test_user_role_comes_from_group_membership():
    assert UserFactory(role=Role.MINISTRY).role == Role.MINISTRY
    assert UserFactory().role is None


def test_user_permissions_follow_the_role():
    concierge = UserFactory(role=Role.CONCIERGE)
    partner = UserFactory(role=Role.PARTNER)
    assert concierge.has_perm("core.view_organisation")
    assert not partner.has_perm("core.view_organisation")
