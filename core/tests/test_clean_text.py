"""Issue 13's clean-text rule in core: every admin form carries it, passwords are exempt
(the forms, imports and data migration of the apps: tests/test_clean_text.py)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_form_carries_the_rule(client, users):
    from core.forms import CleanTextMixin

    for model_admin in admin.site._registry.values():
        assert issubclass(model_admin.form, CleanTextMixin), model_admin
        for inline in model_admin.inlines:
            assert issubclass(inline.form, CleanTextMixin), inline
    client.force_login(users[Role.ADMIN])
    response = client.post(reverse("admin:core_organisation_add"),
                           {"code": "evil-org", "name": "商工会\u202e議所", "kind": "chamber",
                            "prefecture": "13"})  # fmt: skip
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(code="evil-org").exists()


def test_a_password_may_hold_any_character(client):
    password = "pass\u200bword\u202e-\x1b[0m-長い"
    user = UserFactory(role=Role.BUSINESS, username="firm-user")
    user.set_password(password)
    user.save()
    response = client.post(reverse("login"), {"username": "firm-user", "password": password})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
