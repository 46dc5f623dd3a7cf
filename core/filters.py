"""What the list filters (django-filter) share."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class YesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter's choices read すべて／はい／いいえ (Django's own say 不明 for "do not
    filter")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", pgettext_lazy("yes/no filter", "All")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter: はい keeps the rows that are, いいえ those that are not, すべて all."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)
