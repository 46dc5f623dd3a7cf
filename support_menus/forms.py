from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin, selects_start_blank
from core.validators import validate_past_date
from support_menus.models import Proposal
from support_menus.services import PROPOSAL_TRANSITIONS

# The steps in the order the form offers them: the natural next one first, the firm's
# withdrawal last.
NEXT_STEP_ORDER = (
    Proposal.Status.APPLIED, Proposal.Status.ADOPTED, Proposal.Status.REJECTED,
    Proposal.Status.COMPLETED, Proposal.Status.DECLINED,
)  # fmt: skip
MENUS_REQUIRED = _("Tick at least one menu to propose.")
DECLINE_CONFIRM_REQUIRED = _("Tick the box to confirm that the firm declined this menu.")


class ProposeForm(CleanTextMixin, forms.Form):
    """The menus ticked on the ranking; the choices are the eligible menus not yet proposed."""

    menus = forms.MultipleChoiceField(
        label=_("Menus to propose"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": MENUS_REQUIRED},
    )  # fmt: skip
    note = forms.CharField(
        label=_("Message to the firm"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the firm with the proposed menus and shown on its page."),
    )  # fmt: skip

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["menus"].choices = [(code, code) for code in codes]


class ProposalStatusForm(CleanTextMixin, forms.Form):
    """The next step of one proposal: only the forward steps, none chosen; the firm's
    withdrawal asks for the confirmation box."""

    status = forms.ChoiceField(label=_("Next step"))
    on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, validators=[validate_past_date],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    confirm = forms.BooleanField(label=_("The firm declined this menu"), required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        kwargs.setdefault("prefix", f"proposal-{proposal.pk}")
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        allowed = PROPOSAL_TRANSITIONS.get(proposal.status, frozenset())
        self.fields["status"].choices = [
            (status, Proposal.Status(status).label)
            for status in NEXT_STEP_ORDER
            if status in allowed
        ]
        selects_start_blank(self)

    def clean(self):
        data = super().clean()
        if data.get("status") == Proposal.Status.DECLINED and not data.get("confirm"):
            self.add_error("confirm", DECLINE_CONFIRM_REQUIRED)
        data.pop("confirm", None)
        return data
