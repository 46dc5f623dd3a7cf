import csv
import io
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import is_ratelimited

from core.forms import add_form_errors
from core.pagination import page_get
from core.roles import Role
from core.spreadsheet import neutralise
from core.views import FilteredPageMixin, link_rate_limited
from registrations import selectors
from registrations.forms import (
    ConsentForm,
    ContactForm,
    DeletionRequestForm,
    ReferralForm,
    RegistrationForm,
    WithdrawForm,
)
from registrations.models import ReferralSource, Registration
from registrations.permissions import RegistrationPermission
from registrations.postal_codes import postal_area
from registrations.services import consent, contacts, deletion, duplicates, intake

SESSION_REFERENCE = "registration_reference"
RATE_LIMITED = _(
    "We received many registrations from your network in a short time. "
    "Please wait a while and try again."
)
POSTAL_CODE_FILLED_BOTH = _(
    "The prefecture and address were filled in from the postal code (%(area)s). "
    "Please check them and add the block number."
)
POSTAL_CODE_FILLED_PREFECTURE = _(
    "The prefecture was filled in from the postal code (%(area)s). Please check it."
)
POSTAL_CODE_FILLED_ADDRESS = _(
    "The address was filled in from the postal code (%(area)s). "
    "Please check it and add the block number."
)
POSTAL_CODE_FOUND = _("This postal code is for %(area)s.")
POSTAL_CODE_UNKNOWN = _(
    "This postal code is not in our list. If it is correct, please enter the prefecture "
    "and address yourself."
)
POSTAL_CODE_RATE_LIMITED = _("Too many look-ups. Please enter the prefecture and address.")
BOT_SUSPECTED = _("We could not accept this form. Please reload the page and try again.")


class RegisterView(FormView):
    """The public registration form; no account needed."""

    template_name = "registrations/register.html"
    form_class = RegistrationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cache_blank": True}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if is_ratelimited(
            request, group="registration", key="ip", method="POST", increment=True,
            rate=settings.REGISTRATION_RATE_LIMIT,
        ):  # fmt: skip
            form.add_error(None, RATE_LIMITED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if form.is_bot:
            form.add_error(None, BOT_SUSPECTED)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_valid(self, form):
        try:
            registration = intake.registration_submit(
                data=form.cleaned_data, channel=Registration.Channel.ONLINE
            )
        except ValidationError as error:  # a rule of the models the form did not check
            return self.form_invalid(add_form_errors(form, error))
        self.request.session[SESSION_REFERENCE] = registration.reference
        return redirect("registrations:done")


class PostalCodeView(View):
    """GET /postal-codes/1000013/: the prefecture and address of a postal code, for the
    registration form's script (static/js/postal-code.js), with what it tells the person when
    it fills them in. Public reference data, limited per IP address like the other public
    endpoints."""

    def get(self, request, code):
        if is_ratelimited(
            request, group="postal-code", key="ip", method="GET", increment=True,
            rate=settings.POSTAL_CODE_RATE_LIMIT,
        ):  # fmt: skip
            return JsonResponse({"message": str(POSTAL_CODE_RATE_LIMITED)}, status=429)
        area = postal_area(code)
        if area is None:
            return JsonResponse({"message": str(POSTAL_CODE_UNKNOWN)}, status=404)
        prefecture = selectors.prefecture_named(area.prefecture)
        place = {"area": area.prefecture + area.address}
        return JsonResponse({
            "prefecture": prefecture.pk if prefecture and len(area.prefectures) == 1 else "",
            "address": area.address,
            "messages": {
                "both": str(POSTAL_CODE_FILLED_BOTH % place),
                "prefecture": str(POSTAL_CODE_FILLED_PREFECTURE % place),
                "address": str(POSTAL_CODE_FILLED_ADDRESS % place),
                "none": str(POSTAL_CODE_FOUND % place),
            },
        })  # fmt: skip


class RegisterDoneView(TemplateView):
    """The reference number of the registration just submitted in this browser session."""

    template_name = "registrations/register_done.html"

    def get(self, request, *args, **kwargs):
        reference = request.session.get(SESSION_REFERENCE)
        if not reference:
            return redirect("registrations:register")
        return self.render_to_response(self.get_context_data(reference=reference))


class PrivacyNoticeView(TemplateView):
    template_name = "registrations/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=settings.PRIVACY_NOTICE_VERSION, **kwargs)


class ConsentView(View):
    """The firm checks a partner's referral, corrects it and consents, from the signed,
    single-use link. A link that cannot be used says why and what to do instead."""

    def dispatch(self, request, token):
        if link_rate_limited(request):
            return render(request, "429.html", status=429)
        link = consent.consent_link(token)
        if link.state != consent.LinkState.OPEN:
            return render(request, "registrations/consent_invalid.html", {"link": link}, status=404)
        registration = link.registration
        form = ConsentForm(
            request.POST or None, initial=selectors.referral_answers(registration=registration)
        )
        if request.method == "POST" and form.is_valid():
            try:
                intake.registration_consent_confirm(
                    registration=registration, answers=form.cleaned_data
                )
            except ValidationError as error:  # a rule of the models the form did not check
                add_form_errors(form, error)
            else:
                request.session[SESSION_REFERENCE] = registration.reference
                return redirect("registrations:done")
        return render(
            request, "registrations/consent.html", {"registration": registration, "form": form}
        )


class BusinessRoleMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role != Role.BUSINESS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ContactUpdateView(BusinessRoleMixin, FormView):
    template_name = "registrations/contact_form.html"
    form_class = ContactForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": selectors.contact_own(user=self.request.user),
        }

    def form_valid(self, form):
        contact = contacts.contact_update(
            contact=selectors.contact_own(user=self.request.user), data=form.cleaned_data,
            actor=self.request.user,
        )  # fmt: skip
        messages.success(self.request, _("Your contact details were saved."))
        if contact.pending_email:
            messages.info(self.request, _(
                "We sent a link to %(email)s. Your new e-mail address takes effect once you "
                "open it; until then we keep using %(old)s."
            ) % {"email": contact.pending_email, "old": contact.email})  # fmt: skip
        return redirect(settings.LOGIN_REDIRECT_URL)


class EmailChangeConfirmView(View):
    """The link sent to a new address: opening it shows a button (so a mail scanner that
    follows links changes nothing); pressing it makes the new address the contact's."""

    def dispatch(self, request, token):
        if link_rate_limited(request):
            return render(request, "429.html", status=429)
        contact = contacts.email_change_token_contact(token)
        if contact is None:
            return render(request, "registrations/email_confirm_invalid.html", status=404)
        if request.method == "POST":
            try:
                contacts.contact_email_change_confirm(contact=contact)
            except contacts.EmailInUse:
                return render(request, "registrations/email_confirm.html",
                              {"contact": contact, "in_use": True}, status=409)  # fmt: skip
            messages.success(request, _("Your e-mail address was changed. Sign in with it."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, "registrations/email_confirm.html", {"contact": contact})


class WithdrawView(BusinessRoleMixin, FormView):
    template_name = "registrations/withdraw.html"
    form_class = WithdrawForm

    def get_context_data(self, **kwargs):
        registration = selectors.registration_own_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(registration=registration, **kwargs)

    def form_valid(self, form):
        registration = selectors.registration_own_get(user=self.request.user, pk=self.kwargs["pk"])
        intake.registration_withdraw(
            registration=registration, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("Your registration was withdrawn."))
        return redirect(settings.LOGIN_REDIRECT_URL)


class OwnDataMixin(BusinessRoleMixin):
    """Everything held about the firm (個人情報の開示); a person waiting for approval gets
    only what they gave us."""

    def own_data(self, *, readable: bool):
        business = selectors.business_own(user=self.request.user)
        if business is not None:
            if readable:
                return selectors.business_data_readable(business=business)
            return selectors.business_data_export(business=business)
        contact = selectors.contact_of(user=self.request.user)
        if contact is None:
            raise Http404
        if readable:
            return selectors.contact_data_readable(contact=contact)
        return selectors.contact_data_export(contact=contact)


class MyDataView(OwnDataMixin, View):
    """The firm's data as a file: JSON for machines (field names and codes), CSV for people
    (Japanese item names and labels, UTF-8 with a BOM so that Excel reads it)."""

    def get(self, request, fmt):
        name = f"my-data-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "json":
            response = HttpResponse(
                json.dumps(self.own_data(readable=False), ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
        else:
            out = io.StringIO()
            out.write("\ufeff")
            writer = csv.writer(out)
            writer.writerow([_("Section"), _("Item"), _("Content")])
            writer.writerows(
                [neutralise(cell) for cell in row]
                for row in selectors.data_rows(self.own_data(readable=True))
            )
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class MyDataPageView(OwnDataMixin, TemplateView):
    """The firm's data as a page to read and print."""

    template_name = "registrations/my_data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sections=self.own_data(readable=True), generated_at=timezone.now(), **kwargs
        )


class DeletionRequestView(BusinessRoleMixin, FormView):
    """The firm asks for its data to be deleted; the program office decides."""

    template_name = "registrations/deletion_request.html"
    form_class = DeletionRequestForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role == Role.BUSINESS:
            self.business = selectors.business_own(user=request.user)
            if self.business is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=selectors.deletion_request_pending(business=self.business), **kwargs
        )

    def form_valid(self, form):
        deletion.deletion_request_create(
            business=self.business, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _(
            "Your request was received, and we sent an e-mail confirming it. The program "
            "office will tell you its decision by e-mail."
        ))  # fmt: skip
        return redirect(settings.LOGIN_REDIRECT_URL)


class ContactRequestListView(BusinessRoleMixin, TemplateView):
    """People who asked to act for the firm: its active contacts approve or reject them."""

    template_name = "registrations/contact_requests.html"

    def get_context_data(self, **kwargs):
        if selectors.business_own(user=self.request.user) is None:
            raise Http404
        return super().get_context_data(
            requests=selectors.pending_contacts(user=self.request.user), **kwargs
        )


DECISION_MESSAGES = {
    "approve": _("Approved: %(name)s can now act for the business."),
    "reject": _("Rejected: %(name)s was told by e-mail and cannot sign in."),
}


class ContactDecideView(BusinessRoleMixin, View):
    """An active contact of the firm approves or rejects a person asking to act for it."""

    def post(self, request, pk, action):
        contact = selectors.pending_contact_get(user=request.user, pk=pk)
        contacts.contact_decide(contact=contact, actor=request.user, approve=action == "approve")
        messages.success(request, DECISION_MESSAGES[action] % {"name": contact.name})
        return redirect("registrations:contact-requests")


class RegistrationContactDecideView(PermissionRequiredMixin, View):
    """The firm's JETRO office (or an admin) approves or rejects the person who made a
    registration waiting for approval."""

    permission_required = RegistrationPermission.DECIDE_CONTACTS

    def post(self, request, pk, action):
        registration = selectors.registration_get(user=request.user, pk=pk)
        contact = selectors.pending_contact_get(user=request.user, pk=registration.contact_id)
        contacts.contact_decide(contact=contact, actor=request.user, approve=action == "approve")
        messages.success(request, DECISION_MESSAGES[action] % {"name": contact.name})
        return redirect("registrations:registration-detail", pk=registration.pk)


class ReferralCreateView(PermissionRequiredMixin, FormView):
    permission_required = RegistrationPermission.REFER
    template_name = "registrations/referral_form.html"
    form_class = ReferralForm

    def form_valid(self, form):
        user = self.request.user
        data = {
            **form.cleaned_data,
            "referral_source": _partner_source(user),
            "referral_organisation_name": user.organisation.name,
        }
        try:
            registration = intake.registration_submit(
                data=data, channel=Registration.Channel.PARTNER, actor=user,
                referred_by=user.organisation,
            )  # fmt: skip
        except ValidationError as error:  # a rule of the models the form did not check
            return self.form_invalid(add_form_errors(form, error))
        messages.success(
            self.request,
            _("Referral %(reference)s sent. The firm has been asked by e-mail to confirm.")
            % {"reference": registration.reference},
        )
        return redirect("registrations:referral-list")


def _partner_source(user) -> str:
    kind = user.organisation.kind if user.organisation_id else ""
    return kind if kind in ReferralSource.values else ReferralSource.OTHER


class ReferralListView(PermissionRequiredMixin, TemplateView):
    permission_required = RegistrationPermission.REFER
    template_name = "registrations/referral_list.html"

    def get_context_data(self, **kwargs):
        registrations = selectors.registration_list(user=self.request.user)
        page = page_get(registrations, self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class ReferralResendView(PermissionRequiredMixin, View):
    permission_required = RegistrationPermission.REFER

    def post(self, request, pk):
        registration = selectors.registration_get(user=request.user, pk=pk)
        if registration.status != Registration.Status.AWAITING_CONSENT:
            raise Http404
        consent.referral_consent_resend(registration=registration, actor=request.user)
        messages.success(request, _("A new confirmation e-mail was sent to the firm."))
        return redirect("registrations:referral-list")


class RegistrationListView(PermissionRequiredMixin, FilteredPageMixin, TemplateView):
    permission_required = RegistrationPermission.VIEW
    template_name = "registrations/registration_list.html"

    def get_context_data(self, **kwargs):
        filterset = selectors.registration_filter(user=self.request.user, params=self.request.GET)
        return super().get_context_data(**self.filtered_page(filterset), **kwargs)


class RegistrationDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = RegistrationPermission.VIEW
    template_name = "registrations/registration_detail.html"

    def get_context_data(self, **kwargs):
        registration = selectors.registration_get(user=self.request.user, pk=self.kwargs["pk"])
        contacts.contact_data_access_log(
            request=self.request, business_ids=[registration.business_id], page="registration"
        )
        return super().get_context_data(
            registration=registration,
            flags=selectors.registration_duplicate_flags(registration=registration),
            **kwargs,
        )


class DuplicateQueueView(PermissionRequiredMixin, TemplateView):
    permission_required = RegistrationPermission.REVIEW_DUPLICATES
    template_name = "registrations/duplicate_queue.html"

    def get_context_data(self, **kwargs):
        page = page_get(
            selectors.duplicate_flag_queue(user=self.request.user), self.request.GET.get("page")
        )
        contacts.contact_data_access_log(
            request=self.request, page="duplicates",
            business_ids=[b for flag in page for b in (flag.business_id, flag.candidate_id)],
        )  # fmt: skip
        return super().get_context_data(page=page, **kwargs)


class DuplicateResolveView(PermissionRequiredMixin, View):
    """POST merge or not-a-duplicate (reviewers), or reopen (admins: reverses a merge)."""

    permission_required = RegistrationPermission.REVIEW_DUPLICATES
    actions = {
        "merge": (duplicates.duplicate_flag_merge, RegistrationPermission.REVIEW_DUPLICATES,
                  _("Merged into the existing business.")),
        "dismiss": (duplicates.duplicate_flag_dismiss, RegistrationPermission.REVIEW_DUPLICATES,
                    _("Marked as not a duplicate.")),
        "reopen": (duplicates.duplicate_flag_reopen, RegistrationPermission.REOPEN_DUPLICATES,
                   _("The decision was undone; the flag is open again.")),
    }  # fmt: skip

    def post(self, request, pk, action):
        service, permission, message = self.actions[action]
        if not request.user.has_perm(permission):
            raise Http404
        flag = selectors.duplicate_flag_get(user=request.user, pk=pk)
        service(flag=flag, actor=request.user)
        messages.success(request, message)
        return redirect("registrations:registration-detail", pk=flag.registration_id)
