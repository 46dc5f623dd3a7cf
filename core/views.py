import unicodedata
from base64 import b32encode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, View
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ALL
from qrcode.image.svg import SvgPathImage

from core.forms import PreferencesForm, TwoFactorTokenForm
from core.pagination import page_get
from core.selectors import (
    password_reset_refused,
    recovery_codes_left,
    two_factor_device,
    two_factor_invitation_usable,
)
from core.services import (
    totp_device_confirm,
    totp_device_pending,
    two_factor_invitation_open,
    two_factor_pass,
    two_factor_passed,
    user_preferences_update,
)
from core.sessions import TWO_FACTOR_INVITATION_KEY, TWO_FACTOR_VERIFIED_KEY, staff_account


class FilteredPageMixin:
    """A list page: a django-filter filterset, one page of its rows, and the query string
    without the page number, for the pagination links."""

    def filtered_page(self, filterset) -> dict:
        page = page_get(filterset.qs, self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        # A bad filter (a date that is not one) gets the error summary like any form.
        return {"filter": filterset, "page": page, "query": query.urlencode(),
                "error_forms": [filterset.form]}  # fmt: skip


@never_cache
def health(request) -> HttpResponse:
    """For load balancers and container health checks: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "core/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            two_factor_on=two_factor_device(user=user) is not None,
            recovery_codes_left=recovery_codes_left(user=user), **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        user_preferences_update(
            user=self.request.user, case_reminders=form.cleaned_data["case_reminders"]
        )
        messages.success(self.request, _("Your preferences were saved."))
        return redirect(settings.LOGIN_REDIRECT_URL)


def normalised_email(value: str) -> str:
    """One spelling per address: NFKC (full-width letters), case-folded, stripped."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _reset_email_key(group, request) -> str:
    """The per-address limit counts every spelling of one address together."""
    return normalised_email(request.POST.get("email", ""))


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset, limited per IP address and per e-mail address. Over the limit the user
    sees the usual "sent" page and nothing is sent: the answer never tells whether an account
    exists or how often it was asked for."""

    def form_valid(self, form):
        limited = [
            is_ratelimited(
                self.request, group="password-reset", key=key, method="POST", increment=True,
                rate=settings.PASSWORD_RESET_RATE_LIMIT,
            )
            for key in ("ip", _reset_email_key)
        ]  # fmt: skip
        if any(limited):
            return redirect(self.get_success_url())
        return super().form_valid(form)


def link_rate_limited(request) -> bool:
    """Signed links (surveys, consents) opened too often from one address."""
    return is_ratelimited(
        request, group="signed-link", key="ip", method=ALL, increment=True,
        rate=settings.LINK_RATE_LIMIT,
    )  # fmt: skip


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):  # fmt: skip
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class TwoFactorVerifyView(LoginRequiredMixin, FormView):
    """The second step of signing in: a code from the authenticator or a recovery code.
    Without an authenticator yet, the user is sent to set one up."""

    template_name = "core/two_factor_verify.html"
    form_class = TwoFactorTokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor_device(user=request.user) is None:
            return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if not two_factor_pass(request=self.request, token=form.cleaned_data["token"]):
            form.add_error("token", _("The code is not right, or it was already used."))
            return self.form_invalid(form)
        return redirect(_next_url(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request), **kwargs)


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code,
    then keep the recovery codes shown once. A user who already has one must pass it first.
    A staff member needs an admin's invitation for the first one, and for a replacement they
    cannot pass the old one for (a lost phone): the password alone is not enough."""

    template_name = "core/two_factor_setup.html"
    form_class = TwoFactorTokenForm

    invitation = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            self.invitation = two_factor_invitation_usable(
                user=user, invitation_id=request.session.get(TWO_FACTOR_INVITATION_KEY)
            )
        if user.is_authenticated and self.invitation is None:
            has_device = two_factor_device(user=user) is not None
            if has_device and not request.session.get(TWO_FACTOR_VERIFIED_KEY):
                return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
            if not has_device and staff_account(user):
                # A password alone never enrols a staff authenticator: an admin invites.
                return render(request, "core/two_factor_invitation_needed.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = totp_device_pending(user=self.request.user)
        qr = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
        return super().get_context_data(
            qr_svg=mark_safe(qr.to_string(encoding="unicode")),  # noqa: S308 (our own SVG)
            secret=b32encode(device.bin_key).decode(), next=_next_url(self.request), **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        device = totp_device_pending(user=self.request.user)
        codes = totp_device_confirm(
            user=self.request.user, device=device, token=form.cleaned_data["token"],
            invitation=self.invitation,
        )  # fmt: skip
        if codes is None:
            form.add_error("token", _("The code is not right. Check the time on your phone."))
            return self.form_invalid(form)
        self.request.session.pop(TWO_FACTOR_INVITATION_KEY, None)
        two_factor_passed(request=self.request, device=device)
        return render(self.request, "core/two_factor_recovery.html",
                      {"codes": codes, "next": _next_url(self.request)})  # fmt: skip


class TwoFactorInvitationView(LoginRequiredMixin, View):
    """The link in an admin's invitation: once signed in with the password, the invited
    staff member goes on to set up an authenticator. Another account's, a used or an
    expired link leads nowhere (ask an admin for a new one)."""

    def get(self, request, token: str):
        invitation = two_factor_invitation_open(user=request.user, token=token)
        if invitation is None:
            return render(
                request, "core/two_factor_invitation_needed.html", {"invalid": True}, status=404
            )
        request.session[TWO_FACTOR_INVITATION_KEY] = invitation.pk
        return redirect("two_factor_setup")


class RefusingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link, refused for a staff account without an authenticator (its
    holder asks an admin): a link mailed earlier, or read somewhere it should not have been,
    never hands such an account over. Only a valid link shows the refusal, so the page tells
    a stranger nothing about which accounts exist."""

    def dispatch(self, *args, **kwargs):
        user = self.get_user(kwargs["uidb64"])
        if user is not None and password_reset_refused(user=user):
            token = kwargs["token"]
            if token == self.reset_url_token:
                token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
            if self.token_generator.check_token(user, token):
                return render(
                    self.request, self.template_name, {"validlink": False, "refused": True},
                    status=403,
                )  # fmt: skip
        return super().dispatch(*args, **kwargs)
