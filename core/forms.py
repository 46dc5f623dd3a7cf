import secrets

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from core.models import OutboundEmail, User
from core.services import email_enqueue, token_digest


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
