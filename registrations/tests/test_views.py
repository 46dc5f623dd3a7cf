import pytest
from django.core import mail
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils.html import escape

from core.models import OutboundEmail
from core.roles import Role
from registrations.models import Business, DuplicateFlag, Registration
from registrations.tests.factories import (
    BusinessFactory,
    ContactFactory,
    RegistrationFactory,
    form_data,
)
from registrations.views import BOT_SUSPECTED, RATE_LIMITED

pytestmark = pytest.mark.django_db


def test_a_firm_registers_and_sees_its_reference_number(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:register"), form_data(), follow=True)
    registration = Registration.objects.get()
    assert response.status_code == 200
    assert registration.reference in response.text
    business = registration.business
    assert business.corporate_number == "7010705000725"
    assert business.name_kana == "ヤマダセイサクショ"
    assert business.postal_code == "1000013"
    assert registration.contact.phone == "0312345678"
    assert {country.code for country in registration.destinations} == {"US", "TW"}
    assert mail.outbox[0].to == ["hanako@example.jp"]


def test_the_registration_form_is_in_japanese(client):
    response = client.get(reverse("registrations:register"))
    for label in (
        "事業者区分",
        "法人番号",
        "フリガナ",
        "郵便番号",
        "取組区分",
        "希望輸出先",
        "同意",
    ):
        assert label in response.text, label


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("corporate_number", "2835678256246", "法人番号"),
        ("name_kana", "Yamada!!", "カタカナ"),
        ("postal_code", "12345", "郵便番号"),
        ("email_confirm", "other@example.jp", "一致しません"),
        ("phone", "12", "電話番号"),
    ],
)
def test_bad_input_gets_a_japanese_message_next_to_the_field_and_nothing_is_saved(
    client, field, value, message
):
    response = client.post(reverse("registrations:register"), form_data(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert f'id="error_1_id_{field}"' in response.text  # rendered beside the field
    assert not Registration.objects.exists()
    assert not Business.objects.exists()


def test_the_selects_start_blank_and_a_failed_submit_shows_the_error_summary(client):
    page = client.get(reverse("registrations:register")).text
    for name in ("prefecture", "industry_option", "referral_source"):
        select = page[page.index(f'name="{name}"') :]
        first_option = select[: select.index("</option>")]
        assert first_option.endswith('<option value="" selected>選択してください')
    destinations = page[page.index("data-country-picker") :]
    assert 'name="destinations"' in destinations
    assert "checked" not in destinations[: destinations.index("</script>")]

    response = client.post(
        reverse("registrations:register"),
        form_data(prefecture="", referral_source="", phone="12"),
    )

    assert 'data-testid="error-summary"' in response.text
    assert "入力内容に3件の問題があります" in response.text
    assert 'href="#id_prefecture"' in response.text
    assert "都道府県を選択してください。" in response.text
    assert "きっかけ・紹介元を選択してください。" in response.text
    assert not Registration.objects.exists()


def test_a_corporation_without_corporate_number_or_capital_is_told_so(client):
    response = client.post(
        reverse("registrations:register"), form_data(corporate_number="", capital_yen="")
    )
    assert set(response.context["form"].errors) == {"corporate_number", "capital_yen"}


def test_a_sole_proprietor_needs_neither(client):
    response = client.post(
        reverse("registrations:register"),
        form_data(entity_type="sole_proprietor", corporate_number="", capital_yen="5000000"),
    )
    assert response.status_code == 302
    assert Business.objects.get().capital_yen is None


def test_a_double_submit_creates_one_registration(client):
    data = form_data()
    first = client.post(reverse("registrations:register"), data)
    second = client.post(reverse("registrations:register"), data)
    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1


def test_the_honeypot_stops_bots_with_a_friendly_message(client):
    response = client.post(reverse("registrations:register"), form_data(fax_number="123"))
    assert response.status_code == 400
    assert escape(str(BOT_SUSPECTED)) in response.text
    assert not Registration.objects.exists()


def test_too_many_submissions_from_one_address_are_refused_politely(client, settings):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    for i in range(2):
        client.post(reverse("registrations:register"),
                    form_data(email=f"a{i}@example.jp", email_confirm=f"a{i}@example.jp",
                              corporate_number=None, entity_type="sole_proprietor"))  # fmt: skip
    response = client.post(reverse("registrations:register"), form_data())
    assert response.status_code == 429
    assert escape(str(RATE_LIMITED)) in response.text
    assert Registration.objects.count() == 2


def test_the_registration_is_kept_when_the_mail_server_fails(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send",
        lambda *a, **k: (_ for _ in ()).throw(ConnectionRefusedError("smtp down")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:register"), form_data())
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert {email.status for email in OutboundEmail.objects.all()} == {OutboundEmail.Status.PENDING}


def test_partner_refers_a_firm_and_the_firm_confirms_by_link(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.PARTNER])
    data = form_data()
    del data["consent_privacy"], data["consent_sharing"], data["referral_source"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registrations:referral-create"), data)
    assert response.status_code == 302
    registration = Registration.objects.get(channel="partner")
    assert registration.status == Registration.Status.AWAITING_CONSENT
    assert registration.referred_by == users[Role.PARTNER].organisation
    assert registration.referral_source == "chamber"
    listing = client.get(reverse("registrations:referral-list"))
    assert registration.reference in listing.text

    link = next(line for line in mail.outbox[0].body.splitlines() if "/register/confirm/" in line)
    path = link.split("8000", 1)[1]
    client.logout()
    page = client.get(path)
    assert "株式会社山田製作所" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, data | {"consent_privacy": "on", "consent_sharing": "on"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    again = client.get(path)
    assert 'data-testid="link-done"' in again.text
    assert "登録は完了しています" in again.text


def test_a_tampered_consent_link_shows_a_friendly_page(client):
    response = client.get(reverse("registrations:consent", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "このリンクは使用できません" in response.text


@pytest.mark.parametrize("role", [Role.BUSINESS, Role.MINISTRY, Role.CONCIERGE])
def test_only_partners_may_refer(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("registrations:referral-create")).status_code == 403


def test_staff_list_runs_a_fixed_number_of_queries(client, users, django_assert_num_queries):
    client.force_login(users[Role.CONCIERGE])
    RegistrationFactory(business__prefecture_id="13")
    url = reverse("registrations:registration-list") + "?region=kanto&q=テスト"
    with django_assert_num_queries(11) as one:
        client.get(url)
    RegistrationFactory.create_batch(30, business__prefecture_id="13", business__name="株式会社X")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 32


def test_staff_list_filters_and_search(client, users):
    client.force_login(users[Role.ADMIN])
    target = RegistrationFactory(
        business__name="株式会社青森りんご", business__prefecture_id="02",
        business__name_kana="アオモリリンゴ", challenge_type="new_market",
    )  # fmt: skip
    RegistrationFactory(business__name="株式会社大阪商事", business__prefecture_id="27")
    url = reverse("registrations:registration-list")
    for query in ({"q": "青森"}, {"q": "あおもり"}, {"q": target.business.corporate_number},
                  {"q": target.contact.email.upper()}, {"region": "tohoku"},
                  {"challenge_type": "new_market"}, {"prefecture": "02"}):  # fmt: skip
        page = client.get(url, query).context["page"]
        assert [r.pk for r in page.object_list] == [target.pk], query


def test_staff_detail_out_of_scope_is_404(client, users):
    osaka = RegistrationFactory(business__prefecture_id="27")
    tokyo = RegistrationFactory(business__prefecture_id="13")
    client.force_login(users[Role.CONCIERGE])  # ジェトロ東京
    assert (
        client.get(reverse("registrations:registration-detail", args=[tokyo.pk])).status_code == 200
    )
    assert (
        client.get(reverse("registrations:registration-detail", args=[osaka.pk])).status_code == 404
    )


@pytest.mark.parametrize("role", [Role.BUSINESS, Role.PARTNER, Role.MINISTRY])
def test_the_staff_list_is_not_for_other_roles(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("registrations:registration-list")).status_code == 403


def test_reviewer_merges_a_suspected_duplicate_and_only_an_admin_can_undo(client, users):
    existing = BusinessFactory(name="株式会社山田製作所", name_key="山田製作所")
    ContactFactory(business=existing, phone_key="0312345678")
    registration = RegistrationFactory(
        business__prefecture_id="13", business__name_key="山田製作所"
    )
    flag = DuplicateFlag.objects.create(
        registration=registration, business=registration.business, candidate=existing,
        reason=DuplicateFlag.Reason.NAME_AND_PHONE,
    )  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    queue = client.get(reverse("registrations:duplicate-queue"))
    assert registration.reference in queue.text
    client.post(reverse("registrations:duplicate-resolve", args=[flag.pk, "merge"]))
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.MERGED
    reopen = reverse("registrations:duplicate-resolve", args=[flag.pk, "reopen"])
    assert client.post(reopen).status_code == 404
    client.force_login(users[Role.ADMIN])
    client.post(reopen)
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.OPEN


def test_business_updates_its_contact_details_and_it_is_audited(client, users):
    user = users[Role.BUSINESS]
    client.force_login(user)
    response = client.post(
        reverse("registrations:contact-update"),
        {"name": "山田 花子", "name_kana": "やまだ はなこ", "department": "社長室",
         "email": "new@example.jp", "phone": "０６-１１１１-２２２２"},
    )  # fmt: skip
    assert response.status_code == 302
    contact = user.contact
    contact.refresh_from_db()
    assert contact.name_kana == "ヤマダ ハナコ"
    assert contact.phone == "0611112222"
    assert contact.history.first().history_user == user


def test_business_withdraws_its_own_registration_but_not_anothers(client, users):
    user = users[Role.BUSINESS]
    own = user.contact.registrations.get()
    other = RegistrationFactory()
    client.force_login(user)
    assert client.post(reverse("registrations:withdraw", args=[other.pk]), {}).status_code == 404
    client.post(reverse("registrations:withdraw", args=[own.pk]), {"reason": "時期尚早"})
    own.refresh_from_db()
    assert own.status == Registration.Status.WITHDRAWN
    assert own.withdrawal_reason == "時期尚早"


def test_an_admin_edit_recomputes_the_size_class(client, users):
    registration = RegistrationFactory(business__employees=3, business__size_class="small")
    business = registration.business
    client.force_login(users[Role.ADMIN])
    url = reverse("admin:registrations_business_change", args=[business.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"employees": "350", "capital_yen": "500000000",
                 "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    business.refresh_from_db()
    assert business.size_class == "mid"  # manufacturing, 350 people and ¥500m: not an SME
    assert business.history.first().history_user == users[Role.ADMIN]


def test_a_partner_cannot_touch_another_partners_referral(client, users):
    from core.models import Organisation

    other = RegistrationFactory(
        referred_by=Organisation.objects.get(code="chamber-osaka"),
        status=Registration.Status.AWAITING_CONSENT, privacy_consented_at=None,
        sharing_consented_at=None,
    )  # fmt: skip
    client.force_login(users[Role.PARTNER])
    assert other.reference not in client.get(reverse("registrations:referral-list")).text
    response = client.post(reverse("registrations:referral-resend", args=[other.pk]))
    assert response.status_code == 404


def test_the_firm_sets_its_password_from_the_email_and_sees_its_registration(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registrations:register"), form_data())
    registration = Registration.objects.get()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(link.split("8000", 1)[1], follow=True)
    password = "a-long-new-password-2026"
    client.post(form_page.request["PATH_INFO"],
                {"new_password1": password, "new_password2": password})  # fmt: skip
    assert (
        client.post(
            reverse("login"), {"username": "hanako@example.jp", "password": password}
        ).status_code
        == 302
    )
    home = client.get("/")
    assert registration.reference in home.text
    assert "ジェトロ東京" in home.text
    assert "登録済み" in home.text


def test_the_blank_form_is_cached_but_each_visitor_gets_their_own_tokens(client, db):
    """The form's HTML comes from the cache after the first visit; the CSRF and submission
    tokens are written per visit, once each."""
    import re

    pages = [
        DjangoClient().get(reverse("registrations:register")).content.decode() for _ in range(2)
    ]
    tokens = [re.findall(r'name="submission_token" value="([^"]+)"', page) for page in pages]
    assert [len(found) for found in tokens] == [1, 1]
    assert tokens[0] != tokens[1]
    for page in pages:
        form = re.search(r'<form[^>]*id="registration-form".*?</form>', page, re.S)[0]
        assert form.count('name="csrfmiddlewaretoken"') == 1
        assert 'id="id_name"' in form


def test_a_second_visitor_registers_through_the_cached_form(db):
    """The cached form must not carry the first visitor's CSRF token: a second browser (with
    CSRF checks on) registers from its own page."""
    import re

    first = DjangoClient(enforce_csrf_checks=True)
    first.get(reverse("registrations:register"))
    second = DjangoClient(enforce_csrf_checks=True)
    page = second.get(reverse("registrations:register")).content.decode()
    form = re.search(r'<form[^>]*id="registration-form".*?</form>', page, re.S)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    submission = re.search(r'name="submission_token" value="([^"]+)"', form)[1]
    response = second.post(
        reverse("registrations:register"),
        {**form_data(), "csrfmiddlewaretoken": token, "submission_token": submission},
    )
    assert response.status_code == 302
