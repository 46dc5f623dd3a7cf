"""Who may act for a firm: contact details, pending contacts and their approval, verified
addresses and e-mail changes."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.models import OutboundEmail, User
from core.roles import Role
from core.services import email_enqueue
from registrations.models import Contact, ContactDataAccess, Registration
from registrations.normalise import email_key, phone_key
from registrations.services.mail import absolute_url, business_mail_enqueue, mail_business_of
from registrations.signals import registration_confirmed

EMAIL_CHANGE_SALT = "registrations.email-change"
EMAIL_CHANGE_HOURS = 72  # a link to confirm a new address works this long, once
REJECTED_REASON = gettext_lazy("Access to the business was not approved.")


CONTACT_FIELDS = ("name", "name_kana", "department", "email", "phone")


def contact_keys_set(contact: Contact) -> None:
    contact.phone_key = phone_key(contact.phone)
    contact.email_key = email_key(contact.email)


@transaction.atomic
def contact_update(*, contact: Contact, data: dict, actor: User) -> Contact:
    """Update a contact's details (audited by django-simple-history). A new e-mail address
    does not take effect here: a link goes to it (contact_email_change_request)."""
    new_email = data.get("email")
    # Whatever the caller's instance says (a ModelForm sets it), the address stays the stored
    # one until the new one is confirmed.
    contact.email = Contact.objects.values_list("email", flat=True).get(pk=contact.pk)
    for field in CONTACT_FIELDS:
        if field in data and field != "email":
            setattr(contact, field, data[field])
    contact_keys_set(contact)
    contact.updated_by = actor
    contact.full_clean()
    contact.save()
    if new_email and email_key(new_email) != contact.email_key:
        contact_email_change_request(contact=contact, email=new_email, actor=actor)
    return contact


# --- Who may act for a firm: pending contacts, verified addresses ------------------------------


def contact_mailbox_proven(*, contact: Contact, email: str) -> Contact:
    """The owner of `email` used a link sent to it: if it is the contact's address, the
    address counts as verified from now on (firm mails to it name the business)."""
    if email_key(email) != contact.email_key:
        return contact
    contact.email_verified_at = timezone.now()
    contact.save(update_fields=["email_verified_at", "updated_at"])
    return contact


def user_mailbox_proven(*, user: User) -> None:
    """The user set a password from a link sent to their address (core.signals)."""
    contact = Contact.objects.filter(user=user).first()
    if contact is not None and user.email:
        contact_mailbox_proven(contact=contact, email=user.email)


def email_change_token_make(contact: Contact) -> str:
    return signing.dumps({"c": contact.pk, "n": contact.email_change_nonce}, salt=EMAIL_CHANGE_SALT)


def email_change_token_contact(token: str) -> Contact | None:
    """The contact whose new address this link confirms; None when the link was tampered
    with, has expired, was used or was replaced by a newer request."""
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_HOURS * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not payload.get("n"):
        return None
    return (
        Contact.objects.select_related("user")
        .filter(pk=payload.get("c"), email_change_nonce=payload["n"])
        .exclude(pending_email="")
        .first()
    )


def _account_mail(*, key: str, to: str, template: str, context: dict) -> OutboundEmail:
    with translation.override(settings.LANGUAGE_CODE):
        return email_enqueue(
            key=key,
            to=to,
            subject=render_to_string(f"registrations/email/{template}_subject.txt", context),
            body=render_to_string(f"registrations/email/{template}_body.txt", context),
            kind=OutboundEmail.Kind.ACCOUNT,
        )


@transaction.atomic
def contact_email_change_request(*, contact: Contact, email: str, actor: User | None) -> Contact:
    """Ask for a new address (the firm itself or staff): a single-use link that expires goes
    to the new address, and the current address is told. Until the link is used nothing
    changes: not the contact's address, not the sign-in name, not where firm mails go."""
    contact.pending_email = email
    contact.email_change_nonce = secrets.token_hex(16)
    contact.updated_by = actor
    contact.full_clean()
    contact.save(update_fields=["pending_email", "email_change_nonce", "updated_by",
                                "updated_at"])  # fmt: skip
    context = {
        "contact": contact,
        "new_email": email,
        "hours": EMAIL_CHANGE_HOURS,
        "confirm_url": absolute_url(
            reverse("registrations:email-confirm", args=[email_change_token_make(contact)])
        ),
    }
    nonce = contact.email_change_nonce
    _account_mail(key=f"contact:{contact.pk}:email-change:{nonce}:confirm", to=email,
                  template="email_change_confirm", context=context)  # fmt: skip
    _account_mail(key=f"contact:{contact.pk}:email-change:{nonce}:notice", to=contact.email,
                  template="email_change_notice", context=context)  # fmt: skip
    return contact


class EmailInUse(Exception):
    """The new address is another account's sign-in name."""


@transaction.atomic
def contact_email_change_confirm(*, contact: Contact) -> Contact:
    """The link sent to the new address was used: the address, the sign-in name and e-mail
    follow it, it counts as verified, and the link cannot be used again."""
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("user").get(pk=contact.pk)
    )
    if not contact.pending_email:
        return contact
    old_email, new_email = contact.email, contact.pending_email
    new_key = email_key(new_email)
    user = contact.user
    if (user is not None and user.role == Role.BUSINESS
            and User.objects.filter(username=new_key).exclude(pk=user.pk).exists()):  # fmt: skip
        raise EmailInUse(new_email)
    contact.email = new_email
    contact.pending_email = contact.email_change_nonce = ""
    contact.email_verified_at = timezone.now()
    contact_keys_set(contact)
    contact.full_clean()
    contact.save()
    if user is not None and user.role == Role.BUSINESS:  # never rename a staff account
        user.username, user.email = new_key, new_email
        user.save(update_fields=["username", "email"])
    _account_mail(
        key=f"contact:{contact.pk}:email-changed:{new_key}:{contact.email_verified_at.timestamp()}",
        to=old_email, template="email_changed", context={"contact": contact,
                                                         "new_email": new_email},
    )  # fmt: skip
    return contact


def access_request_notify(registration: Registration) -> None:
    """Tell the firm's active contacts (at their verified addresses) that someone asked to
    act for it; they decide on their own page (the office can too)."""
    contacts = registration.business.contacts.filter(
        status=Contact.Status.ACTIVE, email_verified_at__isnull=False
    ).select_related("business")
    for contact in contacts:
        context = {"contact": contact, "requests_url": absolute_url(reverse(
            "registrations:contact-requests"))}  # fmt: skip
        with translation.override(settings.LANGUAGE_CODE):
            business_mail_enqueue(
                key=f"registration:{registration.pk}:access-request:{contact.pk}",
                to=contact.email,
                subject=render_to_string("registrations/email/access_request_subject.txt"),
                body=render_to_string("registrations/email/access_request_body.txt", context),
                business=mail_business_of(contact),
            )


def _decision_mail(contact: Contact, registration: Registration | None, *, approved: bool):
    context = {
        "contact": contact,
        "business_name": registration.submitted_name if registration else "",
        "login_url": absolute_url(reverse("login")),
    }
    template = "access_approved" if approved else "access_rejected"
    with translation.override(settings.LANGUAGE_CODE):
        return business_mail_enqueue(
            key=f"contact:{contact.pk}:{template}:{contact.decided_at.timestamp()}",
            to=contact.email,
            subject=render_to_string(f"registrations/email/{template}_subject.txt", context),
            body=render_to_string(f"registrations/email/{template}_body.txt", context),
            business=mail_business_of(contact) if approved else None,
        )


@transaction.atomic
def contact_decide(*, contact: Contact, actor: User, approve: bool) -> Contact:
    """An active contact of the firm, or its JETRO office, decides on a person who asked to
    act for the firm (registered with its 法人番号, or was referred for it).

    Approved: the contact becomes active; each registration waiting for it becomes a normal
    confirmed re-registration and opens its case. Rejected: those registrations are
    withdrawn, the person's sign-in account closed, and the person told by e-mail (with the
    name they typed). Deciding again changes nothing."""
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("business", "user")
        .get(pk=contact.pk)
    )
    if contact.status != Contact.Status.PENDING:
        return contact
    now = timezone.now()
    contact.status = Contact.Status.ACTIVE if approve else Contact.Status.REJECTED
    contact.decided_at, contact.decided_by, contact.updated_by = now, actor, actor
    contact.save(update_fields=["status", "decided_at", "decided_by", "updated_by",
                                "updated_at"])  # fmt: skip
    waiting = list(
        contact.registrations.select_for_update()
        .filter(status=Registration.Status.AWAITING_APPROVAL)
        .order_by("id")
    )
    for registration in waiting:
        if approve:
            registration.status = Registration.Status.REGISTERED
            registration.registered_at = now
        else:
            registration.status = Registration.Status.WITHDRAWN
            registration.withdrawn_at = now
            with translation.override(settings.LANGUAGE_CODE):  # stored in the program's language
                registration.withdrawal_reason = str(REJECTED_REASON)
        registration.updated_by = actor
        registration.save(
            update_fields=["status", "registered_at", "withdrawn_at", "withdrawal_reason",
                           "updated_by", "updated_at"]
        )  # fmt: skip
    email = _decision_mail(contact, waiting[-1] if waiting else None, approved=approve)
    if approve:
        for registration in waiting:
            registration_confirmed.send(sender=Registration, registration=registration, email=email)
    elif contact.user is not None and contact.user.role == Role.BUSINESS:
        user = contact.user
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
    return contact


def contact_data_access_log(*, request, business_ids, page: str) -> None:
    """Record that the signed-in user was shown these firms' contact data on `page`."""
    now = timezone.now()
    ContactDataAccess.objects.bulk_create(
        ContactDataAccess(
            user=request.user, business_id=business_id, page=page,
            path=request.get_full_path()[:300], at=now,
        )
        for business_id in dict.fromkeys(business_ids)
    )  # fmt: skip
