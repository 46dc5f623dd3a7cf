"""Trigram indexes so the staff search (name / katakana contains …) stays fast at 100,000+
businesses: the search matches the normalised name (name_key) and the katakana
reading with LIKE. PostgreSQL only; on SQLite (`make run`) the search scans, which is fine there."""

from django.db import migrations

INDEXES = {
    "business_name_key_trgm": "name_key",
    "business_name_kana_trgm": "name_kana",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON registrations_business "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0002_registration_flow")]

    operations = [migrations.RunPython(create, drop)]
