from django.urls import path

from core.replica import replica_reads_view
from reporting import views

app_name = "reporting"

urlpatterns = [
    path("reports/outcomes/", views.OutcomeReportView.as_view(), name="report"),
    path("reports/progress/", views.ProgressDashboardView.as_view(), name="progress"),
    path("reports/progress/export/", views.ProgressExportView.as_view(), name="progress-export"),
    path(
        "reports/progress/firms/",
        views.ProgressBusinessesView.as_view(),
        name="progress-businesses",
    ),
    path(
        "reports/progress/exports/",
        views.ProgressExportListView.as_view(),
        name="progress-exports",
    ),
    path(
        "reports/progress/exports/<int:pk>/download/",
        views.ProgressExportDownloadView.as_view(),
        name="progress-export-download",
    ),
]

# Every reporting page reads from the streaming replica when one is configured (core.replica).
for pattern in urlpatterns:
    pattern.callback = replica_reads_view(pattern.callback)
