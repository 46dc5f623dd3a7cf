"""Input shape and cleaning for registration. Messages are English msgids, shown in Japanese."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.display import postal_display
from core.forms import CleanTextMixin, YenField, selects_start_blank
from core.models import Prefecture
from core.widgets import CountryPicker
from registrations.models import (
    ORGANISATION_SOURCES,
    Business,
    ChallengeType,
    Contact,
    ExportExperience,
    ReferralSource,
    Situation,
)
from registrations.normalise import kana_normalise, phone_normalise, postal_code_normalise
from registrations.postal_codes import postal_area
from registrations.services.intake import REFERRAL_FIXED_FIELDS
from registrations.size_class import INDUSTRY_GROUPS
from registrations.validators import corporate_number_normalise, validate_corporate_number

CORPORATE_NUMBER_REQUIRED = _("A corporation must enter its 13-digit corporate number.")
CAPITAL_REQUIRED = _("Enter the capital of the corporation in yen.")
EMAILS_DIFFER = _("The two e-mail addresses do not match.")
DESTINATION_REQUIRED = _("Choose at least one country, or tick “not decided yet”.")
DESTINATION_OR_UNDECIDED = _(
    "Choose countries or tick “not decided yet”, not both: untick one of them."
)
ORGANISATION_REQUIRED = _("Enter the name of the organisation that referred you.")
CONSENT_REQUIRED = _("You must agree to continue.")
REFERRAL_SOURCE_REQUIRED = _("Choose how you heard about the program.")
FIXED_ON_CONSENT = _(
    "This cannot be changed here. If it is wrong, ask the organisation that referred you to "
    "send the referral again, or register yourself."
)
POSTAL_CODE_ELSEWHERE = _(
    "Postal code %(code)s is in %(prefecture)s. Please check the prefecture or the postal code."
)
DELETION_CONFIRM_REQUIRED = _("Tick the box to confirm.")
FORM_EXPIRED = _("The form could not be checked. Please check your entries and send it again.")


# What the browser may fill in (autocomplete) and which keyboard a phone shows (type, inputmode).
EMAIL_ATTRS = {"autocomplete": "email"}
PHONE_ATTRS = {"type": "tel", "autocomplete": "tel"}


class KanaField(forms.CharField):
    """Katakana, normalised (NFKC can lengthen text: ㌀ is アパート), then held to max_length."""

    def clean(self, value):
        value = kana_normalise(super().clean(value))
        self.run_validators(value)  # max_length again, with the field's own message
        return value


class RegistrationForm(CleanTextMixin, forms.Form):
    """The public registration form (相談・登録); the partner referral form reuses it."""

    # 事業者情報
    entity_type = forms.ChoiceField(
        label=_("Entity type"), choices=Business.EntityType.choices, widget=forms.RadioSelect
    )
    corporate_number = forms.CharField(
        label=_("Corporate number"), required=False, max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("13 digits. Hyphens, spaces and full-width digits are fine. "
                    "Optional for sole proprietors."),
    )  # fmt: skip
    name = forms.CharField(
        label=_("Business name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )  # fmt: skip
    name_kana = KanaField(
        label=_("Business name (katakana)"), max_length=200, help_text=_("e.g. ヤマダセイサクショ")
    )
    representative = forms.CharField(label=_("Representative"), max_length=100)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=10, help_text=_("7 digits, e.g. 100-0013"),
        widget=forms.TextInput(attrs={
            "autocomplete": "postal-code", "inputmode": "numeric",
            # static/js/postal-code.js fills the prefecture and address from here
            "data-postal-lookup": reverse_lazy("registrations:postal-code", args=["0000000"]),
        }),
    )  # fmt: skip
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), queryset=Prefecture.objects.all(),
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )  # fmt: skip
    address = forms.CharField(
        label=_("City and street"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )  # fmt: skip
    industry_option = forms.ChoiceField(label=_("Industry"), choices=INDUSTRY_GROUPS)
    capital_yen = YenField(
        label=_("Capital (yen)"), required=False,
        help_text=_("Not needed for sole proprietors."),
    )  # fmt: skip
    employees = forms.IntegerField(
        label=_("Employees"), min_value=0, max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Regular employees, not counting officers."),
    )  # fmt: skip
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200,
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )  # fmt: skip
    # 担当者
    contact_name = forms.CharField(
        label=_("Contact name"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    contact_name_kana = KanaField(label=_("Contact person (katakana)"), max_length=100)
    contact_department = forms.CharField(
        label=_("Department and title"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs=EMAIL_ATTRS)
    )
    email_confirm = forms.EmailField(
        label=_("E-mail (again)"), max_length=254, widget=forms.EmailInput(attrs=EMAIL_ATTRS)
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=forms.TextInput(PHONE_ATTRS))
    # 輸出の取組
    challenge_type = forms.ChoiceField(
        label=_("Type of challenge"), choices=ChallengeType.choices, widget=forms.RadioSelect
    )
    situations = forms.MultipleChoiceField(
        label=_("Current situation"), choices=Situation.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    products = forms.CharField(
        label=_("Products or services to export"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    destinations = forms.MultipleChoiceField(
        label=_("Desired destinations"), choices=country_choices, required=False,
        widget=CountryPicker(exclusive_with="destinations_undecided"),
    )  # fmt: skip
    destinations_undecided = forms.BooleanField(label=_("Not decided yet"), required=False)
    export_experience = forms.ChoiceField(
        label=_("Export experience"), choices=ExportExperience.choices, widget=forms.RadioSelect
    )
    ec_success = forms.BooleanField(
        label=_("We have sold through e-commerce successfully before"), required=False
    )
    # きっかけ・紹介元
    referral_source = forms.ChoiceField(
        label=_("How did you hear about the program?"), choices=ReferralSource.choices,
        error_messages={"required": REFERRAL_SOURCE_REQUIRED},
    )  # fmt: skip
    referral_organisation_name = forms.CharField(
        label=_("Name of the referring organisation"), max_length=120, required=False,
        help_text=_("e.g. 〇〇商工会議所, 〇〇銀行"),
    )  # fmt: skip
    # 同意
    consent_privacy = forms.BooleanField(
        label=_("I agree to the privacy notice"),
        error_messages={"required": CONSENT_REQUIRED},
    )
    consent_sharing = forms.BooleanField(
        label=_(
            "I agree that my data is shared among the program's partner organisations "
            "(JETRO, SMRJ, METI and the referring organisation) for support"
        ),
        error_messages={"required": CONSENT_REQUIRED},
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    # A field people never see (hidden by CSS); bots fill it in.
    fax_number = forms.CharField(label=_("Leave this field empty"), required=False)

    submit_label = _("Register")
    # A partner's referral records the partner itself as the source, and the firm consents
    # later by e-mail: those two sections are for the public form only.
    public_sections = True

    def __init__(self, *args, cache_blank: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].label_from_instance = lambda p: p.name
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
        self.helper = FormHelper()
        self.helper.form_id = "registration-form"
        self.helper.attrs = {"novalidate": "", "data-once": "true"}
        # A blank form is the same for everyone but for its CSRF and submission tokens: with
        # `cache_blank` the template caches the rest and writes those two itself.
        self.cache_blank = cache_blank and not self.is_bound
        sections = self._sections()
        if self.cache_blank:
            self.helper.form_tag = False
            self.helper.disable_csrf = True
            sections.remove("submission_token")
        self.helper.layout = Layout(*sections)
        selects_start_blank(self)

    def _sections(self):
        sections = self._answer_sections()
        if self.public_sections:
            sections += [
                Fieldset(_("How you found us"), "referral_source", "referral_organisation_name"),
                self._consent_section(),
            ]
        sections += [
            "submission_token",
            Div(Field("fax_number", autocomplete="off", tabindex="-1"), css_class="hp-field",
                aria_hidden="true"),
            Submit("submit", self.submit_label, css_class="btn-lg"),
        ]  # fmt: skip
        return sections

    def _consent_section(self):
        privacy_link = format_html(
            '<p class="small"><a href="{}" target="_blank" rel="noopener">{}</a></p>',
            reverse_lazy("registrations:privacy"),
            _("Read the privacy notice (opens in a new tab)"),
        )
        return Fieldset(_("Consent"), HTML(privacy_link), "consent_privacy", "consent_sharing")

    def _answer_sections(self):
        return [
            Fieldset(
                _("About the business"), "entity_type", "corporate_number", "name", "name_kana",
                "representative", "postal_code", "prefecture", "address", "industry_option",
                "capital_yen", "employees", "website",
            ),
            Fieldset(
                _("Contact person"), "contact_name", "contact_name_kana", "contact_department",
                "email", "email_confirm", "phone",
            ),
            Fieldset(
                _("Your export plans"), "challenge_type", "situations", "products",
                "destinations", "destinations_undecided", "export_experience", "ec_success",
            ),
        ]  # fmt: skip

    def clean_corporate_number(self):
        value = self.cleaned_data["corporate_number"].strip()
        if not value:
            return None
        value = corporate_number_normalise(value)
        validate_corporate_number(value)
        return value

    def clean_postal_code(self):
        return postal_code_normalise(self.cleaned_data["postal_code"])

    def clean_phone(self):
        return phone_normalise(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if self.errors.pop("submission_token", None):
            # The hidden token was tampered with or lost: say so above the form, and give the
            # re-shown form a fresh one, so sending it again works.
            self.add_error(None, FORM_EXPIRED)
            self.data = self.data.copy()
            self.data["submission_token"] = str(uuid.uuid4())
        corporation = data.get("entity_type") == Business.EntityType.CORPORATION
        if corporation and "corporate_number" in data and not data["corporate_number"]:
            self.add_error("corporate_number", CORPORATE_NUMBER_REQUIRED)
        if corporation and data.get("capital_yen") is None and "capital_yen" not in self.errors:
            self.add_error("capital_yen", CAPITAL_REQUIRED)
        if not corporation:
            data["capital_yen"] = None
        self._postal_code_check(data.get("postal_code"), data.get("prefecture"))
        email, again = data.get("email"), data.get("email_confirm")
        if email and again and email.strip().lower() != again.strip().lower():
            self.add_error("email_confirm", EMAILS_DIFFER)
        if not data.get("destinations") and not data.get("destinations_undecided"):
            self.add_error("destinations", DESTINATION_REQUIRED)
        elif data.get("destinations") and data.get("destinations_undecided"):
            self.add_error("destinations", DESTINATION_OR_UNDECIDED)
        if (
            data.get("referral_source") in ORGANISATION_SOURCES
            and not data.get("referral_organisation_name", "").strip()
        ):
            self.add_error("referral_organisation_name", ORGANISATION_REQUIRED)
        return data

    def _postal_code_check(self, postal_code, prefecture) -> None:
        """A known postal code of another prefecture is refused beside the postal code; an
        unknown one is accepted (registrations.postal_codes says why)."""
        area = postal_area(postal_code) if postal_code and prefecture else None
        if area is not None and prefecture.name not in area.prefectures:
            self.add_error("postal_code", POSTAL_CODE_ELSEWHERE % {
                "code": postal_display(postal_code), "prefecture": "・".join(area.prefectures),
            })  # fmt: skip

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("fax_number")))


class ReferralForm(RegistrationForm):
    """A partner refers a firm: the same answers; the firm gives its consent by e-mail."""

    submit_label = _("Send the referral")
    public_sections = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("consent_privacy", "consent_sharing", "referral_source",
                     "referral_organisation_name"):  # fmt: skip
            del self.fields[name]


class ConsentForm(RegistrationForm):
    """The firm checks a partner's referral, corrects it and consents: the registration
    form prefilled with the partner's answers (`initial`). What identifies the firm and the
    address the link went to are shown but fixed (the service keeps them)."""

    submit_label = _("Confirm and register")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("referral_source", "referral_organisation_name", "email_confirm",
                     "submission_token", "fax_number"):  # fmt: skip
            del self.fields[name]
        for name in REFERRAL_FIXED_FIELDS:
            self.fields[name].disabled = True
            self.fields[name].help_text = FIXED_ON_CONSENT

    def _sections(self):
        sections = self._answer_sections()
        for fieldset in sections:
            fieldset.fields = [name for name in fieldset.fields if name != "email_confirm"]
        return [*sections, self._consent_section(),
                Submit("submit", self.submit_label, css_class="btn-lg")]  # fmt: skip


class ContactForm(CleanTextMixin, forms.ModelForm):
    name_kana = KanaField(label=_("Contact person (katakana)"), max_length=100)

    class Meta:
        model = Contact
        fields = ["name", "name_kana", "department", "email", "phone"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "department": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "email": forms.EmailInput(attrs=EMAIL_ATTRS),
            "phone": forms.TextInput(attrs=PHONE_ATTRS),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Save")))

    def clean_phone(self):
        return phone_normalise(self.cleaned_data["phone"])


class WithdrawForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Withdraw"), css_class="btn-danger"))


class DeletionRequestForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I understand that my business's data will be deleted and that the program "
                "can no longer support it."),
        error_messages={"required": DELETION_CONFIRM_REQUIRED},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}  # our Japanese message, not the browser's
        self.helper.add_input(Submit("submit", _("Ask for deletion"), css_class="btn-danger"))
