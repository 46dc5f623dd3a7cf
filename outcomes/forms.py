from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import CleanTextMixin, YenField, selects_start_blank
from core.validators import program_start
from core.widgets import CountryPicker
from outcomes.models import SurveyResponse
from outcomes.services import FIRST_EXPORT_BEFORE_REGISTRATION

DATE = forms.DateInput(attrs={"type": "date"})
FIRST_EXPORT_DATE_REQUIRED = _("Tell us when the first export was made.")
TARGET_SET_FIRST = _("Answer this only when an export target was set.")


class SurveyForm(CleanTextMixin, forms.ModelForm):
    """The firm's answer (seed 001's questions), as the firm or a staff member enters it."""

    destinations = forms.MultipleChoiceField(
        label=_("Destinations"), required=False, choices=country_choices,
        widget=CountryPicker(),
    )  # fmt: skip
    own_efforts = forms.MultipleChoiceField(
        label=_("What the firm did on its own besides the program"), required=False,
        choices=SurveyResponse.OwnEffort.choices, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    menus_used = forms.ModelMultipleChoiceField(
        label=_("Support menus used"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = SurveyResponse
        fields = ["export_realised", "first_export_date", "destinations", "products",
                  "amount_yen", "mode", "target_set", "target_achieved", "trajectory",
                  "own_efforts", "menus_used", "fee_band", "satisfaction", "comments"]  # fmt: skip
        field_classes = {"amount_yen": YenField}
        widgets = {
            "export_realised": forms.RadioSelect,
            "first_export_date": DATE,
            "comments": forms.Textarea(attrs={"rows": 3}),
            "satisfaction": forms.Select(
                choices=[("", "---------")] + [(i, i) for i in range(1, 6)]
            ),
        }

    # Short lists read best as radio buttons, with no "---------" entry: leaving a question
    # unanswered is allowed.
    RADIOS = ("mode", "target_set", "target_achieved", "trajectory", "fee_band")

    def __init__(self, *args, menus, registered_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.registered_on = registered_on  # the firm's registration day: no export before
        self.fields["export_realised"].choices = SurveyResponse.ExportRealised.choices
        for name in self.RADIOS:
            field = self.fields[name]
            field.choices = [choice for choice in field.choices if choice[0] != ""]
            field.widget = forms.RadioSelect(choices=field.choices)
        if menus.exists():
            self.fields["menus_used"].queryset = menus
        else:
            del self.fields["menus_used"]

    def clean(self):
        data = super().clean()
        if data.get("export_realised") == SurveyResponse.ExportRealised.YES and not data.get(
            "first_export_date"
        ):
            self.add_error("first_export_date", FIRST_EXPORT_DATE_REQUIRED)
        first = data.get("first_export_date")
        # (A date before the program's start gets the model's message, not this one.)
        if first and self.registered_on and program_start() <= first < self.registered_on:
            self.add_error("first_export_date", FIRST_EXPORT_BEFORE_REGISTRATION
                           % {"date": self.registered_on.isoformat()})  # fmt: skip
        if data.get("target_achieved") and data.get("target_set") != "yes":
            self.add_error("target_achieved", TARGET_SET_FIRST)
        return data


class StaffSurveyForm(SurveyForm):
    """An answer taken by phone or in a hearing: the source is recorded."""

    source = forms.ChoiceField(
        label=_("How the answer was taken"),
        choices=[(SurveyResponse.Source.PHONE, SurveyResponse.Source.PHONE.label),
                 (SurveyResponse.Source.HEARING, SurveyResponse.Source.HEARING.label)],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selects_start_blank(self)
