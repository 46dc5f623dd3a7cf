from django.views.generic import TemplateView

from portal.selectors import home_context


class HomeView(TemplateView):
    """The public welcome page, or the signed-in user's role landing page."""

    def get_template_names(self) -> list[str]:
        user = self.request.user
        if not user.is_authenticated:
            return ["portal/welcome.html"]
        return [f"portal/home_{user.role}.html" if user.role else "portal/home_no_role.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            context.update(home_context(user=self.request.user))
        return context
