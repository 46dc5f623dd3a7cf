"""The providers of the starting catalogue (support_menus/data/providers.json; administrators
edit them in the admin). Loaded by the data migration with historical models, and by the tests
that flush the database. The menus themselves are imported with `manage.py catalogue import`."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "providers.json"


def reference_data_load(apps) -> None:
    """Insert or update every provider; safe to run again."""
    Provider = apps.get_model("support_menus", "Provider")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        Provider.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "name_en": row["name_en"], "url": row["url"]},
        )
