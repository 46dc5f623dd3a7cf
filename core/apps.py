from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core and reference data")

    def ready(self) -> None:
        from core.roles import role_groups_sync_on_migrate

        # Permissions are created in post_migrate, so the role groups are granted theirs there.
        post_migrate.connect(role_groups_sync_on_migrate, dispatch_uid="core.role_groups_sync")
