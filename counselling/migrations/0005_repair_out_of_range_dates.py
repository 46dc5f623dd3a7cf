"""Repair rows whose dates no record can have, before the CHECK constraints of the next
migration are added (ADR 0013). A session typed as 0001-01-01 in Japan time was stored as a
BC timestamp, which psycopg cannot read: the case and registration lists answered 500.

- A session's held_at becomes its created_at (when it was entered: the best evidence left);
  the timeline line written with that session moves with it.
- A case's first and last contact are read again from its sessions.
- A target date or next-action date out of range is cleared (the concierge sets it again);
  a negative target amount is cleared; a realised date out of range becomes the day the case
  was closed.
- Every repaired row gets a history row saying why, and its case a timeline line. Bad values
  are compared in SQL, never read into Python."""

from django.conf import settings
from django.db import migrations
from django.db.models import F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.validators import REPAIR_EVENT, out_of_db_range, rows_repair


def repair(apps, schema_editor):
    Case = apps.get_model("counselling", "Case")
    CaseEvent = apps.get_model("counselling", "CaseEvent")
    Session = apps.get_model("counselling", "CounsellingSession")

    # The timeline line of a bad session has the same (bad) time: move it with the session,
    # before the session changes. Any other bad line takes its case's creation.
    bad_at = out_of_db_range("at", kind="timestamp")
    session_created = Session.objects.filter(
        case_id=OuterRef("case_id"), held_at=OuterRef("at")
    ).values("created_at")[:1]
    case_created = Case.objects.filter(pk=OuterRef("case_id")).values("created_at")[:1]
    CaseEvent.objects.filter(bad_at).update(
        at=Coalesce(Subquery(session_created), Subquery(case_created))
    )

    sessions = rows_repair(
        apps, "counselling", "CounsellingSession",
        [("held_at", "timestamp", F("created_at"), F("created_at"))],
    )  # fmt: skip
    case_ids = set(Session.objects.filter(pk__in=sessions).values_list("case_id", flat=True))

    first = Session.objects.filter(case_id=OuterRef("pk")).values("case_id").annotate(
        v=Min("held_at")).values("v")  # fmt: skip
    last = Session.objects.filter(case_id=OuterRef("pk")).values("case_id").annotate(
        v=Max("held_at")).values("v")  # fmt: skip
    cases = rows_repair(
        apps, "counselling", "Case",
        [("first_contact_at", "timestamp", Subquery(first), None),
         ("last_contact_at", "timestamp", Subquery(last), None),
         ("target_date", "date", None, None),
         ("next_action_due", "date", None, None),
         ("realised_on", "date", TruncDate("closed_at"), None),
         ("target_amount_yen", "yen", None, None)],
    )  # fmt: skip

    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        lines = {case_id: [gettext(Session._meta.get_field("held_at").verbose_name)]
                 for case_id in case_ids}  # fmt: skip
        for case_id, fields in cases.items():
            lines.setdefault(case_id, []).extend(
                gettext(Case._meta.get_field(field).verbose_name) for field in fields
            )
        CaseEvent.objects.bulk_create(
            CaseEvent(case_id=case_id, at=now, kind="status",
                      summary=str(REPAIR_EVENT % {"fields": "、".join(dict.fromkeys(fields))}))
            for case_id, fields in lines.items()
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("counselling", "0004_case_realised_on_historicalcase_realised_on"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
