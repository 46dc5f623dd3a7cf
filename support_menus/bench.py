"""Benchmark rows for support menus, used by `manage.py bench` on its throwaway database:
ranking one case against the whole catalogue, and re-ranking every open case."""

import random
import statistics
import time

from django.utils import timezone

from counselling.models import Case
from support_menus import selectors
from support_menus.models import CaseMenuRanking, SupportMenu
from support_menus.services import case_rankings_refresh_all

Row = tuple[str, str, str, str]


def catalogue_top_up(target: int) -> list[Row]:
    """Grow the catalogue to `target` menus with variants of the shipped ones (other codes,
    stages, issues and restrictions), as a national catalogue of several hundred would be."""
    menus = list(SupportMenu.objects.prefetch_related("issue_tags", "industries"))
    missing = target - len(menus)
    if missing <= 0 or not menus:
        return []
    rng = random.Random(300)  # noqa: S311 (a measurement aid)
    stage_sets = [["preparation"], ["challenge"], ["expansion"], ["preparation", "challenge"],
                  ["challenge", "expansion"]]  # fmt: skip
    sizes = [[], [], ["small", "sme"], ["small"], ["small", "sme", "mid"]]
    variants = []
    for i in range(missing):
        base = menus[i % len(menus)]
        variants.append(SupportMenu(
            code=f"bench-{i:04d}-{base.code}"[:60], name=f"{base.name}（地域版 {i}）",
            provider_id=base.provider_id, category=base.category, summary=base.summary,
            url=base.url, stages=rng.choice(stage_sets), size_classes=rng.choice(sizes),
            corporation_only=rng.random() < 0.1, ec_experience=base.ec_experience,
            challenge_types=rng.choice([[], [], ["first_export"], ["new_market", "new_method"]]),
            requires_target=rng.random() < 0.2,
            destination_regions=rng.choice([[], [], ["asia"], ["north_america", "europe"]]),
        ))  # fmt: skip
    SupportMenu.objects.bulk_create(variants)
    tags = {menu.code: list(menu.issue_tags.all()) for menu in menus}
    Through = SupportMenu.issue_tags.through
    Through.objects.bulk_create(
        Through(supportmenu_id=variant.pk, issuetag_id=tag.pk)
        for i, variant in enumerate(variants)
        for tag in tags[menus[i % len(menus)].code]
    )
    return [(f"job: catalogue topped up to {SupportMenu.objects.count()} menus", "", "", "")]


def ranking_rows(*, repeat: int) -> list[Row]:
    catalogue, _menus = selectors.catalogue_load()
    cases = Case.objects.filter(status__in=Case.OPEN_STATUSES).order_by("?")[: max(repeat, 200)]
    profiles = selectors.case_profiles(
        Case.objects.filter(pk__in=[c.pk for c in cases]), today=timezone.localdate()
    )
    timings = []
    for _case_id, profile in profiles:
        started = time.perf_counter()
        catalogue.rank(profile)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    rows = [(f"rank one case against {len(catalogue)} menus, reasons and exclusions explained "
             f"({len(timings)} cases)", f"{statistics.median(timings):.2f} ms",
             f"{p95:.2f} ms", "0")]  # fmt: skip

    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES).count()
    started = time.monotonic()
    chunks = case_rankings_refresh_all()  # eager here: every chunk task runs in this process
    elapsed = time.monotonic() - started
    ranked = CaseMenuRanking.objects.count()
    rows.append((f"job: re-rank {open_cases:,} open cases against {len(catalogue)} menus "
                 f"({chunks} chunk tasks, one process; {ranked:,} rankings stored)",
                 f"{elapsed:.1f} s ({open_cases / elapsed:,.0f} cases/s)", "", ""))  # fmt: skip
    return rows
