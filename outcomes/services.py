"""Writes for outcomes: follow-up surveys in waves, their signed links, reminders and answers.

A survey row and every e-mail about it are written in the same transaction (the outbox), so a
broker outage delays an e-mail but never loses it; every e-mail has an idempotency key (per
survey, link and reminder number), so a sweep that runs twice sends nothing twice."""

import calendar
import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import OutboundEmail, User
from core.services import email_enqueue
from counselling.models import Case, CaseEvent
from counselling.selectors import concierge_contact
from counselling.services import case_email_record, case_event_add, case_realise
from outcomes.models import Survey, SurveyResponse
from registrations.services.mail import business_mail_enqueue, mail_business_of

TOKEN_SALT = "outcomes.survey"  # noqa: S105 (a signing namespace, not a secret)
BATCH_SIZE = 1000


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6
    months is 28 or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Links -----------------------------------------------------------------------------------


def survey_token_make(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "n": survey.token_nonce}, salt=TOKEN_SALT)


def survey_from_token(token: str) -> Survey | None:
    """The survey this link is for; None when it was tampered with, belongs to something
    else, or was replaced by a newer link. (Whether it is still open is the caller's
    question: an expired survey gets its own page.)"""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not payload.get("n"):
        return None
    return (
        Survey.objects.select_related("case__registration__business", "case__registration__contact")
        .filter(pk=payload.get("s"), token_nonce=payload["n"])
        .first()
    )


def _survey_url(survey: Survey) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "outcomes:answer", args=[survey_token_make(survey)]
    )


def _survey_email(survey: Survey, *, key: str, template: str) -> None:
    contact = survey.case.registration.contact
    concierge = concierge_contact(survey.case)
    context = {"survey": survey, "contact": contact, "url": _survey_url(survey),
               "business": survey.case.registration.business, "concierge": concierge}  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"outcomes/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"outcomes/email/{template}_body.txt", context)
        business_mail_enqueue(
            key=key, to=contact.email, subject=subject, body=body,
            business=mail_business_of(contact), reply_to=concierge.email,
        )  # fmt: skip
    case_email_record(case=survey.case, subject=subject, to=contact.email)


def survey_invite_key(survey: Survey) -> str:
    return f"survey:{survey.pk}:invite:{survey.token_nonce}"


def survey_reminder_key(survey: Survey, number: int) -> str:
    """Per link, like the invitation's: a fresh link gets its own reminders."""
    return f"survey:{survey.pk}:reminder:{number}:{survey.token_nonce}"


# --- Waves -----------------------------------------------------------------------------------


def survey_closes_on(opens_on: datetime.date) -> datetime.date:
    """A survey stays open SURVEY_OPEN_DAYS from the day it opens (or a fresh link is sent)."""
    return opens_on + datetime.timedelta(days=settings.SURVEY_OPEN_DAYS)


def survey_new(
    *,
    case_id: int,
    wave_months: int,
    due_on: datetime.date,
    opens_on: datetime.date | None = None,
    sent_at: datetime.datetime | None = None,
) -> Survey:
    """A survey of one wave, not saved yet: open SURVEY_OPEN_DAYS from the day it opens (its
    due day, unless it opens later: a link sent after the due day), with a fresh link.
    survey_create saves one; the demo data saves many at once."""
    return Survey(
        case_id=case_id, wave_months=wave_months, due_on=due_on,
        closes_on=survey_closes_on(opens_on or due_on),
        token_nonce=secrets.token_hex(16), sent_at=sent_at,
    )  # fmt: skip


def survey_create(
    *,
    case: Case,
    wave_months: int,
    due_on: datetime.date,
    opens_on: datetime.date | None = None,
    sent_at: datetime.datetime | None = None,
) -> Survey:
    """The one way a survey is written (the schedule, the survey-results import, the demo
    data through survey_new)."""
    survey = survey_new(case_id=case.pk, wave_months=wave_months, due_on=due_on,
                        opens_on=opens_on, sent_at=sent_at)  # fmt: skip
    survey.case = case
    survey.save()
    return survey


def surveys_schedule(*, today: datetime.date) -> int:
    """Create the surveys that fall due and e-mail each firm its link. A wave is due
    `wave` months after the case's first proposal; one that has been due for longer than a
    survey stays open is skipped (a late start does not flood a firm with old waves). Closed
    cases and withdrawn registrations get none. Safe to run again: returns 0 the second time."""
    waves = sorted(settings.SURVEY_WAVES_MONTHS)
    window = datetime.timedelta(days=settings.SURVEY_OPEN_DAYS)
    cases = (
        Case.objects.exclude(status=Case.Status.CLOSED)
        .filter(registration__status="registered")
        .annotate(first_proposed=Min("proposals__proposed_on"))
        .filter(first_proposed__lte=add_months(today, -waves[0]),
                first_proposed__gt=add_months(today - window, -waves[-1]))
        .values_list("pk", "first_proposed")
        .order_by("pk")
    )  # fmt: skip
    created = 0
    for start in range(0, cases.count(), BATCH_SIZE):
        batch = list(cases[start : start + BATCH_SIZE])
        existing = set(
            Survey.objects.filter(case_id__in=[pk for pk, _first in batch]).values_list(
                "case_id", "wave_months"
            )
        )
        due = [
            (pk, wave, add_months(first, wave))
            for pk, first in batch
            for wave in waves
            if (pk, wave) not in existing and today - window < add_months(first, wave) <= today
        ]
        # The e-mails need each case's firm, contact, concierge and office: one query.
        case_of = Case.objects.select_related(
            "registration__business",
            "registration__contact__business",
            "concierge",
            "office",
        ).in_bulk({pk for pk, _wave, _due in due})
        for pk, wave, due_on in due:
            with transaction.atomic():
                survey = survey_create(
                    case=case_of[pk], wave_months=wave, due_on=due_on, opens_on=today,
                    sent_at=timezone.now(),
                )  # fmt: skip
                _survey_email(survey, key=survey_invite_key(survey), template="invite")
            created += 1
    return created


def _end_of_day(today: datetime.date, *, days_before: int) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days_before), datetime.time.max)
    )


def survey_reminders_send(*, today: datetime.date) -> int:
    """Reminder 1 seven days and reminder 2 fourteen days after the link, to firms that have
    not answered, opted out or let the survey close. Each reminder is marked in the same
    transaction as its outbox row, and the outbox key makes a second send impossible."""
    sent = 0
    reminder_days = settings.SURVEY_REMINDER_DAYS
    for number, days in enumerate(reminder_days, start=1):
        field = f"reminder{number}_at"
        due = Survey.objects.filter(
            answered_at__isnull=True, opted_out_at__isnull=True, closes_on__gte=today,
            sent_at__lte=_end_of_day(today, days_before=days), **{f"{field}__isnull": True},
        )  # fmt: skip
        if number > 1:
            # The same gap after the previous reminder as between the two on the calendar, also
            # when reminders were held back (an opt-out taken back, a sweep missed): never two
            # reminders on one day.
            gap = days - reminder_days[number - 2]
            due = due.filter(**{
                f"reminder{number - 1}_at__lte": _end_of_day(today, days_before=gap),
            })  # fmt: skip
        while True:
            with transaction.atomic():
                # Rows locked until marked; a concurrent sweep skips them.
                batch = list(
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related(
                        "case__registration__business",
                        "case__registration__contact__business",
                        "case__concierge",
                        "case__office",
                    )
                    .order_by("sent_at", "pk")[:BATCH_SIZE]
                )
                for survey in batch:
                    setattr(survey, field, timezone.now())
                    survey.save(update_fields=[field, "updated_at"])
                    _survey_email(survey, key=survey_reminder_key(survey, number),
                                  template=f"reminder{number}")  # fmt: skip
            sent += len(batch)
            if len(batch) < BATCH_SIZE:
                break
    return sent


@transaction.atomic
def survey_resend(*, survey: Survey, actor: User) -> Survey:
    """A fresh link by hand (the firm lost the e-mail or it bounced): the old link stops
    working, the survey stays open for another full period, and its reminders start again
    from this send (those of the old link are in its history)."""
    survey.token_nonce = secrets.token_hex(16)
    survey.sent_at = timezone.now()
    survey.reminder1_at = survey.reminder2_at = None
    survey.closes_on = max(survey.closes_on, survey_closes_on(timezone.localdate()))
    survey.updated_by = actor
    survey.save(update_fields=["token_nonce", "sent_at", "reminder1_at", "reminder2_at",
                               "closes_on", "updated_by", "updated_at"])  # fmt: skip
    _survey_email(survey, key=survey_invite_key(survey), template="invite")
    return survey


OPTED_OUT = "Opted out through the survey link"
OPT_OUT_UNDONE = "Opt-out undone through the survey link"


@transaction.atomic
def survey_opt_out(*, survey: Survey) -> Survey:
    """The firm stops the e-mails about this survey (no reminder goes, the form is closed);
    its history row says so."""
    if survey.opted_out_at is None:
        survey.opted_out_at = timezone.now()
        survey._change_reason = OPTED_OUT
        survey.save(update_fields=["opted_out_at", "updated_at"])
    return survey


@transaction.atomic
def survey_opt_out_undo(*, survey: Survey) -> Survey:
    """The firm takes its opt-out back through the same link: the survey is open again and
    the reminders not yet sent may go; its history row says so."""
    if survey.opted_out_at is not None:
        survey.opted_out_at = None
        survey._change_reason = OPT_OUT_UNDONE
        survey.save(update_fields=["opted_out_at", "updated_at"])
    return survey


# --- Answers ---------------------------------------------------------------------------------

FIRST_EXPORT_BEFORE_REGISTRATION = _(
    "The first export cannot be dated before the firm registered with the program (%(date)s)."
)
EXPORT_NO_AFTER_YES = _(
    "The %(wave)s-month survey answered “%(answer)s” after the %(earlier)s-month survey reported "
    "an export; the case keeps its export realised on %(date)s."
)
EXPORT_ANSWER_CHANGED = _(
    "The %(wave)s-month survey's answer changed from an export to “%(answer)s”; the case keeps "
    "its export realised on %(date)s."
)


def survey_registered_on(survey: Survey) -> datetime.date | None:
    """The day (Japan time) the survey's firm registered; None for a participant imported
    from before this system (its registration has no such date)."""
    registered_at = survey.case.registration.registered_at
    return timezone.localdate(registered_at) if registered_at else None


def first_export_date_check(*, survey: Survey, first_export_date) -> None:
    registered_on = survey_registered_on(survey)
    if first_export_date and registered_on and first_export_date < registered_on:
        message = FIRST_EXPORT_BEFORE_REGISTRATION % {"date": registered_on.isoformat()}
        raise ValidationError(
            {"first_export_date": ValidationError(message, code="before_registration")}
        )


def _export_withdrawn_note(*, survey: Survey, response: SurveyResponse, previous: str | None,
                           actor: User | None) -> None:  # fmt: skip
    """A "no" (or "in negotiation") after an export was reported: the case keeps its realised
    date, the evidence stays, and the timeline says what changed (ADR 0013)."""
    case = survey.case
    answer = response.export_realised
    if answer == SurveyResponse.ExportRealised.YES or case.realised_on is None:
        return
    if previous == answer:  # amended, but not this answer: said already
        return
    if previous == SurveyResponse.ExportRealised.YES:
        message, earlier = EXPORT_ANSWER_CHANGED, None
    else:
        earlier = (
            SurveyResponse.objects.filter(
                survey__case=case, export_realised=SurveyResponse.ExportRealised.YES,
                survey__wave_months__lt=survey.wave_months,
            )
            .order_by("-survey__wave_months")
            .values_list("survey__wave_months", flat=True)
            .first()
        )  # fmt: skip
        if earlier is None:
            return
        message = EXPORT_NO_AFTER_YES
    with translation.override(settings.LANGUAGE_CODE):  # the timeline is in the program's
        summary = message % {
            "wave": survey.wave_months, "earlier": earlier, "date": case.realised_on.isoformat(),
            "answer": response.get_export_realised_display(),
        }  # fmt: skip
        case_event_add(case, CaseEvent.Kind.STATUS, summary, actor)


SURVEY_ANSWERED = _("%(wave)s-month survey answered (%(source)s): export realised: %(answer)s")
SURVEY_AMENDED = _("%(wave)s-month survey answer amended (%(source)s): export realised: %(answer)s")

ANSWER_FIELDS = (
    "export_realised", "first_export_date", "destinations", "products", "amount_yen", "mode",
    "target_set", "target_achieved", "trajectory", "own_efforts", "fee_band", "satisfaction",
    "comments",
)  # fmt: skip


@transaction.atomic
def survey_answer(
    *, survey: Survey, data: dict, source: str, actor: User | None = None,
    answered_at: datetime.datetime | None = None,
):  # fmt: skip
    """Save (or amend) the firm's answer, dated now unless `answered_at` says when it was
    given (a hearing imported later). It is stored before anything is queued. An export
    realised moves the case to realised with its date; the case's concierge is told."""
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("case__concierge", "case__registration__business")
        .get(pk=survey.pk)
    )
    response = getattr(survey, "response", None) or SurveyResponse(survey=survey)
    previous = response.export_realised if response.pk else None
    for field in ANSWER_FIELDS:
        setattr(
            response, field, data.get(field, SurveyResponse._meta.get_field(field).get_default())
        )
    response.source = source
    response.answered_at = answered_at or timezone.now()
    response.updated_by = actor
    if response.pk is None:
        response.created_by = actor
    response.full_clean(exclude=["survey"])
    first_export_date_check(survey=survey, first_export_date=response.first_export_date)
    response.save()
    response.menus_used.set(data.get("menus_used", []))
    first_answer = survey.answered_at is None
    survey.answered_at = response.answered_at
    survey.save(update_fields=["answered_at", "updated_at"])
    case = survey.case
    with translation.override(settings.LANGUAGE_CODE):  # the timeline is in the program's
        answered = SURVEY_ANSWERED if first_answer else SURVEY_AMENDED
        case_event_add(case, CaseEvent.Kind.SURVEY, answered % {
            "wave": survey.wave_months, "answer": response.get_export_realised_display(),
            "source": response.get_source_display(),
        }, actor, at=response.answered_at)  # fmt: skip
    if response.export_realised == SurveyResponse.ExportRealised.YES:
        case_realise(
            case=case, on=response.first_export_date or timezone.localdate(), actor=actor,
            summary=gettext("export reported in the %(wave)s-month survey")
            % {"wave": survey.wave_months},
        )  # fmt: skip
    _export_withdrawn_note(survey=survey, response=response, previous=previous, actor=actor)
    if case.concierge and case.concierge.email:
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "outcomes/email/answered_body.txt",
                {"survey": survey, "response": response, "case": case,
                 "site_url": settings.SITE_URL.rstrip("/"), "first_answer": first_answer},
            )  # fmt: skip
            email_enqueue(
                key=f"survey:{survey.pk}:answered:{response.answered_at.isoformat()}",
                to=case.concierge.email,
                subject=gettext("Survey answered: %(name)s")
                % {"name": case.registration.business.name},
                body=body,
                kind=OutboundEmail.Kind.STAFF,
            )
    return response
