from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from core.models import (
    CountryRegion,
    IndustryDivision,
    Organisation,
    OutboundEmail,
    Prefecture,
    User,
)
from core.services import email_requeue, two_factor_invitation_send

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
    actions = ["two_factor_invite"]

    def _invite(self, request, users) -> int:
        sent = 0
        for user in users:
            try:
                two_factor_invitation_send(user=user, sent_by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{user.username}: {error.messages[0]}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invitation to set up two-step verification was sent.",
                    "%(count)d invitations to set up two-step verification were sent.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        return sent

    @admin.action(
        description=_("Send an invitation to set up two-step verification"),
        permissions=["change"],
    )
    def two_factor_invite(self, request, queryset):
        """For a new staff member, or one who lost their phone: the invitation is the only
        way a staff account sets up an authenticator."""
        self._invite(request, queryset)

    def get_urls(self):
        return [
            path(
                "<int:pk>/two-factor-invitation/",
                self.admin_site.admin_view(self.two_factor_invite_view),
                name="core_user_two_factor_invite",
            ),
            *super().get_urls(),
        ]

    def two_factor_invite_view(self, request, pk: int):
        """The button on the user's page (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        user = get_object_or_404(User, pk=pk)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        self._invite(request, [user])
        return redirect("admin:core_user_change", pk)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "prefecture", "phone", "email", "disabled_on")
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
    """The outbox. An account mail (password, invitation, address confirmation) shows who,
    when and which kind, never its body or key: a reset link is not readable here, even
    while the mail is pending."""

    list_display = ("created_at", "to", "subject", "kind", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "idempotency_key")
    show_full_result_count = False
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["requeue"]
    SECRET_FIELDS = ("idempotency_key", "body")

    def get_fields(self, request, obj=None):
        fields = [f.name for f in OutboundEmail._meta.fields]
        if obj is not None and obj.kind == OutboundEmail.Kind.ACCOUNT:
            fields = [name for name in fields if name not in self.SECRET_FIELDS]
            fields.append("body_hidden")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("body"))
    def body_hidden(self, email) -> str:
        return _("Not shown: an account mail (its body is blanked once delivered).")

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


# --- django-otp's devices: never a key, a QR code or a recovery code ---------------------------

# Importing django-otp's admin modules registers their admins: replaced here by ours.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class DeviceAdminMixin:
    """Admins see whose device exists and when it was used, and may delete one (a lost
    phone, then an invitation). They never add one (that would choose its key) or edit one,
    and no page shows its secret."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TOTPDevice)
class SafeTOTPDeviceAdmin(DeviceAdminMixin, TOTPDeviceAdmin):
    list_display = ["user", "name", "created_at", "last_used_at", "confirmed"]
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fieldsets = [(None, {"fields": readonly_fields})]

    def get_list_display(self, request):
        return self.list_display

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets

    def get_urls(self):
        # Not TOTPDeviceAdmin's config and QR code pages: the ModelAdmin pages only.
        return admin.ModelAdmin.get_urls(self)


@admin.register(StaticDevice)
class SafeStaticDeviceAdmin(DeviceAdminMixin, StaticDeviceAdmin):
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at", "codes_left"]
    fieldsets = [(None, {"fields": readonly_fields})]
    inlines = []

    def get_inline_instances(self, request, obj=None):
        return []

    @admin.display(description=_("recovery codes left"))
    def codes_left(self, device) -> int:
        return device.token_set.count()
