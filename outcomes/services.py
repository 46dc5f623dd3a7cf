"""Writes for outcomes: follow-up surveys in waves, their signed links, reminders and answers.

A survey row and every e-mail about it are written in the same transaction (the outbox), so a
broker outage delays an e-mail but never loses it; every e-mail has an idempotency key (per
survey, link and reminder number), so a sweep that runs twice sends nothing twice."""

import calendar
import datetime
import logging
import secrets
import tempfile

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Min, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import OutboundEmail, User
from core.services import email_enqueue
from counselling.models import Case, CaseEvent
from counselling.services import case_email_record, case_event_add, case_realise
from outcomes.models import FirmProgress, ProgressExport, Survey, SurveyResponse
from registrations.services import firm_mail_business

TOKEN_SALT = "outcomes.survey"  # noqa: S105 (a signing namespace, not a secret)
BATCH_SIZE = 1000
logger = logging.getLogger(__name__)


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
    context = {"survey": survey, "contact": contact, "url": _survey_url(survey),
               "business": survey.case.registration.business}  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"outcomes/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"outcomes/email/{template}_body.txt", context)
        email_enqueue(
            key=key, to=contact.email, subject=subject, body=body,
            kind=OutboundEmail.Kind.FIRM, business=firm_mail_business(contact),
        )  # fmt: skip
    case_email_record(case=survey.case, subject=subject, to=contact.email)


def survey_invite_key(survey: Survey) -> str:
    return f"survey:{survey.pk}:invite:{survey.token_nonce}"


def survey_reminder_key(survey: Survey, number: int) -> str:
    return f"survey:{survey.pk}:reminder:{number}"


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
        # The e-mails need each case's firm and contact: one query for the batch.
        case_of = Case.objects.select_related(
            "registration__business", "registration__contact"
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


def survey_reminders_send(*, today: datetime.date) -> int:
    """Reminder 1 seven days and reminder 2 fourteen days after the link, to firms that have
    not answered, opted out or let the survey close. Each reminder is marked in the same
    transaction as its outbox row, and the outbox key makes a second send impossible."""
    sent = 0
    for number, days in enumerate(settings.SURVEY_REMINDER_DAYS, start=1):
        field = f"reminder{number}_at"
        cutoff = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.max)
        )
        due = Survey.objects.filter(
            answered_at__isnull=True, opted_out_at__isnull=True, closes_on__gte=today,
            sent_at__lte=cutoff, **{f"{field}__isnull": True},
        )  # fmt: skip
        if number > 1:
            due = due.filter(reminder1_at__isnull=False)
        while True:
            with transaction.atomic():
                # Rows locked until marked; a concurrent sweep skips them.
                batch = list(
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("case__registration__business", "case__registration__contact")
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
    working, and the survey stays open for another full period."""
    survey.token_nonce = secrets.token_hex(16)
    survey.sent_at = timezone.now()
    survey.closes_on = max(survey.closes_on, survey_closes_on(timezone.localdate()))
    survey.updated_by = actor
    survey.save(update_fields=["token_nonce", "sent_at", "closes_on", "updated_by", "updated_at"])
    _survey_email(survey, key=survey_invite_key(survey), template="invite")
    return survey


@transaction.atomic
def survey_opt_out(*, survey: Survey) -> Survey:
    if survey.opted_out_at is None:
        survey.opted_out_at = timezone.now()
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


# --- Progress exports --------------------------------------------------------------------------


def progress_export_log(
    *, user: User | None, via: str, kind: str, fmt: str, filters, row_count: int | None,
    status: str = ProgressExport.Status.DELIVERED,
) -> ProgressExport:  # fmt: skip
    """Record an export: who, when, which filters, how many rows. Every export is logged,
    whether delivered at once, built in the background or written by the command."""
    return ProgressExport.objects.create(
        requested_by=user, created_by=user, requested_via=via, kind=kind, format=fmt,
        filters=filters.as_dict(), row_count=row_count, status=status,
        finished_at=timezone.now() if status == ProgressExport.Status.DELIVERED else None,
    )  # fmt: skip


def progress_export_queue(*, user: User, kind: str, fmt: str, filters, row_count: int):
    """A large XLSX: log it as pending and have a worker build it after the commit. If the
    broker cannot take the job, the export is marked failed so the user can try again."""
    from outcomes.tasks import progress_export_build_task

    export = progress_export_log(
        user=user, via="web", kind=kind, fmt=fmt, filters=filters, row_count=row_count,
        status=ProgressExport.Status.PENDING,
    )  # fmt: skip

    def kick() -> None:
        try:
            progress_export_build_task.delay(export.pk)
        except Exception:  # the broker is down: say so rather than leave it pending
            logger.warning("Progress export %s not queued.", export.pk, exc_info=True)
            ProgressExport.objects.filter(pk=export.pk).update(
                status=ProgressExport.Status.FAILED, finished_at=timezone.now(),
                error=gettext("The export could not be started. Please try again later."),
            )  # fmt: skip

    transaction.on_commit(kick)
    return export


def progress_export_build(*, export_id: int) -> ProgressExport:
    """Build a queued export's file (a worker runs this). Running it twice rebuilds the same
    file, so a redelivered task is harmless."""
    from outcomes import exports
    from outcomes.filters import ProgressFilters

    export = ProgressExport.objects.get(pk=export_id)
    if export.status != ProgressExport.Status.PENDING:
        return export
    filters = ProgressFilters.from_dict(export.filters)
    with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as target:
        if export.kind == ProgressExport.Kind.BUSINESSES:
            rows = exports.business_xlsx(target, filters)
        else:
            firm_progress_refresh()
            rows = exports.aggregate_xlsx(target, filters, exports.aggregate_rows(filters))
        target.seek(0)
        if export.file:
            export.file.delete(save=False)
        export.file.save(export.filename, File(target), save=False)
    export.row_count = rows
    export.status = ProgressExport.Status.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "row_count", "status", "finished_at", "updated_at"])
    return export


def progress_export_fail(*, export_id: int) -> None:
    """The build raised (the worker logs the traceback): tell the user, not the details."""
    ProgressExport.objects.filter(pk=export_id, status=ProgressExport.Status.PENDING).update(
        status=ProgressExport.Status.FAILED,
        finished_at=timezone.now(),
        error=gettext("The export failed. Please try again, or tell the program office."),
    )


def progress_exports_purge(*, now: datetime.datetime) -> int:
    """Delete export files older than PROGRESS_EXPORT_KEEP_DAYS; the log rows stay."""
    cutoff = now - datetime.timedelta(days=settings.PROGRESS_EXPORT_KEEP_DAYS)
    expired = ProgressExport.objects.filter(
        status=ProgressExport.Status.READY, finished_at__lt=cutoff
    )
    count = 0
    for export in expired.iterator():
        export.file.delete(save=False)
        export.status = ProgressExport.Status.EXPIRED
        export.save(update_fields=["file", "status", "updated_at"])
        count += 1
    return count


# --- The dashboard's fact table ----------------------------------------------------------------

# FirmProgress column: where its value comes from, over dashboard.progress_cases().
FIRM_PROGRESS_SOURCE = {
    "case": F("pk"),
    "business_id": F("registration__business_id"),
    "prefecture": F("registration__business__prefecture_id"),
    "region": F("registration__business__prefecture__region"),
    "industry": F("registration__business__industry_id"),
    "size_class": F("registration__business__size_class"),
    "challenge_type": F("registration__challenge_type"),
    "referral_source": F("registration__referral_source"),
    "registered_at": F("registered"),
    "first_contact_at": F("first_contact_at"),
    "first_proposed_on": F("first_proposed_on"),
    "realised_on": F("realised_on"),
    "stage": F("stage"),
    "status": F("status"),
}
FIRM_PROGRESS_REFRESH_KEY = "outcomes:firm-progress-refresh-queued"


def firm_progress_refresh(*, now: datetime.datetime | None = None) -> int:
    """Rebuild the dashboard's fact table from the live tables in one statement (INSERT …
    SELECT), inside a transaction, so readers see the old rows until the new ones commit."""
    from outcomes.dashboard import progress_cases

    now = now or timezone.now()
    renamed = {f"src_{name}": expression for name, expression in FIRM_PROGRESS_SOURCE.items()}
    source = (
        progress_cases()
        .annotate(**renamed)
        .annotate(src_refreshed_at=Value(now, output_field=DateTimeField()))
        .values(*(f"src_{name}" for name in (*FIRM_PROGRESS_SOURCE, "refreshed_at")))
    )  # fmt: skip
    sql, params = source.query.sql_with_params()
    quote = connection.ops.quote_name
    meta = FirmProgress._meta
    names = (*FIRM_PROGRESS_SOURCE, "refreshed_at")
    columns = ", ".join(quote(meta.get_field(name).column) for name in names)
    selected = ", ".join(f"src.{quote(f'src_{name}')}" for name in names)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rebuild at a time (beat and a page may ask together); readers are not held.
            cursor.execute(f"LOCK TABLE {quote(meta.db_table)} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {quote(meta.db_table)}")  # noqa: S608 (our own table)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from models)
            f"SELECT {selected} FROM ({sql}) AS src",
            params,
        )
        return cursor.rowcount


def firm_progress_ensure() -> datetime.datetime:
    """Before figures are read: build the fact table now if it never was (a fresh system, no
    beat yet); queue a rebuild if it is older than FIRM_PROGRESS_REFRESH_MINUTES. Returns when
    the figures about to be read were built."""
    from outcomes.dashboard import firm_progress_refreshed_at

    refreshed_at = firm_progress_refreshed_at()
    if refreshed_at is None:
        refreshed_at = timezone.now()
        firm_progress_refresh(now=refreshed_at)
    elif timezone.now() - refreshed_at > datetime.timedelta(
        minutes=settings.FIRM_PROGRESS_REFRESH_MINUTES
    ):
        firm_progress_refresh_soon()
    return refreshed_at


def firm_progress_refresh_soon() -> None:
    """The fact table is older than it should be (the beat may not run, as under `make run`):
    queue one rebuild, at most one per FIRM_PROGRESS_REFRESH_MINUTES."""
    from outcomes.tasks import firm_progress_refresh_task

    if not cache.add(FIRM_PROGRESS_REFRESH_KEY, 1, settings.FIRM_PROGRESS_REFRESH_MINUTES * 60):
        return

    def kick() -> None:
        try:
            firm_progress_refresh_task.delay()
        except Exception:  # the periodic run rebuilds it anyway
            logger.warning("Fact-table refresh not queued.", exc_info=True)

    transaction.on_commit(kick)
