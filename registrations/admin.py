from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyHistoryAdmin
from core.services import contact_data_access_log
from registrations.models import Business, Contact, DeletionRequest, DuplicateFlag, Registration
from registrations.services import (
    business_update,
    contact_email_change_request,
    deletion_request_decide,
)
from registrations.size_class import industry_option_value

INDUSTRY_DETAIL_MISMATCH = _("This industry detail does not belong to the chosen industry.")


class BusinessAdminForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Business
        fields = "__all__"  # noqa: DJ007 (the admin edits every field)

    def clean(self):
        data = super().clean()
        industry = data.get("industry")
        if industry is not None:
            try:
                industry_option_value(industry.code, data.get("industry_detail", ""))
            except ValueError:
                self.add_error("industry_detail", INDUSTRY_DETAIL_MISMATCH)
        return data


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ("user",)
    exclude = ("phone_key", "email_key", "decided_by")
    # Approval and address proof happen through their services, never by editing the row.
    readonly_fields = ("status", "email_verified_at", "pending_email", "decided_at")


@admin.register(Business)
class BusinessAdmin(SimpleHistoryAdmin):
    form = BusinessAdminForm
    list_display = (
        "name", "corporate_number", "entity_type", "prefecture", "industry", "size_class",
        "created_at",
    )  # fmt: skip
    list_filter = ("entity_type", "size_class", "prefecture__region", "industry")
    list_select_related = ("prefecture", "industry")
    search_fields = ("corporate_number", "name", "name_kana")
    show_full_result_count = False
    raw_id_fields = ("referred_by", "merged_into")
    readonly_fields = ("size_class", "created_at", "created_by", "updated_by")
    inlines = [ContactInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:  # its contacts are shown
            contact_data_access_log(request=request, business_ids=[object_id], page="admin")
        return response

    def save_model(self, request, obj, form, change):
        business_update(business=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        """A contact's new address, typed by staff, takes effect like the firm's own change:
        once the link sent to it is used (the old address is told)."""
        if formset.model is not Contact:
            return super().save_formset(request, form, formset, change)
        new_emails = {}
        for contact_form in formset.forms:
            contact = contact_form.instance
            if contact.pk and "email" in contact_form.changed_data:
                new_emails[contact.pk] = contact.email
                contact.email = contact_form.initial["email"]
        super().save_formset(request, form, formset, change)
        for contact in Contact.objects.filter(pk__in=new_emails):
            contact_email_change_request(
                contact=contact, email=new_emails[contact.pk], actor=request.user
            )
        if new_emails:
            messages.info(request, _(
                "A new e-mail address takes effect once the link sent to it is used."
            ))  # fmt: skip


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "business", "status", "channel", "challenge_type", "created_at")
    list_filter = ("status", "channel", "challenge_type", "referral_source")
    list_select_related = ("business",)
    search_fields = ("reference", "business__name", "business__corporate_number")
    show_full_result_count = False
    raw_id_fields = ("business", "contact", "office", "referred_by")
    readonly_fields = (
        "reference",
        "privacy_consented_at",
        "sharing_consented_at",
        "notice_version",
    )


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(SimpleHistoryAdmin):
    list_display = ("registration", "business", "candidate", "reason", "status", "resolved_at")
    list_filter = ("status", "reason")
    list_select_related = ("registration", "business", "candidate")
    raw_id_fields = ("registration", "business", "candidate")


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyHistoryAdmin):
    """Firms' requests for deletion: approve (the firm is anonymised at once, and the
    approval recorded) or reject, with the actions above the list."""

    list_display = ("created_at", "business", "status", "decided_at", "updated_by")
    list_filter = ("status",)
    list_select_related = ("business", "updated_by")
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        # The actions need the change permission; the form itself stays read-only.
        return request.user.has_perm("registrations.change_deletionrequest")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def _decide(self, request, queryset, *, approve: bool):
        decided = [
            deletion_request_decide(request=item, actor=request.user, approve=approve)
            for item in queryset.filter(status=DeletionRequest.Status.PENDING)
        ]
        self.message_user(
            request, ngettext("%(count)d request decided.", "%(count)d requests decided.",
                              len(decided)) % {"count": len(decided)},
            messages.SUCCESS,
        )  # fmt: skip

    @admin.action(description=_("Approve and anonymise the firm"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)
