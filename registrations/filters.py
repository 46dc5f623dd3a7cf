"""Filters and search for the staff registrations list (django-filter)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.jp import cn

from core.forms import CleanTextMixin
from core.models import IndustryDivision, MetiRegion, Prefecture
from registrations.models import ChallengeType, ReferralSource, Registration
from registrations.normalise import email_key, kana_normalise, name_key
from registrations.size_class import SizeClass


class RegistrationFilterForm(CleanTextMixin, forms.Form):
    """The filters' form: a bad date or choice gets a message naming the filter."""


class RegistrationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search (name, kana, corporate number, e-mail)"), method="search"
    )
    prefecture = django_filters.ModelChoiceFilter(
        field_name="business__prefecture", queryset=Prefecture.objects.all(),
        label=_("Prefecture"),
    )  # fmt: skip
    region = django_filters.ChoiceFilter(
        field_name="business__prefecture__region", choices=MetiRegion.choices,
        label=_("METI region"),
    )  # fmt: skip
    industry = django_filters.ModelChoiceFilter(
        field_name="business__industry", queryset=IndustryDivision.objects.all(),
        label=_("Industry"),
    )  # fmt: skip
    size_class = django_filters.ChoiceFilter(
        field_name="business__size_class", choices=SizeClass.choices, label=_("Size class")
    )
    challenge_type = django_filters.ChoiceFilter(
        choices=ChallengeType.choices, label=_("Type of challenge")
    )
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices, label=_("Status"))
    referral_source = django_filters.ChoiceFilter(
        choices=ReferralSource.choices, label=_("Referral source")
    )
    registered_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Registered from")
    )
    registered_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Registered until")
    )

    class Meta:
        model = Registration
        fields = []
        form = RegistrationFilterForm

    def search(self, queryset, name, value):
        return queryset.filter(registration_search_q(value))


def registration_search_q(value: str, prefix: str = "") -> Q:
    """The one search rule for registrations and their cases: an e-mail address matches
    exactly, a 法人番号 or a reference exactly; anything else matches the normalised name
    (name_key) or the katakana reading, with LIKE so the trigram indexes serve it
    (icontains would compare UPPER(name) and scan the table). `prefix` is the path from the
    searched model to the registration ("" or "registration__")."""
    value = value.strip()
    if not value:
        return Q()
    if "@" in value:
        return Q(**{f"{prefix}contact__email_key": email_key(value)})
    if value.upper().startswith("EX-"):
        return Q(**{f"{prefix}reference__iexact": value})
    compact = cn.compact(value) if any(ch.isdigit() for ch in value) else ""
    if compact.isdigit() and len(compact) == 13:
        return Q(**{f"{prefix}business__corporate_number": compact})
    match = Q()
    if key := name_key(value):
        match |= Q(**{f"{prefix}business__name_key__contains": key})
    try:
        if kana := kana_normalise(value):
            match |= Q(**{f"{prefix}business__name_kana__contains": kana})
    except ValidationError:  # not a reading: the name alone
        pass
    return match or Q(**{f"{prefix}business__name__contains": value})
