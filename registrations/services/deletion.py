"""Deletion requests and anonymisation (個人情報の削除), and retention."""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import OutboundEmail, User
from core.services import email_enqueue
from registrations.models import Business, Contact, DeletionRequest, Registration
from registrations.selectors import anonymise_texts
from registrations.services.mail import firm_mail_business, firm_mail_enqueue

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
        mail = {"key": f"{DECISION_MAIL_PREFIX}{request.pk}:{decision.value}:{number}",
                "to": address, "subject": subject.strip(), "body": body}  # fmt: skip
        if approve:
            email_enqueue(**mail, kind=OutboundEmail.Kind.ACCOUNT)
        else:
            firm_mail_enqueue(**mail, business=mail_business[contact.pk])
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
