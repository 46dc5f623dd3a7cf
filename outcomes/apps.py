from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self) -> None:
        from counselling.panels import case_panel_register
        from outcomes.panels import SURVEYS_PANEL

        case_panel_register(SURVEYS_PANEL)
