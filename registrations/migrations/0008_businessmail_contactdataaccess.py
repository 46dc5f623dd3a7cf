"""Core's outbox and access log stop knowing the business (issue 14): the link from a firm mail
to the business it is about moves from core.OutboundEmail.business to registrations.BusinessMail
(copied here; core 0008 then drops the column), and core.ContactDataAccess becomes
registrations.ContactDataAccess (its table is renamed, so every row stays)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def links_copy(apps, schema_editor):
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    BusinessMail = apps.get_model("registrations", "BusinessMail")
    BusinessMail.objects.bulk_create(
        BusinessMail(email_id=email_id, business_id=business_id)
        for email_id, business_id in OutboundEmail.objects.filter(business__isnull=False)
        .values_list("id", "business_id")
        .iterator()
    )


def links_copy_back(apps, schema_editor):
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    BusinessMail = apps.get_model("registrations", "BusinessMail")
    for email_id, business_id in BusinessMail.objects.values_list("email_id", "business_id"):
        OutboundEmail.objects.filter(pk=email_id).update(business_id=business_id)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_clean_stored_text"),
        ("registrations", "0007_contact_pending_by_default"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BusinessMail",
            fields=[
                (
                    "email",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="business_mail",
                        serialize=False,
                        to="core.outboundemail",
                        verbose_name="e-mail",
                    ),
                ),
                (
                    "business",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mails",
                        to="registrations.business",
                        verbose_name="business",
                    ),
                ),
            ],
            options={
                "verbose_name": "firm mail",
                "verbose_name_plural": "firm mails",
                "ordering": ["email"],
            },
        ),
        migrations.RunPython(links_copy, links_copy_back),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContactDataAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "page",
                            models.CharField(
                                choices=[
                                    ("registration", "Registration page"),
                                    ("case", "Case page"),
                                    ("duplicates", "Suspected duplicates"),
                                    ("admin", "Administration"),
                                ],
                                max_length=20,
                                verbose_name="page",
                            ),
                        ),
                        ("path", models.CharField(max_length=300, verbose_name="address")),
                        (
                            "at",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now,
                                verbose_name="when",
                            ),
                        ),
                        (
                            "business",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                to="registrations.business", verbose_name="business",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                to=settings.AUTH_USER_MODEL, verbose_name="viewed by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "contact data access",
                        "verbose_name_plural": "contact data accesses",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(fields=["business", "-at"], name="contactaccess_business")
                        ],
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE core_contactdataaccess RENAME TO registrations_contactdataaccess",
                    "ALTER TABLE registrations_contactdataaccess RENAME TO core_contactdataaccess",
                ),
            ],
        ),
    ]
