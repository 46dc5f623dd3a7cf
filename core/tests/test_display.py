"""How dates, postal codes and phone numbers read (issue 16): 2026年12月1日 everywhere, 100-0013,
03-1234-5678 (config/formats, core.display and its template filters)."""

import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import given
from hypothesis import strategies as st

from core.display import phone_display, postal_display


def test_dates_and_times_read_the_same_way_in_every_format():
    day = datetime.date(2026, 12, 1)
    moment = datetime.datetime(2026, 12, 1, 14, 5, tzinfo=ZoneInfo("Asia/Tokyo"))
    with translation.override("ja"):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert date_format(day, name) == "2026年12月1日"
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert date_format(moment, name) == "2026年12月1日 14:05"
        page = Template("{{ day|date }} {{ moment|date:'DATETIME_FORMAT' }}")
        html = page.render(Context({"day": day, "moment": moment}))
        assert html == "2026年12月1日 2026年12月1日 14:05"
    with translation.override("en"):
        assert date_format(day) == "1 December 2026"


def test_a_date_typed_as_people_write_it_is_understood():
    from django import forms

    field = forms.DateField()
    with translation.override("ja"):
        for typed in ("2026-12-01", "2026/12/01", "2026年12月1日"):
            assert field.clean(typed) == datetime.date(2026, 12, 1), typed
        assert forms.DateInput().format_value(datetime.date(2026, 12, 1)) == "2026-12-01"


@given(st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_a_stored_postal_code_shows_with_its_hyphen(code):
    shown = postal_display(code)
    assert shown == f"{code[:3]}-{code[3:]}"
    assert shown.replace("-", "") == code


@given(st.text(max_size=12).filter(lambda text: not (len(text) == 7 and text.isdigit())))
def test_anything_else_is_shown_as_it_is(text):
    assert postal_display(text) == text
    assert postal_display(None) == ""


def test_phone_numbers_show_as_people_write_them():
    assert phone_display("0312345678") == "03-1234-5678"
    assert phone_display("09012345678") == "090-1234-5678"
    assert phone_display("0120123456") == "0120-123-456"
    assert phone_display("+81312345678") == "03-1234-5678"
    assert phone_display("+14155552671") == "+1 415-555-2671"
    assert phone_display("") == ""
    assert phone_display("内線") == "内線"
    assert phone_display("0200000000") == "0200000000"  # no such number: left as it is


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
def test_a_japanese_number_keeps_its_digits(number):
    assert phone_display(number).replace("-", "") == number


def test_the_filters_escape_what_they_are_given():
    page = Template("{% load display %}{{ code|postal_display }} {{ phone|phone_display }}")
    html = page.render(Context({"code": "1000013", "phone": "<b>0312345678"}))
    assert html == "100-0013 &lt;b&gt;0312345678"
