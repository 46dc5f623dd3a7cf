"""Create the PostgreSQL database named in DATABASE_URL (for `make services` and `make bench`)."""

import psycopg
from django.db import connections


def _server_connection(db: dict) -> psycopg.Connection:
    params = {
        "dbname": "postgres",
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def database_ensure(*, alias: str = "default", recreate: bool = False) -> bool:
    """Create the database if it does not exist (drop it first when recreate); return whether
    it was created. Only for PostgreSQL: SQLite creates its file by itself."""
    db = connections[alias].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        return False
    connections[alias].close()
    name = db["NAME"]
    with _server_connection(db) as server:
        if recreate:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')
    return not exists
