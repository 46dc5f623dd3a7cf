"""The ministry's reporting pages: which permission each needs, which roles get them, and
whose export log a user sees."""

from enum import StrEnum

from django.db.models import QuerySet

from core.roles import Role
from reporting.models import ProgressExport


class ReportingPermission(StrEnum):
    REPORT = "reporting.view_outcome_report"  # the outcome report (aggregates only)
    DASHBOARD = "reporting.view_progress_dashboard"  # aggregates, and their open-data export
    EXPORT = "reporting.export_progress"  # business-level rows (names, 法人番号): logged


ROLE_GRANTS: dict[Role, tuple[str, ...]] = {
    Role.MINISTRY: (
        ReportingPermission.REPORT,
        ReportingPermission.DASHBOARD,
        ReportingPermission.EXPORT,
    ),
}


def progress_export_qs_visible_to(user) -> QuerySet[ProgressExport]:
    """Admins every export (the export log); everyone else only the exports they asked for."""
    exports = ProgressExport.objects.all()
    if not user.is_authenticated:
        return exports.none()
    if user.role == Role.ADMIN:
        return exports
    return exports.filter(requested_by=user)
