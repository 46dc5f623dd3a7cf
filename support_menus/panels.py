"""The case page's "Support menu proposals" panel (counselling.panels), registered in
SupportMenusConfig.ready."""

from django.utils.translation import gettext_lazy as _

from counselling.panels import CasePanel
from support_menus import selectors
from support_menus.forms import ProposalStatusForm
from support_menus.permissions import MenuPermission


def proposals_panel_context(case, request, bound) -> dict:
    """Each proposal with the form for its next step: the bound one again (with its errors)
    when that proposal's POST failed."""
    failed = bound.get("proposal_form")
    proposals = [
        (proposal, failed if getattr(failed, "proposal", None) == proposal
         else ProposalStatusForm(proposal=proposal))
        for proposal in selectors.case_proposals(case=case)
    ]  # fmt: skip
    return {
        "proposals": proposals,
        "can_propose": request.user.has_perm(MenuPermission.PROPOSE),
        "can_change_proposals": request.user.has_perm(MenuPermission.CHANGE_PROPOSAL),
    }


PROPOSALS_PANEL = CasePanel(
    name="proposals", heading=_("Support menus"), order=10,
    template_name="support_menus/includes/case_proposals.html",
    context=proposals_panel_context, permission=MenuPermission.VIEW_PROPOSALS,
    facts=lambda context: {"proposal_count": len(context["proposals"])},
)  # fmt: skip
