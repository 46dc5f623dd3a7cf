"""Private servers for the tests that stop, restart or replicate a service: a PostgreSQL
cluster (initdb into a temporary directory) and, from it, a streaming replica. The shared
PostgreSQL and Redis are never touched. A missing server binary fails the test: it never skips.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def missing(what: str):
    """A missing server binary is a failure, never a skip (as a missing browser is)."""
    pytest.fail(f"{what} not found: these tests need redis-server and PostgreSQL's server binaries")


def binary(name: str) -> str:
    return shutil.which(name) or missing(name)


def pg_bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)  # noqa: S603, S607 (fixed arguments, looked up on PATH on purpose)
        candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return missing("PostgreSQL server binaries (initdb, pg_ctl)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """A throwaway cluster: initdb into a temporary directory, trust auth, no fsync."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="private-pg-"))
        self.as_postgres = os.geteuid() == 0  # the server refuses to run as root
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(  # noqa: S603 (our own arguments)
            [*prefix, *args], check=True, capture_output=True, timeout=timeout
        )

    def _ctl(self, action: str, *extra: str) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")  # fmt: skip
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                  str(self.dir / "server.log"), "-o", options, "-w", *extra, action)  # fmt: skip

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                  "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        self._ctl("start")

    def start_replica(self) -> "PrivatePostgres":
        """A hot standby of this cluster on a port of its own, streaming from it
        (pg_basebackup -R writes the standby signal and the connection to the primary)."""
        replica = PrivatePostgres()
        replica._run(str(self.bindir / "pg_basebackup"), "-D", str(replica.dir / "data"),
                     "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-R",
                     "-X", "stream", "--no-sync", "-c", "fast")  # fmt: skip
        replica._ctl("start")
        return replica

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
