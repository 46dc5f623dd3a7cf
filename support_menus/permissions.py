"""Who may see which proposals: the one scoping rule every proposal list and page uses."""

from enum import StrEnum

from django.db.models import QuerySet

from core.roles import OFFICE_ROLES, Role
from counselling.permissions import case_qs_visible_to
from registrations.permissions import registration_qs_visible_to
from support_menus.models import Proposal


class MenuPermission(StrEnum):
    """Codenames (support_menus app) the views check."""

    VIEW_CATALOGUE = "support_menus.view_supportmenu"  # browse the catalogue
    VIEW_PROPOSALS = "support_menus.view_proposal"  # ranking and proposals on a case
    PROPOSE = "support_menus.add_proposal"  # propose menus on a case
    CHANGE_PROPOSAL = "support_menus.change_proposal"  # move a proposal along its lifecycle


_OFFICE_GRANTS = (
    "support_menus.view_supportmenu",
    "support_menus.view_proposal",
    "support_menus.add_proposal",
    "support_menus.change_proposal",
)
# What each role is granted (core.roles collects every app's ROLE_GRANTS; the admin role has
# every permission).
ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.PARTNER: ("support_menus.view_supportmenu",),  # the catalogue is public information
    Role.CONCIERGE: _OFFICE_GRANTS,
    Role.OFFICE_LEAD: _OFFICE_GRANTS,
}


def proposal_qs_visible_to(user) -> QuerySet[Proposal]:
    """- admin: every proposal
    - concierge, office lead: proposals on the cases of their office (case_qs_visible_to)
    - business: proposals on the cases of their own registrations
      (registration_qs_visible_to)
    - partner: proposals on the cases of the registrations their organisation referred
      (registration_qs_visible_to), to follow which menus were proposed and adopted; the
      pages that show them to partners never show the message to the firm
    - ministry: none (they follow figures, not proposals)"""
    proposals = Proposal.objects.all()
    role = user.role if user.is_authenticated else None
    if role == Role.ADMIN:
        return proposals
    if role in OFFICE_ROLES:
        return proposals.filter(case__in=case_qs_visible_to(user))
    if role in (Role.BUSINESS, Role.PARTNER):
        return proposals.filter(case__registration__in=registration_qs_visible_to(user))
    return proposals.none()
