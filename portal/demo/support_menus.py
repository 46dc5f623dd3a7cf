"""Demo data for seed_demo: the starting catalogue, proposals on the cases past counselling
(ranked by the real engine, so their reasons are the engine's), and the stored best matches."""

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone, translation

from counselling.models import Case, CaseEvent
from support_menus import selectors
from support_menus.models import Proposal, SupportMenu
from support_menus.resources import CATALOGUE_FILE, dataset_read, result_errors
from support_menus.services import RANKING_CHUNK_SIZE, case_rankings_refresh, catalogue_import

PROPOSAL_STATUSES = (
    Case.Status.PROPOSALS, Case.Status.SUPPORT, Case.Status.FOLLOW_UP, Case.Status.REALISED,
)  # fmt: skip
CHUNK = 5000
NOTES = [
    "まずは無料の相談窓口を活用してみてください。",
    "展示会の募集時期が近いので、早めのご検討をおすすめします。",
    "",
]


def catalogue_seed() -> int:
    """Import the shipped catalogue when there is none yet; return the menus imported."""
    if SupportMenu.objects.exists():
        return 0
    dataset = dataset_read(CATALOGUE_FILE.read_bytes(), "csv")
    result = catalogue_import(dataset=dataset, dry_run=False, rerank=False)
    if result.has_errors() or result.has_validation_errors():
        raise ValueError(
            "The shipped catalogue does not import: " + "; ".join(result_errors(result))
        )
    return result.totals.get("new", 0)


def _statuses(case_status: str, count: int, rng: random.Random) -> list[str]:
    first = {
        Case.Status.PROPOSALS: rng.choice([Proposal.Status.PROPOSED, Proposal.Status.APPLIED]),
        Case.Status.SUPPORT: Proposal.Status.ADOPTED,
        Case.Status.FOLLOW_UP: Proposal.Status.COMPLETED,
        Case.Status.REALISED: Proposal.Status.COMPLETED,
    }[case_status]
    rest = (
        [Proposal.Status.PROPOSED]
        if case_status == Case.Status.PROPOSALS
        else [Proposal.Status.DECLINED, Proposal.Status.REJECTED, Proposal.Status.COMPLETED]
    )
    return [first] + [rng.choice(rest) for _ in range(count - 1)]


def _dates(status: str, start, rng: random.Random) -> dict:
    today = timezone.localdate()
    applied = min(start + timedelta(days=rng.randint(3, 20)), today)
    decided = min(applied + timedelta(days=rng.randint(10, 45)), today)
    completed = min(decided + timedelta(days=rng.randint(30, 120)), today)
    dates = {"proposed_on": start}
    if status in (Proposal.Status.APPLIED, Proposal.Status.REJECTED, Proposal.Status.ADOPTED,
                  Proposal.Status.COMPLETED):  # fmt: skip
        dates["applied_on"] = applied
    if status in (Proposal.Status.REJECTED, Proposal.Status.DECLINED, Proposal.Status.ADOPTED,
                  Proposal.Status.COMPLETED):  # fmt: skip
        dates["decided_on"] = decided
    if status == Proposal.Status.COMPLETED:
        dates["completed_on"] = completed
    return dates


def proposals_seed(*, seed: int) -> int:
    """Propose the engine's best menus on every case past counselling, in bulk."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    catalogue, menus = selectors.catalogue_load()
    labels = selectors.reason_labels()
    regions = selectors.country_regions()
    today = timezone.localdate()
    cases = Case.objects.filter(status__in=PROPOSAL_STATUSES)
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(ids), CHUNK):
            chunk = cases.filter(pk__in=ids[start : start + CHUNK])
            rows = chunk.values_list("pk", "status", "first_contact_at", "concierge_id")
            facts = {row[0]: row[1:] for row in rows}
            proposals, events = [], []
            for case_id, profile in selectors.case_profiles(chunk, today=today, regions=regions):
                status, first_contact, concierge = facts[case_id]
                ranked = catalogue.rank(profile, explain_exclusions=False).ranked
                picked = ranked[: rng.randint(1, 3)]
                begin = timezone.localdate(first_contact) if first_contact else today
                start_on = min(begin + timedelta(days=rng.randint(7, 40)), today)
                for match, proposal_status in zip(
                    picked, _statuses(status, len(picked), rng), strict=True
                ):
                    menu = menus[match.menu.code]
                    proposals.append(Proposal(
                        case_id=case_id, menu=menu, status=proposal_status, score=match.score,
                        reasons=[{"code": r.code, "text": text} for r, text in
                                 zip(match.reasons, selectors.reasons_text(match.reasons, labels),
                                     strict=True)],
                        note=rng.choice(NOTES), created_by_id=concierge,
                        **_dates(proposal_status, start_on, rng),
                    ))  # fmt: skip
                    events.append(CaseEvent(
                        case_id=case_id, kind=CaseEvent.Kind.PROPOSAL, actor_id=concierge,
                        at=timezone.make_aware(datetime.combine(start_on, time(10))),
                        summary=f"提案: {menu.name}（スコア {match.score}）",
                    ))  # fmt: skip
            Proposal.objects.bulk_create(proposals, batch_size=5000)
            CaseEvent.objects.bulk_create(events, batch_size=5000)
            created += len(proposals)
    return created


def rankings_seed() -> int:
    """What the nightly job would have stored: every open case's best matches."""
    bounds = selectors.open_case_id_bounds(chunk_size=RANKING_CHUNK_SIZE)
    today = timezone.localdate()
    return sum(
        case_rankings_refresh(first_pk=first, last_pk=last, today=today) for first, last in bounds
    )
