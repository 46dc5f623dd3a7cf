"""Helpers for the tests that run a real Celery worker, broker or database process."""

import time

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
