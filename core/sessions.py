"""Session rules. Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request (firms
keep the absolute SESSION_COOKIE_AGE), and users who need a second factor reach nothing else
until they pass it, checked on every request. A staff session is marked at sign-in, so the
idle rule costs no query, and its expiry is pushed forward at most once a minute, so most
requests write nothing."""

import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

STAFF_IDLE_KEY = "staff_idle_touched"
TOUCH_EVERY_SECONDS = 60


def staff_session_start(sender, request, user, **kwargs) -> None:
    """user_logged_in: a staff member's session expires after the idle time."""
    from core.roles import STAFF_ROLES

    if request is not None and user.role in STAFF_ROLES:
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        request.session[STAFF_IDLE_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        touched = request.session.get(STAFF_IDLE_KEY)
        now = int(time.time())
        if touched is not None and now - touched >= TOUCH_EVERY_SECONDS:
            # Saving the session moves its expiry to now + the idle time.
            request.session[STAFF_IDLE_KEY] = now
        return self.get_response(request)


# --- Two-factor authentication -----------------------------------------------------------------

TWO_FACTOR_VERIFIED_KEY = "two_factor_verified"
TWO_FACTOR_INVITATION_KEY = "two_factor_invitation"
# Reachable before the second factor: its own pages, an invitation link, signing out, the
# language switch.
TWO_FACTOR_OPEN_URL_NAMES = frozenset(
    {"two_factor_verify", "two_factor_setup", "two_factor_invitation", "logout", "set_language"}
)


def staff_account(user) -> bool:
    """Staff for the second factor: a staff role, or any account that reaches the admin."""
    from core.roles import STAFF_ROLES

    return user.is_staff or user.is_superuser or user.role in STAFF_ROLES


def two_factor_required(user) -> bool:
    """Staff must pass a second factor (when TWO_FACTOR_REQUIRED); so must anyone, a firm
    included, who has an authenticator. At most two queries (the role, cached on the user
    for the request, and whether a confirmed device exists)."""
    from core.selectors import two_factor_device_exists

    if settings.TWO_FACTOR_REQUIRED and staff_account(user):
        return True
    return two_factor_device_exists(user=user)


class TwoFactorMiddleware:
    """Until the second factor is passed, a signed-in user who needs one reaches only the
    two-factor pages (set up, invitation, verify) and sign-out.

    The requirement is checked on every request of a session that has not passed it, so a
    session opened before TWO_FACTOR_REQUIRED was switched on, or before the firm set up its
    authenticator in another browser, is stopped at its next request. A session that passed
    it costs no query; one that has not costs one (whether a confirmed device exists) plus
    the user's role, which most pages read anyway and which is cached on the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(TWO_FACTOR_VERIFIED_KEY):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in TWO_FACTOR_OPEN_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if not two_factor_required(user):
            return None
        return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"), "next")


def axes_username(request, credentials) -> str:
    """django-axes records failed sign-ins by username in a 255-character column: a longer
    typed name is cut to the longest a username can be, never an error."""
    from core.models import User

    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") or ""
    return str(username)[: User._meta.get_field("username").max_length]
