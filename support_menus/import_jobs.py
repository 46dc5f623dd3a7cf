"""Large imports from the admin run as Celery jobs, never in the web request (docs/adr/0016).

A file of more than IMPORT_ASYNC_MIN_ROWS rows is stored (MEDIA_ROOT/imports/, mode 600, never
served) with a job row saying who uploaded it, when, with which options; a worker runs the same
import the small files get in the request: every row checked first, then all rows written in
one transaction or none. The worker reports its progress through the cache (the writing
transaction's own updates would only be seen at its end); the admin page polls it with htmx.

If the broker cannot take the job, the job is marked failed at once with a message and the file
is kept, so the user starts it again from the page; nothing is lost silently."""

import logging
import uuid
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.models import User
from support_menus.models import ImportJob

logger = logging.getLogger(__name__)

QUEUE_DOWN = _(
    "The import could not be started: the job queue cannot be reached. The file is kept; "
    "start it again in a few minutes."
)
JOB_FAILED = _(
    "The import stopped on an unexpected error and nothing was saved. Start it again, or tell "
    "the system administrator."
)
PROGRESS_SECONDS = 3600  # a progress figure outlives any job (the task's time limit)

# (job, file content, progress callback) -> (summary, problems); a file that cannot be read at
# all is one problem, not an exception.
Runner = Callable[[ImportJob, bytes, Callable[[str, int], None]], tuple[str, list[str]]]


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """The one scoping rule: a job and its file are seen by the user who uploaded it only."""
    if not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(requested_by=user)


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def import_job_progress(job: ImportJob) -> tuple[str, int]:
    """(phase, rows done) as the worker last reported them."""
    return cache.get(_progress_key(job.pk)) or (job.phase, job.progress)


def import_job_queue(
    *, kind: str, user: User, file_name: str, data: bytes | None = None,
    stored_name: str | None = None, dry_run: bool, options: dict, row_count: int, task,
) -> ImportJob:  # fmt: skip
    """Store the upload (or reuse a stored one), record the job and have a worker run it after
    the commit. If the broker refuses it, the job is failed with a message, the file kept."""
    job = ImportJob(
        kind=kind, requested_by=user, created_by=user, file_name=file_name[:255],
        dry_run=dry_run, options={**options, "language": translation.get_language()},
        row_count=row_count,
    )  # fmt: skip
    if stored_name:
        job.file.name = stored_name
    else:  # a random name: the uploaded one may say whose data it is
        suffix = PurePath(file_name).suffix.lower()[:10]
        job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    job.full_clean()
    job.save()

    def kick() -> None:
        try:
            task.delay(job.pk)
        except Exception:  # the broker is down: say so rather than leave it queued
            logger.warning("Import job %s not queued.", job.pk, exc_info=True)
            with translation.override(job.options["language"]):
                message = str(QUEUE_DOWN)
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
                status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=message
            )

    transaction.on_commit(kick)
    return job


def import_job_run(*, job_id: int, runner: Runner) -> ImportJob:
    """Run a queued job (a worker calls this). A redelivered job whose worker died runs again
    from the start: its transaction was rolled back with the worker. A finished job is left."""
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.finished:
        return job
    job.status, job.started_at = ImportJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at", "updated_at"])
    key = _progress_key(job.pk)
    cache.delete(key)

    def progress(phase: str, done: int) -> None:
        cache.set(key, (phase, done), PROGRESS_SECONDS)

    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as stored:
                data = stored.read()
            summary, errors = runner(job, data, progress)
        except Exception:
            logger.exception("Import job %s failed.", job.pk)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=str(JOB_FAILED)
            )
            raise
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.summary, job.errors = summary, errors
    job.phase, job.progress = "done", job.row_count
    fields = ["status", "finished_at", "summary", "errors", "phase", "progress", "updated_at"]
    if not job.dry_run and not errors and job.file:  # imported: the upload is not kept
        job.file.delete(save=False)
        fields.append("file")
    job.save(update_fields=fields)
    cache.delete(key)
    return job


def import_files_purge(*, now) -> int:
    """Delete the kept files of jobs that ended more than IMPORT_FILE_KEEP_DAYS ago (checks
    never imported, failures never retried): they hold firms' data. The job rows stay."""
    import datetime

    cutoff = now - datetime.timedelta(days=settings.IMPORT_FILE_KEEP_DAYS)
    jobs = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lt=cutoff
    ).exclude(file="")
    count = 0
    for job in jobs:
        shared = ImportJob.objects.filter(file=job.file.name).exclude(pk=job.pk)
        if (
            not shared.filter(finished_at__gte=cutoff).exists()
            and not shared.filter(finished_at__isnull=True).exists()
        ):  # a newer job started from the same file keeps it
            job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def import_job_file_kept(job: ImportJob) -> bool:
    return bool(job.file) and job.file.storage.exists(job.file.name)
