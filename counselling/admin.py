from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag, StageChange


@admin.register(IssueTag)
class IssueTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order", "disabled_on")
    list_editable = ("name", "order", "disabled_on")


@admin.register(Case)
class CaseAdmin(ReadOnlyHistoryAdmin):
    """Cases change only through counselling.services (assignment, status, stage, target,
    sessions), on the office's case pages, so every change has its timeline line and its
    checks (ADR 0014): the admin looks cases up, with their history, and never edits them;
    "view on site" opens the case page, where admins assign, move and close cases."""

    list_display = ("registration", "office", "concierge", "status", "stage", "first_contact_due")
    list_filter = ("status", "stage")
    list_select_related = ("registration", "office", "concierge")
    raw_id_fields = ("registration", "office", "concierge")

    def view_on_site(self, obj):
        return reverse("counselling:case-detail", args=[obj.pk])


@admin.register(CounsellingSession)
class CounsellingSessionAdmin(SimpleHistoryAdmin):
    list_display = ("case", "held_at", "channel", "stage_assessed")
    raw_id_fields = ("case",)
    show_full_result_count = False


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The stage history is append-only (the database refuses edits and deletions)."""

    list_display = ("case", "from_stage", "to_stage", "created_at", "created_by")
    list_filter = ("to_stage",)
    list_select_related = ("case", "created_by")
    raw_id_fields = ("case",)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The case timeline is append-only (the database refuses edits and deletions)."""

    list_display = ("at", "case", "kind", "summary", "actor")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    raw_id_fields = ("case",)
