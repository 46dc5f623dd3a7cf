"""Session rules. Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request (firms
keep the absolute SESSION_COOKIE_AGE), and users who need a second factor reach nothing else
until they pass it. The session is marked at sign-in, so telling staff apart costs
no query, and its expiry is pushed forward at most once a minute, so most requests write
nothing."""

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

TWO_FACTOR_REQUIRED_KEY = "two_factor_required"
TWO_FACTOR_VERIFIED_KEY = "two_factor_verified"
# Reachable before the second factor: its own pages, signing out, the language switch.
TWO_FACTOR_OPEN_URL_NAMES = ("two_factor_verify", "two_factor_setup", "logout", "set_language")


def two_factor_start(sender, request, user, **kwargs) -> None:
    """user_logged_in: staff must pass a second factor (when TWO_FACTOR_REQUIRED); so must a
    firm that set one up."""
    from core.roles import STAFF_ROLES
    from core.selectors import two_factor_device

    if request is None:
        return
    required = settings.TWO_FACTOR_REQUIRED and user.role in STAFF_ROLES
    if required or two_factor_device(user=user) is not None:
        request.session[TWO_FACTOR_REQUIRED_KEY] = True


class TwoFactorMiddleware:
    """Until the second factor is passed, a signed-in user who needs one reaches only the
    two-factor pages (set up or verify) and sign-out. Session flags only: no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.get(TWO_FACTOR_REQUIRED_KEY) and not session.get(TWO_FACTOR_VERIFIED_KEY):
            open_paths = {reverse(name) for name in TWO_FACTOR_OPEN_URL_NAMES}
            if request.path not in open_paths and not request.path.startswith(settings.STATIC_URL):
                return redirect_to_login(
                    request.get_full_path(), reverse("two_factor_verify"), "next"
                )
        return self.get_response(request)


def axes_username(request, credentials) -> str:
    """django-axes records failed sign-ins by username in a 255-character column: a longer
    typed name is cut to the longest a username can be, never an error."""
    from core.models import User

    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") or ""
    return str(username)[: User._meta.get_field("username").max_length]
