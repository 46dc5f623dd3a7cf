import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from registrations.normalise import (
    INVALID_KANA,
    INVALID_PHONE,
    INVALID_POSTAL_CODE,
    email_key,
    kana_normalise,
    name_key,
    phone_key,
    phone_normalise,
    postal_code_normalise,
)

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
HIRAGANA = "".join(chr(code) for code in range(0x3041, 0x3097))
KATAKANA = "".join(chr(code) for code in range(0x30A1, 0x30FB))
HALF_WIDTH_KATAKANA = "ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ"
ASCII_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# postal_code_normalise


@pytest.mark.parametrize(
    "value",
    [
        "123-4567",
        "1234567",
        "１２３－４５６７",
        "１２３４５６７",
        "〒123-4567",
        "〒１２３－４５６７",
        "〒 123-4567",
        " 123 4567 ",
        "123\u30004567",  # ideographic space
        "123‐4567",  # U+2010 hyphen
        "123‑4567",  # U+2011 non-breaking hyphen
        "123–4567",  # U+2013 en dash
        "123—4567",  # U+2014 em dash
        "123―4567",  # U+2015 horizontal bar
        "123−4567",  # U+2212 minus sign
        "123ｰ4567",  # U+FF70 half-width prolonged sound mark
        "123ー4567",  # U+30FC prolonged sound mark
        "123－4567",  # U+FF0D full-width hyphen-minus
    ],
)
def test_postal_code_variants_give_seven_ascii_digits(value):
    assert postal_code_normalise(value) == "1234567"


@pytest.mark.parametrize("value", ["", "   ", "\u3000"])
def test_an_empty_postal_code_is_allowed(value):
    assert postal_code_normalise(value) == ""


@pytest.mark.parametrize(
    "value",
    [
        "123-456",
        "123-45678",
        "12345678",
        "abc-defg",
        "123-456a",
        "〒",
        "〒-",
        "١٢٣٤٥٦٧",
        "+1234567",
    ],
)
def test_a_postal_code_that_is_not_seven_digits_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        postal_code_normalise(value)
    assert error.value.code == "invalid_postal_code"
    assert error.value.message == INVALID_POSTAL_CODE


@given(st.from_regex(r"\A[0-9]{7}\Z"))
def test_full_width_ddd_dddd_gives_the_ascii_digits(digits):
    written = f"{digits[:3]}－{digits[3:]}".translate(FULL_WIDTH_DIGITS)
    assert postal_code_normalise(written) == digits


# kana_normalise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ヤマダ", "ヤマダ"),
        ("やまだ", "ヤマダ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),  # half-width with a separate voiced mark
        ("ﾊﾟｰﾄﾅｰ", "パートナー"),
        ("やまだ　たろう", "ヤマダ タロウ"),  # ideographic space
        ("  ヤマダ   タロウ  ", "ヤマダ タロウ"),
        ("ヤマダ\tタロウ", "ヤマダ タロウ"),
        ("ABCショウジ", "ABCショウジ"),
        ("ＡＢＣショウジ", "ABCショウジ"),  # full-width letters
        ("abc123", "abc123"),
        ("ダイ２セイサクショ", "ダイ2セイサクショ"),
        ("スズキ・イチロウ", "スズキ・イチロウ"),
        ("ｽｽﾞｷ･ｲﾁﾛｳ", "スズキ・イチロウ"),  # half-width middle dot
        ("ヽヾ", "ヽヾ"),
        ("ゝゞ", "ヽヾ"),  # hiragana iteration marks
        ("ヴァヵヶヷヺ", "ヴァヵヶヷヺ"),
        ("ゔぁゕゖ", "ヴァヵヶ"),
        ("コーヒー", "コーヒー"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_kana_variants_are_normalised_to_katakana(value, expected):
    assert kana_normalise(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "山田",
        "ヤマダ太郎",
        "ヤマダ-タロウ",
        "ヤマダ（カブ）",
        "ヤマダ.",
        "ヤマダ、タロウ",
        "ヤマダ!",
        "Ωメガ",
    ],
)
def test_text_that_is_not_a_reading_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        kana_normalise(value)
    assert error.value.code == "invalid_kana"
    assert error.value.message == INVALID_KANA


kana_input = st.text(
    alphabet=st.sampled_from(
        [*HIRAGANA, *KATAKANA, *HALF_WIDTH_KATAKANA, *ASCII_ALNUM, "ー", "・", " ", "\u3000", "\t"]
    )
)


@given(kana_input)
def test_kana_normalise_is_idempotent(value):
    once = kana_normalise(value)
    assert kana_normalise(once) == once


@given(st.text())
def test_any_text_is_either_rejected_or_normalised_to_a_fixed_point(value):
    try:
        once = kana_normalise(value)
    except ValidationError:
        return  # rejected: the code is checked by the table tests above
    assert kana_normalise(once) == once


@given(st.text(alphabet=st.sampled_from(HIRAGANA), min_size=1))
def test_hiragana_becomes_katakana_of_the_same_length(value):
    kana = kana_normalise(value)
    assert len(kana) == len(value)
    assert all("\u30a1" <= ch <= "\u30f6" for ch in kana)


# phone_normalise and phone_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03-1234-5678", "0312345678"),
        ("0312345678", "0312345678"),
        ("090-1234-5678", "09012345678"),
        ("０９０－１２３４－５６７８", "09012345678"),
        ("(03) 1234-5678", "0312345678"),
        ("（03）1234－5678", "0312345678"),
        ("03 1234 5678", "0312345678"),
        ("03\u30001234\u30005678", "0312345678"),
        ("03ー1234ー5678", "0312345678"),
        ("03‐1234‐5678", "0312345678"),
        ("03−1234−5678", "0312345678"),
        ("0120-123-456", "0120123456"),
        ("+81 3-1234-5678", "+81312345678"),
        ("＋８１ ３ １２３４ ５６７８", "+81312345678"),
        ("+81 (0)3-1234-5678", "+810312345678"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+12345678", "+12345678"),  # 8 digits, the shortest international number
        ("+123456789012345", "+123456789012345"),  # 15 digits, the E.164 maximum
        ("", ""),
        ("  ", ""),
    ],
)
def test_phone_variants_are_normalised(value, expected):
    assert phone_normalise(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "031234567",  # 9 digits
        "031234567890",  # 12 digits
        "3-1234-5678",  # no leading 0
        "+1234567",  # 7 digits after +
        "+1234567890123456",  # 16 digits after +
        "03-1234-5678 ext. 12",
        "03-1234-567８x",
        "++81312345678",
        "81+312345678",
        "phone",
    ],
)
def test_an_invalid_phone_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        phone_normalise(value)
    assert error.value.code == "invalid_phone"
    assert error.value.message == INVALID_PHONE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03-1234-5678", "0312345678"),
        ("0312345678", "0312345678"),
        ("+81 3-1234-5678", "0312345678"),
        ("+81312345678", "0312345678"),
        ("＋８１（３）１２３４－５６７８", "0312345678"),
        ("+81 (0)3-1234-5678", "0312345678"),
        ("+81 90-1234-5678", "09012345678"),
        ("+1 212 555 0100", "12125550100"),
        ("", ""),
    ],
)
def test_phone_key_is_digits_with_japan_written_domestically(value, expected):
    assert phone_key(value) == expected


@given(st.from_regex(r"\A[1-9][0-9]{8,9}\Z"))
def test_a_japanese_number_and_its_international_form_share_a_key(national):
    domestic = phone_normalise(f"0{national}")
    international = phone_normalise(f"+81 {national}")
    assert phone_key(domestic) == phone_key(international) == f"0{national}"


# email_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Taro@Example.JP", "taro@example.jp"),
        ("  taro@example.jp\n", "taro@example.jp"),
        ("taro@example.jp", "taro@example.jp"),
        ("", ""),
    ],
)
def test_email_key_is_stripped_and_lower_case(value, expected):
    assert email_key(value) == expected


# name_key


@pytest.mark.parametrize(
    "value",
    [
        "山田製作所",
        "株式会社 山田製作所",
        "株式会社山田製作所",
        "（株）山田製作所",
        "(株)山田製作所",
        "㈱山田製作所",
        "山田製作所㈱",
        "山田製作所 (株)",
        "山田製作所株式会社",
        "山田 製作所",
        "山田\u3000製作所",
        " 山田製作所 ",
        "有限会社山田製作所",
        "山田製作所（有）",
        "㈲山田製作所",
        "合同会社山田製作所",
        "(同)山田製作所",
        "合名会社山田製作所",
        "合資会社山田製作所",
        "一般社団法人山田製作所",
        "一般財団法人山田製作所",
        "特定非営利活動法人山田製作所",
        "NPO法人山田製作所",
        "ＮＰＯ法人 山田製作所",
        "npo法人山田製作所",
        "「山田製作所」",
        "山田・製作所",
        "山田･製作所",
    ],
)
def test_legal_forms_spacing_and_punctuation_do_not_change_the_name_key(value):
    assert name_key(value) == "山田製作所"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ", "ヤマダ"),
        ("ヤマダ", "ヤマダ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("ABC商事株式会社", "abc商事"),
        ("ＡＢＣ商事", "abc商事"),
        ("A.B.C. Trading, Inc.", "abctradinginc"),
        ("Smith & Sons", "smithsons"),
        ("Smith ＆ Sons", "smithsons"),
        ("ヤマダ-セイサク", "ヤマダセイサク"),
        ("ヤマダ－セイサク", "ヤマダセイサク"),
        ("スーパーヤマダ", "スーパーヤマダ"),  # ー is part of the word
        ("ｽｰﾊﾟｰﾔﾏﾀﾞ", "スーパーヤマダ"),
        ("[山田]{製作所}", "山田製作所"),
        ("株式会社", ""),
        ("", ""),
    ],
)
def test_name_key_examples(value, expected):
    assert name_key(value) == expected


def test_hiragana_and_katakana_names_share_a_key():
    assert name_key("やまだしょうじ") == name_key("ヤマダショウジ")


def test_long_vowel_mark_keeps_different_words_apart():
    assert name_key("スーパー") != name_key("スパ")


name_text = st.text(
    alphabet=st.sampled_from(
        [*"山田製作所商事株式会社有限合同名資一般社団財法人特定非営利活動", *HIRAGANA[:20],
         *KATAKANA[:20], *"abcABC0123ー・-.&()（）㈱㈲"]
    ),
    min_size=1,
)  # fmt: skip


@given(name_text)
def test_name_key_ignores_kabushiki_kaisha_before_or_after(name):
    key = name_key(name)
    assert name_key(f"株式会社{name}") == key
    assert name_key(f"{name}株式会社") == key
    assert name_key(f"株式会社 {name}") == key
    assert name_key(f"㈱{name}") == key


@given(name_text, st.lists(st.integers(min_value=0, max_value=50), max_size=5))
def test_name_key_ignores_inserted_spaces(name, positions):
    spaced = name
    for position in positions:
        at = position % (len(spaced) + 1)
        spaced = f"{spaced[:at]} {spaced[at:]}"
    assert name_key(spaced) == name_key(name)


@given(st.text(alphabet=st.characters(codec="utf-8")), st.integers(min_value=0, max_value=50))
def test_name_key_ignores_a_space_or_ideographic_space_anywhere(name, position):
    at = position % (len(name) + 1)
    assert name_key(f"{name[:at]}\u3000{name[at:]}") == name_key(name)
