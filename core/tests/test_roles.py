import pytest
from django.contrib.auth.models import Group, Permission

from core.roles import ROLE_PERMISSIONS, Role, role_groups_sync
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migrate_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_each_role_group_has_exactly_its_permissions(role):
    granted = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(ROLE_PERMISSIONS[role])


def test_admin_group_has_every_permission():
    assert Group.objects.get(name=Role.ADMIN).permissions.count() == Permission.objects.count()


def test_sync_restores_a_permission_removed_by_hand():
    group = Group.objects.get(name=Role.CONCIERGE)
    group.permissions.clear()
    role_groups_sync()
    assert group.permissions.count() == len(ROLE_PERMISSIONS[Role.CONCIERGE])


def test_user_role_comes_from_group_membership():
    assert UserFactory(role=Role.MINISTRY).role == Role.MINISTRY
    assert UserFactory().role is None


def test_user_permissions_follow_the_role():
    concierge = UserFactory(role=Role.CONCIERGE)
    partner = UserFactory(role=Role.PARTNER)
    assert concierge.has_perm("registrations.change_business")
    assert not partner.has_perm("registrations.change_business")
