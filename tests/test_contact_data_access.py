"""Every page that shows staff a firm's contact data records who saw it, when and where;
pages without contact data record nothing; admins read the record."""

import pytest
from django.urls import reverse

from core.roles import Role
from counselling.tests.factories import CaseFactory
from registrations.models import ContactDataAccess, DuplicateFlag
from registrations.tests.factories import BusinessFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _seen():
    return list(ContactDataAccess.objects.values_list("user__username", "business_id", "page"))


def test_the_registration_and_case_pages_record_the_concierge_and_the_firm(client, users):
    concierge = users[Role.CONCIERGE]
    case = CaseFactory()
    client.force_login(concierge)

    page = client.get(reverse("registrations:registration-detail", args=[case.registration_id]))
    assert case.registration.contact.email in page.content.decode()
    client.get(reverse("counselling:case-detail", args=[case.pk]))

    business = case.registration.business_id
    assert _seen() == [(concierge.username, business, "case"),
                       (concierge.username, business, "registration")]  # fmt: skip
    access = ContactDataAccess.objects.filter(page="case").get()
    assert access.path == reverse("counselling:case-detail", args=[case.pk])


def test_the_duplicate_queue_records_both_firms_of_each_pair(client, users):
    registration = RegistrationFactory()
    existing = BusinessFactory()
    DuplicateFlag.objects.create(registration=registration, business=registration.business,
                                 candidate=existing, reason="name_phone")  # fmt: skip
    client.force_login(users[Role.CONCIERGE])

    client.get(reverse("registrations:duplicate-queue"))

    assert {business for _user, business, _page in _seen()} == {
        registration.business_id, existing.pk,
    }  # fmt: skip


def test_out_of_scope_and_contact_free_pages_record_nothing(client, users, jetro_osaka):
    osaka_case = CaseFactory(registration=RegistrationFactory(
        business=BusinessFactory(prefecture_id="27")))  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    assert client.get(reverse("counselling:case-detail", args=[osaka_case.pk])).status_code == 404

    client.force_login(users[Role.MINISTRY])
    client.get(reverse("reporting:progress"))
    client.get(reverse("reporting:progress-businesses"))
    assert _seen() == []


def test_the_admin_business_page_is_recorded_and_admins_read_the_record(client, users):
    admin_user = users[Role.ADMIN]
    business = BusinessFactory()
    client.force_login(admin_user)

    client.get(reverse("admin:registrations_business_change", args=[business.pk]))
    assert _seen() == [(admin_user.username, business.pk, "admin")]

    log = client.get(reverse("admin:registrations_contactdataaccess_changelist"))
    assert log.status_code == 200
    assert business.name in log.content.decode()
    assert client.get(reverse("admin:registrations_contactdataaccess_add")).status_code == 403

    client.force_login(users[Role.CONCIERGE])
    response = client.get(reverse("admin:registrations_contactdataaccess_changelist"))
    assert response.status_code == 302
