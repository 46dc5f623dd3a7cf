"""Who may see which registrations and businesses. Every list and page reads through these
two rules; anything outside them is a 404 for the user."""

from enum import StrEnum

from django.db.models import Exists, OuterRef, QuerySet

from core.roles import OFFICE_ROLES, Role
from registrations.models import Business, Contact, DuplicateFlag, Registration

_OFFICE_GRANTS = (
    "registrations.view_business",
    "registrations.change_business",
    "registrations.view_contact",
    "registrations.change_contact",
    "registrations.view_registration",
    "registrations.review_duplicates",
)
# What each role is granted (core.roles collects every app's ROLE_GRANTS; the admin role has
# every permission).
ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.PARTNER: ("registrations.view_business", "registrations.refer_business"),
    Role.CONCIERGE: _OFFICE_GRANTS,
    Role.OFFICE_LEAD: _OFFICE_GRANTS,
    Role.MINISTRY: ("registrations.view_business",),
}


class RegistrationPermission(StrEnum):
    """Codenames (registrations app) the views check."""

    VIEW = "registrations.view_registration"  # staff registrations list and detail
    REFER = "registrations.refer_business"  # submit a referral for a firm (partners)
    REVIEW_DUPLICATES = "registrations.review_duplicates"  # merge / not a duplicate
    REOPEN_DUPLICATES = "registrations.reopen_duplicates"  # undo a decision (admins)
    DECIDE_CONTACTS = "registrations.change_contact"  # approve a person asking for a firm


def registration_qs_visible_to(user) -> QuerySet[Registration]:
    """- admin: every registration
    - ministry: every registration the firm has confirmed (no contact data is shown to them)
    - concierge, office lead: confirmed registrations routed to their office
    - partner: registrations their organisation referred, confirmed or not
    - business: their own registrations (a pending contact: those waiting for approval)
    A referral awaiting the firm's consent is seen only by the partner and admins; one
    waiting for the approval of its contact by its office too (who decides), not the
    ministry."""
    registrations = Registration.objects.all()
    role = user.role if user.is_authenticated else None
    confirmed = registrations.exclude(status=Registration.Status.AWAITING_CONSENT)
    if role == Role.ADMIN:
        return registrations
    if role == Role.MINISTRY:
        return confirmed.exclude(status=Registration.Status.AWAITING_APPROVAL)
    if role in OFFICE_ROLES and user.organisation_id:
        return confirmed.filter(office_id=user.organisation_id)
    if role == Role.PARTNER and user.organisation_id:
        return registrations.filter(referred_by_id=user.organisation_id)
    if role == Role.BUSINESS:
        return confirmed.filter(contact__user=user)
    return registrations.none()


def business_qs_visible_to(user) -> QuerySet[Business]:
    """Businesses with at least one registration the user may see (admins: all). A firm's
    own login sees its business only as an active contact of it: a person who registered
    with a known 法人番号 and is waiting for approval sees only what they typed."""
    if user.is_authenticated and user.role == Role.ADMIN:
        return Business.objects.all()
    visible = registration_qs_visible_to(user).filter(business=OuterRef("pk"))
    businesses = Business.objects.filter(Exists(visible))
    if user.is_authenticated and user.role == Role.BUSINESS:
        active = Contact.objects.filter(
            business=OuterRef("pk"), user=user, status=Contact.Status.ACTIVE
        )
        businesses = businesses.filter(Exists(active))
    return businesses


def pending_contact_qs_decidable_by(user) -> QuerySet[Contact]:
    """People asking to act for a firm whom the user may approve or reject:
    - admin: all
    - concierge, office lead: those with a registration waiting for them at their office
    - business: those of the firm the user is an active contact of
    - others: none"""
    pending = Contact.objects.filter(status=Contact.Status.PENDING)
    role = user.role if user.is_authenticated else None
    if role == Role.ADMIN:
        return pending
    if role in OFFICE_ROLES and user.organisation_id:
        waiting = Registration.objects.filter(
            contact=OuterRef("pk"), office_id=user.organisation_id,
            status=Registration.Status.AWAITING_APPROVAL,
        )  # fmt: skip
        return pending.filter(Exists(waiting))
    if role == Role.BUSINESS:
        return pending.filter(business__in=business_qs_visible_to(user))
    return pending.none()


def duplicate_flag_qs_visible_to(user) -> QuerySet[DuplicateFlag]:
    if not user.has_perm(RegistrationPermission.REVIEW_DUPLICATES):
        return DuplicateFlag.objects.none()
    visible = registration_qs_visible_to(user).filter(pk=OuterRef("registration_id"))
    return DuplicateFlag.objects.filter(Exists(visible))
