"""Issue 13, as an attacker would try it: a staff password alone (say, from a reset mail) never
enrols an authenticator, a device-less staff account gets no reset link, the second factor is
asked of sessions opened before it was required, and neither the otp admin nor the outbox
admin shows a key or a reset link."""

import re
from base64 import b32encode
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import OutboundEmail, TwoFactorInvitation, User
from core.roles import Role
from core.services import INVITATION_NEEDS_EMAIL, email_enqueue, email_outbox_dispatch
from core.tests.factories import PASSWORD, UserFactory
from core.tests.helpers import code, invitation_link, set_up, sign_in

pytestmark = pytest.mark.django_db


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


# --- 1. Enrolment needs an admin's invitation ---------------------------------------------------


def test_with_only_a_staff_password_no_authenticator_can_be_enrolled(client):
    concierge = UserFactory(role=Role.CONCIERGE)
    sign_in(client, concierge)

    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 403
    content = page.content.decode()
    assert "管理者" in content
    assert "招待" in content
    assert "totp-secret" not in content
    response = client.post(reverse("two_factor_setup"), {"token": "123456"})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=concierge).exists()
    assert client.get(reverse("portal:home")).status_code == 302


def test_an_admin_invitation_enrols_once_and_only_its_own_account(client):
    lead = UserFactory(role=Role.OFFICE_LEAD)
    link = invitation_link(lead)
    invitation_mail = OutboundEmail.objects.get(to=lead.email)
    assert invitation_mail.kind == OutboundEmail.Kind.ACCOUNT
    assert invitation_mail.body == ""  # delivered: the link is not readable afterwards
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation_mail.idempotency_key
    assert not TwoFactorInvitation.objects.filter(token_hash=token).exists()

    # Someone else's signed-in account cannot use it.
    other = Client()
    other.force_login(UserFactory(role=Role.CONCIERGE))
    assert other.get(link).status_code == 404

    # Opened before signing in: the password first, then straight on to the set-up.
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("login") + f"?next={link}",
                           {"username": lead.username, "password": PASSWORD})  # fmt: skip
    assert response["Location"] == link
    assert client.get(link)["Location"] == reverse("two_factor_setup")
    secret = client.get(reverse("two_factor_setup")).context["secret"]
    assert client.post(reverse("two_factor_setup"), {"token": code(secret)}).status_code == 200
    assert TOTPDevice.objects.filter(user=lead, confirmed=True).count() == 1
    assert TwoFactorInvitation.objects.get(user=lead).used_at is not None

    # Single use: the link leads nowhere the second time, even for its own account.
    client.post(reverse("logout"))
    sign_in(client, lead)
    page = client.get(link)
    assert page.status_code == 404
    assert "招待" in page.content.decode()


def test_an_expired_or_replaced_invitation_does_not_enrol(client):
    ministry = UserFactory(role=Role.MINISTRY)
    first = invitation_link(ministry)
    second = invitation_link(ministry)
    sign_in(client, ministry)
    assert client.get(first).status_code == 404  # replaced by the newer one
    TwoFactorInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(second).status_code == 404
    assert client.get(reverse("two_factor_setup")).status_code == 403


def test_an_invitation_opened_then_expired_no_longer_enrols(client):
    ministry = UserFactory(role=Role.MINISTRY)
    sign_in(client, ministry)
    assert client.get(invitation_link(ministry)).status_code == 302
    secret = client.get(reverse("two_factor_setup")).context["secret"]
    TwoFactorInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(reverse("two_factor_setup"), {"token": code(secret)})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=ministry, confirmed=True).exists()


def test_a_lost_phone_is_replaced_only_through_an_invitation(client):
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True)
    old = confirmed_device(admin_user)
    sign_in(client, admin_user)
    # The password alone: the code page, never the set-up page.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    assert client.get(invitation_link(admin_user)).status_code == 302
    codes = set_up_after_invitation(client)
    assert len(codes) == 10
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).count() == 1
    assert client.get(reverse("portal:home")).status_code == 200


def set_up_after_invitation(client) -> list[str]:
    secret = client.get(reverse("two_factor_setup")).context["secret"]
    response = client.post(reverse("two_factor_setup"), {"token": code(secret)})
    assert response.status_code == 200
    return response.context["codes"]


def test_the_admin_action_sends_invitations_and_says_so(admin_client_verified):
    staff = UserFactory(role=Role.CONCIERGE)
    nomail = UserFactory(role=Role.CONCIERGE, email="")
    response = admin_client_verified.post(
        reverse("admin:core_user_changelist"),
        {"action": "two_factor_invite", "_selected_action": [staff.pk, nomail.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "招待" in content
    assert escape(str(INVITATION_NEEDS_EMAIL)) in content
    assert TwoFactorInvitation.objects.filter(user=staff).count() == 1
    assert not TwoFactorInvitation.objects.filter(user=nomail).exists()
    page = admin_client_verified.get(reverse("admin:core_user_change", args=[staff.pk]))
    assert reverse("admin:core_user_two_factor_invite", args=[staff.pk]) in page.content.decode()
    # The button only posts: a link in a page cannot send invitations.
    get = admin_client_verified.get(reverse("admin:core_user_two_factor_invite", args=[staff.pk]))
    assert get.status_code == 405


@pytest.fixture
def admin_client_verified(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    return client


# --- 2. A reset never hands over a device-less staff account ------------------------------------


def test_a_reset_for_a_device_less_staff_account_sends_no_link(client):
    concierge = UserFactory(role=Role.CONCIERGE)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.jp"})
    response = client.post(reverse("password_reset"), {"email": concierge.email})
    # The page says "sent" as for any address: it tells a stranger nothing.
    assert response.status_code == unknown.status_code == 302
    assert response["Location"] == unknown["Location"] == reverse("password_reset_done")
    email_outbox_dispatch()

    [message] = [m for m in mail.outbox if m.to == [concierge.email]]
    assert "/reset/" not in message.body
    assert "管理者" in message.body
    assert OutboundEmail.objects.get(to=concierge.email).kind == OutboundEmail.Kind.ACCOUNT


def test_a_reset_link_for_a_device_less_staff_account_is_refused_on_the_page(client):
    concierge = UserFactory(role=Role.CONCIERGE)
    uid = urlsafe_base64_encode(force_bytes(concierge.pk))
    token = default_token_generator.make_token(concierge)  # a link mailed before, or leaked
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 403
    assert "管理者" in response.content.decode()
    set_password = reverse("password_reset_confirm", args=[uid, "set-password"])
    response = client.post(set_password, {"new_password1": "an0ther-Secret!",
                                          "new_password2": "an0ther-Secret!"})  # fmt: skip
    assert response.status_code != 302
    concierge.refresh_from_db()
    assert concierge.check_password(PASSWORD)

    # A wrong token for the same account is just an invalid link (nothing revealed).
    response = client.get(reverse("password_reset_confirm", args=[uid, "1-wrong"]))
    assert response.status_code == 200
    assert "管理者" not in response.content.decode()


def test_staff_with_an_authenticator_and_firms_still_reset_by_e_mail(client):
    lead = UserFactory(role=Role.OFFICE_LEAD)
    confirmed_device(lead)
    firm = UserFactory(role=Role.BUSINESS)
    for user in (lead, firm):
        client.post(reverse("password_reset"), {"email": user.email})
        email_outbox_dispatch()
        [message] = [m for m in mail.outbox if m.to == [user.email]]
        link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
        assert client.get(link).status_code == 302  # on to the new-password form


# --- 4. The requirement is checked on every request -------------------------------------------


def test_a_session_opened_before_the_requirement_was_on_is_stopped(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    lead = UserFactory(role=Role.OFFICE_LEAD)
    sign_in(client, lead)
    assert client.get(reverse("counselling:queue")).status_code == 200

    settings.TWO_FACTOR_REQUIRED = True
    response = client.get(reverse("counselling:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_a_firm_that_turns_it_on_elsewhere_stops_its_other_sessions(client):
    firm = UserFactory(role=Role.BUSINESS)
    other_browser = Client()
    sign_in(other_browser, firm)
    sign_in(client, firm)
    assert other_browser.get(reverse("portal:home")).status_code == 200

    set_up(client, firm)
    assert client.get(reverse("portal:home")).status_code == 200  # this one passed it
    response = other_browser.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_a_passed_session_costs_no_query_for_the_check(client, django_assert_max_num_queries):
    from core.sessions import TwoFactorMiddleware

    firm = UserFactory(role=Role.BUSINESS)
    sign_in(client, firm)
    request = client.get(reverse("portal:home")).wsgi_request
    request.session["two_factor_verified"] = True
    middleware = TwoFactorMiddleware(lambda r: None)
    with django_assert_max_num_queries(0):
        assert middleware.process_view(request, None, (), {}) is None
    request.session.pop("two_factor_verified")
    vars(request.user).pop("role", None)
    with django_assert_max_num_queries(2):  # the role, and whether a device exists
        assert middleware.process_view(request, None, (), {}) is None


# --- 3 and 5. No key, no reset link in the admin; account bodies blanked -----------------------


def test_the_otp_admin_pages_show_no_device_key(admin_client_verified):
    staff = UserFactory(role=Role.CONCIERGE)
    device = confirmed_device(staff)
    recovery = StaticDevice.objects.create(user=staff, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="rcv7code")
    secrets_ = (device.key, b32encode(device.bin_key).decode(), "otpauth://", "rcv7code")
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_static_staticdevice_changelist"),
        reverse("admin:otp_static_staticdevice_change", args=[recovery.pk]),
    ]
    for url in pages:
        response = admin_client_verified.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert not [s for s in secrets_ if s in content], url
    for suffix in ("config/", "qrcode/"):
        url = reverse("admin:otp_totp_totpdevice_changelist") + f"{device.pk}/{suffix}"
        response = admin_client_verified.get(url, follow=True)
        assert device.key not in response.content.decode()
        assert "otpauth://" not in response.content.decode()
    # Nobody adds a device (and so chooses its key) from the admin.
    assert admin_client_verified.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_the_outbox_admin_never_shows_a_reset_link(client, admin_client_verified):
    firm = UserFactory(role=Role.BUSINESS)
    # Non-transactional test: the dispatch after commit never runs, so the mail stays pending
    # with its body, as it would between the request and the worker.
    Client().post(reverse("password_reset"), {"email": firm.email})
    email = OutboundEmail.objects.get(to=firm.email)
    assert email.status == OutboundEmail.Status.PENDING
    link = re.search(r"/accounts/reset/(\S+)/(\S+)/", email.body)
    uid, token = link.group(1), link.group(2)
    assert token not in email.idempotency_key

    for url in (
        reverse("admin:core_outboundemail_changelist"),
        reverse("admin:core_outboundemail_change", args=[email.pk]),
    ):
        content = admin_client_verified.get(url).content.decode()
        assert token not in content, url
        assert "/reset/" not in content, url
    content = admin_client_verified.get(
        reverse("admin:core_outboundemail_change", args=[email.pk])
    ).content.decode()
    assert "表示しません" in content
    assert uid  # the uid alone opens nothing


def test_a_delivered_account_mail_keeps_who_when_and_kind_but_no_body():
    email_enqueue(key="acct", to="staff@example.jp", subject="パスワード", body="link",
                  kind=OutboundEmail.Kind.ACCOUNT)  # fmt: skip
    email_enqueue(key="firm", to="firm@example.jp", subject="登録", body="本文",
                  kind=OutboundEmail.Kind.FIRM)  # fmt: skip
    assert email_outbox_dispatch() == 2
    account = OutboundEmail.objects.get(idempotency_key="acct")
    assert account.body == ""
    assert (account.to, account.kind, account.status) == ("staff@example.jp", "account", "sent")
    assert account.sent_at is not None
    assert OutboundEmail.objects.get(idempotency_key="firm").body == "本文"
    assert [m.body for m in mail.outbox] == ["link", "本文"]


# --- 6. The per-address reset limit counts every spelling of an address -----------------------


def test_the_reset_limit_per_address_counts_every_spelling_together(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    firm = UserFactory(role=Role.BUSINESS, email="Hanako@Example.jp")
    # Full-width letters (NFKC), case and spaces: one address. The first matches no account
    # as typed, but it counts.
    spellings = ["hanako@ｅｘａｍｐｌｅ.jp", " Hanako@Example.JP ", "HANAKO@example.jp"]
    for number, spelling in enumerate(spellings):
        # A fresh reset token each time (it changes with the last sign-in), so the outbox's
        # one-row-per-token rule cannot hide a second mail.
        User.objects.filter(pk=firm.pk).update(last_login=timezone.now() + timedelta(number))
        # A different IP each time: only the per-address limit can stop the third.
        response = client.post(reverse("password_reset"), {"email": spelling},
                               REMOTE_ADDR=f"192.0.2.{number + 1}")  # fmt: skip
        assert response.status_code == 302
    email_outbox_dispatch()
    assert len([m for m in mail.outbox if m.to == [firm.email]]) == 1
    cache.clear()


def test_the_first_admin_of_a_deployment_is_invited_from_the_shell(client):
    from io import StringIO

    from django.core.management import call_command

    first_admin = UserFactory(is_staff=True, is_superuser=True)
    out = StringIO()
    call_command("two_factor_invite", first_admin.username, stdout=out)
    assert first_admin.email in out.getvalue()
    email_outbox_dispatch()
    sign_in(client, first_admin)
    # A superuser without a role is staff for the second factor: the admin is closed to it.
    assert client.get("/admin/").status_code == 302
    [message] = [m for m in mail.outbox if m.to == [first_admin.email]]
    link = re.search(r"/accounts/two-factor/invitation/\S+/", message.body).group(0)
    assert client.get(link)["Location"] == reverse("two_factor_setup")
    set_up_after_invitation(client)
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.filter(user=first_admin, confirmed=True).exists()
