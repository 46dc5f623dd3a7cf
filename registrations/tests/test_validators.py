import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.jp import cn

from registrations.models import Business
from registrations.tests.factories import BusinessFactory
from registrations.validators import corporate_number_normalise, validate_corporate_number


@pytest.mark.parametrize(
    "number",
    ["7000012050002", "4000012090001", "4011001098993", "7010705000725", "5835678256246",
     "7123456789012"],
)  # fmt: skip
def test_real_corporate_numbers_are_valid(number):
    validate_corporate_number(number)


@pytest.mark.parametrize("number", ["2835678256246", "123456789012", "0123456789012x", ""])
def test_wrong_check_digit_or_shape_is_rejected_with_a_message(number):
    with pytest.raises(ValidationError) as error:
        validate_corporate_number(number)
    assert error.value.code == "invalid_corporate_number"


def test_full_width_digits_spaces_and_hyphens_are_normalised():
    assert corporate_number_normalise("７０００ ０１２０-５０００２") == "7000012050002"


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_any_base_number_with_its_computed_check_digit_validates(base):
    validate_corporate_number(cn.calc_check_digit(base) + base)


@given(st.from_regex(r"\A[0-9]{12}\Z"), st.integers(1, 8))
def test_changing_the_check_digit_is_always_caught(base, shift):
    good = int(cn.calc_check_digit(base))
    bad = (good - 1 + shift) % 9 + 1  # another digit in 1..9
    with pytest.raises(ValidationError):
        validate_corporate_number(f"{bad}{base}")


@pytest.mark.django_db
def test_a_corporation_needs_its_corporate_number():
    business = BusinessFactory.build(corporate_number=None)
    with pytest.raises(ValidationError) as error:
        business.full_clean()
    assert [e.code for e in error.value.error_dict["__all__"]] == ["corporate_number_required"]


@pytest.mark.django_db
def test_a_sole_proprietor_may_have_no_corporate_number():
    business = BusinessFactory.build(
        corporate_number=None, entity_type=Business.EntityType.SOLE_PROPRIETOR, capital_yen=None
    )
    business.full_clean()
