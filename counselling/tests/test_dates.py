import pytest
from django.db import connection
from django.urls import reverse

from core.roles import Role
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_repro(client, users):
    case = CaseFactory(registration__business__prefecture_id="13", concierge=users[Role.CONCIERGE])
    client.force_login(users[Role.OFFICE_LEAD])
    response = client.post(
        reverse("counselling:session-log", args=[case.pk]),
        {"session-held_at": "0001-01-01T00:00", "session-channel": "phone",
         "session-duration_minutes": "30"},
    )
    print("post", response.status_code)
    with connection.cursor() as c:
        c.execute("select held_at::text from counselling_counsellingsession")
        print(c.fetchall())
        c.execute("select last_contact_at::text, first_contact_at::text from counselling_case")
        print(c.fetchall())
    for name in ("counselling:case-list", "registrations:registration-list", "counselling:queue"):
        try:
            r = client.get(reverse(name))
            print(name, r.status_code)
        except Exception as e:
            print(name, type(e), e)
    try:
        r = client.get(reverse("counselling:case-detail", args=[case.pk]))
        print("detail", r.status_code)
    except Exception as e:
        print("detail", type(e), e)
