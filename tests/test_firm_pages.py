"""The firm's own pages (issue 16): its page in cards, its data readable in Japanese (built
from the same declarations as the machine-readable JSON), a way back from withdrawing and
from asking for deletion, and a deletion request shown as pending and acknowledged by mail."""

import csv
import datetime
import io
import json
import re
import smtplib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from core.roles import Role
from core.services import email_outbox_dispatch
from core.tests.factories import UserFactory
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory
from registrations import selectors
from registrations.models import BusinessMail, Contact, DeletionRequest, Registration
from registrations.services.deletion import deletion_request_create
from registrations.tests.factories import ContactFactory, RegistrationFactory
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(users):
    """The business user's registration, with a case whose target date is 2026-12-01."""
    registration = Registration.objects.get(contact__user=users[Role.BUSINESS])
    registration.situations = ["market_research"]
    registration.save()
    CaseFactory(registration=registration, target_country="US",
                target_date=datetime.date(2026, 12, 1))  # fmt: skip
    return registration


def _items(html: str) -> list[tuple[str, str]]:
    """The (item, value) pairs of a page's description lists."""
    return re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)


def _ja_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _firm_client(client, users):
    client.force_login(users[Role.BUSINESS])
    return client


# --- The firm's page ---------------------------------------------------------------------------


def test_the_firms_page_lists_registrations_as_cards_with_real_headings(client, users, firm):
    html = _firm_client(client, users).get("/").text

    assert "<table" not in html
    assert '<h2 class="card-header h5 mb-0 text-break">株式会社テスト製作所</h2>' in html
    assert f"{firm.reference}</span></h3>" in html
    for heading in ("担当コンシェルジュ", "ご提案した支援メニュー", "あなたのデータ",
                    "事業者情報", "ご担当者"):  # fmt: skip
        assert f">{heading}</h2>" in html, heading
    assert timezone.localtime(firm.created_at).strftime("%Y年%-m月%-d日") in html


def test_a_proposals_message_is_shown_once_escaped_with_its_line_breaks(client, users, firm):
    for menu_name in ("展示会出展支援", "海外バイヤー商談会"):
        Proposal.objects.create(case=firm.case, menu=SupportMenuFactory(name=menu_name), score=50,
                                proposed_on=timezone.localdate(),
                                note="<b>ご検討ください</b>\n次回は来月です。")  # fmt: skip

    html = _firm_client(client, users).get("/").text

    assert html.count('data-testid="concierge-message"') == 1
    assert "&lt;b&gt;ご検討ください&lt;/b&gt;<br>次回は来月です。" in html
    assert html.count('data-testid="proposal"') == 2


def test_the_firms_page_offers_the_readable_page_the_csv_and_the_json(client, users, firm):
    html = _firm_client(client, users).get("/").text

    assert reverse("registrations:my-data-page") in html
    assert "項目名と内容を日本語で表示します。" in html
    assert "Excel などの表計算ソフトで開けます。" in html
    assert "ほかのシステムに取り込むための形式です" in html
    assert reverse("registrations:deletion-request") in html


def test_the_firm_sees_its_surveys_and_answers_an_open_one_from_its_page(client, users, firm):
    today = timezone.localdate()
    open_survey = SurveyFactory(case=firm.case, wave_months=12)
    answered = SurveyFactory(case=firm.case, wave_months=6, closes_on=today - timedelta(days=1),
                             sent_at=timezone.now() - timedelta(days=200),
                             answered_at=timezone.now() - timedelta(days=190))  # fmt: skip
    SurveyFactory(case=firm.case, wave_months=18, sent_at=None)  # not sent yet
    SurveyFactory(wave_months=24)  # another firm's

    html = _firm_client(client, users).get("/").text

    cards = re.findall(r'<li[^>]*data-testid="survey".*?</li>', html, re.S)
    assert len(cards) == 2
    assert "12か月後調査" in cards[0]
    assert f"{_ja_date(open_survey.closes_on)}までにご回答ください。" in cards[0]
    [path] = re.findall(r'href="(/survey/[^"]+/)"', cards[0])
    assert client.get(path).status_code == 200  # the survey form
    assert "6か月後調査" in cards[1]
    assert "回答済み" in cards[1]
    assert (
        f"{_ja_date(timezone.localtime(answered.answered_at))}にご回答いただきました。"
        in (cards[1])
    )
    assert "/survey/" not in cards[1]  # closed: nothing to answer
    assert "24か月後調査" not in html


# --- The data, readable ------------------------------------------------------------------------


def test_the_data_page_names_items_in_japanese_with_labels_and_dates(client, users, firm):
    response = _firm_client(client, users).get(reverse("registrations:my-data-page"))

    assert response.status_code == 200
    html = response.text
    items = _items(html)
    assert ("取組区分", "はじめての輸出") in items
    assert ("現在の状況", "ターゲット国の市場調査に取り組みたい") in items  # codes, as labels
    assert ("目標時期", "2026年12月1日") in items
    assert ("目標国・地域", "米国") in items
    assert "first_export" not in html
    assert "market_research" not in html
    assert '<h2 class="card-header h5 mb-0">登録 1</h2>' in html
    assert '<h3 class="h6 fw-bold mt-3 border-bottom pb-1">案件</h3>' in html
    assert reverse("portal:home") in html  # the way back


def test_the_csv_is_readable_in_excel_with_japanese_headers_and_labels(client, users, firm):
    response = _firm_client(client, users).get(reverse("registrations:my-data", args=["csv"]))

    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["区分", "項目", "内容"]
    assert ["登録 1", "取組区分", "はじめての輸出"] in rows
    assert ["登録 1 › 案件", "目標時期", "2026年12月1日"] in rows
    assert ["事業者", "事業者名", "株式会社テスト製作所"] in rows
    assert ["事業者宛てメール", "", "記録はありません。"] in rows


def test_the_json_stays_machine_readable(client, users, firm):
    response = _firm_client(client, users).get(reverse("registrations:my-data", args=["json"]))

    registration = json.loads(response.content)["registrations"][0]
    assert registration["challenge_type"] == "first_export"
    assert registration["case"]["target_date"] == "2026-12-01"


def test_survey_answers_read_as_labels_not_codes(client, users, firm):
    survey = SurveyFactory(case=firm.case)
    SurveyResponse.objects.create(
        survey=survey, export_realised="yes", destinations=["US", "TW"], source="phone",
        own_efforts=["own_fairs", "sales"], answered_at=timezone.now(),
    )  # fmt: skip

    items = _items(_firm_client(client, users).get(reverse("registrations:my-data-page")).text)

    assert ("プログラム以外の自社の取組", "展示会に自主出展、販路開拓の営業") in items
    assert ("輸出先", "台湾、米国") in items
    assert ("回答方法", "電話") in items


def test_the_readable_data_has_every_item_of_the_json(users, firm):
    """One definition: the readable walk lists the JSON's records and items (without ids)."""
    business = firm.business
    data = selectors.business_data_export(business=business)
    sections = selectors.business_data_readable(business=business)

    def count(record) -> int:
        if isinstance(record, list):
            return sum(count(item) for item in record)
        if not isinstance(record, dict):
            return 0
        nested = {k: v for k, v in record.items() if isinstance(v, dict | list) and v
                  and isinstance(v[0] if isinstance(v, list) else v, dict)}  # fmt: skip
        return (len(record) - len(nested) - ("id" in record)) + sum(map(count, nested.values()))

    def lines(section) -> int:
        return len(section.items) + section.empty + sum(map(lines, section.sections))

    expected = count({key: value for key, value in data.items() if key != "generated_at"})
    assert sum(lines(section) for section in sections) == expected


def test_a_person_waiting_for_approval_reads_only_what_they_typed(client, firm):
    person = ContactFactory(business=firm.business, status=Contact.Status.PENDING,
                            user=UserFactory(role=Role.BUSINESS))  # fmt: skip
    RegistrationFactory(business=firm.business, contact=person,
                        status=Registration.Status.AWAITING_APPROVAL,
                        submitted_business={"name": "株式会社テスト", "entity_type": "corporation",
                                            "prefecture": "13", "prefecture_name": "東京都",
                                            "employees": 1200})  # fmt: skip
    client.force_login(person.user)

    html = client.get(reverse("registrations:my-data-page")).text

    typed = "事業者区分: 法人<br>事業者名: 株式会社テスト<br>都道府県: 東京都<br>従業員数: 1,200"
    assert ("入力された事業者情報", typed) in _items(html)
    assert "株式会社テスト製作所" not in html  # the business as stored is not theirs


# --- Withdraw and deletion: a way back, the pending request, the acknowledgement -------------


def test_withdraw_and_deletion_pages_lead_back_to_the_firms_page(client, users, firm):
    _firm_client(client, users)
    for url in (reverse("registrations:withdraw", args=[firm.pk]),
                reverse("registrations:deletion-request")):  # fmt: skip
        html = client.get(url).text
        links = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', html)
        assert ("/", "キャンセルして戻る") in links, url
        assert ("/", "登録情報に戻る") in links, url


def test_a_deletion_request_is_shown_as_pending_and_not_offered_again(
    client, users, firm, django_capture_on_commit_callbacks
):
    _firm_client(client, users)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:deletion-request"),
                               {"reason": "事業を終了するため", "confirm": "on"})  # fmt: skip
    assert response.status_code == 302

    request = DeletionRequest.objects.get(business=firm.business)
    received = timezone.localtime(request.created_at).strftime("%Y年%-m月%-d日")
    home = client.get("/").text
    assert f"データの削除を申請中です（{received}受付）。" in home
    assert "結果はメールでお知らせします。" in home
    assert 'data-testid="deletion-request"' not in home
    page = client.get(reverse("registrations:deletion-request")).text
    assert f"データの削除を申請中です（{received}受付）。" in page
    assert 'name="confirm"' not in page


def test_the_firm_gets_an_acknowledgement_through_the_outbox(users, firm):
    contact = firm.contact
    other = ContactFactory(business=firm.business)
    ContactFactory(business=firm.business, status=Contact.Status.PENDING)  # not told

    request = deletion_request_create(business=firm.business, actor=users[Role.BUSINESS],
                                      reason="")  # fmt: skip

    mails = OutboundEmail.objects.filter(idempotency_key__startswith="deletion-received:")
    assert sorted(mails.values_list("to", flat=True)) == sorted([contact.email, other.email])
    mail = mails.get(to=contact.email)
    assert mail.kind == OutboundEmail.Kind.FIRM
    assert BusinessMail.objects.get(email=mail).business == firm.business
    assert mail.subject.startswith("データ削除のご依頼を受け付けました")
    received = timezone.localtime(request.created_at).strftime("%Y年%-m月%-d日")
    assert f"{received}に、新規輸出１万者支援プログラムが保有する貴社データの削除" in mail.body
    assert "今後の流れ" in mail.body
    # Asking again returns the pending request and sends nothing more.
    assert deletion_request_create(business=firm.business, actor=users[Role.BUSINESS],
                                   reason="") == request  # fmt: skip
    assert mails.count() == 2


def test_a_mail_that_cannot_be_sent_does_not_lose_the_request(
    client, users, firm, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    _firm_client(client, users)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registrations:deletion-request"), {"confirm": "on"})
    email_outbox_dispatch()

    assert DeletionRequest.objects.filter(business=firm.business, status="pending").exists()
    mail = OutboundEmail.objects.get(idempotency_key__startswith="deletion-received:")
    assert mail.status == OutboundEmail.Status.PENDING  # retried later
    assert "SMTPServerDisconnected" in mail.last_error


def test_a_failing_request_leaves_no_acknowledgement(users, firm, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("registrations.services.deletion.business_mail_enqueue", fail)
    with pytest.raises(RuntimeError):
        deletion_request_create(business=firm.business, actor=users[Role.BUSINESS], reason="")
    assert not DeletionRequest.objects.exists()
    assert Case.objects.filter(registration=firm).exists()
