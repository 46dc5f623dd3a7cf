from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.utils import timezone, translation
from django.views import View
from django.views.generic import TemplateView

from core.roles import Role
from portal.selectors import home_context
from registrations.permissions import RegistrationPermission
from reporting import selectors as reporting_selectors
from reporting import services as reporting_services
from reporting.exports import referral_csv

# The landing pages that show the program's headline figures (reporting.selectors).
FIGURE_ROLES = (Role.MINISTRY, Role.ADMIN, Role.PARTNER)


class HomeView(TemplateView):
    """The public welcome page, or the signed-in user's role landing page."""

    def get_template_names(self) -> list[str]:
        user = self.request.user
        if not user.is_authenticated:
            return ["portal/welcome.html"]
        return [f"portal/home_{user.role}.html" if user.role else "portal/home_no_role.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            if user.role in FIGURE_ROLES:  # figures from the fact table, no older than its cycle
                context["refreshed_at"] = reporting_services.business_progress_ensure()
            context.update(home_context(user=user))
        return context


class ReferralDetailView(PermissionRequiredMixin, TemplateView):
    """What one of the partner's referrals became: its status, the case's stage and status,
    first contact, the menus proposed and adopted, the realised export. Never counselling
    notes or the firm's contact details."""

    permission_required = RegistrationPermission.REFER
    template_name = "portal/referral_detail.html"

    def get_context_data(self, **kwargs):
        referral = reporting_selectors.referral_progress_get(
            user=self.request.user, pk=self.kwargs["pk"]
        )
        return super().get_context_data(referral=referral, **kwargs)


class ReferralDownloadView(PermissionRequiredMixin, View):
    """The partner's funnel and every referral's progress as CSV (UTF-8 with BOM), in the
    program's language whatever the page's."""

    permission_required = RegistrationPermission.REFER

    def get(self, request):
        reporting_services.business_progress_ensure()
        with translation.override(settings.LANGUAGE_CODE):
            chunks = referral_csv(
                reporting_selectors.referral_funnel(user=request.user),
                reporting_selectors.referral_progress_list(user=request.user),
            )
        response = HttpResponse(b"".join(chunks), content_type="text/csv; charset=utf-8")
        filename = f"referrals-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
