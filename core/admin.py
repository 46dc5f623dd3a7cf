from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.models import (
    ContactDataAccess,
    CountryRegion,
    IndustryDivision,
    Organisation,
    OutboundEmail,
    Prefecture,
    User,
)
from core.services import email_requeue

admin.site.site_header = _("Program administration")
admin.site.site_title = _("New Export 10,000 Companies Support Program")
admin.site.index_title = _("Administration")


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "email", "last_name", "first_name", "organisation", "is_active")
    list_filter = ("is_active", "is_staff", "groups")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Program"), {"fields": ("organisation",)}),
    )


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "prefecture", "disabled_on")
    list_filter = ("kind",)
    list_select_related = ("prefecture",)
    search_fields = ("code", "name")


@admin.register(Prefecture)
class PrefectureAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "region", "office")
    list_editable = ("office",)
    list_filter = ("region",)
    list_select_related = ("office",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IndustryDivision)
class IndustryDivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(CountryRegion)
class CountryRegionAdmin(admin.ModelAdmin):
    list_display = ("country", "region")
    list_filter = ("region",)
    list_editable = ("region",)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "idempotency_key")
    show_full_result_count = False
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["requeue"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send failed e-mails again"))
    def requeue(self, request, queryset):
        count = email_requeue(emails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ReadOnlyAdminMixin:
    """The admin looks rows up and never adds, edits or deletes them."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """For rows that change only through their services (so the timeline, e-mails and
    audit stay whole): the admin looks them up, with their history, and never edits them."""


@admin.register(ContactDataAccess)
class ContactDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who saw which firm's contact data, where and when (the record is never edited)."""

    list_display = ("at", "user", "business", "page", "path")
    list_filter = ("page",)
    list_select_related = ("user", "business")
    search_fields = ("user__username", "business__name", "business__corporate_number")
    date_hierarchy = "at"
    raw_id_fields = ("user", "business")
