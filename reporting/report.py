"""The outcome report (seed 001's tables): per group, how many firms answered, how many
realised an export, and among those the target achievement, the trajectory, their own efforts
and the fee they would accept. Pure arithmetic over answer rows, so it is tested against
hand-computed figures; reporting.selectors feeds it from the database.

Each firm (case) counts once, with its most recent answer. Percentages have one decimal,
rounded half up (12.25 → 12.3), and a percentage of nothing is shown as empty."""

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CSV_COLUMNS = (
    "group", "respondents", "succeeded", "succeeded_pct", "target_achieved",
    "target_achieved_pct", "target_missed_or_unset", "target_missed_or_unset_pct",
    "trajectory_increased", "trajectory_flat", "trajectory_decreased", "own_efforts_any",
    "willing_to_pay", "fee_le100k", "fee_le200k", "fee_le300k", "fee_gt300k",
)  # fmt: skip
TRAJECTORIES = ("increased", "flat", "decreased")
PAID_FEE_BANDS = ("le100k", "le200k", "le300k", "gt300k")
OWN_EFFORTS = ("pr", "hiring", "product", "own_ec", "own_fairs", "sales", "other")
# After the required columns: each own effort's count among the successes.
CSV_HEADER = CSV_COLUMNS + tuple(f"own_effort_{effort}" for effort in OWN_EFFORTS)


@dataclass(frozen=True)
class Answer:
    """One firm's most recent answer, with the groups it counts in."""

    groups: tuple[str, ...]
    export_realised: str  # yes | no | negotiating
    target_achieved: str  # yes | no | ""
    trajectory: str  # increased | flat | decreased | ""
    own_efforts: tuple[str, ...]
    fee_band: str  # 0 | le100k | le200k | le300k | gt300k | ""


def pct(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, rounded half up; None for 0 / 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class GroupFigures:
    group: str
    respondents: int = 0
    succeeded: int = 0
    target_achieved: int = 0
    trajectory: Counter = field(default_factory=Counter)
    own_efforts: Counter = field(default_factory=Counter)  # among successes, multi-answer
    own_efforts_any: int = 0
    fee_bands: Counter = field(default_factory=Counter)  # among all respondents

    @property
    def target_missed_or_unset(self) -> int:
        return self.succeeded - self.target_achieved

    @property
    def willing_to_pay(self) -> int:
        return sum(self.fee_bands[band] for band in PAID_FEE_BANDS)

    def add(self, answer: Answer) -> None:
        self.respondents += 1
        if answer.fee_band:
            self.fee_bands[answer.fee_band] += 1
        if answer.export_realised != "yes":
            return
        self.succeeded += 1
        self.target_achieved += answer.target_achieved == "yes"
        if answer.trajectory:
            self.trajectory[answer.trajectory] += 1
        self.own_efforts.update(set(answer.own_efforts))
        self.own_efforts_any += bool(answer.own_efforts)

    def csv_row(self) -> list:
        """The report's leading columns (CSV_COLUMNS), then each own effort's count."""
        return [
            self.group, self.respondents, self.succeeded,
            pct(self.succeeded, self.respondents), self.target_achieved,
            pct(self.target_achieved, self.succeeded), self.target_missed_or_unset,
            pct(self.target_missed_or_unset, self.succeeded),
            *(self.trajectory[t] for t in TRAJECTORIES), self.own_efforts_any,
            self.willing_to_pay, *(self.fee_bands[band] for band in PAID_FEE_BANDS),
            *(self.own_efforts[effort] for effort in OWN_EFFORTS),
        ]  # fmt: skip

    def share_of_successes(self, count: int) -> Decimal | None:
        return pct(count, self.succeeded)

    def share_of_payers(self, count: int) -> Decimal | None:
        return pct(count, self.willing_to_pay)


def outcome_figures(answers: Iterable[Answer], *, order: Iterable[str] = ()) -> list[GroupFigures]:
    """The figures per group; an answer counts once in each of its groups. Groups come in
    `order` first (those with no answer too), then the others alphabetically."""
    groups: dict[str, GroupFigures] = defaultdict(lambda: GroupFigures(""))
    for answer in answers:
        for group in answer.groups:
            figures = groups[group]
            figures.group = group
            figures.add(answer)
    ordered = [groups[group] if group in groups else GroupFigures(group) for group in order]
    return ordered + [groups[group] for group in sorted(set(groups) - set(order))]


def outcome_report_csv(figures) -> str:
    """The report as CSV: the required columns in order, then each own effort's count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for group in figures:
        writer.writerow(["" if value is None else value for value in group.csv_row()])
    return out.getvalue()
