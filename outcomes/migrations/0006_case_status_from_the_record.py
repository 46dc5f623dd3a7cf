"""Issue 15: the status follows the work. Before it, a case kept the status people set by hand,
so a case with a first session, three proposals and an adoption could still say 初回連絡済み,
and the partner, the ministry and the dashboard saw that. This migration puts each open case
where its record leaves it, by the rules of counselling.rules.status_after_work, frozen here
(status_from_record), and writes a timeline line and a history row for every case it moves.

The record is read with one query over the open cases (plus one per realised export found):
sessions (counselling), proposals and adoptions (support_menus), survey answers (outcomes), so
it lives in outcomes, the app at the top of what it reads. Realised and closed cases are left
as they are. A case a person moved back by hand (its history holds a later status of the work
than the one it has: proposals back to counselling when the firm declined every menu) is left
as it is too, except that an export reported in a survey realises it, as the answer does."""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import BooleanField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

# counselling.rules as of this migration.
WORK_ORDER = ("new", "contacted", "counselling", "proposals", "support")
OPEN_STATUSES = (*WORK_ORDER, "follow_up")
COUNSELLING_CHANNELS = ("meeting", "online", "phone")
ADOPTED = ("adopted", "completed")
RECOMPUTED = gettext_noop(
    "recomputed from the case's record (sessions, proposals, adoptions, survey answers) "
    "when the status started to follow the work"
)
HISTORY_REASON = "Issue 15: the status follows the work, recomputed from the case's record"


def status_from_record(
    current: str, *, contact: bool, counselling: bool, proposed: bool, adopted: bool,
    exported: bool, moved_back: bool,
) -> str:  # fmt: skip
    """The status an open case's record gives it: realised when a survey answer reports an
    export; else the furthest status the work reached (a contact → contacted, a counselling
    session → counselling, a proposal → proposals, an adoption → support) when it is later in
    WORK_ORDER than `current` and no person moved the case back; else `current`."""
    if current not in OPEN_STATUSES:
        return current
    if exported:
        return "realised"
    if current not in WORK_ORDER or moved_back:
        return current
    reached = (
        "support" if adopted else "proposals" if proposed else "counselling" if counselling
        else "contacted" if contact else "new"
    )  # fmt: skip
    return reached if WORK_ORDER.index(reached) > WORK_ORDER.index(current) else current


def _moved_back(history) -> SqlCase:
    """Whether the case's history holds a later status of the work than the one it has now."""
    held = history.objects.filter(id=OuterRef("pk"))
    return SqlCase(
        *(When(status=status, then=Exists(held.filter(status__in=WORK_ORDER[index + 1:])))
          for index, status in enumerate(WORK_ORDER[:-1])),
        default=Value(False), output_field=BooleanField(),
    )  # fmt: skip


def recompute(apps, schema_editor) -> int:
    """Move every open case to the status its record gives it; returns the cases moved."""
    Case = apps.get_model("counselling", "Case")
    HistoricalCase = apps.get_model("counselling", "HistoricalCase")
    CaseEvent = apps.get_model("counselling", "CaseEvent")
    Session = apps.get_model("counselling", "CounsellingSession")
    Proposal = apps.get_model("support_menus", "Proposal")
    SurveyResponse = apps.get_model("outcomes", "SurveyResponse")

    sessions = Session.objects.filter(case_id=OuterRef("pk"))
    proposals = Proposal.objects.filter(case_id=OuterRef("pk"))
    adoptions = proposals.filter(status__in=ADOPTED)
    exports = SurveyResponse.objects.filter(survey__case_id=OuterRef("pk"), export_realised="yes")
    rows = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .annotate(
            has_session=Exists(sessions),
            counselled=Exists(sessions.filter(
                channel__in=COUNSELLING_CHANNELS, contact_only=False, tags__isnull=False
            )),
            proposed=Exists(proposals),
            adopted=Exists(adoptions),
            adopted_on=Subquery(adoptions.order_by(F("decided_on").asc(nulls_last=True)).values("decided_on")[:1]),
            exported=Exists(exports),
            moved_back=_moved_back(HistoricalCase),
        )
        .values_list("pk", "status", "first_contact_at", "has_session", "counselled", "proposed",
                     "adopted", "adopted_on", "exported", "moved_back")
    )  # fmt: skip
    changes: dict[int, tuple[str, str, datetime.date | None]] = {}
    for (pk, status, first_contact_at, has_session, counselled, proposed, adopted, adopted_on,
         exported, moved_back) in rows.iterator(chunk_size=5000):  # fmt: skip
        new = status_from_record(
            status, contact=first_contact_at is not None or has_session, counselling=counselled,
            proposed=proposed, adopted=adopted, exported=exported, moved_back=moved_back,
        )  # fmt: skip
        if new != status:
            changes[pk] = (status, new, adopted_on)
    if not changes:
        return 0

    now = timezone.now()
    cases = list(Case.objects.filter(pk__in=changes))
    for case in cases:
        _old, new, adopted_on = changes[case.pk]
        case.status = new
        case.updated_at = now
        if new == "support" and case.support_started_at is None:
            # The day of the first adoption (the status would have moved then), else now.
            case.support_started_at = (
                timezone.make_aware(datetime.datetime.combine(adopted_on, datetime.time()))
                if adopted_on
                else now
            )
        if new == "realised":
            answer = (
                SurveyResponse.objects.filter(survey__case_id=case.pk, export_realised="yes")
                .order_by("survey__wave_months", "pk")
                .values_list("first_export_date", "answered_at")
                .first()
            )
            case.realised_on = answer[0] or timezone.localdate(answer[1])
            case.close_reason = "realised"
            case.closed_at = now
    Case.objects.bulk_update(
        cases, ["status", "updated_at", "support_started_at", "realised_on", "close_reason",
                "closed_at"], batch_size=1000,
    )  # fmt: skip

    names = [field.attname for field in Case._meta.concrete_fields]
    HistoricalCase.objects.bulk_create(
        (HistoricalCase(**row, history_date=now, history_type="~",
                        history_change_reason=HISTORY_REASON)
         for row in Case.objects.filter(pk__in=changes).values(*names)),
        batch_size=1000,
    )  # fmt: skip
    labels = dict(Case._meta.get_field("status").choices)
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext(RECOMPUTED)
        lines = {
            pk: f"{gettext(labels[old])} → {gettext(labels[new])}: {reason}"[:300]
            for pk, (old, new, _adopted_on) in changes.items()
        }
    CaseEvent.objects.bulk_create(
        (CaseEvent(case_id=pk, at=now, kind="status", summary=line) for pk, line in lines.items()),
        batch_size=1000,
    )
    return len(changes)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0005_progress_tables_moved_to_reporting"),
        ("counselling", "0008_session_contact_only"),
        ("support_menus", "0005_import_jobs"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
