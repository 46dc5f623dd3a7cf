"""Dates and amounts within sense (ADR 0013): one rule per kind of value, used by the forms,
the models' field validators and both file imports, so a date is refused the same way
wherever it is typed.

- A record of what happened (a session, an answer, a realised or first export, a proposal's
  steps) is dated from 1 January of PROGRAM_START_YEAR up to today in Japan time.
- A plan (an export target, a next action, an application window) is dated from the same
  start up to PLAN_YEARS_AHEAD years from today.
- An amount of yen is a whole number from 0 up to MAX_YEN.

The database holds a wider, fixed range as CHECK constraints (DB_EARLIEST to DB_LATEST), so
that no path around the forms can store a date PostgreSQL or Python cannot read back (a
session typed as 0001-01-01 in Japan time was stored as a BC timestamp and broke the lists)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PLAN_YEARS_AHEAD = 10
MAX_YEN = 10**12  # one trillion yen: far above any firm's export or a subsidy cap
# The CHECK constraints' range: fixed (a constraint cannot read a setting), wider than the
# forms' so a later PROGRAM_START_YEAR never makes stored rows invalid.
DB_EARLIEST = datetime.date(2000, 1, 1)
DB_LATEST = datetime.date(2100, 1, 1)  # exclusive

BEFORE_START = _("The date cannot be before %(start)s: the program's records begin then.")
IN_FUTURE = _("The date cannot be later than today (%(today)s).")
TOO_FAR_AHEAD = _("The date cannot be more than %(years)s years ahead (after %(latest)s).")
NEGATIVE_AMOUNT = _("The amount cannot be negative.")
AMOUNT_TOO_LARGE = _("The amount cannot be more than %(max)s yen.")
# Shown only if a path around the validators meets a CHECK constraint.
OUT_OF_STORABLE_RANGE = _("A date or amount is outside what can be stored. Check the values.")


def program_start() -> datetime.date:
    return datetime.date(settings.PROGRAM_START_YEAR, 1, 1)


def plan_latest(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + PLAN_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLAN_YEARS_AHEAD, day=28)


def as_local_date(value) -> datetime.date:
    """The day in Japan time of a date or datetime. A datetime so early or late that it has
    no UTC equivalent (year 1 before 09:19) keeps the day it was written with."""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            return value.date()
        try:
            return timezone.localtime(value).date()
        except OverflowError:
            return value.date()
    return value


def _start_check(day: datetime.date) -> None:
    start = program_start()
    if day < start:
        raise ValidationError(
            BEFORE_START, code="before_program_start", params={"start": start.isoformat()}
        )


def validate_past_date(value) -> None:
    """A record of what happened: not before the program's start year, not after today."""
    if value is None:
        return
    day = as_local_date(value)
    _start_check(day)
    today = timezone.localdate()
    if day > today:
        raise ValidationError(IN_FUTURE, code="future_date", params={"today": today.isoformat()})


def validate_plan_date(value) -> None:
    """A plan: not before the program's start year, at most PLAN_YEARS_AHEAD years ahead."""
    if value is None:
        return
    day = as_local_date(value)
    _start_check(day)
    latest = plan_latest()
    if day > latest:
        raise ValidationError(
            TOO_FAR_AHEAD, code="too_far_ahead",
            params={"years": PLAN_YEARS_AHEAD, "latest": latest.isoformat()},
        )  # fmt: skip


def validate_yen(value) -> None:
    """An amount of yen: not negative, not beyond MAX_YEN."""
    if value is None:
        return
    if value < 0:
        raise ValidationError(NEGATIVE_AMOUNT, code="negative_amount")
    if value > MAX_YEN:
        raise ValidationError(
            AMOUNT_TOO_LARGE, code="amount_too_large", params={"max": f"{MAX_YEN:,}"}
        )


def messages_of(error: ValidationError) -> list[str]:
    """The messages of a validator's error, as text (for the imports' row messages)."""
    return [str(message) for message in error.messages]


# --- Database constraints ----------------------------------------------------------------------


def date_in_db_range(field: str, *, timestamp: bool = False, nullable: bool = True) -> Q:
    """The CHECK condition for a date or timestamp column: within DB_EARLIEST..DB_LATEST
    (for a timestamp, from midnight UTC of those days)."""
    earliest, latest = DB_EARLIEST, DB_LATEST
    if timestamp:
        earliest, latest = (
            datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
            for day in (DB_EARLIEST, DB_LATEST)
        )
    within = Q(**{f"{field}__gte": earliest, f"{field}__lt": latest})
    return within | Q(**{f"{field}__isnull": True}) if nullable else within


def yen_in_db_range(field: str) -> Q:
    return Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True})


# --- Repairing stored rows (the data migrations of ADR 0013) ------------------------------------

REPAIR_REASON = "ADR 0013: value outside the storable range repaired"  # history (max 100)
REPAIR_EVENT = _(
    "Data repair: %(fields)s held a date or amount no record can have (for example the year 1) "
    "and was set as ADR 0013 says."
)


def out_of_db_range(field: str, *, kind: str) -> Q:
    """Rows whose `field` breaks the CHECK constraint; kind is "date", "timestamp" or "yen".
    Written so that the bad value is compared in SQL, never read into Python (psycopg cannot
    read a BC timestamp)."""
    if kind == "yen":
        return Q(**{f"{field}__lt": 0})
    earliest, latest = DB_EARLIEST, DB_LATEST
    if kind == "timestamp":
        earliest, latest = (
            datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
            for day in (DB_EARLIEST, DB_LATEST)
        )
    return Q(**{f"{field}__lt": earliest}) | Q(**{f"{field}__gte": latest})


def rows_repair(apps, app_label: str, model_name: str, repairs) -> dict[int, list[str]]:
    """Set each out-of-range column to its repair, in the table and in its history (whose
    rows would otherwise break the admin's history pages), then add one history row per
    repaired row saying why. `repairs` is [(field, kind, replacement, history_replacement)]
    with expressions or values; returns {pk: [repaired fields]}."""
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model_name}")
    repaired: dict[int, list[str]] = {}
    for field, kind, replacement, history_replacement in repairs:
        bad = out_of_db_range(field, kind=kind)
        for pk in model.objects.filter(bad).values_list("pk", flat=True):
            repaired.setdefault(pk, []).append(field)
        model.objects.filter(bad).update(**{field: replacement})
        historical.objects.filter(bad).update(**{field: history_replacement})
    if repaired:
        now = timezone.now()
        names = [f.attname for f in model._meta.concrete_fields]
        historical.objects.bulk_create(
            historical(**row, history_date=now, history_type="~",
                       history_change_reason=REPAIR_REASON)
            for row in model.objects.filter(pk__in=repaired).values(*names)
        )  # fmt: skip
    return repaired
