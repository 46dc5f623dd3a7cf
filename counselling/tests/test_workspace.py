"""What the concierge needs on the case (issue 15): the next action done or moved, a logged
session corrected, the activity stream, the page's sections, assignment e-mails and the
caseload in the concierge menu."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling import selectors, services
from counselling.models import Case, CaseEvent, CounsellingSession, IssueTag
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def concierge(users):
    return users[Role.CONCIERGE]


@pytest.fixture
def case(concierge):
    return CaseFactory(registration__business__prefecture_id="13", concierge=concierge,
                       next_action="見積書の確認", next_action_due=TOMORROW)  # fmt: skip


def a_session(case, actor, **data):
    return services.session_log(case=case, actor=actor, data={
        "held_at": timezone.now() - datetime.timedelta(hours=1), "channel": "phone",
        "duration_minutes": 30, "tags": list(IssueTag.objects.all()[:1]), "notes": "最初",
        "next_action": case.next_action, "next_action_due": case.next_action_due, **data,
    })  # fmt: skip


# --- services -----------------------------------------------------------------------------


def test_done_clears_the_next_action_and_the_timeline_keeps_it(case, concierge):
    services.case_next_action_done(case=case, actor=concierge)
    case.refresh_from_db()
    assert (case.next_action, case.next_action_due) == ("", None)
    event = case.events.get(kind=CaseEvent.Kind.NEXT_ACTION)
    assert "見積書の確認" in event.summary
    assert event.actor == concierge
    assert case.history.first().history_user_id in (None, concierge.pk)
    assert case.history.first().next_action == ""


def test_done_or_reschedule_without_a_next_action_is_refused(concierge):
    case = CaseFactory(concierge=concierge)
    with pytest.raises(ValidationError):
        services.case_next_action_done(case=case, actor=concierge)
    with pytest.raises(ValidationError):
        services.case_next_action_reschedule(case=case, due=TOMORROW, actor=concierge)
    assert not case.events.filter(kind=CaseEvent.Kind.NEXT_ACTION).exists()


def test_reschedule_moves_the_date_and_says_from_which_to_which(case, concierge):
    later = TOMORROW + datetime.timedelta(days=7)
    services.case_next_action_reschedule(case=case, due=later, actor=concierge)
    case.refresh_from_db()
    assert case.next_action_due == later
    assert case.next_action == "見積書の確認"
    summary = case.events.get(kind=CaseEvent.Kind.NEXT_ACTION).summary
    assert TOMORROW.isoformat() in summary
    assert later.isoformat() in summary


def test_reschedule_refuses_a_date_out_of_sense(case, concierge):
    with pytest.raises(ValidationError) as error:
        services.case_next_action_reschedule(
            case=case, due=datetime.date(1900, 1, 1), actor=concierge
        )
    assert "due" in error.value.message_dict


def test_a_corrected_session_keeps_its_history_and_says_so_on_the_timeline(case, concierge):
    session = a_session(case, concierge)
    lead = UserFactory(role=Role.OFFICE_LEAD, organisation=case.office)
    held = timezone.now() - datetime.timedelta(days=2)
    services.session_correct(session=session, actor=lead, data={
        "held_at": held, "channel": "meeting", "notes": "訂正後", "tags": [],
    })  # fmt: skip
    session.refresh_from_db()
    assert (session.channel, session.notes, session.updated_by) == ("meeting", "訂正後", lead)
    assert list(session.tags.all()) == []
    assert session.history.count() >= 2
    assert session.history.earliest().notes == "最初"
    event = case.events.get(kind=CaseEvent.Kind.SESSION_CORRECTED)
    assert event.actor == lead
    case.refresh_from_db()
    assert case.first_contact_at == held == case.last_contact_at


def test_a_contact_corrected_into_a_counselling_session_moves_the_case_on(case, concierge):
    session = a_session(case, concierge, contact_only=True)
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED
    services.session_correct(session=session, actor=concierge, data={
        "channel": "meeting", "contact_only": False, "tags": list(IssueTag.objects.all()[:1]),
    })  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING
    # Corrected back, the case stays where the work took it.
    services.session_correct(session=session, actor=concierge, data={"contact_only": True})
    case.refresh_from_db()
    assert case.status == Case.Status.COUNSELLING


def test_a_correction_that_changes_nothing_writes_nothing(case, concierge):
    session = a_session(case, concierge)
    services.session_correct(session=session, actor=concierge, data={
        "channel": session.channel, "notes": session.notes, "tags": list(session.tags.all()),
    })  # fmt: skip
    assert not case.events.filter(kind=CaseEvent.Kind.SESSION_CORRECTED).exists()


def test_assigning_emails_the_concierge(users, jetro_tokyo):
    case = CaseFactory(registration__business__prefecture_id="13")
    concierge = users[Role.CONCIERGE]
    services.case_assign(case=case, concierge=concierge, actor=users[Role.OFFICE_LEAD])
    mail = OutboundEmail.objects.get(to=concierge.email)
    assert mail.kind == OutboundEmail.Kind.STAFF
    assert case.registration.business.name in mail.subject
    assert reverse("counselling:case-detail", args=[case.pk]) in mail.body
    # Assigning again to the same person sends nothing new; a reassignment tells the new one.
    services.case_assign(case=case, concierge=concierge, actor=users[Role.OFFICE_LEAD])
    assert OutboundEmail.objects.filter(to=concierge.email).count() == 1
    other = UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo, email="other@example.jp")
    services.case_assign(case=case, concierge=other, actor=users[Role.OFFICE_LEAD], reason="休暇")
    assert OutboundEmail.objects.filter(to="other@example.jp").count() == 1


def test_the_concierge_menu_counts_each_persons_open_cases(users, jetro_tokyo):
    concierge = users[Role.CONCIERGE]
    CaseFactory.create_batch(2, concierge=concierge, registration__business__prefecture_id="13")
    CaseFactory(concierge=concierge, status=Case.Status.CLOSED, close_reason="declined")
    rows = {u: u.open_cases for u in selectors.office_concierges(user=users[Role.OFFICE_LEAD])}
    assert rows[concierge] == 2


def test_the_activity_stream_merges_sessions_and_events_and_filters_by_kind(case, concierge):
    session = a_session(case, concierge)
    services.case_email_record(case=case, subject="ご案内", to="firm@example.jp")
    events, sessions = list(case.events.all()), list(case.sessions.all())
    stream = selectors.activity_stream(events=events, sessions=sessions)
    assert [item.session for item in stream if item.session] == [session]
    assert not [i for i in stream if i.event and i.event.kind == CaseEvent.Kind.SESSION]
    assert [item.at for item in stream] == sorted((item.at for item in stream), reverse=True)
    emails = selectors.activity_stream(events=events, sessions=sessions, kind="email")
    assert [item.event.kind for item in emails] == [CaseEvent.Kind.EMAIL]
    only_sessions = selectors.activity_stream(events=events, sessions=sessions, kind="session")
    assert [item.session for item in only_sessions] == [session]


def test_the_concierge_worklist_splits_overdue_due_today_and_new(concierge):
    today = timezone.localdate()
    overdue = CaseFactory(concierge=concierge, first_contact_due=today - datetime.timedelta(1),
                          registration__business__prefecture_id="13")  # fmt: skip
    due = CaseFactory(concierge=concierge, first_contact_due=today,
                      registration__business__prefecture_id="13")  # fmt: skip
    new = CaseFactory(concierge=concierge, first_contact_due=today + datetime.timedelta(3),
                      registration__business__prefecture_id="13")  # fmt: skip
    CaseFactory(first_contact_due=today - datetime.timedelta(1),
                registration__business__prefecture_id="13")  # someone else's  # fmt: skip
    work = selectors.concierge_worklist(user=concierge, today=today)
    assert work == {"overdue": [overdue], "due_today": [due], "new": [new]}


# --- views ----------------------------------------------------------------------------------


def test_the_case_page_has_its_four_sections(client, case, concierge):
    client.force_login(concierge)
    with translation.override("ja"):
        html = client.get(reverse("counselling:case-detail", args=[case.pk])).text
    for heading in ("概要", "活動", "支援メニュー", "調査"):
        assert f">{heading}</h2>" in html, heading
    for anchor in ("overview", "activity", "proposals", "surveys", "next-action",
                   "session-form", "target-form", "stage-form", "status-form"):  # fmt: skip
        assert f'id="{anchor}"' in html, anchor
    assert 'data-testid="next-action-text">見積書の確認<' in html


def test_the_activity_filter_is_a_plain_get(client, case, concierge):
    a_session(case, concierge)
    services.case_email_record(case=case, subject="ご案内", to="firm@example.jp")
    client.force_login(concierge)
    url = reverse("counselling:case-detail", args=[case.pk])
    assert len(client.get(url).context["activity"]) == 3  # registered is not there: factory
    emails = client.get(url, {"kind": "email"}).context["activity"]
    assert [item.event.summary for item in emails] == ["ご案内 → firm@example.jp"]
    assert client.get(url, {"kind": "nonsense"}).context["activity_kind"] == ""


def test_done_and_reschedule_from_the_page(client, case, concierge):
    client.force_login(concierge)
    later = TOMORROW + datetime.timedelta(days=3)
    response = client.post(reverse("counselling:next-action-reschedule", args=[case.pk]),
                           {"reschedule-due": later.isoformat()})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_action_due == later
    response = client.post(reverse("counselling:next-action-done", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_action == ""
    # Nothing left to do: the page again, with the message.
    response = client.post(reverse("counselling:next-action-done", args=[case.pk]))
    assert response.status_code == 400
    with translation.override("ja"):
        assert gettext(services.NO_NEXT_ACTION) in response.content.decode()


def test_a_bad_reschedule_opens_its_form_again(client, case, concierge):
    client.force_login(concierge)
    response = client.post(reverse("counselling:next-action-reschedule", args=[case.pk]), {})
    assert response.status_code == 400
    assert '<details id="next-action-reschedule-form" open>' in response.text


def test_a_session_is_corrected_on_its_own_page(client, case, concierge):
    session = a_session(case, concierge)
    client.force_login(concierge)
    url = reverse("counselling:session-correct", args=[case.pk, session.pk])
    assert client.get(url).status_code == 200
    held = timezone.localtime(session.held_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {
        "session-held_at": held, "session-channel": "online",
        "session-duration_minutes": "45", "session-notes": "訂正",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.url.endswith("#activity")
    session.refresh_from_db()
    assert (session.channel, session.duration_minutes, session.notes) == ("online", 45, "訂正")
    assert case.events.filter(kind=CaseEvent.Kind.SESSION_CORRECTED, actor=concierge).exists()
    assert client.post(url, {"session-channel": "nonsense"}).status_code == 400


def test_a_session_of_another_case_is_404(client, case, concierge):
    other = CaseFactory(registration__business__prefecture_id="13")
    session = a_session(other, concierge)
    client.force_login(concierge)
    url = reverse("counselling:session-correct", args=[case.pk, session.pk])
    assert client.get(url).status_code == 404
    assert CounsellingSession.objects.get(pk=session.pk).notes == "最初"


def test_the_queue_lists_who_got_which_case_and_each_caseload(client, users):
    cases = CaseFactory.create_batch(2, registration__business__prefecture_id="13")
    client.force_login(users[Role.OFFICE_LEAD])
    page = client.get(reverse("counselling:queue")).text
    assert 'data-select-all="cases"' in page
    assert "js/select-all.js" in page
    name = users[Role.CONCIERGE].get_full_name()
    with translation.override("ja"):
        assert f"{name}（担当 0件）" in client.get(reverse("counselling:queue")).text
    response = client.post(reverse("counselling:queue"), {
        "cases": [c.pk for c in cases], "action": "by_load"}, follow=True)  # fmt: skip
    text = response.content.decode()
    for case in cases:
        assert case.registration.business.name in text


def test_a_correction_without_tags_leaves_them(case, concierge):
    session = a_session(case, concierge)
    tags = list(session.tags.all())
    services.session_correct(session=session, actor=concierge, data={"notes": "別件"})
    assert list(session.tags.all()) == tags
    assert case.events.filter(kind=CaseEvent.Kind.SESSION_CORRECTED).count() == 1
