import uuid

import pytest
from django.core import mail
from django.utils import timezone

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


def test_partner_referral_waits_for_consent_then_the_firm_confirms(
    chamber_tokyo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = intake.registration_submit(
            data=registration_data(), channel=Registration.Channel.PARTNER,
            referred_by=chamber_tokyo,
        )  # fmt: skip
    assert registration.status == Registration.Status.AWAITING_CONSENT
    assert registration.privacy_consented_at is None
    link = next(line for line in mail.outbox[0].body.splitlines() if "/register/confirm/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert consent.consent_token_registration(token) == registration

    with django_capture_on_commit_callbacks(execute=True):
        intake.registration_consent_confirm(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.sharing_consented_at is not None
    assert consent.consent_token_registration(token) is None  # single use
    assert "/accounts/reset/" in mail.outbox[1].body


def test_consent_link_tampered_expired_or_replaced_is_refused(chamber_tokyo, users, settings):
    registration = intake.registration_submit(
        data=registration_data(), channel=Registration.Channel.PARTNER, referred_by=chamber_tokyo
    )
    token = consent.consent_token_make(registration)
    assert consent.consent_token_registration(token[:-2] + "xx") is None
    settings.REFERRAL_CONSENT_DAYS = 0
    assert consent.consent_token_registration(token) is None
    settings.REFERRAL_CONSENT_DAYS = 30
    consent.referral_consent_resend(registration=registration, actor=users[Role.PARTNER])
    assert consent.consent_token_registration(token) is None
    assert consent.consent_token_registration(consent.consent_token_make(registration))


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
