"""Survey waves, links, reminders and answers against the database (time travel with
freezegun; e-mails are outbox rows)."""

import datetime
import re

import pytest
from django.core import signing
from django.utils import timezone
from freezegun import freeze_time

from core.models import OutboundEmail
from core.roles import Role
from counselling.models import Case, CaseEvent
from counselling.tests.factories import CaseFactory
from outcomes import services
from outcomes.models import Survey, SurveyResponse
from outcomes.tests.factories import SurveyFactory
from registrations.services.consent import consent_token_make
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 11, 30), 12, D(2027, 11, 30)),
        (D(2026, 12, 31), 36, D(2029, 12, 31)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 10), -6, D(2025, 7, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert services.add_months(day, months) == expected


def proposed_case(on: datetime.date, **case_fields) -> Case:
    case = CaseFactory(**{"status": Case.Status.SUPPORT, "stage": "challenge", **case_fields})
    Proposal.objects.create(case=case, menu=SupportMenuFactory(), score=30, proposed_on=on)
    return case


def test_a_wave_falls_due_six_months_after_the_first_proposal_and_is_sent_once():
    case = proposed_case(D(2026, 1, 20))
    with freeze_time("2026-07-19"):
        assert services.surveys_schedule(today=D(2026, 7, 19)) == 0
    with freeze_time("2026-07-20"):
        assert services.surveys_schedule(today=D(2026, 7, 20)) == 1
        assert services.surveys_schedule(today=D(2026, 7, 20)) == 0
    survey = Survey.objects.get()
    assert (survey.case, survey.wave_months, survey.due_on) == (case, 6, D(2026, 7, 20))
    assert survey.closes_on == D(2026, 9, 18)
    email = OutboundEmail.objects.get(idempotency_key=services.survey_invite_key(survey))
    assert email.to == case.registration.contact.email
    token = re.search(r"/survey/([^/\s]+)/", email.body).group(1)
    assert services.survey_from_token(token) == survey
    assert case.events.filter(kind="email").exists()


def test_survey_emails_name_the_concierge_and_reply_to_the_office(users):
    concierge = users[Role.CONCIERGE]
    case = proposed_case(D(2026, 1, 20), concierge=concierge)
    case.office.phone = "03-0000-0000"
    case.office.email = "office@example.jp"
    case.office.save()
    with freeze_time("2026-07-20"):
        services.surveys_schedule(today=D(2026, 7, 20))
    with freeze_time("2026-07-28"):
        services.survey_reminders_send(today=D(2026, 7, 28))

    emails = list(OutboundEmail.objects.order_by("created_at", "pk"))
    assert len(emails) == 2  # the invitation and the first reminder
    for email in emails:
        assert email.reply_to == "office@example.jp"
        assert f"{concierge.get_full_name()}（{case.office.name}）" in email.body
        assert "03-0000-0000" in email.body


def test_a_late_start_sends_only_the_waves_still_open_not_every_old_one():
    proposed_case(D(2024, 1, 10))  # 6 and 12 months long past, 24 months due 2026-01-10
    with freeze_time("2026-02-01"):
        assert services.surveys_schedule(today=D(2026, 2, 1)) == 1
    assert list(Survey.objects.values_list("wave_months", flat=True)) == [24]


def test_closed_cases_and_withdrawn_registrations_get_no_survey():
    proposed_case(D(2026, 1, 20), status=Case.Status.CLOSED, close_reason="declined")
    withdrawn = proposed_case(D(2026, 1, 20))
    withdrawn.registration.status = "withdrawn"
    withdrawn.registration.save(update_fields=["status"])
    CaseFactory(status=Case.Status.COUNSELLING)  # no proposal: no wave
    with freeze_time("2026-07-20"):
        assert services.surveys_schedule(today=D(2026, 7, 20)) == 0


def test_reminders_go_after_7_and_14_days_once_each():
    with freeze_time("2026-07-01 09:00"):
        survey = SurveyFactory()
    runs = [(D(2026, 7, 7), 0), (D(2026, 7, 8), 1), (D(2026, 7, 8), 0),
            (D(2026, 7, 14), 0), (D(2026, 7, 15), 1), (D(2026, 7, 30), 0)]  # fmt: skip
    for day, expected in runs:
        with freeze_time(day):
            assert services.survey_reminders_send(today=day) == expected, day
    survey.refresh_from_db()
    assert survey.reminder1_at.date() == D(2026, 7, 8)
    assert survey.reminder2_at.date() == D(2026, 7, 15)
    keys = set(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert keys == {
        services.survey_reminder_key(survey, 1),
        services.survey_reminder_key(survey, 2),
    }


def test_reminders_held_back_by_an_opt_out_taken_back_never_go_two_on_one_day():
    with freeze_time("2026-07-01 09:00"):
        survey = SurveyFactory()
        services.survey_opt_out(survey=survey)
    with freeze_time("2026-07-20 10:00"):
        services.survey_opt_out_undo(survey=survey)
    runs = [(D(2026, 7, 21), 1), (D(2026, 7, 21), 0), (D(2026, 7, 27), 0), (D(2026, 7, 28), 1)]
    for day, expected in runs:
        with freeze_time(day):
            assert services.survey_reminders_send(today=day) == expected, day
    survey.refresh_from_db()
    assert survey.reminder1_at.date() == D(2026, 7, 21)
    assert survey.reminder2_at.date() == D(2026, 7, 28)


@pytest.mark.parametrize("state", ["answered", "opted_out", "expired"])
def test_no_reminder_after_an_answer_an_opt_out_or_expiry(state):
    with freeze_time("2026-07-01 09:00"):
        survey = SurveyFactory()
    if state == "answered":
        services.survey_answer(survey=survey, data={"export_realised": "no"}, source="web")
    elif state == "opted_out":
        services.survey_opt_out(survey=survey)
    else:
        Survey.objects.filter(pk=survey.pk).update(closes_on=D(2026, 7, 5))
    with freeze_time("2026-07-20"):
        assert services.survey_reminders_send(today=D(2026, 7, 20)) == 0
    assert not OutboundEmail.objects.filter(idempotency_key__contains="reminder").exists()


def test_a_link_is_refused_when_tampered_with_foreign_or_replaced():
    survey = SurveyFactory()
    token = services.survey_token_make(survey)
    assert services.survey_from_token(token) == survey
    assert services.survey_from_token(token[:-2] + "xx") is None
    assert services.survey_from_token(consent_token_make(survey.case.registration)) is None
    assert services.survey_from_token(signing.dumps({"s": survey.pk})) is None
    services.survey_resend(survey=survey, actor=None)
    assert services.survey_from_token(token) is None
    assert services.survey_from_token(services.survey_token_make(survey)) == survey


def test_an_export_realised_moves_the_case_to_realised_with_its_date_and_tells_the_concierge(
    users,
):
    from core.roles import Role

    case = proposed_case(D(2026, 1, 20), concierge=users[Role.CONCIERGE])
    survey = SurveyFactory(case=case)
    response = services.survey_answer(
        survey=survey, source="web",
        data={"export_realised": "yes", "first_export_date": D(2026, 5, 10),
              "destinations": ["US", "TW"], "trajectory": "increased",
              "own_efforts": ["pr", "own_ec"], "fee_band": "le100k"},
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.REALISED
    assert case.realised_on == D(2026, 5, 10)
    assert sorted(str(c) for c in response.destinations) == ["TW", "US"]
    assert OutboundEmail.objects.filter(to=users[Role.CONCIERGE].email).count() == 1
    survey.refresh_from_db()
    assert survey.answered_at is not None


def test_amending_updates_the_one_answer():
    survey = SurveyFactory()
    services.survey_answer(survey=survey, data={"export_realised": "negotiating"}, source="web")
    services.survey_answer(
        survey=survey, data={"export_realised": "no", "comments": "来年に再挑戦"}, source="web"
    )
    response = SurveyResponse.objects.get()
    assert (response.export_realised, response.comments) == ("no", "来年に再挑戦")
    assert response.history.count() == 2


def test_every_answer_and_amendment_is_on_the_case_timeline_even_without_an_export():
    survey = SurveyFactory(wave_months=12)
    services.survey_answer(survey=survey, data={"export_realised": "negotiating"}, source="web")
    services.survey_answer(survey=survey, data={"export_realised": "no"}, source="web")
    events = survey.case.events.filter(kind=CaseEvent.Kind.SURVEY).order_by("id")
    assert [event.summary for event in events] == [
        "12か月後調査に回答（Webフォーム）: 輸出実現: 商談中",
        "12か月後調査の回答を修正（Webフォーム）: 輸出実現: なし",
    ]
    assert survey.case.status != Case.Status.REALISED


def test_the_survey_tasks_run_through_celery_on_todays_date():
    """Eagerly here; that the beat schedules name them: portal/tests/test_periodic_tasks.py."""
    from outcomes.tasks import survey_reminders_send_task, surveys_schedule_task

    proposed_case(timezone.localdate() - datetime.timedelta(days=200))
    SurveyFactory(sent_at=timezone.now() - datetime.timedelta(days=8))
    assert surveys_schedule_task.apply().get() == 1
    assert survey_reminders_send_task.apply().get() == 1


@pytest.mark.parametrize(("opens_on", "closes_on"), [
    (None, datetime.date(2026, 6, 11)),  # open from its due day
    (datetime.date(2026, 5, 1), datetime.date(2026, 6, 20)),  # or from the day it is sent
])  # fmt: skip
def test_a_survey_stays_open_the_setting_s_days_from_the_day_it_opens(
    settings, opens_on, closes_on
):
    settings.SURVEY_OPEN_DAYS = 50
    case = CaseFactory()
    survey = services.survey_create(
        case=case, wave_months=6, due_on=datetime.date(2026, 4, 22), opens_on=opens_on
    )
    survey.refresh_from_db()
    assert survey.closes_on == closes_on
    assert survey.token_nonce
    assert survey.sent_at is None


def test_a_fresh_link_gets_its_own_reminders_once_each_never_dated_before_its_send():
    with freeze_time("2026-07-01 09:00"):
        survey = SurveyFactory()
    with freeze_time("2026-07-08"):
        assert services.survey_reminders_send(today=D(2026, 7, 8)) == 1
    old_reminder = services.survey_reminder_key(survey, 1)
    with freeze_time("2026-07-10 10:00"):
        services.survey_resend(survey=survey, actor=None)
    survey.refresh_from_db()
    assert (survey.reminder1_at, survey.reminder2_at) == (None, None)  # the old link's
    runs = [(D(2026, 7, 16), 0), (D(2026, 7, 17), 1), (D(2026, 7, 17), 0),
            (D(2026, 7, 23), 0), (D(2026, 7, 24), 1), (D(2026, 7, 24), 0)]  # fmt: skip
    for day, expected in runs:
        with freeze_time(day):
            assert services.survey_reminders_send(today=day) == expected, day
    survey.refresh_from_db()
    assert survey.sent_at <= survey.reminder1_at < survey.reminder2_at
    reminders = set(
        OutboundEmail.objects.filter(idempotency_key__contains=":reminder:").values_list(
            "idempotency_key", flat=True
        )
    )
    assert reminders == {old_reminder, services.survey_reminder_key(survey, 1),
                         services.survey_reminder_key(survey, 2)}  # fmt: skip


def test_a_resent_invitation_names_the_survey_s_wave_not_the_time_since(users):
    case = CaseFactory(status=Case.Status.SUPPORT, concierge=users[Role.CONCIERGE])
    with freeze_time("2026-01-10 09:00"):
        survey = SurveyFactory(case=case, wave_months=12, due_on=D(2026, 1, 10))
    with freeze_time("2026-04-20 10:00"):  # three months late: 15 months since the proposal
        services.survey_resend(survey=survey, actor=users[Role.CONCIERGE])
    email = OutboundEmail.objects.get(idempotency_key=services.survey_invite_key(survey))
    assert set(re.findall(r"(\d+)か月", email.subject + email.body)) == {"12"}
    assert "12か月の時点（2026年1月10日）" in email.body
    assert "経ちました" not in email.body  # "12 months have passed" would be wrong by now
