"""Deletion requests and anonymisation (個人情報の削除), and retention."""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import OutboundEmail, User
from core.personal_data import (
    ANONYMISED_EMAIL,
    business_rows,
    declaration_of,
    declarations,
    erased_values,
    identifying_texts,
)
from core.services import email_enqueue
from registrations.models import Business, Contact, DeletionRequest
from registrations.services.mail import business_mail_enqueue, mail_business_of

# --- Deletion requests and anonymisation (個人情報の削除) -------------------------------------

DECISION_MAIL_PREFIX = "deletion-request:"
RECEIPT_MAIL_PREFIX = "deletion-received:"


# The request and its acknowledgement commit together: a failed mail never loses the request.
@transaction.atomic
def deletion_request_create(*, business: Business, actor: User, reason: str) -> DeletionRequest:
    """The firm asks for its data to be deleted; an admin decides. One pending request at a
    time: asking again returns the pending one. The firm's contacts are told that the request
    was received and what happens next (a firm mail: it is part of the firm's data)."""
    # Two requests at once: the second waits, then finds the first.
    Business.objects.select_for_update().filter(pk=business.pk).first()
    pending = business.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    request = DeletionRequest.objects.create(
        business=business, reason=reason, created_by=actor, updated_by=actor
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registrations/email/deletion_received_subject.txt")
        body = render_to_string(
            "registrations/email/deletion_received_body.txt", {"request": request}
        )
    contacts = business.contacts.filter(status=Contact.Status.ACTIVE).order_by("pk")
    recipients = {contact.email: contact for contact in contacts}
    for number, (address, contact) in enumerate(recipients.items(), 1):
        business_mail_enqueue(
            key=f"{RECEIPT_MAIL_PREFIX}{request.pk}:{number}", to=address,
            subject=subject.strip(), body=body, business=mail_business_of(contact),
        )  # fmt: skip
    return request


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
    mail_business = {contact.pk: mail_business_of(contact) for contact in contacts}
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
        mail = {"key": f"{DECISION_MAIL_PREFIX}{request.pk}:{decision.value}:{number}",
                "to": address, "subject": subject.strip(), "body": body}  # fmt: skip
        if approve:
            email_enqueue(**mail, kind=OutboundEmail.Kind.ACCOUNT)
        else:
            business_mail_enqueue(**mail, business=mail_business[contact.pk])
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


def contacts_erase(*, rows, texts, actor) -> None:
    """The Contact hook (registrations.personal_data), run while the contacts still hold
    their values: their sign-in accounts are closed and erased (with the accounts' audit
    history), and the outbox mails to their addresses, current or pending, are blanked."""
    users = [contact.user for contact in rows if contact.user is not None]
    User.history.model.objects.filter(id__in=[user.pk for user in users]).delete()
    for user in users:
        for name, value in erased_values(declaration_of(User), user).items():
            setattr(user, name, value)
        user.is_active = False
        user.set_unusable_password()
        user.save()
    addresses = [contact.email for contact in rows]
    addresses += [contact.pending_email for contact in rows if contact.pending_email]
    OutboundEmail.objects.filter(to__in=addresses).update(
        **erased_values(declaration_of(OutboundEmail))
    )


@transaction.atomic
def business_anonymise(*, business: Business, actor: User | None) -> Business:
    """Erase what identifies a firm and its people, as every app declares it
    (<app>/personal_data.py), and keep what the program counts: the registrations and cases
    stay with their prefecture, industry, size class, stage, status and dates, so aggregates
    are unchanged. The contacts' sign-in accounts are closed. The audit history's earlier
    copies of erased values are deleted (django-simple-history keeps a full copy per change);
    the anonymising save records who did it, when. Running it again changes nothing."""
    business = Business.objects.select_for_update().get(pk=business.pk)
    if business.anonymised_at is not None:
        return business
    found = business_rows(business)
    texts = identifying_texts(found)
    for declaration, rows in found:
        if declaration.erase_hook is not None:
            declaration.erase_hook(rows=rows, texts=texts, actor=actor)
    business.anonymised_at = timezone.now()
    for declaration, rows in found:
        if not declaration.plain_fields():
            continue
        model = declaration.model_class
        if hasattr(model, "history"):
            model.history.model.objects.filter(id__in=[row.pk for row in rows]).delete()
        for row in rows:
            for name, value in erased_values(declaration, row).items():
                setattr(row, name, value)
            if hasattr(row, "updated_by_id"):
                row.updated_by = actor
            row.save()
    return business


# --- Retention ----------------------------------------------------------------------------------


def retention_due(*, today) -> QuerySet[Business]:
    """Firms not yet anonymised whose data no app keeps any longer: no declared activity
    (<app>/personal_data.py) within RETENTION_YEARS (cases closed or realised, withdrawals),
    no case still open, no referral awaiting consent."""
    cutoff = timezone.make_aware(
        datetime.combine(today.replace(year=today.year - settings.RETENTION_YEARS), time.min)
    )
    due = Business.objects.filter(anonymised_at__isnull=True, registrations__isnull=False)
    for declaration in declarations():
        if declaration.activity is not None:
            kept = declaration.model_class.objects.filter(declaration.activity(cutoff))
            due = due.exclude(pk__in=kept.values(declaration.business_path or "pk"))
    return due.distinct()


def retention_apply(*, today, dry_run: bool) -> list[int]:
    """Anonymise the firms past retention (or, in a dry run, only list them)."""
    due = list(retention_due(today=today).values_list("pk", flat=True))
    if not dry_run:
        for business in Business.objects.filter(pk__in=due):
            business_anonymise(business=business, actor=None)
    return due
