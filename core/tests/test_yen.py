"""Amounts of yen: typed as people write them (YenField, through the imports' parser) and shown
as 「3,000,000円」 (the `yen` filter)."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.csv_import import yen_format, yen_parse
from core.forms import YenField
from core.validators import MAX_YEN, NEGATIVE_AMOUNT

AMOUNTS = st.integers(min_value=0, max_value=MAX_YEN)
FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@pytest.fixture(autouse=True)
def japanese():
    with translation.override("ja"):
        yield


class AmountForm(forms.Form):
    amount = YenField(label="金額", required=False)


@given(AMOUNTS)
def test_an_amount_shown_reads_back_as_the_same_amount(amount):
    with translation.override("ja"):
        shown = yen_format(amount)
        assert shown == f"{amount:,}円"
        assert yen_parse(shown) == amount


@given(AMOUNTS, st.sampled_from(["{}", "{}円", "￥{}", "¥{}", "{} 円"]), st.booleans(),
       st.booleans())  # fmt: skip
def test_the_field_takes_an_amount_however_it_is_written(amount, pattern, commas, full_width):
    digits = f"{amount:,}" if commas else str(amount)
    typed = pattern.format(digits.translate(FULL_WIDTH) if full_width else digits)
    form = AmountForm({"amount": typed})
    assert form.is_valid(), (typed, form.errors)
    assert form.cleaned_data["amount"] == amount


@given(AMOUNTS)
def test_a_saved_amount_is_shown_in_the_field_with_commas_and_reads_back(amount):
    field = YenField()
    assert field.clean(field.prepare_value(amount)) == amount


@pytest.mark.parametrize("typed", ["abc", "3.5", "3,000,000ドル", "1e6", "-", "--1"])
def test_what_is_not_an_amount_gets_a_message_beside_the_field(typed):
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert form.errors["amount"] == [
        f"金額は円の整数で入力してください（例: 3000000、3,000,000、3,000,000円）。"
        f"「{typed}」は読み取れません。"
    ]


@pytest.mark.parametrize("typed", ["-1", "－1,000円", "\N{MINUS SIGN}5"])
def test_a_negative_amount_is_refused_as_negative(typed):
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert form.errors["amount"] == [str(NEGATIVE_AMOUNT)]


def test_an_amount_over_the_limit_is_refused_with_the_limit():
    form = AmountForm({"amount": str(MAX_YEN + 1)})
    assert not form.is_valid()
    assert "1,000,000,000,000" in form.errors["amount"][0]


def test_a_blank_amount_is_none():
    form = AmountForm({"amount": "  "})
    assert form.is_valid()
    assert form.cleaned_data["amount"] is None


def test_the_field_brings_up_a_number_keyboard_and_shows_commas():
    html = str(AmountForm(initial={"amount": 3_000_000})["amount"])
    assert 'type="text"' in html
    assert 'inputmode="numeric"' in html
    assert 'value="3,000,000"' in html


@pytest.mark.parametrize(
    ("value", "shown"),
    [(3_000_000, "3,000,000円"), (0, "0円"), (None, "—"), ("", "—"), (1234, "1,234円")],
)
def test_the_yen_filter(value, shown):
    template = Template('{% load yen %}{{ value|yen|default:"—" }}')
    assert template.render(Context({"value": value})) == shown
