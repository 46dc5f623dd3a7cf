"""Fixtures for the tests that talk to a real Celery worker on the Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery_app import app as celery_app
from tests.celery_helpers import drop_connection_pools


@pytest.fixture
def broker_mode():
    """Publish to the broker instead of running tasks inline."""
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True


@pytest.fixture
def worker(broker_mode):
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def broker_down(broker_mode, monkeypatch):
    """Point the app at a port where no broker listens. Celery reads CELERY_BROKER_URL from
    the environment before its configuration, so both are changed."""
    good = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    drop_connection_pools()
    assert celery_app.connection_for_write().as_uri().endswith("@127.0.0.1:9/0")
    yield
    monkeypatch.undo()
    celery_app.conf.broker_url = good
    drop_connection_pools()
