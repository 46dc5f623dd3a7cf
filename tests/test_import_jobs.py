"""Large imports from the admin run as Celery jobs, never in the web request: the upload is
stored, a job row records who/when/file/status/progress/result, the admin page shows the
progress and the result, the import stays check-first and all-or-nothing, and a broker outage
fails the job with a message and keeps the file. Small files keep the in-request path."""

import io
import os
import stat
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from kombu.exceptions import OperationalError

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.helpers import HEADER, SURVEY_IMPORT, line, survey_file
from support_menus import import_jobs
from support_menus.import_jobs import QUEUE_DOWN
from support_menus.models import ImportJob, SupportMenu
from support_menus.tests.helpers import ROW, csv_bytes

pytestmark = pytest.mark.django_db

CATALOGUE_IMPORT = reverse("admin:support_menus_supportmenu_import")


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.IMPORT_ASYNC_MIN_ROWS = 3
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_user(client, users):
    client.force_login(users[Role.ADMIN])
    return users[Role.ADMIN]


def upload(client, url, data: bytes, name: str, **fields):
    handle = io.BytesIO(data)
    handle.name = name
    field = "import_file" if url == CATALOGUE_IMPORT else "file"
    return client.post(url, {field: handle, **fields})


@pytest.fixture
def cases():
    return [CaseFactory(status=Case.Status.SUPPORT) for _ in range(3)]


def job_page(client, job) -> str:
    url = reverse("admin:outcomes_surveyresponse_import_job", args=[job.pk])
    if job.kind == ImportJob.Kind.CATALOGUE:
        url = reverse("admin:support_menus_supportmenu_import_job", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_large_survey_file_is_stored_and_queued_not_imported_in_the_request(
    client, admin_user, cases, django_capture_on_commit_callbacks
):
    with (
        mock.patch("outcomes.tasks.survey_results_import_job_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = upload(client, SURVEY_IMPORT, survey_file(cases), "結果.csv", **{"import": "1"})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:outcomes_surveyresponse_import_job",
                                           args=[job.pk])  # fmt: skip
    delay.assert_called_once_with(job.pk)
    assert not SurveyResponse.objects.exists()  # nothing imported in the web request
    assert (job.kind, job.requested_by, job.file_name, job.row_count) == (
        "survey_results", admin_user, "結果.csv", 6)  # fmt: skip
    assert (job.status, job.dry_run) == ("queued", False)
    assert job.file.read() == survey_file(cases)
    assert "結果" not in job.file.name  # stored under a random name
    assert stat.S_IMODE(os.stat(job.file.path).st_mode) == 0o600  # owner-only
    page = job_page(client, job)
    assert 'hx-get="' in page  # polls while queued
    assert 'data-status="queued"' in page


def test_a_checked_survey_file_is_imported_from_the_job_page(
    client, admin_user, cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in tests
        response = upload(client, SURVEY_IMPORT, survey_file(cases), "results.csv", check="1")
    check = ImportJob.objects.get()
    assert (check.status, check.dry_run, check.errors) == ("done", True, [])
    assert not SurveyResponse.objects.exists()  # a check saves nothing
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-job-summary"' in page
    assert "hx-get" not in page  # finished: no more polling
    assert 'name="import"' in page

    again = reverse("admin:outcomes_surveyresponse_import_job_again", args=[check.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(again, {"import": "1"})
    job = ImportJob.objects.latest("pk")
    assert job != check
    assert (job.status, job.dry_run, job.errors) == ("done", False, [])
    assert SurveyResponse.objects.count() == 6
    assert "6" in job.summary
    assert not job.file  # imported: the upload is not kept


def test_a_large_file_with_one_bad_row_imports_nothing_and_lists_the_problem(
    client, admin_user, cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, SURVEY_IMPORT, survey_file(cases, bad_row=True), "r.csv",
                          **{"import": "1"})  # fmt: skip
    job = ImportJob.objects.get()
    assert job.status == "done"
    assert len(job.errors) == 1
    assert "7" in job.errors[0]  # the seventh row
    assert not SurveyResponse.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert job.errors[0] in page
    assert 'name="import"' not in page  # nothing to import until the file is fixed


def test_a_broker_outage_fails_the_job_with_a_message_and_keeps_the_file(
    client, admin_user, cases, django_capture_on_commit_callbacks
):
    from outcomes.tasks import survey_results_import_job_task

    with (
        mock.patch.object(survey_results_import_job_task, "delay",
                          side_effect=OperationalError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):  # fmt: skip
        response = upload(client, SURVEY_IMPORT, survey_file(cases), "r.csv", **{"import": "1"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.message == str(QUEUE_DOWN)
    assert job.file.read() == survey_file(cases)  # not lost
    page = client.get(response["Location"]).content.decode()
    assert job.message in page
    assert 'name="import"' in page  # start it again from the stored file

    with django_capture_on_commit_callbacks(execute=True):  # the broker is back
        client.post(reverse("admin:outcomes_surveyresponse_import_job_again", args=[job.pk]),
                    {"import": "1"})  # fmt: skip
    assert ImportJob.objects.latest("pk").status == "done"
    assert SurveyResponse.objects.count() == 6


def test_the_page_shows_the_progress_the_worker_reports(client, admin_user, cases):
    job = import_jobs.import_job_queue(
        kind="survey_results", user=admin_user, file_name="r.csv", data=survey_file(cases),
        dry_run=True, options={}, row_count=6, task=mock.Mock(),
    )  # fmt: skip
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    cache.set(f"import-job:{job.pk}:progress", ("import", 4))
    url = reverse("admin:outcomes_surveyresponse_import_job", args=[job.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    partial = response.content.decode()
    assert partial.startswith('<div id="import-job"')  # only the part htmx swaps
    assert '<progress id="import-job-progress" max="6" value="4">' in partial
    assert f'hx-get="{url}"' in partial


def test_a_job_is_seen_by_the_user_who_uploaded_it_only(client, admin_user, cases):
    job = import_jobs.import_job_queue(
        kind="survey_results", user=admin_user, file_name="r.csv", data=survey_file(cases),
        dry_run=True, options={}, row_count=6, task=mock.Mock(),
    )  # fmt: skip
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    for name in ("import_job", "import_job_again"):
        url = reverse(f"admin:outcomes_surveyresponse_{name}", args=[job.pk])
        assert client.post(url, {"import": "1"}).status_code == 404
    catalogue_url = reverse("admin:support_menus_supportmenu_import_job", args=[job.pk])
    client.force_login(admin_user)
    assert client.get(catalogue_url).status_code == 404  # a survey job is not a catalogue one


def test_a_small_survey_file_is_still_imported_in_the_request(client, admin_user, cases):
    data = ("\r\n".join((HEADER, line(registration_ref=cases[0].registration.reference)))
            + "\r\n").encode()  # fmt: skip
    response = upload(client, SURVEY_IMPORT, data, "r.csv", **{"import": "1"})
    assert response.status_code == 200
    assert response.context["result"].created == 1
    assert not ImportJob.objects.exists()


def test_a_large_catalogue_file_is_checked_then_imported_by_jobs(
    client, admin_user, django_capture_on_commit_callbacks
):
    rows = [{**ROW, "code": f"menu-{number}"} for number in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, CATALOGUE_IMPORT, csv_bytes(rows), "menus.csv", format=0,
                          resource=0)  # fmt: skip
    check = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:support_menus_supportmenu_import_job",
                                           args=[check.pk])  # fmt: skip
    assert (check.kind, check.status, check.dry_run, check.row_count) == (
        "catalogue", "done", True, 4)  # fmt: skip
    assert not SupportMenu.objects.exists()
    assert "menus.csv" in check.summary
    assert 'name="import"' in job_page(client, check)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:support_menus_supportmenu_import_job_again", args=[check.pk]),
                    {"import": "1"})  # fmt: skip
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.errors) == ("done", [])
    assert SupportMenu.objects.count() == 4
    assert {m.history.first().history_user for m in SupportMenu.objects.all()} == {admin_user}


def test_a_large_catalogue_file_with_a_bad_row_imports_nothing(
    client, admin_user, django_capture_on_commit_callbacks
):
    rows = [{**ROW, "code": f"menu-{number}"} for number in range(3)]
    rows.append({**ROW, "code": "bad", "stages": "nowhere"})
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, CATALOGUE_IMPORT, csv_bytes(rows), "menus.csv", format=0, resource=0)
    job = ImportJob.objects.get()
    assert job.status == "done"
    assert any("nowhere" in line for line in job.errors)
    assert not SupportMenu.objects.exists()


def test_a_small_catalogue_file_is_still_previewed_in_the_request(client, admin_user):
    response = upload(client, CATALOGUE_IMPORT, csv_bytes([ROW]), "menus.csv", format=0,
                      resource=0)  # fmt: skip
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert not ImportJob.objects.exists()


def test_a_job_that_raises_is_marked_failed_and_keeps_the_file(admin_user, cases):
    job = import_jobs.import_job_queue(
        kind="survey_results", user=admin_user, file_name="r.csv", data=survey_file(cases),
        dry_run=False, options={}, row_count=6, task=mock.Mock(),
    )  # fmt: skip

    def runner(job, data, progress):
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        import_jobs.import_job_run(job_id=job.pk, runner=runner)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == str(import_jobs.JOB_FAILED)
    assert import_jobs.import_job_file_kept(job)


def test_the_admin_lists_the_users_own_jobs_with_a_link_to_each(client, admin_user, cases):
    mine = import_jobs.import_job_queue(
        kind="survey_results", user=admin_user, file_name="mine.csv", data=b"x",
        dry_run=True, options={}, row_count=6, task=mock.Mock(),
    )  # fmt: skip
    import_jobs.import_job_queue(
        kind="catalogue", user=UserFactory(role=Role.ADMIN, is_staff=True),
        file_name="theirs.csv", data=b"x", dry_run=True, options={}, row_count=6,
        task=mock.Mock(),
    )  # fmt: skip
    page = client.get(reverse("admin:support_menus_importjob_changelist")).content.decode()
    assert "mine.csv" in page
    assert "theirs.csv" not in page
    assert reverse("admin:outcomes_surveyresponse_import_job", args=[mine.pk]) in page


def test_kept_files_are_deleted_after_the_keeping_time_and_the_jobs_stay(admin_user, settings):
    import datetime

    from django.utils import timezone

    from support_menus.tasks import import_files_purge_task

    settings.IMPORT_FILE_KEEP_DAYS = 7
    old, recent = (
        import_jobs.import_job_queue(
            kind="survey_results",
            user=admin_user,
            file_name=f"{name}.csv",
            data=b"x",
            dry_run=True,
            options={},
            row_count=6,
            task=mock.Mock(),
        )  # fmt: skip
        for name in ("old", "recent")
    )
    now = timezone.now()
    ImportJob.objects.filter(pk=old.pk).update(
        status="done", finished_at=now - datetime.timedelta(days=8)
    )
    ImportJob.objects.filter(pk=recent.pk).update(
        status="done", finished_at=now - datetime.timedelta(days=6)
    )
    path = old.file.path
    assert import_files_purge_task.apply().get() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file
    assert not os.path.exists(path)
    assert import_jobs.import_job_file_kept(recent)
