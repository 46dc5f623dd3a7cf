"""Every page with a form shows the error summary on a failed submit (issue 16): the count, a
list linked to the fields, messages that name them. The case page, the registration form and
the filters have their own tests; these are the account and firm pages."""

import re

import pytest
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db

PAGES = [
    (None, "login", {"username": "", "password": ""}, "#id_username"),
    (None, "password_reset", {"email": "not-an-address"}, "#id_email"),
    (Role.CONCIERGE, "password_change", {}, "#id_old_password"),
    (Role.BUSINESS, "registrations:deletion-request", {}, "#id_confirm"),
    (Role.BUSINESS, "registrations:contact-update", {"name": ""}, "#id_name"),
    (Role.BUSINESS, "two_factor_setup", {"token": ""}, "#id_token"),  # a firm may opt in
]


@pytest.mark.parametrize(("role", "name", "data", "first_link"), PAGES, ids=[p[1] for p in PAGES])
def test_a_failed_submit_shows_the_summary(client, users, role, name, data, first_link):
    if role is not None:
        client.force_login(users[role])
    response = client.post(reverse(name), data)
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html, name
    assert re.search(r"入力内容に\d+件の問題があります", html)
    assert f'href="{first_link}"' in html
    assert "このフィールドは必須です" not in html
