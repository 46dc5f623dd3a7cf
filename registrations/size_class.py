"""A firm's size class under the SME Basic Act (中小企業基本法 第2条) and related laws.

The program reports how many 小規模事業者, 中小企業 and 中堅企業 it supports, so the class is
derived from the firm's own answers (industry, capital, employees) rather than asked for:
few applicants know which class their firm legally belongs to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmeGroup(models.TextChoices):
    """The four industry groups of 中小企業基本法 第2条, each with its own limits."""

    MANUFACTURING_OTHER = (
        "manufacturing_other",
        _("Manufacturing, construction, transport and other"),
    )
    WHOLESALE = "wholesale", _("Wholesale")
    RETAIL = "retail", _("Retail (including restaurants)")
    SERVICE = "service", _("Services")


class SizeClass(models.TextChoices):
    SMALL = "small", _("Small business (小規模事業者)")
    SME = "sme", _("SME (中小企業)")
    MID = "mid", _("Mid-sized company (中堅企業)")
    LARGE = "large", _("Large company (大企業)")


class IndustryDetail(models.TextChoices):
    """Where one JSIC division spans SME groups, the firm picks the part it belongs to."""

    NONE = "", _("—")
    WHOLESALE = "wholesale", _("Wholesale")  # division I
    RETAIL = "retail", _("Retail")  # division I
    ACCOMMODATION = "accommodation", _("Accommodation")  # division M
    FOOD_SERVICE = "food_service", _("Eating and drinking services")  # division M
    LIVING_SERVICES = "living_services", _("Living-related and personal services")  # division N
    AMUSEMENT = "amusement", _("Amusement services")  # division N


# JSIC (日本標準産業分類) 大分類 A–T, stored as the division's letter. Divisions I, M and N are
# split because their parts fall in different SME groups. People read the names without the
# letters, grouped as they think of their trade, the most common (製造業, ~40% of
# registrations, seed 000) first. The names are the classification's own Japanese names (a
# few with words people use, in brackets), so they are not translated.
INDUSTRY_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (_("Manufacturing and construction"), [
        ("E", "製造業"),
        ("D", "建設業"),
        ("F", "電気・ガス・熱供給・水道業"),
        ("C", "鉱業、採石業、砂利採取業"),
    ]),
    (_("Agriculture, forestry and fisheries"), [
        ("A", "農業、林業"),
        ("B", "漁業"),
    ]),
    (_("Wholesale and retail"), [
        ("I-wholesale", "卸売業（商社・問屋など）"),
        ("I-retail", "小売業（店舗・通信販売など）"),
    ]),
    (_("Restaurants and accommodation"), [
        ("M-food_service", "飲食サービス業（飲食店など）"),
        ("M-accommodation", "宿泊業（ホテル・旅館など）"),
    ]),
    (_("Services"), [
        ("G", "情報通信業"),
        ("H", "運輸業、郵便業"),
        ("J", "金融業、保険業"),
        ("K", "不動産業、物品賃貸業"),
        ("L", "学術研究、専門・技術サービス業"),
        ("N-living_services", "生活関連サービス業（理美容・洗濯など）"),
        ("N-amusement", "娯楽業"),
        ("O", "教育、学習支援業"),
        ("P", "医療、福祉"),
        ("Q", "複合サービス事業（郵便局・協同組合など）"),
        ("R", "サービス業（他に分類されないもの）"),
    ]),
    (_("Other"), [
        ("S", "公務（他に分類されるものを除く）"),
        ("T", "分類不能の産業（どれにも当てはまらない）"),
    ]),
]  # fmt: skip
INDUSTRY_OPTIONS: list[tuple[str, str]] = [
    option for _group, options in INDUSTRY_GROUPS for option in options
]
_OPTION_VALUES = frozenset(value for value, _label in INDUSTRY_OPTIONS)

# Capital (yen) and employee limits of 中小企業基本法 第2条: a firm under either is an SME.
SME_LIMITS: dict[SmeGroup, tuple[int, int]] = {
    SmeGroup.MANUFACTURING_OTHER: (300_000_000, 300),
    SmeGroup.WHOLESALE: (100_000_000, 100),
    SmeGroup.SERVICE: (50_000_000, 100),
    SmeGroup.RETAIL: (50_000_000, 50),
}
# Employee limits for 小規模事業者 (中小企業基本法 第2条第5項).
SMALL_LIMITS: dict[SmeGroup, int] = {
    SmeGroup.MANUFACTURING_OTHER: 20,
    SmeGroup.WHOLESALE: 5,
    SmeGroup.SERVICE: 5,
    SmeGroup.RETAIL: 5,
}
# 宿泊業 and 娯楽業 are service firms whose small-business limit is 20, not 5
# (小規模事業者支援法施行令).
SMALL_LIMIT_20 = 20
# 中堅企業: not an SME, at most 2,000 employees (産業競争力強化法, 2024 amendment).
MID_EMPLOYEE_LIMIT = 2_000

_SERVICE_DIVISIONS = frozenset("GLOPQR")
_SMALL_LIMIT_20_OPTIONS = frozenset({"M-accommodation", "N-amusement"})


def industry_option_parse(value: str) -> tuple[str, str]:
    """Split a form option into the stored (division, detail) pair: "I-retail" → ("I",
    "retail"), "E" → ("E", ""). Unknown options raise ValueError, so a tampered form value
    cannot reach the database."""
    if value not in _OPTION_VALUES:
        raise ValueError(f"Unknown industry option: {value!r}")
    division, _sep, detail = value.partition("-")
    return division, detail


def industry_label(division: str, detail: str) -> str:
    """What a firm's industry is called on pages: 「製造業」, 「小売業（店舗・通信販売など）」;
    empty for a pair that is not one of the options."""
    return dict(INDUSTRY_OPTIONS).get(f"{division}-{detail}" if detail else division, "")


def industry_option_value(division: str, detail: str) -> str:
    """The form option for a stored (division, detail) pair; ValueError if the pair is not
    one of the options (a split division without its detail, or a detail on another one)."""
    value = f"{division}-{detail}" if detail else division
    if value not in _OPTION_VALUES:
        raise ValueError(f"Unknown industry: division {division!r}, detail {detail!r}")
    return value


def sme_group_for(division: str, detail: str) -> SmeGroup:
    """The SME-law industry group of a JSIC division (and detail, for I, M and N).

    This is a division-level approximation of the SME Agency's (中小企業庁) table that maps
    JSIC to the groups of 中小企業基本法 第2条; that table is the source to follow. It works
    at the major-group level, so parts of some divisions fall in another group than the one
    used here for the whole division (for example within G, 情報サービス業 is services but
    通信業 and 放送業 are manufacturing and other; parts of K differ too). 飲食店 (M food
    service) count as retail under the SME law. Raises ValueError for a pair that is not one
    of INDUSTRY_OPTIONS."""
    option = industry_option_value(division, detail)
    if option == "I-wholesale":
        return SmeGroup.WHOLESALE
    if option in ("I-retail", "M-food_service"):
        return SmeGroup.RETAIL
    if division in ("M", "N") or division in _SERVICE_DIVISIONS:
        return SmeGroup.SERVICE
    return SmeGroup.MANUFACTURING_OTHER


def size_class_for(
    *, group: SmeGroup, capital_yen: int | None, employees: int, small_limit_20: bool = False
) -> SizeClass:
    """The size class from the SME-law limits of the firm's industry group.

    Either criterion makes an SME (capital at or under the limit, or employees at or under
    it); a sole proprietor has no capital (None) and qualifies on employees alone.
    `small_limit_20` applies the 宿泊業・娯楽業 rule, whose small-business limit is 20.
    The 政令 exceptions that individual support laws add (e.g. ゴム製品製造業 900 employees,
    旅館業 200) are not part of the 基本法 definition and are not applied."""
    if employees < 0:
        raise ValueError("employees cannot be negative")
    if capital_yen is not None and capital_yen < 0:
        raise ValueError("capital cannot be negative")
    capital_limit, employee_limit = SME_LIMITS[group]
    is_sme = (capital_yen is not None and capital_yen <= capital_limit) or (
        employees <= employee_limit
    )
    if is_sme:
        small_limit = SMALL_LIMIT_20 if small_limit_20 else SMALL_LIMITS[group]
        return SizeClass.SMALL if employees <= small_limit else SizeClass.SME
    if employees <= MID_EMPLOYEE_LIMIT:
        return SizeClass.MID
    return SizeClass.LARGE


def business_size_class(
    *, division: str, detail: str, capital_yen: int | None, employees: int
) -> SizeClass:
    """The size class of a firm as stored: its JSIC division and detail, capital and
    employees. ValueError for a (division, detail) pair that is not an option."""
    return size_class_for(
        group=sme_group_for(division, detail),
        capital_yen=capital_yen,
        employees=employees,
        small_limit_20=industry_option_value(division, detail) in _SMALL_LIMIT_20_OPTIONS,
    )
