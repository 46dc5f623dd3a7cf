"""Countries as the country picker offers them: the program's main destinations first, then
the rest in 五十音 (Japanese syllabary) order.

django-countries gives the names (in Japanese mostly katakana, which reads as it is written);
names with kanji get their reading from `KANJI_READINGS`, longest word first. The override of
a few names (米国, 英国) is COUNTRIES_OVERRIDE in the settings, so every page and export says
the same. A test checks that every name has a reading and that the order holds.
"""

import unicodedata
from functools import cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

# The destinations firms name most (the program's registrations: アジア・北米・欧州 make up
# about 90% (seed 000); China, Vietnam, Taiwan, Thailand and the US lead (seed 002)), in the
# order the picker shows them.
MAIN_DESTINATIONS = (
    "CN", "US", "TW", "HK", "KR", "TH", "VN", "SG",
    "AU", "MY", "ID", "PH", "GB", "DE", "FR", "CA", "IN",
)  # fmt: skip
# Nobody exports to Japan.
NOT_A_DESTINATION = frozenset({"JP"})

# Other names people search by.
SEARCH_ALIASES = {
    "US": "アメリカ USA", "GB": "イギリス UK", "KR": "大韓民国", "CN": "中華人民共和国",
    "AE": "UAE ドバイ", "NL": "ホランド",
}  # fmt: skip

MAIN_GROUP = _("Main destinations")
OTHER_GROUP = _("Other countries and regions (in Japanese syllabary order)")

# The readings of the kanji (and hiragana) words in the Japanese names, in hiragana.
KANJI_READINGS = {
    "アラブ首長国連邦": "あらぶしゅちょうこくれんぽう",
    "合衆国領有小離島": "がっしゅうこくりょうゆうしょうりとう",
    "共和国": "きょうわこく",
    "自治州": "じちしゅう",
    "北朝鮮": "きたちょうせん",
    "インド洋": "いんどよう",
    "米国": "べいこく",
    "英国": "えいこく",
    "中国": "ちゅうごく",
    "韓国": "かんこく",
    "台湾": "たいわん",
    "香港": "ほんこん",
    "日本": "にほん",
    "南極": "なんきょく",
    "南方": "なんぽう",
    "中央": "ちゅうおう",
    "赤道": "せきどう",
    "民主": "みんしゅ",
    "連邦": "れんぽう",
    "市国": "しこく",
    "諸島": "しょとう",
    "地域": "ちいき",
    "米領": "べいりょう",
    "英領": "えいりょう",
    "仏領": "ふつりょう",
    "および": "および",
    "領": "りょう",
    "島": "とう",
    "国": "こく",
    "北": "きた",
    "南": "みなみ",
    "東": "ひがし",
    "西": "にし",
}
_WORDS = sorted(KANJI_READINGS, key=len, reverse=True)
_IGNORED = frozenset(" 　・、,()（）.-'")
# The vowel a long-vowel mark (ー) stands for, after each kana.
_VOWELS = {
    vowel: row
    for vowel, row in (
        ("あ", "あかさたなはまやらわ"),
        ("い", "いきしちにひみり"),
        ("う", "うくすつぬふむゆる"),
        ("え", "えけせてねへめれ"),
        ("お", "おこそとのほもよろを"),
    )
}
_VOWEL_OF = {kana: vowel for vowel, row in _VOWELS.items() for kana in row}
_SMALL = str.maketrans("ぁぃぅぇぉっゃゅょゎ", "あいうえおつやゆよわ")


def _hiragana(char: str) -> str:
    """Katakana ア–ヶ (ヴ too) become hiragana; anything else is returned as it is."""
    return chr(ord(char) - 0x60) if "ァ" <= char <= "ヶ" else char


def reading(name: str) -> str:
    """The hiragana reading of a Japanese country name: 「北マケドニア」 → 「きたまけどにあ」.
    Raises ValueError for a character it cannot read (a new kanji in a name)."""
    out = []
    index = 0
    while index < len(name):
        word = next((w for w in _WORDS if name.startswith(w, index)), None)
        if word:
            out.append(KANJI_READINGS[word])
            index += len(word)
            continue
        char = _hiragana(name[index])
        if char in _IGNORED:
            pass
        elif "ぁ" <= char <= "ゖ" or char == "ー":
            out.append(char)
        else:
            raise ValueError(f"No reading for {name[index]!r} in {name!r}")
        index += 1
    return "".join(out)


def gojuon_key(kana: str) -> tuple[str, str]:
    """A sort key for a hiragana reading in 五十音 order: first by the plain kana (dakuten
    and small kana set aside, ー read as the vowel before it), then by the reading itself."""
    plain = []
    for char in unicodedata.normalize("NFD", kana):
        if char in "\u3099\u309a":  # the combining (han)dakuten
            continue
        if char == "ー":
            char = _VOWEL_OF.get(plain[-1], "") if plain else ""
        plain.append(char.translate(_SMALL))
    return "".join(plain), kana


def _name(code: str, language: str) -> str:
    with translation.override(language):
        return str(countries.name(code))


@cache
def _order() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The codes of the two groups: the main destinations, and the rest by reading."""
    rest = sorted(
        (
            country.code
            for country in countries
            if country.code not in MAIN_DESTINATIONS and country.code not in NOT_A_DESTINATION
        ),
        key=lambda code: gojuon_key(reading(_name(code, "ja"))),
    )
    return MAIN_DESTINATIONS, tuple(rest)


@cache
def _search_texts(language: str) -> dict[str, str]:
    codes = [code for group in _order() for code in group]
    return {
        code: " ".join(
            (_name(code, language), reading(_name(code, "ja")), _name(code, "en").lower(),
             code.lower(), SEARCH_ALIASES.get(code, "").lower())
        )
        for code in codes
    }  # fmt: skip


def search_text(code: str) -> str:
    """What the picker's filter box matches against: the name, its reading, the English
    name and the code (lower case)."""
    return _search_texts(translation.get_language() or "ja").get(code, "")


def country_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's choices in two groups: the main destinations in their own order, then
    the rest by reading. Names are in the active language: a callable for `choices`, so each
    form gets them in its request's language."""
    main, rest = _order()
    return [
        (str(MAIN_GROUP), [(code, str(countries.name(code))) for code in main]),
        (str(OTHER_GROUP), [(code, str(countries.name(code))) for code in rest]),
    ]
