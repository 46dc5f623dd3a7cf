import datetime
import uuid

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from core.models import OutboundEmail
from core.roles import Role
from registrations.models import Business, DuplicateFlag, Registration
from registrations.services import consent, contacts, duplicates, intake
from registrations.tests.factories import BusinessFactory, ContactFactory, registration_data

pytestmark = pytest.mark.django_db


def submit(channel=Registration.Channel.ONLINE, **overrides):
    return intake.registration_submit(data=registration_data(**overrides), channel=channel)


def test_online_registration_saves_business_contact_and_registration(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = submit()
    business = registration.business
    assert registration.status == Registration.Status.REGISTERED
    assert registration.reference.startswith(f"EX-{timezone.localdate().year}-")
    assert registration.office.code == "jetro-tokyo"  # routed by prefecture
    assert registration.privacy_consented_at
    assert registration.sharing_consented_at
    assert registration.notice_version == "2026-04"
    assert business.size_class == "small"  # manufacturing, 12 employees
    assert business.name_key == "山田製作所"
    assert registration.contact.user.role == Role.BUSINESS
    assert not registration.contact.user.has_usable_password()
    # The confirmation (a firm mail) and the set-password link (an account mail of its own).
    confirmation = OutboundEmail.objects.get(to="hanako@example.jp", kind="firm")
    set_password = OutboundEmail.objects.get(to="hanako@example.jp", kind="account")
    assert confirmation.status == set_password.status == OutboundEmail.Status.SENT
    assert registration.reference in confirmation.body
    assert "/accounts/reset/" not in confirmation.body
    # The set-password link was delivered, and the outbox keeps no copy of it.
    assert set_password.body == ""
    [delivered] = [
        m
        for m in mail.outbox
        if m.extra_headers["X-Idempotency-Key"] == set_password.idempotency_key
    ]
    assert "/accounts/reset/" in delivered.body
    assert not hasattr(confirmation, "business_mail")  # the address is not verified yet


def test_the_same_submission_token_never_creates_two_registrations():
    token = uuid.uuid4()
    first = submit(submission_token=token)
    second = submit(submission_token=token)
    assert first.pk == second.pk
    assert Registration.objects.count() == 1
    assert Business.objects.count() == 1


def test_a_failing_mail_server_does_not_lose_the_registration(
    monkeypatch, django_capture_on_commit_callbacks
):
    def fail(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    with django_capture_on_commit_callbacks(execute=True):
        registration = submit()
    assert Registration.objects.filter(pk=registration.pk).exists()
    emails = OutboundEmail.objects.all()
    assert len(emails) == 2  # the confirmation and the set-password link
    assert {(email.status, email.attempts) for email in emails} == {
        (OutboundEmail.Status.PENDING, 1)
    }


def test_same_corporate_number_attaches_to_the_existing_business_as_a_reregistration():
    first = submit()
    again = submit(name="山田製作所 株式会社", email="other@example.jp",
                   email_confirm="other@example.jp")  # fmt: skip
    assert again.business_id == first.business_id
    assert again.is_reregistration
    assert Business.objects.count() == 1
    assert not DuplicateFlag.objects.exists()


def test_similar_name_and_same_phone_is_flagged_not_merged():
    existing = BusinessFactory(name="株式会社山田製作所", name_key="山田製作所")
    ContactFactory(business=existing, phone="03-1234-5678", phone_key="0312345678")
    registration = submit(
        entity_type=Business.EntityType.SOLE_PROPRIETOR, corporate_number=None,
        name="（株）山田製作所", phone="03-1234-5678", capital_yen=None,
    )  # fmt: skip
    flag = DuplicateFlag.objects.get()
    assert flag.registration == registration
    assert flag.candidate == existing
    assert flag.reason == DuplicateFlag.Reason.NAME_AND_PHONE
    assert registration.business != existing


def test_similar_name_but_different_phone_and_email_is_not_flagged():
    existing = BusinessFactory(name="株式会社山田製作所", name_key="山田製作所")
    ContactFactory(business=existing, phone_key="0399999999", email_key="x@example.jp")
    submit(corporate_number=None, entity_type=Business.EntityType.SOLE_PROPRIETOR,
           capital_yen=None)  # fmt: skip
    assert not DuplicateFlag.objects.exists()


def test_merge_and_undo(users):
    existing = BusinessFactory(name="株式会社山田製作所", name_key="山田製作所")
    ContactFactory(business=existing, email_key="hanako@example.jp")
    registration = submit(corporate_number=None, entity_type=Business.EntityType.SOLE_PROPRIETOR,
                          capital_yen=None)  # fmt: skip
    flag = DuplicateFlag.objects.get()
    duplicate = registration.business
    duplicates.duplicate_flag_merge(flag=flag, actor=users[Role.CONCIERGE])
    registration.refresh_from_db()
    duplicate.refresh_from_db()
    assert registration.business == existing
    assert registration.is_reregistration
    assert duplicate.merged_into == existing
    assert flag.status == DuplicateFlag.Status.MERGED

    duplicates.duplicate_flag_reopen(flag=flag, actor=users[Role.ADMIN])
    registration.refresh_from_db()
    duplicate.refresh_from_db()
    assert registration.business == duplicate
    assert not registration.is_reregistration
    assert duplicate.merged_into is None
    assert flag.status == DuplicateFlag.Status.OPEN
    assert [h.status for h in flag.history.order_by("history_date")] == ["open", "merged", "open"]


def refer(chamber, **overrides) -> Registration:
    return intake.registration_submit(
        data=registration_data(**overrides), channel=Registration.Channel.PARTNER,
        referred_by=chamber,
    )  # fmt: skip


def test_partner_referral_waits_for_consent_then_the_firm_confirms(
    chamber_tokyo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = refer(chamber_tokyo)
    assert registration.status == Registration.Status.AWAITING_CONSENT
    assert registration.privacy_consented_at is None
    link = next(line for line in mail.outbox[0].body.splitlines() if "/register/confirm/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert consent.consent_link(token) == consent.ConsentLink(consent.LinkState.OPEN, registration)

    with django_capture_on_commit_callbacks(execute=True):
        intake.registration_consent_confirm(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.sharing_consented_at is not None
    assert consent.consent_link(token).state == consent.LinkState.DONE  # single use
    assert "/accounts/reset/" in mail.outbox[1].body


def test_the_consent_mail_names_its_deadline_and_the_link_works_until_that_day_ends(
    chamber_tokyo, settings
):
    settings.REFERRAL_CONSENT_DAYS = 30
    with freeze_time("2026-12-01 10:00:00+09:00"):
        refer(chamber_tokyo)
    body = OutboundEmail.objects.get(to="hanako@example.jp").body
    assert "2026年12月31日までに下記のリンクを開き" in body
    assert "東京商工会議所" in body
    assert "新規輸出１万者支援プログラム" in body
    assert "/register/" in body  # the way to register oneself later
    token = next(line for line in body.splitlines() if "/register/confirm/" in line)
    token = token.rstrip("/").rsplit("/", 1)[1]
    with freeze_time("2026-12-31 23:59:00+09:00"):
        assert consent.consent_link(token).state == consent.LinkState.OPEN
    with freeze_time("2027-01-01 00:00:01+09:00"):
        assert consent.consent_link(token).state == consent.LinkState.EXPIRED


def test_consent_link_tampered_expired_or_replaced_is_refused(chamber_tokyo, users):
    registration = refer(chamber_tokyo)
    token = consent.consent_token_make(registration)
    assert consent.consent_link(token[:-2] + "xx") == consent.ConsentLink(consent.LinkState.INVALID)
    assert consent.consent_link(token).state == consent.LinkState.OPEN
    with freeze_time(timezone.now() + datetime.timedelta(days=32)):
        assert consent.consent_link(token).state == consent.LinkState.EXPIRED
    consent.referral_consent_resend(registration=registration, actor=users[Role.PARTNER])
    assert consent.consent_link(token).state == consent.LinkState.REPLACED
    assert consent.consent_link(consent.consent_token_make(registration)).state == (
        consent.LinkState.OPEN
    )
    intake.registration_withdraw(registration=registration, actor=users[Role.PARTNER], reason="")
    assert consent.consent_link(token).state == consent.LinkState.INVALID


def corrected(registration, **changes) -> dict:
    """The consent form's cleaned data: the partner's answers with the firm's changes."""
    from core.models import Prefecture
    from registrations.selectors import referral_answers

    answers = referral_answers(registration=registration)
    answers["prefecture"] = Prefecture.objects.get(pk=answers["prefecture"])
    return answers | changes


def test_the_firms_corrections_are_stored_and_the_partners_version_stays_in_history(
    chamber_tokyo, django_capture_on_commit_callbacks
):
    from core.models import Prefecture

    registration = refer(chamber_tokyo, name="株式会社山田製作", employees=12)
    osaka = Prefecture.objects.get(code="27")
    answers = corrected(
        registration, name="株式会社山田製作所", employees=400, prefecture=osaka,
        contact_name="山田 華子", products="純米吟醸酒", destinations=["CN"],
        corporate_number="2000012010019", entity_type=Business.EntityType.SOLE_PROPRIETOR,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        intake.registration_consent_confirm(registration=registration, answers=answers)
    registration.refresh_from_db()
    business, contact = registration.business, registration.contact
    assert registration.status == Registration.Status.REGISTERED
    assert (business.name, business.employees, business.prefecture) == (
        "株式会社山田製作所", 400, osaka,
    )  # fmt: skip
    assert business.size_class == "sme"  # derived again: no longer "small" with 400 people
    assert registration.office.code == "jetro-osaka"  # routed by the corrected prefecture
    assert registration.submitted_name == "株式会社山田製作所"
    assert (registration.products, registration.destinations) == ("純米吟醸酒", ["CN"])
    assert contact.name == "山田 華子"
    # What identifies the firm cannot be changed from the link.
    assert business.corporate_number == "7010705000725"
    assert business.entity_type == Business.EntityType.CORPORATION
    assert registration.submitted_business["corporate_number"] == "7010705000725"
    # Audited: the partner's version is the first record, the firm's correction the next.
    for record, original in (
        (business, "株式会社山田製作"), (registration, "株式会社山田製作"),
        (contact, "山田 花子"),
    ):  # fmt: skip
        history = list(record.history.order_by("history_date", "history_id"))
        first = history[0]
        value = first.name if record is not registration else first.submitted_business["name"]
        assert value == original
        assert intake.CORRECTED_BY_FIRM in [h.history_change_reason for h in history]


def test_consenting_without_changes_writes_no_correction(chamber_tokyo):
    registration = refer(chamber_tokyo)
    intake.registration_consent_confirm(registration=registration, answers=corrected(registration))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.business.history.count() == 1
    assert not registration.history.filter(history_change_reason=intake.CORRECTED_BY_FIRM)


def test_a_referral_of_a_known_business_corrects_only_its_own_answers(chamber_tokyo):
    existing = submit().business
    registration = refer(chamber_tokyo, email="jiro@example.jp", email_confirm="jiro@example.jp")
    assert registration.is_reregistration
    answers = corrected(registration, name="乗っ取り株式会社", products="緑茶")
    intake.registration_consent_confirm(registration=registration, answers=answers)
    registration.refresh_from_db()
    existing.refresh_from_db()
    assert existing.name == "株式会社山田製作所"  # the stored business is not changed
    assert registration.submitted_name == "乗っ取り株式会社"
    assert registration.products == "緑茶"


def test_a_second_consent_changes_nothing(chamber_tokyo):
    registration = refer(chamber_tokyo)
    intake.registration_consent_confirm(registration=registration, answers=corrected(registration))
    later = corrected(registration, products="別の製品")
    intake.registration_consent_confirm(registration=registration, answers=later)
    registration.refresh_from_db()
    assert registration.products == "日本酒"
    assert Registration.objects.count() == 1


def test_contact_update_is_audited(users):
    contact = users[Role.BUSINESS].contact
    contacts.contact_update(
        contact=contact, data={"phone": "06-1111-2222", "name": contact.name},
        actor=users[Role.BUSINESS],
    )  # fmt: skip
    contact.refresh_from_db()
    assert contact.phone_key == "0611112222"
    latest = contact.history.first()
    assert latest.phone == "06-1111-2222"
    assert latest.updated_by == users[Role.BUSINESS]


def test_withdraw():
    registration = submit()
    user = registration.contact.user
    intake.registration_withdraw(registration=registration, actor=user, reason="時期尚早")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    assert registration.withdrawn_at is not None
