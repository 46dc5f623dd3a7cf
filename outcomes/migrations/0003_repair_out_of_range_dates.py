"""Repair survey answers whose dates or amounts no record can have, before the CHECK
constraint of the next migration is added (ADR 0013).

- A first-export date out of range is cleared (the answer still says whether the firm
  exported; the case keeps its own realised date, repaired by the counselling migration).
- An answer time out of range becomes the time the answer was stored (created_at).
- A negative amount is cleared.
- Every repaired row gets a history row saying why. Bad values are compared in SQL, never
  read into Python."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

from core.validators import out_of_db_range, rows_repair


def repair(apps, schema_editor):
    rows_repair(
        apps, "outcomes", "SurveyResponse",
        [("first_export_date", "date", None, None),
         ("answered_at", "timestamp", F("created_at"), F("created_at")),
         ("amount_yen", "yen", None, None)],
    )  # fmt: skip
    # The survey's own answered_at copies the answer's.
    Survey = apps.get_model("outcomes", "Survey")
    SurveyResponse = apps.get_model("outcomes", "SurveyResponse")
    from django.db.models import OuterRef, Subquery

    from core.validators import out_of_db_range

    answered = SurveyResponse.objects.filter(survey_id=OuterRef("pk")).values("answered_at")[:1]
    Survey.objects.filter(out_of_db_range("answered_at", kind="timestamp")).update(
        answered_at=Subquery(answered)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_progress_reports"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
