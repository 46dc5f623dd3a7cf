from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportMenusConfig(AppConfig):
    name = "support_menus"
    verbose_name = _("Support menus")
