"""The office landing pages are the work (issue 15): a concierge's overdue, due today, new
assignments and surveys answered; an office lead's queue counts and overdue first contacts."""

import datetime

import pytest
from django.utils import timezone

from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

TOKYO = {"registration__business__prefecture_id": "13"}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_concierge_lands_on_their_work(client, users):
    concierge = users[Role.CONCIERGE]
    overdue = CaseFactory(concierge=concierge, first_contact_due=days(-2),
                          registration__business__name="遅れ商事", **TOKYO)  # fmt: skip
    CaseFactory(concierge=concierge, first_contact_due=days(5), next_action="電話",
                first_contact_at=timezone.now(), next_action_due=days(0),
                registration__business__name="今日物産", **TOKYO)  # fmt: skip
    CaseFactory(concierge=concierge, first_contact_due=days(5),
                registration__business__name="新規工業", **TOKYO)  # fmt: skip
    CaseFactory(first_contact_due=days(-2), registration__business__name="他人の会社", **TOKYO)
    SurveyFactory(case=overdue, answered_at=timezone.now() - datetime.timedelta(days=1))
    SurveyFactory(case=overdue, wave_months=12,
                  answered_at=timezone.now() - datetime.timedelta(days=40))  # fmt: skip
    client.force_login(concierge)
    response = client.get("/")
    work = response.context["work"]
    assert [c.registration.business.name for c in work["overdue"]] == ["遅れ商事"]
    assert [c.registration.business.name for c in work["due_today"]] == ["今日物産"]
    assert [c.registration.business.name for c in work["new"]] == ["新規工業"]
    assert [s.wave_months for s in response.context["surveys_answered"]] == [6]
    for testid, name in (("work-overdue", "遅れ商事"), ("work-due-today", "今日物産"),
                         ("work-new", "新規工業"), ("work-surveys", "遅れ商事")):  # fmt: skip
        start = response.text.index(f'data-testid="{testid}"')
        assert name in response.text[start : response.text.index("</section>", start)]
    # Another concierge's case is not their work (it is among the office's registrations).
    assert "他人の会社" not in response.text[: response.text.index('data-testid="registration')]


def test_an_office_lead_lands_on_the_queue_counts_and_overdue_first_contacts(client, users):
    CaseFactory.create_batch(2, first_contact_due=days(-1), registration__business__name="遅延",
                             **TOKYO)  # fmt: skip
    CaseFactory(first_contact_due=days(3), **TOKYO)
    CaseFactory(concierge=users[Role.CONCIERGE], first_contact_due=days(-1), **TOKYO)
    CaseFactory(first_contact_due=days(-1), status=Case.Status.CLOSED, close_reason="declined",
                **TOKYO)  # fmt: skip
    CaseFactory(first_contact_due=days(-1), registration__business__prefecture_id="27")  # Osaka
    client.force_login(users[Role.OFFICE_LEAD])
    response = client.get("/")
    assert response.context["queue_counts"] == {
        "unassigned": 3, "unassigned_overdue": 2, "first_contact_overdue": 3,
        "next_action_due": 0,
    }  # fmt: skip
    assert len(response.context["first_contact_overdue"]) == 3
    assert 'data-testid="unassigned-count">3<' in response.text
    assert "work" not in response.context


def test_the_work_lists_take_the_same_queries_for_1_or_10_cases(
    client, users, django_assert_max_num_queries, django_assert_num_queries
):
    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)
    for role in (Role.CONCIERGE, Role.OFFICE_LEAD):
        client.force_login(users[role])
        CaseFactory(concierge=concierge, first_contact_due=days(-1), **TOKYO)
        with django_assert_max_num_queries(100) as one:
            client.get("/")
        for case in CaseFactory.create_batch(10, concierge=concierge, first_contact_due=days(-1),
                                             **TOKYO):  # fmt: skip
            SurveyFactory(case=case, answered_at=timezone.now())
        with django_assert_num_queries(len(one.captured_queries)):
            client.get("/")
