"""The country picker's list: the main destinations first, the rest in 五十音 order, every
country with a Japanese name and a reading; and the picker itself (core.widgets)."""

import re

import pytest
from django import forms
from django.utils import translation
from django_countries import countries
from hypothesis import given
from hypothesis import strategies as st

from core.countries import MAIN_DESTINATIONS, country_choices, gojuon_key, reading, search_text
from core.widgets import CountryPicker

HIRAGANA = re.compile(r"[ぁ-ゖー]+")
# The program's main destinations as the picker shows them (seed 000, seed 002).
MAIN_NAMES = ["中国", "米国", "台湾", "香港", "韓国", "タイ", "ベトナム", "シンガポール",
              "オーストラリア", "マレーシア", "インドネシア", "フィリピン", "英国", "ドイツ",
              "フランス", "カナダ", "インド"]  # fmt: skip


@pytest.fixture
def japanese():
    with translation.override("ja"):
        yield


def groups():
    (main_label, main), (rest_label, rest) = country_choices()
    return main_label, main, rest_label, rest


def test_the_main_destinations_come_first_in_their_own_order(japanese):
    main_label, main, rest_label, rest = groups()
    assert main_label == "主な輸出先"
    assert [name for _code, name in main] == MAIN_NAMES
    assert rest_label == "その他の国・地域（五十音順）"
    assert not {code for code, _name in rest} & set(MAIN_DESTINATIONS)


def test_every_country_but_japan_is_offered_once_with_a_name_and_a_reading(japanese):
    _main_label, main, _rest_label, rest = groups()
    codes = [code for code, _name in main + rest]
    assert len(codes) == len(set(codes))
    assert set(codes) == {country.code for country in countries} - {"JP"}
    for code, name in main + rest:
        assert name
        assert name != code
        assert HIRAGANA.fullmatch(reading(name)), name


def test_the_rest_is_in_gojuon_order(japanese):
    _main_label, _main, _rest_label, rest = groups()
    keys = [gojuon_key(reading(name)) for _code, name in rest]
    assert keys == sorted(keys)
    names = [name for _code, name in rest]
    # Kanji names sit where their reading puts them, not at the end (as code points would).
    for earlier, later in [
        ("アイスランド", "アイルランド"),
        ("イラン", "ヴァージン諸島(アメリカ領)"),  # ヴ reads as う
        ("ウルグアイ", "英領インド洋地域"),  # えいりょう
        ("カンボジア", "北朝鮮"),  # きたちょうせん
        ("北マリアナ諸島", "ギニア"),  # き before ぎ on the same letter
        ("チャド", "中央アフリカ"),  # ちゃ (small ゃ reads as や) before ちゅ
        ("中央アフリカ", "チュニジア"),
        ("ドミニカ共和国", "ドミニカ国"),  # きょうわこく before こく
        ("ナミビア", "南極"),
        ("南極", "ニウエ"),
        ("マン島", "ミクロネシア連邦"),
        ("ミクロネシア連邦", "南アフリカ"),
    ]:
        assert names.index(earlier) < names.index(later), (earlier, later)


def test_names_read_as_japanese_services_write_them(japanese):
    assert str(countries.name("US")) == "米国"
    assert str(countries.name("GB")) == "英国"
    assert str(countries.name("GE")) == "ジョージア"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("中国", "ちゅうごく"), ("北マケドニア", "きたまけどにあ"), ("香港", "ほんこん"),
     ("コンゴ(民主共和国)", "こんごみんしゅきょうわこく"), ("マン島", "まんとう"),
     ("アラブ首長国連邦", "あらぶしゅちょうこくれんぽう")],
)  # fmt: skip
def test_readings_of_kanji_names(name, expected):
    assert reading(name) == expected


def test_a_name_without_a_known_reading_is_refused():
    with pytest.raises(ValueError, match="No reading"):
        reading("新国")


@given(st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6), min_size=1))
def test_a_katakana_name_reads_as_its_hiragana(name):
    assert reading(name) == "".join(chr(ord(char) - 0x60) for char in name)


def test_gojuon_order_sets_dakuten_small_kana_and_long_vowels_aside():
    assert gojuon_key("か") < gojuon_key("が") < gojuon_key("き")
    assert gojuon_key("かー")[0] == gojuon_key("かあ")[0]
    assert gojuon_key("ちゃど") < gojuon_key("ちゅうおう")


def test_the_filter_box_finds_a_country_by_name_reading_english_name_and_code(japanese):
    text = search_text("US")
    for word in ("米国", "べいこく", "united states", "us", "アメリカ"):
        assert word.lower() in text.lower()


class PickerForm(forms.Form):
    countries = forms.MultipleChoiceField(
        choices=country_choices, required=False, widget=CountryPicker(exclusive_with="undecided")
    )
    country = forms.ChoiceField(choices=country_choices, widget=CountryPicker(multiple=False))


def test_the_picker_is_boxes_in_a_list_that_work_without_javascript(japanese):
    form = PickerForm(initial={"countries": ["TW"]})
    html = str(form["countries"])
    assert 'type="checkbox"' in html
    assert re.search(r'<input type="checkbox" name="countries" value="TW"[^>]* checked', html)
    assert 'data-exclusive-with="undecided"' in html
    assert "Ctrl" not in html
    assert "⌘" not in html
    # The filter box and the chips are JavaScript's: hidden until the script shows them.
    assert re.search(r'<div class="country-picker-search" hidden>', html)
    assert 'type="radio"' in str(form["country"])
    bound = PickerForm({"countries": ["US", "TW"], "country": "VN"})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {"countries": ["US", "TW"], "country": "VN"}
    assert not PickerForm({"countries": ["JP"], "country": "VN"}).is_valid()


def test_the_picker_names_the_other_field_with_the_forms_prefix():
    html = str(PickerForm(prefix="survey")["countries"])
    assert 'data-exclusive-with="survey-undecided"' in html
