"""E-mail and long jobs on separate Celery queues: every task is routed, and an e-mail is
delivered while a long job occupies the long queue's worker."""

from pathlib import Path

import pytest
from django.conf import settings

from config.celery_app import app as celery_app
from core.models import OutboundEmail
from core.services import email_enqueue
from tests.celery_helpers import drop_connection_pools, wait_for, worker_process
from tests.celery_long_job import NAME as LONG_JOB

LONG_JOB_SECONDS = 10


def _queue(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_app_has_a_queue_of_its_own_kind():
    celery_app.loader.import_default_modules()
    ours = {name for name in celery_app.tasks if not name.startswith(("celery.", "tests."))}
    assert ours == set(settings.SHORT_TASKS) | set(settings.LONG_TASKS)
    assert _queue("core.email_outbox_dispatch") == "short"
    assert {_queue(name) for name in settings.LONG_TASKS} == {"long"}


@pytest.fixture
def broker():
    celery_app.conf.task_always_eager = False
    drop_connection_pools()
    celery_app.control.purge()
    yield
    celery_app.conf.task_always_eager = True
    celery_app.control.purge()
    drop_connection_pools()


def _long_job_running(directory: Path) -> bool:
    return (directory / "started").exists() and not (directory / "finished").exists()


@pytest.mark.integration
@pytest.mark.usefixtures("reference_data", "broker")
def test_an_email_is_sent_while_a_long_job_occupies_the_long_queue(tmp_path):
    sink, job = tmp_path / "sink", tmp_path / "job"
    sink.mkdir()
    job.mkdir()
    workers = [
        worker_process(sink, "-Q", "long", "--include", "tests.celery_long_job"),
        worker_process(sink, "-Q", "short"),
    ]
    try:
        celery_app.send_task(LONG_JOB, args=[str(job), LONG_JOB_SECONDS], queue="long")
        assert wait_for(lambda: (job / "started").exists(), timeout=30)

        email = email_enqueue(key="queue-test:1", to="firm@example.jp", subject="件名",
                              body="本文", kind="firm")  # fmt: skip
        assert wait_for(lambda: (sink / "queue-test_1").exists(), timeout=15)
        assert _long_job_running(job), "the long job ended before the e-mail went out"
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.SENT
        # Let the job end, so no unacknowledged message outlives the test.
        assert wait_for(lambda: (job / "finished").exists(), timeout=30)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(timeout=10)


@pytest.mark.integration
@pytest.mark.usefixtures("reference_data", "broker")
def test_with_one_worker_for_both_queues_the_email_waits_for_the_long_job(tmp_path):
    """The control: the same steps with a single worker process, as before the split. The
    e-mail is not delivered until the long job has finished, which is what the split avoids."""
    sink, job = tmp_path / "sink", tmp_path / "job"
    sink.mkdir()
    job.mkdir()
    worker = worker_process(sink, "-Q", "long,short", "--include", "tests.celery_long_job")
    try:
        celery_app.send_task(LONG_JOB, args=[str(job), 6], queue="long")
        assert wait_for(lambda: (job / "started").exists(), timeout=30)
        email_enqueue(key="queue-test:2", to="firm@example.jp", subject="件名", body="本文",
                      kind="firm")  # fmt: skip
        assert not wait_for(lambda: (sink / "queue-test_2").exists(), timeout=4)
        assert wait_for(lambda: (sink / "queue-test_2").exists(), timeout=30)
        assert (job / "finished").exists()
    finally:
        worker.kill()
        worker.wait(timeout=10)
