from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def sqlite_erasure_flag_register(sender, connection, **kwargs) -> None:
    """On SQLite (`make run`), the append-only triggers of migration 0005 ask this function
    whether the current connection is erasing personal data (case_history_erase sets the
    flag); on PostgreSQL the flag is a transaction-local setting instead."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "export_support_erasure", 0, lambda: int(getattr(connection, "audit_erasure", False))
        )


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = _("Counselling")

    def ready(self) -> None:
        from counselling.services import case_open_for_registration
        from registrations.signals import registration_confirmed

        connection_created.connect(sqlite_erasure_flag_register)
        registration_confirmed.connect(
            case_open_for_registration, dispatch_uid="counselling.case_open_for_registration"
        )
