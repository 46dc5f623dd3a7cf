from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from core.models import OutboundEmail, User
from core.services import email_enqueue


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))


class OutboxPasswordResetForm(PasswordResetForm):
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
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_enqueue(
            key=f"password-reset:{context['uid']}:{context['token']}",
            to=to_email,
            subject=subject,
            body=body,
            kind=OutboundEmail.Kind.ACCOUNT,
        )


class LinkSetPasswordForm(SetPasswordForm):
    """The new-password form behind an e-mailed link: using it proves the mailbox."""

    def save(self, commit=True):
        from core.signals import mailbox_proven

        user = super().save(commit=commit)
        if commit:
            mailbox_proven.send(sender=type(self), user=user)
        return user


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["case_reminders"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class TwoFactorTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=16,
        help_text=_("The 6-digit code in your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "inputmode": "text"}),
    )  # fmt: skip

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())
