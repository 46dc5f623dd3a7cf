"""Roles are Django groups. This module says which groups exist and collects the permissions
each app grants them (`<app>/permissions.py`, ROLE_GRANTS); the groups are created and
granted on every `migrate`."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUSINESS = "business", _("Business")
    PARTNER = "partner", _("Partner organisation staff")
    CONCIERGE = "concierge", _("Concierge")
    OFFICE_LEAD = "office_lead", _("Office lead")
    MINISTRY = "ministry", _("Ministry staff")
    ADMIN = "admin", _("Program administrator")


STAFF_ROLES = frozenset({Role.CONCIERGE, Role.OFFICE_LEAD, Role.MINISTRY, Role.ADMIN})
OFFICE_ROLES = frozenset({Role.CONCIERGE, Role.OFFICE_LEAD})


def role_grants() -> dict[Role, frozenset[str]]:
    """The permissions ("app_label.codename") each role except admin is granted: the union of
    every installed app's `<app>.permissions.ROLE_GRANTS` (found the way the admin finds
    admin.py). The admin role gets every permission. Which rows a permission reaches is
    decided by each model's `*_visible_to` rule. A grant naming a permission no installed
    model declares, or granted to the admin role, raises ImproperlyConfigured."""
    known = _declared_permissions()
    grants: dict[Role, set[str]] = {role: set() for role in Role if role != Role.ADMIN}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "permissions"):
            continue
        declared = getattr(import_module(f"{config.name}.permissions"), "ROLE_GRANTS", {})
        for role, names in declared.items():
            if role not in grants:
                raise ImproperlyConfigured(
                    f"{config.name}.permissions.ROLE_GRANTS grants to {role!r}, not a role "
                    "that takes grants (the admin role has every permission)"
                )
            unknown = set(names) - known
            if unknown:
                raise ImproperlyConfigured(
                    f"{config.name}.permissions.ROLE_GRANTS names permissions no installed "
                    f"model declares: {', '.join(sorted(unknown))}"
                )
            grants[role].update(names)
    return {role: frozenset(names) for role, names in grants.items()}


def _declared_permissions() -> set[str]:
    """Every permission the installed models declare (default and Meta.permissions), read
    from the models rather than the database, which may not have them yet."""
    return {
        f"{model._meta.app_label}.{codename}"
        for model in apps.get_models()
        for codename in (
            *(get_permission_codename(action, model._meta)
              for action in model._meta.default_permissions),
            *(codename for codename, _name in model._meta.permissions),
        )
    }  # fmt: skip


def role_of(user) -> Role | None:
    """The user's role: the first role group they belong to, in Role order."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in Role if role.value in names), None)


def role_groups_sync() -> None:
    """Create the role groups and set their permissions to exactly role_grants()."""
    grants = role_grants()
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:
            group.permissions.set(Permission.objects.all())
            continue
        q = models.Q(pk__in=[])
        for name in grants[role]:
            app_label, codename = name.split(".")
            q |= models.Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(q))


def role_groups_sync_on_migrate(sender, **kwargs) -> None:
    """Runs after each app's post_migrate, so permissions of apps migrated later are granted
    too; the sync is idempotent and cheap (six groups)."""
    role_groups_sync()
