"""A partner's referral waits for the firm's consent: the consent link and its mail.

A link works until the end of its deadline day (Japan time), the date its mail names; a
newer link replaces it, and consenting uses it up."""

import datetime
import enum
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.models import User
from registrations.models import Registration
from registrations.services.mail import absolute_url, business_mail_enqueue, mail_business_of

CONSENT_SALT = "registrations.consent"


class LinkState(enum.Enum):
    OPEN = "open"  # the firm may check, correct and consent
    DONE = "done"  # the firm consented already (this link or another)
    EXPIRED = "expired"
    REPLACED = "replaced"  # a newer link was sent
    INVALID = "invalid"  # tampered with, or the referral is gone or withdrawn


@dataclass(frozen=True)
class ConsentLink:
    state: LinkState
    registration: Registration | None = None


def consent_deadline() -> datetime.date:
    """The last day a consent link sent now works."""
    return timezone.localdate() + datetime.timedelta(days=settings.REFERRAL_CONSENT_DAYS)


def consent_token_make(registration: Registration, deadline: datetime.date | None = None) -> str:
    deadline = deadline or consent_deadline()
    return signing.dumps(
        {"r": registration.pk, "n": registration.consent_nonce, "e": deadline.isoformat()},
        salt=CONSENT_SALT,
    )


def _expired(token: str, payload: dict) -> bool:
    if "e" in payload:
        return timezone.localdate() > datetime.date.fromisoformat(payload["e"])
    try:  # a link sent before links carried their deadline: N days from its signature
        signing.loads(token, salt=CONSENT_SALT,
                      max_age=settings.REFERRAL_CONSENT_DAYS * 24 * 3600)  # fmt: skip
    except signing.SignatureExpired:
        return True
    return False


def consent_link(token: str) -> ConsentLink:
    """What this consent link is for, and whether it can still be used."""
    try:
        payload = signing.loads(token, salt=CONSENT_SALT)
        expired = _expired(token, payload)
    except signing.BadSignature:
        return ConsentLink(LinkState.INVALID)
    registration = (
        Registration.objects.select_related("business__prefecture", "contact__user", "referred_by")
        .filter(pk=payload.get("r"))
        .first()
    )
    if registration is None or registration.status == Registration.Status.WITHDRAWN:
        return ConsentLink(LinkState.INVALID)
    if registration.status != Registration.Status.AWAITING_CONSENT:
        return ConsentLink(LinkState.DONE, registration)
    if registration.consent_nonce != payload.get("n"):
        return ConsentLink(LinkState.REPLACED, registration)
    if expired:
        return ConsentLink(LinkState.EXPIRED, registration)
    return ConsentLink(LinkState.OPEN, registration)


def referral_consent_request_send(registration: Registration) -> None:
    deadline = consent_deadline()
    context = {
        "registration": registration,
        "business_name": registration.submitted_name,
        "confirm_url": absolute_url(
            reverse("registrations:consent", args=[consent_token_make(registration, deadline)])
        ),
        "deadline": deadline,
        "register_url": absolute_url(reverse("registrations:register")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        business_mail_enqueue(
            key=f"registration:{registration.pk}:consent:{registration.consent_nonce}",
            to=registration.contact.email,
            subject=render_to_string("registrations/email/consent_subject.txt", context).strip(),
            body=render_to_string("registrations/email/consent_body.txt", context),
            business=mail_business_of(registration.contact),
        )


@transaction.atomic
def referral_consent_resend(*, registration: Registration, actor: User) -> Registration:
    """Send the firm a fresh consent link; earlier links stop working."""
    registration.consent_nonce = secrets.token_hex(16)
    registration.updated_by = actor
    registration.save(update_fields=["consent_nonce", "updated_by", "updated_at"])
    referral_consent_request_send(registration)
    return registration
