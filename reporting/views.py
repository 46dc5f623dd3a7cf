import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from outcomes.models import SurveyResponse
from reporting import selectors, services
from reporting.dashboard import progress_dashboard
from reporting.filters import ProgressFilterForm, ProgressFilters, period_presets
from reporting.models import ProgressExport
from reporting.permissions import ReportingPermission
from reporting.report import (
    OWN_EFFORTS,
    PAID_FEE_BANDS,
    TRAJECTORIES,
    outcome_report_csv,
    pct,
)


class OutcomeReportView(PermissionRequiredMixin, TemplateView):
    """Seed 001's tables for ministry staff: success, target achievement, trajectory, own
    efforts and acceptable fees, per support-menu category, stage or region."""

    permission_required = ReportingPermission.REPORT
    template_name = "reporting/outcome_report.html"

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

    permission_required = ReportingPermission.DASHBOARD

    def get_context_data(self, **kwargs):
        form = ProgressFilterForm(_with_default_period(self.request.GET))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form, filters=form.filters(), query=query.urlencode(),
            refreshed_at=services.business_progress_ensure(), presets=period_presets(form.today),
            can_export=self.request.user.has_perm(ReportingPermission.EXPORT), **kwargs,
        )  # fmt: skip


class ProgressDashboardView(ProgressPageMixin, TemplateView):
    """The ministry's dashboard: headline figures, charts each with its table, and exports,
    all following the same filters."""

    template_name = "reporting/progress_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = progress_dashboard(context["filters"])
        return {
            **context, "dashboard": dashboard, "charts": dashboard_charts(dashboard),
            "refresh_minutes": settings.BUSINESS_PROGRESS_REFRESH_MINUTES,
        }  # fmt: skip


class ProgressBusinessesView(ProgressPageMixin, TemplateView):
    """Business-level progress on screen, with the dashboard's filters: no contact data and
    no counselling notes."""

    template_name = "reporting/progress_businesses.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, rows = selectors.progress_businesses_page(
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

    permission_required = ReportingPermission.DASHBOARD

    def get(self, request):
        kind = request.GET.get("kind", ProgressExport.Kind.AGGREGATES)
        fmt = request.GET.get("format", ProgressExport.Format.CSV)
        if kind not in ProgressExport.Kind.values or fmt not in ProgressExport.Format.values:
            raise Http404
        if kind == ProgressExport.Kind.BUSINESSES and not request.user.has_perm(
            ReportingPermission.EXPORT
        ):
            raise PermissionDenied
        form = ProgressFilterForm(request.GET)
        if not form.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            return redirect(f"{reverse('reporting:progress')}?{request.GET.urlencode()}")
        target = io.BytesIO()
        delivery = services.progress_export_request(
            user=request.user, via="web", kind=kind, fmt=fmt, filters=form.filters(),
            xlsx_target=target, background=True,
        )  # fmt: skip
        if delivery.queued:
            messages.info(request, _(
                "The XLSX of %(count)s firms is being prepared. It will be ready to download "
                "here in a minute or two."
            ) % {"count": f"{delivery.export.row_count:,}"})  # fmt: skip
            return redirect("reporting:progress-exports")
        if delivery.csv_chunks is not None:
            response = StreamingHttpResponse(delivery.csv_chunks, content_type=CSV)
        else:
            response = HttpResponse(target.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{delivery.export.filename}"'
        return response


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProgressExportListView(PermissionRequiredMixin, TemplateView):
    """The user's exports (admins: everyone's), with the background ones' progress; the list
    refreshes itself (htmx) while one is being prepared."""

    permission_required = ReportingPermission.DASHBOARD

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reporting/includes/progress_export_rows.html"]
        return ["reporting/progress_exports.html"]

    def get_context_data(self, **kwargs):
        exports_page = list(selectors.progress_exports_recent(user=self.request.user))
        pending = any(e.status == ProgressExport.Status.PENDING for e in exports_page)
        return super().get_context_data(
            exports=exports_page, pending=pending,
            settings_keep_days=settings.PROGRESS_EXPORT_KEEP_DAYS, **kwargs,
        )  # fmt: skip


class ProgressExportDownloadView(PermissionRequiredMixin, View):
    permission_required = ReportingPermission.DASHBOARD

    def get(self, request, pk):
        export = selectors.progress_export_ready(user=request.user, pk=pk)
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=export.filename,
            content_type=XLSX if export.format == ProgressExport.Format.XLSX else CSV,
        )  # fmt: skip
