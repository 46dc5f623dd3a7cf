"""The consent link of a partner's referral, as the firm uses it: it shows what the partner
entered, takes corrections, insists on consent, and says what to do when it cannot be used."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core.models import OutboundEmail
from core.roles import Role
from registrations.models import Registration
from registrations.services import consent, intake
from registrations.tests.factories import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(chamber_tokyo) -> Registration:
    return intake.registration_submit(
        data=registration_data(name="株式会社山田製作", situations=["market_research"]),
        channel=Registration.Channel.PARTNER, referred_by=chamber_tokyo,
    )  # fmt: skip


@pytest.fixture
def path(referral) -> str:
    return reverse("registrations:consent", args=[consent.consent_token_make(referral)])


def main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def posted(**changes) -> dict:
    """The consent form as the firm sends it: the partner's answers, changed, consent given."""
    data = {
        "name": "株式会社山田製作", "name_kana": "ヤマダセイサクショ",
        "representative": "山田 太郎",
        "postal_code": "100-0013", "prefecture": "13", "address": "千代田区霞が関1-3-1",
        "industry_option": "E", "capital_yen": "10000000", "employees": "12",
        "contact_name": "山田 花子", "contact_name_kana": "ヤマダ ハナコ",
        "contact_department": "海外事業部", "phone": "03-1234-5678",
        "challenge_type": "first_export", "situations": ["market_research"],
        "products": "日本酒", "destinations": ["US", "TW"], "export_experience": "none",
        "consent_privacy": "on", "consent_sharing": "on",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_page_shows_what_the_partner_entered_with_its_labels(client, path):
    page = client.get(path).text
    assert "東京商工会議所" in page
    for value in ('value="株式会社山田製作"', 'value="ヤマダセイサクショ"', 'value="山田 太郎"',
                  'value="千代田区霞が関1-3-1"', 'value="10,000,000"', 'value="山田 花子"',
                  'value="hanako@example.jp"', "日本酒"):  # fmt: skip
        assert value in page, value
    # Choices as people read them, the partner's ones chosen.
    assert re.search(r'<option value="13" selected>\s*東京都', page)
    assert re.search(r'<option value="E" selected>[^<]*製造業', page)
    assert re.search(r'value="first_export"[^>]*checked', page)
    assert re.search(r'value="market_research"[^>]*checked', page)
    assert re.search(r'value="US"[^>]*checked', page)
    # What identifies the firm, and the address, are shown but cannot be changed here.
    assert re.search(r'name="corporate_number"[^>]*disabled', page)
    assert re.search(r'name="email"[^>]*disabled', page)
    assert "email_confirm" not in page
    assert "referral_source" not in page


def test_a_correction_is_stored_and_the_partners_entry_stays_in_history(
    client, path, referral, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, posted(
            name="株式会社山田製作所", phone="06-1111-2222", products="純米吟醸酒",
            corporate_number="2000012010019", email="someone-else@example.jp",
        ))  # fmt: skip
    assert response.status_code == 302
    referral.refresh_from_db()
    business, contact = referral.business, referral.contact
    assert referral.status == Registration.Status.REGISTERED
    assert business.name == "株式会社山田製作所"
    assert contact.phone == "0611112222"
    assert referral.products == "純米吟醸酒"
    assert business.corporate_number == "7010705000725"  # a posted change is ignored
    assert contact.email == "hanako@example.jp"
    names = [h.name for h in business.history.order_by("history_date", "history_id")]
    assert names == ["株式会社山田製作", "株式会社山田製作所"]
    assert business.history.first().history_change_reason == intake.CORRECTED_BY_FIRM
    assert [h.phone for h in contact.history.order_by("history_date", "history_id")][:2] == [
        "03-1234-5678", "0611112222",
    ]  # fmt: skip


def test_an_unticked_consent_box_is_explained_beside_it_and_nothing_is_saved(
    client, path, referral
):
    response = client.post(path, posted(name="株式会社山田製作所", consent_sharing=None))
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="error-summary"' in page
    assert re.search(r'id="error_1_id_consent_sharing"[^>]*>.*同意', page, re.S)
    assert 'href="#id_consent_sharing"' in page
    assert 'value="株式会社山田製作所"' in page  # what the firm typed is kept
    referral.refresh_from_db()
    assert referral.status == Registration.Status.AWAITING_CONSENT
    assert referral.business.name == "株式会社山田製作"
    assert referral.history.count() == 1


def test_a_bad_correction_is_explained_and_nothing_is_saved(client, path, referral):
    response = client.post(path, posted(name="", employees="多い"))
    assert response.status_code == 200
    assert 'id="error_1_id_name"' in response.text
    assert 'id="error_1_id_employees"' in response.text
    referral.refresh_from_db()
    assert referral.status == Registration.Status.AWAITING_CONSENT
    assert referral.business.name == "株式会社山田製作"


def test_a_double_submit_registers_once(client, path, referral, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, posted())
        second = client.post(path, posted(products="別の製品"))
    assert first.status_code == 302
    assert "登録は完了しています" in second.text
    referral.refresh_from_db()
    assert referral.products == "日本酒"
    confirmations = OutboundEmail.objects.filter(idempotency_key__endswith=":confirmation")
    assert confirmations.count() == 1


def test_reopening_the_link_after_consent_says_it_is_complete_and_offers_sign_in(
    client, path, referral
):
    client.post(path, posted())
    page = main(client.get(path).text)
    assert "登録は完了しています" in page
    assert f'href="{reverse("login")}"' in page
    # The account has no password yet: the way to set one.
    assert f'href="{reverse("password_reset")}"' in page
    assert reverse("registrations:register") not in page  # never "register again"
    assert "株式会社山田製作" not in page  # the link shows nothing of the firm any more

    referral.contact.refresh_from_db()
    user = referral.contact.user
    user.set_password("a-long-and-unusual-passphrase")
    user.save()
    assert reverse("password_reset") not in main(client.get(path).text)


def test_an_expired_link_says_so_and_offers_a_way_forward(client, path):
    with freeze_time(timezone.now() + datetime.timedelta(days=40)):
        response = client.get(path)
    assert response.status_code == 404
    page = response.text
    assert "有効期限が切れています" in page
    assert "東京商工会議所に" in page  # ask the partner to send it again
    assert f'href="{reverse("registrations:register")}"' in page


def test_a_replaced_link_says_so_and_offers_a_way_forward(client, path, referral, users):
    consent.referral_consent_resend(registration=referral, actor=users[Role.PARTNER])
    page = client.get(path).text
    assert "新しいリンクに置き換えられています" in page
    assert f'href="{reverse("registrations:register")}"' in page
    assert client.post(path, posted()).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Registration.Status.AWAITING_CONSENT


def test_the_consent_mail_is_polite_and_names_who_referred_and_the_deadline(referral):
    body = mail.outbox[0].body if mail.outbox else OutboundEmail.objects.get().body
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日までに" in body
    assert "東京商工会議所から、貴社（株式会社山田製作）を" in body
    assert "お手続きは不要です" in body  # what happens if they do nothing
