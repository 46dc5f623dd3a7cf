"""Roles are Django groups. This module is the one place that says which groups exist and
which permissions each grants; the groups are created and granted on every `migrate`."""

from django.contrib.auth.models import Group, Permission
from django.db import models
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

_OFFICE_PERMISSIONS = (
    "core.view_prefecture",
    "core.view_organisation",
    "registrations.view_business",
    "registrations.change_business",
    "registrations.view_contact",
    "registrations.change_contact",
    "registrations.view_registration",
    "registrations.review_duplicates",
    "counselling.view_case",
    "counselling.change_case",
    "counselling.view_counsellingsession",
    "counselling.add_counsellingsession",
    "support_menus.view_supportmenu",
    "support_menus.view_proposal",
    "support_menus.add_proposal",
    "support_menus.change_proposal",
    "outcomes.view_survey",
    "outcomes.add_surveyresponse",
    "outcomes.change_survey",
)

# Permission codenames ("app_label.codename") each role is granted. The admin role gets every
# permission. Which rows a permission reaches is decided by each model's `*_visible_to` rule.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.BUSINESS: (),
    Role.PARTNER: ("registrations.view_business", "registrations.refer_business"),
    Role.CONCIERGE: _OFFICE_PERMISSIONS,
    Role.OFFICE_LEAD: (*_OFFICE_PERMISSIONS, "counselling.assign_case"),
    Role.MINISTRY: (
        "core.view_prefecture",
        "core.view_organisation",
        "registrations.view_business",
        "reporting.view_outcome_report",
        "reporting.view_progress_dashboard",
        "reporting.export_progress",
    ),
}


def role_of(user) -> Role | None:
    """The user's role: the first role group they belong to, in Role order."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in Role if role.value in names), None)


def role_groups_sync() -> None:
    """Create the role groups and set their permissions to exactly ROLE_PERMISSIONS."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:
            group.permissions.set(Permission.objects.all())
            continue
        wanted = ROLE_PERMISSIONS[role]
        q = models.Q(pk__in=[])
        for name in wanted:
            app_label, codename = name.split(".")
            q |= models.Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(q))


def role_groups_sync_on_migrate(sender, **kwargs) -> None:
    """Runs after each app's post_migrate, so permissions of apps migrated later are granted
    too; the sync is idempotent and cheap (six groups)."""
    role_groups_sync()
