"""The fact table is the progress of a business: FirmProgress becomes BusinessProgress (code
says "business" throughout, issue 14). The table, its index and the beat's task follow; the
content type is renamed by contenttypes itself, so grants and admin log entries stay."""

from django.db import migrations
from django.utils import timezone

TASKS = ("reporting.firm_progress_refresh", "reporting.business_progress_refresh")


def rename_task(apps, old: str, new: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(task=old).update(task=new):  # the beat reloads on this
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    rename_task(apps, *TASKS)


def backwards(apps, schema_editor):
    rename_task(apps, *reversed(TASKS))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [
        migrations.RenameModel("FirmProgress", "BusinessProgress"),
        migrations.RenameIndex(
            model_name="businessprogress",
            new_name="businessprogress_registered_at",
            old_name="firmprogress_registered_at",
        ),
        migrations.RunPython(forwards, backwards),
    ]
