"""Sign-in, sign-out and password reset: Django's views with our forms and templates."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from core.forms import (
    AccountPasswordChangeForm,
    LinkSetPasswordForm,
    LoginForm,
    OutboxPasswordResetForm,
)
from core.views import (
    PreferencesView,
    RateLimitedPasswordResetView,
    RefusingPasswordResetConfirmView,
    TwoFactorInvitationView,
    TwoFactorSetupView,
    TwoFactorVerifyView,
)

urlpatterns = [
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("two-factor/", TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/setup/", TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path(
        "two-factor/invitation/<str:token>/",
        TwoFactorInvitationView.as_view(),
        name="two_factor_invitation",
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        RateLimitedPasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            extra_email_context={"site_name": settings.PROGRAM_NAME},
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        RefusingPasswordResetConfirmView.as_view(form_class=LinkSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        auth_views.PasswordChangeView.as_view(
            form_class=AccountPasswordChangeForm,
            success_url=reverse_lazy(settings.LOGIN_REDIRECT_URL),
        ),
        name="password_change",
    ),
]
