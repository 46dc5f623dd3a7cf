"""Staff sessions end after a while without a request; password resets are rate limited
without telling anyone whether an account exists (signed links:
outcomes/tests/test_signed_link_limits.py)."""

import time

import pytest
from django.urls import reverse

from core.models import OutboundEmail
from core.roles import Role
from core.sessions import STAFF_IDLE_KEY
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username,
                                              "password": "correct-horse-battery"})  # fmt: skip
    assert response.status_code == 302


def test_staff_sessions_expire_after_the_idle_time_and_firms_keep_the_long_one(client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    _sign_in(client, UserFactory(role=Role.CONCIERGE))
    assert client.session.get_expiry_age() == 30 * 60
    assert STAFF_IDLE_KEY in client.session

    client.logout()
    _sign_in(client, UserFactory(role=Role.BUSINESS))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert STAFF_IDLE_KEY not in client.session


def test_a_staff_request_after_a_minute_pushes_the_expiry_forward(client, settings):
    _sign_in(client, UserFactory(role=Role.MINISTRY))
    session = client.session
    session[STAFF_IDLE_KEY] = int(time.time()) - 120
    session.save()
    client.get(reverse("portal:home"))
    assert client.session[STAFF_IDLE_KEY] >= int(time.time()) - 5


def test_password_resets_over_the_limit_look_the_same_and_send_nothing(client, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = "1/h"
    first, second, third = (UserFactory(role=Role.PARTNER, email=f"p{n}@example.jp")
                            for n in range(3))  # fmt: skip
    url = reverse("password_reset")
    done = (302, reverse("password_reset_done"))

    def ask(user, ip):
        response = client.post(url, {"email": user.email}, REMOTE_ADDR=ip)
        return response.status_code, response["Location"]

    assert ask(first, "192.0.2.1") == done
    assert ask(second, "192.0.2.1") == done  # the same address again: over the limit
    assert ask(first, "192.0.2.9") == done  # the same account from elsewhere: over the limit
    assert ask(third, "192.0.2.20") == done  # another address and account: sent
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "p0@example.jp", "p2@example.jp",
    ]  # fmt: skip
