"""Signing in and the second step as the views see it: the test client posts what a person
types, the codes come from the same TOTP an authenticator app runs."""

import re
from base64 import b32decode

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from core.roles import Role
from core.services import email_outbox_dispatch
from core.sessions import staff_account
from core.tests.factories import PASSWORD, UserFactory


def sign_in(client, user, next_url=""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code(secret_b32: str, later: int = 0) -> str:
    """The app's code now (or `later` 30-second steps on: a code is accepted once)."""
    totp = TOTP(b32decode(secret_b32))
    totp.drift = later
    return f"{totp.token():06d}"


def invitation_link(user) -> str:
    """An admin presses "send an invitation" on the user's admin page; the path of the link
    in the e-mail the user then receives."""
    admin_client = Client()
    admin_client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    response = admin_client.post(reverse("admin:core_user_two_factor_invite", args=[user.pk]))
    assert response.status_code == 302
    email_outbox_dispatch()  # what the worker does after the admin's request commits
    body = next(m.body for m in reversed(mail.outbox) if m.to == [user.email])
    return "/accounts/" + re.search(r"/accounts/(two-factor/invitation/\S+/)", body).group(1)


def set_up(client, user) -> list[str]:
    """Go through the set-up page as a person would: a staff member first opens an admin's
    invitation; then read the key, type the app's code."""
    if staff_account(user):
        assert client.get(invitation_link(user)).status_code == 302
    page = client.get(reverse("two_factor_setup"))
    secret = page.context["secret"]
    assert "<svg" in page.content.decode()
    response = client.post(reverse("two_factor_setup"), {"token": code(secret)})
    assert response.status_code == 200
    return response.context["codes"]
