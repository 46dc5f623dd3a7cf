import uuid

import factory
from django.utils import timezone
from stdnum.jp import cn

from registrations.models import Business, Contact, Registration
from registrations.normalise import email_key, name_key, phone_key


def _corporate_number(n: int) -> str:
    base = f"{1000 + n % 5000:04d}01{n:06d}"
    return cn.calc_check_digit(base) + base


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    entity_type = Business.EntityType.CORPORATION
    corporate_number = factory.Sequence(_corporate_number)
    name = factory.Faker("company", locale="ja_JP")
    name_key = factory.LazyAttribute(lambda b: name_key(b.name))
    name_kana = "テストショウジ"
    prefecture_id = "13"
    industry_id = "E"
    capital_yen = 10_000_000
    employees = 12


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    business = factory.SubFactory(BusinessFactory)
    name = factory.Faker("name", locale="ja_JP")
    email = factory.Sequence(lambda n: f"contact{n}@example.jp")
    phone = "03-5555-0000"
    email_key = factory.LazyAttribute(lambda c: email_key(c.email))
    phone_key = factory.LazyAttribute(lambda c: phone_key(c.phone))
    # An established contact: active, its address proven (pass None for one not yet proven).
    status = Contact.Status.ACTIVE
    email_verified_at = factory.LazyFunction(timezone.now)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed online registration; pass status/referred_by for other shapes."""

    class Meta:
        model = Registration

    reference = factory.Sequence(lambda n: f"EX-2026-T{n:03d}-TEST")
    business = factory.SubFactory(BusinessFactory)
    contact = factory.SubFactory(ContactFactory, business=factory.SelfAttribute("..business"))
    office = factory.LazyAttribute(lambda r: r.business.prefecture.office)
    status = Registration.Status.REGISTERED
    channel = Registration.Channel.ONLINE
    challenge_type = "first_export"
    products = "日本酒"
    export_experience = "none"
    referral_source = "web"
    privacy_consented_at = factory.LazyFunction(timezone.now)
    sharing_consented_at = factory.LazyFunction(timezone.now)


def registration_data(**overrides) -> dict:
    """Cleaned form data for one registration, as the form hands it to the service."""
    from core.models import Prefecture

    data = {
        "entity_type": Business.EntityType.CORPORATION,
        "corporate_number": "7010705000725",
        "name": "株式会社山田製作所",
        "name_kana": "ヤマダセイサクショ",
        "representative": "山田 太郎",
        "postal_code": "1000013",
        "prefecture": Prefecture.objects.get(code="13"),
        "address": "千代田区霞が関1-3-1",
        "industry_option": "E",
        "capital_yen": 10_000_000,
        "employees": 12,
        "website": "",
        "contact_name": "山田 花子",
        "contact_name_kana": "ヤマダ ハナコ",
        "contact_department": "海外事業部",
        "email": "hanako@example.jp",
        "email_confirm": "hanako@example.jp",
        "phone": "03-1234-5678",
        "challenge_type": "first_export",
        "situations": ["market_research", "find_buyers"],
        "products": "日本酒",
        "destinations": ["US", "TW"],
        "destinations_undecided": False,
        "export_experience": "none",
        "ec_success": False,
        "referral_source": "web",
        "referral_organisation_name": "",
        "submission_token": None,
    }
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """What a firm posts to the registration form, typed as people type; None drops a field."""
    data = {
        "entity_type": "corporation",
        "corporate_number": "７０１０ ７０５ ０００７２５",  # full-width digits and spaces
        "name": "株式会社山田製作所",
        "name_kana": "やまだせいさくしょ",  # hiragana is turned into katakana
        "representative": "山田 太郎",
        "postal_code": "〒１００－００１３",
        "prefecture": "13",
        "address": "千代田区霞が関1-3-1",
        "industry_option": "E",
        "capital_yen": "10000000",
        "employees": "12",
        "contact_name": "山田 花子",
        "contact_name_kana": "ヤマダ ハナコ",
        "email": "hanako@example.jp",
        "email_confirm": "hanako@example.jp",
        "phone": "03-1234-5678",
        "challenge_type": "first_export",
        "situations": ["market_research"],
        "products": "日本酒",
        "destinations": ["US", "TW"],
        "export_experience": "none",
        "referral_source": "web",
        "consent_privacy": "on",
        "consent_sharing": "on",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
