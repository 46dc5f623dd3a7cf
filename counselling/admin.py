from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag, StageChange


@admin.register(IssueTag)
class IssueTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order", "disabled_on")
    list_editable = ("name", "order", "disabled_on")


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("registration", "office", "concierge", "status", "stage", "first_contact_due")
    list_filter = ("status", "stage")
    list_select_related = ("registration", "office", "concierge")
    raw_id_fields = ("registration", "office", "concierge")
    show_full_result_count = False
    readonly_fields = ("created_at", "created_by", "updated_by")


@admin.register(CounsellingSession)
class CounsellingSessionAdmin(SimpleHistoryAdmin):
    list_display = ("case", "held_at", "channel", "stage_assessed")
    raw_id_fields = ("case",)
    show_full_result_count = False


admin.site.register(StageChange)
admin.site.register(CaseEvent)
