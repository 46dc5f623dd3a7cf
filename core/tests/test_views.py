import pytest
from django.core import mail
from django.urls import reverse

from core.models import OutboundEmail
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_sign_in_with_the_standard_form_then_sign_out(client, users):
    user = users[Role.PARTNER]  # staff add a second step: core/tests/test_two_factor.py
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert client.get("/").context["user"] == user
    client.post(reverse("logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_wrong_password_shows_a_japanese_message_under_the_password(client, users):
    response = client.post(
        reverse("login"), {"username": users[Role.CONCIERGE].username, "password": "nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password": [
            "メールアドレス（ログインID）またはパスワードが正しくありません。"
            "両方をご確認のうえ、もう一度お試しください。パスワードの英字は大文字と小文字を"
            "区別します。"
        ]
    }
    assert 'id="error_1_id_password"' in response.text  # beside the password


def test_the_sign_in_says_what_the_login_id_is(client):
    page = client.get(reverse("login")).text
    assert "メールアドレスまたはログインID" in page
    assert "事業者の方は、登録したメールアドレス" in page


def test_a_firm_signs_in_with_its_e_mail_address_typed_in_any_case(client, users):
    firm = users[Role.BUSINESS]
    firm.username = "hanako@example.jp"
    firm.set_password("correct-horse-battery")
    firm.save()
    response = client.post(
        reverse("login"), {"username": " Hanako@Example.JP ", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


def test_repeated_failures_lock_the_account_for_that_address(client, users, settings):
    username = users[Role.CONCIERGE].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.text
    assert "このアカウントへのログインを15分間停止しています" in response.text
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_goes_through_the_outbox(client, users, django_capture_on_commit_callbacks):
    user = users[Role.PARTNER]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.to == user.email
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert f"（{user.username}）" in mail.outbox[0].body
    assert mail.outbox[0].subject == "パスワードの設定 | 新規輸出１万者支援プログラム"
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.context["validlink"]


def test_english_is_available(english):
    response = english.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "Sign in" in response.text


def test_html_responses_carry_a_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_admin_site_is_open_to_the_admin_role_only(client, users):
    client.force_login(users[Role.ADMIN])
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_organisation_changelist")).status_code == 200
    client.force_login(users[Role.CONCIERGE])
    assert client.get(reverse("admin:index")).status_code == 302


def test_health_endpoint_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.text == "ok"


def test_names_are_shown_family_name_first(client, users):
    user = users[Role.CONCIERGE]
    user.last_name, user.first_name = "鈴木", "一郎"
    user.save()
    client.force_login(user)
    assert "鈴木 一郎" in client.get("/").text


def test_the_language_switch_names_each_language_in_itself(client):
    response = client.get("/")
    assert ">日本語</button>" in response.text
    assert ">English</button>" in response.text
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").headers["Content-Language"] == "en"


def test_the_sign_in_page_shows_the_program_name_not_the_host(client):
    response = client.get(reverse("login"))
    assert "新規輸出１万者支援プログラム" in response.text
    assert "<title>ログイン | 新規輸出１万者支援プログラム</title>" in response.text
