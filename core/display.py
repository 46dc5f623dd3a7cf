"""How stored values read for people: registrations.normalise stores a postal code as 7
digits and a phone number as digits (with + and the country code when abroad); pages, e-mails
and exports for people show them with hyphens. Used by the template filters of the same
names (core/templatetags/display.py)."""

import re

import phonenumbers

_STORED_PHONE = re.compile(r"\+?[0-9]{8,15}")  # registrations.normalise.phone_normalise


def postal_display(value) -> str:
    """「100-0013」 from 「1000013」; anything else (old data, blank) as it is."""
    text = "" if value is None else str(value)
    if len(text) == 7 and text.isascii() and text.isdigit():
        return f"{text[:3]}-{text[3:]}"
    return text


def phone_display(value) -> str:
    """「03-1234-5678」, 「090-1234-5678」, 「0120-123-456」 (Japan's numbering plan, as the
    phonenumbers library knows it); a number abroad 「+1 415-555-2671」; anything else (not
    stored normalised, or not a number in use) as it is."""
    text = "" if value is None else str(value)
    if not _STORED_PHONE.fullmatch(text):
        return text
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    if number.country_code == 81:
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return shown if text.startswith("+") or shown.replace("-", "") == text else text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
