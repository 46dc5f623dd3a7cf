"""The starting list of 課題 tags (counselling/reference_data.py); administrators edit it in the
admin."""

from django.db import migrations


def load(apps, schema_editor):
    from counselling.reference_data import reference_data_load

    reference_data_load(apps)


class Migration(migrations.Migration):
    dependencies = [("counselling", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
