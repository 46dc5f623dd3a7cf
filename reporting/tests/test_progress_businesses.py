"""Business-level progress on screen: who may see it, what it shows and what it never shows,
and a fixed number of queries whatever the number of firms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import PAGE_SIZE
from core.roles import Role
from counselling.models import CounsellingSession
from counselling.tests.factories import CaseFactory
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting.services import business_progress_refresh

URL = reverse("reporting:progress-businesses")
WHOLE_PROGRAM = {"date_from": "2022-12-16"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MINISTRY, 200), (Role.ADMIN, 200), (Role.OFFICE_LEAD, 403), (Role.CONCIERGE, 403),
     (Role.PARTNER, 403), (Role.BUSINESS, 403)],
)  # fmt: skip
def test_only_ministry_staff_and_admins_see_progress_by_firm(client, users, role, status):
    client.force_login(users[role])
    assert client.get(URL, WHOLE_PROGRAM).status_code == status


@pytest.mark.django_db
def test_the_page_shows_each_firms_progress_and_no_contact_data_or_notes(client, users):
    business = BusinessFactory(name="株式会社東北酒造", prefecture_id="04",
                               representative="代表 太郎", address="仙台市青葉区1-1")  # fmt: skip
    case = CaseFactory(registration=RegistrationFactory(business=business), status="counselling")
    CounsellingSession.objects.create(case=case, held_at=case.created_at, channel="phone",
                                      notes="社長の健康状態について相談")  # fmt: skip
    CaseFactory(registration=RegistrationFactory(business=BusinessFactory(name="株式会社東京商事")))
    client.force_login(users[Role.MINISTRY])

    page = client.get(URL, {**WHOLE_PROGRAM, "region": "tohoku"}).content.decode()

    assert "株式会社東北酒造" in page
    assert business.corporate_number in page
    assert "カウンセリング中" in page
    assert "株式会社東京商事" not in page
    contact = case.registration.contact
    for secret in (contact.name, contact.email, contact.phone, "代表 太郎", "仙台市青葉区",
                   "社長の健康状態"):  # fmt: skip
        assert secret not in page


@pytest.mark.django_db
def test_the_page_runs_the_same_queries_for_3_or_60_firms_and_pages_them(client, users):
    client.force_login(users[Role.MINISTRY])

    def queries():
        business_progress_refresh()
        with CaptureQueriesContext(connection) as context:
            response = client.get(URL, WHOLE_PROGRAM)
        assert response.status_code == 200
        return len(context.captured_queries), response

    CaseFactory.create_batch(3)
    few, response = queries()
    assert len(response.context["rows"]) == 3
    CaseFactory.create_batch(57)
    many, response = queries()
    assert many == few
    assert len(response.context["rows"]) == PAGE_SIZE
    second = client.get(URL, {**WHOLE_PROGRAM, "page": 2})
    assert len(second.context["rows"]) == 60 - PAGE_SIZE
    references = {row["reference"] for row in response.context["rows"]}
    assert references.isdisjoint(row["reference"] for row in second.context["rows"])
