"""The data migration that marks existing contacts' addresses as proven (issue 13)."""

import secrets

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.roles import Role
from core.tests.factories import UserFactory
from registrations.models import Contact, Registration
from registrations.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

BEFORE = ("registrations", "0005_contact_access_and_verified_email")
AFTER = ("registrations", "0006_contacts_active_and_verified")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def test_existing_contacts_stay_active_and_proven_addresses_count_as_verified():
    _migrate(BEFORE)
    with_password = RegistrationFactory(contact__user=UserFactory(role=Role.BUSINESS)).contact
    never_set = UserFactory(role=Role.BUSINESS)
    never_set.set_unusable_password()
    never_set.save()
    without_password = RegistrationFactory(contact__user=never_set).contact
    consented = RegistrationFactory(channel=Registration.Channel.PARTNER).contact
    awaiting = RegistrationFactory(
        channel=Registration.Channel.PARTNER, status=Registration.Status.AWAITING_CONSENT,
        consent_nonce=secrets.token_hex(16), privacy_consented_at=None,
        sharing_consented_at=None,
    ).contact  # fmt: skip
    Contact.objects.update(email_verified_at=None)

    _migrate(AFTER)

    verified = set(
        Contact.objects.filter(email_verified_at__isnull=False).values_list("pk", flat=True)
    )
    assert verified == {with_password.pk, consented.pk}
    assert not {without_password.pk, awaiting.pk} & verified
    assert set(Contact.objects.values_list("status", flat=True)) == {Contact.Status.ACTIVE}
