import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from registrations.size_class import (
    INDUSTRY_GROUPS,
    INDUSTRY_OPTIONS,
    IndustryDetail,
    SizeClass,
    SmeGroup,
    business_size_class,
    industry_label,
    industry_option_parse,
    industry_option_value,
    size_class_for,
    sme_group_for,
)

G = SmeGroup
S = SizeClass
MAN, WHO, RET, SER = G.MANUFACTURING_OTHER, G.WHOLESALE, G.RETAIL, G.SERVICE
BIG = 10**12  # capital far over every limit: only employees decide

# (group, capital limit, employee limit, small-business limit)
LIMITS = [
    (MAN, 300_000_000, 300, 20),
    (WHO, 100_000_000, 100, 5),
    (SER, 50_000_000, 100, 5),
    (RET, 50_000_000, 50, 5),
]


def _boundary_cases():
    for group, cap, emp, small in LIMITS:
        name = group.value
        yield pytest.param(group, cap, emp + 1, S.SME, id=f"{name}-capital-at-cap")
        yield pytest.param(group, cap + 1, emp + 1, S.MID, id=f"{name}-capital-over-cap")
        yield pytest.param(group, cap, small, S.SMALL, id=f"{name}-capital-at-cap-small")
        yield pytest.param(group, cap + 1, emp, S.SME, id=f"{name}-employees-at-limit")
        yield pytest.param(group, cap + 1, emp + 1, S.MID, id=f"{name}-employees-over-limit")
        yield pytest.param(group, BIG, emp, S.SME, id=f"{name}-big-capital-employees-at-limit")
        yield pytest.param(group, BIG, small, S.SMALL, id=f"{name}-at-small-limit")
        yield pytest.param(group, BIG, small + 1, S.SME, id=f"{name}-over-small-limit")
        yield pytest.param(group, 1, small, S.SMALL, id=f"{name}-tiny-capital-at-small-limit")
        yield pytest.param(group, 1, small + 1, S.SME, id=f"{name}-tiny-capital-over-small")
        yield pytest.param(group, 0, 0, S.SMALL, id=f"{name}-nothing")
        yield pytest.param(group, cap + 1, 2000, S.MID, id=f"{name}-2000-employees")
        yield pytest.param(group, cap + 1, 2001, S.LARGE, id=f"{name}-2001-employees")
        yield pytest.param(group, cap, 2001, S.SME, id=f"{name}-2001-employees-capital-at-cap")
        yield pytest.param(group, None, emp, S.SME, id=f"{name}-sole-at-employee-limit")
        yield pytest.param(group, None, emp + 1, S.MID, id=f"{name}-sole-over-employee-limit")
        yield pytest.param(group, None, small, S.SMALL, id=f"{name}-sole-at-small-limit")
        yield pytest.param(group, None, small + 1, S.SME, id=f"{name}-sole-over-small-limit")
        yield pytest.param(group, None, 2000, S.MID, id=f"{name}-sole-2000-employees")
        yield pytest.param(group, None, 2001, S.LARGE, id=f"{name}-sole-2001-employees")


@pytest.mark.parametrize(("group", "capital", "employees", "expected"), list(_boundary_cases()))
def test_size_class_at_every_boundary(group, capital, employees, expected):
    assert size_class_for(group=group, capital_yen=capital, employees=employees) == expected


@pytest.mark.parametrize(
    ("group", "employees", "expected"),
    [
        (SER, 5, S.SMALL),
        (SER, 6, S.SMALL),
        (SER, 20, S.SMALL),
        (SER, 21, S.SME),
        (SER, 100, S.SME),
        (SER, 101, S.MID),
        (MAN, 20, S.SMALL),
        (MAN, 21, S.SME),
    ],
)
def test_small_limit_20_rule(group, employees, expected):
    """宿泊業・娯楽業: small up to 20 employees though they are service firms; the SME limits
    themselves are unchanged."""
    size = size_class_for(group=group, capital_yen=BIG, employees=employees, small_limit_20=True)
    assert size == expected


def test_a_sole_proprietor_qualifies_on_employees_alone():
    assert size_class_for(group=RET, capital_yen=None, employees=50) == S.SME
    assert size_class_for(group=RET, capital_yen=None, employees=51) == S.MID
    # The same firm with a small capital would still be an SME.
    assert size_class_for(group=RET, capital_yen=10_000_000, employees=51) == S.SME


@pytest.mark.parametrize(
    ("capital", "employees"), [(None, -1), (-1, 10), (0, -1)]
)  # fmt: skip
def test_negative_capital_or_employees_is_a_programming_error(capital, employees):
    with pytest.raises(ValueError, match="negative"):
        size_class_for(group=MAN, capital_yen=capital, employees=employees)


@given(
    st.sampled_from(list(SmeGroup)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
)
def test_more_employees_never_makes_a_firm_smaller(group, capital, employees, extra):
    order = [S.SMALL, S.SME, S.MID, S.LARGE]
    before = size_class_for(group=group, capital_yen=capital, employees=employees)
    after = size_class_for(group=group, capital_yen=capital, employees=employees + extra)
    assert order.index(after) >= order.index(before)


EXPECTED_GROUPS = {
    "A": MAN,
    "B": MAN,
    "C": MAN,
    "D": MAN,
    "E": MAN,
    "F": MAN,
    "G": SER,
    "H": MAN,
    "I-wholesale": WHO,
    "I-retail": RET,
    "J": MAN,
    "K": MAN,
    "L": SER,
    "M-accommodation": SER,
    "M-food_service": RET,
    "N-living_services": SER,
    "N-amusement": SER,
    "O": SER,
    "P": SER,
    "Q": SER,
    "R": SER,
    "S": MAN,
    "T": MAN,
}


@pytest.mark.parametrize(("option", "expected"), EXPECTED_GROUPS.items())
def test_sme_group_for_every_option(option, expected):
    assert sme_group_for(*industry_option_parse(option)) == expected


def test_the_group_table_covers_every_option():
    assert set(EXPECTED_GROUPS) == {value for value, _label in INDUSTRY_OPTIONS}


@pytest.mark.parametrize(
    ("division", "detail"), [("I", ""), ("M", ""), ("N", ""), ("E", "retail"), ("Z", ""), ("", "")]
)
def test_sme_group_for_rejects_pairs_that_are_not_options(division, detail):
    with pytest.raises(ValueError, match="Unknown industry"):
        sme_group_for(division, detail)


def test_industry_options_are_the_23_jsic_choices_by_name_in_groups():
    values = [value for value, _label in INDUSTRY_OPTIONS]
    assert len(INDUSTRY_OPTIONS) == 23
    assert len(set(values)) == 23
    assert {value[0] for value in values} == set("ABCDEFGHIJKLMNOPQRST")
    assert [option for _group, options in INDUSTRY_GROUPS for option in options] == INDUSTRY_OPTIONS
    # The most common trade first; names as people know them, never a bare JSIC letter.
    assert INDUSTRY_OPTIONS[0] == ("E", "製造業")
    assert dict(INDUSTRY_OPTIONS)["M-food_service"] == "飲食サービス業（飲食店など）"
    assert not any(re.match(r"[A-T][ -]", label) for _value, label in INDUSTRY_OPTIONS)
    with translation.override("ja"):
        assert [str(group) for group, _options in INDUSTRY_GROUPS] == [
            "製造業・建設業など", "農林水産業", "卸売業・小売業", "飲食店・宿泊業", "サービス業",
            "その他",
        ]  # fmt: skip


def test_industry_label_names_the_chosen_option():
    assert industry_label("E", "") == "製造業"
    assert industry_label("I", "retail") == "小売業（店舗・通信販売など）"
    assert industry_label("I", "") == ""  # not an option: the page shows the division's name


@pytest.mark.parametrize(("value", "label"), INDUSTRY_OPTIONS)
def test_every_option_round_trips(value, label):
    division, detail = industry_option_parse(value)
    assert detail in IndustryDetail.values
    assert len(division) == 1
    assert industry_option_value(division, detail) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("I-retail", ("I", "retail")), ("E", ("E", "")), ("N-amusement", ("N", "amusement"))],
)
def test_industry_option_parse_examples(value, expected):
    assert industry_option_parse(value) == expected


@pytest.mark.parametrize("value", ["", "I", "M", "N", "Z", "E-retail", "I-food_service", "e"])
def test_industry_option_parse_rejects_unknown_values(value):
    with pytest.raises(ValueError, match="Unknown industry option"):
        industry_option_parse(value)


def test_industry_option_value_accepts_industry_detail_members():
    assert industry_option_value("I", IndustryDetail.RETAIL) == "I-retail"
    assert industry_option_value("E", IndustryDetail.NONE) == "E"


@pytest.mark.parametrize(
    ("division", "detail", "capital", "employees", "expected"),
    [
        ("E", "", 300_000_000, 20, S.SMALL),
        ("E", "", 300_000_001, 21, S.SME),
        ("E", "", 300_000_001, 301, S.MID),
        ("E", "", None, 2001, S.LARGE),
        ("I", "wholesale", 100_000_000, 6, S.SME),
        ("I", "wholesale", 100_000_001, 101, S.MID),
        ("I", "retail", 50_000_001, 51, S.MID),
        ("M", "food_service", 50_000_001, 50, S.SME),
        ("M", "food_service", 50_000_001, 51, S.MID),
        ("M", "food_service", None, 6, S.SME),
        ("M", "accommodation", None, 20, S.SMALL),  # small-limit-20 rule
        ("M", "accommodation", None, 21, S.SME),
        ("M", "accommodation", 50_000_001, 101, S.MID),
        ("N", "amusement", None, 20, S.SMALL),  # small-limit-20 rule
        ("N", "amusement", None, 21, S.SME),
        ("N", "living_services", None, 5, S.SMALL),
        ("N", "living_services", None, 6, S.SME),
        ("G", "", 50_000_000, 101, S.SME),
        ("G", "", 50_000_001, 101, S.MID),
        ("G", "", None, 6, S.SME),
    ],
)
def test_business_size_class(division, detail, capital, employees, expected):
    size = business_size_class(
        division=division, detail=detail, capital_yen=capital, employees=employees
    )
    assert size == expected
