"""「案件一覧」: sorted by what is due first (an awaited first contact counts), and its yes/no
filters read すべて／はい／いいえ."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def tokyo_case(**fields) -> Case:
    return CaseFactory(registration__business__prefecture_id="13", **fields)


def listed(client, **params) -> list[int]:
    return [case.pk for case in client.get(reverse("counselling:case-list"), params)
            .context["page"].object_list]  # fmt: skip


def test_the_list_sorts_by_what_is_due_first_and_an_overdue_first_contact_is_due(client, users):
    today = timezone.localdate()
    contacted = timezone.now() - 10 * DAY
    later = today + 30 * DAY
    # Created in an order unlike the expected one, so creation order cannot pass the test.
    nothing_due = tokyo_case(status=Case.Status.COUNSELLING, first_contact_at=contacted,
                             first_contact_due=today - 20 * DAY)  # fmt: skip
    closed = tokyo_case(status=Case.Status.CLOSED, close_reason=Case.CloseReason.UNREACHABLE,
                        first_contact_due=today - 30 * DAY,
                        next_action_due=today - 10 * DAY)  # fmt: skip
    new_not_yet_due = tokyo_case(first_contact_due=today + 5 * DAY)
    next_action_soon = tokyo_case(status=Case.Status.COUNSELLING, first_contact_at=contacted,
                                  first_contact_due=today - 9 * DAY,
                                  next_action_due=today + 2 * DAY)  # fmt: skip
    next_action_overdue = tokyo_case(status=Case.Status.CONTACTED, first_contact_at=contacted,
                                     first_contact_due=today - 9 * DAY,
                                     next_action_due=today - DAY)  # fmt: skip
    first_contact_overdue = tokyo_case(first_contact_due=today - 3 * DAY)  # 新規, overdue
    call_planned_earlier = tokyo_case(first_contact_due=later, next_action_due=today - 5 * DAY)
    first_contact_before_next_action = tokyo_case(first_contact_due=today, next_action_due=later)
    client.force_login(users[Role.OFFICE_LEAD])

    assert listed(client) == [
        call_planned_earlier.pk,  # its next action, 5 days overdue
        first_contact_overdue.pk,  # 3 days overdue: no longer at the bottom
        next_action_overdue.pk,
        first_contact_before_next_action.pk,  # the first contact, due today
        next_action_soon.pk,
        new_not_yet_due.pk,
        # nothing due: by first-contact due date, as before
        closed.pk,
        nothing_due.pk,
    ]


def test_the_overdue_first_contact_counts_only_while_no_contact_is_recorded(client, users):
    today = timezone.localdate()
    contacted = tokyo_case(status=Case.Status.CONTACTED, first_contact_at=timezone.now(),
                           first_contact_due=today - 5 * DAY,
                           next_action_due=today + DAY)  # fmt: skip
    waiting = tokyo_case(first_contact_due=today - DAY)
    client.force_login(users[Role.OFFICE_LEAD])
    assert listed(client) == [waiting.pk, contacted.pk]


def test_yes_no_filters_read_all_yes_no(client, users):
    client.force_login(users[Role.OFFICE_LEAD])
    response = client.get(reverse("counselling:case-list"))
    for name in ("mine", "overdue"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', response.text, re.S)
        options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
        assert options == [("unknown", "すべて"), ("true", "はい"), ("false", "いいえ")], name


def test_yes_no_filters_keep_what_is_what_is_not_or_all(client, users):
    concierge, lead = users[Role.CONCIERGE], users[Role.OFFICE_LEAD]
    today = timezone.localdate()
    mine_overdue = tokyo_case(concierge=concierge, first_contact_due=today - DAY)
    theirs = tokyo_case(concierge=lead, first_contact_due=today + DAY)
    unassigned = tokyo_case(first_contact_due=today + 2 * DAY)
    everything = [mine_overdue.pk, theirs.pk, unassigned.pk]
    client.force_login(concierge)

    assert listed(client) == [mine_overdue.pk]  # a concierge's own cases by default
    assert listed(client, mine="true") == [mine_overdue.pk]
    assert listed(client, mine="false") == [theirs.pk, unassigned.pk]
    assert listed(client, mine="unknown") == everything
    assert listed(client, mine="unknown", overdue="true") == [mine_overdue.pk]
    assert listed(client, mine="unknown", overdue="false") == [theirs.pk, unassigned.pk]
    assert listed(client, mine="unknown", overdue="unknown") == everything
