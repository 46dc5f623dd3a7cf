from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from core.views import link_rate_limited
from counselling import selectors as case_selectors
from outcomes import selectors, services
from outcomes.forms import StaffSurveyForm, SurveyForm
from outcomes.permissions import SurveyPermission


def _answer_initial(survey) -> dict:
    response = getattr(survey, "response", None)
    if response is None:
        return {}
    initial = {field: getattr(response, field) for field in services.ANSWER_FIELDS}
    initial["destinations"] = [str(country) for country in response.destinations]
    initial["menus_used"] = list(response.menus_used.all())
    return initial


class SurveyAnswerView(View):
    """The firm's survey, opened from the e-mailed link without signing in. It can be opened
    again to amend the answer until the survey closes."""

    template_name = "outcomes/survey_form.html"

    def dispatch(self, request, token):
        if link_rate_limited(request):
            return render(request, "429.html", status=429)
        self.survey = services.survey_from_token(token)
        if self.survey is None:
            return render(request, "outcomes/survey_invalid.html", status=404)
        if self.survey.opted_out_at and timezone.localdate() <= self.survey.closes_on:
            # E-mails stopped: the opt-out page says so and offers to undo it.
            return redirect("outcomes:opt-out", token=token)
        if not self.survey.is_open_on(timezone.localdate()):
            return render(request, "outcomes/survey_closed.html", status=410)
        self.token = token
        return super().dispatch(request, token)

    def _form(self, data=None):
        return SurveyForm(
            data, initial=_answer_initial(self.survey),
            menus=selectors.survey_menus(survey=self.survey),
            registered_on=services.survey_registered_on(self.survey),
        )  # fmt: skip

    def _render(self, form, status=200):
        return render(
            self.request, self.template_name,
            {"form": form, "survey": self.survey, "token": self.token,
             "business": self.survey.case.registration.business},
            status=status,
        )  # fmt: skip

    def get(self, request, token):
        return self._render(self._form())

    def post(self, request, token):
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        services.survey_answer(survey=self.survey, data=form.cleaned_data, source="web")
        # Post/redirect/get: reloading the thank-you page does not send the answers again.
        return redirect("outcomes:done", token=token)


class SurveyDoneView(SurveyAnswerView):
    """The thank-you page, with the way back to amend the answers."""

    def get(self, request, token):
        return render(request, "outcomes/survey_done.html", {"survey": self.survey, "token": token})

    def post(self, request, token):
        return redirect("outcomes:answer", token=token)


class SurveyOptOutView(View):
    """Stopping the e-mails about a survey: a confirmation first, then the same link shows
    that they are stopped and can start them again until the survey closes."""

    STOP, RESUME = "stop", "resume"

    def dispatch(self, request, token):
        if link_rate_limited(request):
            return render(request, "429.html", status=429)
        self.survey = services.survey_from_token(token)
        if self.survey is None:
            return render(request, "outcomes/survey_invalid.html", status=404)
        self.open = timezone.localdate() <= self.survey.closes_on
        if not self.open and self.survey.opted_out_at is None:
            # Closed, like the answer form (a stopped survey still shows the stopped page).
            return render(request, "outcomes/survey_closed.html", status=410)
        self.token = token
        return super().dispatch(request, token)

    def _render(self, status=200):
        template = ("outcomes/survey_opted_out.html" if self.survey.opted_out_at
                    else "outcomes/survey_opt_out_confirm.html")  # fmt: skip
        return render(self.request, template,
                      {"survey": self.survey, "token": self.token, "open": self.open},
                      status=status)  # fmt: skip

    def get(self, request, token):
        return self._render()

    def post(self, request, token):
        action = request.POST.get("action")
        if action == self.STOP:
            services.survey_opt_out(survey=self.survey)
            return redirect("outcomes:opt-out", token=token)  # the page shows the undo
        if action == self.RESUME and self.open:
            services.survey_opt_out_undo(survey=self.survey)
            messages.success(request, _("E-mails about this survey will be sent again."))
            return redirect("outcomes:answer", token=token)
        return self._render(status=400)


class SurveyStaffAnswerView(PermissionRequiredMixin, TemplateView):
    """An answer taken by phone or in a hearing, entered by the case's office."""

    permission_required = SurveyPermission.ANSWER
    template_name = "outcomes/survey_staff_answer.html"

    def _objects(self, pk, survey_pk):
        case = case_selectors.case_get(user=self.request.user, pk=pk)
        return case, selectors.survey_get(user=self.request.user, case=case, pk=survey_pk)

    def _form(self, survey, data=None):
        return StaffSurveyForm(
            data, initial=_answer_initial(survey), menus=selectors.survey_menus(survey=survey),
            registered_on=services.survey_registered_on(survey),
        )  # fmt: skip

    def get(self, request, pk, survey_pk):
        case, survey = self._objects(pk, survey_pk)
        return self.render_to_response(
            self.get_context_data(case=case, survey=survey, form=self._form(survey))
        )

    def post(self, request, pk, survey_pk):
        case, survey = self._objects(pk, survey_pk)
        form = self._form(survey, request.POST)
        if form.is_valid():
            services.survey_answer(
                survey=survey, data=form.cleaned_data, source=form.cleaned_data["source"],
                actor=request.user,
            )  # fmt: skip
            messages.success(request, _("The answer was saved."))
            return redirect("counselling:case-detail", pk=case.pk)
        return self.render_to_response(
            self.get_context_data(case=case, survey=survey, form=form), status=400
        )


class SurveyResendView(PermissionRequiredMixin, View):
    permission_required = SurveyPermission.RESEND

    def post(self, request, pk, survey_pk):
        case = case_selectors.case_get(user=request.user, pk=pk)
        survey = selectors.survey_get(user=request.user, case=case, pk=survey_pk)
        services.survey_resend(survey=survey, actor=request.user)
        messages.success(
            request, _("A fresh link was e-mailed to the firm; the old one no longer works.")
        )
        return redirect("counselling:case-detail", pk=case.pk)
