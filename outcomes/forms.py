from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import CleanTextMixin, YenField, selects_start_blank
from core.validators import program_start
from core.widgets import CountryPicker
from outcomes.models import SurveyResponse
from outcomes.services import FIRST_EXPORT_BEFORE_REGISTRATION

DATE = forms.DateInput(attrs={"type": "date"})
FIRST_EXPORT_DATE_REQUIRED = _("Tell us when the first export was made.")
TARGET_ACHIEVED_REQUIRED = _("Choose whether the target was achieved.")
SOURCE_REQUIRED = _("Choose how the answer was taken.")
SATISFACTION_INVALID = _("Choose a number from 1 to 5.")
REQUIRED = {
    "first_export_date": FIRST_EXPORT_DATE_REQUIRED,
    "target_achieved": TARGET_ACHIEVED_REQUIRED,
}

# The questions as the firm reads them (the model's names stay for reports and exports).
QUESTIONS = {
    "export_realised": _("Have you exported?"),
    "first_export_date": _("When did you first export?"),
    "destinations": _("Which countries or regions did you export to?"),
    "products": _("What did you export?"),
    "amount_yen": _("How much did you export in the period (yen)?"),
    "mode": _("How did you export?"),
    "trajectory": _("How have your exports changed since the support?"),
    "target_set": _("Did you set an export target (a quantity or an amount)?"),
    "target_achieved": _("Did you achieve the target?"),
    "own_efforts": _("Besides the program's support, what did you do on your own?"),
    "menus_used": _("Which support menus did you use?"),
    "fee_band": _("If the support were charged for, how much would you pay for one support?"),
    "satisfaction": _("How satisfied are you with the program's support?"),
    "comments": _("Is there anything else you would like to tell us?"),
}
HINTS = {
    "own_efforts": _("Choose all that apply."),
    "menus_used": _("Choose all that apply."),
}
# The answers to "Have you exported?" as a person would say them (reports keep the model's).
EXPORT_ANSWERS = [
    (SurveyResponse.ExportRealised.YES, _("Yes, we have exported")),
    (SurveyResponse.ExportRealised.NEGOTIATING, _("Not yet: we are negotiating")),
    (SurveyResponse.ExportRealised.NO, _("No")),
]
# 1 to 5, each point named; the ends are the anchors people read first.
SATISFACTION = [
    (1, _("Dissatisfied")),
    (2, _("Somewhat dissatisfied")),
    (3, _("Neutral")),
    (4, _("Somewhat satisfied")),
    (5, _("Satisfied")),
]

# Questions that apply only after a given answer: (the question they follow, the answer that
# opens them, the questions). Without JavaScript they all show, and the server ignores those
# that do not apply; with it (static/js/survey.js) they are hidden until they apply.
EXPORT_DETAILS = ("first_export_date", "destinations", "products", "amount_yen", "mode",
                  "trajectory")  # fmt: skip
CONDITIONS = (
    ("export_realised", SurveyResponse.ExportRealised.YES, EXPORT_DETAILS),
    ("target_set", SurveyResponse.YesNo.YES, ("target_achieved",)),
)


class SurveyForm(CleanTextMixin, forms.ModelForm):
    """The firm's answer (seed 001's questions), as the firm or a staff member enters it:
    questions in groups, those that follow an answer asked only when they apply."""

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
    satisfaction = forms.TypedChoiceField(
        choices=SATISFACTION, coerce=int, empty_value=None, required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": SATISFACTION_INVALID},
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
        }

    # Short lists read best as radio buttons, with no "---------" entry: leaving a question
    # unanswered is allowed.
    RADIOS = ("mode", "target_set", "target_achieved", "trajectory", "fee_band")

    def __init__(self, *args, menus, registered_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.registered_on = registered_on  # the firm's registration day: no export before
        self.fields["export_realised"].choices = EXPORT_ANSWERS
        for name in self.RADIOS:
            field = self.fields[name]
            field.choices = [choice for choice in field.choices if choice[0] != ""]
            field.widget = forms.RadioSelect(choices=field.choices)
        if menus.exists():
            self.fields["menus_used"].queryset = menus
        else:
            del self.fields["menus_used"]
        for name, message in REQUIRED.items():  # (those that follow an answer: when they apply)
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        for name, field in self.fields.items():
            field.label = QUESTIONS.get(name, field.label)
            field.help_text = HINTS.get(name, field.help_text)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self._sections())

    def _sections(self) -> list:
        def present(*names):
            return [name for name in names if name in self.fields]

        def when(question, answer, *names):
            # The answer's radios name this block in aria-controls (survey.js).
            return Div(
                HTML(format_html('<p class="form-text mt-0" data-if-note>{}</p>',
                                 _("Answer these only if you answered “%(answer)s” above.")
                                 % {"answer": dict(self.fields[question].choices)[answer]})),
                *present(*names), css_id=f"if-{question}", css_class="border-start ps-3 mb-3",
                data_if=question, data_if_value=answer,
            )  # fmt: skip

        return [
            Fieldset(_("Your exports"), "export_realised",
                     when("export_realised", SurveyResponse.ExportRealised.YES, *EXPORT_DETAILS)),
            Fieldset(_("Your export target"), "target_set",
                     when("target_set", SurveyResponse.YesNo.YES, "target_achieved")),
            Fieldset(_("The program's support"), *present("own_efforts", "menus_used", "fee_band"),
                     Field("satisfaction", template="outcomes/includes/scale_field.html"),
                     "comments"),
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        # Questions that do not apply are neither checked nor kept (hidden, or answered
        # before the answer they follow changed): what was entered there is cleared.
        for question, answer, names in CONDITIONS:
            if data.get(question) != answer:
                for name in names:
                    self._errors.pop(name, None)
                    data.pop(name, None)
        first = data.get("first_export_date")
        # (A date before the program's start gets the model's message, not this one.)
        if first and self.registered_on and program_start() <= first < self.registered_on:
            self.add_error("first_export_date", FIRST_EXPORT_BEFORE_REGISTRATION
                           % {"date": self.registered_on.isoformat()})  # fmt: skip
        return data


class StaffSurveyForm(SurveyForm):
    """An answer taken by phone or in a hearing: the source is recorded."""

    source = forms.ChoiceField(
        label=_("How the answer was taken"),
        choices=[(SurveyResponse.Source.PHONE, SurveyResponse.Source.PHONE.label),
                 (SurveyResponse.Source.HEARING, SurveyResponse.Source.HEARING.label)],
        error_messages={"required": SOURCE_REQUIRED},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.insert(0, "source")
        selects_start_blank(self)
