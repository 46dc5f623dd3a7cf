"""What every firm mail needs: links to the site, and whether an address counts as the firm's."""

from django.conf import settings

from registrations.models import Business, Contact


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def firm_mail_business(contact: Contact) -> Business | None:
    """The business a firm mail to this contact names (so that it is part of the firm's data
    export): only an active contact's verified address counts as the firm's."""
    if contact.status != Contact.Status.ACTIVE or contact.email_verified_at is None:
        return None
    if contact.business.anonymised_at is not None:
        return None
    return contact.business
