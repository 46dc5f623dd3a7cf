"""Contacts that existed before pending approval are the firms' contacts (active, the field's
default). Their address counts as verified where its owner has shown it: the sign-in account
has a password (set from the link e-mailed to that address) or the contact confirmed a
partner's referral from the consent link sent to it."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def verify(apps, schema_editor):
    Contact = apps.get_model("registrations", "Contact")
    proven = Q(user__isnull=False) & ~Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    proven |= Q(registrations__channel="partner", registrations__consent_nonce="") & ~Q(
        registrations__status="awaiting_consent"
    )
    ids = Contact.objects.filter(proven, email_verified_at__isnull=True).values("pk")
    Contact.objects.filter(pk__in=ids).update(email_verified_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("registrations", "0005_contact_access_and_verified_email")]

    operations = [migrations.RunPython(verify, migrations.RunPython.noop)]
