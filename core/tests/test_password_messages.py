"""Password rules in plain Japanese, under the new password (issue 16)."""

import pytest
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db


def _change(client, user, new, again=None):
    client.force_login(user)
    return client.post(reverse("password_change"), {
        "old_password": "correct-horse-battery", "new_password1": new,
        "new_password2": new if again is None else again,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "パスワードが短すぎます。10文字以上にしてください。"),
        ("1234567890", "数字だけのパスワードは使えません。英字や記号も入れてください。"),
        ("password123", "よく使われていて推測されやすいパスワードです。別のものにしてください。"),
    ],
)
def test_a_password_breaking_a_rule_is_told_under_the_new_password(client, users, new, message):
    response = _change(client, users[Role.CONCIERGE], new)
    errors = response.context["form"].errors
    assert message in errors["new_password1"]
    assert "new_password2" not in errors
    assert 'id="error_1_id_new_password1"' in response.text


def test_two_different_passwords_and_a_wrong_current_one_say_so(client, users):
    user = users[Role.CONCIERGE]
    response = _change(client, user, "kasumigaseki-2026", again="kasumigaseki-2027")
    assert response.context["form"].errors["new_password2"] == [
        "2つのパスワードが一致しません。同じ新しいパスワードを2回入力してください。"
    ]
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "kasumigaseki-2026",
        "new_password2": "kasumigaseki-2026",
    })  # fmt: skip
    assert response.context["form"].errors["old_password"] == [
        "現在のパスワードが正しくありません。もう一度入力してください。"
    ]


def test_the_rules_are_explained_before_typing(client, users):
    client.force_login(users[Role.CONCIERGE])
    page = client.get(reverse("password_change")).text
    assert "10文字以上にしてください。" in page
    assert "数字だけのものは使えません。" in page
