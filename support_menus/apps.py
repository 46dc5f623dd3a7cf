from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportMenusConfig(AppConfig):
    name = "support_menus"
    verbose_name = _("Support menus")

    def ready(self) -> None:
        from counselling.panels import case_panel_register
        from support_menus.panels import PROPOSALS_PANEL

        case_panel_register(PROPOSALS_PANEL)
