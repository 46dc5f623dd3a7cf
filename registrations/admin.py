from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from core.countries import country_choices
from core.forms import CleanTextMixin, CleanTextModelForm, YenField
from core.widgets import CountryPicker
from registrations.forms import DESTINATION_OR_UNDECIDED
from registrations.models import (
    Business,
    Contact,
    ContactDataAccess,
    DeletionRequest,
    DuplicateFlag,
    Registration,
)
from registrations.selectors import business_anonymise_preview
from registrations.services.contacts import contact_data_access_log, contact_email_change_request
from registrations.services.deletion import deletion_request_decide
from registrations.services.intake import business_update
from registrations.size_class import industry_option_value

INDUSTRY_DETAIL_MISMATCH = _("This industry detail does not belong to the chosen industry.")


class BusinessAdminForm(CleanTextMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Business
        fields = "__all__"  # noqa: DJ007 (the admin edits every field)
        field_classes = {"capital_yen": YenField}

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


class RegistrationAdminForm(CleanTextModelForm):
    destinations = forms.MultipleChoiceField(
        label=_("Desired destinations"), choices=country_choices, required=False,
        widget=CountryPicker(exclusive_with="destinations_undecided"),
    )  # fmt: skip

    class Meta:
        model = Registration
        fields = "__all__"  # noqa: DJ007 (the admin edits every field)

    def clean(self):
        data = super().clean()
        if data.get("destinations") and data.get("destinations_undecided"):
            self.add_error("destinations", DESTINATION_OR_UNDECIDED)
        return data


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    form = RegistrationAdminForm
    list_display = ("reference", "business", "status", "channel", "challenge_type", "created_at")
    list_filter = ("status", "channel", "challenge_type", "referral_source")
    list_select_related = ("business",)
    search_fields = ("reference", "business__name", "business__corporate_number")
    show_full_result_count = False
    raw_id_fields = ("office",)
    # Who the registration is for and where it stands change only through the services
    # (consent, approval of a pending contact, withdrawal, duplicate merge), never by hand.
    readonly_fields = (
        "reference", "business", "contact", "status", "channel", "is_reregistration",
        "referred_by", "submitted_business", "registered_at", "withdrawn_at",
        "withdrawal_reason", "privacy_consented_at", "sharing_consented_at", "notice_version",
    )  # fmt: skip


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(SimpleHistoryAdmin):
    list_display = ("registration", "business", "candidate", "reason", "status", "resolved_at")
    list_filter = ("status", "reason")
    list_select_related = ("registration", "business", "candidate")
    raw_id_fields = ("registration", "business", "candidate")


class DeletionDecisionForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Note to the firm"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("Sent to the firm with the decision."),
    )  # fmt: skip

    def __init__(self, *args, note_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required


DECISION_ALREADY_MADE = _("This request was already decided.")
APPROVED_MESSAGE = _("The firm was anonymised and told the decision by e-mail.")
REJECTED_MESSAGE = _("The request was rejected and the firm told the decision by e-mail.")


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyHistoryAdmin):
    """Firms' requests for deletion, decided on the request's own page: approving first
    shows what will be erased and what is kept, then anonymises the firm; rejecting asks
    for the reason. The firm is e-mailed the decision either way."""

    list_display = ("created_at", "business", "status", "decided_at", "updated_by")
    list_filter = ("status",)
    list_select_related = ("business", "updated_by")
    change_form_template = "admin/registrations/deletionrequest/change_form.html"

    def get_urls(self):
        return [
            path("<path:object_id>/approve/",
                 self.admin_site.admin_view(partial(self.decide_view, approve=True)),
                 name="registrations_deletionrequest_approve"),
            path("<path:object_id>/reject/",
                 self.admin_site.admin_view(partial(self.decide_view, approve=False)),
                 name="registrations_deletionrequest_reject"),
            *super().get_urls(),
        ]  # fmt: skip

    @staticmethod
    def can_decide(request) -> bool:
        return request.user.has_perm("registrations.change_deletionrequest")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.can_decide(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id, *, approve: bool):
        if not self.can_decide(request):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        change_url = reverse("admin:registrations_deletionrequest_change", args=[item.pk])
        if item.status != DeletionRequest.Status.PENDING:
            self.message_user(request, DECISION_ALREADY_MADE, messages.WARNING)
            return redirect(change_url)
        form = DeletionDecisionForm(request.POST or None, note_required=not approve)
        if request.method == "POST" and form.is_valid():
            deletion_request_decide(
                request=item, actor=request.user, approve=approve, note=form.cleaned_data["note"]
            )
            self.message_user(request, APPROVED_MESSAGE if approve else REJECTED_MESSAGE,
                              messages.SUCCESS)  # fmt: skip
            return redirect(change_url)
        preview = None
        if approve:  # the page lists the contacts' names and e-mail addresses
            preview = business_anonymise_preview(business=item.business)
            contact_data_access_log(request=request, business_ids=[item.business_id],
                                    page="admin")  # fmt: skip
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "original": item, "form": form, "approve": approve, "preview": preview,
            "change_url": change_url,
            "title": _("Approve and anonymise the firm") if approve else _("Reject the request"),
        }  # fmt: skip
        return TemplateResponse(request, "admin/registrations/deletionrequest/decide.html", context)


@admin.register(ContactDataAccess)
class ContactDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who saw which firm's contact data, where and when (the record is never edited)."""

    list_display = ("at", "user", "business", "page", "path")
    list_filter = ("page",)
    list_select_related = ("user", "business")
    search_fields = ("user__username", "business__name", "business__corporate_number")
    date_hierarchy = "at"
    raw_id_fields = ("user", "business")
