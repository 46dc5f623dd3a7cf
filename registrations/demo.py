"""Realistic, reproducible demo businesses for seed_demo (bulk inserts: 100,000 in seconds)."""

import random
from collections.abc import Iterator

from faker import Faker
from stdnum.jp import cn

from core.models import Organisation
from registrations.models import Business, Contact

# Approximate population (10,000s, 2020 census) as the prefecture mix of registrants.
PREFECTURE_WEIGHTS = {
    "01": 522,
    "02": 124,
    "03": 121,
    "04": 230,
    "05": 96,
    "06": 107,
    "07": 183,
    "08": 287,
    "09": 193,
    "10": 194,
    "11": 734,
    "12": 628,
    "13": 1405,
    "14": 924,
    "15": 220,
    "16": 103,
    "17": 113,
    "18": 77,
    "19": 81,
    "20": 205,
    "21": 198,
    "22": 363,
    "23": 754,
    "24": 177,
    "25": 141,
    "26": 258,
    "27": 884,
    "28": 547,
    "29": 132,
    "30": 92,
    "31": 55,
    "32": 67,
    "33": 189,
    "34": 280,
    "35": 134,
    "36": 72,
    "37": 95,
    "38": 133,
    "39": 69,
    "40": 514,
    "41": 81,
    "42": 131,
    "43": 174,
    "44": 112,
    "45": 107,
    "46": 159,
    "47": 147,
}
# JSIC division mix of registrants: about 40% manufacturing, as the program reports.
INDUSTRY_WEIGHTS = {
    "E": 40,
    "I": 22,
    "A": 5,
    "B": 2,
    "M": 6,
    "G": 5,
    "L": 4,
    "R": 5,
    "D": 3,
    "H": 2,
    "N": 3,
    "K": 1,
    "P": 1,
    "O": 1,
}
# Trade words by industry, with their katakana reading, for names like 山本製作所.
TRADE_WORDS = {
    "E": [
        ("製作所", "セイサクショ"),
        ("工業", "コウギョウ"),
        ("食品", "ショクヒン"),
        ("酒造", "シュゾウ"),
        ("製菓", "セイカ"),
        ("精機", "セイキ"),
        ("織物", "オリモノ"),
        ("陶苑", "トウエン"),
        ("化成", "カセイ"),
        ("醸造", "ジョウゾウ"),
    ],
    "I": [("商事", "ショウジ"), ("商店", "ショウテン"), ("物産", "ブッサン"), ("茶舗", "チャホ")],
    "A": [("農園", "ノウエン"), ("ファーム", "ファーム"), ("林業", "リンギョウ")],
    "B": [("水産", "スイサン"), ("漁業", "ギョギョウ")],
    "M": [("フーズ", "フーズ"), ("旅館", "リョカン")],
    "G": [("システム", "システム"), ("ソフト", "ソフト")],
}
DEFAULT_TRADE_WORDS = [("企画", "キカク"), ("サービス", "サービス"), ("産業", "サンギョウ")]
PARTNER_REFERRAL_RATE = 0.35
SOLE_PROPRIETOR_RATE = 0.2


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _corporate_numbers(rng: random.Random) -> Iterator[str]:
    """Distinct valid 法人番号: check digit + 会社法人等番号 (registry office, 組織区分 01,
    serial). Registry office codes start with 0–5 and never with 00."""
    seen: set[str] = set()
    while True:
        base = f"{rng.randint(100, 5999):04d}01{rng.randint(0, 999_999):06d}"
        if base not in seen:
            seen.add(base)
            yield cn.calc_check_digit(base) + base


def businesses_seed(*, n: int, seed: int, batch_size: int = 5000) -> list[int]:
    """Insert n businesses with one contact each; return the new business ids."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    partners_by_prefecture: dict[str, list[int]] = {}
    for org_id, prefecture_id in Organisation.objects.filter(
        kind__in=Organisation.PARTNER_KINDS
    ).values_list("id", "prefecture_id"):
        partners_by_prefecture.setdefault(prefecture_id, []).append(org_id)

    numbers = _corporate_numbers(rng)
    ids: list[int] = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        prefectures = _weighted(rng, PREFECTURE_WEIGHTS, size)
        industries = _weighted(rng, INDUSTRY_WEIGHTS, size)
        businesses = []
        for prefecture, industry in zip(prefectures, industries, strict=True):
            last, last_kana, _romaji = fake.last_name_pair()
            word, word_kana = rng.choice(TRADE_WORDS.get(industry, DEFAULT_TRADE_WORDS))
            sole = rng.random() < SOLE_PROPRIETOR_RATE
            employees = int(rng.paretovariate(1.3)) if sole else int(rng.paretovariate(0.9) * 3)
            partners = partners_by_prefecture.get(prefecture)
            businesses.append(
                Business(
                    entity_type=(
                        Business.EntityType.SOLE_PROPRIETOR
                        if sole
                        else Business.EntityType.CORPORATION
                    ),
                    corporate_number=None if sole else next(numbers),
                    name=f"{last}{word}" if sole else f"株式会社{last}{word}",
                    name_kana=f"{last_kana}{word_kana}",
                    representative=fake.name(),
                    postal_code=fake.zipcode().replace("-", ""),
                    prefecture_id=prefecture,
                    address=f"{fake.city()}{fake.town()}{fake.chome()}{fake.ban()}",
                    industry_id=industry,
                    capital_yen=None if sole else rng.choice([3, 5, 10, 20, 30, 50, 100]) * 10**6,
                    employees=min(employees, 2500),
                    referred_by_id=(
                        rng.choice(partners)
                        if partners and rng.random() < PARTNER_REFERRAL_RATE
                        else None
                    ),
                )
            )
        created = Business.objects.bulk_create(businesses, batch_size=batch_size)
        Contact.objects.bulk_create(
            [
                Contact(
                    business_id=business.pk,
                    name=fake.name(),
                    name_kana=fake.kana_name(),
                    department=rng.choice(["代表取締役", "営業部", "海外事業部", "総務部", ""]),
                    email=f"contact{business.pk}@{fake.free_email_domain()}",
                    phone=fake.phone_number(),
                )
                for business in created
            ],
            batch_size=batch_size,
        )
        ids.extend(b.pk for b in created)
    return ids


def business_demo_login_link(*, user) -> None:
    """Make the demo business login the contact of the first business in Tokyo."""
    if Contact.objects.filter(user=user).exists():
        return
    contact = (
        Contact.objects.filter(business__prefecture_id="13", user__isnull=True)
        .order_by("business_id", "id")
        .first()
    )
    if contact is not None:
        contact.user = user
        contact.name = user.get_full_name()
        contact.email = user.email
        contact.save(update_fields=["user", "name", "email"])
