"""A partner's referral waits for the firm's consent: the consent link and its mail."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.models import User
from registrations.models import Registration
from registrations.services.mail import absolute_url, business_mail_enqueue, mail_business_of

CONSENT_SALT = "registrations.consent"


def consent_token_make(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "n": registration.consent_nonce}, salt=CONSENT_SALT)


def consent_token_registration(token: str) -> Registration | None:
    """The registration awaiting consent that this link is for; None when the link was
    tampered with, has expired, was already used or was replaced by a newer one."""
    try:
        payload = signing.loads(
            token, salt=CONSENT_SALT, max_age=settings.REFERRAL_CONSENT_DAYS * 24 * 3600
        )
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("business__prefecture", "contact", "referred_by")
        .filter(
            pk=payload.get("r"),
            status=Registration.Status.AWAITING_CONSENT,
            consent_nonce=payload.get("n") or "-",
        )
        .first()
    )


def referral_consent_request_send(registration: Registration) -> None:
    context = {
        "registration": registration,
        "business_name": registration.submitted_name,
        "confirm_url": absolute_url(
            reverse("registrations:consent", args=[consent_token_make(registration)])
        ),
        "days": settings.REFERRAL_CONSENT_DAYS,
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
