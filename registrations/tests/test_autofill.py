"""What the browser may fill in and which keyboard a phone shows (issue 16): autocomplete,
type and inputmode on the fields people type, as the pages render them."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

REGISTRATION = {
    "corporate_number": {"inputmode": "numeric", "autocomplete": "off"},
    "name": {"autocomplete": "organization"},
    "postal_code": {"autocomplete": "postal-code", "inputmode": "numeric"},
    "prefecture": {"autocomplete": "address-level1"},
    "address": {"autocomplete": "street-address"},
    "employees": {"inputmode": "numeric"},
    "website": {"autocomplete": "url", "type": "url"},
    "contact_name": {"autocomplete": "name"},
    "contact_department": {"autocomplete": "organization-title"},
    "email": {"autocomplete": "email", "type": "email"},
    "email_confirm": {"autocomplete": "email", "type": "email"},
    "phone": {"autocomplete": "tel", "type": "tel"},
}
CONTACT = {
    "name": {"autocomplete": "name"},
    "department": {"autocomplete": "organization-title"},
    "email": {"autocomplete": "email", "type": "email"},
    "phone": {"autocomplete": "tel", "type": "tel"},
}


class _Fields(HTMLParser):
    """The attributes of each input, select and text area, by name."""

    def __init__(self, html: str):
        super().__init__()
        self.by_name: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and "name" in attributes:
            self.by_name.setdefault(attributes["name"], attributes)


def _attributes(html: str, name: str) -> dict:
    fields = _Fields(html).by_name
    assert name in fields, name
    return fields[name]


def _assert_fields(html: str, expected: dict) -> None:
    for name, attributes in expected.items():
        found = _attributes(html, name)
        assert {key: found.get(key) for key in attributes} == attributes, name


@pytest.mark.django_db
def test_the_registration_form_lets_the_browser_fill_the_firm_and_its_contact(client):
    _assert_fields(client.get(reverse("registrations:register")).text, REGISTRATION)


@pytest.mark.django_db
def test_a_partners_referral_form_has_the_same_hints(client, users):
    client.force_login(users["partner"])
    _assert_fields(client.get(reverse("registrations:referral-create")).text, REGISTRATION)


@pytest.mark.django_db
def test_the_firms_contact_form_has_the_hints(client, users):
    client.force_login(users["business"])
    _assert_fields(client.get(reverse("registrations:contact-update")).text, CONTACT)


@pytest.mark.django_db
def test_sign_in_and_password_pages_name_their_fields_for_password_managers(client, users):
    login = client.get(reverse("login")).text
    _assert_fields(login, {"username": {"autocomplete": "username"},
                           "password": {"autocomplete": "current-password"}})  # fmt: skip
    reset = client.get(reverse("password_reset")).text
    _assert_fields(reset, {"email": {"autocomplete": "email", "type": "email"}})
    client.force_login(users["concierge"])
    change = client.get(reverse("password_change")).text
    _assert_fields(change, {"old_password": {"autocomplete": "current-password"},
                            "new_password1": {"autocomplete": "new-password"},
                            "new_password2": {"autocomplete": "new-password"}})  # fmt: skip
