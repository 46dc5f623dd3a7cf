from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outcomes.models import Survey, SurveyResponse


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Surveys and answers change only through their services (links, reminders, the case
    page), so the admin shows them with their history and never edits them."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("case", "wave_months", "due_on", "sent_at", "reminder1_at", "reminder2_at",
                    "answered_at", "opted_out_at", "closes_on")  # fmt: skip
    list_filter = ("wave_months",)
    raw_id_fields = ("case",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ("survey", "export_realised", "trajectory", "fee_band", "source", "answered_at")
    list_filter = ("export_realised", "source", "trajectory")
    list_select_related = ("survey",)
