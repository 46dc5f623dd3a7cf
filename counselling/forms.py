from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.countries import country_choices
from core.forms import CleanTextMixin, YenField, selects_start_blank
from core.validators import validate_plan_date
from core.widgets import CountryPicker
from counselling.models import Case, CounsellingSession, IssueTag, Stage, SupportReview
from counselling.rules import TERMINAL_STATUSES, TRANSITIONS

TARGET_COUNTRY_REQUIRED = _("Choose the target country.")
CLOSE_CONFIRM_REQUIRED = _("Tick the box to confirm: a case that is ended cannot be reopened.")


def _helper(label, css_class="btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.attrs = {"novalidate": "", "data-once": "true"}
    helper.add_input(Submit("submit", label, css_class=css_class))
    return helper


class SessionForm(CleanTextMixin, forms.ModelForm):
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    tags = forms.ModelMultipleChoiceField(
        label=_("Issues"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=IssueTag.objects.filter(disabled_on__isnull=True),
    )  # fmt: skip
    next_action = forms.CharField(label=_("Next action"), max_length=200, required=False)
    next_action_due = forms.DateField(
        label=_("Next action due"), required=False, validators=[validate_plan_date],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = CounsellingSession
        fields = ["held_at", "channel", "contact_only", "duration_minutes", "attendees", "tags",
                  "notes", "stage_assessed", "buyer_talks"]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save the session"))
        selects_start_blank(self)
        if self.instance.pk is None:  # how long it took is typed, never assumed
            self.initial["duration_minutes"] = None

    def clean(self):
        data = super().clean()
        if data.get("next_action_due") and not data.get("next_action"):
            self.add_error("next_action", _("Say what the next action is."))
        return data


class SessionCorrectForm(SessionForm):
    """A logged session corrected: the session's own fields (the case's next action is
    changed at the top of the case)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["next_action"], self.fields["next_action_due"]
        self.helper = _helper(_("Save the correction"))


class NextActionDoneForm(CleanTextMixin, forms.Form):
    """完了: nothing to fill in; the button says it."""


class NextActionRescheduleForm(CleanTextMixin, forms.Form):
    due = forms.DateField(
        label=_("New date"), validators=[validate_plan_date],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip


def concierge_label(user) -> str:
    """「鈴木 一郎（担当 12件）」: the name and the open caseload (annotated `open_cases`)."""
    return ngettext(
        "%(name)s (%(count)d open case)", "%(name)s (%(count)d open cases)", user.open_cases
    ) % {"name": user.get_full_name(), "count": user.open_cases}


class StageForm(CleanTextMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Change the stage"))
        selects_start_blank(self)


class TargetForm(CleanTextMixin, forms.ModelForm):
    target_country = forms.ChoiceField(
        label=_("Target country"), choices=country_choices, widget=CountryPicker(multiple=False),
        error_messages={"required": TARGET_COUNTRY_REQUIRED},
    )  # fmt: skip
    target_date = forms.DateField(
        label=_("Target date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Case
        fields = ["target_country", "target_product", "target_amount_yen", "target_date"]
        field_classes = {"target_amount_yen": YenField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True
        self.helper = _helper(_("Save the target"))
        selects_start_blank(self)


class StatusForm(CleanTextMixin, forms.Form):
    """A manual status change; ending the case (closed, export realised) asks for the
    confirmation box, so a hurried click cannot end it."""

    status = forms.ChoiceField(label=_("New status"))
    close_reason = forms.ChoiceField(
        label=_("Reason for closing"), required=False,
        choices=[("", "---------"), *Case.CloseReason.choices],
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I confirm that this ends the case (it cannot be reopened)"), required=False
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(case.status, frozenset())
        self.fields["status"].choices = [
            (value, label) for value, label in Case.Status.choices if value in allowed
        ]
        self.helper = _helper(_("Change the status"), "btn-outline-primary")
        selects_start_blank(self)

    def clean(self):
        data = super().clean()
        if data.get("status") in TERMINAL_STATUSES and not data.get("confirm"):
            self.add_error("confirm", CLOSE_CONFIRM_REQUIRED)
        data.pop("confirm", None)
        return data


class AssignForm(CleanTextMixin, forms.Form):
    concierge = forms.ModelChoiceField(label=_("Concierge"), queryset=None)
    reason = forms.CharField(label=_("Reason (when reassigning)"), required=False, max_length=300)

    def __init__(self, *args, concierges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concierge"].queryset = concierges
        self.fields["concierge"].label_from_instance = concierge_label
        self.helper = _helper(_("Assign"))
        selects_start_blank(self)


class SupportReviewForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=SupportReview.Decision.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selects_start_blank(self)
