"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request (firms keep the
absolute SESSION_COOKIE_AGE). The session is marked at sign-in, so telling staff apart costs
no query, and its expiry is pushed forward at most once a minute, so most requests write
nothing."""

import time

from django.conf import settings

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
