"""Normalisation of what people type into the Japanese registration form.

The same firm arrives written many ways: full-width digits from a Japanese IME, half-width
katakana from old systems, 〒 marks, five kinds of dash, ㈱ or 株式会社 before or after the
name. Forms store one canonical spelling, and duplicate detection compares *keys* that are
deliberately lossier than what is stored.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_POSTAL_CODE = _("Enter a 7-digit postal code, for example 100-0013.")
INVALID_KANA = _("Enter the reading in katakana (letters and digits are also allowed).")
INVALID_PHONE = _(
    "Enter a phone number: 10 or 11 digits starting with 0, or + and the country code."
)

# Hyphens and dashes people type between digits. NFKC already folds the full-width and
# half-width forms (－ → -, ｰ → ー, ‑ → ‐), but listing them keeps the intent readable.
DASHES = frozenset(
    "-"  # U+002D hyphen-minus
    "\u2010"  # ‐ hyphen
    "\u2011"  # ‑ non-breaking hyphen
    "\u2012"  # ‒ figure dash
    "\u2013"  # – en dash
    "\u2014"  # — em dash
    "\u2015"  # ― horizontal bar
    "\u2212"  # − minus sign
    "\u30fc"  # ー katakana prolonged sound mark (IMEs produce it for '-' in kana mode)
    "\uff70"  # ｰ half-width prolonged sound mark
    "\uff0d"  # － full-width hyphen-minus
    "\ufe63"  # ﹣ small hyphen-minus
)

_WHITESPACE = re.compile(r"\s+")
_POSTAL_CODE = re.compile(r"[0-9]{7}")
_KANA = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe 0-9A-Za-z]*")
_PHONE_INTERNATIONAL = re.compile(r"\+[0-9]{8,15}")
_PHONE_JAPAN = re.compile(r"0[0-9]{9,10}")
_PHONE_DROP = DASHES | frozenset("()")

# Hiragana ぁ..ゖ (U+3041..U+3096) and the iteration marks ゝゞ sit exactly 0x60 below their
# katakana counterparts.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)}

# Legal-form words and their abbreviations, as they look after NFKC and lower-casing (NFKC
# turns ㈱ and （株） into "(株)", and lower() turns "NPO" into "npo"). (資), (名), (一社),
# (一財) and (特非) are the usual abbreviations of forms already in the list.
LEGAL_FORMS = (
    "特定非営利活動法人",
    "一般社団法人",
    "一般財団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合名会社",
    "合資会社",
    "npo法人",
    "(一社)",
    "(一財)",
    "(特非)",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
)
# Removed from name keys besides Unicode punctuation (category P*): dashes that Unicode
# files as maths symbols. ー is not in the list: it is part of katakana words.
_NAME_KEY_DROP = (DASHES - {"\u30fc", "\uff70"}) | frozenset("＆&")


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def _hiragana_to_katakana(value: str) -> str:
    return value.translate(_HIRAGANA_TO_KATAKANA)


def postal_code_normalise(value: str) -> str:
    """7 ASCII digits from "123-4567", "〒１２３－４５６７" and the like.

    Where the hyphen sits is not checked: the digits are what identifies the area."""
    if not value.strip():
        return ""
    cleaned = "".join(
        ch for ch in _nfkc(value) if ch != "〒" and ch not in DASHES and not ch.isspace()
    )
    if not _POSTAL_CODE.fullmatch(cleaned):
        raise ValidationError(INVALID_POSTAL_CODE, code="invalid_postal_code")
    return cleaned


def kana_normalise(value: str) -> str:
    """The reading (フリガナ) in full-width katakana, whichever kana the person typed.

    Readings are sorted and searched, so hiragana and half-width katakana are folded into one
    script; ASCII letters and digits stay because firm names such as ABC商事 contain them."""
    kana = _hiragana_to_katakana(_nfkc(value))
    kana = _WHITESPACE.sub(" ", kana).strip()
    if not _KANA.fullmatch(kana):
        raise ValidationError(INVALID_KANA, code="invalid_kana")
    return kana


def _phone_compact(value: str) -> str:
    return "".join(ch for ch in _nfkc(value) if ch not in _PHONE_DROP and not ch.isspace())


def phone_normalise(value: str) -> str:
    """Digits only, with a leading + for an international number, so that the stored number
    can be dialled and compared whatever punctuation it was typed with."""
    if not value.strip():
        return ""
    phone = _phone_compact(value)
    if not (_PHONE_INTERNATIONAL.fullmatch(phone) or _PHONE_JAPAN.fullmatch(phone)):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phone


def phone_key(value: str) -> str:
    """Digits for duplicate matching: "+81 3-1234-5678" and "03-1234-5678" give one key.

    A Japanese number written internationally drops its trunk 0 after +81; some people keep
    it as "+81 (0)3 …", so a 0 right after +81 is not doubled. Never raises: keys are also
    computed for numbers stored before validation existed."""
    phone = _phone_compact(value)
    if phone.startswith("+81"):
        rest = phone[3:]
        phone = rest if rest.startswith("0") else "0" + rest
    return "".join(ch for ch in phone if ch in "0123456789")


def email_key(value: str) -> str:
    """E-mail addresses are matched case-insensitively, as people type them either way."""
    return value.strip().lower()


def name_key(value: str) -> str:
    """The business-name key that suspected duplicates share.

    Deliberately lossy: 株式会社 before or after the name, ㈱, spacing, punctuation and
    hiragana versus katakana are all things the same firm writes differently on two forms.
    ー stays, since it is part of katakana words (スーパー ≠ スパ)."""
    key = _WHITESPACE.sub("", _nfkc(value))
    # NFKC again: removing whitespace can bring a base letter and a combining mark together.
    key = _hiragana_to_katakana(_nfkc(key).lower())
    previous = None
    while key != previous:  # until stable: removing one form must not reveal another
        previous = key
        for form in LEGAL_FORMS:
            key = key.replace(form, "")
    return "".join(
        ch
        for ch in key
        if ch not in _NAME_KEY_DROP and not unicodedata.category(ch).startswith("P")
    )
