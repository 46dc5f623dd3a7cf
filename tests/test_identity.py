"""Who may act for a firm (issue 13, takeover chains 1 and 2), written as the requests of the
attacker, the firm and the office through the test client and the real database.

Chain 1: a 法人番号 is public. Registering with another firm's number (online, or through a
partner's referral and the consent link) makes the person a pending contact who sees only
what they typed, until the firm's active contact or its JETRO office approves.
Chain 2: a new e-mail address takes effect only once the link sent to it is used, and the
old address is told; a firm's data export never holds account mails nor mail to an address
that was not its verified address."""

import json
import re
import uuid

import pytest
from django.core import mail
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.models import Organisation, OutboundEmail
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case, CounsellingSession
from counselling.tests.factories import CaseFactory
from outcomes.tests.factories import SurveyFactory
from registrations.models import BusinessMail, Contact, Registration
from registrations.services.contacts import REJECTED_REASON
from registrations.services.mail import business_mail_enqueue
from registrations.tests.factories import BusinessFactory, RegistrationFactory, form_data
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

NUMBER = "7010705000725"  # the real firm's 法人番号 (public)
STORED_NAME = "株式会社本物酒造"
TYPED_NAME = "株式会社にせもの商事"
ATTACKER = "mallory@attacker.example"
PASSWORD = "a-long-attacker-password-42"
SECRETS = (STORED_NAME, "本物 社長", "本物町1-1", "本物の相談メモ", "本物の純米吟醸",
           "real@honmono.example", "秘密のメッセージ")  # fmt: skip
LINK = re.compile(r"https?://\S+")


def _org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def real_firm():
    """A registered firm with an active, verified contact who signs in, a case with a
    counselling note, a proposal with a message, a survey, a firm mail and a password reset
    mail for its contact."""
    business = BusinessFactory(corporate_number=NUMBER, name=STORED_NAME,
                               representative="本物 社長", address="本物町1-1")  # fmt: skip
    registration = RegistrationFactory(business=business, products="本物の純米吟醸",
                                       contact__email="real@honmono.example")  # fmt: skip
    contact = registration.contact
    contact.user = UserFactory(role=Role.BUSINESS, username="real@honmono.example",
                               email="real@honmono.example")  # fmt: skip
    contact.save()
    case = CaseFactory(registration=registration)
    CounsellingSession.objects.create(case=case, held_at=timezone.now(), channel="phone",
                                      notes="本物の相談メモ")  # fmt: skip
    Proposal.objects.create(case=case, menu=SupportMenuFactory(), score=50, note="秘密のメッセージ",
                            proposed_on=timezone.localdate())  # fmt: skip
    SurveyFactory(case=case)
    business_mail_enqueue(key="test:firm", to=contact.email, subject=f"{STORED_NAME} 様",
                      body="本物の相談メモ", business=business)  # fmt: skip
    Client().post(reverse("password_reset"), {"email": contact.email})
    assert OutboundEmail.objects.filter(kind="account", to=contact.email).exists()
    return registration


def _received(to: str, kind: str | None = None) -> list[tuple[str, str]]:
    """(subject, body) of the mails to `to`, as the mailbox has them: a delivered account
    mail's body is blanked in the outbox, so delivered mails are read from the mail server
    (Django's locmem backend), the rest from the outbox."""
    emails = OutboundEmail.objects.filter(to=to).order_by("id")
    if kind is not None:
        emails = emails.filter(kind=kind)
    delivered = {m.extra_headers.get("X-Idempotency-Key"): m for m in mail.outbox}
    return [
        (delivered[e.idempotency_key].subject, delivered[e.idempotency_key].body)
        if e.idempotency_key in delivered
        else (e.subject, e.body)
        for e in emails
    ]


def _links(to: str, kind: str) -> list[str]:
    return [link for _subject, body in _received(to, kind) for link in LINK.findall(body)]


def _mails_to(address: str) -> str:
    return "\n".join(f"{subject}\n{body}" for subject, body in _received(address))


def _set_password_and_sign_in(client: Client, address: str) -> None:
    """Follow the set-password link e-mailed to `address`, set a password, sign in."""
    (link,) = [link for link in _links(address, "account") if "/accounts/reset/" in link]
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    assert response.status_code == 302  # Django moves the token into the session
    response = client.post(response["Location"],
                           {"new_password1": PASSWORD, "new_password2": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": address, "password": PASSWORD})
    assert response.status_code == 302, response.text
    assert client.get(reverse("portal:home")).context["user"].is_authenticated


def _can_sign_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _assert_sees_nothing_of_the_firm(client: Client, real: Registration) -> None:
    pages = {
        "home": client.get(reverse("portal:home")),
        "json": client.get(reverse("registrations:my-data", args=["json"])),
        "csv": client.get(reverse("registrations:my-data", args=["csv"])),
        "page": client.get(reverse("registrations:my-data-page")),
        "contact": client.get(reverse("registrations:contact-update")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode()
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    data = json.loads(pages["json"].content)
    assert "business" not in data
    assert "emails" not in data
    assert [r["submitted_business"]["name"] for r in data["registrations"]] == [TYPED_NAME]
    assert TYPED_NAME in pages["home"].text  # what they typed, and only that
    for url in (
        reverse("counselling:case-detail", args=[real.case.pk]),
        reverse("registrations:registration-detail", args=[real.pk]),
        reverse("registrations:withdraw", args=[real.pk]),
        reverse("registrations:contact-requests"),
        reverse("registrations:deletion-request"),
    ):
        assert client.get(url).status_code in (403, 404), url


def _attack_form(**overrides) -> dict:
    typed = {"corporate_number": NUMBER, "name": TYPED_NAME, "email": ATTACKER,
             "email_confirm": ATTACKER, "contact_name": "攻撃 太郎"}  # fmt: skip
    return form_data(**{**typed, **overrides})


# --- Chain 1: another firm's 法人番号 -----------------------------------------------------------


def test_registering_with_a_known_corporate_number_grants_nothing_of_the_firm(
    real_firm, django_capture_on_commit_callbacks
):
    attacker = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = attacker.post(reverse("registrations:register"), _attack_form())
    assert response.status_code == 302
    registration = Registration.objects.get(contact__email=ATTACKER)
    assert registration.business == real_firm.business  # counted for the right firm…
    assert registration.status == Registration.Status.AWAITING_APPROVAL  # …but not confirmed
    assert registration.contact.status == Contact.Status.PENDING
    assert not Case.objects.filter(registration=registration).exists()

    # The e-mails name neither the stored firm nor that it was registered already: the
    # confirmation reads exactly as a new firm's does.
    received = _mails_to(ATTACKER)
    assert TYPED_NAME in received
    for secret in SECRETS:
        assert secret not in received
    fresh = Client()
    with django_capture_on_commit_callbacks(execute=True):
        fresh.post(reverse("registrations:register"),
                   _attack_form(corporate_number="1010001000006", email="new@firm.example",
                                email_confirm="new@firm.example"))  # fmt: skip
    new_registration = Registration.objects.get(contact__email="new@firm.example")
    assert new_registration.status == Registration.Status.REGISTERED
    (attack_mail,) = OutboundEmail.objects.filter(to=ATTACKER, kind="firm")
    (new_mail,) = OutboundEmail.objects.filter(to="new@firm.example", kind="firm")
    assert attack_mail.subject.replace(registration.reference, "REF") == new_mail.subject.replace(
        new_registration.reference, "REF"
    )
    assert attack_mail.body.replace(registration.reference, "REF") == new_mail.body.replace(
        new_registration.reference, "REF"
    )
    # not the firm's verified address
    assert not BusinessMail.objects.filter(
        email=attack_mail
    ).exists()  # not the firm's verified address

    _set_password_and_sign_in(attacker, ATTACKER)
    _assert_sees_nothing_of_the_firm(attacker, real_firm)
    # The real contact is asked (at its verified address), the office sees the request.
    notice = OutboundEmail.objects.get(
        to="real@honmono.example", idempotency_key__contains="access-request"
    )
    assert notice.business_mail.business == real_firm.business


def test_a_partner_referral_for_a_known_corporate_number_grants_nothing_of_the_firm(
    real_firm, django_capture_on_commit_callbacks
):
    partner = Client()
    partner.force_login(UserFactory(role=Role.PARTNER, organisation=_org("chamber-tokyo")))
    data = _attack_form()
    del data["consent_privacy"], data["consent_sharing"], data["referral_source"]
    with django_capture_on_commit_callbacks(execute=True):
        assert partner.post(reverse("registrations:referral-create"), data).status_code == 302
    listing = partner.get(reverse("registrations:referral-list")).text
    assert TYPED_NAME in listing
    assert STORED_NAME not in listing

    (consent_link,) = [link for link in _links(ATTACKER, "firm") if "/register/confirm/" in link]
    for secret in SECRETS:
        assert secret not in _mails_to(ATTACKER)
    attacker = Client()
    path = "/" + consent_link.split("://", 1)[1].split("/", 1)[1]
    page = attacker.get(path)
    assert page.status_code == 200
    assert TYPED_NAME in page.text
    for secret in SECRETS:
        assert secret not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        # The consent page is the partner's answers, to check and send back with consent.
        response = attacker.post(path, {**data, "consent_privacy": "on", "consent_sharing": "on"})
    assert response.status_code == 302
    registration = Registration.objects.get(contact__email=ATTACKER)
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    assert registration.contact.status == Contact.Status.PENDING
    assert registration.contact.email_verified_at is not None  # the consent link proved it
    for secret in SECRETS:
        assert secret not in _mails_to(ATTACKER)

    _set_password_and_sign_in(attacker, ATTACKER)
    _assert_sees_nothing_of_the_firm(attacker, real_firm)


# --- Approval and rejection ---------------------------------------------------------------------


@pytest.fixture
def request_pending(real_firm, django_capture_on_commit_callbacks):
    """The attacker's online registration for the real firm, password set, signed in."""
    attacker = Client()
    with django_capture_on_commit_callbacks(execute=True):
        attacker.post(reverse("registrations:register"), _attack_form())
    _set_password_and_sign_in(attacker, ATTACKER)
    return attacker, Registration.objects.get(contact__email=ATTACKER)


def _firm_client(real_firm) -> Client:
    client = Client()
    client.force_login(real_firm.contact.user)
    return client


def _assert_approved(registration: Registration, actor) -> None:
    registration.refresh_from_db()
    contact = registration.contact
    assert contact.status == Contact.Status.ACTIVE
    assert contact.decided_by == actor
    assert contact.decided_at is not None
    assert registration.status == Registration.Status.REGISTERED
    assert registration.registered_at is not None
    assert Case.objects.filter(registration=registration).exists()  # opens its case as today
    latest = contact.history.first()
    assert latest.status == Contact.Status.ACTIVE
    assert latest.history_user == actor
    assert registration.history.first().status == Registration.Status.REGISTERED
    assert registration.history.first().history_user == actor


def _assert_rejected(registration: Registration, actor) -> None:
    registration.refresh_from_db()
    contact = registration.contact
    assert contact.status == Contact.Status.REJECTED
    assert contact.decided_by == actor
    assert contact.decided_at is not None
    assert registration.status == Registration.Status.WITHDRAWN
    with translation.override("ja"):
        expected = str(REJECTED_REASON)
    assert registration.withdrawal_reason == expected == "担当者として承認されませんでした。"
    assert not Case.objects.filter(registration=registration).exists()
    assert not contact.user.is_active
    assert not contact.user.has_usable_password()
    assert contact.history.first().history_user == actor
    told = OutboundEmail.objects.get(to=ATTACKER, idempotency_key__contains="access_rejected")
    assert "承認" in told.body
    assert TYPED_NAME in told.body
    assert STORED_NAME not in told.body
    assert not _can_sign_in(ATTACKER, PASSWORD)


def test_the_firms_active_contact_sees_the_request_and_approves_it(
    real_firm, request_pending, django_capture_on_commit_callbacks
):
    attacker, registration = request_pending
    firm = _firm_client(real_firm)
    home = firm.get(reverse("portal:home")).text
    assert 'data-testid="access-requests"' in home
    page = firm.get(reverse("registrations:contact-requests"))
    assert "攻撃 太郎" in page.text
    assert ATTACKER in page.text
    assert registration.reference in page.text
    url = reverse("registrations:contact-decide", args=[registration.contact_id, "approve"])
    with django_capture_on_commit_callbacks(execute=True):
        assert firm.post(url).status_code == 302
    _assert_approved(registration, real_firm.contact.user)
    assert firm.post(url).status_code == 404  # decided: no longer pending
    # Now the approved person acts for the firm.
    assert STORED_NAME in attacker.get(reverse("portal:home")).text


def test_the_firms_active_contact_rejects_the_request(
    real_firm, request_pending, django_capture_on_commit_callbacks
):
    _attacker, registration = request_pending
    url = reverse("registrations:contact-decide", args=[registration.contact_id, "reject"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _firm_client(real_firm).post(url).status_code == 302
    _assert_rejected(registration, real_firm.contact.user)


def test_a_pending_person_or_another_firm_cannot_decide(real_firm, request_pending):
    attacker, registration = request_pending
    other = Client()
    other.force_login(
        RegistrationFactory(contact__user=UserFactory(role=Role.BUSINESS)).contact.user
    )
    for client in (attacker, other):
        for action in ("approve", "reject"):
            url = reverse("registrations:contact-decide", args=[registration.contact_id, action])
            assert client.post(url).status_code == 404
    assert attacker.get(reverse("registrations:contact-requests")).status_code == 404
    assert ATTACKER not in other.get(reverse("registrations:contact-requests")).text
    registration.contact.refresh_from_db()
    assert registration.contact.status == Contact.Status.PENDING


def test_a_request_under_a_staff_address_never_links_nor_closes_the_staff_account(
    real_firm, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=Role.CONCIERGE, username="staff@jetro.example",
                        email="staff@jetro.example", organisation=_org("jetro-tokyo"))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("registrations:register"), _attack_form(
            email="staff@jetro.example", email_confirm="staff@jetro.example"))  # fmt: skip
    assert response.status_code == 302
    registration = Registration.objects.get(contact__email="staff@jetro.example")
    assert registration.contact.user is None
    url = reverse("registrations:contact-decide", args=[registration.contact_id, "reject"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _firm_client(real_firm).post(url).status_code == 302
    staff.refresh_from_db()
    assert staff.is_active
    assert staff.has_usable_password()


@pytest.mark.parametrize("role", [Role.CONCIERGE, Role.OFFICE_LEAD])
def test_the_firms_office_sees_who_asked_and_approves(
    role, request_pending, django_capture_on_commit_callbacks
):
    _attacker, registration = request_pending
    staff = UserFactory(role=role, organisation=Organisation.objects.get(code="jetro-tokyo"))
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("registrations:registration-detail", args=[registration.pk]))
    assert page.status_code == 200
    assert 'data-testid="access-request"' in page.text
    assert "攻撃 太郎" in page.text
    assert ATTACKER in page.text
    assert (
        date_format(timezone.localtime(registration.contact.created_at), "DATETIME_FORMAT")
        in page.text
    )
    assert registration.reference in client.get(reverse("registrations:registration-list")).text
    url = reverse("registrations:registration-contact-decide", args=[registration.pk, "approve"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    _assert_approved(registration, staff)


def test_the_firms_office_rejects(request_pending, django_capture_on_commit_callbacks):
    _attacker, registration = request_pending
    staff = UserFactory(
        role=Role.CONCIERGE, organisation=Organisation.objects.get(code="jetro-tokyo")
    )
    client = Client()
    client.force_login(staff)
    url = reverse("registrations:registration-contact-decide", args=[registration.pk, "reject"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    _assert_rejected(registration, staff)


def test_another_office_or_a_partner_cannot_decide(request_pending):
    _attacker, registration = request_pending
    osaka = Client()
    osaka.force_login(UserFactory(role=Role.CONCIERGE, organisation=_org("jetro-osaka")))
    partner = Client()
    partner.force_login(UserFactory(role=Role.PARTNER, organisation=_org("chamber-tokyo")))
    ministry = Client()
    ministry.force_login(UserFactory(role=Role.MINISTRY))
    for action in ("approve", "reject"):
        url = reverse("registrations:registration-contact-decide", args=[registration.pk, action])
        assert osaka.post(url).status_code == 404
        assert partner.post(url).status_code == 403
        assert ministry.post(url).status_code == 403
    assert (
        osaka.get(reverse("registrations:registration-detail", args=[registration.pk])).status_code
        == 404
    )
    registration.contact.refresh_from_db()
    assert registration.contact.status == Contact.Status.PENDING


# --- Chain 2: e-mail change and the export ------------------------------------------------------


@pytest.fixture
def admin_user():
    return UserFactory(role=Role.ADMIN, is_staff=True, username="admin",
                       email="admin@program.example")  # fmt: skip


def test_a_firm_cannot_take_over_an_address_by_changing_its_email(
    real_firm, admin_user, django_capture_on_commit_callbacks
):
    firm = _firm_client(real_firm)
    contact, user = real_firm.contact, real_firm.contact.user
    with django_capture_on_commit_callbacks(execute=True):
        response = firm.post(reverse("registrations:contact-update"), {
            "name": contact.name, "name_kana": "ホンモノ", "department": "", "phone": "0312345678",
            "email": "admin@program.example",
        })  # fmt: skip
    assert response.status_code == 302
    contact.refresh_from_db()
    user.refresh_from_db()
    assert contact.email == "real@honmono.example"  # nothing changed yet
    assert user.email == "real@honmono.example"
    assert user.username == "real@honmono.example"
    assert contact.pending_email == "admin@program.example"
    # The new address gets the link (account mail); the old one is told (account mail).
    confirm = OutboundEmail.objects.get(to="admin@program.example")
    assert confirm.kind == "account"
    [(_subject, body)] = _received("admin@program.example")
    assert "/my/contact/email/" in body  # delivered; the outbox keeps no copy of the link
    assert confirm.body == ""
    notice = OutboundEmail.objects.get(
        to="real@honmono.example", idempotency_key__endswith="notice"
    )
    assert notice.kind == "account"
    assert any("admin@program.example" in body and subject == notice.subject
               for subject, body in _received("real@honmono.example", "account"))  # fmt: skip

    # The attacker asks for a reset of the admin's password: it never reaches the export.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": "admin@program.example"})
    assert OutboundEmail.objects.filter(to="admin@program.example", kind="account").count() == 2
    for fmt in ("json", "csv"):
        export = firm.get(reverse("registrations:my-data", args=[fmt])).content.decode()
        assert "admin@program.example" not in export.replace(
            '"pending_email": "admin@program.example"', ""
        ).replace("新しいメールアドレス（未確認）,admin@program.example", "")
        assert "/accounts/reset/" not in export
        assert "/my/contact/email/" not in export
    data = json.loads(firm.get(reverse("registrations:my-data", args=["json"])).content)
    assert {email["kind"] for email in data["emails"]} == {"firm"}
    assert {email["to"] for email in data["emails"]} == {"real@honmono.example"}
    # The admin's sign-in is untouched; the firm still signs in under its own address.
    admin_user.refresh_from_db()
    assert admin_user.email == "admin@program.example"


def test_the_new_address_takes_effect_once_its_link_is_used(
    real_firm, django_capture_on_commit_callbacks
):
    firm = _firm_client(real_firm)
    contact = real_firm.contact
    with django_capture_on_commit_callbacks(execute=True):
        firm.post(reverse("registrations:contact-update"), {
            "name": contact.name, "name_kana": "ホンモノ", "department": "", "phone": "0312345678",
            "email": "New@Honmono.example",
        })  # fmt: skip
    (link,) = [link for link in _links("New@Honmono.example", "account")]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    visitor = Client()
    assert visitor.get(path).status_code == 200  # opening it changes nothing
    contact.refresh_from_db()
    assert contact.email == "real@honmono.example"
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(path).status_code == 302
    contact.refresh_from_db()
    contact.user.refresh_from_db()
    assert contact.email == "New@Honmono.example"
    assert contact.pending_email == ""
    assert contact.user.email == "New@Honmono.example"
    assert contact.user.username == "new@honmono.example"
    assert contact.email_verified_at is not None
    assert contact.history.first().email == "New@Honmono.example"
    assert OutboundEmail.objects.get(
        to="real@honmono.example", idempotency_key__contains="email-changed"
    )
    assert visitor.post(path).status_code == 404  # single use
    assert visitor.get(path).status_code == 404
    assert _can_sign_in("new@honmono.example", "correct-horse-battery")


def test_an_email_change_link_expires_and_a_newer_request_replaces_it(
    real_firm, monkeypatch, django_capture_on_commit_callbacks
):
    from registrations.services import contacts

    contact = real_firm.contact
    contacts.contact_email_change_request(contact=contact, email="a@honmono.example", actor=None)
    first = contacts.email_change_token_make(contact)
    contacts.contact_email_change_request(contact=contact, email="b@honmono.example", actor=None)
    second = contacts.email_change_token_make(contact)
    client = Client()
    url = lambda token: reverse("registrations:email-confirm", args=[token])  # noqa: E731
    assert client.post(url(first)).status_code == 404  # replaced
    assert client.post(url(f"{second}x")).status_code == 404  # tampered
    monkeypatch.setattr(contacts, "EMAIL_CHANGE_HOURS", 0)
    import time

    time.sleep(1.1)
    assert client.post(url(second)).status_code == 404  # expired
    contact.refresh_from_db()
    assert contact.email == "real@honmono.example"


def test_staff_changing_an_address_in_the_admin_follows_the_same_rule(
    real_firm, admin_user, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(admin_user)
    business = real_firm.business
    url = reverse("admin:registrations_business_change", args=[business.pk])
    page = client.get(url)
    data = _admin_form_data(page)
    data["contacts-0-email"] = "staff-typed@elsewhere.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, [
        (f.prefix, f.errors) for f in response.context["inline_admin_formsets"][0].formset.forms
    ] + [response.context["adminform"].form.errors]
    contact = real_firm.contact
    contact.refresh_from_db()
    assert contact.email == "real@honmono.example"
    assert contact.pending_email == "staff-typed@elsewhere.example"
    assert OutboundEmail.objects.get(to="staff-typed@elsewhere.example").kind == "account"


def _admin_form_data(page) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(field.widget, MultiWidget):
                parts = value if isinstance(value, list) else field.widget.decompress(value)
                for number, part in enumerate(parts):
                    data[f"{form.add_prefix(name)}_{number}"] = str(part)
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            else:
                data[form.add_prefix(name)] = value if value is not True else "on"
    return data


def test_firm_mail_to_an_address_not_yet_proven_is_not_in_the_export(
    django_capture_on_commit_callbacks,
):
    """A new firm: the confirmation goes out before the contact proved the address, so it is
    not the firm's mail; once the set-password link is used, later firm mails are."""
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registrations:register"),
                    form_data(email="first@newfirm.example", email_confirm="first@newfirm.example",
                              submission_token=str(uuid.uuid4())))  # fmt: skip
    registration = Registration.objects.get()
    assert registration.contact.status == Contact.Status.ACTIVE  # a new firm's first contact
    assert registration.contact.email_verified_at is None
    assert not BusinessMail.objects.filter(email__kind="firm").exists()
    _set_password_and_sign_in(client, "first@newfirm.example")
    registration.contact.refresh_from_db()
    assert registration.contact.email_verified_at is not None
    data = json.loads(client.get(reverse("registrations:my-data", args=["json"])).content)
    assert data["emails"] == []  # neither the confirmation (unproven) nor any account mail
    assert data["business"]["name"] == "株式会社山田製作所"  # the firm's own contact sees it
    from registrations.services.mail import mail_business_of

    assert mail_business_of(registration.contact) == registration.business
    assert len(mail.outbox) >= 2


def test_a_new_address_that_is_another_accounts_sign_in_is_refused_on_the_link_page(
    real_firm, django_capture_on_commit_callbacks
):
    other = RegistrationFactory(
        contact__user=UserFactory(role=Role.BUSINESS, username="taken@other.example")
    )
    firm = _firm_client(real_firm)
    contact = real_firm.contact
    with django_capture_on_commit_callbacks(execute=True):
        firm.post(reverse("registrations:contact-update"), {
            "name": contact.name, "name_kana": "ホンモノ", "department": "", "phone": "0312345678",
            "email": "taken@other.example",
        })  # fmt: skip
    (link,) = _links("taken@other.example", "account")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = Client().post(path)
    assert response.status_code == 409
    assert 'data-testid="email-in-use"' in response.text
    contact.refresh_from_db()
    other.contact.user.refresh_from_db()
    assert contact.email == "real@honmono.example"
    assert other.contact.user.username == "taken@other.example"


def test_the_registration_admin_cannot_move_a_pending_registration_by_hand(client, users):
    """An admin's POST to the registration's change page cannot confirm a registration that
    waits for approval, nor point it at another firm or contact: that goes through the
    approval service only."""
    registration = RegistrationFactory(
        status=Registration.Status.AWAITING_APPROVAL, contact__status=Contact.Status.PENDING
    )
    other = RegistrationFactory()
    client.force_login(users[Role.ADMIN])
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"status", "business", "contact", "registered_at"} & set(form.fields)
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(status=Registration.Status.REGISTERED, business=other.business_id,
                contact=other.contact_id)  # fmt: skip
    client.post(url, data)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_APPROVAL
    assert registration.business_id != other.business_id
    assert registration.contact.status == Contact.Status.PENDING
