"""Core knows no domain (issue 14): the outbox row's link to a business is now
registrations.BusinessMail and the contact data access log registrations.ContactDataAccess;
registrations 0008 copied the links and took over the log's table (so only the state goes)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_clean_stored_text"),
        ("registrations", "0008_businessmail_contactdataaccess"),
    ]

    operations = [
        migrations.RemoveField(model_name="outboundemail", name="business"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContactDataAccess")],
            database_operations=[],
        ),
    ]
