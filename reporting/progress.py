"""Arithmetic of the progress dashboard and its exports, kept free of the database so it is
tested against hand-computed figures: breakdown tables with totals and shares, the change of
a figure over the period, and the small-cell suppression of open-data tables."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reporting.report import pct

# Open data: a count of fewer than this many firms (but more than none) is not published.
SUPPRESSION_THRESHOLD = 3
SUPPRESSED = "X"
SUPPRESSION_RULE = _(
    "Cells counting 1 or 2 firms are suppressed and shown as X (primary suppression). Where "
    "a column of a table would then have exactly one suppressed cell, its next smallest "
    "non-zero cell is suppressed as well, so that no suppressed figure can be worked out "
    "from the total (secondary suppression). Totals of 1 or 2 firms are suppressed too. "
    "Shares are suppressed where their count is."
)

# The measures of the firm breakdowns, in funnel order.
FUNNEL = ("registered", "counselled", "proposed", "realised")
FUNNEL_LABELS = {
    "registered": pgettext_lazy("firms", "Registered"),
    "counselled": _("Counselled"),
    "proposed": _("Menus proposed"),
    "realised": _("Exports realised"),
}

# The headline figures, each with the one text that says what it counts, on every page that
# shows it (the dashboard, the ministry's and the administrator's home, a partner's funnel).
HEADLINE_FIGURES = ("registered", "counselled", "proposed", "adopted", "realised")
HEADLINE_LABELS = {
    "registered": pgettext_lazy("headline", "Registered firms"),
    "counselled": pgettext_lazy("headline", "Firms counselled"),
    "proposed": pgettext_lazy("headline", "Firms proposed menus"),
    "adopted": pgettext_lazy("headline", "Firms with a menu adopted"),
    "realised": pgettext_lazy("headline", "Firms that realised an export"),
}
FIGURE_DEFINITIONS = {
    "registered": _(
        "Firms with at least one completed registration, each counted once. Withdrawn "
        "registrations, registrations still waiting for the firm's consent and firms merged "
        "into another as duplicates are not counted; firms whose data was deleted still count."
    ),
    "counselled": _(
        "Registered firms a JETRO concierge has contacted or counselled at least once."
    ),
    "proposed": _("Registered firms that have been proposed at least one support menu."),
    "adopted": _(
        "Registered firms with at least one proposed support menu adopted (or completed)."
    ),
    "realised": _(
        "Registered firms whose export has been realised (reported in a follow-up survey "
        "or recorded by the concierge)."
    ),
    "rate": _("Firms whose export was realised, as a share of registered firms."),
    "first_contact_days": _(
        "Median days from registration to a concierge's first contact, over the registered "
        "firms first contacted in the period."
    ),
}


@dataclass
class BreakdownRow:
    code: str
    label: str
    values: dict[str, int]


@dataclass
class Breakdown:
    """One table of the dashboard (and of the aggregate export): counts of firms per
    category for one or more measures, with the total of each measure."""

    key: str
    title: str
    description: str
    measures: Sequence[str]
    measure_labels: dict[str, str]
    rows: list[BreakdownRow]
    # A category may be counted in several rows (e.g. a firm exporting to two regions), so
    # the total of firms is given rather than summed from the rows.
    totals: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        for measure in self.measures:
            self.totals.setdefault(measure, sum(row.values.get(measure, 0) for row in self.rows))

    @property
    def chart_size(self) -> str:
        """A CSS size class for a horizontal bar chart of this many categories."""
        if len(self.rows) > 25:
            return "chart-tall"
        return "chart-medium" if len(self.rows) > 10 else ""

    @property
    def columns(self) -> list[dict]:
        """Each measure with its label and total, for table headers and footers."""
        return [
            {"key": m, "label": self.measure_labels[m], "total": self.totals.get(m, 0)}
            for m in self.measures
        ]

    def share(self, row: BreakdownRow, measure: str | None = None) -> Decimal | None:
        """The row's share of the total, in % with one decimal."""
        measure = measure or self.measures[0]
        return pct(row.values.get(measure, 0), self.totals.get(measure, 0))

    def table(self) -> list[dict]:
        """Rows for templates: label, each measure's value, and the first measure's share."""
        return [
            {"code": row.code, "label": row.label,
             "values": [row.values.get(measure, 0) for measure in self.measures],
             "share": self.share(row)}
            for row in self.rows
        ]  # fmt: skip

    def chart(self) -> dict:
        """Chart.js data: one dataset per measure."""
        return {
            "labels": [row.label for row in self.rows],
            "datasets": [
                {"label": str(self.measure_labels[measure]),
                 "data": [row.values.get(measure, 0) for row in self.rows]}
                for measure in self.measures
            ],
        }  # fmt: skip


def breakdown(
    key: str, title, description, counts: dict[str, dict[str, int]],
    categories: Iterable[tuple[str, str]], measures: Sequence[str] = FUNNEL,
    measure_labels: dict | None = None, totals: dict[str, int] | None = None,
) -> Breakdown:  # fmt: skip
    """A breakdown listing every category in the order given (zero where none), then any
    category met in the data but unknown to the list, last."""
    categories = list(categories)
    known = {code for code, _label in categories}
    extra = [(code, str(_("Not recorded")) if code in ("", None) else code)
             for code in counts if code not in known]  # fmt: skip
    rows = [
        BreakdownRow(code or "", str(label), {m: counts.get(code, {}).get(m, 0) for m in measures})
        for code, label in categories + extra
    ]
    return Breakdown(
        key=key, title=title, description=description, measures=tuple(measures),
        measure_labels=measure_labels or FUNNEL_LABELS, rows=rows, totals=dict(totals or {}),
    )  # fmt: skip


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: int | Decimal | None
    change: int | Decimal | None
    change_note: str
    unit: str = ""

    @property
    def definition(self) -> str:
        return FIGURE_DEFINITIONS[self.key]


def change(now, before):
    """now − before, or None when either is unknown; days (floats) to one decimal."""
    if now is None or before is None:
        return None
    difference = now - before
    return round(difference, 1) if isinstance(difference, float) else difference


# --- Open-data suppression -----------------------------------------------------------------


def suppress_column(values: Sequence[int]) -> list[int | str]:
    """One column of a table with its total published: primary suppression of 1 and 2, then
    secondary suppression of the next smallest non-zero cell where only one was hidden."""
    hidden = {i for i, v in enumerate(values) if 0 < v < SUPPRESSION_THRESHOLD}
    if len(hidden) == 1:
        candidates = sorted((v, i) for i, v in enumerate(values) if v > 0 and i not in hidden)
        if candidates:
            hidden.add(candidates[0][1])
    return [SUPPRESSED if i in hidden else v for i, v in enumerate(values)]


@dataclass(frozen=True)
class OpenDataRow:
    """One cell of the aggregate export, in long (tidy) form."""

    table: str
    table_title: str
    category_code: str
    category: str
    measure: str
    measure_label: str
    value: int | str  # a count, or X where suppressed
    share: Decimal | str | None  # % of the table's total of the measure


def open_data_rows(tables: Iterable[Breakdown], *, suppress: bool = True) -> list[OpenDataRow]:
    """Every breakdown as long rows, with small cells suppressed, then its total."""
    out = []
    for table in tables:
        columns = {}
        for measure in table.measures:
            raw = [row.values.get(measure, 0) for row in table.rows]
            columns[measure] = suppress_column(raw) if suppress else raw
        for index, row in enumerate(table.rows):
            for measure in table.measures:
                value = columns[measure][index]
                share = (
                    SUPPRESSED if value == SUPPRESSED
                    else pct(value, table.totals.get(measure, 0))
                )  # fmt: skip
                out.append(OpenDataRow(
                    table.key, str(table.title), row.code, row.label, measure,
                    str(table.measure_labels[measure]), value, share,
                ))  # fmt: skip
        for measure in table.measures:
            total = table.totals.get(measure, 0)
            small = suppress and 0 < total < SUPPRESSION_THRESHOLD
            out.append(OpenDataRow(
                table.key, str(table.title), "total", str(_("Total")), measure,
                str(table.measure_labels[measure]), SUPPRESSED if small else total,
                SUPPRESSED if small else pct(total, total),
            ))  # fmt: skip
    return out
