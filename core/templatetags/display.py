"""{% load display %}: {{ value|postal_display }} 「100-0013」, {{ value|phone_display }}."""

from django import template

from core import display

register = template.Library()
register.filter("postal_display", display.postal_display, is_safe=True)
register.filter("phone_display", display.phone_display, is_safe=True)


@register.filter
def minutes(duration) -> int:
    """A timedelta in whole minutes, rounded up (django-axes' cool-off: 「15分間」)."""
    return -(-int(duration.total_seconds()) // 60)
