"""Writes for registrations: the program's front door (相談・登録).

A registration is saved first and its e-mails are outbox rows in the same transaction, so
neither a failing mail server nor a broker outage can lose a registration."""

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Organisation, OutboundEmail, User
from core.roles import Role
from core.services import email_enqueue
from registrations.models import Business, Contact, DuplicateFlag, Registration
from registrations.normalise import email_key, name_key, phone_key
from registrations.size_class import business_size_class, industry_option_parse

CONSENT_SALT = "registrations.consent"
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
    business.name_key = name_key(business.name)


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


def _contact_for(business: Business, data: dict, *, actor: User | None) -> Contact:
    key = email_key(data["email"])
    contact = business.contacts.filter(email_key=key).first()
    if contact is None:
        contact = Contact(
            business=business,
            created_by=actor,
            **{field: data.get(f"contact_{field}", data.get(field)) for field in CONTACT_FIELDS},
        )
        contact_keys_set(contact)
        contact.full_clean()
        contact.save()
    return contact


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
    contact = _contact_for(business, data, actor=actor)
    now = timezone.now()
    online = channel == Registration.Channel.ONLINE
    registration = Registration(
        reference=reference_generate(),
        business=business,
        contact=contact,
        office=business.prefecture.office,
        channel=channel,
        status=(Registration.Status.REGISTERED if online else Registration.Status.AWAITING_CONSENT),
        is_reregistration=is_reregistration,
        referred_by=referred_by,
        submission_token=data.get("submission_token"),
        created_by=actor,
        **{field: data.get(field) for field in REGISTRATION_FIELDS},
    )
    if online:
        registration.privacy_consented_at = registration.sharing_consented_at = now
        registration.notice_version = settings.PRIVACY_NOTICE_VERSION
        registration.registered_at = now
    else:
        registration.consent_nonce = secrets.token_hex(16)
    registration.full_clean()
    registration.save()
    if not is_reregistration:
        _duplicates_flag(registration)
    if online:
        _registration_confirmed(registration)
    else:
        _referral_consent_request_send(registration)
    return registration


def _registration_confirmed(registration: Registration) -> None:
    """A confirmed registration opens its counselling case and gets its confirmation."""
    from counselling.services import case_email_record, case_open

    case = case_open(registration=registration)
    email = _registration_confirmation_send(registration)
    case_email_record(case=case, subject=email.subject, to=email.to)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _business_account_ensure(contact: Contact) -> tuple[User, bool]:
    """The contact's sign-in account, created without a usable password on first
    registration; returns (user, needs_password)."""
    if contact.user_id:
        return contact.user, not contact.user.has_usable_password()
    user = User.objects.filter(username=contact.email_key).first()
    if user is None:
        user = User(username=contact.email_key, email=contact.email, last_name=contact.name)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.BUSINESS))
    contact.user = user
    contact.save(update_fields=["user"])
    return user, not user.has_usable_password()


def _registration_confirmation_send(registration: Registration) -> OutboundEmail:
    user, needs_password = _business_account_ensure(registration.contact)
    context = {"registration": registration, "login_url": _absolute(reverse("login"))}
    if needs_password:
        context["set_password_url"] = _absolute(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )
    with translation.override(settings.LANGUAGE_CODE):
        return email_enqueue(
            key=f"registration:{registration.pk}:confirmation",
            to=registration.contact.email,
            subject=render_to_string(
                "registrations/email/confirmation_subject.txt", context
            ).strip(),
            body=render_to_string("registrations/email/confirmation_body.txt", context),
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
        )


@transaction.atomic
def registration_consent_confirm(*, registration: Registration) -> Registration:
    """The firm confirms a partner's referral and consents; the link cannot be used again."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.AWAITING_CONSENT:
        return registration
    now = timezone.now()
    registration.status = Registration.Status.REGISTERED
    registration.privacy_consented_at = registration.sharing_consented_at = now
    registration.registered_at = now
    registration.notice_version = settings.PRIVACY_NOTICE_VERSION
    registration.consent_nonce = ""
    registration.save(
        update_fields=[
            "status", "privacy_consented_at", "sharing_consented_at", "registered_at",
            "notice_version", "consent_nonce", "updated_at",
        ]
    )  # fmt: skip
    _registration_confirmed(registration)
    return registration


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
    """Update a contact's details (audited by django-simple-history)."""
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact_keys_set(contact)
    contact.updated_by = actor
    contact.full_clean()
    contact.save()
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
