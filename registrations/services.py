"""Writes for registrations: the program's front door (相談・登録).

A registration is saved first and its e-mails are outbox rows in the same transaction, so
neither a failing mail server nor a broker outage can lose a registration."""

import secrets
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy

from core.models import Organisation, OutboundEmail, Prefecture, User
from core.roles import Role
from core.services import email_enqueue
from registrations.models import (
    Business,
    Contact,
    DeletionRequest,
    DuplicateFlag,
    ReferralSource,
    Registration,
)
from registrations.normalise import email_key, name_key, phone_key
from registrations.selectors import anonymise_texts
from registrations.size_class import business_size_class, industry_option_parse

CONSENT_SALT = "registrations.consent"
EMAIL_CHANGE_SALT = "registrations.email-change"
EMAIL_CHANGE_HOURS = 72  # a link to confirm a new address works this long, once
REJECTED_REASON = gettext_lazy("Access to the business was not approved.")
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
BUSINESS_FIELDS = (
    "entity_type", "corporate_number", "name", "name_kana", "representative", "postal_code",
    "prefecture", "address", "capital_yen", "employees", "website",
)  # fmt: skip
CONTACT_FIELDS = ("name", "name_kana", "department", "email", "phone")
REGISTRATION_FIELDS = (
    "challenge_type", "situations", "products", "destinations", "destinations_undecided",
    "export_experience", "ec_success", "referral_source", "referral_organisation_name",
)  # fmt: skip


def reference_generate() -> str:
    """A registration reference such as EX-2026-7K3M-9Q2P: short enough to read out on the
    phone, unguessable, and independent of the row id."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"EX-{timezone.localdate().year}-{code[:4]}-{code[4:]}"


def business_derived_fields_set(business: Business) -> None:
    """Recompute what is derived from the firm's own answers: its size class and name key."""
    business.size_class = business_size_class(
        division=business.industry_id,
        detail=business.industry_detail,
        capital_yen=business.capital_yen,
        employees=business.employees,
    )
    # The key is for matching only: NFKC may lengthen a name (㌀ is アパート), so it is cut.
    business.name_key = name_key(business.name)[: Business._meta.get_field("name_key").max_length]


@transaction.atomic
def business_update(*, business: Business, actor: User | None) -> Business:
    """Save staff edits to a business; the size class and name key follow the new answers."""
    business_derived_fields_set(business)
    business.updated_by = actor
    business.full_clean()
    business.save()
    return business


def contact_keys_set(contact: Contact) -> None:
    contact.phone_key = phone_key(contact.phone)
    contact.email_key = email_key(contact.email)


def _business_for(data: dict, *, actor: User | None) -> tuple[Business, bool]:
    """The existing business with this 法人番号 (a re-registration), or a new one."""
    number = data.get("corporate_number")
    if number:
        existing = Business.objects.filter(corporate_number=number).first()
        if existing is not None:
            return (existing.merged_into or existing), True
    division, detail = industry_option_parse(data["industry_option"])
    business = Business(
        **{field: data.get(field) for field in BUSINESS_FIELDS},
        industry_id=division,
        industry_detail=detail,
        created_by=actor,
    )
    if business.entity_type == Business.EntityType.SOLE_PROPRIETOR:
        business.capital_yen = None
    business_derived_fields_set(business)
    business.full_clean()
    business.save()
    return business, False


def _contact_for(
    business: Business, data: dict, *, actor: User | None, new_business: bool
) -> Contact:
    """The business's contact with this address, or a new one: active when the business is
    new (its first contact), otherwise pending until the firm or its office approves. A person
    once rejected who registers again asks again (pending)."""
    key = email_key(data["email"])
    contact = business.contacts.filter(email_key=key).first()
    if contact is None:
        contact = Contact(
            business=business,
            created_by=actor,
            status=Contact.Status.ACTIVE if new_business else Contact.Status.PENDING,
            **{field: data.get(f"contact_{field}", data.get(field)) for field in CONTACT_FIELDS},
        )
        contact_keys_set(contact)
        contact.full_clean()
        contact.save()
    elif contact.status == Contact.Status.REJECTED:
        contact.status = Contact.Status.PENDING
        contact.decided_at = contact.decided_by = None
        contact.updated_by = actor
        contact.save(update_fields=["status", "decided_at", "decided_by", "updated_by",
                                    "updated_at"])  # fmt: skip
        if (contact.user is not None and not contact.user.is_active
                and contact.user.role == Role.BUSINESS):  # fmt: skip
            contact.user.is_active = True
            contact.user.save(update_fields=["is_active"])
    return contact


def _submitted_business(data: dict) -> dict:
    """What the person typed about the business, as plain values (kept on the registration:
    a pending contact sees this, never the business as stored)."""
    snapshot = {field: data.get(field) for field in BUSINESS_FIELDS if field != "prefecture"}
    prefecture = data.get("prefecture")
    if prefecture is not None:
        snapshot["prefecture"] = prefecture.pk
        snapshot["prefecture_name"] = prefecture.name
    snapshot["industry_option"] = data.get("industry_option", "")
    return snapshot


def firm_mail_business(contact: Contact) -> Business | None:
    """The business a firm mail to this contact names (so that it is part of the firm's data
    export): only an active contact's verified address counts as the firm's."""
    if contact.status != Contact.Status.ACTIVE or contact.email_verified_at is None:
        return None
    if contact.business.anonymised_at is not None:
        return None
    return contact.business


def _duplicates_flag(registration: Registration) -> list[DuplicateFlag]:
    """Flag (never merge) other businesses with the same normalised name and the same phone
    or e-mail as this registration's contact."""
    business, contact = registration.business, registration.contact
    if not business.name_key:
        return []
    same_contact = Q(contacts__email_key=contact.email_key)
    if contact.phone_key:
        same_contact |= Q(contacts__phone_key=contact.phone_key)
    candidates = (
        Business.objects.filter(name_key=business.name_key, merged_into__isnull=True)
        .exclude(pk=business.pk)
        .filter(same_contact)
        .distinct()
        .prefetch_related("contacts")
    )
    flags = []
    for candidate in candidates:
        phones = {c.phone_key for c in candidate.contacts.all()}
        reason = (
            DuplicateFlag.Reason.NAME_AND_PHONE
            if contact.phone_key and contact.phone_key in phones
            else DuplicateFlag.Reason.NAME_AND_EMAIL
        )
        flags.append(
            DuplicateFlag.objects.create(
                registration=registration, business=business, candidate=candidate, reason=reason
            )
        )
    return flags


def registration_submit(
    *, data: dict, channel: str, actor: User | None = None, referred_by: Organisation | None = None
) -> Registration:
    """Save a registration from the public form (channel online) or a partner's referral.

    Idempotent on `data["submission_token"]`: a double submit returns the first registration.
    """
    token = data.get("submission_token")
    if token:
        existing = Registration.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _registration_create(
                data=data, channel=channel, actor=actor, referred_by=referred_by
            )
    except IntegrityError:
        # A concurrent double submit with the same token won the race: return its result.
        existing = Registration.objects.filter(submission_token=token).first() if token else None
        if existing is None:
            raise
        return existing


def _registration_create(*, data, channel, actor, referred_by) -> Registration:
    business, is_reregistration = _business_for(data, actor=actor)
    contact = _contact_for(business, data, actor=actor, new_business=not is_reregistration)
    now = timezone.now()
    online = channel == Registration.Channel.ONLINE
    pending = contact.status == Contact.Status.PENDING
    if not online:
        status = Registration.Status.AWAITING_CONSENT
    elif pending:
        status = Registration.Status.AWAITING_APPROVAL
    else:
        status = Registration.Status.REGISTERED
    registration = Registration(
        reference=reference_generate(),
        business=business,
        contact=contact,
        office=business.prefecture.office,
        channel=channel,
        status=status,
        is_reregistration=is_reregistration,
        submitted_business=_submitted_business(data),
        referred_by=referred_by,
        submission_token=data.get("submission_token"),
        created_by=actor,
        **{field: data.get(field) for field in REGISTRATION_FIELDS},
    )
    if online:
        registration.privacy_consented_at = registration.sharing_consented_at = now
        registration.notice_version = settings.PRIVACY_NOTICE_VERSION
        registration.registered_at = None if pending else now
    else:
        registration.consent_nonce = secrets.token_hex(16)
    registration.full_clean()
    registration.save()
    if not is_reregistration:
        _duplicates_flag(registration)
    if not online:
        _referral_consent_request_send(registration)
    elif pending:
        _registration_confirmation_send(registration)
        _access_request_notify(registration)
    else:
        _registration_confirmed(registration)
    return registration


def _registration_confirmed(registration: Registration) -> None:
    """A confirmed registration opens its counselling case and gets its confirmation."""
    from counselling.services import case_email_record, case_open

    case = case_open(registration=registration)
    email = _registration_confirmation_send(registration)
    case_email_record(case=case, subject=email.subject, to=email.to)


def _typed_office(registration: Registration) -> Organisation | None:
    """The JETRO office of the prefecture the person typed (for a new business, the office
    the registration is routed to): a mail never tells a pending person the stored one."""
    code = registration.submitted_business.get("prefecture")
    if not code:
        return registration.office
    prefecture = Prefecture.objects.select_related("office").filter(pk=code).first()
    return prefecture.office if prefecture else None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _business_account_ensure(contact: Contact) -> tuple[User | None, bool]:
    """The contact's sign-in account, created without a usable password on first
    registration; returns (user, needs_password). An account under the same address that is
    not a free firm account (staff, or another firm's contact) is never linked: (None, False)."""
    if contact.user_id:
        return contact.user, not contact.user.has_usable_password()
    user = User.objects.filter(username=contact.email_key).first()
    if user is not None and (
        user.role != Role.BUSINESS or Contact.objects.filter(user=user).exists()
    ):
        return None, False
    if user is None:
        user = User(username=contact.email_key, email=contact.email, last_name=contact.name)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.BUSINESS))
    contact.user = user
    contact.save(update_fields=["user"])
    return user, not user.has_usable_password()


def _set_password_send(registration: Registration, user: User) -> OutboundEmail:
    """The link to set a first password: an account mail of its own (never in an export)."""
    context = {
        "contact": registration.contact,
        "set_password_url": _absolute(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        ),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return email_enqueue(
            key=f"registration:{registration.pk}:set-password",
            to=registration.contact.email,
            subject=render_to_string("registrations/email/set_password_subject.txt").strip(),
            body=render_to_string("registrations/email/set_password_body.txt", context),
            kind=OutboundEmail.Kind.ACCOUNT,
        )


def _registration_confirmation_send(registration: Registration) -> OutboundEmail:
    """The confirmation: the same for a new business and an existing one, with the name the
    person typed, so it never tells that the firm was registered already or how it is stored.
    The set-password link, if needed, goes in an account mail of its own."""
    user, needs_password = _business_account_ensure(registration.contact)
    if needs_password:
        _set_password_send(registration, user)
    context = {
        "registration": registration,
        "business_name": registration.submitted_name,
        "office": _typed_office(registration),
        "needs_password": needs_password,
        "login_url": _absolute(reverse("login")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return email_enqueue(
            key=f"registration:{registration.pk}:confirmation",
            to=registration.contact.email,
            subject=render_to_string(
                "registrations/email/confirmation_subject.txt", context
            ).strip(),
            body=render_to_string("registrations/email/confirmation_body.txt", context),
            kind=OutboundEmail.Kind.FIRM,
            business=firm_mail_business(registration.contact),
        )


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


def _referral_consent_request_send(registration: Registration) -> None:
    context = {
        "registration": registration,
        "business_name": registration.submitted_name,
        "confirm_url": _absolute(
            reverse("registrations:consent", args=[consent_token_make(registration)])
        ),
        "days": settings.REFERRAL_CONSENT_DAYS,
    }
    with translation.override(settings.LANGUAGE_CODE):
        email_enqueue(
            key=f"registration:{registration.pk}:consent:{registration.consent_nonce}",
            to=registration.contact.email,
            subject=render_to_string("registrations/email/consent_subject.txt", context).strip(),
            body=render_to_string("registrations/email/consent_body.txt", context),
            kind=OutboundEmail.Kind.FIRM,
            business=firm_mail_business(registration.contact),
        )


@transaction.atomic
def registration_consent_confirm(*, registration: Registration) -> Registration:
    """The firm confirms a partner's referral and consents; the link cannot be used again.
    Using the link proves the contact's address. A person who is not (yet) a contact of an
    existing business waits for approval, like an online registration."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.AWAITING_CONSENT:
        return registration
    now = timezone.now()
    contact = registration.contact
    contact_mailbox_proven(contact=contact, email=contact.email)
    pending = contact.status != Contact.Status.ACTIVE
    if contact.status == Contact.Status.REJECTED:  # asks again, like a new registration
        _contact_for(registration.business, {"email": contact.email}, actor=None,
                     new_business=False)  # fmt: skip
        registration.contact.refresh_from_db()
    registration.status = (
        Registration.Status.AWAITING_APPROVAL if pending else Registration.Status.REGISTERED
    )
    registration.privacy_consented_at = registration.sharing_consented_at = now
    registration.registered_at = None if pending else now
    registration.notice_version = settings.PRIVACY_NOTICE_VERSION
    registration.consent_nonce = ""
    registration.save(
        update_fields=[
            "status", "privacy_consented_at", "sharing_consented_at", "registered_at",
            "notice_version", "consent_nonce", "updated_at",
        ]
    )  # fmt: skip
    if pending:
        _registration_confirmation_send(registration)
        _access_request_notify(registration)
    else:
        _registration_confirmed(registration)
    return registration


def _access_request_notify(registration: Registration) -> None:
    """Tell the firm's active contacts (at their verified addresses) that someone asked to
    act for it; they decide on their own page (the office can too)."""
    contacts = registration.business.contacts.filter(
        status=Contact.Status.ACTIVE, email_verified_at__isnull=False
    ).select_related("business")
    for contact in contacts:
        context = {"contact": contact, "requests_url": _absolute(reverse(
            "registrations:contact-requests"))}  # fmt: skip
        with translation.override(settings.LANGUAGE_CODE):
            email_enqueue(
                key=f"registration:{registration.pk}:access-request:{contact.pk}",
                to=contact.email,
                subject=render_to_string("registrations/email/access_request_subject.txt"),
                body=render_to_string("registrations/email/access_request_body.txt", context),
                kind=OutboundEmail.Kind.FIRM,
                business=firm_mail_business(contact),
            )


@transaction.atomic
def referral_consent_resend(*, registration: Registration, actor: User) -> Registration:
    """Send the firm a fresh consent link; earlier links stop working."""
    registration.consent_nonce = secrets.token_hex(16)
    registration.updated_by = actor
    registration.save(update_fields=["consent_nonce", "updated_by", "updated_at"])
    _referral_consent_request_send(registration)
    return registration


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
        "confirm_url": _absolute(
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


def _decision_mail(contact: Contact, registration: Registration | None, *, approved: bool):
    context = {
        "contact": contact,
        "business_name": registration.submitted_name if registration else "",
        "login_url": _absolute(reverse("login")),
    }
    template = "access_approved" if approved else "access_rejected"
    with translation.override(settings.LANGUAGE_CODE):
        return email_enqueue(
            key=f"contact:{contact.pk}:{template}:{contact.decided_at.timestamp()}",
            to=contact.email,
            subject=render_to_string(f"registrations/email/{template}_subject.txt", context),
            body=render_to_string(f"registrations/email/{template}_body.txt", context),
            kind=OutboundEmail.Kind.FIRM,
            business=firm_mail_business(contact) if approved else None,
        )


@transaction.atomic
def contact_decide(*, contact: Contact, actor: User, approve: bool) -> Contact:
    """An active contact of the firm, or its JETRO office, decides on a person who asked to
    act for the firm (registered with its 法人番号, or was referred for it).

    Approved: the contact becomes active; each registration waiting for it becomes a normal
    confirmed re-registration and opens its case. Rejected: those registrations are
    withdrawn, the person's sign-in account closed, and the person told by e-mail (with the
    name they typed). Deciding again changes nothing."""
    from counselling.services import case_email_record, case_open

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
            case = case_open(registration=registration)
            case_email_record(case=case, subject=email.subject, to=email.to)
    elif contact.user is not None and contact.user.role == Role.BUSINESS:
        user = contact.user
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
    return contact


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor: User, reason: str) -> Registration:
    if registration.status == Registration.Status.WITHDRAWN:
        return registration
    registration.status = Registration.Status.WITHDRAWN
    registration.withdrawn_at = timezone.now()
    registration.withdrawal_reason = reason
    registration.updated_by = actor
    registration.save(
        update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_by", "updated_at"]
    )
    return registration


def _flag_resolve(flag: DuplicateFlag, status: str, actor: User, at: datetime | None) -> None:
    flag.status = status
    flag.resolved_at = at
    flag.updated_by = actor
    flag.save(update_fields=["status", "resolved_at", "updated_by", "updated_at"])


@transaction.atomic
def duplicate_flag_dismiss(*, flag: DuplicateFlag, actor: User) -> DuplicateFlag:
    _flag_resolve(flag, DuplicateFlag.Status.NOT_DUPLICATE, actor, timezone.now())
    return flag


@transaction.atomic
def duplicate_flag_merge(*, flag: DuplicateFlag, actor: User) -> DuplicateFlag:
    """Attach the registration to the existing business and retire the duplicate business
    (kept, marked merged, so an admin can undo)."""
    registration = flag.registration
    registration.business = flag.candidate
    registration.is_reregistration = True
    registration.updated_by = actor
    registration.save(update_fields=["business", "is_reregistration", "updated_by", "updated_at"])
    duplicate = flag.business
    duplicate.merged_into = flag.candidate
    duplicate.updated_by = actor
    duplicate.save(update_fields=["merged_into", "updated_by", "updated_at"])
    _flag_resolve(flag, DuplicateFlag.Status.MERGED, actor, timezone.now())
    return flag


@transaction.atomic
def duplicate_flag_reopen(*, flag: DuplicateFlag, actor: User) -> DuplicateFlag:
    """Undo a decision (admins only): a merge is reversed and the flag is open again."""
    if flag.status == DuplicateFlag.Status.MERGED:
        registration = flag.registration
        registration.business = flag.business
        registration.is_reregistration = False
        registration.updated_by = actor
        registration.save(
            update_fields=["business", "is_reregistration", "updated_by", "updated_at"]
        )
        flag.business.merged_into = None
        flag.business.updated_by = actor
        flag.business.save(update_fields=["merged_into", "updated_by", "updated_at"])
    _flag_resolve(flag, DuplicateFlag.Status.OPEN, actor, None)
    return flag


# --- Deletion requests and anonymisation (個人情報の削除) -------------------------------------

ANONYMISED_NAME = "（削除済み）"
ANONYMISED_KANA = "サクジョズミ"
ANONYMISED_EMAIL = "deleted@anonymised.invalid"
DECISION_MAIL_PREFIX = "deletion-request:"


def deletion_request_create(*, business: Business, actor: User, reason: str) -> DeletionRequest:
    """The firm asks for its data to be deleted; an admin decides. One pending request at a
    time: asking again returns the pending one."""
    pending = business.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    return DeletionRequest.objects.create(
        business=business, reason=reason, created_by=actor, updated_by=actor
    )


@transaction.atomic
def deletion_request_decide(
    *, request: DeletionRequest, actor: User, approve: bool, note: str = ""
) -> DeletionRequest:
    """An admin approves (the firm is anonymised at once) or rejects a pending request, and
    the firm's contacts are told the decision, with the note.

    Their addresses are read before anonymising (which erases them). After an approval the
    mail is an ACCOUNT mail: it goes to people whose data no longer exists, so it must not
    become part of anything kept about the firm; account mails are never exported and their
    bodies are blanked once delivered. A rejection is a FIRM mail about the firm (its export
    lists it), like the program's other mails to the contacts' addresses on file."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequest.Status.PENDING:
        return request
    business = request.business
    # Told: the people who act for the firm (never someone still waiting for approval).
    contacts = list(business.contacts.filter(status=Contact.Status.ACTIVE).order_by("pk"))
    recipients = list({contact.email: contact for contact in contacts}.items())
    mail_business = {contact.pk: firm_mail_business(contact) for contact in contacts}
    if approve:
        business_anonymise(business=business, actor=actor)
    decision = DeletionRequest.Status.APPROVED if approve else DeletionRequest.Status.REJECTED
    request.status = decision
    request.decided_at = timezone.now()
    request.decision_note = note
    request.updated_by = actor
    request.save()
    context = {"request": request, "approved": approve, "note": note}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registrations/email/deletion_decision_subject.txt", context)
        body = render_to_string("registrations/email/deletion_decision_body.txt", context)
    for number, (address, contact) in enumerate(recipients, 1):
        email_enqueue(
            key=f"{DECISION_MAIL_PREFIX}{request.pk}:{decision.value}:{number}", to=address,
            subject=subject.strip(), body=body,
            kind=OutboundEmail.Kind.ACCOUNT if approve else OutboundEmail.Kind.FIRM,
            business=None if approve else mail_business[contact.pk],
        )  # fmt: skip
    return request


def deletion_decision_mails_forget() -> int:
    """Erase the address and body of approval mails once they left the outbox (delivered,
    or given up): the firm they told is anonymised, so they must not keep its addresses.
    Runs daily with the retention task."""
    return (
        OutboundEmail.objects.filter(
            idempotency_key__startswith=DECISION_MAIL_PREFIX,
            idempotency_key__contains=f":{DeletionRequest.Status.APPROVED.value}:",
        )
        .exclude(status=OutboundEmail.Status.PENDING)
        .exclude(to=ANONYMISED_EMAIL)
        .update(to=ANONYMISED_EMAIL, body="", last_error="")
    )


def _history_forget(model, **lookup) -> None:
    """Delete the audit history's earlier copies of erased values (django-simple-history
    keeps a full copy per change); the anonymising save below records who did it, when."""
    model.history.model.objects.filter(**lookup).delete()


@transaction.atomic
def business_anonymise(*, business: Business, actor: User | None) -> Business:
    """Erase what identifies a firm and its people, keep what the program counts: the
    registrations and cases stay with their prefecture, industry, size class, stage, status
    and dates, so aggregates are unchanged. The contacts' sign-in accounts are closed.
    Running it again changes nothing."""
    from counselling.models import Case, CounsellingSession
    from counselling.services import case_history_erase
    from outcomes.models import SurveyResponse
    from support_menus.models import Proposal

    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.anonymised_at is not None:
        return business
    contacts = list(business.contacts.select_related("user"))
    registrations = list(business.registrations.all())
    cases = list(Case.objects.filter(registration__business=business))
    emails = [contact.email for contact in contacts]
    emails += [contact.pending_email for contact in contacts if contact.pending_email]
    erased = anonymise_texts(
        business=business, contacts=contacts, cases=cases, registrations=registrations
    )

    for model, lookup in (
        (Business, {"id": business.pk}),
        (Contact, {"id__in": [c.pk for c in contacts]}),
        (Registration, {"id__in": [r.pk for r in registrations]}),
        (Case, {"id__in": [c.pk for c in cases]}),
        (CounsellingSession, {"case_id__in": [c.pk for c in cases]}),
        (SurveyResponse, {"survey__case_id__in": [c.pk for c in cases]}),
        (Proposal, {"case_id__in": [c.pk for c in cases]}),
        (User, {"id__in": [c.user_id for c in contacts if c.user_id]}),
    ):  # fmt: skip
        _history_forget(model, **lookup)

    business.name, business.name_kana = f"{ANONYMISED_NAME}{business.pk}", ANONYMISED_KANA
    business.name_key = business.representative = business.postal_code = ""
    business.address = business.website = ""
    business.corporate_number = None
    business.capital_yen = None
    business.anonymised_at = timezone.now()
    business.updated_by = actor
    business.save()
    for contact in contacts:
        contact.name, contact.name_kana, contact.department = ANONYMISED_NAME, "", ""
        contact.email = f"deleted-{contact.pk}@anonymised.invalid"
        contact.pending_email = contact.email_change_nonce = ""
        contact.phone = contact.phone_key = contact.email_key = ""
        contact.updated_by = actor
        contact.save()
        if contact.user is not None:
            user = contact.user
            user.username = f"deleted-{user.pk}"
            user.email = user.first_name = user.last_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
    for registration in registrations:
        registration.products = registration.referral_organisation_name = ""
        registration.withdrawal_reason = ""
        registration.updated_by = actor
        registration.save()
    for case in cases:
        case.target_product = case.next_action = ""
        case.updated_by = actor
        case.save()
    for session in CounsellingSession.objects.filter(case__in=cases):
        session.notes = session.attendees = ""
        session.save()
    for response in SurveyResponse.objects.filter(survey__case__in=cases):
        response.products = response.comments = ""
        response.save()
    for proposal in Proposal.objects.filter(case__in=cases).exclude(note=""):
        proposal.note = ""
        proposal.save()
    # The timeline is append-only (the database refuses edits): its one erasure path.
    case_history_erase(cases=cases, secrets=erased, replacement=ANONYMISED_NAME)
    OutboundEmail.objects.filter(to__in=emails).update(
        to=ANONYMISED_EMAIL, subject=ANONYMISED_NAME, body="", last_error=""
    )
    return business


# --- Retention ----------------------------------------------------------------------------------


def retention_due(*, today) -> QuerySet[Business]:
    """Firms whose every registration ended (cases closed or realised, or withdrawn) more
    than RETENTION_YEARS ago, not yet anonymised."""
    from counselling.models import Case

    cutoff = timezone.make_aware(
        datetime.combine(today.replace(year=today.year - settings.RETENTION_YEARS), time.min)
    )
    # A case ended when it was closed, or (realised, not closed) when the export was realised;
    # one with neither date cannot be dated and is kept.
    ended_long_ago = Q(closed_at__lt=cutoff) | Q(
        closed_at__isnull=True, realised_on__lt=cutoff.date()
    )
    live = Case.objects.filter(Q(status__in=Case.OPEN_STATUSES) | ~ended_long_ago).exclude(
        registration__status=Registration.Status.WITHDRAWN
    )
    recent_withdrawals = Registration.objects.filter(
        status=Registration.Status.WITHDRAWN, withdrawn_at__gte=cutoff
    )
    return (
        Business.objects.filter(anonymised_at__isnull=True, registrations__isnull=False)
        .exclude(registrations__case__in=live)
        .exclude(registrations__in=recent_withdrawals)
        .exclude(registrations__status=Registration.Status.AWAITING_CONSENT)
        .distinct()
    )


def retention_apply(*, today, dry_run: bool) -> list[int]:
    """Anonymise the firms past retention (or, in a dry run, only list them)."""
    due = list(retention_due(today=today).values_list("pk", flat=True))
    if not dry_run:
        for business in Business.objects.filter(pk__in=due):
            business_anonymise(business=business, actor=None)
    return due


# --- Participants from before this system (the survey-results import) ----------------------

LEGACY_NOTICE_VERSION = "legacy-import"  # Registration.notice_version: no notice was shown here
LEGACY_EMAIL_DOMAIN = "legacy-import.invalid"  # RFC 2606: .invalid never resolves or delivers
LEGACY_INDUSTRY = "T"  # 分類不能の産業
LEGACY_EMPLOYEES = 0  # unknown; the size class is left blank rather than derived from it
# Stored on the rows, in the site's language.
LEGACY_CONTACT_NAME = gettext_lazy("Unknown (imported)")
LEGACY_REGISTRATION_PRODUCTS = gettext_lazy(
    "Created by the survey results import for a participant from before this system; the "
    "registration details are not known."
)


@transaction.atomic
def registration_legacy_create(
    *, corporate_number: str, name: str, prefecture: Prefecture
) -> Registration:
    """A minimal business, contact and registration for a participant from before this
    system, marked as imported (notice version, .invalid e-mail, registration text). What the
    old records do not say is left blank rather than invented; a firm without a corporate
    number is a sole proprietor."""
    with translation.override(settings.LANGUAGE_CODE):
        contact_name = str(LEGACY_CONTACT_NAME)
        products = str(LEGACY_REGISTRATION_PRODUCTS)
    business = Business(
        entity_type=(Business.EntityType.CORPORATION if corporate_number
                     else Business.EntityType.SOLE_PROPRIETOR),
        corporate_number=corporate_number or None, name=name, name_key=name_key(name),
        prefecture=prefecture, industry_id=LEGACY_INDUSTRY, employees=LEGACY_EMPLOYEES,
    )  # fmt: skip
    business.full_clean(exclude=["name_kana"])  # the reading is not in the old records
    business.save()
    reference = reference_generate()
    # The firm's only contact acts for it (no sign-in account: the address is a placeholder).
    contact = Contact(business=business, name=contact_name, status=Contact.Status.ACTIVE,
                      email=f"{reference.lower()}@{LEGACY_EMAIL_DOMAIN}")  # fmt: skip
    contact_keys_set(contact)
    contact.full_clean()
    contact.save()
    # The registered status needs consent timestamps (a database constraint): they record when
    # the firm's participation, consented under the earlier program, was taken over here; the
    # notice version says that no notice of this system was accepted.
    now = timezone.now()
    registration = Registration(
        reference=reference, business=business, contact=contact, office=prefecture.office,
        status=Registration.Status.REGISTERED, channel=Registration.Channel.ONLINE,
        products=products, referral_source=ReferralSource.OTHER, privacy_consented_at=now,
        sharing_consented_at=now, notice_version=LEGACY_NOTICE_VERSION,
    )  # fmt: skip
    registration.full_clean(exclude=["challenge_type", "export_experience"])  # not known
    registration.save()
    return registration
