import factory
from stdnum.jp import cn

from registrations.models import Business, Contact


def _corporate_number(n: int) -> str:
    base = f"{1000 + n % 5000:04d}01{n:06d}"
    return cn.calc_check_digit(base) + base


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    entity_type = Business.EntityType.CORPORATION
    corporate_number = factory.Sequence(_corporate_number)
    name = factory.Faker("company", locale="ja_JP")
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
