import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from core.views import link_rate_limited
from counselling import selectors as case_selectors
from outcomes import exports, selectors, services
from outcomes.dashboard import progress_dashboard
from outcomes.filters import ProgressFilterForm, ProgressFilters, period_presets
from outcomes.forms import StaffSurveyForm, SurveyForm
from outcomes.models import ProgressExport, SurveyResponse
from outcomes.permissions import ProgressPermission, SurveyPermission
from outcomes.report import CSV_HEADER, OWN_EFFORTS, PAID_FEE_BANDS, TRAJECTORIES, pct


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
    def post(self, request, token):
        if link_rate_limited(request):
            return render(request, "429.html", status=429)
        survey = services.survey_from_token(token)
        if survey is None:
            return render(request, "outcomes/survey_invalid.html", status=404)
        if survey.opted_out_at is None and not survey.is_open_on(timezone.localdate()):
            # Closed, like the answer form (opting out twice still shows the opted-out page).
            return render(request, "outcomes/survey_closed.html", status=410)
        services.survey_opt_out(survey=survey)
        return render(request, "outcomes/survey_opted_out.html")


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


def outcome_report_csv(figures) -> str:
    """The report as CSV: the required columns in order, then each own effort's count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for group in figures:
        writer.writerow(["" if value is None else value for value in group.csv_row()])
    return out.getvalue()


class OutcomeReportView(PermissionRequiredMixin, TemplateView):
    """Seed 001's tables for ministry staff: success, target achievement, trajectory, own
    efforts and acceptable fees, per support-menu category, stage or region."""

    permission_required = SurveyPermission.REPORT
    template_name = "outcomes/outcome_report.html"

    def get(self, request):
        group_by = request.GET.get("group_by", "menu_category")
        if group_by not in selectors.GROUP_BY:
            group_by = "menu_category"
        figures = selectors.outcome_report(group_by=group_by)
        if request.GET.get("format") == "csv":
            response = HttpResponse(outcome_report_csv(figures), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="outcomes-{group_by}.csv"'
            return response
        labels = selectors.group_labels(group_by)
        rows = [
            {"group": g.group, "label": labels.get(g.group, g.group), "figures": g,
             "succeeded_pct": pct(g.succeeded, g.respondents),
             "target_achieved_pct": g.share_of_successes(g.target_achieved),
             "target_missed_pct": g.share_of_successes(g.target_missed_or_unset),
             "trajectory": [g.share_of_successes(g.trajectory[t]) for t in TRAJECTORIES],
             "efforts": [g.share_of_successes(g.own_efforts[e]) for e in OWN_EFFORTS],
             "fees": [g.share_of_payers(g.fee_bands[band]) for band in PAID_FEE_BANDS]}
            for g in figures
        ]  # fmt: skip
        return self.render_to_response(self.get_context_data(
            rows=rows, group_by=group_by,
            group_choices=[(value, GROUP_BY_LABELS[value]) for value in selectors.GROUP_BY],
            trajectories=TRAJECTORY_LABELS, efforts=SurveyResponse.OwnEffort.choices,
            fee_bands=[(band, SurveyResponse.FeeBand(band).label) for band in PAID_FEE_BANDS],
        ))  # fmt: skip


GROUP_BY_LABELS = {
    "menu_category": _("Support-menu category"), "stage": _("Stage"),
    "region": _("METI region"), "none": _("No grouping"),
}  # fmt: skip
TRAJECTORY_LABELS = [(value, SurveyResponse.Trajectory(value).label) for value in TRAJECTORIES]


# --- Progress dashboard and exports -----------------------------------------------------------


class ProgressPageMixin(PermissionRequiredMixin):
    """The progress pages: the dashboard's filters, figures no older than the refresh
    interval, the period presets, and whether the user may download business-level rows."""

    permission_required = ProgressPermission.DASHBOARD

    def get_context_data(self, **kwargs):
        form = ProgressFilterForm(_with_default_period(self.request.GET))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form, filters=form.filters(), query=query.urlencode(),
            refreshed_at=services.firm_progress_ensure(), presets=period_presets(form.today),
            can_export=self.request.user.has_perm(ProgressPermission.EXPORT), **kwargs,
        )  # fmt: skip


class ProgressDashboardView(ProgressPageMixin, TemplateView):
    """The ministry's dashboard: headline figures, charts each with its table, and exports,
    all following the same filters."""

    template_name = "outcomes/progress_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = progress_dashboard(context["filters"])
        return {
            **context, "dashboard": dashboard, "charts": dashboard_charts(dashboard),
            "refresh_minutes": settings.FIRM_PROGRESS_REFRESH_MINUTES,
        }  # fmt: skip


class ProgressFirmsView(ProgressPageMixin, TemplateView):
    """Business-level progress on screen, with the dashboard's filters: no contact data and
    no counselling notes."""

    template_name = "outcomes/progress_firms.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, rows = selectors.progress_firms_page(
            filters=context["filters"], page_number=self.request.GET.get("page")
        )
        return {**context, "page": page, "rows": rows}


def _with_default_period(query):
    """The filters asked for, with the default period's dates where none were given, so the
    date fields always show the period in force."""
    data = query.copy()
    default = ProgressFilters.default()
    for field in ("date_from", "date_to"):
        if not data.get(field):
            data[field] = getattr(default, field).isoformat()
    return data


def dashboard_charts(dashboard) -> dict:
    """Chart.js data of every chart, for one json_script block (no inline script: CSP)."""
    return {table.key: table.chart() for table in dashboard.tables}


class ProgressExportView(PermissionRequiredMixin, View):
    """Download a progress report with the dashboard's filters. CSV streams at once; an XLSX
    of more than PROGRESS_XLSX_SYNC_MAX_ROWS firms is built by a worker. Every export is
    logged; business-level rows need a permission of their own."""

    permission_required = ProgressPermission.DASHBOARD

    def get(self, request):
        kind = request.GET.get("kind", ProgressExport.Kind.AGGREGATES)
        fmt = request.GET.get("format", ProgressExport.Format.CSV)
        if kind not in ProgressExport.Kind.values or fmt not in ProgressExport.Format.values:
            raise Http404
        if kind == ProgressExport.Kind.BUSINESSES and not request.user.has_perm(
            ProgressPermission.EXPORT
        ):
            raise PermissionDenied
        form = ProgressFilterForm(request.GET)
        if not form.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            return redirect(f"{reverse('outcomes:progress')}?{request.GET.urlencode()}")
        filters = form.filters()
        if kind == ProgressExport.Kind.AGGREGATES:
            return self._aggregates(filters, fmt)
        return self._businesses(filters, fmt)

    def _log(self, kind, fmt, filters, rows, status=ProgressExport.Status.DELIVERED):
        return services.progress_export_log(
            user=self.request.user, via="web", kind=kind, fmt=fmt, filters=filters,
            row_count=rows, status=status,
        )  # fmt: skip

    def _aggregates(self, filters, fmt):
        services.firm_progress_ensure()
        rows = exports.aggregate_rows(filters)
        export = self._log(ProgressExport.Kind.AGGREGATES, fmt, filters, len(rows))
        if fmt == ProgressExport.Format.CSV:
            return _attachment(
                StreamingHttpResponse(exports.aggregate_csv(filters, rows), content_type=CSV),
                export,
            )  # fmt: skip
        target = io.BytesIO()
        exports.aggregate_xlsx(target, filters, rows)
        return _attachment(HttpResponse(target.getvalue(), content_type=XLSX), export)

    def _businesses(self, filters, fmt):
        kind = ProgressExport.Kind.BUSINESSES
        count = exports.business_progress_count(filters)
        if fmt == ProgressExport.Format.CSV:
            export = self._log(kind, fmt, filters, count)
            response = StreamingHttpResponse(exports.business_csv(filters), content_type=CSV)
            return _attachment(response, export)
        if count <= settings.PROGRESS_XLSX_SYNC_MAX_ROWS:
            export = self._log(kind, fmt, filters, count)
            target = io.BytesIO()
            exports.business_xlsx(target, filters)
            return _attachment(HttpResponse(target.getvalue(), content_type=XLSX), export)
        services.progress_export_queue(
            user=self.request.user, kind=kind, fmt=fmt, filters=filters, row_count=count
        )
        messages.info(self.request, _(
            "The XLSX of %(count)s firms is being prepared. It will be ready to download here "
            "in a minute or two."
        ) % {"count": f"{count:,}"})  # fmt: skip
        return redirect("outcomes:progress-exports")


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response, export: ProgressExport):
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


class ProgressExportListView(PermissionRequiredMixin, TemplateView):
    """The user's exports (admins: everyone's), with the background ones' progress; the list
    refreshes itself (htmx) while one is being prepared."""

    permission_required = ProgressPermission.DASHBOARD

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["outcomes/includes/progress_export_rows.html"]
        return ["outcomes/progress_exports.html"]

    def get_context_data(self, **kwargs):
        exports_page = list(selectors.progress_exports_recent(user=self.request.user))
        pending = any(e.status == ProgressExport.Status.PENDING for e in exports_page)
        return super().get_context_data(
            exports=exports_page, pending=pending,
            settings_keep_days=settings.PROGRESS_EXPORT_KEEP_DAYS, **kwargs,
        )  # fmt: skip


class ProgressExportDownloadView(PermissionRequiredMixin, View):
    permission_required = ProgressPermission.DASHBOARD

    def get(self, request, pk):
        export = selectors.progress_export_ready(user=request.user, pk=pk)
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=export.filename,
            content_type=XLSX if export.format == ProgressExport.Format.XLSX else CSV,
        )  # fmt: skip
