"""Two-step verification: staff set up an authenticator and pass it at every sign-in,
recovery codes work once each, firms may opt in, and nothing is reachable before it."""

from base64 import b32encode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import Role
from core.tests.factories import UserFactory
from core.tests.helpers import code, invitation_link, set_up, sign_in

pytestmark = pytest.mark.django_db


def test_staff_reach_nothing_before_setting_up_the_second_step(client):
    concierge = UserFactory(role=Role.CONCIERGE)
    sign_in(client, concierge)
    for url in (reverse("portal:home"), reverse("counselling:case-list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("two_factor_verify")).url.startswith(reverse("two_factor_setup"))

    codes = set_up(client, concierge)
    assert len(codes) == 10
    assert client.get(reverse("counselling:case-list")).status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_sets_nothing_up(client):
    ministry = UserFactory(role=Role.MINISTRY)
    sign_in(client, ministry)
    client.get(invitation_link(ministry))
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(reverse("portal:home")).status_code == 302


def test_every_sign_in_asks_for_the_code_and_a_recovery_code_works_once(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the refused code below
    lead = UserFactory(role=Role.OFFICE_LEAD)
    sign_in(client, lead)
    codes = set_up(client, lead)
    client.post(reverse("logout"))

    sign_in(client, lead, next_url=reverse("counselling:queue"))
    assert client.get(reverse("counselling:queue")).status_code == 302
    response = client.post(reverse("two_factor_verify") + "?next=" + reverse("counselling:queue"),
                           {"token": codes[0], "next": reverse("counselling:queue")})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("counselling:queue")
    assert client.get(reverse("counselling:queue")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, lead)
    response = client.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert "すでに使われています" in response.content.decode()
    device = TOTPDevice.objects.get(user=lead)
    secret = b32encode(device.bin_key).decode()
    response = client.post(reverse("two_factor_verify"), {"token": code(secret, later=1)})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_firms_need_no_second_step_until_they_opt_in(client):
    firm = UserFactory(role=Role.BUSINESS)
    sign_in(client, firm)
    assert client.get(reverse("portal:home")).status_code == 200

    set_up(client, firm)
    client.post(reverse("logout"))
    sign_in(client, firm)
    assert client.get(reverse("portal:home")).status_code == 302


def test_the_second_step_can_be_switched_off_for_local_demos(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, UserFactory(role=Role.ADMIN))
    assert client.get(reverse("portal:home")).status_code == 200


def test_someone_with_an_authenticator_cannot_replace_it_without_passing_it(client):
    admin_user = UserFactory(role=Role.ADMIN)
    sign_in(client, admin_user)
    set_up(client, admin_user)
    client.post(reverse("logout"))
    sign_in(client, admin_user)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_a_firm_turns_it_on_from_its_preferences_and_sees_the_codes_left(client):
    firm = UserFactory(role=Role.BUSINESS)
    sign_in(client, firm)
    page = client.get(reverse("preferences")).content.decode()
    assert "2段階認証をオンにする" in page
    codes = set_up(client, firm)
    client.post(reverse("two_factor_verify"), {"token": codes[0]})
    page = client.get(reverse("preferences")).content.decode()
    assert "リカバリーコードの残りは9個" in page
