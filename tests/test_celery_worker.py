"""Integration: a real Celery worker consuming from the real Redis broker."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from config.celery_app import app as celery_app
from core.models import OutboundEmail
from core.roles import Role
from core.services import email_enqueue
from core.tests.factories import UserFactory
from tests.celery_helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("reference_data")]


def test_worker_on_redis_sends_an_enqueued_email(worker):
    email_enqueue(key="welcome:1", to="firm@example.jp", subject="件名", body="本文", kind="firm")
    assert wait_for(lambda: OutboundEmail.objects.get(idempotency_key="welcome:1").status == "sent")
    assert [m.to for m in mail.outbox] == [["firm@example.jp"]]


def test_a_broker_outage_loses_no_email_and_the_sweep_sends_it_later(client, broker_down):
    user = UserFactory(role=Role.PARTNER, email="partner@example.jp")
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    email = OutboundEmail.objects.get(to="partner@example.jp")
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []

    # The broker is back; the periodic beat run of the dispatcher picks the row up.
    celery_app.conf.task_always_eager = True
    from core.tasks import email_outbox_dispatch_task

    assert email_outbox_dispatch_task.apply().get() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_a_registration_is_saved_when_the_broker_is_down(client, broker_down):
    from registrations.models import Registration
    from registrations.tests.factories import form_data

    response = client.post(reverse("registrations:register"), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    emails = OutboundEmail.objects.filter(to=registration.contact.email)
    assert {email.kind for email in emails} == {"firm", "account"}  # confirmation, set-password
    assert {email.status for email in emails} == {OutboundEmail.Status.PENDING}


def test_the_worker_re_ranks_every_open_case_in_chunk_tasks(worker):
    """The nightly job on the real broker: it splits the open cases into pk-range chunks and
    the worker stores each open case's best matches."""
    from counselling.models import Case
    from counselling.tests.factories import CaseFactory
    from portal.demo.support_menus import catalogue_seed
    from support_menus.models import CaseMenuRanking
    from support_menus.services import case_rankings_refresh_all

    catalogue_seed()
    open_cases = CaseFactory.create_batch(5, status=Case.Status.COUNSELLING, stage="preparation")
    closed = CaseFactory(status=Case.Status.CLOSED, close_reason="declined")

    assert case_rankings_refresh_all(chunk_size=2) == 3
    assert wait_for(lambda: CaseMenuRanking.objects.count() == 5, timeout=30)
    stored = {r.case_id: r for r in CaseMenuRanking.objects.select_related("top_menu")}
    assert set(stored) == {case.pk for case in open_cases}
    assert closed.pk not in stored
    assert all(r.top_menu is not None and r.eligible_count >= 1 for r in stored.values())


def test_survey_answers_and_reminders_are_kept_when_the_broker_is_down(client, broker_down):
    """The answer is saved and the reminders are written to the outbox; the periodic
    outbox run sends them once the broker is back."""
    import datetime

    from django.utils import timezone

    from outcomes.models import SurveyResponse
    from outcomes.services import survey_reminder_key, survey_reminders_send, survey_token_make
    from outcomes.tests.factories import SurveyFactory

    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    concierge = UserFactory(role=Role.CONCIERGE, email="concierge@example.jp")
    answered = SurveyFactory(case__concierge=concierge)
    waiting = SurveyFactory(sent_at=eight_days_ago)
    url = reverse("outcomes:answer", args=[survey_token_make(answered)])
    assert client.post(url, {"export_realised": "negotiating"}).status_code == 302
    assert SurveyResponse.objects.get().survey == answered
    assert OutboundEmail.objects.get(to="concierge@example.jp").status == "pending"
    assert survey_reminders_send(today=timezone.localdate()) == 1
    reminder = OutboundEmail.objects.get(idempotency_key=survey_reminder_key(waiting, 1))
    assert reminder.status == OutboundEmail.Status.PENDING

    celery_app.conf.task_always_eager = True
    from core.tasks import email_outbox_dispatch_task

    email_outbox_dispatch_task.apply().get()
    reminder.refresh_from_db()
    assert reminder.status == OutboundEmail.Status.SENT


def _ministry_client(client):
    from counselling.tests.factories import CaseFactory

    user = UserFactory(role=Role.MINISTRY)
    client.force_login(user)
    CaseFactory.create_batch(3)
    return user


BIG_XLSX = "kind=businesses&format=xlsx&date_from=2022-12-16"


def test_the_worker_builds_a_large_xlsx_export_and_the_user_downloads_it(
    client, worker, settings, tmp_path
):
    """An XLSX over the synchronous limit goes to the real broker; the worker builds it and
    the exports page offers it for download."""
    import io

    import openpyxl

    from reporting.models import ProgressExport

    settings.MEDIA_ROOT = tmp_path
    settings.PROGRESS_XLSX_SYNC_MAX_ROWS = 2
    user = _ministry_client(client)
    response = client.get(f"{reverse('reporting:progress-export')}?{BIG_XLSX}")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:progress-exports")
    export = ProgressExport.objects.get(requested_by=user)
    assert wait_for(lambda: ProgressExport.objects.get(pk=export.pk).status == "ready", 30)

    rows = client.get(reverse("reporting:progress-exports"), headers={"HX-Request": "true"})
    download = reverse("reporting:progress-export-download", args=[export.pk])
    assert download in rows.content.decode()
    response = client.get(download)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + 3
    export.refresh_from_db()
    assert export.row_count == 3


def test_a_large_xlsx_export_fails_visibly_when_the_broker_is_down(client, broker_down):
    from reporting.models import ProgressExport

    _ministry_client(client)
    with override_settings(PROGRESS_XLSX_SYNC_MAX_ROWS=2):
        response = client.get(f"{reverse('reporting:progress-export')}?{BIG_XLSX}")
    assert response.status_code == 302
    export = ProgressExport.objects.get()
    assert export.status == ProgressExport.Status.FAILED
    page = client.get(reverse("reporting:progress-exports")).content.decode()
    assert "エクスポートを開始できませんでした" in page
