from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def signed(value) -> str:
    """A change with its sign: +1,234, −5 (a true minus sign), ±0; — when unknown."""
    if value is None or value == "":
        return "—"
    if value == 0:
        return "±0"
    sign = "+" if value > 0 else "−"
    magnitude = abs(value)
    if isinstance(magnitude, float | Decimal) and magnitude != int(magnitude):
        return f"{sign}{magnitude}"
    return f"{sign}{intcomma(int(magnitude))}"
