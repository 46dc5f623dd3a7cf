"""Realistic, reproducible demo businesses for seed_demo (bulk inserts: 100,000 in seconds)."""

import random
from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from faker import Faker
from stdnum.jp import cn

from core.models import Organisation, Prefecture
from portal.demo.counselling import cases_seed
from registrations.models import (
    Business,
    ChallengeType,
    Contact,
    DuplicateFlag,
    ExportExperience,
    ReferralSource,
    Registration,
    Situation,
)
from registrations.normalise import email_key, name_key, phone_key
from registrations.services.intake import REFERENCE_ALPHABET
from registrations.size_class import business_size_class

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
    """Insert n businesses, each with a contact and a registration, plus a few suspected
    duplicates (about 1%) for the review queue; return the new business ids."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    partners_by_prefecture: dict[str, list[int]] = {}
    partner_kinds = dict(
        Organisation.objects.filter(kind__in=Organisation.PARTNER_KINDS).values_list("id", "kind")
    )
    for org_id, prefecture_id in Organisation.objects.filter(pk__in=partner_kinds).values_list(
        "id", "prefecture_id"
    ):
        partners_by_prefecture.setdefault(prefecture_id, []).append(org_id)
    offices = dict(Prefecture.objects.values_list("code", "office_id"))
    org_names = dict(Organisation.objects.values_list("id", "name"))

    numbers = _corporate_numbers(rng)
    ids: list[int] = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        duplicate_count = size // 100  # about 1% register twice under another name form
        originals = size - duplicate_count
        businesses = [
            _demo_business(rng, fake, numbers, prefecture, industry, partners_by_prefecture)
            for prefecture, industry in zip(
                _weighted(rng, PREFECTURE_WEIGHTS, originals),
                _weighted(rng, INDUSTRY_WEIGHTS, originals),
                strict=True,
            )
        ]
        duplicates = [
            _demo_duplicate(original, rng) for original in rng.sample(businesses, duplicate_count)
        ]
        created = Business.objects.bulk_create(businesses + duplicates, batch_size=batch_size)
        contacts = Contact.objects.bulk_create(
            [_demo_contact(business, rng, fake) for business in businesses], batch_size=batch_size
        )
        by_business = {contact.business_id: contact for contact in contacts}
        # A suspected duplicate: same normalised name, same phone, another e-mail.
        duplicate_contacts = Contact.objects.bulk_create(
            [
                _demo_duplicate_contact(duplicate, by_business[duplicate._original.pk])
                for duplicate in duplicates
            ]
        )
        registrations = Registration.objects.bulk_create(
            [
                _demo_registration(contact, rng, offices, partner_kinds, org_names)
                for contact in contacts + duplicate_contacts
            ],
            batch_size=batch_size,
        )
        cases_seed(registrations=registrations, seed=seed + start)
        registration_of = {r.business_id: r for r in registrations}
        DuplicateFlag.objects.bulk_create(
            DuplicateFlag(
                registration=registration_of[duplicate.pk],
                business_id=duplicate.pk,
                candidate_id=duplicate._original.pk,
                reason=DuplicateFlag.Reason.NAME_AND_PHONE,
            )
            for duplicate in duplicates
        )
        ids.extend(b.pk for b in created)
    return ids


def _demo_business(rng, fake, numbers, prefecture, industry, partners_by_prefecture) -> Business:
    last, last_kana, _romaji = fake.last_name_pair()
    word, word_kana = rng.choice(TRADE_WORDS.get(industry, DEFAULT_TRADE_WORDS))
    sole = rng.random() < SOLE_PROPRIETOR_RATE
    employees = min(int(rng.paretovariate(1.3)) if sole else int(rng.paretovariate(0.9) * 3), 2500)
    capital = None if sole else rng.choice([3, 5, 10, 20, 30, 50, 100, 300, 500]) * 10**6
    detail = rng.choice(DETAILS[industry]) if industry in DETAILS else ""
    partners = partners_by_prefecture.get(prefecture)
    name = f"{last}{word}" if sole else f"株式会社{last}{word}"
    return Business(
        entity_type=(
            Business.EntityType.SOLE_PROPRIETOR if sole else Business.EntityType.CORPORATION
        ),
        corporate_number=None if sole else next(numbers),
        name=name,
        name_kana=f"{last_kana}{word_kana}",
        name_key=name_key(name),
        representative=fake.name(),
        postal_code=fake.zipcode().replace("-", ""),
        prefecture_id=prefecture,
        address=f"{fake.city()}{fake.town()}{fake.chome()}{fake.ban()}",
        industry_id=industry,
        industry_detail=detail,
        capital_yen=capital,
        employees=employees,
        size_class=business_size_class(
            division=industry, detail=detail, capital_yen=capital, employees=employees
        ),
        referred_by_id=(
            rng.choice(partners) if partners and rng.random() < PARTNER_REFERRAL_RATE else None
        ),
    )


def _demo_duplicate(original: Business, rng) -> Business:
    """The same firm registering again without its 法人番号, its name written differently."""
    duplicate = Business(
        **{
            field.attname: getattr(original, field.attname)
            for field in Business._meta.concrete_fields
            if field.attname not in ("id", "corporate_number", "entity_type", "name")
        }
    )
    duplicate.entity_type = Business.EntityType.SOLE_PROPRIETOR
    duplicate.name = original.name.replace("株式会社", "（株）") + rng.choice(["", " "])
    duplicate.capital_yen = None
    duplicate._original = original
    return duplicate


def _demo_contact(business: Business, rng, fake) -> Contact:
    phone = fake.phone_number()
    email = f"contact{business.pk}@{fake.free_email_domain()}"
    last, last_kana, _ = fake.last_name_pair()
    first, first_kana, _ = fake.first_name_pair()
    return Contact(
        business=business,
        name=f"{last} {first}",
        name_kana=f"{last_kana} {first_kana}",
        department=rng.choice(["代表取締役", "営業部", "海外事業部", "総務部", ""]),
        email=email,
        email_key=email_key(email),
        phone=phone,
        phone_key=phone_key(phone),
        status=Contact.Status.ACTIVE,
        email_verified_at=timezone.now(),  # an established firm: its address was proven
    )


def _demo_duplicate_contact(duplicate: Business, original: Contact) -> Contact:
    email = f"dup{duplicate.pk}@example.jp"
    return Contact(
        business=duplicate, name=original.name, name_kana=original.name_kana,
        email=email, email_key=email_key(email), phone=original.phone,
        phone_key=original.phone_key, status=Contact.Status.ACTIVE,
    )  # fmt: skip


def _demo_registration(contact: Contact, rng, offices, partner_kinds, org_names) -> Registration:
    business = contact.business
    referred = business.referred_by_id
    created_at = timezone.now() - timedelta(
        days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 1440)
    )
    status = Registration.Status.REGISTERED
    if referred and rng.random() < 0.1:
        status = Registration.Status.AWAITING_CONSENT
    elif rng.random() < 0.02:
        status = Registration.Status.WITHDRAWN
    consented = None if status == Registration.Status.AWAITING_CONSENT else created_at
    undecided = rng.random() < 0.25
    source = (
        partner_kinds[referred] if referred else rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
    )
    return Registration(
        reference=f"EX-{created_at.year}-{_code(rng)}",
        business=business,
        contact=contact,
        office_id=offices[business.prefecture_id],
        status=status,
        channel=Registration.Channel.PARTNER if referred else Registration.Channel.ONLINE,
        referred_by_id=referred,
        challenge_type=rng.choices(CHALLENGES, weights=CHALLENGE_WEIGHTS)[0],
        situations=rng.sample(Situation.values, k=rng.randint(1, 4)),
        products=rng.choice(PRODUCTS.get(business.industry_id, DEFAULT_PRODUCTS)),
        destinations=[] if undecided else rng.sample(DESTINATIONS, k=rng.randint(1, 3)),
        destinations_undecided=undecided,
        export_experience=rng.choices(ExportExperience.values, weights=[60, 20, 12, 8])[0],
        ec_success=rng.random() < 0.08,
        referral_source=source,
        referral_organisation_name=org_names.get(referred, ""),
        privacy_consented_at=consented,
        sharing_consented_at=consented,
        notice_version="2026-04" if consented else "",
        consent_nonce="" if consented else f"{rng.getrandbits(128):032x}",
        registered_at=consented,
        created_at=created_at,
    )


def _code(rng) -> str:
    code = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


DETAILS = {
    "I": ["wholesale", "retail"],
    "M": ["accommodation", "food_service"],
    "N": ["living_services", "amusement"],
}
CHALLENGES = ChallengeType.values
CHALLENGE_WEIGHTS = [55, 18, 12, 10, 5]
SOURCES = [ReferralSource.JETRO, ReferralSource.WEB, ReferralSource.SEMINAR,
           ReferralSource.SMRJ, ReferralSource.OTHER]  # fmt: skip
SOURCE_WEIGHTS = [30, 35, 20, 8, 7]
# Destinations weighted toward Asia, North America and Europe, as the program reports.
DESTINATIONS = [
    "US", "CN", "TW", "HK", "SG", "TH", "VN", "KR", "FR", "DE", "GB", "AU", "AE",
    "MY", "ID", "PH", "CA", "IT", "SA", "BR", "MX", "KE", "US", "TW", "SG", "US",
]  # fmt: skip
PRODUCTS = {
    "E": ["日本酒・焼酎", "調味料（醤油・味噌）", "精密部品", "刃物・包丁", "化粧品", "陶磁器",
          "和菓子", "繊維製品・タオル", "機械工具"],
    "A": ["果物（りんご・いちご）", "茶葉", "米"],
    "B": ["ホタテ・水産加工品", "鮮魚"],
    "I": ["日用品", "食品の卸", "工芸品"],
}  # fmt: skip
DEFAULT_PRODUCTS = ["ソフトウェア・SaaS", "観光・体験サービス", "デザインサービス"]


def business_demo_login_link(*, user) -> None:
    """Make the demo business login the contact of the first business in Tokyo, one in
    support (with proposals to show) when there is one."""
    if Contact.objects.filter(user=user).exists():
        return
    candidates = Contact.objects.filter(
        business__prefecture_id="13",
        user__isnull=True,
        registrations__status=Registration.Status.REGISTERED,
    ).order_by("business_id", "id")
    contact = candidates.filter(registrations__case__status="support").first() or candidates.first()
    if contact is not None:
        contact.user = user
        contact.name = user.get_full_name()
        contact.email = user.email
        contact.save(update_fields=["user", "name", "email"])
