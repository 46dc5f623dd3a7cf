"""What each role is granted of core's permissions (core.roles collects every app's
ROLE_GRANTS; the admin role has every permission)."""

from core.roles import Role

_REFERENCE_DATA = ("core.view_prefecture", "core.view_organisation")

ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.CONCIERGE: _REFERENCE_DATA,
    Role.OFFICE_LEAD: _REFERENCE_DATA,
    Role.MINISTRY: _REFERENCE_DATA,
}
