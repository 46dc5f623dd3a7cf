"""`{{ amount|yen }}`: an amount of yen as 「3,000,000円」; nothing for no amount (so
`|yen|default:"—"` works)."""

from django import template

from core.csv_import import yen_format

register = template.Library()


@register.filter
def yen(value) -> str:
    if value is None or value == "":
        return ""
    return yen_format(int(value))
