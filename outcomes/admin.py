from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyHistoryAdmin
from core.forms import CleanTextMixin
from outcomes.importing import (
    COLUMNS,
    LEGACY_COLUMNS,
    SurveyFileError,
    file_row_count,
    problems_message,
    survey_results_import,
)
from outcomes.models import Survey, SurveyResponse
from support_menus.admin import ImportJobAdminMixin
from support_menus.models import ImportJob


@admin.register(Survey)
class SurveyAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "wave_months", "due_on", "sent_at", "reminder1_at", "reminder2_at",
                    "answered_at", "opted_out_at", "closes_on")  # fmt: skip
    list_filter = ("wave_months",)
    raw_id_fields = ("case",)


class SurveyResultsImportForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8 or Shift_JIS)"))
    create_missing = forms.BooleanField(
        label=_("Create firms that are not registered (participants from before this system)"),
        required=False,
    )


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ImportJobAdminMixin, ReadOnlyHistoryAdmin):
    """Answers are looked up here; results taken by phone or in hearings are imported from
    a CSV file (the `import_survey_results` command's columns): check first, then import. A
    file of more than IMPORT_ASYNC_MIN_ROWS rows is imported by a Celery job."""

    import_job_kind = ImportJob.Kind.SURVEY_RESULTS
    import_job_permission = "outcomes.add_surveyresponse"

    list_display = ("survey", "export_realised", "trajectory", "fee_band", "source", "answered_at")
    list_filter = ("export_realised", "source", "trajectory")
    list_select_related = ("survey",)
    change_list_template = "admin/outcomes/surveyresponse/change_list.html"

    def import_job_task(self):
        from outcomes.tasks import survey_results_import_job_task

        return survey_results_import_job_task

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view),
                 name="outcomes_surveyresponse_import"),
            *self.import_job_urls(),
            *super().get_urls(),
        ]  # fmt: skip

    def import_view(self, request):
        if not request.user.has_perm("outcomes.add_surveyresponse"):
            raise PermissionDenied
        result = None
        form = SurveyResultsImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data, dry_run = upload.read(), "import" not in request.POST
            create_missing = form.cleaned_data["create_missing"]
            try:
                rows = file_row_count(data)
                if rows > settings.IMPORT_ASYNC_MIN_ROWS:  # never in the web request
                    return self.import_job_start(
                        request, file_name=upload.name, data=data, dry_run=dry_run,
                        options={"create_missing": create_missing}, row_count=rows,
                    )  # fmt: skip
                result = survey_results_import(data, dry_run=dry_run, create_missing=create_missing)
            except SurveyFileError as error:
                form.add_error("file", str(error))
            else:
                result.summary_text = (
                    problems_message(result) if result.errors else result.summary(upload.name)
                )
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "result": result, "title": _("Import survey results"), "columns": COLUMNS,
            "optional": LEGACY_COLUMNS,
        }  # fmt: skip
        return TemplateResponse(request, "admin/outcomes/surveyresponse/import.html", context)
