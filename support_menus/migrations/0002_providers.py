"""The providers of the starting catalogue (support_menus/reference_data.py); administrators
edit them in the admin. The menus themselves are imported with `manage.py catalogue import`."""

from django.db import migrations


def load(apps, schema_editor):
    from support_menus.reference_data import reference_data_load

    reference_data_load(apps)


class Migration(migrations.Migration):
    dependencies = [("support_menus", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
