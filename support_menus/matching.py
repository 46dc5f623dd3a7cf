"""The matching engine: case facts + catalogue → ranked eligible menus, each with its score and
the reasons it matched, and the excluded menus with the reasons they were left out.

Pure and deterministic: no models, no database, no clock (today is one of the facts). The
selectors turn rows into the small fact objects below; the concierge sees every reason, so a
proposal is never a black box, and a rule or weight change is a change to this one file.

Eligibility (a menu failing any rule is excluded, with every rule it fails):

====================  =========================================================================
rule                  the menu is excluded when
====================  =========================================================================
inactive              it is switched off in the catalogue
not_open_yet          its application window opens after today
window_closed         its application window closed before today
stage                 it does not serve the case's stage
size_class            it names size classes and the firm's is not among them
corporation_only      it is for corporations only and the firm is a sole proprietor
industry              it names industries and the firm's is not among them
product_field         it names product fields (酒類, 農林水産物・食品 …) and none of the firm's
                      products is in them (the firm's fields: support_menus/product_fields.py)
prefecture            it names prefectures (a local programme) and the firm is elsewhere
prior_ec_success      it is only for firms without prior e-commerce success and the firm has one
needs_ec_experience   it is only for firms with e-commerce experience and the firm has none
challenge_type        it names types of challenge and the firm's is not among them
needs_target          it requires an export target and the case has none
destination           it names destination regions, the firm has decided where it aims to
                      export, and none of those regions is served
====================  =========================================================================

Score: the sum of the WEIGHTS of the reasons that hold (see WEIGHTS). Ties are broken by the
menu code, so the order is total: the same facts always give the same order, and a menu's
place relative to another never depends on a third.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# What each positive reason adds to a menu's score. One place, so the ranking can be tuned
# (and reviewed) here alone.
WEIGHTS: dict[str, int] = {
    "stage": 30,  # the menu serves the case's stage (every eligible menu)
    "stage_specific": 10,  # … and only that stage
    "issue": 20,  # per 課題 of the case the menu addresses
    "destination": 10,  # it serves a region the firm aims to export to
    "challenge_type": 10,  # it names the firm's type of challenge
    "industry": 10,  # it names the firm's industry (e.g. food exports for food makers)
    "product_field": 10,  # it is made for the firm's product field (酒類, 農林水産物・食品 …)
    "prefecture": 10,  # a local programme of the firm's prefecture
    "size_class": 5,  # it is made for exactly the firm's size class
    "ec_newcomer": 10,  # an EC menu that prioritises firms without EC success (seed 001)
    "closing_soon": 5,  # its application window closes within CLOSING_SOON
}
CLOSING_SOON = timedelta(days=30)
LIST_SEPARATOR = pgettext_lazy("between the items of a list", ", ")  # 「、」 in Japanese

MESSAGES = {
    # Why a menu matched.
    "stage": _("Serves the %(stage)s stage"),
    "stage_specific": _("Made for the %(stage)s stage"),
    "issue": _("Addresses %(tag)s"),
    "destination": _("Covers %(regions)s, where the firm aims to export"),
    "challenge_type": _("Designed for: %(challenge)s"),
    "industry": _("For the %(industry)s industry"),
    "product_field": _("For %(fields)s, which this firm exports"),
    "prefecture": _("A programme for firms in %(prefecture)s"),
    "size_class": _("Made for %(size)s"),
    "ec_newcomer": _("Prioritises firms without prior e-commerce success"),
    "closing_soon": _("Applications close on %(date)s"),
    # Why a menu was left out.
    "inactive": _("Not offered at the moment"),
    "not_open_yet": _("Applications open on %(date)s"),
    "window_closed": _("Applications closed on %(date)s"),
    "not_stage": _("Does not serve the %(stage)s stage (serves: %(stages)s)"),
    "not_size_class": _("Only for %(sizes)s (this firm: %(size)s)"),
    "corporation_only": _("Corporations only"),
    "not_industry": _("Only for %(industries)s"),
    "not_product_field": _("Only for %(fields)s (this firm's products: %(products)s)"),
    "not_prefecture": _("Only for firms in %(prefectures)s"),
    "prior_ec_success": _("Only for firms without prior e-commerce success"),
    "needs_ec_experience": _("Only for firms with e-commerce experience"),
    "not_challenge_type": _("Only for: %(challenges)s"),
    "needs_target": _("Requires an export target (country, product, amount and date)"),
    "not_destination": _("Only for %(regions)s"),
}


@dataclass(frozen=True)
class CaseProfile:
    """What the engine knows of a case. Codes are the model choices' values."""

    stage: str  # preparation | challenge | expansion
    issue_tags: frozenset[str]  # 課題 codes from sessions and the registration
    size_class: str  # small | sme | mid | large | "" (unknown)
    industry: str  # JSIC division letter
    product_fields: frozenset[str]  # food | alcohol (support_menus/product_fields.py)
    prefecture: str  # JIS code, "13" for Tokyo
    entity_type: str  # corporation | sole_proprietor
    challenge_type: str  # first_export | new_market | new_product | new_method | restart
    export_experience: str  # none | indirect | direct | ec
    ec_success: bool
    target_regions: frozenset[str]  # destination regions the firm aims at; empty: undecided
    has_target: bool
    today: date


@dataclass(frozen=True)
class MenuFacts:
    """What the engine knows of a menu. Empty sets mean "no restriction"."""

    code: str
    stages: frozenset[str]
    issue_tags: frozenset[str] = frozenset()
    size_classes: frozenset[str] = frozenset()
    corporation_only: bool = False
    industries: frozenset[str] = frozenset()
    product_fields: frozenset[str] = frozenset()
    prefectures: frozenset[str] = frozenset()
    ec_experience: str = "any"  # any | no_ec_success | ec_experienced
    challenge_types: frozenset[str] = frozenset()
    requires_target: bool = False
    destination_regions: frozenset[str] = frozenset()
    opens_on: date | None = None
    closes_on: date | None = None
    active: bool = True


@dataclass(frozen=True)
class Reason:
    """A rule that held, with the codes it names (rendered to words by ``describe``)."""

    code: str
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def weight(self) -> int:
        return WEIGHTS.get(self.code, 0)


@dataclass(frozen=True)
class Match:
    menu: MenuFacts
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Exclusion:
    menu: MenuFacts
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Ranking:
    ranked: tuple[Match, ...]  # best first
    excluded: tuple[Exclusion, ...]  # by menu code


def _reason(code: str, **params: Iterable[str] | str) -> Reason:
    return Reason(
        code,
        tuple(
            (key, (value,) if isinstance(value, str) else tuple(sorted(value)))
            for key, value in sorted(params.items())
        ),
    )


def exclusions(menu: MenuFacts, case: CaseProfile) -> tuple[Reason, ...]:
    """Every eligibility rule the menu fails for this case (empty: eligible)."""
    out: list[Reason] = []
    if not menu.active:
        out.append(_reason("inactive"))
    if menu.opens_on and menu.opens_on > case.today:
        out.append(_reason("not_open_yet", date=menu.opens_on.isoformat()))
    if menu.closes_on and menu.closes_on < case.today:
        out.append(_reason("window_closed", date=menu.closes_on.isoformat()))
    if case.stage not in menu.stages:
        out.append(_reason("not_stage", stage=case.stage, stages=menu.stages))
    if menu.size_classes and case.size_class not in menu.size_classes:
        out.append(_reason("not_size_class", sizes=menu.size_classes, size=case.size_class))
    if menu.corporation_only and case.entity_type != "corporation":
        out.append(_reason("corporation_only"))
    if menu.industries and case.industry not in menu.industries:
        out.append(_reason("not_industry", industries=menu.industries))
    if menu.product_fields and not (menu.product_fields & case.product_fields):
        out.append(
            _reason(
                "not_product_field",
                fields=menu.product_fields,
                products=case.product_fields or {"none"},
            )
        )
    if menu.prefectures and case.prefecture not in menu.prefectures:
        out.append(_reason("not_prefecture", prefectures=menu.prefectures))
    if menu.ec_experience == "no_ec_success" and case.ec_success:
        out.append(_reason("prior_ec_success"))
    if (
        menu.ec_experience == "ec_experienced"
        and case.export_experience != "ec"
        and not case.ec_success
    ):
        out.append(_reason("needs_ec_experience"))
    if menu.challenge_types and case.challenge_type not in menu.challenge_types:
        out.append(_reason("not_challenge_type", challenges=menu.challenge_types))
    if menu.requires_target and not case.has_target:
        out.append(_reason("needs_target"))
    if (
        menu.destination_regions
        and case.target_regions
        and not (menu.destination_regions & case.target_regions)
    ):
        out.append(_reason("not_destination", regions=menu.destination_regions))
    return tuple(out)


def match_reasons(menu: MenuFacts, case: CaseProfile) -> tuple[Reason, ...]:
    """Why an eligible menu fits the case; its score is the sum of the reasons' weights."""
    out = [_reason("stage", stage=case.stage)]
    if menu.stages == {case.stage}:
        out.append(_reason("stage_specific", stage=case.stage))
    out += [_reason("issue", tag=tag) for tag in sorted(menu.issue_tags & case.issue_tags)]
    if menu.destination_regions and menu.destination_regions & case.target_regions:
        out.append(_reason("destination", regions=menu.destination_regions & case.target_regions))
    if menu.challenge_types:
        out.append(_reason("challenge_type", challenge=case.challenge_type))
    if menu.industries:
        out.append(_reason("industry", industry=case.industry))
    if menu.product_fields:
        out.append(_reason("product_field", fields=menu.product_fields & case.product_fields))
    if menu.prefectures:
        out.append(_reason("prefecture", prefecture=case.prefecture))
    if menu.size_classes == {case.size_class}:
        out.append(_reason("size_class", size=case.size_class))
    if menu.ec_experience == "no_ec_success":
        out.append(_reason("ec_newcomer"))
    if menu.closes_on and menu.closes_on - case.today <= CLOSING_SOON:
        out.append(_reason("closing_soon", date=menu.closes_on.isoformat()))
    return tuple(out)


class Catalogue:
    """The menus, compiled once for ranking many cases (an index by stage: a menu that does
    not serve the case's stage is never eligible, so the unexplained ranking skips it)."""

    def __init__(self, menus: Iterable[MenuFacts]):
        self.menus = tuple(sorted(menus, key=lambda m: m.code))
        self._by_stage: dict[str, tuple[MenuFacts, ...]] = {}
        for menu in self.menus:
            for stage in menu.stages:
                self._by_stage.setdefault(stage, ())
                self._by_stage[stage] += (menu,)

    def __len__(self) -> int:
        return len(self.menus)

    def rank(self, case: CaseProfile, *, explain_exclusions: bool = True) -> Ranking:
        """Rank the eligible menus for the case, best first. With ``explain_exclusions``
        the excluded menus come back too, each with every rule it fails."""
        ranked: list[Match] = []
        excluded: list[Exclusion] = []
        menus = self.menus if explain_exclusions else self._by_stage.get(case.stage, ())
        for menu in menus:
            failed = exclusions(menu, case)
            if failed:
                if explain_exclusions:
                    excluded.append(Exclusion(menu, failed))
                continue
            reasons = match_reasons(menu, case)
            ranked.append(Match(menu, sum(r.weight for r in reasons), reasons))
        ranked.sort(key=lambda m: (-m.score, m.menu.code))
        return Ranking(tuple(ranked), tuple(excluded))


def rank(case: CaseProfile, menus: Iterable[MenuFacts]) -> Ranking:
    """Rank a catalogue for one case, with exclusions explained."""
    return Catalogue(menus).rank(case)


def describe(reason: Reason, labels: Mapping[str, Mapping[str, str]]) -> str:
    """The reason in words. ``labels`` maps each parameter name (stage, tag, regions …) to
    a code → label mapping; an unknown code is shown as it is (dates, for example)."""
    params = {
        key: str(LIST_SEPARATOR).join(
            str(labels.get(key, {}).get(value, value)) for value in values
        )
        for key, values in reason.params
    }
    return str(MESSAGES[reason.code]) % params if params else str(MESSAGES[reason.code])
