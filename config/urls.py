from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("core.urls_accounts")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("cases/", include("counselling.urls")),
    path("", include("support_menus.urls")),
    path("", include("outcomes.urls")),
    path("", include("reporting.urls")),
    path("", include("registrations.urls")),
    path("", include("core.urls")),
    path("", include("portal.urls")),
]
