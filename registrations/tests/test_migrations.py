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
    # The rows are made with today's models, then the schema goes back to before the migration
    # (the factories read tables, such as the offices, that later migrations changed).
    _migrate(BEFORE)
    Contact.objects.update(email_verified_at=None)

    _migrate(AFTER)

    verified = set(
        Contact.objects.filter(email_verified_at__isnull=False).values_list("pk", flat=True)
    )
    assert verified == {with_password.pk, consented.pk}
    assert not {without_password.pk, awaiting.pk} & verified
    assert set(Contact.objects.values_list("status", flat=True)) == {Contact.Status.ACTIVE}


def _state_apps(targets):
    if connection.vendor == "postgresql":  # rows made in this test: checked now, not at commit
        with connection.cursor() as cursor:  # (PostgreSQL alters no table with pending checks)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_mail_links_and_the_access_log_move_out_of_core_with_every_row():
    """registrations 0008 and core 0008: the outbox row's business becomes a BusinessMail,
    and the contact data access log keeps its rows under registrations."""
    before = [
        ("core", "0007_clean_stored_text"),
        ("registrations", "0007_contact_pending_by_default"),
    ]
    business = RegistrationFactory().business  # made with today's models, as above
    user = UserFactory(role=Role.CONCIERGE)
    apps = _state_apps(before)
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    linked = OutboundEmail.objects.create(
        idempotency_key="firm:1", to="a@example.jp", subject="s", body="b", kind="firm",
        business_id=business.pk,
    )  # fmt: skip
    OutboundEmail.objects.create(
        idempotency_key="firm:2", to="b@example.jp", subject="s", body="b", kind="firm"
    )
    access = apps.get_model("core", "ContactDataAccess").objects.create(
        user_id=user.pk, business_id=business.pk, page="case", path="/cases/1/"
    )

    apps = _state_apps([("core", "0008_outbox_and_access_log_leave_core")])

    links = apps.get_model("registrations", "BusinessMail").objects.values_list(
        "email_id", "business_id"
    )
    assert list(links) == [(linked.pk, business.pk)]
    log = apps.get_model("registrations", "ContactDataAccess").objects.get()
    assert (log.pk, log.user_id, log.business_id, log.page) == (
        access.pk, user.pk, business.pk, "case",
    )  # fmt: skip
