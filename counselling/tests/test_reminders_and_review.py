import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from core.roles import Role
from counselling import selectors, services
from counselling.models import Case, SupportReview
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def test_reminders_list_due_and_silent_cases_once_per_person_per_day(
    users, django_capture_on_commit_callbacks
):
    concierge = users[Role.CONCIERGE]
    due = CaseFactory(concierge=concierge, next_action="見積書の確認",
                      next_action_due=TODAY + datetime.timedelta(days=1))  # fmt: skip
    silent = CaseFactory(concierge=concierge,
                         last_contact_at=timezone.now() - datetime.timedelta(days=61))  # fmt: skip
    CaseFactory(concierge=concierge, next_action_due=TODAY + datetime.timedelta(days=5),
                last_contact_at=timezone.now())  # not yet  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert services.case_reminders_send(today=TODAY) == 1
        services.case_reminders_send(today=TODAY)  # a second run the same day
    assert OutboundEmail.objects.count() == 1
    body = mail.outbox[0].body
    assert due.registration.business.name in body
    assert silent.registration.business.name in body
    assert "見積書の確認" in body
    assert mail.outbox[0].to == [concierge.email]


def test_a_concierge_can_switch_reminders_off(client, users):
    concierge = users[Role.CONCIERGE]
    CaseFactory(concierge=concierge, next_action="x", next_action_due=TODAY)
    client.force_login(concierge)
    assert client.post(reverse("preferences"), {}).status_code == 302  # unticked
    concierge.refresh_from_db()
    assert concierge.case_reminders is False
    assert services.case_reminders_send(today=TODAY) == 0


def test_closed_cases_are_not_reminded(users):
    CaseFactory(concierge=users[Role.CONCIERGE], status=Case.Status.CLOSED,
                next_action="x", next_action_due=TODAY)  # fmt: skip
    assert services.case_reminders_send(today=TODAY) == 0


def test_long_support_without_progress_is_flagged_for_the_lead_and_decided(client, users):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    stuck = CaseFactory(registration__business__prefecture_id="13", status=Case.Status.SUPPORT,
                        support_started_at=long_ago, stage="preparation")  # fmt: skip
    progressed_recently = timezone.now() - datetime.timedelta(days=30)
    CaseFactory(registration__business__prefecture_id="13", status=Case.Status.SUPPORT,
                support_started_at=long_ago, stage="challenge",
                stage_changed_at=progressed_recently)  # fmt: skip
    lead = users[Role.OFFICE_LEAD]
    assert list(selectors.support_review_due(user=lead)) == [stuck]
    client.force_login(lead)
    assert stuck.registration.business.name in client.get(reverse("counselling:queue")).text
    client.post(reverse("counselling:support-review", args=[stuck.pk]),
                {"decision": "close", "note": "進捗なし"})  # fmt: skip
    stuck.refresh_from_db()
    assert stuck.status == Case.Status.CLOSED
    assert SupportReview.objects.get(case=stuck).decision == "close"
    assert not selectors.support_review_due(user=lead).exists()
    client.force_login(users[Role.CONCIERGE])
    assert client.post(reverse("counselling:support-review", args=[stuck.pk]),
                       {"decision": "continue"}).status_code == 403  # fmt: skip
