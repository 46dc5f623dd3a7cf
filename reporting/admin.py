from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from reporting.models import ProgressExport


@admin.register(ProgressExport)
class ProgressExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The export log: who exported which progress report, when, with which filters and how
    many rows. It is a record, so nobody edits or deletes it here."""

    list_display = ("created_at", "requested_by", "requested_via", "kind", "format", "row_count",
                    "status")  # fmt: skip
    list_filter = ("kind", "format", "status")
    list_select_related = ("requested_by",)
    search_fields = ("requested_by__username", "requested_via")
    date_hierarchy = "created_at"
    readonly_fields = ("requested_by", "requested_via", "kind", "format", "filters", "row_count",
                       "status", "file", "created_at", "finished_at", "error")  # fmt: skip
    exclude = ("created_by", "updated_by")
