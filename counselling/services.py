"""Writes for counselling. Every change appends a CaseEvent (the timeline) and is audited by
django-simple-history (who, when, what changed)."""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.csv_import import yen_format
from core.models import OutboundEmail, User
from core.roles import OFFICE_ROLES
from core.services import email_enqueue
from core.validators import validate_plan_date
from counselling.models import (
    Case,
    CaseEvent,
    CounsellingSession,
    Stage,
    StageChange,
    SupportReview,
)
from counselling.rules import (
    STAGE_PREPARATION,
    CaseFacts,
    business_days_after,
    can_move_to_challenge,
    is_counselling_session,
    legacy_transition_allowed,
    status_after_work,
    transition_allowed,
)

NOT_IN_OFFICE = _("This concierge does not work at the case's office.")
REASON_REQUIRED = _("Give a reason.")
TARGET_REQUIRED = _(
    "Set the export target (country, product, amount and date) before moving to export challenge."
)
TRANSITION_NOT_ALLOWED = _("A case cannot move from %(current)s to %(new)s.")
CLOSE_REASON_REQUIRED = _("Choose why the case is closed.")
CASE_CLOSED = _("This case is closed.")


def case_event_add(case: Case, kind: str, summary: str, actor: User | None, at=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, summary=str(summary)[:300], actor=actor, at=at or timezone.now()
    )


def case_open(*, registration) -> Case:
    """Open the case for a confirmed registration (once), routed to its office, with the
    first-contact due date N business days after registration."""
    existing = Case.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    registered = registration.registered_at or timezone.now()
    case = Case.objects.create(
        registration=registration,
        office=registration.office,
        first_contact_due=business_days_after(
            timezone.localdate(registered), settings.FIRST_CONTACT_SLA_BUSINESS_DAYS
        ),
    )
    case_event_add(case, CaseEvent.Kind.REGISTERED,
           gettext("Registered (%(reference)s)") % {"reference": registration.reference},
           None, at=registered)  # fmt: skip
    return case


@transaction.atomic
def case_history_erase(*, cases: Iterable[Case], secrets: Iterable[str], replacement: str) -> int:
    """Erase personal data from the append-only timeline and stage history of `cases` (for
    anonymisation only): each of `secrets` in a CaseEvent summary or a StageChange reason is
    replaced. The database refuses any other UPDATE of these rows, and this one too unless
    the transaction raised the erasure flag (migration 0005, ADR 0014). Returns the number of
    rows rewritten."""
    secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not secrets:
        return 0
    changed = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL export_support.erasure = 'on'")
    connection.audit_erasure = True  # the SQLite triggers' flag (counselling.apps)
    try:
        for model, column in ((CaseEvent, "summary"), (StageChange, "reason")):
            query = Q()
            for secret in secrets:
                query |= Q(**{f"{column}__contains": secret})
            for pk, text in model.objects.filter(query, case__in=cases).values_list("pk", column):
                for secret in secrets:
                    text = text.replace(secret, replacement)
                model.objects.filter(pk=pk).update(**{column: text})
                changed += 1
    finally:
        connection.audit_erasure = False
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL export_support.erasure = 'off'")
    return changed


def case_email_record(*, case: Case, subject: str, to: str) -> CaseEvent:
    """Put an e-mail to the firm on the case timeline (the outbox row is the delivery)."""
    return case_event_add(case, CaseEvent.Kind.EMAIL, f"{subject} → {to}", None)


def case_open_for_registration(sender, *, registration, email, **kwargs) -> Case:
    """A confirmed registration opens its case, and the mail that told the firm goes on the
    timeline (receiver of registrations.signals.registration_confirmed, connected in
    CounsellingConfig.ready; it runs in the confirming transaction)."""
    case = case_open(registration=registration)
    case_email_record(case=case, subject=email.subject, to=email.to)
    return case


def _check_concierge(case: Case, concierge: User) -> None:
    if concierge.organisation_id != case.office_id or concierge.role not in OFFICE_ROLES:
        raise ValidationError(NOT_IN_OFFICE, code="not_in_office")


@transaction.atomic
def case_assign(*, case: Case, concierge: User, actor: User, reason: str = "") -> Case:
    """Assign (or reassign, with a reason) a case to a concierge of its office, and tell the
    concierge by e-mail."""
    _check_concierge(case, concierge)
    previous = case.concierge
    if previous is not None and previous != concierge and not reason.strip():
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="reason_required")})
    case.concierge = concierge
    case.updated_by = actor
    case.save(update_fields=["concierge", "updated_by", "updated_at"])
    summary = (
        gettext("Reassigned from %(old)s to %(new)s: %(reason)s")
        % {"old": previous.get_full_name(), "new": concierge.get_full_name(), "reason": reason}
        if previous is not None and previous != concierge
        else gettext("Assigned to %(name)s") % {"name": concierge.get_full_name()}
    )
    event = case_event_add(case, CaseEvent.Kind.ASSIGNED, summary, actor)
    if previous != concierge:
        _assigned_email(case=case, concierge=concierge, event=event)
    return case


def _assigned_email(*, case: Case, concierge: User, event: CaseEvent) -> None:
    """Tell a concierge a case is now theirs (a staff mail, once per assignment)."""
    with translation.override(settings.LANGUAGE_CODE):
        business = case.registration.business
        body = render_to_string(
            "counselling/email/assigned.txt",
            {"user": concierge, "case": case, "business": business,
             "site_url": settings.SITE_URL.rstrip("/")},
        )  # fmt: skip
        email_enqueue(
            key=f"case-assigned:{case.pk}:{event.pk}",
            to=concierge.email,
            subject=gettext("A case was assigned to you: %(name)s") % {"name": business.name},
            body=body,
            kind=OutboundEmail.Kind.STAFF,
        )


@transaction.atomic
def case_assign_by_load(
    *, cases: Iterable[Case], concierges: list[User], actor: User
) -> list[tuple[Case, User]]:
    """Spread cases over the concierges so their open-case counts end up as even as possible:
    each case (earliest first-contact due first) goes to whoever has the fewest open cases.
    Returns who got which case, in that order."""
    if not concierges:
        return []
    load = Counter(
        dict(
            User.objects.filter(pk__in=[c.pk for c in concierges])
            .annotate(open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN_STATUSES)))
            .values_list("pk", "open_cases")
        )
    )
    by_pk = {c.pk: c for c in concierges}
    assigned = []
    for case in sorted(cases, key=lambda c: (c.first_contact_due, c.pk)):
        pk = min(by_pk, key=lambda p: (load[p], p))
        case_assign(case=case, concierge=by_pk[pk], actor=actor)
        load[pk] += 1
        assigned.append((case, by_pk[pk]))
    return assigned


def case_require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(CASE_CLOSED, code="case_closed")


@transaction.atomic
def session_log(*, case: Case, actor: User, data: dict) -> CounsellingSession:
    """Record a contact or counselling session. The first one records the first contact
    (stopping the SLA clock). The status follows (counselling.rules.status_after_work): a
    counselling session moves a new or contacted case to counselling, any other contact (one
    logged as the first contact only among them) moves a new case to contacted."""
    case_require_open(case)
    try:
        validate_plan_date(data.get("next_action_due"))
    except ValidationError as error:
        raise ValidationError({"next_action_due": error}) from None
    session = CounsellingSession(
        case=case,
        held_at=data["held_at"],
        channel=data["channel"],
        duration_minutes=data.get("duration_minutes") or 0,
        attendees=data.get("attendees", ""),
        notes=data.get("notes", ""),
        stage_assessed=data.get("stage_assessed", ""),
        buyer_talks=data.get("buyer_talks", False),
        contact_only=data.get("contact_only", False),
        created_by=actor,
    )
    session.full_clean()
    session.save()
    session.tags.set(data.get("tags", []))
    fields = ["next_action", "next_action_due", "updated_by", "updated_at"]
    case.next_action = data.get("next_action", "")
    case.next_action_due = data.get("next_action_due")
    case.updated_by = actor
    if case.first_contact_at is None or session.held_at < case.first_contact_at:
        case.first_contact_at = session.held_at
        fields.append("first_contact_at")
    if case.last_contact_at is None or session.held_at > case.last_contact_at:
        case.last_contact_at = session.held_at
        fields.append("last_contact_at")
    case.save(update_fields=fields)
    tags = "、".join(tag.name for tag in data.get("tags", []))
    contact_only = f" · {gettext('first contact only')}" if session.contact_only else ""
    case_event_add(case, CaseEvent.Kind.SESSION,
           f"{session.get_channel_display()} {session.duration_minutes}{gettext('min')}"
           + (f" · {tags}" if tags else "") + contact_only, actor,
           at=session.held_at)  # fmt: skip
    counselling = is_counselling_session(
        channel=session.channel, has_issues=bool(data.get("tags")),
        contact_only=session.contact_only,
    )  # fmt: skip
    case_status_follow_work(
        case=case, actor=actor,
        reached=Case.Status.COUNSELLING if counselling else Case.Status.CONTACTED,
    )  # fmt: skip
    if session.stage_assessed and session.stage_assessed != case.stage:
        case_stage_change(
            case=case, stage=session.stage_assessed, actor=actor,
            reason=gettext("Assessed in the session of %(date)s")
            % {"date": timezone.localtime(session.held_at).strftime("%Y-%m-%d")},
        )  # fmt: skip
    return session


SESSION_FIELDS = ("held_at", "channel", "duration_minutes", "attendees", "notes",
                  "stage_assessed", "buyer_talks", "contact_only")  # fmt: skip


@transaction.atomic
def session_correct(*, session: CounsellingSession, actor: User, data: dict) -> CounsellingSession:
    """Correct a logged session with the fields in `data` (SESSION_FIELDS and "tags"): the row
    keeps its history (django-simple-history: who, when, what it said before), and the
    timeline says it was corrected and what changed. The case's first and last contact follow
    the corrected dates. Nothing changed, nothing written."""
    case = session.case
    case_require_open(case)
    tags = list(data["tags"]) if "tags" in data else None
    changed = [
        str(CounsellingSession._meta.get_field(field).verbose_name)
        for field in SESSION_FIELDS
        if field in data and getattr(session, field) != data[field]
    ]
    if tags is not None and {tag.pk for tag in tags} != {tag.pk for tag in session.tags.all()}:
        changed.append(str(CounsellingSession._meta.get_field("tags").verbose_name))
    if not changed:
        return session
    for field in SESSION_FIELDS:
        if field in data:
            setattr(session, field, data[field])
    session.updated_by = actor
    session.full_clean()
    session.save()
    if tags is not None:
        session.tags.set(tags)
    held = case.sessions.aggregate(first=Min("held_at"), last=Max("held_at"))
    case.first_contact_at, case.last_contact_at = held["first"], held["last"]
    case.updated_by = actor
    case.save(update_fields=["first_contact_at", "last_contact_at", "updated_by", "updated_at"])
    case_event_add(case, CaseEvent.Kind.SESSION_CORRECTED,
           gettext("Session of %(date)s corrected: %(fields)s")
           % {"date": timezone.localtime(session.held_at).strftime("%Y-%m-%d"),
              "fields": "、".join(changed)}, actor)  # fmt: skip
    # A session corrected into a counselling session moves the case on (never back).
    if session_is_counselling(session):
        case_status_follow_work(case=case, reached=Case.Status.COUNSELLING, actor=actor)
    return session


NO_NEXT_ACTION = _("There is no next action to update.")


@transaction.atomic
def case_next_action_done(*, case: Case, actor: User) -> Case:
    """The next action was done: it leaves the top of the case, and the timeline keeps it."""
    case_require_open(case)
    if not case.next_action:
        raise ValidationError(NO_NEXT_ACTION, code="no_next_action")
    done = case.next_action
    case.next_action, case.next_action_due = "", None
    case.updated_by = actor
    case.save(update_fields=["next_action", "next_action_due", "updated_by", "updated_at"])
    case_event_add(case, CaseEvent.Kind.NEXT_ACTION, gettext("Done: %(action)s") % {"action": done},
                   actor)  # fmt: skip
    return case


@transaction.atomic
def case_next_action_reschedule(*, case: Case, due: date, actor: User) -> Case:
    """Move the next action to a new date (on the timeline, from which date to which)."""
    case_require_open(case)
    if not case.next_action:
        raise ValidationError(NO_NEXT_ACTION, code="no_next_action")
    try:
        validate_plan_date(due)
    except ValidationError as error:
        raise ValidationError({"due": error}) from None
    old = case.next_action_due
    case.next_action_due = due
    case.updated_by = actor
    case.save(update_fields=["next_action_due", "updated_by", "updated_at"])
    case_event_add(case, CaseEvent.Kind.NEXT_ACTION,
           gettext("Rescheduled: %(action)s (%(old)s → %(new)s)")
           % {"action": case.next_action, "old": old.isoformat() if old else "—",
              "new": due.isoformat()}, actor)  # fmt: skip
    return case


@transaction.atomic
def case_stage_change(*, case: Case, stage: str, reason: str, actor: User) -> Case:
    """Change the stage; a reason is required and the change is kept as history."""
    case_require_open(case)
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="reason_required")})
    if stage == Stage.CHALLENGE and not can_move_to_challenge_case(case):
        raise ValidationError(TARGET_REQUIRED, code="target_required")
    StageChange.objects.create(
        case=case, from_stage=case.stage, to_stage=stage, reason=reason, created_by=actor
    )
    old = case.get_stage_display() or "—"
    case.stage = stage
    case.stage_changed_at = timezone.now()
    case.updated_by = actor
    case.save(update_fields=["stage", "stage_changed_at", "updated_by", "updated_at"])
    case_event_add(case, CaseEvent.Kind.STAGE,
           f"{old} → {case.get_stage_display()}: {reason}", actor)  # fmt: skip
    return case


def target_required() -> bool:
    return settings.TARGET_REQUIRED_FOR_CHALLENGE


def session_is_counselling(session: CounsellingSession) -> bool:
    """Whether a logged session was counselling (counselling.rules.is_counselling_session);
    reads its tags, so prefetch them for a list."""
    return is_counselling_session(
        channel=session.channel, has_issues=bool(session.tags.all()),
        contact_only=session.contact_only,
    )  # fmt: skip


def case_facts(
    case: Case, *, counselling_session_count: int = 0, proposal_count: int = 0
) -> CaseFacts:
    """What the rules know of a case (counselling.rules); the counts are the caller's, who
    has the rows at hand (the case page), or leaves them at 0 when the rule asked does not
    read them (the move to 輸出挑戦)."""
    return CaseFacts(
        status=case.status, stage=case.stage or STAGE_PREPARATION,
        has_first_contact=case.first_contact_at is not None,
        counselling_session_count=counselling_session_count,
        has_target=case.has_target, proposal_count=proposal_count,
        target_required_for_challenge=target_required(),
    )  # fmt: skip


def can_move_to_challenge_case(case: Case) -> bool:
    return can_move_to_challenge(case_facts(case))


@transaction.atomic
def case_target_set(*, case: Case, data: dict, actor: User) -> Case:
    case_require_open(case)
    for field in ("target_country", "target_product", "target_amount_yen", "target_date"):
        setattr(case, field, data[field])
    case.updated_by = actor
    case.full_clean()
    case.save()
    summary = (
        f"{case.target_country.name} · {case.target_product} · "
        f"{yen_format(case.target_amount_yen)} · {case.target_date:%Y-%m-%d}"
    )
    case_event_add(case, CaseEvent.Kind.TARGET, summary, actor)
    return case


@transaction.atomic
def case_status_change(*, case: Case, status: str, actor: User, close_reason: str = "") -> Case:
    """Move a case by hand along its allowed transitions (counselling.rules.TRANSITIONS)."""
    if not transition_allowed(case.status, status):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED % {"current": case.get_status_display(),
                                      "new": Case.Status(status).label},
            code="transition_not_allowed",
        )  # fmt: skip
    if status == Case.Status.CLOSED and not close_reason:
        error = ValidationError(CLOSE_REASON_REQUIRED, code="close_reason")
        raise ValidationError({"close_reason": error})
    return _status_set(case=case, status=status, actor=actor, close_reason=close_reason)


@transaction.atomic
def case_status_follow_work(*, case: Case, reached: str, actor: User | None) -> Case:
    """The status follows the work: once work reaching `reached` is recorded (a contact, a
    counselling session, menus proposed, an adoption), a case at an earlier status moves there
    (counselling.rules.status_after_work), outside the transitions people make by hand; a
    case further on stays. On the timeline and in the history like any other change."""
    status = status_after_work(case.status, reached)
    if status == case.status:
        return case
    return _status_set(case=case, status=status, actor=actor)


def _status_set(*, case: Case, status: str, actor: User | None, close_reason: str = "") -> Case:
    fields = ["status", "updated_by", "updated_at"]
    old = case.get_status_display()
    case.status = status
    case.updated_by = actor
    if status == Case.Status.SUPPORT and case.support_started_at is None:
        case.support_started_at = timezone.now()
        fields.append("support_started_at")
    if status in (Case.Status.CLOSED, Case.Status.REALISED):
        case.closed_at = timezone.now()
        case.close_reason = (
            Case.CloseReason.REALISED if status == Case.Status.REALISED else close_reason
        )
        fields += ["closed_at", "close_reason"]
    if status == Case.Status.REALISED:
        case.realised_on = timezone.localdate()
        fields.append("realised_on")
    case.save(update_fields=fields)
    summary = f"{old} → {case.get_status_display()}"
    if case.close_reason and status == Case.Status.CLOSED:
        summary += f" ({case.get_close_reason_display()})"
    case_event_add(case, CaseEvent.Kind.STATUS, summary, actor)
    return case


@transaction.atomic
def case_status_set_legacy(*, case: Case, status: str, note: str) -> Case:
    """Place the case of a participant from before this system where its old records leave it
    (the survey-results import): only the moves of counselling.rules.LEGACY_TRANSITIONS, on
    the timeline with `note`, by no one (the import has no actor)."""
    if not legacy_transition_allowed(case.status, status):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED % {"current": case.get_status_display(),
                                      "new": Case.Status(status).label},
            code="transition_not_allowed",
        )  # fmt: skip
    old = case.get_status_display()
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    case_event_add(case, CaseEvent.Kind.STATUS, f"{old} → {case.get_status_display()}: {note}",
                   None)  # fmt: skip
    return case


@transaction.atomic
def case_realise(*, case: Case, on: date, actor: User | None, summary: str) -> Case:
    """A reported export moves an open case to realised with its date, whatever its status:
    the evidence (a survey answer) outranks the counselling workflow. Already realised or
    closed cases are left as they are."""
    if not case.is_open:
        return case
    old = case.get_status_display()
    case.status = Case.Status.REALISED
    case.close_reason = Case.CloseReason.REALISED
    case.closed_at = timezone.now()
    case.realised_on = on
    case.updated_by = actor
    case.save(update_fields=["status", "close_reason", "closed_at", "realised_on", "updated_by",
                             "updated_at"])  # fmt: skip
    change = f"{old} → {case.get_status_display()} ({on:%Y-%m-%d}): {summary}"
    case_event_add(case, CaseEvent.Kind.STATUS, change, actor)
    return case


@transaction.atomic
def case_support_review(*, case: Case, decision: str, note: str, actor: User) -> SupportReview:
    """Record the lead's decision on a long support without stage progress; closing the case
    goes through the normal status change."""
    review = SupportReview.objects.create(case=case, decision=decision, note=note, created_by=actor)
    case.support_reviewed_at = timezone.now()
    case.updated_by = actor
    case.save(update_fields=["support_reviewed_at", "updated_by", "updated_at"])
    case_event_add(case, CaseEvent.Kind.REVIEW,
           f"{review.get_decision_display()}" + (f": {note}" if note else ""), actor)  # fmt: skip
    if decision == SupportReview.Decision.CLOSE:
        case_status_change(
            case=case, status=Case.Status.CLOSED, close_reason=Case.CloseReason.DECLINED,
            actor=actor,
        )  # fmt: skip
    return review


def case_reminders_send(*, today: date | None = None) -> int:
    """Once a day, e-mail each concierge (who has not switched it off) the cases that need
    action: next actions due tomorrow or overdue, and open cases with no contact for
    NO_CONTACT_DAYS. One e-mail per person per day, whatever how often this runs."""
    from counselling.selectors import reminder_cases

    today = today or timezone.localdate()
    sent = 0
    for concierge, due, silent in reminder_cases(today=today):
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "counselling/email/reminders.txt",
                {"user": concierge, "due": due, "silent": silent, "today": today,
                 "site_url": settings.SITE_URL.rstrip("/")},
            )  # fmt: skip
            email_enqueue(
                key=f"case-reminders:{concierge.pk}:{today.isoformat()}",
                to=concierge.email,
                subject=gettext("Cases that need your action (%(date)s)")
                % {"date": today.strftime("%Y-%m-%d")},
                body=body,
                kind=OutboundEmail.Kind.STAFF,
            )
        sent += 1
    return sent
