"""The filters every progress figure and export follows: a period, and the firm's METI region,
prefecture, industry and size class. The form checks them; ProgressFilters carries them to the
selectors, the export log and the background job (as a plain dict)."""

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import CleanTextMixin
from core.models import IndustryDivision, MetiRegion, Prefecture
from registrations.size_class import SizeClass


def fiscal_year_start(day: date) -> date:
    """1 April of the Japanese fiscal year (年度) the day falls in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass(frozen=True)
class ProgressFilters:
    date_from: date
    date_to: date
    region: str = ""
    prefecture: str = ""  # JIS code
    industry: str = ""  # JSIC division code
    size_class: str = ""

    @classmethod
    def default(cls, today: date | None = None) -> "ProgressFilters":
        today = today or timezone.localdate()
        return cls(date_from=fiscal_year_start(today), date_to=today)

    @classmethod
    def from_dict(cls, data: dict) -> "ProgressFilters":
        return cls(**{
            **data, "date_from": date.fromisoformat(data["date_from"]),
            "date_to": date.fromisoformat(data["date_to"]),
        })  # fmt: skip

    def as_dict(self) -> dict:
        """JSON-safe, for the export log and the background job."""
        return {**asdict(self), "date_from": self.date_from.isoformat(),
                "date_to": self.date_to.isoformat()}  # fmt: skip

    @property
    def start(self) -> datetime:
        """The period's first moment (Japan time)."""
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """The moment after the period's last day: periods are [start, end)."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "ProgressFilters":
        """The period of the same length just before this one, for the change figures."""
        return replace(
            self, date_from=self.date_from - timedelta(days=self.days),
            date_to=self.date_from - timedelta(days=1),
        )  # fmt: skip

    def business_q(self, prefix: str) -> Q:
        """The firm filters, for a queryset whose business sits at `prefix`
        (e.g. "registration__business__")."""
        q = Q()
        if self.region:
            q &= Q(**{f"{prefix}prefecture__region": self.region})
        if self.prefecture:
            q &= Q(**{f"{prefix}prefecture_id": self.prefecture})
        if self.industry:
            q &= Q(**{f"{prefix}industry_id": self.industry})
        if self.size_class:
            q &= Q(**{f"{prefix}size_class": self.size_class})
        return q

    def progress_q(self) -> Q:
        """The firm filters, for the dashboard's fact table (reporting.BusinessProgress)."""
        q = Q()
        for field in ("region", "prefecture", "industry", "size_class"):
            if getattr(self, field):
                q &= Q(**{field: getattr(self, field)})
        return q

    @property
    def business_filters_set(self) -> bool:
        return bool(self.region or self.prefecture or self.industry or self.size_class)


class ProgressFilterForm(CleanTextMixin, forms.Form):
    date_from = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("period", "To"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    region = forms.ChoiceField(
        label=_("METI region"), required=False,
        choices=[("", _("All regions")), *MetiRegion.choices],
    )  # fmt: skip
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), required=False, queryset=Prefecture.objects.order_by("code"),
        empty_label=_("All prefectures"),
    )  # fmt: skip
    industry = forms.ModelChoiceField(
        label=_("Industry"), required=False, queryset=IndustryDivision.objects.order_by("code"),
        empty_label=_("All industries"),
    )  # fmt: skip
    size_class = forms.ChoiceField(
        label=_("Size class"), required=False,
        choices=[("", _("All sizes")), *SizeClass.choices],
    )  # fmt: skip

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        default = ProgressFilters.default(self.today)
        date_from = data.get("date_from") or default.date_from
        date_to = data.get("date_to") or self.today
        if "date_to" not in self.errors and date_to > self.today:
            self.add_error("date_to", _("The period cannot end after today."))
        if not self.errors and date_from > date_to:
            self.add_error("date_from", _("The start must not be after the end."))
        if date_from < settings.PROGRAM_START_DATE:
            date_from = settings.PROGRAM_START_DATE
        prefecture = data.get("prefecture")
        region = data.get("region")
        if prefecture and region and prefecture.region != region:
            self.add_error(
                "prefecture", _("%(prefecture)s is not in the chosen region.")
                % {"prefecture": prefecture.name},
            )  # fmt: skip
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> ProgressFilters:
        """The filters to apply: the valid ones the user chose; defaults otherwise."""
        if not self.is_bound or not self.is_valid():
            return ProgressFilters.default(self.today)
        data = self.cleaned_data
        return ProgressFilters(
            date_from=data["date_from"], date_to=data["date_to"], region=data["region"] or "",
            prefecture=data["prefecture"].code if data["prefecture"] else "",
            industry=data["industry"].code if data["industry"] else "",
            size_class=data["size_class"] or "",
        )  # fmt: skip


def period_presets(today: date) -> list[tuple[str, date, date]]:
    """Quick links: this fiscal year, the last, the last 12 months, the whole program."""
    this_year = fiscal_year_start(today)
    last_year = date(this_year.year - 1, 4, 1)
    return [
        (_("This fiscal year"), this_year, today),
        (_("Last fiscal year"), last_year, this_year - timedelta(days=1)),
        (_("Last 12 months"), today - timedelta(days=364), today),
        (_("Since the program began"), settings.PROGRAM_START_DATE, today),
    ]
