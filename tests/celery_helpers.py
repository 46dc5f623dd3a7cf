"""Helpers for the tests that run a real Celery worker, broker or database process."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def drop_connection_pools():
    """Close the app's broker connections and forget them, kombu's global pool registry
    included (it would otherwise hand a later test the closed pool)."""
    from kombu import pools

    celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")  # fmt: skip


ROOT = Path(__file__).resolve().parent.parent


def worker_process(sink: Path, *arguments: str, **environment: str) -> subprocess.Popen:
    """A real Celery worker process (solo pool) on the test database and broker, sending
    e-mail to the idempotent provider stand-in (tests.mail_sink) writing into `sink`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_EMAIL_BACKEND": "tests.mail_sink.IdempotentSinkBackend",
        "MAIL_SINK_DIR": str(sink),
        **environment,
    }
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
         *arguments],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
