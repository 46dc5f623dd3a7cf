from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site as a whole: landing pages, navigation, demo data and benchmarks, the periodic
    schedules. It may import every app; no app imports it."""

    name = "portal"
