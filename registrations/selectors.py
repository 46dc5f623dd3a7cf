"""Reads for registrations, always through the user's scope (registrations.permissions)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from core.models import OutboundEmail, Prefecture
from core.personal_data import business_rows, declarations, identifying_texts
from registrations.filters import RegistrationFilter
from registrations.models import Business, Contact, DeletionRequest, DuplicateFlag, Registration
from registrations.permissions import (
    business_qs_visible_to,
    duplicate_flag_qs_visible_to,
    pending_contact_qs_decidable_by,
    registration_qs_visible_to,
)
from registrations.services.intake import BUSINESS_FIELDS, REGISTRATION_FIELDS
from registrations.size_class import industry_option_value

LIST_RELATED = ("business__prefecture", "business__industry", "office", "referred_by", "case")


def prefecture_named(name: str) -> Prefecture | None:
    """Reference data (no scope): the prefecture called 「東京都」, if any."""
    return Prefecture.objects.filter(name=name).first()


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


def referral_answers(*, registration: Registration) -> dict:
    """A referral's answers as the registration form's initial data (the consent page): the
    business as the partner typed it, the contact, the export plans."""
    business, contact = registration.business, registration.contact
    submitted = registration.submitted_business
    answers = {field: submitted.get(field, getattr(business, field, None))
               for field in BUSINESS_FIELDS if field != "prefecture"}  # fmt: skip
    answers["prefecture"] = submitted.get("prefecture", business.prefecture_id)
    answers["industry_option"] = submitted.get("industry_option") or industry_option_value(
        business.industry_id, business.industry_detail
    )
    answers |= {f"contact_{field}": getattr(contact, field)
                for field in ("name", "name_kana", "department")}  # fmt: skip
    answers |= {"email": contact.email, "phone": contact.phone}
    answers |= {field: getattr(registration, field) for field in REGISTRATION_FIELDS}
    answers["destinations"] = [country.code for country in registration.destinations]
    return answers


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
# What a person waiting for approval sees of their own records (never the business as stored).
CONTACT_OWN_EXCLUDE = ("business",)
CONTACT_OWN_REGISTRATION_EXCLUDE = ("business", "contact", "office")


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


def _export_fields(obj, exclude=()):
    """The stored fields of `obj` that go in the firm's data export (both formats)."""
    for model_field in obj._meta.concrete_fields:
        if model_field.name not in INTERNAL_FIELDS and model_field.name not in exclude:
            yield model_field


def _record(obj, *, exclude=()) -> dict:
    """The object's stored fields as plain values; a link to another row as its name."""
    out = {}
    for model_field in _export_fields(obj, exclude):
        value = (
            getattr(obj, model_field.name)
            if model_field.is_relation
            else model_field.value_from_object(obj)
        )
        out[model_field.name] = _plain(value)
    return out


def _export_parts(row, label: str):
    """The rows listed under `row` (of model `label`) in a firm's data export, as the apps
    declare them (core.personal_data: Export): (declaration, rows) for a list, (declaration,
    row or None) for one record."""
    for declaration in declarations():
        spec = declaration.export
        if spec is None or spec.parent != label:
            continue
        rows = declaration.model_class.objects.filter(**{spec.link: row})
        rows = spec.rows(rows) if spec.rows else rows
        rows = rows.order_by(*spec.order_by) if spec.order_by else rows
        if spec.many:
            yield declaration, list(rows)
            continue
        child = rows.first()
        if child is not None or not spec.omit_missing:
            yield declaration, child


def _export_children(row, label: str) -> dict:
    children = {}
    for declaration, rows in _export_parts(row, label):
        if isinstance(rows, list):
            children[declaration.export.key] = [_export_entry(c, declaration) for c in rows]
        else:
            children[declaration.export.key] = (
                None if rows is None else _export_entry(rows, declaration)
            )
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
        "contact": _record(contact, exclude=CONTACT_OWN_EXCLUDE),
        "registrations": [
            _record(registration, exclude=CONTACT_OWN_REGISTRATION_EXCLUDE)
            for registration in contact.registrations.order_by("id")
        ],
    }


# --- The same data for people: Japanese item names and values (one walk of the declarations)


NOTHING_RECORDED = _("Nothing recorded.")


@dataclass(frozen=True)
class DataSection:
    """A part of the readable export: a heading (`level` 2–6), (item, value) lines, and the
    parts inside it. `empty`: a list with nothing in it (said as such, not left out)."""

    title: str
    level: int
    items: list[tuple[str, str]] = field(default_factory=list)
    sections: list["DataSection"] = field(default_factory=list)
    empty: bool = False


def _readable(value) -> str:
    """A stored value as a person reads it: labels for codes, 2026年12月1日 for dates (the
    active language's formats), はい/いいえ, 3,000,000 for numbers, lists joined with 、."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, list | tuple):
        return "、".join(_readable(item) for item in value)
    if isinstance(value, Country):
        return str(value.name)
    return str(value)


def _readable_value(obj, model_field) -> str:
    """A field's value as a person reads it: a choice's label (get_<field>_display(), which a
    model may also define for a field without choices, as Registration does for situations),
    a linked row's name, a country's name."""
    value = getattr(obj, model_field.name)
    if isinstance(model_field, CountryField):  # a country, or several
        return _readable(list(value) if model_field.multiple else value)
    if not model_field.is_relation:
        display = getattr(obj, f"get_{model_field.name}_display", None)
        if display is not None and _readable(value):
            return str(display())
    return _readable(value)


def _readable_items(obj, *, exclude=()) -> list[tuple[str, str]]:
    return [
        (capfirst(str(model_field.verbose_name)), _readable_value(obj, model_field))
        for model_field in _export_fields(obj, ("id", *exclude))
    ]


def _readable_children(row, label: str, level: int) -> list[DataSection]:
    sections = []
    for declaration, rows in _export_parts(row, label):
        meta = declaration.model_class._meta
        if isinstance(rows, list):
            if not rows:
                sections.append(DataSection(capfirst(str(meta.verbose_name_plural)), level,
                                            empty=True))  # fmt: skip
            for number, child in enumerate(rows, 1):
                title = f"{capfirst(str(meta.verbose_name))} {number}"
                sections.append(_readable_entry(child, declaration, title, level))
        elif rows is None:
            sections.append(DataSection(capfirst(str(meta.verbose_name)), level, empty=True))
        else:
            sections.append(_readable_entry(rows, declaration, capfirst(str(meta.verbose_name)),
                                            level))  # fmt: skip
    return sections


def _readable_entry(row, declaration, title: str, level: int) -> DataSection:
    spec = declaration.export
    shown = spec.record_of(row) if spec.record_of else row
    items = _readable_items(shown, exclude=(spec.link, *spec.exclude))
    for key, value in (spec.more(row) if spec.more else {}).items():
        items.append((capfirst(str(_more_label(declaration, key))), _readable(value)))
    return DataSection(title, level, items,
                       _readable_children(row, declaration.model, min(level + 1, 6)))  # fmt: skip


def _more_label(declaration, key: str):
    """The name of an item an Export's `more` adds: its `labels`, else the model's field."""
    if key in declaration.export.labels:
        return declaration.export.labels[key]
    return declaration.model_class._meta.get_field(key).verbose_name


def business_data_readable(*, business: Business) -> list[DataSection]:
    """business_data_export for people: the same records (one walk of the same
    declarations), named by the fields' verbose names, values as labels and dates."""
    return [
        DataSection(capfirst(str(Business._meta.verbose_name)), 2, _readable_items(business)),
        *_readable_children(business, Business._meta.label, 2),
    ]


def contact_data_readable(*, contact: Contact) -> list[DataSection]:
    """contact_data_export for people."""
    registrations = list(contact.registrations.order_by("id"))
    title = capfirst(str(Registration._meta.verbose_name))
    return [
        DataSection(capfirst(str(Contact._meta.verbose_name)), 2,
                    _readable_items(contact, exclude=CONTACT_OWN_EXCLUDE)),
        *(DataSection(f"{title} {number}", 2,
                      _readable_items(registration, exclude=CONTACT_OWN_REGISTRATION_EXCLUDE))
          for number, registration in enumerate(registrations, 1)),
    ]  # fmt: skip


def data_rows(sections: list[DataSection], path: tuple[str, ...] = ()):
    """The readable export as (section, item, value) rows, for a CSV: sections named by
    their path (登録 1 › 案件 › 面談記録 1)."""
    for section in sections:
        where = (*path, section.title)
        if section.empty:
            yield " › ".join(where), "", str(NOTHING_RECORDED)
        for item, value in section.items:
            yield " › ".join(where), item, value
        yield from data_rows(section.sections, where)


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
