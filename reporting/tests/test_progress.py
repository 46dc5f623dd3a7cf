"""The progress dashboard's arithmetic without the database: breakdown tables, open-data
suppression of small cells, the long rows of the aggregate export, and the sign filter."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from reporting.progress import (
    FUNNEL,
    SUPPRESSED,
    Breakdown,
    BreakdownRow,
    OpenDataRow,
    breakdown,
    change,
    open_data_rows,
    suppress_column,
)
from reporting.templatetags.progress_tags import signed

X = SUPPRESSED


@pytest.fixture(autouse=True)
def _english():
    """Labels such as "Not recorded" and "Total" compared in English."""
    with translation.override("en"):
        yield


# --- suppress_column ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Primary: 1 and 2 are hidden; 0 and 3 or more are shown. Two hidden: nothing more.
        ([0, 1, 2, 3, 10], [0, X, X, 3, 10]),
        ([1, 2, 1], [X, X, X]),
        # Exactly one hidden: the next smallest non-zero cell is hidden as well.
        ([5, 1, 4, 0, 9], [5, X, X, 0, 9]),
        ([0, 2, 0, 30, 7], [0, X, 0, 30, X]),
        # A tie for the next smallest: the first of them.
        ([2, 5, 5], [X, X, 5]),
        # Nothing to hide.
        ([3, 4, 0], [3, 4, 0]),
        ([0, 0, 0], [0, 0, 0]),
        ([], []),
        # The only non-zero cell: nothing else to hide (the total is suppressed instead).
        ([1, 0, 0], [X, 0, 0]),
        ([2], [X]),
    ],
)
def test_suppress_column(values, expected):
    assert suppress_column(values) == expected


def test_suppress_column_leaves_its_input_alone():
    values = [1, 5, 7]
    assert suppress_column(values) == [X, X, 7]
    assert values == [1, 5, 7]


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=15))
def test_suppression_cannot_be_undone_from_the_total(values):
    out = suppress_column(values)
    assert len(out) == len(values)
    hidden = [i for i, v in enumerate(out) if v == X]
    non_zero = [i for i, v in enumerate(values) if v > 0]
    # Every small cell is hidden, no zero is, and what is shown is unchanged.
    assert all(out[i] == X for i, v in enumerate(values) if 0 < v < 3)
    assert all(values[i] > 0 for i in hidden)
    assert all(out[i] == v for i, v in enumerate(values) if i not in hidden)
    # A single X could be worked out from the total, unless it is the column's only figure.
    if len(hidden) == 1:
        assert non_zero == hidden
    # Secondary suppression adds at most one cell, and only where one was hidden.
    primary = sum(1 for v in values if 0 < v < 3)
    assert len(hidden) == (primary + 1 if primary == 1 and len(non_zero) > 1 else primary)


# --- open_data_rows ----------------------------------------------------------------------------


def table(key="t", rows=(("a", 10), ("b", 1), ("c", 5), ("d", 0)), totals=None, measure="n"):
    return Breakdown(
        key=key, title=f"Table {key}", description="", measures=(measure,),
        measure_labels={measure: "Firms"},
        rows=[BreakdownRow(code, code.upper(), {measure: n}) for code, n in rows],
        totals=dict(totals or {}),
    )  # fmt: skip


def cells(rows: list[OpenDataRow]) -> list[tuple]:
    return [(r.category_code, r.value, r.share) for r in rows]


def test_open_data_rows_suppress_small_cells_and_their_shares():
    rows = open_data_rows([table()])
    # b (1) is hidden, then c (5), the next smallest non-zero; the total 16 is published.
    assert cells(rows) == [
        ("a", 10, Decimal("62.5")),
        ("b", X, X),
        ("c", X, X),
        ("d", 0, Decimal("0.0")),
        ("total", 16, Decimal("100.0")),
    ]
    first = rows[0]
    assert (first.table, first.table_title, first.category, first.measure, first.measure_label) \
        == ("t", "Table t", "A", "n", "Firms")  # fmt: skip
    assert (rows[-1].category_code, rows[-1].category) == ("total", "Total")


def test_open_data_rows_without_suppression_give_every_figure():
    assert cells(open_data_rows([table()], suppress=False)) == [
        ("a", 10, Decimal("62.5")),
        ("b", 1, Decimal("6.3")),
        ("c", 5, Decimal("31.3")),
        ("d", 0, Decimal("0.0")),
        ("total", 16, Decimal("100.0")),
    ]


def test_shares_have_one_decimal_rounded_half_up():
    rows = open_data_rows([table(rows=(("a", 49), ("b", 351)))])
    # 49 / 400 = 12.25 % → 12.3 (not 12.2); 351 / 400 = 87.75 % → 87.8.
    assert cells(rows) == [
        ("a", 49, Decimal("12.3")),
        ("b", 351, Decimal("87.8")),
        ("total", 400, Decimal("100.0")),
    ]


@pytest.mark.parametrize("total", [1, 2])
def test_a_total_of_one_or_two_firms_is_suppressed(total):
    rows = open_data_rows([table(rows=(("a", total), ("b", 0)))])
    assert cells(rows) == [("a", X, X), ("b", 0, Decimal("0.0")), ("total", X, X)]


def test_an_empty_table_has_no_shares():
    rows = open_data_rows([table(rows=(("a", 0), ("b", 0)))])
    assert cells(rows) == [("a", 0, None), ("b", 0, None), ("total", 0, None)]


def test_a_given_total_is_used_for_the_shares():
    # Firms counted in two rows: the total of firms is given, not summed.
    rows = open_data_rows([table(rows=(("asia", 4), ("europe", 3)), totals={"n": 5})])
    assert cells(rows) == [
        ("asia", 4, Decimal("80.0")),
        ("europe", 3, Decimal("60.0")),
        ("total", 5, Decimal("100.0")),
    ]


def test_each_measure_is_its_own_column_and_tables_follow_each_other():
    wide = Breakdown(
        key="w", title="Wide", description="", measures=("m1", "m2"),
        measure_labels={"m1": "One", "m2": "Two"},
        rows=[BreakdownRow("a", "A", {"m1": 1, "m2": 3}),
              BreakdownRow("b", "B", {"m1": 6, "m2": 4}),
              BreakdownRow("c", "C", {"m1": 9, "m2": 0})],
    )  # fmt: skip
    rows = open_data_rows([wide, table(key="t2", rows=(("z", 7),))])
    by_measure = [(r.table, r.category_code, r.measure, r.value, r.share) for r in rows]
    assert by_measure == [
        ("w", "a", "m1", X, X), ("w", "a", "m2", 3, Decimal("42.9")),
        ("w", "b", "m1", X, X), ("w", "b", "m2", 4, Decimal("57.1")),
        ("w", "c", "m1", 9, Decimal("56.3")), ("w", "c", "m2", 0, Decimal("0.0")),
        ("w", "total", "m1", 16, Decimal("100.0")), ("w", "total", "m2", 7, Decimal("100.0")),
        ("t2", "z", "n", 7, Decimal("100.0")), ("t2", "total", "n", 7, Decimal("100.0")),
    ]  # fmt: skip


# --- breakdown() and Breakdown ------------------------------------------------------------------


CATEGORIES = [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")]


def test_breakdown_lists_every_category_in_order_then_the_unknown_ones():
    counts = {
        "b": {"registered": 2, "counselled": 1},
        "zz": {"registered": 1},
        "": {"registered": 4, "realised": 1},
    }
    table = breakdown("k", "Title", "Description", counts, CATEGORIES)
    assert [(row.code, row.label) for row in table.rows] == [
        ("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("zz", "zz"), ("", "Not recorded"),
    ]  # fmt: skip
    assert [row.values for row in table.rows] == [
        {"registered": 0, "counselled": 0, "proposed": 0, "realised": 0},
        {"registered": 2, "counselled": 1, "proposed": 0, "realised": 0},
        {"registered": 0, "counselled": 0, "proposed": 0, "realised": 0},
        {"registered": 1, "counselled": 0, "proposed": 0, "realised": 0},
        {"registered": 4, "counselled": 0, "proposed": 0, "realised": 1},
    ]
    assert table.measures == FUNNEL
    assert table.totals == {"registered": 7, "counselled": 1, "proposed": 0, "realised": 1}


def test_breakdown_keeps_given_totals_and_fills_in_the_others():
    counts = {"a": {"firms": 3}, "b": {"firms": 2}}
    table = breakdown(
        "dest", "Destinations", "", counts, CATEGORIES, measures=("firms", "other"),
        measure_labels={"firms": "Firms", "other": "Other"}, totals={"firms": 4},
    )  # fmt: skip
    assert table.totals == {"firms": 4, "other": 0}
    assert table.columns == [
        {"key": "firms", "label": "Firms", "total": 4},
        {"key": "other", "label": "Other", "total": 0},
    ]


def test_breakdown_table_and_chart():
    counts = {"a": {"firms": 1}, "b": {"firms": 7}}
    table = breakdown("k", "T", "", counts, CATEGORIES, measures=("firms",),
                      measure_labels={"firms": "Firms"})  # fmt: skip
    assert table.table() == [
        {"code": "a", "label": "Alpha", "values": [1], "share": Decimal("12.5")},
        {"code": "b", "label": "Beta", "values": [7], "share": Decimal("87.5")},
        {"code": "c", "label": "Gamma", "values": [0], "share": Decimal("0.0")},
    ]
    assert table.chart() == {
        "labels": ["Alpha", "Beta", "Gamma"],
        "datasets": [{"label": "Firms", "data": [1, 7, 0]}],
    }


def test_funnel_breakdown_chart_has_one_dataset_per_measure_with_plain_string_labels():
    counts = {"a": {"registered": 5, "counselled": 4, "proposed": 2, "realised": 1}}
    chart = breakdown("k", "T", "", counts, CATEGORIES[:1]).chart()
    assert chart["labels"] == ["Alpha"]
    assert [d["label"] for d in chart["datasets"]] == [
        "Registered", "Counselled", "Menus proposed", "Exports realised",
    ]  # fmt: skip
    assert all(type(d["label"]) is str for d in chart["datasets"])
    assert [d["data"] for d in chart["datasets"]] == [[5], [4], [2], [1]]


def test_shares_of_an_empty_breakdown_are_unknown():
    table = breakdown("k", "T", "", {}, CATEGORIES, measures=("firms",),
                      measure_labels={"firms": "Firms"})  # fmt: skip
    assert [row["share"] for row in table.table()] == [None, None, None]


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (7, 2, 5),
        (2, 7, -5),
        (Decimal("57.1"), Decimal("50.0"), Decimal("7.1")),
        (3.3, 4.1, -0.8),  # days: one decimal, no floating-point noise (-0.7999999999999998)
        (None, 3, None),
        (3, None, None),
    ],
)
def test_change(now, before, expected):
    assert change(now, before) == expected


# --- the signed filter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        ("", "—"),
        (0, "±0"),
        (Decimal("0.0"), "±0"),
        (5, "+5"),
        (1234, "+1,234"),
        (-5, "−5"),
        (-12345, "−12,345"),
        (Decimal("7.1"), "+7.1"),
        (Decimal("-4.5"), "−4.5"),
        (Decimal("12.0"), "+12"),
        (0.5, "+0.5"),
    ],
)
def test_signed(value, expected):
    assert signed(value) == expected


def test_signed_uses_a_true_minus_sign():
    assert signed(-1).startswith("\u2212")
