from io import StringIO

import pytest
from celery import current_app
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_beat_schedules_are_created_once_and_kept_as_edited():
    call_command("setup_periodic_tasks", stdout=StringIO())
    reminders = PeriodicTask.objects.get(task="counselling.case_reminders_send")
    assert reminders.crontab.hour == "8"
    reminders.enabled = False
    reminders.save()
    call_command("setup_periodic_tasks", stdout=StringIO())
    assert PeriodicTask.objects.get(task="counselling.case_reminders_send").enabled is False
    assert PeriodicTask.objects.filter(task="core.email_outbox_dispatch").count() == 1


def test_the_beat_schedules_name_registered_tasks():
    """Every schedule setup_periodic_tasks creates points at a task the worker knows."""
    call_command("setup_periodic_tasks", stdout=StringIO())
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"outcomes.surveys_schedule", "outcomes.survey_reminders_send",
            "support_menus.case_rankings_refresh_all"} <= names  # fmt: skip
    current_app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    assert names <= set(current_app.tasks)
