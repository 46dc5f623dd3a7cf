from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Partners: what their referrals became (the list and the referral form are registrations').
    path("partner/referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path(
        "partner/referrals/progress.csv",
        views.ReferralDownloadView.as_view(),
        name="referral-download",
    ),
]
