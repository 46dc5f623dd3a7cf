"""Reads for registrations, always through the user's scope (registrations.permissions)."""

import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.models import MetiRegion, OutboundEmail, Prefecture
from core.personal_data import business_rows, declarations, identifying_texts
from registrations.filters import RegistrationFilter
from registrations.models import Business, Contact, DeletionRequest, DuplicateFlag, Registration
from registrations.permissions import (
    business_qs_visible_to,
    duplicate_flag_qs_visible_to,
    pending_contact_qs_decidable_by,
    registration_qs_visible_to,
)

LIST_RELATED = ("business__prefecture", "business__industry", "office", "referred_by", "case")


def prefecture_named(name: str) -> Prefecture | None:
    """Reference data (no scope): the prefecture called 「東京都」, if any."""
    return Prefecture.objects.filter(name=name).first()


def business_count(*, user) -> int:
    return business_qs_visible_to(user).count()


def business_count_by_region(*, user) -> list[dict]:
    """Businesses per METI region, every region listed (zero where none)."""
    counts = dict(
        business_qs_visible_to(user)
        .values_list("prefecture__region")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"region": region, "label": label, "count": counts.get(region, 0)}
        for region, label in MetiRegion.choices
    ]


def registration_list_recent(*, user, limit: int) -> list[Registration]:
    return list(
        registration_qs_visible_to(user)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")[:limit]
    )


def registration_count(*, user) -> int:
    return registration_qs_visible_to(user).count()


def registration_list(*, user) -> QuerySet[Registration]:
    """The user's registrations, newest first, with what a list row shows."""
    return (
        registration_qs_visible_to(user)
        .select_related(*LIST_RELATED, "contact")
        .order_by("-created_at", "-id")
    )


def registration_filter(*, user, params) -> RegistrationFilter:
    """The staff list: filters and search over the user's registrations."""
    return RegistrationFilter(params, queryset=registration_list(user=user))


def registration_get(*, user, pk: int) -> Registration:
    queryset = registration_qs_visible_to(user).select_related(
        *LIST_RELATED, "contact__decided_by", "business__merged_into"
    )
    return get_object_or_404(queryset, pk=pk)


def registration_duplicate_flags(*, registration: Registration) -> list[DuplicateFlag]:
    return list(registration.duplicate_flags.select_related("candidate__prefecture"))


def business_own(*, user) -> Business | None:
    return (
        business_qs_visible_to(user)
        .select_related("prefecture", "industry")
        .prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(status=Contact.Status.ACTIVE).order_by("id"),
            )
        )
        .first()
    )


def contact_of(*, user) -> Contact | None:
    """The signed-in firm user's own contact record (whatever its status)."""
    return Contact.objects.filter(user=user).first()


def pending_contacts(*, user) -> list[Contact]:
    """People asking to act for a firm that the user may decide on, oldest first, with the
    registrations waiting for the decision."""
    waiting = Registration.objects.filter(status=Registration.Status.AWAITING_APPROVAL)
    return list(
        pending_contact_qs_decidable_by(user)
        .prefetch_related(Prefetch("registrations", queryset=waiting.order_by("id")))
        .order_by("created_at", "id")
    )


def pending_contact_get(*, user, pk: int) -> Contact:
    return get_object_or_404(pending_contact_qs_decidable_by(user), pk=pk)


def registrations_own(*, user) -> list[Registration]:
    return list(
        registration_qs_visible_to(user).select_related("business", "office", "contact", "case")
        .order_by("-created_at")
    )  # fmt: skip


def registration_own_get(*, user, pk: int) -> Registration:
    return get_object_or_404(registration_qs_visible_to(user), pk=pk)


def contact_own(*, user) -> Contact:
    return get_object_or_404(Contact.objects.select_related("business"), user=user)


def duplicate_flag_queue(*, user) -> QuerySet[DuplicateFlag]:
    return (
        duplicate_flag_qs_visible_to(user)
        .filter(status=DuplicateFlag.Status.OPEN)
        .select_related("registration__contact", "business__prefecture", "candidate__prefecture")
        .prefetch_related("candidate__contacts")
        .order_by("-created_at", "-id")
    )


def deletion_requests_pending_count() -> int:
    """Deletion requests waiting for an admin's decision (a count: no firm is shown)."""
    return DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).count()


def duplicate_flag_get(*, user, pk: int) -> DuplicateFlag:
    return get_object_or_404(
        duplicate_flag_qs_visible_to(user).select_related("registration", "business", "candidate"),
        pk=pk,
    )


# --- A firm's own data (個人情報の開示) ----------------------------------------------------------

# Keys and tokens that mean nothing to the firm (normalised search keys, link nonces).
INTERNAL_FIELDS = frozenset({
    "name_key", "phone_key", "email_key", "consent_nonce", "submission_token", "token_nonce",
    "created_by", "updated_by", "merged_into", "idempotency_key", "email_change_nonce",
    "decided_by",
})  # fmt: skip


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def _record(obj, *, exclude=()) -> dict:
    """The object's stored fields as plain values; a link to another row as its name."""
    out = {}
    for field in obj._meta.concrete_fields:
        if field.name in INTERNAL_FIELDS or field.name in exclude:
            continue
        value = getattr(obj, field.name) if field.is_relation else field.value_from_object(obj)
        out[field.name] = _plain(value)
    return out


def _export_children(row, label: str) -> dict:
    """The records listed under `row` (of model `label`) in a firm's data export, as the
    apps declare them (core.personal_data: Export)."""
    children = {}
    for declaration in declarations():
        spec = declaration.export
        if spec is None or spec.parent != label:
            continue
        rows = declaration.model_class.objects.filter(**{spec.link: row})
        rows = spec.rows(rows) if spec.rows else rows
        rows = rows.order_by(*spec.order_by) if spec.order_by else rows
        if spec.many:
            children[spec.key] = [_export_entry(child, declaration) for child in rows]
            continue
        child = rows.first()
        if child is not None or not spec.omit_missing:
            children[spec.key] = None if child is None else _export_entry(child, declaration)
    return children


def _export_entry(row, declaration) -> dict:
    spec = declaration.export
    shown = spec.record_of(row) if spec.record_of else row
    return {
        **_record(shown, exclude=(spec.link, *spec.exclude)),
        **(spec.more(row) if spec.more else {}),
        **_export_children(row, declaration.model),
    }


def business_data_export(*, business: Business) -> dict:
    """Everything held about a firm, for the firm itself, as every app declares it
    (<app>/personal_data.py): the business, its contacts, each registration with its case
    (sessions, stage changes, proposals, surveys and answers, the timeline) and the e-mails
    sent to it. Not the people waiting for (or refused) approval, whose data is their own
    (contact_data_export); only mails about this firm sent to its verified address, never
    account mails. A few dozen queries: one firm, on request."""
    return {
        "generated_at": _plain(timezone.now()),
        "business": _record(business),
        **_export_children(business, Business._meta.label),
    }


def contact_data_export(*, contact: Contact) -> dict:
    """What a person waiting for approval gave us: their contact record and registrations
    with the business details as they typed them; nothing of the business as stored."""
    return {
        "generated_at": _plain(timezone.now()),
        "contact": _record(contact, exclude=("business",)),
        "registrations": [
            _record(registration, exclude=("business", "contact", "office"))
            for registration in contact.registrations.order_by("id")
        ],
    }


def data_rows(data, prefix: str = ""):
    """The same data as (item, value) rows, for a CSV: nested keys joined with dots, list
    entries numbered from 1."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from data_rows(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(data, list) and any(isinstance(item, dict | list) for item in data):
        for number, item in enumerate(data, 1):
            yield from data_rows(item, f"{prefix}[{number}]")
    else:
        yield prefix, "; ".join(map(str, data)) if isinstance(data, list) else data


def deletion_request_pending(*, business: Business):
    return business.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()


def business_anonymise_preview(*, business: Business) -> dict:
    """What approving a deletion request would erase (registrations.services.deletion.
    business_anonymise) and what it keeps, for the admin's confirmation page: the lines
    other apps declare (core.personal_data: Preview) count their rows with something to
    erase."""
    contacts = list(business.contacts.select_related("user").order_by("pk"))
    texts = identifying_texts(business_rows(business))
    lines = []
    for declaration in declarations():
        preview = declaration.preview
        if preview is None or declaration.business_path is None:
            continue
        rows = declaration.rows(business)
        if preview.count is not None:
            count = preview.count(rows, texts)
        else:
            blank = {name: "" for name in declaration.plain_fields()}
            count = rows.exclude(**blank).count()
        lines.append({"testid": preview.testid, "text": preview.message % {"counter": count}})
    return {
        "business": business,
        "contacts": contacts,
        "accounts": [contact.user for contact in contacts if contact.user_id],
        "lines": lines,
        "emails": OutboundEmail.objects.filter(to__in=[c.email for c in contacts]).count(),
        "registrations": business.registrations.count(),
        "cases": business.registrations.filter(case__isnull=False).count(),
    }
