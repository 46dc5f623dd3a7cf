from collections import Counter

import pytest
from django_countries import countries

from core.models import CountryRegion, IndustryDivision, MetiRegion, Organisation, Prefecture

pytestmark = pytest.mark.django_db


def test_migrate_loads_all_47_prefectures_with_jis_codes():
    codes = list(Prefecture.objects.values_list("code", flat=True))
    assert codes == [f"{n:02d}" for n in range(1, 48)]
    assert Prefecture.objects.get(code="13").name == "東京都"
    assert Prefecture.objects.get(code="47").name == "沖縄県"


def test_prefectures_follow_the_meti_bureau_regions_not_the_usual_chiho():
    counts = Counter(Prefecture.objects.values_list("region", flat=True))
    assert counts == {
        MetiRegion.HOKKAIDO: 1, MetiRegion.TOHOKU: 6, MetiRegion.KANTO: 11,
        MetiRegion.CHUBU: 5, MetiRegion.KINKI: 7, MetiRegion.CHUGOKU: 5,
        MetiRegion.SHIKOKU: 4, MetiRegion.KYUSHU: 7, MetiRegion.OKINAWA: 1,
    }  # fmt: skip
    # The pitfalls: 新潟・長野・山梨・静岡 are under 関東経済産業局, 福井 under 近畿.
    for code in ("15", "19", "20", "22"):
        assert Prefecture.objects.get(code=code).region == MetiRegion.KANTO
    assert Prefecture.objects.get(code="18").region == MetiRegion.KINKI


def test_every_prefecture_is_routed_to_a_jetro_domestic_office():
    assert not Prefecture.objects.filter(office__isnull=True).exists()
    kinds = set(Prefecture.objects.values_list("office__kind", flat=True))
    assert kinds == {Organisation.Kind.JETRO_OFFICE}
    assert Prefecture.objects.get(code="14").office.code == "jetro-yokohama"


def test_jsic_divisions_a_to_t():
    divisions = dict(IndustryDivision.objects.values_list("code", "name"))
    assert list(divisions) == list("ABCDEFGHIJKLMNOPQRST")
    assert divisions["E"] == "製造業"
    assert divisions["M"] == "宿泊業、飲食サービス業"


def test_every_iso_country_has_a_destination_region():
    mapped = set(CountryRegion.objects.values_list("country", flat=True))
    assert mapped == {code for code, _name in countries}
    regions = dict(CountryRegion.objects.values_list("country", "region"))
    assert regions["CN"] == "asia"
    assert regions["US"] == "north_america"
    assert regions["AE"] == "middle_east"
    assert regions["BR"] == "latin_america"
    assert regions["AU"] == "oceania"
    assert regions["KE"] == "africa"
    assert regions["FR"] == "europe"


def test_sample_partner_organisations_of_each_kind_exist():
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert set(Organisation.PARTNER_KINDS) <= kinds
