"""What every firm mail needs: links to the site, whether an address counts as the firm's,
and the link from the outbox row to the business it is about (registrations.BusinessMail)."""

from django.conf import settings

from core.models import OutboundEmail
from core.services import email_enqueue
from registrations.models import Business, BusinessMail, Contact


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def mail_business_of(contact: Contact) -> Business | None:
    """The business a firm mail to this contact names (so that it is part of the firm's data
    export): only an active contact's verified address counts as the firm's."""
    if contact.status != Contact.Status.ACTIVE or contact.email_verified_at is None:
        return None
    if contact.business.anonymised_at is not None:
        return None
    return contact.business


def business_mail_enqueue(
    *, key: str, to: str, subject: str, body: str, business: Business | None, reply_to: str = ""
) -> OutboundEmail:
    """Record a firm mail (core.services.email_enqueue, once per `key`) and, when it goes to
    the firm's verified address (`business` from mail_business_of), the business it is
    about: only such mails are part of the firm's data export. `reply_to`: the firm's office,
    for a mail about its case."""
    email = email_enqueue(
        key=key, to=to, subject=subject, body=body, kind=OutboundEmail.Kind.FIRM,
        reply_to=reply_to,
    )  # fmt: skip
    if business is not None:  # one INSERT … ON CONFLICT DO NOTHING: the sweeps call this per mail
        BusinessMail.objects.bulk_create(
            [BusinessMail(email=email, business=business)], ignore_conflicts=True
        )
    return email
