"""The admin's history pages (django-simple-history's and Django's own) and the deletion
request's confirmation page work under the Content-Security-Policy: no inline style or
script is refused by the browser (issue 13, ADR 0014)."""

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import IssueTag
from counselling.services import case_assign, case_open
from registrations.models import DeletionRequest
from registrations.services.intake import business_update
from registrations.tests.factories import RegistrationFactory
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_history_pages_render_without_csp_violations(live_server, page, jetro_tokyo):
    admin_user = UserFactory(role=Role.ADMIN, is_staff=True)
    TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)
    registration = RegistrationFactory(office=jetro_tokyo, business__name="株式会社履歴酒造")
    case = case_open(registration=registration)
    concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo)
    case_assign(case=case, concierge=concierge, actor=admin_user)
    business = registration.business
    for address in ("仙台市1-1", "仙台市2-2"):  # a few versions to list
        business.address = address
        business_update(business=business, actor=admin_user)
    version = business.history.earliest()
    request = DeletionRequest.objects.create(business=business, reason="廃業")
    tag = IssueTag.objects.first()

    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, live_server, admin_user)

    admin = f"{live_server.url}/{settings.ADMIN_URL}"
    pages = {
        f"{admin}counselling/case/{case.pk}/history/": 'id="change-history"',  # simple-history
        f"{admin}registrations/business/{business.pk}/history/": "仙台市2-2",
        f"{admin}registrations/business/{business.pk}/history/{version.pk}/": "株式会社履歴酒造",
        f"{admin}counselling/issuetag/{tag.pk}/history/": 'id="content-main"',  # Django's own
        f"{admin}registrations/deletionrequest/{request.pk}/approve/": "削除される情報",
    }
    for url, text in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        assert "Content-Security-Policy" in response.headers or (
            "content-security-policy" in response.headers
        )
        page.wait_for_load_state("load")
        assert text in page.content(), url
    assert violations == []
