"""Print bin/load's locust CSVs as a Markdown table, the ceiling ratio and the targets."""

import argparse
import csv
import os
import sys
from pathlib import Path

PHASES = (
    ("ceiling", "GET /healthz/ only"),
    ("register", "GET /register/ only"),
    ("mixed", "registrations + concierge, 1–3 s think time"),
    ("saturation", "registrations + concierge, no think time"),
)
P95_TARGET_MS = 300
RATIO_TARGET = 0.30
SETUP = {"/accounts/login/"}  # each concierge signs in once (on start): not a page under test


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def rows(directory: Path, phase: str) -> list[dict]:
    path = directory / f"{phase}_stats.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ms(value: str) -> str:
    return "n/a" if value in ("", "N/A") else f"{float(value):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    say(f"\n## Load: {args.users} concurrent users, gunicorn {args.workers} sync workers, "
          f"{os.cpu_count()} CPUs (locust on the same machine)\n")  # fmt: skip
    say("| phase | endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    say("|---|---|---:|---:|---:|---:|---:|---:|")
    by_phase: dict[str, dict[str, dict]] = {}
    for phase, label in PHASES:
        stats = rows(args.directory, phase)
        by_phase[phase] = {r["Name"]: r for r in stats}
        for r in stats:
            name = "**overall**" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
            say(f"| {label} | {name} | {r['Request Count']} | {r['Failure Count']} | "
                  f"{float(r['Requests/s']):.1f} | {ms(r['50%'])} | {ms(r['95%'])} | "
                  f"{ms(r['99%'])} |")  # fmt: skip

    ceiling = by_phase["ceiling"].get("/healthz/")
    page = by_phase["register"].get("/register/")
    ratio = None
    if ceiling and page and float(ceiling["Requests/s"]):
        ratio = float(page["Requests/s"]) / float(ceiling["Requests/s"])
        say(f"\nRegistration page / ceiling: {float(page['Requests/s']):.1f} / "
              f"{float(ceiling['Requests/s']):.1f} req/s = **{ratio:.0%}**")  # fmt: skip

    mixed = by_phase["mixed"]
    errors = sum(int(r["Failure Count"]) for p in by_phase.values() for n, r in p.items()
                 if n != "Aggregated")  # fmt: skip
    worst = max(
        (
            (float(r["95%"]), n)
            for n, r in mixed.items()
            if n not in SETUP | {"Aggregated"} and r["95%"] != "N/A"
        ),
        default=(float("nan"), "-"),
    )
    say("\n| target | expected | observed | holds |")
    say("|---|---|---|---|")
    checks = [
        ("errors (all phases)", "0", str(errors), errors == 0),
        (f"p95 per page at {args.users} users (mixed; sign-in excluded)", f"< {P95_TARGET_MS} ms",
         f"{worst[0]:.0f} ms ({worst[1]})", worst[0] < P95_TARGET_MS),
        ("registration page / ceiling", f">= {RATIO_TARGET:.0%}",
         "n/a" if ratio is None else f"{ratio:.0%}", ratio is not None and ratio >= RATIO_TARGET),
    ]  # fmt: skip
    for name, expected, observed, holds in checks:
        say(f"| {name} | {expected} | {observed} | {'yes' if holds else '**no**'} |")
    for phase, _label in PHASES:
        failures = args.directory / f"{phase}_failures.csv"
        if failures.exists() and len(failures.read_text(encoding="utf-8").splitlines()) > 1:
            say(f"\nFailures ({phase}):\n```\n{failures.read_text(encoding='utf-8')}```")


if __name__ == "__main__":
    main()
