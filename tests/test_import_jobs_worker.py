"""Integration: a large survey results import uploaded in the admin is run by a real Celery
worker on the Redis broker, and a broker outage fails the job visibly and keeps the file."""

import io

import pytest
from django.utils.html import escape

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.helpers import SURVEY_IMPORT, survey_file
from support_menus.import_jobs import QUEUE_DOWN
from support_menus.models import ImportJob
from tests.celery_helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def admin_client(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_ASYNC_MIN_ROWS = 3
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    return client


def _upload(client, data: bytes, button: str):
    handle = io.BytesIO(data)
    handle.name = "results.csv"
    return client.post(SURVEY_IMPORT, {"file": handle, button: "1"})


@pytest.mark.usefixtures("worker")
def test_the_worker_imports_a_large_survey_file_the_admin_uploaded(admin_client):
    cases = [CaseFactory(status=Case.Status.SUPPORT) for _ in range(3)]
    response = _upload(admin_client, survey_file(cases), "import")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == "done", timeout=30)
    job.refresh_from_db()
    assert job.errors == []
    assert SurveyResponse.objects.count() == 6
    page = admin_client.get(response["Location"]).content.decode()
    assert job.summary in page
    assert "hx-get" not in page


@pytest.mark.usefixtures("broker_down")
def test_a_broker_outage_fails_the_import_job_and_keeps_the_file(admin_client):
    cases = [CaseFactory(status=Case.Status.SUPPORT) for _ in range(3)]
    response = _upload(admin_client, survey_file(cases), "import")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.file.read() == survey_file(cases)
    assert not SurveyResponse.objects.exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert escape(str(QUEUE_DOWN)) in page
