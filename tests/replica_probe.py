"""Run by tests/test_read_replica.py in a process of its own, with DATABASE_URL pointing at a
private primary and DATABASE_REPLICA_URL at its streaming replica. Prints one JSON object:
what the ministry's dashboard showed and which database answered, as the replica lags.

    python tests/replica_probe.py"""

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.roles import Role  # noqa: E402
from core.sessions import TWO_FACTOR_VERIFIED_KEY  # noqa: E402
from core.tests.factories import UserFactory  # noqa: E402
from counselling.tests.factories import CaseFactory  # noqa: E402
from registrations.models import Business  # noqa: E402
from reporting.services import business_progress_refresh  # noqa: E402

FIRMS = 3


def replica_caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise RuntimeError("the replica did not catch up")


def replay(action: str) -> None:
    with connections["replica"].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def dashboard(client: Client) -> dict:
    """The registered-firms figure as shown, and the queries each database answered."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(reverse("reporting:progress"))
    assert response.status_code == 200, response.status_code  # noqa: S101
    shown = re.search(r'data-figure="registered" data-value="(\d+)"', response.text)
    return {
        "registered_shown": int(shown.group(1)),
        "primary_queries": [q["sql"] for q in primary.captured_queries],
        "replica_queries": len(replica.captured_queries),
    }


def main() -> dict:
    ministry = UserFactory(role=Role.MINISTRY)
    CaseFactory.create_batch(FIRMS)
    business_progress_refresh()
    replica_caught_up()

    client = Client()
    client.force_login(ministry)
    session = client.session
    session[TWO_FACTOR_VERIFIED_KEY] = True
    session.save()

    replay("pause")
    CaseFactory()  # a write while the replica is held back: the primary takes it
    business_progress_refresh()
    behind = dashboard(client)
    on_primary = Business.objects.using("default").count()
    replay("resume")
    replica_caught_up()
    after = dashboard(client)
    return {"behind": behind, "after": after, "businesses_on_primary": on_primary}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main()) + "\n")
