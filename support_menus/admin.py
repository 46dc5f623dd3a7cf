from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from core.forms import CleanTextMixin, YenField
from core.models import DestinationRegion
from core.spreadsheet import EscapedCSV, EscapedXLSX
from counselling.models import Stage
from registrations.models import ChallengeType
from registrations.size_class import SizeClass
from support_menus.import_jobs import (
    import_job_file_kept,
    import_job_progress,
    import_job_queue,
    import_jobs_visible_to,
)
from support_menus.models import (
    CaseMenuRanking,
    ImportJob,
    ProductField,
    Proposal,
    Provider,
    SupportMenu,
)
from support_menus.resources import (
    CatalogueFileError,
    SupportMenuResource,
    dataset_read,
)
from support_menus.selectors import menus_confirmation_due


def _choices_field(choices, label, required=False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices.choices, required=required,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class SupportMenuAdminForm(CleanTextMixin, forms.ModelForm):
    """The JSON lists edited as ticks instead of raw JSON."""

    stages = _choices_field(Stage, SupportMenu._meta.get_field("stages").verbose_name, True)
    size_classes = _choices_field(
        SizeClass, SupportMenu._meta.get_field("size_classes").verbose_name
    )
    challenge_types = _choices_field(
        ChallengeType, SupportMenu._meta.get_field("challenge_types").verbose_name
    )
    destination_regions = _choices_field(
        DestinationRegion, SupportMenu._meta.get_field("destination_regions").verbose_name
    )
    product_fields = _choices_field(
        ProductField, SupportMenu._meta.get_field("product_fields").verbose_name
    )

    class Meta:
        model = SupportMenu
        fields = "__all__"  # noqa: DJ007 (the admin edits every field)
        field_classes = {"subsidy_cap_yen": YenField}


CANNOT_START_AGAIN = _("This import cannot be started again from here; upload the file again.")


class ImportJobAdminMixin:
    """Large imports as Celery jobs (support_menus.import_jobs): the admin page that starts
    one, shows its progress (polled with htmx) and its result, and starts it again from the
    stored file (after a check, to import; after a failure, to retry). Only the user who
    uploaded the file sees the job (404 for anyone else)."""

    import_job_kind: str
    import_job_permission: str

    def import_job_task(self):
        """The Celery task that runs this admin's jobs; each admin using the mixin names its
        own (imported late: the tasks module imports the import code)."""
        raise NotImplementedError  # an admin that forgets it fails at once, not silently

    def _import_job_url(self, name: str, *args) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def import_job_urls(self) -> list:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/jobs/<int:pk>/", view(self.import_job_view), name=f"{info}_import_job"),
            path("import/jobs/<int:pk>/again/", view(self.import_job_again_view),
                 name=f"{info}_import_job_again"),
        ]  # fmt: skip

    def _import_job(self, request, pk: int) -> ImportJob:
        if not request.user.has_perm(self.import_job_permission):
            raise PermissionDenied
        jobs = import_jobs_visible_to(request.user).filter(kind=self.import_job_kind)
        return get_object_or_404(jobs, pk=pk)

    def import_job_start(self, request, **kwargs):
        job = import_job_queue(
            kind=self.import_job_kind, user=request.user, task=self.import_job_task(), **kwargs
        )
        return redirect(self._import_job_url("import_job", job.pk))

    def import_job_view(self, request, pk):
        job = self._import_job(request, pk)
        phase, done = import_job_progress(job)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "job": job,
            "phase": phase, "done": done, "file_kept": import_job_file_kept(job),
            "again_url": self._import_job_url("import_job_again", job.pk),
            "import_url": self._import_job_url("import"), "title": job.get_kind_display(),
        }  # fmt: skip
        if request.headers.get("HX-Request"):
            return TemplateResponse(request, "admin/includes/import_job_status.html", context)
        return TemplateResponse(request, "admin/import_job.html", context)

    def import_job_again_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._import_job(request, pk)
        dry_run = "import" not in request.POST
        checked = job.status == ImportJob.Status.DONE and job.dry_run and not job.errors
        allowed = (
            job.finished
            and import_job_file_kept(job)
            and (dry_run or checked or job.status == ImportJob.Status.FAILED)
        )
        if not allowed:
            messages.error(request, CANNOT_START_AGAIN)
            return redirect(self._import_job_url("import_job", job.pk))
        options = {key: value for key, value in job.options.items() if key != "language"}
        return self.import_job_start(
            request, file_name=job.file_name, stored_name=job.file.name, dry_run=dry_run,
            options=options, row_count=job.row_count,
        )  # fmt: skip


class CatalogueCSV(EscapedCSV):
    """The admin reads a CSV catalogue as the command does (core.csv_import: UTF-8 or
    Shift_JIS); it writes one with formula-like cells escaped (core.spreadsheet)."""

    def is_binary(self):
        return True  # the bytes go to the reader, which finds the encoding

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return dataset_read(in_stream, "csv")


class CatalogueXLSX(EscapedXLSX):
    """The admin reads an XLSX catalogue as the command does: its declared size and unpacked
    size are checked before any row is read (support_menus/xlsx.py); it writes one with
    formula-like cells escaped visibly and reversibly (core.spreadsheet)."""

    def create_dataset(self, in_stream):
        return dataset_read(in_stream, "xlsx")


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "url")
    search_fields = ("code", "name")


class ConfirmationFilter(admin.SimpleListFilter):
    """Menus nobody confirmed within settings.MENU_CONFIRMATION_MONTHS, or the others."""

    title = _("information confirmed")
    parameter_name = "confirmation"

    def lookups(self, request, model_admin):
        return (("due", _("Due for confirmation")), ("current", _("Confirmed recently")))

    def queryset(self, request, queryset):
        due = menus_confirmation_due(queryset, today=timezone.localdate())
        if self.value() == "due":
            return due
        if self.value() == "current":
            return queryset.exclude(pk__in=due.values("pk"))
        return queryset


@admin.register(SupportMenu)
class SupportMenuAdmin(ImportJobAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import and export in the `catalogue` command's columns (CSV UTF-8 and XLSX); the import
    shows a dry-run preview with row-numbered errors and applies all rows or none. A file of
    more than IMPORT_ASYNC_MIN_ROWS rows is checked, then imported, by a Celery job."""

    import_job_kind = ImportJob.Kind.CATALOGUE
    import_job_permission = "support_menus.add_supportmenu"

    form = SupportMenuAdminForm
    resource_classes = [SupportMenuResource]
    # Exports escape cells that could run as formulas with a visible apostrophe, which the
    # import takes off again (core.spreadsheet; the pages say so).
    formats = [CatalogueCSV, CatalogueXLSX]
    export_template_name = "admin/support_menus/supportmenu/export.html"
    import_template_name = "admin/support_menus/supportmenu/import.html"
    list_display = (
        "code", "name", "provider", "category", "active", "opens_on", "closes_on", "confirmed",
    )  # fmt: skip
    list_filter = ("active", ConfirmationFilter, "category", "provider")
    list_select_related = ("provider",)
    search_fields = ("code", "name", "summary")
    filter_horizontal = ("issue_tags", "industries", "prefectures")
    readonly_fields = ("created_at", "created_by", "updated_by")

    @admin.display(description=_("information confirmed on"), ordering="confirmed_on")
    def confirmed(self, menu: SupportMenu) -> str:
        day = menu.confirmed_on.isoformat() if menu.confirmed_on else "—"
        if not menu.confirmation_due:
            return day
        return format_html('{} <span class="confirmation-due">{}</span>', day, _("Check due"))

    def import_job_task(self):
        from support_menus.tasks import catalogue_import_job_task

        return catalogue_import_job_task

    def get_urls(self):
        return [*self.import_job_urls(), *super().get_urls()]

    def import_action(self, request, **kwargs):
        """A large file becomes a job (its check first); a small one is previewed here."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                input_format = self.get_import_formats()[int(form.cleaned_data["format"])]
                file_format = "xlsx" if issubclass(input_format, CatalogueXLSX) else "csv"
                data = b"".join(upload.chunks())
                try:
                    rows = len(dataset_read(data, file_format))
                except CatalogueFileError:
                    rows = 0  # the usual path below says what is wrong with the file
                if rows > settings.IMPORT_ASYNC_MIN_ROWS:
                    return self.import_job_start(
                        request, file_name=upload.name, data=data, dry_run=True,
                        options={"format": file_format}, row_count=rows,
                    )  # fmt: skip
        return super().import_action(request, **kwargs)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, CatalogueFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin):
    """Proposals change only through the case page (services, timeline, e-mail)."""

    list_display = ("case", "menu", "status", "score", "proposed_on", "decided_on")
    list_filter = ("status",)
    list_select_related = ("menu",)
    raw_id_fields = ("case", "menu")


@admin.register(CaseMenuRanking)
class CaseMenuRankingAdmin(admin.ModelAdmin):
    """Kept by the re-ranking job; shown for checking, never edited by hand."""

    list_display = ("case", "top_menu", "eligible_count", "ranked_at")
    list_select_related = ("top_menu",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


JOB_PAGES = {
    ImportJob.Kind.CATALOGUE: "admin:support_menus_supportmenu_import_job",
    ImportJob.Kind.SURVEY_RESULTS: "admin:outcomes_surveyresponse_import_job",
}


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The user's own import jobs (a job and its file are seen by the uploader only), each
    with a link to its page; jobs are started from the imports, never here."""

    list_display = ("created_at", "kind", "file_name", "dry_run", "row_count", "status", "page")
    list_filter = ("kind", "status")
    exclude = ("file", "created_by", "updated_by")

    def get_queryset(self, request):
        return import_jobs_visible_to(request.user).select_related("requested_by")

    @admin.display(description=_("progress and result"))
    def page(self, job):
        return format_html('<a href="{}">{}</a>', reverse(JOB_PAGES[job.kind], args=[job.pk]),
                           _("Open the job page"))  # fmt: skip
