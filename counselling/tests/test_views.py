import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.roles import Role
from counselling.models import Case, CounsellingSession, IssueTag
from counselling.services import TARGET_REQUIRED
from counselling.tests.factories import CaseFactory
from tests.permissions import ALL_ROLES

pytestmark = pytest.mark.django_db

# Who may open each counselling view (for a Tokyo case): everyone else gets 403 for the
# view, or 404 for the case (out of scope).
VIEWS = {
    "counselling:case-list": ({Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN}, False),
    "counselling:queue": ({Role.OFFICE_LEAD, Role.ADMIN}, False),
    "counselling:case-detail": ({Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN}, True),
}
ACTIONS = {
    "counselling:session-log": {Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN},
    "counselling:stage-change": {Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN},
    "counselling:target-set": {Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN},
    "counselling:status-change": {Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN},
    "counselling:assign": {Role.OFFICE_LEAD, Role.ADMIN},
    "counselling:support-review": {Role.OFFICE_LEAD, Role.ADMIN},
}


@pytest.fixture
def tokyo_case():
    return CaseFactory(registration__business__prefecture_id="13")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", list(VIEWS))
def test_every_view_for_every_role(client, users, tokyo_case, role, name):
    allowed, takes_case = VIEWS[name]
    client.force_login(users[role])
    url = reverse(name, args=[tokyo_case.pk]) if takes_case else reverse(name)
    status = client.get(url).status_code
    assert status == (200 if role in allowed else 403), (name, role)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_for_every_role(client, users, tokyo_case, role, name):
    client.force_login(users[role])
    status = client.post(reverse(name, args=[tokyo_case.pk]), {}).status_code
    # Allowed roles reach the form (and get it back with errors); others are refused.
    assert status == (400 if role in ACTIONS[name] else 403), (name, role)


@pytest.mark.parametrize("name", ["counselling:case-detail", *ACTIONS])
def test_another_offices_case_is_404(client, users, name):
    osaka_case = CaseFactory(registration__business__prefecture_id="27")
    client.force_login(users[Role.OFFICE_LEAD])  # ジェトロ東京
    url = reverse(name, args=[osaka_case.pk])
    response = client.get(url) if name == "counselling:case-detail" else client.post(url, {})
    assert response.status_code == 404


def test_queue_and_lists_run_a_fixed_number_of_queries(
    client, users, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(users[Role.OFFICE_LEAD])
    CaseFactory(registration__business__prefecture_id="13")
    counts = {}
    for name in ("counselling:queue", "counselling:case-list"):
        with django_assert_max_num_queries(100) as ctx:
            client.get(reverse(name))
        counts[name] = len(ctx.captured_queries)
    CaseFactory.create_batch(20, registration__business__prefecture_id="13")
    for name, count in counts.items():
        with django_assert_num_queries(count):
            client.get(reverse(name))


def test_the_case_page_runs_a_fixed_number_of_queries(
    client, users, tokyo_case, django_assert_num_queries, django_assert_max_num_queries
):
    from counselling import services

    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)
    url = reverse("counselling:case-detail", args=[tokyo_case.pk])
    tags = list(IssueTag.objects.all()[:3])

    def add_session():
        services.session_log(case=tokyo_case, actor=concierge, data={
            "held_at": timezone.now(), "channel": "phone", "tags": tags, "notes": "n"})  # fmt: skip

    add_session()
    # At most 16, counting the SAVEPOINT and RELEASE of ATOMIC_REQUESTS inside the test's
    # transaction; the same number however many sessions the case has.
    with django_assert_max_num_queries(16) as one:
        client.get(url)
    for _ in range(5):
        add_session()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["sessions"]) == 6


def test_overdue_cases_stand_out(client, users):
    CaseFactory(registration__business__prefecture_id="13",
                first_contact_due=timezone.localdate() - datetime.timedelta(days=2))  # fmt: skip
    client.force_login(users[Role.OFFICE_LEAD])
    response = client.get(reverse("counselling:queue"))
    with translation.override("ja"):
        badge = f'data-testid="overdue">{gettext("First contact overdue")}</span>'
    assert badge in response.text


def test_lead_assigns_ticked_cases_by_load(client, users):
    cases = CaseFactory.create_batch(4, registration__business__prefecture_id="13")
    client.force_login(users[Role.OFFICE_LEAD])
    client.post(reverse("counselling:queue"),
                {"cases": [c.pk for c in cases], "action": "by_load"})  # fmt: skip
    owners = Case.objects.values_list("concierge", flat=True)
    assert None not in owners
    assert set(owners) == {users[Role.CONCIERGE].pk, users[Role.OFFICE_LEAD].pk}


def test_concierge_logs_a_session_from_the_case_page(client, users, tokyo_case):
    client.force_login(users[Role.CONCIERGE])
    tag = IssueTag.objects.get(code="market_research")
    response = client.post(
        reverse("counselling:session-log", args=[tokyo_case.pk]),
        {"session-held_at": "2026-11-20T10:00", "session-channel": "online",
         "session-duration_minutes": "45", "session-tags": [tag.pk],
         "session-notes": "市場調査の進め方", "session-next_action": "資料送付",
         "session-next_action_due": "2026-11-27"},
    )  # fmt: skip
    assert response.status_code == 302
    session = CounsellingSession.objects.get()
    assert list(session.tags.all()) == [tag]
    tokyo_case.refresh_from_db()
    assert tokyo_case.status == Case.Status.COUNSELLING  # online, with 課題: counselling


def test_a_first_contact_only_is_ticked_on_the_session_form(client, users, tokyo_case):
    client.force_login(users[Role.CONCIERGE])
    url = reverse("counselling:case-detail", args=[tokyo_case.pk])
    assert 'name="session-contact_only"' in client.get(url).text
    tag = IssueTag.objects.get(code="market_research")
    response = client.post(
        reverse("counselling:session-log", args=[tokyo_case.pk]),
        {"session-held_at": "2026-11-20T10:00", "session-channel": "phone",
         "session-contact_only": "on", "session-duration_minutes": "10",
         "session-tags": [tag.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert CounsellingSession.objects.get().contact_only
    tokyo_case.refresh_from_db()
    assert tokyo_case.status == Case.Status.CONTACTED
    assert tokyo_case.first_contact_at is not None
    # The checklist now asks for the first counselling session, not yet held.
    checklist = client.get(url).context["checklist"]
    assert [(item.code, item.done) for item in checklist] == [("first_session", False)]


def test_moving_to_challenge_without_target_shows_the_reason_on_the_page(client, users, tokyo_case):
    client.force_login(users[Role.CONCIERGE])
    response = client.post(
        reverse("counselling:stage-change", args=[tokyo_case.pk]),
        {"stage-stage": "challenge", "stage-reason": "商談開始"},
    )
    assert response.status_code == 400
    with translation.override("ja"):
        assert escape(str(TARGET_REQUIRED)) in response.text
    tokyo_case.refresh_from_db()
    assert tokyo_case.stage == ""


def test_case_search_uses_the_registration_search_rule(client, users):
    target = CaseFactory(registration__business__prefecture_id="13",
                         registration__business__name="株式会社青森りんご",
                         registration__business__name_kana="アオモリリンゴ")  # fmt: skip
    CaseFactory(registration__business__prefecture_id="13",
                registration__business__name="株式会社大阪商事")  # fmt: skip
    client.force_login(users[Role.OFFICE_LEAD])
    for q in ("青森", "あおもり", "（株）青森りんご", target.registration.reference,
              target.registration.business.corporate_number):  # fmt: skip
        page = client.get(reverse("counselling:case-list"), {"q": q}).context["page"]
        assert [c.pk for c in page.object_list] == [target.pk], q
