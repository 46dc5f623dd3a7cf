"""A firm's own data (download) and its deletion (request, admin approval, anonymisation),
and retention: anonymised firms keep counting in the program's figures."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import CaseEvent, CounsellingSession
from counselling.services import case_email_record
from counselling.tests.factories import CaseFactory
from registrations.models import (
    Business,
    BusinessMail,
    Contact,
    ContactDataAccess,
    DeletionRequest,
)
from registrations.services.deletion import business_anonymise, retention_apply
from registrations.services.mail import business_mail_enqueue
from registrations.tasks import retention_task
from registrations.tests.factories import BusinessFactory, ContactFactory, RegistrationFactory
from reporting.models import BusinessProgress
from reporting.services import business_progress_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    """A firm whose contact can sign in, with a case, a session note and an e-mail."""
    business = BusinessFactory(name="株式会社秘密酒造", representative="秘密 太郎",
                               address="仙台市青葉区秘密町1-1", prefecture_id="04")  # fmt: skip
    # What the contact typed when they registered (kept for a pending contact's own view).
    typed = {"name": "株式会社秘密酒造", "address": "仙台市青葉区秘密町1-1"}
    case = CaseFactory(
        registration=RegistrationFactory(
            business=business, products="秘密の酒", submitted_business=typed
        )
    )
    contact = case.registration.contact
    contact.user = UserFactory(role=Role.BUSINESS, username="secret-firm")
    contact.save()
    CounsellingSession.objects.create(case=case, held_at=timezone.now(), channel="phone",
                                      notes="社長の秘密の相談")  # fmt: skip
    business_mail_enqueue(key="test:1", to=contact.email, subject="ご登録ありがとうございます",
                      body=f"{contact.name} 様", business=business)  # fmt: skip
    return case


def test_a_firm_downloads_everything_held_about_it_as_json_and_csv(client, firm):
    other = CaseFactory(registration=RegistrationFactory(business=BusinessFactory(name="他社")))
    contact = firm.registration.contact
    client.force_login(contact.user)

    response = client.get(reverse("registrations:my-data", args=["json"]))
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["business"]["name"] == "株式会社秘密酒造"
    assert data["business"]["prefecture"] == "宮城県"
    assert data["contacts"][0]["email"] == contact.email
    registration = data["registrations"][0]
    assert registration["reference"] == firm.registration.reference
    assert registration["case"]["sessions"][0]["notes"] == "社長の秘密の相談"
    assert data["emails"][0]["subject"] == "ご登録ありがとうございます"
    text = response.content.decode()
    assert "name_key" not in text
    assert "consent_nonce" not in text
    assert other.registration.reference not in text

    response = client.get(reverse("registrations:my-data", args=["csv"]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert "事業者,事業者名,株式会社秘密酒造" in body
    assert "登録 1 › 案件 › 面談記録 1,メモ,社長の秘密の相談" in body


def test_only_the_firm_itself_downloads_its_data(client, users, firm):
    url = reverse("registrations:my-data", args=["json"])
    assert client.get(url).status_code == 302
    client.force_login(users[Role.CONCIERGE])
    assert client.get(url).status_code == 404


def test_a_firm_asks_for_deletion_once_and_must_confirm(client, firm):
    client.force_login(firm.registration.contact.user)
    url = reverse("registrations:deletion-request")

    response = client.post(url, {"reason": "廃業のため"})
    assert response.status_code == 200
    assert "チェックを入れてください" in response.content.decode()
    assert not DeletionRequest.objects.exists()

    assert client.post(url, {"reason": "廃業のため", "confirm": "on"}).status_code == 302
    assert client.post(url, {"confirm": "on"}).status_code == 302
    request = DeletionRequest.objects.get()
    assert (request.status, request.reason) == ("pending", "廃業のため")
    assert 'data-testid="deletion-pending"' in client.get(url).content.decode()


def _decide(client, request, decision, data):
    return client.post(
        reverse(f"admin:registrations_deletionrequest_{decision}", args=[request.pk]), data
    )


def test_the_request_page_offers_approve_and_reject_and_approving_shows_what_goes(
    client, users, firm
):
    business = firm.registration.business
    contact = firm.registration.contact
    second = ContactFactory(business=business, name="秘密 花子", email="hanako@example.jp")
    case_email_record(case=firm, subject="ご案内", to=contact.email)  # on the timeline
    request = DeletionRequest.objects.create(business=business, reason="廃業")
    client.force_login(users[Role.ADMIN])

    page = client.get(reverse("admin:registrations_deletionrequest_change", args=[request.pk]))
    html = page.content.decode()
    assert 'data-testid="deletion-approve"' in html
    assert 'data-testid="deletion-reject"' in html

    page = client.get(reverse("admin:registrations_deletionrequest_approve", args=[request.pk]))
    html = page.content.decode()
    preview = html[html.index('data-testid="erasure-preview"') :]
    assert "株式会社秘密酒造" in preview
    assert business.corporate_number in preview
    assert "2 名の担当者" in preview
    assert contact.email in preview
    assert second.email in preview
    assert "1 件のサインイン用アカウント" in preview
    assert "1 件の相談記録" in preview  # the session's notes
    assert "0 件の調査回答" in preview
    assert "0 件の支援メニュー提案" in preview
    assert "送信キューの 1 件のメール" in preview
    assert "ケースの経過の 1 行" in preview
    assert "1 件の登録と 1 件のケース" in preview
    # Looking changes nothing; the page is logged as a view of the firm's contact data.
    assert Business.objects.get(pk=business.pk).anonymised_at is None
    assert DeletionRequest.objects.get(pk=request.pk).status == "pending"
    assert ContactDataAccess.objects.filter(business=business, page="admin").exists()


def test_an_admin_approves_and_the_firm_is_anonymised_but_still_counted(client, users, firm):
    business = firm.registration.business
    contact = firm.registration.contact
    address = contact.email
    case_email_record(case=firm, subject="ご案内", to=address)
    secrets = ["株式会社秘密酒造", "秘密 太郎", "秘密町", "秘密の酒", "社長の秘密",
               contact.email, contact.name, business.corporate_number]  # fmt: skip
    business_progress_refresh()
    counted = BusinessProgress.objects.filter(prefecture="04").count()
    request = DeletionRequest.objects.create(business=business, reason="廃業")
    admin_user = users[Role.ADMIN]
    client.force_login(admin_user)

    response = _decide(client, request, "approve", {"note": "ご依頼のとおり削除しました。"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:registrations_deletionrequest_change", args=[request.pk]
    )

    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.APPROVED
    assert request.updated_by == admin_user
    assert request.decided_at is not None
    assert request.decision_note == "ご依頼のとおり削除しました。"
    business.refresh_from_db()
    assert business.anonymised_at is not None
    assert business.corporate_number is None
    contact.refresh_from_db()
    assert not contact.user.is_active
    # The firm is told, at the address read before it was erased; an account mail (never
    # exported, blanked once delivered), about no firm.
    decision = OutboundEmail.objects.get(idempotency_key__startswith="deletion-request:")
    assert decision.to == address
    assert decision.kind == OutboundEmail.Kind.ACCOUNT
    assert not BusinessMail.objects.filter(email=decision).exists()
    assert "削除" in decision.subject
    assert "ご依頼のとおり削除しました。" in decision.body
    assert "株式会社秘密酒造" not in decision.subject + decision.body
    # Nothing identifying is left: not in the rows, not in their audit history, not in the
    # outbox, not on the append-only timeline; the anonymisation itself is in the history,
    # by the admin.
    stored = repr([
        list(Business.objects.filter(pk=business.pk).values()),
        list(Business.history.filter(id=business.pk).values()),
        list(Contact.history.filter(id=contact.pk).values()),
        list(Contact.objects.filter(pk=contact.pk).values()),
        list(CounsellingSession.objects.filter(case=firm).values()),
        list(CounsellingSession.history.filter(case_id=firm.pk).values()),
        list(firm.registration.__class__.objects.filter(id=firm.registration_id).values()),
        list(firm.registration.__class__.history.filter(id=firm.registration_id).values()),
        list(OutboundEmail.objects.exclude(pk=decision.pk).values()),
        list(CaseEvent.objects.filter(case=firm).values()),
        list(contact.user.__class__.objects.filter(pk=contact.user_id).values()),
    ])  # fmt: skip
    for secret in secrets:
        assert secret not in stored, secret
    assert Business.history.filter(id=business.pk).latest().history_user == admin_user
    business_progress_refresh()
    assert BusinessProgress.objects.filter(prefecture="04").count() == counted

    assert business_anonymise(business=business, actor=admin_user).anonymised_at == (
        business.anonymised_at
    )
    # Deciding again changes nothing and sends nothing.
    assert _decide(client, request, "reject", {"note": "x"}).status_code == 302
    assert DeletionRequest.objects.get(pk=request.pk).status == "approved"
    assert OutboundEmail.objects.filter(idempotency_key__startswith="deletion-").count() == 1

    # Once delivered, the daily retention run forgets the approval mail's address and body.
    retention_task()
    assert OutboundEmail.objects.get(pk=decision.pk).to == address  # not yet delivered
    OutboundEmail.objects.filter(pk=decision.pk).update(status=OutboundEmail.Status.SENT)
    retention_task()
    decision.refresh_from_db()
    assert (decision.to, decision.body) == ("deleted@anonymised.invalid", "")


def test_rejecting_a_request_needs_a_reason_and_changes_nothing_but_the_request(
    client, users, firm
):
    business = firm.registration.business
    request = DeletionRequest.objects.create(business=business)
    client.force_login(users[Role.ADMIN])

    page = _decide(client, request, "reject", {"note": ""})
    assert page.status_code == 200
    assert "事業者へのメッセージを入力してください。" in page.content.decode()
    assert DeletionRequest.objects.get(pk=request.pk).status == "pending"

    _decide(client, request, "reject", {"note": "契約上、5年間の保存が必要です。"})
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.REJECTED
    assert request.decision_note == "契約上、5年間の保存が必要です。"
    business.refresh_from_db()
    assert business.anonymised_at is None
    assert business.name == "株式会社秘密酒造"
    decision = OutboundEmail.objects.get(idempotency_key__startswith="deletion-request:")
    assert decision.to == firm.registration.contact.email
    assert decision.kind == OutboundEmail.Kind.FIRM
    assert BusinessMail.objects.get(email=decision).business == business
    assert "契約上、5年間の保存が必要です。" in decision.body


def test_only_admins_decide_and_nothing_is_decided_from_the_list(client, users, firm):
    request = DeletionRequest.objects.create(business=firm.registration.business)
    client.force_login(users[Role.ADMIN])
    # The list has no bulk approve (it would skip the confirmation page).
    client.post(reverse("admin:registrations_deletionrequest_changelist"),
                {"action": "approve", "_selected_action": [request.pk]})  # fmt: skip
    assert DeletionRequest.objects.get(pk=request.pk).status == "pending"
    for role in (Role.OFFICE_LEAD, Role.CONCIERGE, Role.BUSINESS):
        client.force_login(users[role])
        response = _decide(client, request, "approve", {"note": ""})
        assert response.status_code in (302, 403, 404)
        assert DeletionRequest.objects.get(pk=request.pk).status == "pending"
    assert not OutboundEmail.objects.filter(idempotency_key__startswith="deletion-").exists()


def test_retention_anonymises_only_firms_whose_cases_all_ended_long_ago(settings):
    settings.RETENTION_YEARS = 5
    today = datetime.date(2026, 11, 23)
    long_ago = datetime.datetime(2020, 1, 10, tzinfo=datetime.UTC)
    old = CaseFactory(status="closed", close_reason="declined", closed_at=long_ago)
    realised_long_ago = CaseFactory(status="realised", realised_on=datetime.date(2019, 5, 1))
    recent = CaseFactory(status="closed", close_reason="declined",
                         closed_at=datetime.datetime(2024, 1, 10, tzinfo=datetime.UTC))  # fmt: skip
    still_open = CaseFactory(status="counselling")
    undated = CaseFactory(status="closed", close_reason="declined")

    due = retention_apply(today=today, dry_run=True)
    assert sorted(due) == sorted([old.registration.business_id,
                                  realised_long_ago.registration.business_id])  # fmt: skip
    assert not Business.objects.filter(anonymised_at__isnull=False).exists()

    out = io.StringIO()
    call_command("retention", dry_run=True, stdout=out)
    assert Business.objects.filter(anonymised_at__isnull=False).count() == 0

    retention_apply(today=today, dry_run=False)
    anonymised = set(
        Business.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == set(due)
    for case in (recent, still_open, undated):
        assert case.registration.business_id not in anonymised
