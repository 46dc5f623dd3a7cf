"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

The browser is required: a missing Chromium fails the run, it never skips."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures in
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run bin/ensure-browser (or .ci/run).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def follow_invitation(page, user) -> None:
    """A staff member without an authenticator is told to ask an admin: the admin sends an
    invitation (the admin action's service), and the staff member opens the link in the
    e-mail (read from the test mail backend) in the same browser."""
    import re

    from django.core import mail

    from core.services import two_factor_invitation_send

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
    from base64 import b32decode

    from django_otp.oath import TOTP

    page.wait_for_load_state()
    if page.get_by_test_id("two-factor-invitation-needed").count():
        follow_invitation(page, user)
    if "/accounts/two-factor/setup/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().strip()
        page.get_by_label("コード").fill(f"{TOTP(b32decode(secret)).token():06d}")
        page.get_by_test_id("two-factor-setup").get_by_role("button").click()
        page.get_by_test_id("two-factor-continue").click()
    elif "/accounts/two-factor/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # The app's next code: the one shown at set-up may not be used twice.
        totp = TOTP(TOTPDevice.objects.get(user=user, confirmed=True).bin_key)
        totp.drift = 1
        page.get_by_label("コード").fill(f"{totp.token():06d}")
        page.get_by_test_id("two-factor-verify").get_by_role("button").click()
