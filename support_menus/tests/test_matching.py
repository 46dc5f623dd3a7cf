"""The matching engine, pure: case facts + menus in, ranking out (no database, no clock)."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from support_menus.matching import (
    CLOSING_SOON,
    MESSAGES,
    WEIGHTS,
    CaseProfile,
    Catalogue,
    MenuFacts,
    Reason,
    describe,
    exclusions,
    match_reasons,
    rank,
)

TODAY = date(2025, 6, 15)
DAY = timedelta(days=1)

# An eligible pair: every test below changes one thing (or a few) of these.
BASE_CASE = CaseProfile(
    stage="challenge",
    issue_tags=frozenset({"market_research", "finance"}),
    size_class="sme",
    industry="E",
    product_fields=frozenset({"food"}),
    prefecture="13",
    entity_type="corporation",
    challenge_type="new_market",
    export_experience="direct",
    ec_success=False,
    target_regions=frozenset({"asia"}),
    has_target=True,
    today=TODAY,
)
BASE_MENU = MenuFacts(code="base", stages=frozenset({"challenge", "expansion"}))

EXCLUSION_CODES = {
    "inactive",
    "not_open_yet",
    "window_closed",
    "not_stage",
    "not_size_class",
    "corporation_only",
    "not_industry",
    "not_product_field",
    "not_prefecture",
    "prior_ec_success",
    "needs_ec_experience",
    "not_challenge_type",
    "needs_target",
    "not_destination",
}


def fs(*values: str) -> frozenset[str]:
    return frozenset(values)


def codes(reasons) -> list[str]:
    return [reason.code for reason in reasons]


# --- Eligibility ----------------------------------------------------------------------------

# (id, changes to the menu, changes to the case, the exclusion codes expected)
ELIGIBILITY = [
    ("base-pair", {}, {}, set()),
    # inactive
    ("inactive", {"active": False}, {}, {"inactive"}),
    # not_open_yet
    ("opens-tomorrow", {"opens_on": TODAY + DAY}, {}, {"not_open_yet"}),
    ("opens-today", {"opens_on": TODAY}, {}, set()),
    ("opened-yesterday", {"opens_on": TODAY - DAY}, {}, set()),
    # window_closed
    ("closed-yesterday", {"closes_on": TODAY - DAY}, {}, {"window_closed"}),
    ("closes-today", {"closes_on": TODAY}, {}, set()),
    ("window-open-around-today", {"opens_on": TODAY - DAY, "closes_on": TODAY + DAY}, {}, set()),
    # not_stage
    ("other-stages", {"stages": fs("preparation", "expansion")}, {}, {"not_stage"}),
    ("only-this-stage", {"stages": fs("challenge")}, {}, set()),
    # not_size_class
    ("other-size", {"size_classes": fs("small", "large")}, {}, {"not_size_class"}),
    (
        "sizes-named-size-unknown",
        {"size_classes": fs("sme")},
        {"size_class": ""},
        {"not_size_class"},
    ),
    ("size-among-named", {"size_classes": fs("small", "sme")}, {}, set()),
    ("no-sizes-any-size", {"size_classes": fs()}, {"size_class": "large"}, set()),
    ("no-sizes-unknown-size", {}, {"size_class": ""}, set()),
    # corporation_only
    (
        "corporation-only-sole-proprietor",
        {"corporation_only": True},
        {"entity_type": "sole_proprietor"},
        {"corporation_only"},
    ),
    ("corporation-only-corporation", {"corporation_only": True}, {}, set()),
    ("open-to-sole-proprietor", {}, {"entity_type": "sole_proprietor"}, set()),
    # not_industry
    ("other-industry", {"industries": fs("A", "B")}, {}, {"not_industry"}),
    ("industry-among-named", {"industries": fs("A", "E")}, {}, set()),
    ("no-industries-any-industry", {}, {"industry": "T"}, set()),
    # not_product_field
    ("other-product-field", {"product_fields": fs("alcohol")}, {}, {"not_product_field"}),
    (
        "product-field-among-named",
        {"product_fields": fs("alcohol", "food")},
        {},
        set(),
    ),
    (
        "product-fields-named-firm-has-none",
        {"product_fields": fs("food")},
        {"product_fields": fs()},
        {"not_product_field"},
    ),
    ("no-product-fields-any-product", {}, {"product_fields": fs()}, set()),
    # not_prefecture
    ("local-programme-elsewhere", {"prefectures": fs("15", "22")}, {}, {"not_prefecture"}),
    ("local-programme-here", {"prefectures": fs("13")}, {}, set()),
    ("nationwide", {}, {"prefecture": "47"}, set()),
    # prior_ec_success
    (
        "newcomers-only-ec-success",
        {"ec_experience": "no_ec_success"},
        {"ec_success": True},
        {"prior_ec_success"},
    ),
    ("newcomers-only-newcomer", {"ec_experience": "no_ec_success"}, {}, set()),
    ("any-ec-ec-success", {"ec_experience": "any"}, {"ec_success": True}, set()),
    # needs_ec_experience
    ("ec-experienced-only-none", {"ec_experience": "ec_experienced"}, {}, {"needs_ec_experience"}),
    (
        "ec-experienced-only-indirect",
        {"ec_experience": "ec_experienced"},
        {"export_experience": "indirect"},
        {"needs_ec_experience"},
    ),
    (
        "ec-experienced-only-ec-experience",
        {"ec_experience": "ec_experienced"},
        {"export_experience": "ec"},
        set(),
    ),
    (
        "ec-experienced-only-ec-success",
        {"ec_experience": "ec_experienced"},
        {"export_experience": "none", "ec_success": True},
        set(),
    ),
    # not_challenge_type
    ("other-challenge", {"challenge_types": fs("first_export")}, {}, {"not_challenge_type"}),
    ("challenge-among-named", {"challenge_types": fs("first_export", "new_market")}, {}, set()),
    ("no-challenges-any-challenge", {}, {"challenge_type": "restart"}, set()),
    # needs_target
    ("target-required-none", {"requires_target": True}, {"has_target": False}, {"needs_target"}),
    ("target-required-set", {"requires_target": True}, {}, set()),
    ("target-not-required-none", {}, {"has_target": False}, set()),
    # not_destination
    ("other-region", {"destination_regions": fs("europe")}, {}, {"not_destination"}),
    (
        "some-region-shared",
        {"destination_regions": fs("europe", "asia")},
        {"target_regions": fs("asia", "africa")},
        set(),
    ),
    (
        "regions-named-firm-undecided",
        {"destination_regions": fs("europe")},
        {"target_regions": fs()},
        set(),
    ),
    ("no-regions-worldwide", {}, {"target_regions": fs("oceania")}, set()),
    # a menu failing several rules lists every one
    (
        "inactive-and-closed",
        {"active": False, "closes_on": TODAY - DAY},
        {},
        {"inactive", "window_closed"},
    ),
    (
        "stage-size-and-target",
        {"stages": fs("expansion"), "size_classes": fs("large"), "requires_target": True},
        {"has_target": False},
        {"not_stage", "not_size_class", "needs_target"},
    ),
]


@pytest.mark.parametrize(
    ("menu_changes", "case_changes", "expected"),
    [pytest.param(m, c, e, id=name) for name, m, c, e in ELIGIBILITY],
)
def test_eligibility_rules(menu_changes, case_changes, expected):
    menu = replace(BASE_MENU, **menu_changes)
    case = replace(BASE_CASE, **case_changes)

    failed = exclusions(menu, case)

    assert set(codes(failed)) == expected
    assert len(failed) == len(expected)  # each failed rule once
    ranking = rank(case, [menu])
    if expected:
        assert ranking.ranked == ()
        assert [e.menu for e in ranking.excluded] == [menu]
        assert ranking.excluded[0].reasons == failed
    else:
        assert [m.menu for m in ranking.ranked] == [menu]
        assert ranking.excluded == ()


def test_eligibility_table_covers_every_exclusion_rule():
    covered = set().union(*(expected for *_, expected in ELIGIBILITY))
    assert covered == EXCLUSION_CODES
    assert set(MESSAGES) - set(WEIGHTS) == EXCLUSION_CODES


# A menu that fails every rule at once (a window that opens after today and closed before it is
# impossible in the database, but the engine must still name both).
FAILS_EVERYTHING = MenuFacts(
    code="nothing-fits",
    stages=fs("preparation"),
    size_classes=fs("large", "small"),
    corporation_only=True,
    industries=fs("A"),
    product_fields=fs("alcohol"),
    prefectures=fs("15"),
    ec_experience="no_ec_success",
    challenge_types=fs("first_export", "restart"),
    requires_target=True,
    destination_regions=fs("europe", "africa"),
    opens_on=TODAY + DAY,
    closes_on=TODAY - DAY,
    active=False,
)
FAILING_CASE = replace(BASE_CASE, entity_type="sole_proprietor", ec_success=True, has_target=False)


def test_every_failed_rule_is_listed_in_table_order_with_its_codes():
    assert exclusions(FAILS_EVERYTHING, FAILING_CASE) == (
        Reason("inactive"),
        Reason("not_open_yet", (("date", ("2025-06-16",)),)),
        Reason("window_closed", (("date", ("2025-06-14",)),)),
        Reason("not_stage", (("stage", ("challenge",)), ("stages", ("preparation",)))),
        Reason("not_size_class", (("size", ("sme",)), ("sizes", ("large", "small")))),
        Reason("corporation_only"),
        Reason("not_industry", (("industries", ("A",)),)),
        Reason("not_product_field", (("fields", ("alcohol",)), ("products", ("food",)))),
        Reason("not_prefecture", (("prefectures", ("15",)),)),
        Reason("prior_ec_success"),
        Reason("not_challenge_type", (("challenges", ("first_export", "restart")),)),
        Reason("needs_target"),
        Reason("not_destination", (("regions", ("africa", "europe")),)),
    )


def test_ec_experience_rules_are_exclusive_so_both_cannot_fail_together():
    # needs_ec_experience is the one rule the all-failing menu above cannot also fail.
    newcomer = replace(BASE_CASE, export_experience="none", ec_success=False)
    assert codes(exclusions(replace(BASE_MENU, ec_experience="ec_experienced"), newcomer)) == [
        "needs_ec_experience"
    ]


# --- Scoring --------------------------------------------------------------------------------

# (id, changes to the menu, changes to the case, the reason codes expected, in order)
SCORING = [
    ("stage-only", {}, {}, ["stage"]),
    ("stage-specific", {"stages": fs("challenge")}, {}, ["stage", "stage_specific"]),
    ("one-issue", {"issue_tags": fs("market_research", "ip")}, {}, ["stage", "issue"]),
    (
        "two-issues",
        {"issue_tags": fs("market_research", "finance", "ip")},
        {},
        ["stage", "issue", "issue"],
    ),
    ("issue-not-of-case", {"issue_tags": fs("ip", "buyers")}, {}, ["stage"]),
    ("destination", {"destination_regions": fs("asia", "europe")}, {}, ["stage", "destination"]),
    (
        "destination-firm-undecided",
        {"destination_regions": fs("asia")},
        {"target_regions": fs()},
        ["stage"],
    ),
    (
        "challenge-type",
        {"challenge_types": fs("new_market", "restart")},
        {},
        ["stage", "challenge_type"],
    ),
    ("industry", {"industries": fs("E", "A")}, {}, ["stage", "industry"]),
    (
        "product-field",
        {"product_fields": fs("food", "alcohol")},
        {},
        ["stage", "product_field"],
    ),
    ("prefecture", {"prefectures": fs("13")}, {}, ["stage", "prefecture"]),
    ("size-class-exactly", {"size_classes": fs("sme")}, {}, ["stage", "size_class"]),
    ("size-class-among-others", {"size_classes": fs("sme", "small")}, {}, ["stage"]),
    ("ec-newcomer", {"ec_experience": "no_ec_success"}, {}, ["stage", "ec_newcomer"]),
    (
        "ec-experienced-no-bonus",
        {"ec_experience": "ec_experienced"},
        {"export_experience": "ec"},
        ["stage"],
    ),
    ("closes-today", {"closes_on": TODAY}, {}, ["stage", "closing_soon"]),
    ("closes-at-closing-soon", {"closes_on": TODAY + CLOSING_SOON}, {}, ["stage", "closing_soon"]),
    ("closes-a-day-later", {"closes_on": TODAY + CLOSING_SOON + DAY}, {}, ["stage"]),
    ("no-closing-date", {"opens_on": TODAY - DAY}, {}, ["stage"]),
    (
        "everything",
        {
            "stages": fs("challenge"),
            "issue_tags": fs("market_research", "finance"),
            "destination_regions": fs("asia"),
            "challenge_types": fs("new_market"),
            "industries": fs("E"),
            "product_fields": fs("food"),
            "prefectures": fs("13"),
            "size_classes": fs("sme"),
            "ec_experience": "no_ec_success",
            "closes_on": TODAY + DAY,
        },
        {},
        [
            "stage",
            "stage_specific",
            "issue",
            "issue",
            "destination",
            "challenge_type",
            "industry",
            "product_field",
            "prefecture",
            "size_class",
            "ec_newcomer",
            "closing_soon",
        ],
    ),
]


@pytest.mark.parametrize(
    ("menu_changes", "case_changes", "expected"),
    [pytest.param(m, c, e, id=name) for name, m, c, e in SCORING],
)
def test_score_is_the_sum_of_the_reasons_weights(menu_changes, case_changes, expected):
    menu = replace(BASE_MENU, **menu_changes)
    case = replace(BASE_CASE, **case_changes)
    assert exclusions(menu, case) == ()

    (match,) = rank(case, [menu]).ranked

    assert codes(match.reasons) == expected
    assert match.reasons == match_reasons(menu, case)
    assert match.score == sum(WEIGHTS[code] for code in expected)


EVERYTHING = next(menu for name, menu, _case, _expected in SCORING if name == "everything")


def test_scoring_table_covers_every_weight():
    assert set().union(*(expected for *_, expected in SCORING)) == set(WEIGHTS)


def test_the_full_score_adds_up_every_weight_with_one_issue_per_shared_tag():
    menu = replace(BASE_MENU, **EVERYTHING)
    (match,) = rank(BASE_CASE, [menu]).ranked
    assert match.score == sum(WEIGHTS.values()) + WEIGHTS["issue"] == 150


def test_match_reasons_name_what_matched():
    menu = replace(
        BASE_MENU,
        stages=fs("challenge"),
        issue_tags=fs("finance", "market_research", "ip"),
        destination_regions=fs("europe", "asia", "oceania"),
        challenge_types=fs("new_market", "restart"),
        industries=fs("A", "E"),
        product_fields=fs("food", "alcohol"),
        size_classes=fs("sme"),
        closes_on=TODAY + CLOSING_SOON,
    )
    case = replace(BASE_CASE, target_regions=fs("asia", "oceania", "africa"))
    assert match_reasons(menu, case) == (
        Reason("stage", (("stage", ("challenge",)),)),
        Reason("stage_specific", (("stage", ("challenge",)),)),
        Reason("issue", (("tag", ("finance",)),)),
        Reason("issue", (("tag", ("market_research",)),)),
        # only the regions both name, not every region the menu serves
        Reason("destination", (("regions", ("asia", "oceania")),)),
        # the firm's own challenge and industry, not every one the menu names
        Reason("challenge_type", (("challenge", ("new_market",)),)),
        Reason("industry", (("industry", ("E",)),)),
        # only the fields the firm is in
        Reason("product_field", (("fields", ("food",)),)),
        Reason("size_class", (("size", ("sme",)),)),
        Reason("closing_soon", (("date", ("2025-07-15",)),)),
    )


def test_a_reason_without_a_weight_weighs_nothing():
    assert Reason("inactive").weight == 0
    assert Reason("issue", (("tag", ("ip",)),)).weight == WEIGHTS["issue"]


# --- Ranking --------------------------------------------------------------------------------

RANKING_MENUS = [
    replace(BASE_MENU, code="c-plain"),  # 30
    replace(BASE_MENU, code="b-plain"),  # 30, ties with c-plain
    replace(BASE_MENU, code="z-best", stages=fs("challenge"), issue_tags=fs("finance")),  # 60
    replace(BASE_MENU, code="a-industry", industries=fs("E")),  # 40
    replace(BASE_MENU, code="y-industry", industries=fs("E")),  # 40, ties with a-industry
    replace(BASE_MENU, code="d-closed", closes_on=TODAY - DAY),  # excluded
    replace(BASE_MENU, code="0-other-stage", stages=fs("expansion")),  # excluded
]


def test_ranking_puts_higher_scores_first_and_breaks_ties_by_code():
    ranking = rank(BASE_CASE, RANKING_MENUS)

    assert [(m.menu.code, m.score) for m in ranking.ranked] == [
        ("z-best", 60),
        ("a-industry", 40),
        ("y-industry", 40),
        ("b-plain", 30),
        ("c-plain", 30),
    ]
    assert [(e.menu.code, codes(e.reasons)) for e in ranking.excluded] == [
        ("0-other-stage", ["not_stage"]),
        ("d-closed", ["window_closed"]),
    ]


def test_catalogue_fast_path_ranks_like_rank_without_explaining_exclusions():
    catalogue = Catalogue(RANKING_MENUS)

    fast = catalogue.rank(BASE_CASE, explain_exclusions=False)

    assert len(catalogue) == len(RANKING_MENUS)
    assert fast.ranked == rank(BASE_CASE, RANKING_MENUS).ranked
    assert fast.excluded == ()
    assert catalogue.rank(BASE_CASE) == rank(BASE_CASE, RANKING_MENUS)


def test_a_catalogue_ranks_many_cases():
    catalogue = Catalogue(RANKING_MENUS)
    expansion = replace(BASE_CASE, stage="expansion")
    preparation = replace(BASE_CASE, stage="preparation")

    assert [(m.menu.code, m.score) for m in catalogue.rank(expansion).ranked] == [
        ("0-other-stage", 40),  # only for expansion now; ties with the industry menus by code
        ("a-industry", 40),
        ("y-industry", 40),
        ("b-plain", 30),
        ("c-plain", 30),
    ]
    assert catalogue.rank(preparation, explain_exclusions=False).ranked == ()
    assert len(catalogue.rank(preparation).excluded) == len(RANKING_MENUS)


# --- Describing reasons ---------------------------------------------------------------------

LABELS = {
    "stage": {"challenge": "Challenge", "preparation": "Preparation"},
    "stages": {"preparation": "Preparation", "expansion": "Expansion"},
    "tag": {"market_research": "Market research"},
    "regions": {"asia": "Asia", "europe": "Europe"},
    "size": {"sme": "SME"},
    "sizes": {"small": "Small business", "large": "Large enterprise"},
    "fields": {"alcohol": "Alcoholic beverages"},
    "products": {"none": "none of these"},
}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        pytest.param(
            Reason("stage", (("stage", ("challenge",)),)), "Serves the Challenge stage", id="label"
        ),
        pytest.param(
            Reason("issue", (("tag", ("market_research",)),)),
            "Addresses Market research",
            id="issue",
        ),
        pytest.param(
            Reason("closing_soon", (("date", ("2025-07-15",)),)),
            "Applications close on 2025-07-15",
            id="date-left-as-is",
        ),
        pytest.param(
            Reason("industry", (("industry", ("E",)),)),
            "For the E industry",
            id="no-labels-for-the-parameter",
        ),
        pytest.param(
            Reason("size_class", (("size", ("mid",)),)), "Made for mid", id="unknown-code-as-is"
        ),
        pytest.param(
            Reason("not_destination", (("regions", ("asia", "europe")),)),
            "Only for Asia, Europe",
            id="several-codes-joined",
        ),
        pytest.param(
            Reason("not_stage", (("stage", ("challenge",)), ("stages", ("expansion",)))),
            "Does not serve the Challenge stage (serves: Expansion)",
            id="two-parameters",
        ),
        pytest.param(Reason("corporation_only"), "Corporations only", id="no-parameters"),
        pytest.param(
            Reason("not_product_field", (("fields", ("alcohol",)), ("products", ("none",)))),
            "Only for Alcoholic beverages (this firm's products: none of these)",
            id="product-field-firm-without-one",
        ),
    ],
)
def test_describe_renders_codes_through_labels(reason, expected):
    with override("en"):
        assert describe(reason, LABELS) == expected


def test_describe_renders_reasons_built_by_the_engine():
    menu = replace(BASE_MENU, size_classes=fs("small", "large"))
    (reason,) = exclusions(menu, BASE_CASE)
    with override("en"):
        assert (
            describe(reason, LABELS) == "Only for Large enterprise, Small business (this firm: SME)"
        )


def test_describe_joins_codes_the_japanese_way_in_japanese():
    reason = Reason("not_destination", (("regions", ("asia", "europe")),))
    with override("ja"):
        assert "アジア、欧州" in describe(reason, {"regions": {"asia": "アジア", "europe": "欧州"}})


def every_engine_reason() -> list[Reason]:
    """At least one reason of every code, as the engine builds them."""
    return [
        *exclusions(FAILS_EVERYTHING, FAILING_CASE),
        *exclusions(replace(BASE_MENU, ec_experience="ec_experienced"), BASE_CASE),
        *match_reasons(replace(BASE_MENU, **EVERYTHING), BASE_CASE),
    ]


def test_the_engine_builds_a_reason_of_every_message_code():
    assert {reason.code for reason in every_engine_reason()} == set(MESSAGES)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("labelled", [True, False], ids=["labels", "no-labels"])
def test_every_message_renders_with_the_params_its_reason_produces(language, labelled):
    with override(language):
        for reason in every_engine_reason():
            text = describe(reason, LABELS if labelled else {})
            assert text
            assert "%(" not in text, reason.code


# --- Properties -----------------------------------------------------------------------------

STAGES = ["preparation", "challenge", "expansion"]
TAGS = [
    "market_research",
    "product_regulation",
    "pricing_logistics",
    "buyers",
    "cross_border_ec",
    "finance",
    "ip",
    "people_language",
    "organisation",
    "trade_fairs",
]
SIZES = ["small", "sme", "mid", "large"]
INDUSTRIES = list("ABCDEFGHIJKLMNOPQRST")
EC_RULES = ["any", "no_ec_success", "ec_experienced"]
PREFECTURES = [f"{code:02d}" for code in range(1, 48)]
CHALLENGES = ["first_export", "new_market", "new_product", "new_method", "restart"]
REGIONS = [
    "asia",
    "north_america",
    "europe",
    "middle_east",
    "oceania",
    "latin_america",
    "africa",
    "other",
]


def subsets(values: list[str], **kwargs) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), **kwargs)


def restriction(values: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.one_of(st.just(frozenset()), subsets(values, min_size=1, max_size=5))


dates = st.integers(-45, 45).map(lambda days: TODAY + timedelta(days))
menu_codes = st.text(alphabet="abcdef-", min_size=1, max_size=4)

cases = st.builds(
    CaseProfile,
    stage=st.sampled_from(STAGES),
    issue_tags=subsets(TAGS),
    size_class=st.sampled_from([*SIZES, ""]),
    industry=st.sampled_from(INDUSTRIES),
    prefecture=st.sampled_from(PREFECTURES),
    entity_type=st.sampled_from(["corporation", "sole_proprietor"]),
    challenge_type=st.sampled_from(CHALLENGES),
    export_experience=st.sampled_from(["none", "indirect", "direct", "ec"]),
    ec_success=st.booleans(),
    target_regions=subsets(REGIONS, max_size=3),
    has_target=st.booleans(),
    today=st.just(TODAY),
)
menus = st.builds(
    MenuFacts,
    code=menu_codes,
    stages=subsets(STAGES, min_size=1),
    issue_tags=subsets(TAGS, max_size=4),
    size_classes=restriction(SIZES),
    corporation_only=st.booleans(),
    industries=restriction(INDUSTRIES),
    prefectures=restriction(PREFECTURES),
    ec_experience=st.sampled_from(EC_RULES),
    challenge_types=restriction(CHALLENGES),
    requires_target=st.booleans(),
    destination_regions=restriction(REGIONS),
    opens_on=st.one_of(st.none(), dates),
    closes_on=st.one_of(st.none(), dates),
    active=st.booleans(),
)


def widened(values: frozenset[str], value: str) -> frozenset[str]:
    """A restriction that lets ``value`` in: an unknown value ("") only passes no restriction."""
    if not values:
        return values
    return values | {value} if value else frozenset()


def fitted(menu: MenuFacts, case: CaseProfile) -> MenuFacts:
    """The menu with each restriction widened just enough to let the case in (random menus
    rarely pass all thirteen rules, and a ranking of nothing proves little)."""
    ec_fits = {
        "any": True,
        "no_ec_success": not case.ec_success,
        "ec_experienced": case.ec_success or case.export_experience == "ec",
    }
    return replace(
        menu,
        active=True,
        opens_on=menu.opens_on and min(menu.opens_on, case.today),
        closes_on=menu.closes_on and max(menu.closes_on, case.today),
        stages=menu.stages | {case.stage},
        size_classes=widened(menu.size_classes, case.size_class),
        corporation_only=menu.corporation_only and case.entity_type == "corporation",
        industries=widened(menu.industries, case.industry),
        prefectures=widened(menu.prefectures, case.prefecture),
        ec_experience=menu.ec_experience if ec_fits[menu.ec_experience] else "any",
        challenge_types=widened(menu.challenge_types, case.challenge_type),
        requires_target=menu.requires_target and case.has_target,
        destination_regions=(  # a firm that has not decided where to export passes anyway
            widened(menu.destination_regions, min(case.target_regions))
            if case.target_regions
            else menu.destination_regions
        ),
    )


@st.composite
def maybe_fitted(draw, case: CaseProfile, taken: frozenset[str] = frozenset()) -> MenuFacts:
    menu = draw(menus.filter(lambda menu: menu.code not in taken))
    return fitted(menu, case) if draw(st.booleans()) else menu


@st.composite
def situations(draw) -> tuple[CaseProfile, list[MenuFacts]]:
    """A case and a catalogue of menus with unique codes, about half of them eligible."""
    case = draw(cases)
    catalogue = draw(st.lists(maybe_fitted(case), max_size=12, unique_by=lambda m: m.code))
    return case, catalogue


properties = settings(max_examples=200, deadline=None)


@properties
@given(case=cases, menu=menus)
def test_property_a_menu_widened_to_the_case_is_eligible(case, menu):
    assert exclusions(fitted(menu, case), case) == ()


@properties
@given(situation=situations())
def test_property_a_menu_is_ranked_exactly_when_it_is_eligible(situation):
    case, catalogue = situation

    ranking = rank(case, catalogue)

    ranked = [m.menu.code for m in ranking.ranked]
    excluded = [e.menu.code for e in ranking.excluded]
    assert Counter(ranked + excluded) == Counter(menu.code for menu in catalogue)
    for menu in catalogue:
        assert (menu.code in excluded) == bool(exclusions(menu, case))
    for exclusion in ranking.excluded:
        assert exclusion.reasons == exclusions(exclusion.menu, case) != ()
    assert excluded == sorted(excluded)


@properties
@given(situation=situations(), data=st.data())
def test_property_ranking_is_deterministic_whatever_the_menus_order(situation, data):
    case, catalogue = situation
    shuffled = data.draw(st.permutations(catalogue), label="shuffled")

    first = rank(case, catalogue)

    assert rank(case, catalogue) == first
    assert rank(case, shuffled) == first
    fast = Catalogue(catalogue).rank(case, explain_exclusions=False)
    assert Catalogue(shuffled).rank(case, explain_exclusions=False) == fast


@properties
@given(situation=situations(), data=st.data())
def test_property_another_menu_never_reorders_the_others(situation, data):
    case, catalogue = situation
    taken = frozenset(menu.code for menu in catalogue)
    extra = data.draw(maybe_fitted(case, taken), label="extra")

    before = [(m.menu.code, m.score) for m in rank(case, catalogue).ranked]
    after = [(m.menu.code, m.score) for m in rank(case, [*catalogue, extra]).ranked]

    assert [pair for pair in after if pair[0] != extra.code] == before
    assert len(after) == len(before) + (not exclusions(extra, case))


@properties
@given(situation=situations())
def test_property_fast_path_ranks_like_the_explained_path(situation):
    case, catalogue = situation
    compiled = Catalogue(catalogue)

    fast = compiled.rank(case, explain_exclusions=False)

    assert fast.ranked == compiled.rank(case, explain_exclusions=True).ranked
    assert fast.ranked == rank(case, catalogue).ranked
    assert fast.excluded == ()


@properties
@given(situation=situations())
def test_property_scores_add_up_and_come_best_first(situation):
    case, catalogue = situation

    ranked = rank(case, catalogue).ranked

    for match in ranked:
        assert match.score == sum(WEIGHTS[reason.code] for reason in match.reasons)
        assert match.score >= WEIGHTS["stage"]
        assert match.reasons[0] == Reason("stage", (("stage", (case.stage,)),))
        assert match.reasons == match_reasons(match.menu, case)
    keys = [(-match.score, match.menu.code) for match in ranked]
    assert keys == sorted(keys)
