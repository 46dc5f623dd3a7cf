import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
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


# Messages that name the field (「事業者名を入力してください。」), in place of Django's stock
# ones (「このフィールドは必須です。」). %(field)s is the field's label; the other placeholders
# are filled by Django (the limit, the value).
ENTER = _("Enter the %(field)s.")
CHOOSE_REQUIRED = _("Choose the %(field)s.")
ANSWER = _("Answer the question “%(field)s”.")
TICK = _("Tick the box to confirm: “%(field)s”.")
FILE_REQUIRED = _("Choose a file for the %(field)s.")
INVALID_EMAIL = _("Enter the %(field)s as an e-mail address, for example name@example.jp.")
INVALID_URL = _("Enter the %(field)s as a web address, for example https://example.jp.")
INVALID_INTEGER = _("Enter the %(field)s as a whole number, in digits.")
INVALID_YEN = _("Enter the %(field)s as an amount in yen, for example 3,000,000 or 3,000,000円.")
INVALID_NUMBER = _("Enter the %(field)s as a number, in digits.")
INVALID_DATE = _("Enter the %(field)s as a date, for example 2026-12-01.")
INVALID_DATETIME = _("Enter the %(field)s as a date and time, for example 2026-12-01 14:05.")
INVALID_CHOICE = _("Choose the %(field)s from the list.")
NOT_IN_LIST = _("Choose the %(field)s from the list: “%(value)s” is not in it.")
INVALID_JSON = _("Enter the %(field)s in JSON.")
MAX_LENGTH = _("Enter the %(field)s in %(limit_value)d characters or fewer (now %(show_value)d).")
MIN_LENGTH = _("Enter the %(field)s in %(limit_value)d characters or more (now %(show_value)d).")
MAX_VALUE = _("Enter %(limit_value)s or less for the %(field)s.")
MIN_VALUE = _("Enter %(limit_value)s or more for the %(field)s.")


def _is_question(label: str) -> bool:
    return label.rstrip().endswith(("?", "？", "か"))


def _required_message(field: forms.Field, label: str):
    if isinstance(field, forms.BooleanField) and not isinstance(field, forms.NullBooleanField):
        return TICK
    if _is_question(label):
        return ANSWER
    if isinstance(field, forms.FileField):
        return FILE_REQUIRED
    if isinstance(field, forms.ChoiceField | forms.NullBooleanField | forms.ModelChoiceField):
        return CHOOSE_REQUIRED
    return ENTER


def _invalid_message(field: forms.Field):
    kinds = (
        (YenField, INVALID_YEN),  # before: it is an integer
        (forms.EmailField, INVALID_EMAIL),
        (forms.URLField, INVALID_URL),
        (forms.DecimalField | forms.FloatField, INVALID_NUMBER),  # before: they are integers
        (forms.IntegerField, INVALID_INTEGER),
        (forms.DateTimeField, INVALID_DATETIME),
        (forms.DateField, INVALID_DATE),
        (forms.JSONField, INVALID_JSON),
    )
    return next((message for kind, message in kinds if isinstance(field, kind)), None)


def _stock_messages(field: forms.Field) -> dict:
    """Django's own messages for the field's class (what a field gets unless told otherwise)."""
    stock = {}
    for cls in reversed(type(field).__mro__):
        stock.update(getattr(cls, "default_error_messages", {}))
    return stock


def _label_in_message(label: str) -> str:
    """The label as it reads inside a message: English labels lose their capital ("the
    business name"), acronyms ("URL") keep theirs. A % becomes ％: Django fills some messages
    with %-formatting (the limit, the value)."""
    label = label.replace("%", "％")
    if label.isascii() and len(label) > 1 and label[1].islower():
        return label[:1].lower() + label[1:]
    return label


def field_messages_name_the_field(form: forms.BaseForm) -> None:
    """Each of Django's stock messages of each field (required, invalid, too long, out of
    range) becomes one that names the field. A message the form or field set itself stays.
    Runs when the form is validated, so it sees the fields as the form's __init__ left them."""
    for name, field in form.fields.items():
        label = _label_in_message(str(field.label or pretty_name(name)))
        stock = _stock_messages(field)
        wanted = {
            "required": _required_message(field, label),
            "invalid": _invalid_message(field),
            "invalid_choice": NOT_IN_LIST,
            "invalid_list": INVALID_CHOICE,
            "max_length": MAX_LENGTH,
            "min_length": MIN_LENGTH,
            "max_value": MAX_VALUE,
            "min_value": MIN_VALUE,
        }
        messages = dict(field.error_messages)
        for code, message in wanted.items():
            if message is None or code not in {*messages, *_validator_codes(field)}:
                continue
            current = messages.get(code)
            if current is not None and current is not stock.get(code):
                continue  # the form's or the field's own message
            messages[code] = str(message).replace("%(field)s", label)
        field.error_messages = messages


def _validator_codes(field: forms.Field) -> set[str]:
    """The codes of the field's validators (max_length, min_value…): Django replaces a
    validator's message with the field's message of the same code."""
    return {getattr(validator, "code", None) for validator in field.validators}


class CleanTextMixin:
    """The project's rules for every form; put it first: `class MyForm(CleanTextMixin,
    forms.Form)`.
    - Every text field refuses line breaks (single-line fields), control and format
      characters, with the message beside the field (core.text).
    - Every message names its field (field_messages_name_the_field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            validator = text_validator_for(field)
            if validator is not None and validator not in field.validators:
                # A copy: base_fields may be shared with other forms (ConsentForm).
                field.validators = [*field.validators, validator]

    def full_clean(self):
        field_messages_name_the_field(self)
        super().full_clean()


CHOOSE = _("Choose…")


def select_starts_blank(field: forms.Field) -> None:
    """A one-choice select records nothing until someone chooses: a required one gets the
    empty option "Choose…" first (an optional one keeps or gets an empty option); left
    unchosen, its message names the field (CleanTextMixin). Radio buttons and multi-selects
    start unticked anyway and are left alone."""
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
    """Give every registered admin (and its inlines), and the admin's sign-in, the project's
    form rules (CleanTextMixin): the plain ModelForm default becomes CleanTextModelForm, a
    custom form gets the mixin in front. Run once the admin modules are loaded
    (CoreConfig.ready)."""

    def with_mixin(form):
        if form is None or issubclass(form, CleanTextMixin):
            return form
        if form is forms.ModelForm:
            return CleanTextModelForm
        return type(form.__name__, (CleanTextMixin, form), {"__module__": form.__module__})

    site.login_form = with_mixin(site.login_form or AdminAuthenticationForm)
    for model_admin in site._registry.values():
        model_admin.form = with_mixin(model_admin.form)
        for name in ("add_form", "change_password_form"):  # UserAdmin
            if hasattr(model_admin, name):
                setattr(model_admin, name, with_mixin(getattr(model_admin, name)))
        for inline in model_admin.inlines:
            inline.form = with_mixin(inline.form)


LOGIN_ID = _("E-mail address or login ID")
LOGIN_ID_HELP = _(
    "Firms: the e-mail address you registered with. Partners and program staff: the login ID "
    "the program office gave you."
)
WRONG_LOGIN = _(
    "The e-mail address (login ID) or the password is not correct. Please check both and try "
    "again. Letters are case-sensitive in the password."
)


class LoginForm(CleanTextMixin, AuthenticationForm):
    """Says what the login ID is (a firm's account is its e-mail address: registrations'
    intake names it so); a wrong ID or password is said under the password."""

    error_messages = {**AuthenticationForm.error_messages, "invalid_login": WRONG_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = LOGIN_ID
        self.fields["username"].help_text = LOGIN_ID_HELP
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))

    def clean_username(self):
        """A firm's login ID is its e-mail address, stored in lower case; people type it
        either way. Staff login IDs (no @) are kept as typed."""
        username = self.cleaned_data["username"].strip()
        return username.lower() if "@" in username else username

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                raise
            # Which of the two was wrong is not told; the password is what to type again.
            self.add_error("password", error)
            return self.cleaned_data


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


NEW_PASSWORD_FIELD = "new_password1"  # noqa: S105 (a field name)


class NewPasswordMixin:
    """A new password's messages in plain words, the password rules' under the new password
    (Django puts them under its confirmation)."""

    error_messages = {
        "password_mismatch": _("The two passwords differ: enter the same new password twice."),
        "password_incorrect": _("The current password is not correct. Please enter it again."),
    }

    def validate_password_for_user(self, user, password_field_name=None):
        super().validate_password_for_user(user, password_field_name=NEW_PASSWORD_FIELD)


class LinkSetPasswordForm(CleanTextMixin, NewPasswordMixin, SetPasswordForm):
    """The new-password form behind an e-mailed link: using it proves the mailbox."""

    def save(self, commit=True):
        from core.signals import mailbox_proven

        user = super().save(commit=commit)
        if commit:
            mailbox_proven.send(sender=type(self), user=user)
        return user


class AccountPasswordChangeForm(CleanTextMixin, NewPasswordMixin, PasswordChangeForm):
    """Django's password change, with the project's messages."""


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
