"""Writes for reporting: the export log and its files, and the dashboard's fact table.

One export path serves the dashboard's downloads and `manage.py export_progress`
(progress_export_request): it logs the export and produces the file, or queues a large XLSX for
a worker."""

import datetime
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Value
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.models import User
from reporting import exports
from reporting.dashboard import business_progress_refreshed_at, progress_cases
from reporting.filters import ProgressFilters
from reporting.models import BusinessProgress, ProgressExport

logger = logging.getLogger(__name__)


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
    from reporting.tasks import progress_export_build_task

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


@dataclass(frozen=True)
class ProgressExportDelivery:
    """What an export request produced: its log row and, for CSV, the file as chunks of bytes
    (to stream or to write). An XLSX was written into the target given, or is queued for a
    worker (the log row is then pending)."""

    export: ProgressExport
    csv_chunks: Iterable[bytes] | None = None

    @property
    def queued(self) -> bool:
        return self.export.status == ProgressExport.Status.PENDING


def progress_export_request(
    *, user: User | None, via: str, kind: str, fmt: str, filters: ProgressFilters,
    xlsx_target=None, fresh: bool = False, background: bool = False,
) -> ProgressExportDelivery:  # fmt: skip
    """One progress report asked for, from the dashboard (`via` "web") or the command: logged
    (who, how, which filters, how many rows) before it is delivered. CSV comes back as chunks;
    XLSX is written into `xlsx_target`, except that with `background` a business-level XLSX of
    more than PROGRESS_XLSX_SYNC_MAX_ROWS firms is queued for a worker instead. The aggregate
    tables read the fact table: rebuilt first when `fresh` (the figures as of now), otherwise
    as the dashboard has it."""
    if kind == ProgressExport.Kind.AGGREGATES:
        if fresh:
            business_progress_refresh()
        else:
            business_progress_ensure()
        rows = exports.aggregate_rows(filters)
        count = len(rows)
    else:
        count = exports.business_progress_count(filters)
        xlsx = fmt == ProgressExport.Format.XLSX
        if xlsx and background and count > settings.PROGRESS_XLSX_SYNC_MAX_ROWS:
            return ProgressExportDelivery(progress_export_queue(
                user=user, kind=kind, fmt=fmt, filters=filters, row_count=count
            ))  # fmt: skip
    export = progress_export_log(
        user=user, via=via, kind=kind, fmt=fmt, filters=filters, row_count=count
    )
    aggregates = kind == ProgressExport.Kind.AGGREGATES
    if fmt == ProgressExport.Format.CSV:
        chunks = (
            exports.aggregate_csv(filters, rows) if aggregates else exports.business_csv(filters)
        )
        return ProgressExportDelivery(export, chunks)
    if aggregates:
        exports.aggregate_xlsx(xlsx_target, filters, rows)
    else:
        exports.business_xlsx(xlsx_target, filters)
    return ProgressExportDelivery(export)


def progress_export_build(*, export_id: int) -> ProgressExport:
    """Build a queued export's file (a worker runs this). Running it twice rebuilds the same
    file, so a redelivered task is harmless."""

    export = ProgressExport.objects.get(pk=export_id)
    if export.status != ProgressExport.Status.PENDING:
        return export
    filters = ProgressFilters.from_dict(export.filters)
    with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as target:
        if export.kind == ProgressExport.Kind.BUSINESSES:
            rows = exports.business_xlsx(target, filters)
        else:
            business_progress_refresh()
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

# BusinessProgress column: where its value comes from, over dashboard.progress_cases().
BUSINESS_PROGRESS_SOURCE = {
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
    "first_adopted_on": F("first_adopted_on"),
    "realised_on": F("realised_on"),
    "stage": F("stage"),
    "status": F("status"),
}
BUSINESS_PROGRESS_REFRESH_KEY = "reporting:business-progress-refresh-queued"


def business_progress_refresh(*, now: datetime.datetime | None = None) -> int:
    """Rebuild the dashboard's fact table from the live tables in one statement (INSERT …
    SELECT), inside a transaction, so readers see the old rows until the new ones commit."""
    now = now or timezone.now()
    renamed = {f"src_{name}": expression for name, expression in BUSINESS_PROGRESS_SOURCE.items()}
    source = (
        progress_cases()
        .annotate(**renamed)
        .annotate(src_refreshed_at=Value(now, output_field=DateTimeField()))
        .values(*(f"src_{name}" for name in (*BUSINESS_PROGRESS_SOURCE, "refreshed_at")))
    )  # fmt: skip
    sql, params = source.query.sql_with_params()
    quote = connection.ops.quote_name
    meta = BusinessProgress._meta
    names = (*BUSINESS_PROGRESS_SOURCE, "refreshed_at")
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


def business_progress_ensure() -> datetime.datetime:
    """Before figures are read: build the fact table now if it never was (a fresh system, no
    beat yet); queue a rebuild if it is older than BUSINESS_PROGRESS_REFRESH_MINUTES. Returns when
    the figures about to be read were built."""
    refreshed_at = business_progress_refreshed_at()
    if refreshed_at is None:
        refreshed_at = timezone.now()
        business_progress_refresh(now=refreshed_at)
    elif timezone.now() - refreshed_at > datetime.timedelta(
        minutes=settings.BUSINESS_PROGRESS_REFRESH_MINUTES
    ):
        business_progress_refresh_soon()
    return refreshed_at


def business_progress_refresh_soon() -> None:
    """The fact table is older than it should be (the beat may not run, as under `make run`):
    queue one rebuild, at most one per BUSINESS_PROGRESS_REFRESH_MINUTES."""
    from reporting.tasks import business_progress_refresh_task

    if not cache.add(
        BUSINESS_PROGRESS_REFRESH_KEY, 1, settings.BUSINESS_PROGRESS_REFRESH_MINUTES * 60
    ):
        return

    def kick() -> None:
        try:
            business_progress_refresh_task.delay()
        except Exception:  # the periodic run rebuilds it anyway
            logger.warning("Fact-table refresh not queued.", exc_info=True)

    transaction.on_commit(kick)
