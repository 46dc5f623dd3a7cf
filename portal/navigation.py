"""The navigation bar: one list of entries, each shown to the roles named."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[Role]

    def url(self) -> str:
        return reverse(self.url_name)


ALL_ROLES = frozenset(Role)

REGISTRATION_STAFF = frozenset({Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN})

NAV_ITEMS = (
    NavItem(_("Home"), "portal:home", ALL_ROLES),
    NavItem(_("Cases"), "counselling:case-list", REGISTRATION_STAFF),
    NavItem(_("Office queue"), "counselling:queue", frozenset({Role.OFFICE_LEAD, Role.ADMIN})),
    NavItem(_("Support menus"), "support_menus:menu-list", REGISTRATION_STAFF | {Role.PARTNER}),
    NavItem(_("Registrations"), "registrations:registration-list", REGISTRATION_STAFF),
    NavItem(_("Suspected duplicates"), "registrations:duplicate-queue", REGISTRATION_STAFF),
    NavItem(_("Referred businesses"), "registrations:referral-list", frozenset({Role.PARTNER})),
    NavItem(_("Refer a firm"), "registrations:referral-create", frozenset({Role.PARTNER})),
    NavItem(
        _("Update contact details"), "registrations:contact-update", frozenset({Role.BUSINESS})
    ),
    NavItem(_("Progress dashboard"), "reporting:progress", frozenset({Role.MINISTRY, Role.ADMIN})),
    NavItem(_("Outcome report"), "reporting:report", frozenset({Role.MINISTRY, Role.ADMIN})),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMIN})),
)


def nav_items_for(role: Role | None) -> list[dict]:
    if role is None:
        return []
    return [{"label": item.label, "url": item.url()} for item in NAV_ITEMS if role in item.roles]
