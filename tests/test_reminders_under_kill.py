"""Integration: survey reminders survive a SIGKILL of the Celery worker mid-run.

200 reminders are queued (outbox rows written by the sweep), a real worker on Redis starts
sending them to a provider stand-in that dedupes on the idempotency key, the worker is killed
with SIGKILL mid-run and started again, and the periodic outbox run (as beat would) picks up
the rest: every reminder is delivered exactly once and none is lost."""

import datetime
import os
import signal
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from core.models import OutboundEmail
from counselling.tests.factories import CaseFactory
from outcomes.services import survey_reminders_send
from outcomes.tests.factories import SurveyFactory
from tests.celery_helpers import drop_connection_pools, wait_for, worker_process

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("reference_data")]

N = 200


def _start_worker(sink: Path) -> subprocess.Popen:
    return worker_process(sink, MAIL_SINK_DELAY="0.03", OUTBOX_BATCH_SIZE="20")


def _delivered(sink: Path) -> set[str]:
    return {path.name for path in sink.iterdir() if path.name.startswith("survey_")}


@pytest.fixture
def broker(tmp_path):
    celery_app.conf.task_always_eager = False
    drop_connection_pools()
    celery_app.control.purge()
    yield
    celery_app.conf.task_always_eager = True
    drop_connection_pools()


def test_every_reminder_is_delivered_exactly_once_when_the_worker_is_killed(broker, tmp_path):
    sink = tmp_path / "sink"
    sink.mkdir()
    sent = timezone.now() - datetime.timedelta(days=8)
    for _ in range(N):
        SurveyFactory(case=CaseFactory(), sent_at=sent)

    worker = _start_worker(sink)
    try:
        # The sweep writes 200 outbox rows and queues one dispatch after commit.
        assert survey_reminders_send(today=timezone.localdate()) == N
        assert wait_for(lambda: len(_delivered(sink)) >= 40, timeout=60)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        delivered_before_restart = len(_delivered(sink))
        assert delivered_before_restart < N, "the worker finished before it was killed"

        worker = _start_worker(sink)
        # Beat's periodic outbox run, which picks up whatever the killed worker left.
        from core.tasks import email_outbox_dispatch_task

        email_outbox_dispatch_task.delay()
        pending = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT)
        assert wait_for(lambda: not pending.exists(), timeout=120)
    finally:
        worker.kill()
        worker.wait(timeout=10)

    keys = set(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == N
    assert _delivered(sink) == {key.replace(":", "_") for key in keys}
    log = sink / "duplicate-calls.log"
    duplicate_calls = log.read_text().split() if log.exists() else []
    # Only messages of the batch in flight when the worker died can be sent twice; the
    # provider's idempotency key turns those calls into no second delivery.
    assert len(duplicate_calls) <= 20, (delivered_before_restart, duplicate_calls)
