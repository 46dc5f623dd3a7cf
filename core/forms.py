import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from core.csv_import import nfkc, yen_parse
from core.file_messages import BAD_YEN
from core.models import OutboundEmail, User
from core.services import email_enqueue, token_digest
from core.text import validate_multiline, validate_single_line
from core.validators import validate_yen


def add_form_errors(form: forms.BaseForm, error: ValidationError) -> forms.BaseForm:
    """Put a service's or a model's validation errors on the form: beside the field of the
    same name, or above the form. Returns the form (for `form_invalid`)."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)
    return form


def text_validator_for(field: forms.Field):
    """The clean-text rule a form field gets by its widget: a text area is multi-line, a
    password and structured values (JSON, UUID) are left alone, other text is one line."""
    if not isinstance(field, forms.CharField) or isinstance(
        field, forms.JSONField | forms.UUIDField
    ):
        return None
    if isinstance(field.widget, forms.PasswordInput):
        return None
    if isinstance(field.widget, forms.Textarea):
        return validate_multiline
    return validate_single_line


class CleanTextMixin:
    """Every text field of the form refuses line breaks (single-line fields), control and
    format characters, with the message beside the field (core.text). Put it first:
    `class MyForm(CleanTextMixin, forms.Form)`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            validator = text_validator_for(field)
            if validator is not None and validator not in field.validators:
                # A copy: base_fields may be shared with other forms (ConsentForm).
                field.validators = [*field.validators, validator]


CHOOSE = _("Choose…")
CHOOSE_REQUIRED = _("Choose the %(field)s.")
REQUIRED = forms.Field.default_error_messages["required"]


def select_starts_blank(field: forms.Field) -> None:
    """A one-choice select records nothing until someone chooses: a required one gets the
    empty option "Choose…" first (an optional one keeps or gets an empty option), and left
    unchosen it says so, naming the field (unless the field has its own message). Radio
    buttons and multi-selects start unticked anyway and are left alone."""
    widget = field.widget
    if not isinstance(widget, forms.Select) or isinstance(widget, forms.SelectMultiple):
        return
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = CHOOSE if field.required else field.empty_label or "---------"
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        blank = next((label for value, label in choices if value in ("", None)), "---------")
        field.choices = [
            ("", CHOOSE if field.required else blank),
            *(choice for choice in choices if choice[0] not in ("", None)),
        ]
    else:
        return
    if field.required and str(field.error_messages["required"]) == str(REQUIRED):
        label = str(field.label or "")
        field.error_messages = {
            **field.error_messages,
            "required": CHOOSE_REQUIRED % {"field": label[:1].lower() + label[1:]},
        }


def selects_start_blank(form: forms.BaseForm) -> None:
    """`select_starts_blank` on every field: call it last in a form's __init__, once the
    choices are set, so nothing is recorded that nobody chose."""
    for field in form.fields.values():
        select_starts_blank(field)


class YenField(forms.IntegerField):
    """An amount of yen as people type it: 3000000, 3,000,000, 3,000,000円, ￥3,000,000 or in
    full-width digits (read by core.csv_import.yen_parse, as the imports read them); not
    negative, at most MAX_YEN. A number keyboard on phones; a saved amount is shown with
    its commas. For a model's BigIntegerField: `field_classes = {"amount_yen": YenField}`."""

    widget = forms.TextInput
    default_error_messages = {"invalid": BAD_YEN}

    def __init__(self, **kwargs):
        # A model field's bounds (a bigint's) give way to validate_yen's, with its messages.
        for bound in ("min_value", "max_value", "step_size"):
            kwargs.pop(bound, None)
        super().__init__(**kwargs)
        self.validators.append(validate_yen)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric"}

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, int) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = nfkc(str(value))
        # A minus sign is read, so a negative amount gets validate_yen's own message.
        negative = text[:1] in ("-", "\N{MINUS SIGN}")
        try:
            amount = yen_parse(text[1:] if negative else text)
            if negative and amount is None:
                raise ValueError(text)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None
        return -amount if negative else amount


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The admin's default form (see `admin_forms_clean_text`)."""


def admin_forms_clean_text(site) -> None:
    """Give every registered admin (and its inlines) the clean-text rule: the plain
    ModelForm default becomes CleanTextModelForm, a custom form gets the mixin in front.
    Run once the admin modules are loaded (CoreConfig.ready)."""

    def with_mixin(form):
        if form is None or issubclass(form, CleanTextMixin):
            return form
        if form is forms.ModelForm:
            return CleanTextModelForm
        return type(form.__name__, (CleanTextMixin, form), {"__module__": form.__module__})

    for model_admin in site._registry.values():
        model_admin.form = with_mixin(model_admin.form)
        if hasattr(model_admin, "add_form"):  # UserAdmin
            model_admin.add_form = with_mixin(model_admin.add_form)
        for inline in model_admin.inlines:
            inline.form = with_mixin(inline.form)


class LoginForm(CleanTextMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))


class OutboxPasswordResetForm(CleanTextMixin, PasswordResetForm):
    """Django's reset form, but the message goes through the outbox like every e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send the reset link")))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """A staff account without an authenticator gets no link: its mail says to ask an
        admin (the page shows "sent" either way, so it tells a stranger nothing). The outbox
        key holds a digest of the token, never the token."""
        from core.selectors import password_reset_refused

        user = context["user"]
        if password_reset_refused(user=user):
            subject_template_name = "registration/password_reset_refused_subject.txt"
            email_template_name = "registration/password_reset_refused_email.html"
            key = f"password-reset-refused:{user.pk}:{secrets.token_hex(8)}"
        else:
            key = f"password-reset:{context['uid']}:{token_digest(context['token'])[:32]}"
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_enqueue(
            key=key, to=to_email, subject=subject, body=body, kind=OutboundEmail.Kind.ACCOUNT
        )


class LinkSetPasswordForm(SetPasswordForm):
    """The new-password form behind an e-mailed link: using it proves the mailbox."""

    def save(self, commit=True):
        from core.signals import mailbox_proven

        user = super().save(commit=commit)
        if commit:
            mailbox_proven.send(sender=type(self), user=user)
        return user


class PreferencesForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["case_reminders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class TwoFactorTokenForm(CleanTextMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=16,
        help_text=_("The 6-digit code in your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "inputmode": "text"}),
    )  # fmt: skip

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())
