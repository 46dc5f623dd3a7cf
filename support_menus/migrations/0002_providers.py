"""The providers of the starting catalogue (support_menus/data/providers.json); administrators
edit them in the admin. The menus themselves are imported with `manage.py catalogue import`."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "providers.json"


def load(apps, schema_editor):
    Provider = apps.get_model("support_menus", "Provider")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        Provider.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "url": row["url"]},
        )


class Migration(migrations.Migration):
    dependencies = [("support_menus", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
