"""What counselling's models hold about people (core.personal_data)."""

from django.db.models import Q
from django.utils.translation import ngettext_lazy

from core.personal_data import (
    ANONYMISED_NAME,
    BLANK,
    BY_HOOK,
    IDENTIFYING_BLANK,
    Export,
    ModelData,
    Preview,
)
from counselling.models import Case, CounsellingSession
from counselling.selectors import case_history_matches
from counselling.services import case_history_erase
from registrations.models import Registration

CASE = "counselling.Case"
PATH = "case__registration__business"


def _case_running(cutoff) -> Q:
    """A case keeps its firm from retention while it is open, or until RETENTION_YEARS after
    it ended: closed, or (realised, not closed) when the export was realised; one with neither
    date cannot be dated and is kept. A withdrawn registration's case does not count."""
    ended_long_ago = Q(closed_at__lt=cutoff) | Q(
        closed_at__isnull=True, realised_on__lt=cutoff.date()
    )
    return (Q(status__in=Case.OPEN_STATUSES) | ~ended_long_ago) & ~Q(
        registration__status=Registration.Status.WITHDRAWN
    )


def _timeline_erase(*, rows, texts, actor) -> None:
    """The timeline and stage history are append-only: their one erasure path."""
    case_history_erase(cases=rows, secrets=texts, replacement=ANONYMISED_NAME)


DECLARATIONS = (
    ModelData("counselling.IssueTag", None, not_personal=frozenset({"code", "name"})),
    ModelData(
        CASE, "registration__business",
        personal={"target_product": IDENTIFYING_BLANK, "next_action": BLANK},
        not_personal=frozenset({"status", "stage", "target_country", "close_reason"}),
        activity=_case_running,
        erase_hook=_timeline_erase,
        export=Export("registrations.Registration", "registration", "case", many=False,
                      omit_missing=True),
        preview=Preview(
            "erase-timeline",
            ngettext_lazy(
                "Names and addresses in %(counter)s line of the case timeline",
                "Names and addresses in %(counter)s lines of the case timeline", "counter",
            ),
            count=lambda rows, texts: case_history_matches(cases=rows, texts=texts),
        ),
    ),
    ModelData(
        "counselling.CounsellingSession", PATH,
        personal={"notes": BLANK, "attendees": BLANK},
        not_personal=frozenset({"channel", "stage_assessed"}),
        export=Export(CASE, "case", "sessions", order_by=("held_at",),
                      rows=lambda rows: rows.prefetch_related("tags"),
                      more=lambda session: {"issues": [tag.name for tag in session.tags.all()]},
                      labels={"issues": CounsellingSession._meta.get_field("tags").verbose_name}),
        preview=Preview(
            "erase-sessions",
            ngettext_lazy(
                "The notes and attendees of %(counter)s counselling session",
                "The notes and attendees of %(counter)s counselling sessions", "counter",
            ),
        ),
    ),
    ModelData(
        "counselling.StageChange", PATH,
        personal={"reason": BY_HOOK},  # the case's hook erases the firm's names in it
        not_personal=frozenset({"from_stage", "to_stage"}),
        export=Export(CASE, "case", "stage_changes", order_by=("created_at",)),
    ),
    # A staff note on the support review, kept as it was before issue 14 (see the report).
    ModelData("counselling.SupportReview", PATH, not_personal=frozenset({"decision", "note"})),
    ModelData(
        "counselling.CaseEvent", PATH,
        personal={"summary": BY_HOOK},  # the case's hook erases the firm's names in it
        not_personal=frozenset({"kind"}),
        export=Export(CASE, "case", "timeline", order_by=("at",)),
    ),
)  # fmt: skip
