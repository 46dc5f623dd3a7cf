"""Intake: the program's front door (相談・登録). A registration is submitted online or referred
by a partner (and confirmed by the firm); a confirmed one opens its case; the firm's account.

A registration is saved first and its e-mails are outbox rows in the same transaction, so
neither a failing mail server nor a broker outage can lose a registration."""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Organisation, OutboundEmail, Prefecture, User
from core.roles import Role
from core.services import email_enqueue
from registrations.models import Business, Contact, Registration
from registrations.normalise import email_key, name_key
from registrations.services.consent import referral_consent_request_send
from registrations.services.contacts import (
    CONTACT_FIELDS,
    access_request_notify,
    contact_keys_set,
    contact_mailbox_proven,
    contact_update,
)
from registrations.services.duplicates import duplicates_flag
from registrations.services.mail import absolute_url, business_mail_enqueue, mail_business_of
from registrations.signals import registration_confirmed
from registrations.size_class import business_size_class, industry_option_parse

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
BUSINESS_FIELDS = (
    "entity_type", "corporate_number", "name", "name_kana", "representative", "postal_code",
    "prefecture", "address", "capital_yen", "employees", "website",
)  # fmt: skip


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
        duplicates_flag(registration)
    if not online:
        referral_consent_request_send(registration)
    elif pending:
        _registration_confirmation_send(registration)
        access_request_notify(registration)
    else:
        _registration_confirmed(registration)
    return registration


def _registration_confirmed(registration: Registration) -> None:
    """A confirmed registration gets its confirmation and opens its case (in counselling,
    which receives the signal in this transaction)."""
    email = _registration_confirmation_send(registration)
    registration_confirmed.send(sender=Registration, registration=registration, email=email)


def _typed_office(registration: Registration) -> Organisation | None:
    """The JETRO office of the prefecture the person typed (for a new business, the office
    the registration is routed to): a mail never tells a pending person the stored one."""
    code = registration.submitted_business.get("prefecture")
    if not code:
        return registration.office
    prefecture = Prefecture.objects.select_related("office").filter(pk=code).first()
    return prefecture.office if prefecture else None


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
        "set_password_url": absolute_url(
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
        "login_url": absolute_url(reverse("login")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return business_mail_enqueue(
            key=f"registration:{registration.pk}:confirmation",
            to=registration.contact.email,
            subject=render_to_string(
                "registrations/email/confirmation_subject.txt", context
            ).strip(),
            body=render_to_string("registrations/email/confirmation_body.txt", context),
            business=mail_business_of(registration.contact),
        )


# What the firm may correct on the consent page. Fixed: which organisation referred it, how
# it heard of the program, the business's identity (entity type, 法人番号: another number is
# another firm) and the address the link was sent to (its use proves that mailbox only).
REFERRAL_FIXED_FIELDS = ("entity_type", "corporate_number", "email")
CORRECTED_BY_FIRM = "Corrected by the firm before consenting"


def _changed(instance, values: dict) -> bool:
    """Set `values` on `instance`; whether any differed."""
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed


def _referral_correct(registration: Registration, answers: dict) -> None:
    """Store the firm's corrections of what the partner entered, each change in the history
    of its record (the partner's version stays there). A business that existed before the
    referral is not changed: its registration keeps what the firm typed, as online."""
    actor = registration.contact.user
    contact = registration.contact
    values = {field: answers[f"contact_{field}"] for field in ("name", "name_kana", "department")}
    values["phone"] = answers["phone"]
    if any(getattr(contact, field) != value for field, value in values.items()):
        contact._change_reason = CORRECTED_BY_FIRM
        contact_update(contact=contact, data=values, actor=actor)
    business = registration.business
    if not registration.is_reregistration:
        division, detail = industry_option_parse(answers["industry_option"])
        values = {
            field: answers[field] for field in BUSINESS_FIELDS
            if field not in REFERRAL_FIXED_FIELDS
        } | {"industry_id": division, "industry_detail": detail}  # fmt: skip
        if _changed(business, values):
            business._change_reason = CORRECTED_BY_FIRM
            business_update(business=business, actor=actor)
    values = {field: answers[field] for field in REGISTRATION_FIELDS if field in answers}
    submitted = registration.submitted_business
    fixed = {field: submitted[field] for field in REFERRAL_FIXED_FIELDS if field in submitted}
    values["submitted_business"] = _submitted_business(answers | fixed)
    values["office"] = business.prefecture.office
    if _changed(registration, values):
        registration._change_reason = CORRECTED_BY_FIRM
        registration.updated_by = actor
        registration.full_clean()
        registration.save()


@transaction.atomic
def registration_consent_confirm(
    *, registration: Registration, answers: dict | None = None
) -> Registration:
    """The firm confirms a partner's referral and consents; the link cannot be used again.
    `answers` (the consent form's) correct what the partner entered. Using the link proves
    the contact's address. A person who is not (yet) a contact of an existing business waits
    for approval, like an online registration."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.AWAITING_CONSENT:
        return registration
    if answers is not None:
        _referral_correct(registration, answers)
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
        access_request_notify(registration)
    else:
        _registration_confirmed(registration)
    return registration


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
