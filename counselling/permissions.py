"""Who may see which cases: the one scoping rule every counselling list and page uses."""

from enum import StrEnum

from django.db.models import QuerySet

from core.roles import OFFICE_ROLES, Role
from counselling.models import Case


class CasePermission(StrEnum):
    VIEW = "counselling.view_case"  # the counselling workspace (notes included)
    CHANGE = "counselling.change_case"  # log sessions, stage, target, status
    ASSIGN = "counselling.assign_case"  # office queue, assign and reassign (office leads)


_OFFICE_GRANTS = (
    "counselling.view_case",
    "counselling.change_case",
    "counselling.view_counsellingsession",
    "counselling.add_counsellingsession",
)
# What each role is granted (core.roles collects every app's ROLE_GRANTS; the admin role has
# every permission).
ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.CONCIERGE: _OFFICE_GRANTS,
    Role.OFFICE_LEAD: (*_OFFICE_GRANTS, "counselling.assign_case"),
}


def case_qs_visible_to(user) -> QuerySet[Case]:
    """Cases whose counselling workspace (with notes) the user may open:
    admins every case, concierges and office leads their office's cases. Partners and the
    ministry see status and stage elsewhere, never the notes: for them this is empty."""
    cases = Case.objects.all()
    role = user.role if user.is_authenticated else None
    if role == Role.ADMIN:
        return cases
    if role in OFFICE_ROLES and user.organisation_id:
        return cases.filter(office_id=user.organisation_id)
    return cases.none()
