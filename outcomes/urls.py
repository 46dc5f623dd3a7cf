from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
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
