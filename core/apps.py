from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core and reference data")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from core.forms import admin_forms_clean_text
        from core.roles import role_groups_sync_on_migrate
        from core.sessions import staff_session_start

        user_logged_in.connect(staff_session_start, dispatch_uid="core.staff_session_start")

        # The admin apps' ready() has loaded every admin.py: each admin form gets the
        # clean-text rule (no control or format characters, docs/adr/0015-clean-text.md).
        admin_forms_clean_text(admin.site)

        # Permissions are created in post_migrate, so the role groups are granted theirs there.
        post_migrate.connect(role_groups_sync_on_migrate, dispatch_uid="core.role_groups_sync")
