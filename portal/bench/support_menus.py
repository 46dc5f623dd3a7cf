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


def ranking_rows(*, repeat: int, broker_url: str = "") -> list[Row]:
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
                 f"({chunks} chunk tasks run eagerly in one process; {ranked:,} rankings stored)",
                 f"{elapsed:.1f} s ({open_cases / elapsed:,.0f} cases/s)", "", ""))  # fmt: skip
    if broker_url:
        rows.append(_rerank_with_worker(broker_url, open_cases, len(catalogue)))
    return rows


def _rerank_with_worker(broker_url: str, open_cases: int, menus: int) -> Row:
    """The same job as in production: published to Redis, consumed by a Celery worker
    (prefork, one process per core) started for the measurement and stopped after it."""
    import os
    import subprocess
    import sys

    from celery import current_app as app

    env = {**os.environ, "CELERY_BROKER_URL": broker_url}
    worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "WARNING",
         "--concurrency", str(os.cpu_count() or 2), "--without-gossip", "--without-mingle"],
        env=env,
    )  # fmt: skip
    eager, old_url = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, broker_url
    _forget_connections(app)
    try:
        time.sleep(8)  # the worker boots and connects
        app.control.purge()
        started_at = timezone.now()
        started = time.monotonic()
        chunks = case_rankings_refresh_all()
        fresh = CaseMenuRanking.objects.filter(ranked_at__gte=started_at)
        while fresh.count() < open_cases and time.monotonic() - started < 300:
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        done = fresh.count()
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, old_url
        _forget_connections(app)
        worker.terminate()
        worker.wait(timeout=60)
    return (f"job: re-rank {done:,} of {open_cases:,} open cases against {menus} menus through "
            f"Redis ({chunks} chunk tasks, a Celery worker of {os.cpu_count()} processes)",
            f"{elapsed:.1f} s ({done / elapsed:,.0f} cases/s)", "", "")  # fmt: skip


def _forget_connections(app) -> None:
    """Drop the broker connections made under the old URL (kombu keeps a global registry)."""
    from kombu import pools

    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
