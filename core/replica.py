"""Reads from a streaming replica for the reporting pages, when one is configured.

Set DATABASE_REPLICA_URL and the settings add a "replica" database and this router. Code that
only reports (the dashboard, the evidence pages, the exports) runs inside `replica_reads()`:
its reads go to the replica, every write still goes to the primary. Without the setting, or
outside the block, everything reads the primary. The replica may be a second or so behind:
only pages whose figures may lag a little (they already come from a fact table refreshed every
few minutes) read from it; nothing reads there what it has just written."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Within the block, reads go to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_view(view):
    """A view whose reads go to the replica. The signed-in user and the session are read from
    the primary first: a session saved a moment ago may not have reached the replica yet."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.user.is_authenticated  # noqa: B018 (loads the user and session here)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads inside replica_reads() go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
