"""Suspected duplicates: flagged at intake, merged, dismissed or reopened by staff."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import User
from registrations.models import Business, DuplicateFlag, Registration


def duplicates_flag(registration: Registration) -> list[DuplicateFlag]:
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
