"""What the browser journeys share: signing in (with the second factor) and where
screenshots go. Test modules import these from here, never from one another."""

import re
from base64 import b32decode
from pathlib import Path

from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.services import two_factor_invitation_send
from core.tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def sign_in(page, live_server, user) -> None:
    """Sign in on the login page with the factories' password, then the second step."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("メールアドレスまたはログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    pass_second_factor(page, user)


def follow_invitation(page, user) -> None:
    """A staff member without an authenticator is told to ask an admin: the admin sends an
    invitation (the admin action's service), and the staff member opens the link in the
    e-mail (read from the test mail backend) in the same browser."""
    two_factor_invitation_send(user=user, sent_by=None)
    body = next(m.body for m in reversed(mail.outbox) if m.to == [user.email])
    link = re.search(r"https?://\S+/accounts/two-factor/invitation/\S+/", body).group(0)
    path = link.split("/accounts/", 1)[1]
    page.goto(page.url.split("/accounts/", 1)[0] + "/accounts/" + path)
    page.wait_for_load_state()


def pass_second_factor(page, user=None) -> None:
    """After the password, as a person with an authenticator app would: on the set-up page,
    read the key, type the app's code and keep the recovery codes (a staff member first
    follows an admin's invitation); on the verify page, type the app's code. Nothing to do
    for users who need no second step."""
    page.wait_for_load_state()
    if page.get_by_test_id("two-factor-invitation-needed").count():
        follow_invitation(page, user)
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().strip()
        page.get_by_label("コード").fill(f"{TOTP(b32decode(secret)).token():06d}")
        page.get_by_test_id("two-factor-setup").get_by_role("button").click()
        page.get_by_test_id("two-factor-continue").click()
    elif "/accounts/two-factor/" in page.url:
        # The app's next code: the one shown at set-up may not be used twice.
        totp = TOTP(TOTPDevice.objects.get(user=user, confirmed=True).bin_key)
        totp.drift = 1
        page.get_by_label("コード").fill(f"{totp.token():06d}")
        page.get_by_test_id("two-factor-verify").get_by_role("button").click()
