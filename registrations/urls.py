from django.urls import path, re_path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("register/done/", views.RegisterDoneView.as_view(), name="done"),
    path("register/confirm/<str:token>/", views.ConsentView.as_view(), name="consent"),
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    re_path(
        r"^postal-codes/(?P<code>[0-9]{7})/$", views.PostalCodeView.as_view(), name="postal-code"
    ),
    path("my/contact/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("my/registrations/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("my/data/", views.MyDataPageView.as_view(), name="my-data-page"),
    re_path(r"^my/data\.(?P<fmt>json|csv)$", views.MyDataView.as_view(), name="my-data"),
    path("my/deletion/", views.DeletionRequestView.as_view(), name="deletion-request"),
    path(
        "my/contact/email/<str:token>/",
        views.EmailChangeConfirmView.as_view(),
        name="email-confirm",
    ),
    path("my/requests/", views.ContactRequestListView.as_view(), name="contact-requests"),
    re_path(
        r"^my/requests/(?P<pk>[0-9]+)/(?P<action>approve|reject)/$",
        views.ContactDecideView.as_view(),
        name="contact-decide",
    ),
    path("partner/referrals/", views.ReferralListView.as_view(), name="referral-list"),
    path("partner/referrals/new/", views.ReferralCreateView.as_view(), name="referral-create"),
    path(
        "partner/referrals/<int:pk>/resend/",
        views.ReferralResendView.as_view(),
        name="referral-resend",
    ),
    path("registrations/", views.RegistrationListView.as_view(), name="registration-list"),
    path(
        "registrations/<int:pk>/",
        views.RegistrationDetailView.as_view(),
        name="registration-detail",
    ),
    re_path(
        r"^registrations/(?P<pk>[0-9]+)/access/(?P<action>approve|reject)/$",
        views.RegistrationContactDecideView.as_view(),
        name="registration-contact-decide",
    ),
    path(
        "registrations/duplicates/",
        views.DuplicateQueueView.as_view(),
        name="duplicate-queue",
    ),
    re_path(
        r"^registrations/duplicates/(?P<pk>[0-9]+)/(?P<action>merge|dismiss|reopen)/$",
        views.DuplicateResolveView.as_view(),
        name="duplicate-resolve",
    ),
]
