"""Browser: the admin's import job page follows the job by itself (htmx under the CSP) and
shows the result when the worker is done."""

from unittest import mock

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import Role
from core.tests.factories import UserFactory
from support_menus.import_jobs import import_job_queue
from support_menus.models import ImportJob
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_the_job_page_shows_progress_then_the_result_without_a_reload(
    live_server, page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    job = import_job_queue(
        kind=ImportJob.Kind.SURVEY_RESULTS, user=admin, file_name="results.csv", data=b"x",
        dry_run=True, options={}, row_count=5000, task=mock.Mock(),
    )  # fmt: skip
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    sign_in(page, live_server, admin)
    url = reverse("admin:outcomes_surveyresponse_import_job", args=[job.pk])
    page.goto(f"{live_server.url}{url}")
    status = page.get_by_test_id("import-job")
    expect(status).to_have_attribute("data-status", "queued")
    expect(page.locator("#import-job-progress")).to_be_visible()

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, summary="確認が終わりました（テスト）"
    )
    expect(page.get_by_test_id("import-job-summary")).to_have_text("確認が終わりました（テスト）",
                                                                  timeout=8000)  # fmt: skip
    expect(status).to_have_attribute("data-status", "done")
    assert not [text for text in problems if "Content Security Policy" in text], problems
