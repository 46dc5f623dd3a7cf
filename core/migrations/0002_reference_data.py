"""Load prefectures, JETRO offices and partner organisations, JSIC divisions and the
country → destination-region map from core/data/, so `migrate` alone gives a usable database."""

from django.db import migrations


def load(apps, schema_editor):
    from core.reference_data import reference_data_load

    reference_data_load(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
