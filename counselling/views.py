from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from core.forms import add_form_errors
from core.pagination import PAGE_SIZE, page_get
from core.views import FilteredPageMixin
from counselling import selectors, services
from counselling.forms import (
    AssignForm,
    NextActionDoneForm,
    NextActionRescheduleForm,
    SessionCorrectForm,
    SessionForm,
    StageForm,
    StatusForm,
    SupportReviewForm,
    TargetForm,
)
from counselling.models import Stage
from counselling.panels import case_panels_for
from counselling.permissions import CasePermission
from counselling.rules import StageFacts, next_step_checklist, stage_suggest
from registrations.services.contacts import contact_data_access_log


class CaseListView(PermissionRequiredMixin, FilteredPageMixin, TemplateView):
    """ "My cases" (concierges) or the office's cases (leads, admins), next due first."""

    permission_required = CasePermission.VIEW
    template_name = "counselling/case_list.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.case_filter(request=self.request)
        return super().get_context_data(
            **self.filtered_page(filterset), today=timezone.localdate(), **kwargs
        )


class CaseQueueView(PermissionRequiredMixin, TemplateView):
    """The office queue of unassigned cases; assign ticked ones, or spread them by load."""

    permission_required = CasePermission.ASSIGN
    template_name = "counselling/case_queue.html"

    def get_context_data(self, **kwargs):
        page = page_get(selectors.case_queue(user=self.request.user), self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            reviews=selectors.support_review_due(user=self.request.user)[:PAGE_SIZE],
            review_form=SupportReviewForm(),
            concierges=selectors.office_concierges(user=self.request.user),
            today=timezone.localdate(), **kwargs,
        )  # fmt: skip

    def post(self, request):
        ids = [int(pk) for pk in request.POST.getlist("cases") if pk.isdigit()]
        cases = selectors.case_queue_by_ids(user=request.user, ids=ids)
        concierges = selectors.office_concierges(user=request.user)
        if not cases:
            messages.error(request, _("Tick the cases to assign."))
        elif request.POST.get("action") == "by_load":
            assigned = services.case_assign_by_load(
                cases=cases, concierges=list(concierges), actor=request.user
            )
            messages.success(
                request, _("%(count)d cases assigned by load: %(list)s.") % {
                    "count": len(assigned),
                    "list": "、".join(
                        f"{case.registration.business.name} → {concierge.get_full_name()}"
                        for case, concierge in assigned
                    ),
                },
            )  # fmt: skip
        else:
            concierge = concierges.filter(pk=request.POST.get("concierge") or 0).first()
            if concierge is None:
                messages.error(request, _("Choose a concierge."))
            else:
                for case in cases:
                    services.case_assign(case=case, concierge=concierge, actor=request.user)
                messages.success(
                    request, _("%(count)d cases assigned to %(name)s.")
                    % {"count": len(cases), "name": concierge.get_full_name()},
                )  # fmt: skip
        return redirect("counselling:queue")


class CaseDetailView(PermissionRequiredMixin, TemplateView):
    """The case page in sections (overview, activity, support menus, surveys): the firm, its
    answers, what to do next, and the activity stream (filtered by ?kind=)."""

    permission_required = CasePermission.VIEW
    template_name = "counselling/case_detail.html"
    forms = {
        "session": SessionForm, "stage": StageForm, "target": TargetForm, "status": StatusForm,
        "assign": AssignForm, "done": NextActionDoneForm, "reschedule": NextActionRescheduleForm,
    }  # fmt: skip

    def get(self, request, pk):
        return self.render_to_response(self._context(selectors.case_get(user=request.user, pk=pk)))

    def _context(self, case, **bound):
        data = selectors.case_page_data(case=case)
        registration = case.registration
        contact_data_access_log(
            request=self.request, business_ids=[registration.business_id], page="case"
        )
        panels, panel_context, panel_facts = [], {}, {}
        for panel in case_panels_for(self.request.user):
            context = panel.context(case, self.request, bound)
            panels.append(panel)
            panel_context.update(context)
            if panel.facts:
                panel_facts.update(panel.facts(context))
        forms = {
            "session_form": SessionForm(prefix="session"),
            "stage_form": StageForm(prefix="stage", initial={"stage": case.stage}),
            "target_form": TargetForm(prefix="target", instance=case),
            "status_form": StatusForm(prefix="status", case=case),
            "assign_form": AssignForm(
                prefix="assign", concierges=selectors.office_concierges(user=self.request.user),
                initial={"concierge": case.concierge_id},
            ),
            "done_form": NextActionDoneForm(prefix="done"),
            "reschedule_form": NextActionRescheduleForm(
                prefix="reschedule", initial={"due": case.next_action_due}
            ),
        }  # fmt: skip
        forms.update((name, form) for name, form in bound.items() if name in forms)
        suggestion = stage_suggest(
            StageFacts(
                export_experience=registration.export_experience,
                ec_success=registration.ec_success,
                challenge_type=registration.challenge_type,
                situations=frozenset(registration.situations),
                has_target=case.has_target,
                has_buyer_talks=any(s.buyer_talks for s in data["sessions"]),
                has_realised_export=case.status == case.Status.REALISED,
            )
        )
        facts = services.case_facts(
            case, **panel_facts,
            counselling_session_count=sum(map(services.session_is_counselling, data["sessions"])),
        )  # fmt: skip
        kind = self.request.GET.get("kind", "")
        activity = selectors.activity_stream(
            events=data["events"], sessions=data["sessions"], kind=kind
        )
        return self.get_context_data(
            activity=activity, activity_kind=kind if kind in selectors.ACTIVITY_FILTERS else "",
            activity_filters=selectors.activity_filter_choices(),
            case=case, registration=registration, business=registration.business,
            suggestion=suggestion, suggested_stage=Stage(suggestion.stage).label,
            checklist=next_step_checklist(facts), today=timezone.localdate(),
            can_assign=self.request.user.has_perm(CasePermission.ASSIGN), panels=panels,
            error_forms=list(bound.values()), **panel_context, **data, **forms,
        )  # fmt: skip


class CaseActionView(PermissionRequiredMixin, View):
    """POST one of the case page's forms; on bad input the page is shown again with the
    form's messages next to its fields."""

    permission_required = CasePermission.CHANGE
    action = ""

    def post(self, request, pk, **kwargs):
        case = selectors.case_get(user=request.user, pk=pk)
        form = self.bound_form(case)
        if form.is_valid():
            try:
                self.apply(case, form)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, self.done_message)
                return redirect("counselling:case-detail", pk=case.pk)
        page = CaseDetailView(request=request, kwargs={"pk": pk})
        context = page._context(case, **{f"{self.action}_form": form})
        return page.render_to_response(context, status=400)


class SessionLogView(CaseActionView):
    action = "session"
    done_message = _("The session was saved.")

    def bound_form(self, case):
        return SessionForm(self.request.POST, prefix="session")

    def apply(self, case, form):
        data = {**form.cleaned_data, "tags": list(form.cleaned_data["tags"])}
        services.session_log(case=case, actor=self.request.user, data=data)


class StageChangeView(CaseActionView):
    action = "stage"
    done_message = _("The stage was changed.")

    def bound_form(self, case):
        return StageForm(self.request.POST, prefix="stage")

    def apply(self, case, form):
        services.case_stage_change(case=case, actor=self.request.user, **form.cleaned_data)


class TargetSetView(CaseActionView):
    action = "target"
    done_message = _("The export target was saved.")

    def bound_form(self, case):
        return TargetForm(self.request.POST, prefix="target", instance=case)

    def apply(self, case, form):
        services.case_target_set(case=case, actor=self.request.user, data=form.cleaned_data)


class StatusChangeView(CaseActionView):
    action = "status"
    done_message = _("The status was changed.")

    def bound_form(self, case):
        return StatusForm(self.request.POST, prefix="status", case=case)

    def apply(self, case, form):
        services.case_status_change(case=case, actor=self.request.user, **form.cleaned_data)


class AssignView(CaseActionView):
    permission_required = CasePermission.ASSIGN
    action = "assign"
    done_message = _("The case was assigned.")

    def bound_form(self, case):
        return AssignForm(
            self.request.POST, prefix="assign",
            concierges=selectors.office_concierges(user=self.request.user),
        )  # fmt: skip

    def apply(self, case, form):
        services.case_assign(case=case, actor=self.request.user, **form.cleaned_data)


class SupportReviewView(CaseActionView):
    permission_required = CasePermission.ASSIGN
    action = "review"
    done_message = _("The review decision was recorded.")

    def bound_form(self, case):
        return SupportReviewForm(self.request.POST)

    def apply(self, case, form):
        services.case_support_review(case=case, actor=self.request.user, **form.cleaned_data)

    def post(self, request, pk, **kwargs):
        response = super().post(request, pk)
        return redirect("counselling:queue") if response.status_code == 302 else response


class NextActionDoneView(CaseActionView):
    action = "done"
    done_message = _("The next action was marked done.")

    def bound_form(self, case):
        return NextActionDoneForm(self.request.POST, prefix="done")

    def apply(self, case, form):
        services.case_next_action_done(case=case, actor=self.request.user)


class NextActionRescheduleView(CaseActionView):
    action = "reschedule"
    done_message = _("The next action was rescheduled.")

    def bound_form(self, case):
        return NextActionRescheduleForm(self.request.POST, prefix="reschedule")

    def apply(self, case, form):
        services.case_next_action_reschedule(
            case=case, due=form.cleaned_data["due"], actor=self.request.user
        )


class SessionCorrectView(PermissionRequiredMixin, TemplateView):
    """Correct a logged session (its own page: the case page stays light). Audited: the
    session's history and a timeline line say who changed what, and when."""

    permission_required = CasePermission.CHANGE
    template_name = "counselling/session_correct.html"

    def get(self, request, pk, session_pk):
        session = selectors.session_get(user=request.user, case_pk=pk, pk=session_pk)
        form = SessionCorrectForm(instance=session, prefix="session")
        return self.render_to_response(self.get_context_data(session=session, form=form))

    def post(self, request, pk, session_pk):
        instance = selectors.session_get(user=request.user, case_pk=pk, pk=session_pk)
        form = SessionCorrectForm(request.POST, instance=instance, prefix="session")
        if form.is_valid():
            # The form wrote the new values on its instance: the service compares them with
            # the session as stored.
            session = selectors.session_get(user=request.user, case_pk=pk, pk=session_pk)
            data = {**form.cleaned_data, "tags": list(form.cleaned_data["tags"])}
            try:
                services.session_correct(session=session, actor=request.user, data=data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("The session was corrected."))
                return redirect(reverse("counselling:case-detail", args=[pk]) + "#activity")
        context = self.get_context_data(session=instance, form=form)
        return self.render_to_response(context, status=400)
