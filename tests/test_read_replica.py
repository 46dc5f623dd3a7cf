"""Integration: the reporting pages read from a real streaming replica when
DATABASE_REPLICA_URL is set, and every write still goes to the primary.

A private cluster is started (initdb), migrated, and a hot standby is made of it with
`pg_basebackup -R` on a port of its own. tests/replica_probe.py then runs the app against the
two: with the replica's replay paused, a firm registers (a write: it lands on the primary) and
the ministry's dashboard still shows the figure the replica holds, with every read of the
fact table answered by the replica; once replay resumes, the dashboard shows the new firm."""

import json
import os
import subprocess
import sys

import psycopg
import pytest

from tests.celery_helpers import ROOT
from tests.private_services import PrivatePostgres

pytestmark = [pytest.mark.integration]

DATABASE = "export_support"


def _app(primary: str, replica: str = "") -> dict:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_ALLOWED_HOSTS": "testserver", "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": replica,
    }  # fmt: skip


@pytest.fixture
def clusters():
    primary = PrivatePostgres()
    primary.start()
    replica = None
    try:
        with psycopg.connect(primary.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT, env=_app(primary.url(DATABASE)), check=True, timeout=300,
        )  # fmt: skip
        replica = primary.start_replica()
        yield primary, replica
    finally:
        if replica:
            replica.stop()
        primary.stop()


def test_the_dashboard_reads_the_replica_and_writes_go_to_the_primary(clusters):
    primary, replica = clusters
    with psycopg.connect(replica.url(DATABASE)) as connection:
        assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)

    out = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "tests/replica_probe.py"], cwd=ROOT, capture_output=True, text=True,
        env=_app(primary.url(DATABASE), replica.url(DATABASE)), timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])

    behind, after = result["behind"], result["after"]
    # The new firm is on the primary, but the held-back replica does not have it yet: the
    # dashboard showed what the replica holds.
    assert result["businesses_on_primary"] == 4
    assert behind["registered_shown"] == 3, result
    assert behind["replica_queries"] > 0
    assert not [sql for sql in behind["primary_queries"] if "reporting_" in sql]
    # Replay resumed: the dashboard shows the firm written to the primary.
    assert after["registered_shown"] == 4
