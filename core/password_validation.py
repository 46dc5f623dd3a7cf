"""Django's password rules (AUTH_PASSWORD_VALIDATORS) with messages that say what to do, in
plain words (Django's own Japanese reads 「このパスワードは一般的すぎます。」). Their messages
go under the new password, not under its confirmation (core.forms.NewPasswordMixin)."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "The password is too short: use at least %(min_length)d character.",
            "The password is too short: use at least %(min_length)d characters.",
            self.min_length,
        )

    def get_help_text(self):
        return ngettext(
            "Use at least %(min_length)d character.",
            "Use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("The password is too close to your %(verbose_name)s: choose one that is not.")

    def get_help_text(self):
        return _("Do not use anything close to your name, e-mail address or login ID.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("This password is widely used and easy to guess: please choose another.")

    def get_help_text(self):
        return _("Widely used passwords (such as “password123”) cannot be used.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("A password of digits only cannot be used: add letters or symbols.")

    def get_help_text(self):
        return _("Digits alone are not enough.")
