"""Repair catalogue and proposal rows whose dates or amounts no record can have, before the
CHECK constraints of the next migration are added (ADR 0013).

- A menu's application window date out of range is cleared (window unknown); a negative
  subsidy cap is cleared.
- A proposal's proposed date out of range becomes the day it was created; a later step's date
  (applied, decided, completed) becomes the day the proposal was last changed.
- Every repaired row gets a history row saying why."""

from django.db import migrations
from django.db.models.functions import TruncDate

from core.validators import rows_repair


def repair(apps, schema_editor):
    rows_repair(
        apps, "support_menus", "SupportMenu",
        [("opens_on", "date", None, None), ("closes_on", "date", None, None),
         ("subsidy_cap_yen", "yen", None, None)],
    )  # fmt: skip
    created, changed = TruncDate("created_at"), TruncDate("updated_at")
    rows_repair(
        apps, "support_menus", "Proposal",
        [("proposed_on", "date", created, created), ("applied_on", "date", changed, changed),
         ("decided_on", "date", changed, changed), ("completed_on", "date", changed, changed)],
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("support_menus", "0002_providers"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
