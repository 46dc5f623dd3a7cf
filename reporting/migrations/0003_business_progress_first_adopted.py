"""The fact table gains the date of a firm's first adopted support menu (a headline figure,
issue 17). Its rows are derived data: they are emptied here, so the next read rebuilds them
with the new column filled (reporting.services.business_progress_ensure)."""

from django.db import migrations, models


def empty(apps, schema_editor):
    apps.get_model("reporting", "BusinessProgress").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_business_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="businessprogress",
            name="first_adopted_on",
            field=models.DateField(null=True, verbose_name="first adoption"),
        ),
        migrations.RunPython(empty, migrations.RunPython.noop),
    ]
