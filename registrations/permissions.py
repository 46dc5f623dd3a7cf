"""Who may see which registrations and businesses. Every list and page reads through these
two rules; anything outside them is a 404 for the user."""

from enum import StrEnum

from django.db.models import Exists, OuterRef, QuerySet

from core.roles import OFFICE_ROLES, Role
from registrations.models import Business, DuplicateFlag, Registration


class RegistrationPermission(StrEnum):
    """Codenames (registrations app) the role groups are granted in core.roles."""

    VIEW = "registrations.view_registration"  # staff registrations list and detail
    REFER = "registrations.refer_business"  # submit a referral for a firm (partners)
    REVIEW_DUPLICATES = "registrations.review_duplicates"  # merge / not a duplicate
    REOPEN_DUPLICATES = "registrations.reopen_duplicates"  # undo a decision (admins)


def registration_qs_visible_to(user) -> QuerySet[Registration]:
    """- admin: every registration
    - ministry: every registration the firm has confirmed (no contact data is shown to them)
    - concierge, office lead: confirmed registrations routed to their office
    - partner: registrations their organisation referred, confirmed or not
    - business: their own registrations
    A referral awaiting the firm's consent is seen only by the partner and admins."""
    registrations = Registration.objects.all()
    role = user.role if user.is_authenticated else None
    confirmed = registrations.exclude(status=Registration.Status.AWAITING_CONSENT)
    if role == Role.ADMIN:
        return registrations
    if role == Role.MINISTRY:
        return confirmed
    if role in OFFICE_ROLES and user.organisation_id:
        return confirmed.filter(office_id=user.organisation_id)
    if role == Role.PARTNER and user.organisation_id:
        return registrations.filter(referred_by_id=user.organisation_id)
    if role == Role.BUSINESS:
        return confirmed.filter(contact__user=user)
    return registrations.none()


def business_qs_visible_to(user) -> QuerySet[Business]:
    """Businesses with at least one registration the user may see (admins: all)."""
    if user.is_authenticated and user.role == Role.ADMIN:
        return Business.objects.all()
    visible = registration_qs_visible_to(user).filter(business=OuterRef("pk"))
    return Business.objects.filter(Exists(visible))


def duplicate_flag_qs_visible_to(user) -> QuerySet[DuplicateFlag]:
    if not user.has_perm(RegistrationPermission.REVIEW_DUPLICATES):
        return DuplicateFlag.objects.none()
    visible = registration_qs_visible_to(user).filter(pk=OuterRef("registration_id"))
    return DuplicateFlag.objects.filter(Exists(visible))
