from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.forms import add_form_errors
from core.views import FilteredPageMixin
from counselling import selectors as case_selectors
from counselling.views import CaseActionView
from support_menus import selectors, services
from support_menus.forms import ProposalStatusForm, ProposeForm
from support_menus.permissions import MenuPermission


class MenuListView(PermissionRequiredMixin, FilteredPageMixin, TemplateView):
    """The catalogue, for concierges and partners to browse (public information) and admins to
    check."""

    permission_required = MenuPermission.VIEW_CATALOGUE
    template_name = "support_menus/menu_list.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.menu_filter(params=self.request.GET)
        return super().get_context_data(**self.filtered_page(filterset), **kwargs)


class CaseProposeView(PermissionRequiredMixin, TemplateView):
    """ "Propose menus": the engine's ranking for the case with every reason, the excluded
    menus with theirs, and the form to propose the ticked ones."""

    permission_required = MenuPermission.VIEW_PROPOSALS
    template_name = "support_menus/case_propose.html"

    def get(self, request, pk):
        case = case_selectors.case_get(user=request.user, pk=pk)
        return self.render_to_response(self._context(case))

    def post(self, request, pk):
        if not request.user.has_perm(MenuPermission.PROPOSE):
            raise PermissionDenied
        case = case_selectors.case_get(user=request.user, pk=pk)
        context = self._context(case, data=request.POST)
        form = context["form"]
        if form.is_valid():
            try:
                proposals = services.proposals_create(
                    case=case, menu_codes=form.cleaned_data["menus"],
                    note=form.cleaned_data["note"], actor=request.user,
                    today=timezone.localdate(),
                )  # fmt: skip
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(
                    request, _("%(count)d menus proposed. The firm was e-mailed.")
                    % {"count": len(proposals)},
                )  # fmt: skip
                return redirect("counselling:case-detail", pk=case.pk)
        return self.render_to_response(context, status=400)

    def _context(self, case, data=None):
        ranking = selectors.case_ranking(case=case, today=timezone.localdate())
        codes = [match.menu.code for match in ranking["ranked"] if not match.proposed]
        return self.get_context_data(
            case=case, business=case.registration.business, form=ProposeForm(data, codes=codes),
            can_propose=case.is_open and self.request.user.has_perm(MenuPermission.PROPOSE),
            **ranking,
        )  # fmt: skip


class ProposalStatusView(CaseActionView):
    """POST the next step of one proposal from the case page."""

    permission_required = MenuPermission.CHANGE_PROPOSAL
    action = "proposal"
    done_message = _("The proposal was updated.")

    def bound_form(self, case):
        proposal = selectors.proposal_get(
            user=self.request.user, case=case, pk=self.kwargs["proposal_pk"]
        )
        return ProposalStatusForm(self.request.POST, proposal=proposal)

    def apply(self, case, form):
        services.proposal_status_change(
            proposal=form.proposal, actor=self.request.user, **form.cleaned_data
        )
