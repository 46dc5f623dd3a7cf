from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.jp import cn

INVALID_CORPORATE_NUMBER = _(
    "Enter a valid 13-digit corporate number (法人番号); the check digit does not match."
)


def corporate_number_normalise(value: str) -> str:
    """Full-width digits, spaces and hyphens accepted; returns the 13 bare digits."""
    return cn.compact(value)


def validate_corporate_number(value: str) -> None:
    try:
        cn.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(INVALID_CORPORATE_NUMBER, code="invalid_corporate_number") from exc
