"""Integration: bin/backup and bin/restore with the real pg_dump / pg_restore (issue 8).

The test database is dumped with committed demo data, restored into a fresh database next to
it, and the two are compared table by table with psycopg, independently of the scripts' own
manifest check. Needs the PostgreSQL client tools; a missing pg_dump is a failure, not a skip.
"""

import os
import stat
import subprocess
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from counselling.models import CounsellingSession
from registrations.models import Business, Contact

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

ROOT = Path(__file__).resolve().parent.parent


def server_params() -> dict:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or "",
    }


def database_url(name: str) -> str:
    p = server_params()
    password = f":{quote(p['password'], safe='')}" if p["password"] else ""
    return f"postgres://{quote(p['user'], safe='')}{password}@{p['host']}:{p['port']}/{name}"


def connect(name: str) -> psycopg.Connection:
    return psycopg.connect(dbname=name, autocommit=True, **server_params())


def run(*args, database: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    return subprocess.run(  # noqa: S603 (our own scripts, fixed arguments)
        [str(ROOT / "bin" / args[0]), *map(str, args[1:])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def table_counts(name: str) -> dict[str, int]:
    with connect(name) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
            ).fetchone()[0]
            for (table,) in tables
        }


def sequence_values(name: str) -> dict[str, int | None]:
    with connect(name) as conn:
        return dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )


def manifest_counts(manifest: Path) -> dict[str, int]:
    header, *lines = manifest.read_text(encoding="utf-8").splitlines()
    assert header == "table\trows"
    return {table: int(rows) for table, rows in (line.split("\t") for line in lines)}


def drop_database(name: str) -> None:
    with connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def source_db() -> str:
    return connection.settings_dict["NAME"]


@pytest.fixture
def restore_db(source_db):
    """A database name next to the test database, absent before and dropped after."""
    name = f"{source_db}_restore"
    drop_database(name)
    try:
        yield name
    finally:
        drop_database(name)


def backup(tmp_path: Path, source_db: str) -> Path:
    dump = tmp_path / "backups" / "export_support.dump"
    result = run("backup", dump, database=source_db)
    assert result.returncode == 0, result.stderr
    assert str(dump) in result.stdout
    return dump


def test_backup_and_restore_round_trip(tmp_path, source_db, restore_db):
    call_command("seed_demo", businesses=30, seed=8, stdout=StringIO())
    assert Business.objects.count() == 30
    source = table_counts(source_db)

    dump = backup(tmp_path, source_db)
    manifest = Path(f"{dump}.counts.tsv")
    # Private files: the dump holds names, e-mail addresses and counselling notes.
    for path in (dump, manifest):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert manifest_counts(manifest) == source

    result = run("restore", dump, database_url(restore_db), database=source_db)
    assert result.returncode == 0, result.stderr
    assert f"{len(source)} tables, {sum(source.values())} rows" in result.stdout
    assert "matches" in result.stdout

    restored = table_counts(restore_db)
    assert list(restored) == list(source)
    assert restored == source
    # The demo data set, not just empty tables and reference data.
    assert restored[Business._meta.db_table] == 30
    assert restored[CounsellingSession._meta.db_table] > 30
    # Identity sequences come back where they were: new rows will not collide.
    assert sequence_values(restore_db) == sequence_values(source_db)

    business = Business.objects.filter(corporate_number__isnull=False).order_by("id").first()
    contact = Contact.objects.filter(business=business).order_by("id").first()
    session = CounsellingSession.objects.exclude(notes="").order_by("id").first()
    assert any(ord(ch) > 0x3000 for ch in business.name)  # Japanese text to carry over
    with connect(restore_db) as conn:
        assert conn.execute(
            sql.SQL("SELECT name, name_kana, corporate_number FROM {} WHERE id = %s").format(
                sql.Identifier(Business._meta.db_table)
            ),
            [business.id],
        ).fetchone() == (business.name, business.name_kana, business.corporate_number)
        assert conn.execute(
            sql.SQL("SELECT name, email FROM {} WHERE id = %s").format(
                sql.Identifier(Contact._meta.db_table)
            ),
            [contact.id],
        ).fetchone() == (contact.name, contact.email)
        assert conn.execute(
            sql.SQL("SELECT notes FROM {} WHERE id = %s").format(
                sql.Identifier(CounsellingSession._meta.db_table)
            ),
            [session.id],
        ).fetchone() == (session.notes,)
        assert conn.execute(
            "SELECT pg_encoding_to_char(encoding) FROM pg_database"
            " WHERE datname = current_database()"
        ).fetchone() == ("UTF8",)


def test_restore_refuses_a_database_that_has_tables_unless_forced(tmp_path, source_db, restore_db):
    dump = backup(tmp_path, source_db)
    source = table_counts(source_db)
    with connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restore_db)))
    with connect(restore_db) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('残すべきデータ')")

    result = run("restore", dump, database_url(restore_db), database=source_db)

    assert result.returncode != 0
    assert f'refusing to restore into database "{restore_db}"' in result.stderr
    assert "--force" in result.stderr
    assert table_counts(restore_db) == {"notes": 1}
    with connect(restore_db) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("残すべきデータ",)]

    # --force restores the dump's objects; a table that is not the dump's stays, and the
    # verification reports it. (A bare name restores on the server of DATABASE_URL.)
    result = run("restore", "--force", dump, restore_db, database=source_db)
    assert result.returncode != 0
    assert "notes: not in the dump (1 rows in the target)" in result.stderr
    assert table_counts(restore_db) == {**source, "notes": 1}

    # Over a damaged earlier restore, --force puts every row back and the check passes.
    with connect(restore_db) as conn:
        conn.execute("DROP TABLE notes")
        conn.execute("TRUNCATE core_prefecture CASCADE")
    assert table_counts(restore_db) != source
    result = run("restore", dump, restore_db, "--force", database=source_db)
    assert result.returncode == 0, result.stderr
    assert table_counts(restore_db) == source
