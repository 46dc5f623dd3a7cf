"""Writes for support menus: proposals and their lifecycle, the catalogue import, and the
stored best matches of open cases. Proposals are audited by django-simple-history and put on
the case timeline."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.validators import validate_past_date
from counselling.models import Case, CaseEvent
from counselling.selectors import concierge_contact
from counselling.services import (
    case_email_record,
    case_event_add,
    case_require_open,
    case_status_follow_work,
)
from registrations.services.mail import business_mail_enqueue, mail_business_of
from support_menus import selectors
from support_menus.models import CaseMenuRanking, Proposal, SupportMenu
from support_menus.resources import SupportMenuResource

logger = logging.getLogger(__name__)

CHOOSE_MENUS = _("Tick at least one menu to propose.")
NOT_ELIGIBLE = _("No longer eligible for this case: %(menus)s. Reload the ranking.")
ALREADY_PROPOSED = _("Already proposed on this case: %(menus)s.")
STATUS_NOT_ALLOWED = _("A proposal cannot move from %(current)s to %(new)s.")
DATE_BEFORE = _("The date cannot be before %(date)s, the proposal's previous step.")

# Where a proposal can go next. Menus without an application (consultations) go straight
# from proposed to adopted; the firm can decline at any point before completion.
PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    Proposal.Status.PROPOSED: frozenset(
        {Proposal.Status.APPLIED, Proposal.Status.ADOPTED, Proposal.Status.DECLINED}
    ),
    Proposal.Status.APPLIED: frozenset(
        {Proposal.Status.ADOPTED, Proposal.Status.REJECTED, Proposal.Status.DECLINED}
    ),
    Proposal.Status.ADOPTED: frozenset({Proposal.Status.COMPLETED, Proposal.Status.DECLINED}),
    Proposal.Status.REJECTED: frozenset(),
    Proposal.Status.DECLINED: frozenset(),
    Proposal.Status.COMPLETED: frozenset(),
}
# The date field each status records.
STATUS_DATE_FIELD = {
    Proposal.Status.APPLIED: "applied_on",
    Proposal.Status.ADOPTED: "decided_on",
    Proposal.Status.REJECTED: "decided_on",
    Proposal.Status.DECLINED: "decided_on",
    Proposal.Status.COMPLETED: "completed_on",
}


def _last_date(proposal: Proposal) -> datetime.date:
    dates = [proposal.proposed_on, proposal.applied_on, proposal.decided_on]
    return max(d for d in dates if d)


@transaction.atomic
def proposals_create(
    *, case: Case, menu_codes: list[str], note: str, actor: User, today: datetime.date
) -> list[Proposal]:
    """Propose the chosen menus on the case. The ranking is computed again here, so only menus
    eligible now can be proposed, and each keeps the score and reasons it has at this moment.
    A case at an earlier status moves to "proposals made" (the status follows the work); the
    firm is e-mailed the menus."""
    case_require_open(case)
    if not menu_codes:
        raise ValidationError({"menus": ValidationError(CHOOSE_MENUS, code="no_menus")})
    # One proposal batch at a time per case, so two clicks cannot propose a menu twice.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    matches = selectors.ranked_matches(case=case, today=today)
    not_eligible = sorted(code for code in menu_codes if code not in matches)
    if not_eligible:
        message = NOT_ELIGIBLE % {"menus": ", ".join(not_eligible)}
        raise ValidationError({"menus": ValidationError(message, code="not_eligible")})
    menus = {menu.code: menu for menu in SupportMenu.objects.filter(code__in=menu_codes)}
    already = sorted(
        case.proposals.filter(status__in=Proposal.ACTIVE_STATUSES, menu__code__in=menu_codes)
        .values_list("menu__name", flat=True)
    )  # fmt: skip
    if already:
        message = ALREADY_PROPOSED % {"menus": "、".join(already)}
        raise ValidationError({"menus": ValidationError(message, code="already_proposed")})
    labels = selectors.reason_labels()
    proposals = []
    # Reasons are kept in the program's language, as the record of why the menu was proposed.
    with translation.override(settings.LANGUAGE_CODE):
        for code in sorted(menu_codes, key=lambda c: (-matches[c].score, c)):
            match = matches[code]
            proposal = Proposal(
                case=case, menu=menus[code], score=match.score, note=note.strip(),
                reasons=[{"code": r.code, "text": text} for r, text in
                         zip(match.reasons, selectors.reasons_text(match.reasons, labels),
                             strict=True)],
                proposed_on=today, created_by=actor, updated_by=actor,
            )  # fmt: skip
            proposal.full_clean()
            proposal.save()
            proposals.append(proposal)
            case_event_add(case, CaseEvent.Kind.PROPOSAL,
                   gettext("Proposed: %(menu)s (score %(score)s)")
                   % {"menu": proposal.menu.name, "score": proposal.score}, actor)  # fmt: skip
    case_status_follow_work(case=case, reached=Case.Status.PROPOSALS, actor=actor)
    _proposals_email(case=case, proposals=proposals)
    return proposals


def _proposals_email(*, case: Case, proposals: list[Proposal]) -> None:
    contact = case.registration.contact
    concierge = concierge_contact(case)
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Support menus proposed for %(name)s") % {
            "name": case.registration.business.name
        }
        body = render_to_string(
            "support_menus/email/proposals.txt",
            {"contact": contact, "concierge": concierge, "proposals": proposals, "case": case,
             "site_url": settings.SITE_URL.rstrip("/")},
        )  # fmt: skip
    business_mail_enqueue(
        key=f"proposals:{case.pk}:{proposals[0].pk}",
        to=contact.email,
        subject=subject,
        body=body,
        business=mail_business_of(contact),
        reply_to=concierge.email,
    )
    case_email_record(case=case, subject=subject, to=contact.email)


@transaction.atomic
def proposal_status_change(
    *, proposal: Proposal, status: str, on: datetime.date, actor: User, note: str = ""
) -> Proposal:
    """Move a proposal along PROPOSAL_TRANSITIONS, recording the date of the step. An adoption
    moves a case at an earlier status to "in support" (the status follows the work)."""
    proposal = (
        Proposal.objects.select_for_update().select_related("case", "menu").get(pk=proposal.pk)
    )
    case_require_open(proposal.case)
    if status not in PROPOSAL_TRANSITIONS.get(proposal.status, frozenset()):
        message = STATUS_NOT_ALLOWED % {
            "current": proposal.get_status_display(), "new": Proposal.Status(status).label
        }  # fmt: skip
        raise ValidationError({"status": ValidationError(message, code="status_not_allowed")})
    try:
        validate_past_date(on)  # from the program's start year to today (ADR 0013)
    except ValidationError as error:
        raise ValidationError({"on": error}) from None
    previous = _last_date(proposal)
    if on < previous:
        message = DATE_BEFORE % {"date": previous.isoformat()}
        raise ValidationError({"on": ValidationError(message, code="date_before")})
    old = proposal.get_status_display()
    proposal.status = status
    setattr(proposal, STATUS_DATE_FIELD[status], on)
    proposal.updated_by = actor
    proposal.save(update_fields=["status", STATUS_DATE_FIELD[status], "updated_by", "updated_at"])
    summary = f"{proposal.menu.name}: {old} → {proposal.get_status_display()} ({on:%Y-%m-%d})"
    case_event_add(
        proposal.case, CaseEvent.Kind.PROPOSAL, summary + (f" {note}" if note else ""), actor
    )
    if status == Proposal.Status.ADOPTED:
        case_status_follow_work(case=proposal.case, reached=Case.Status.SUPPORT, actor=actor)
    return proposal


# --- The catalogue -------------------------------------------------------------------------


def catalogue_import(
    *, dataset, dry_run: bool, actor: User | None = None, rerank: bool = True, progress=None
):
    """Import every row of the dataset or none: any row error rolls the whole file back.
    Re-importing updates menus by code; a real import re-ranks the open cases after commit
    (unless the caller ranks them itself, as the demo seed does). `progress(phase, rows)` is
    told every so many rows (an import job)."""
    with transaction.atomic():
        return SupportMenuResource(actor=actor, progress=progress).import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
            rollback_on_validation_errors=True, rerank=rerank,
        )  # fmt: skip


# --- Stored best matches of open cases -------------------------------------------------------

RANKING_CHUNK_SIZE = 2000
RANKING_TOP = 3


def case_rankings_refresh(*, first_pk: int, last_pk: int, today: datetime.date) -> int:
    """Rank the open cases whose pk is in [first_pk, last_pk] and store each one's best
    matches; drop stored rankings of cases in the range that are no longer open. Safe to run
    again (an upsert), so a redelivered chunk is harmless. Returns the cases ranked."""
    catalogue, menus = selectors.catalogue_load()
    in_range = Case.objects.filter(pk__gte=first_pk, pk__lte=last_pk)
    profiles = selectors.case_profiles(in_range.filter(status__in=Case.OPEN_STATUSES), today=today)
    now = timezone.now()
    rows = []
    for case_id, profile in profiles:
        ranked = catalogue.rank(profile, explain_exclusions=False).ranked
        rows.append(
            CaseMenuRanking(
                case_id=case_id,
                top_menu=menus[ranked[0].menu.code] if ranked else None,
                top=[{"code": m.menu.code, "score": m.score} for m in ranked[:RANKING_TOP]],
                eligible_count=len(ranked),
                ranked_at=now,
            )
        )
    with transaction.atomic():
        CaseMenuRanking.objects.bulk_create(
            rows, batch_size=1000, update_conflicts=True, unique_fields=["case"],
            update_fields=["top_menu", "top", "eligible_count", "ranked_at"],
        )  # fmt: skip
        CaseMenuRanking.objects.filter(case__in=in_range).exclude(
            case__status__in=Case.OPEN_STATUSES
        ).delete()
    return len(rows)


def case_rankings_refresh_all(*, chunk_size: int = RANKING_CHUNK_SIZE) -> int:
    """Hand every open case to a chunk task, chunk_size cases per task (by pk range, so a
    message stays small whatever the number of cases), after dropping the stored rankings of
    cases that closed since. Returns the number of chunks."""
    from support_menus.tasks import case_rankings_refresh_task

    CaseMenuRanking.objects.exclude(case__status__in=Case.OPEN_STATUSES).delete()
    bounds = selectors.open_case_id_bounds(chunk_size=chunk_size)
    for first_pk, last_pk in bounds:
        case_rankings_refresh_task.delay(first_pk=first_pk, last_pk=last_pk)
    return len(bounds)


def case_rankings_refresh_all_on_commit() -> None:
    """After a catalogue change commits, re-rank the open cases. A broker outage only delays
    this to the nightly run, so it is logged, not raised."""
    from support_menus.tasks import case_rankings_refresh_all_task

    def kick() -> None:
        try:
            case_rankings_refresh_all_task.delay()
        except Exception:  # the nightly beat run re-ranks anyway
            logger.warning("Re-ranking not queued; the nightly run will do it.", exc_info=True)

    transaction.on_commit(kick)


# --- The catalogue import as a job (a large file uploaded in the admin) -----------------------

CATALOGUE_DRY_RUN_SUMMARY = _(
    "Would import %(file)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged."
)
CATALOGUE_SUMMARY = _(
    "Imported %(file)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged."
)


def catalogue_import_job_runner(job, data: bytes, progress) -> tuple[str, list[str]]:
    """Check and import a stored catalogue file, as the admin and the command do."""
    from support_menus.resources import (
        CatalogueFileError,
        dataset_read,
        file_format,
        result_errors,
    )

    try:
        dataset = dataset_read(data, job.options.get("format") or file_format(job.file_name))
    except CatalogueFileError as error:
        return "", [str(error)]
    result = catalogue_import(
        dataset=dataset, dry_run=job.dry_run, actor=job.requested_by, progress=progress
    )
    errors = [str(line) for line in result_errors(result)]
    if errors:
        return "", errors
    totals = result.totals
    message = CATALOGUE_DRY_RUN_SUMMARY if job.dry_run else CATALOGUE_SUMMARY
    return str(message % {
        "file": job.file_name, "new": totals.get("new", 0), "updated": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
    }), []  # fmt: skip
