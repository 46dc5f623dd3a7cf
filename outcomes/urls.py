from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("reports/outcomes/", views.OutcomeReportView.as_view(), name="report"),
    path("reports/progress/", views.ProgressDashboardView.as_view(), name="progress"),
    path("reports/progress/export/", views.ProgressExportView.as_view(), name="progress-export"),
    path("reports/progress/firms/", views.ProgressFirmsView.as_view(), name="progress-firms"),
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
    path("survey/<str:token>/", views.SurveyAnswerView.as_view(), name="answer"),
    path("survey/<str:token>/opt-out/", views.SurveyOptOutView.as_view(), name="opt-out"),
    path("survey/<str:token>/done/", views.SurveyDoneView.as_view(), name="done"),
    path(
        "cases/<int:pk>/surveys/<int:survey_pk>/answer/",
        views.SurveyStaffAnswerView.as_view(),
        name="staff-answer",
    ),
    path(
        "cases/<int:pk>/surveys/<int:survey_pk>/resend/",
        views.SurveyResendView.as_view(),
        name="resend",
    ),
]
