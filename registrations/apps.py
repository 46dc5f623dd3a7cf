from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from core.signals import mailbox_proven

        mailbox_proven.connect(_mailbox_proven, dispatch_uid="registrations.mailbox_proven")


def _mailbox_proven(sender, user, **kwargs) -> None:
    from registrations.services.contacts import user_mailbox_proven

    user_mailbox_proven(user=user)
