from django.urls import path

from counselling import views

app_name = "counselling"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("queue/", views.CaseQueueView.as_view(), name="queue"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/sessions/", views.SessionLogView.as_view(), name="session-log"),
    path(
        "<int:pk>/sessions/<int:session_pk>/",
        views.SessionCorrectView.as_view(),
        name="session-correct",
    ),  # fmt: skip
    path("<int:pk>/next-action/done/", views.NextActionDoneView.as_view(), name="next-action-done"),
    path(
        "<int:pk>/next-action/reschedule/",
        views.NextActionRescheduleView.as_view(),
        name="next-action-reschedule",
    ),  # fmt: skip
    path("<int:pk>/stage/", views.StageChangeView.as_view(), name="stage-change"),
    path("<int:pk>/target/", views.TargetSetView.as_view(), name="target-set"),
    path("<int:pk>/status/", views.StatusChangeView.as_view(), name="status-change"),
    path("<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/review/", views.SupportReviewView.as_view(), name="support-review"),
]
