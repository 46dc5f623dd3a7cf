import django.db.models.deletion
from django.db import migrations, models

ACCOUNT_PREFIXES = ("password-reset:",)
STAFF_PREFIXES = ("case-reminders:",)


def classify(apps, schema_editor):
    """Existing rows: reset mails and any mail carrying a set-password link are account mails
    (and lose their body once sent); reminders and answered notices go to staff; the rest
    went to firms. No business is recorded for old rows: the address they went to was never
    verified, so they stay out of the firm's data export."""
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    emails = OutboundEmail.objects.all()
    account = models.Q(body__contains="/reset/")
    for prefix in ACCOUNT_PREFIXES:
        account |= models.Q(idempotency_key__startswith=prefix)
    staff = models.Q(idempotency_key__contains=":answered:")
    for prefix in STAFF_PREFIXES:
        staff |= models.Q(idempotency_key__startswith=prefix)
    emails.filter(account).update(kind="account")
    emails.filter(account, status="sent").update(body="")
    emails.exclude(account).filter(staff).update(kind="staff")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_contact_data_access"),
        ("registrations", "0004_deletion_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("firm", "To a firm about its registration or case"),
                    ("staff", "To staff"),
                    ("account", "Account (password, second factor, address confirmation)"),
                ],
                default="firm",
                help_text="Account mails are never part of a firm's data export, and their bodies are blanked once delivered.",
                max_length=10,
                verbose_name="kind",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="business",
            field=models.ForeignKey(
                blank=True,
                help_text="The firm a firm mail was about, sent to its verified address.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="registrations.business",
                verbose_name="business",
            ),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
    ]
