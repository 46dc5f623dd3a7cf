from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ALL

from core.forms import PreferencesForm
from core.selectors import home_context
from core.services import user_preferences_update


class FilteredPageMixin:
    """A list page: a django-filter filterset, one page of its rows, and the query string
    without the page number, for the pagination links."""

    page_size = 50

    def filtered_page(self, filterset) -> dict:
        page = Paginator(filterset.qs, self.page_size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {"filter": filterset, "page": page, "query": query.urlencode()}


class HomeView(TemplateView):
    """The public welcome page, or the signed-in user's role landing page."""

    def get_template_names(self) -> list[str]:
        user = self.request.user
        if not user.is_authenticated:
            return ["core/welcome.html"]
        return [f"core/home_{user.role}.html" if user.role else "core/home_no_role.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            context.update(home_context(user=self.request.user))
        return context


@never_cache
def health(request) -> HttpResponse:
    """For load balancers and container health checks: the app is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "core/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def form_valid(self, form):
        user_preferences_update(
            user=self.request.user, case_reminders=form.cleaned_data["case_reminders"]
        )
        messages.success(self.request, _("Your preferences were saved."))
        return redirect("core:home")


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset, limited per IP address and per e-mail address. Over the limit the user
    sees the usual "sent" page and nothing is sent: the answer never tells whether an account
    exists or how often it was asked for."""

    def form_valid(self, form):
        limited = [
            is_ratelimited(
                self.request, group="password-reset", key=key, method="POST", increment=True,
                rate=settings.PASSWORD_RESET_RATE_LIMIT,
            )
            for key in ("ip", "post:email")
        ]  # fmt: skip
        if any(limited):
            return redirect(self.get_success_url())
        return super().form_valid(form)


def link_rate_limited(request) -> bool:
    """Signed links (surveys, consents) opened too often from one address."""
    return is_ratelimited(
        request, group="signed-link", key="ip", method=ALL, increment=True,
        rate=settings.LINK_RATE_LIMIT,
    )  # fmt: skip
