"""What the browser journeys share: signing in (with the second factor) and where
screenshots go. Test modules import these from here, never from one another."""

import re
from base64 import b32decode
from pathlib import Path

from django.core import mail
from django.templatetags.static import static
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


def fill_business_and_contact(page, *, corporate_number="７０１０７０５０００７２５"):
    """The registration form's business, contact and export answers (also the partner's
    referral form), as a firm types them."""
    page.locator("#id_entity_type_0").check()  # 法人
    page.locator("#id_corporate_number").fill(corporate_number)
    page.locator("#id_name").fill("株式会社山田製作所")
    page.locator("#id_name_kana").fill("やまだせいさくしょ")
    page.locator("#id_representative").fill("山田 太郎")
    page.locator("#id_postal_code").fill("〒100-0013")
    page.locator("#id_prefecture").select_option("13")
    page.locator("#id_address").fill("千代田区霞が関1-3-1")
    page.locator("#id_industry_option").select_option("E")
    page.locator("#id_capital_yen").fill("10000000")
    page.locator("#id_employees").fill("12")
    page.locator("#id_contact_name").fill("山田 花子")
    page.locator("#id_contact_name_kana").fill("ヤマダ ハナコ")
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("#id_email_confirm").fill("hanako@example.jp")
    page.locator("#id_phone").fill("03-1234-5678")
    page.locator("#id_challenge_type_0").check()  # はじめての輸出
    page.get_by_label("ターゲット国の市場調査に取り組みたい").check()
    page.locator("#id_products").fill("純米吟醸酒")
    page.locator("input[name=destinations][value=US]").check()
    page.locator("input[name=destinations][value=TW]").check()
    page.locator("#id_export_experience_0").check()


# axe-core (static/vendor/axe-core, tests only) with the WCAG 2.1 A and AA rules.
AXE_SCRIPT = "vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; its violations as {"id", "help", "targets"}.

    The script is added by URL from the live server's static files, not inlined: the app's
    Content-Security-Policy forbids inline scripts, and the check must not loosen it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + static(AXE_SCRIPT))
    result = page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
        })""",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "targets": [" ".join(map(str, node["target"])) for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


def scrolls_sideways(page) -> bool:
    """Whether the page is wider than the window (a phone user would scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
