"""The dashboard's fact table: what a rebuild holds, rebuilds at the same time, and the page
that rebuilds it when it is missing or old."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.tests.factories import CaseFactory
from registrations.models import Registration
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting.models import BusinessProgress
from reporting.services import business_progress_refresh
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

JST = datetime.timezone(datetime.timedelta(hours=9))


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2025, 6, day, 10, tzinfo=JST)


@pytest.mark.django_db
def test_a_rebuild_holds_each_firm_once_with_its_latest_registration():
    business = BusinessFactory(prefecture_id="04", industry_id="E", size_class="small")
    old = CaseFactory(registration=RegistrationFactory(business=business, registered_at=_at(1)))
    latest = CaseFactory(
        registration=RegistrationFactory(
            business=business, registered_at=_at(20), challenge_type="new_market",
            referral_source="chamber", is_reregistration=True,
        ),
        first_contact_at=_at(22), stage="challenge", status="proposals",
        realised_on=datetime.date(2025, 9, 1),
    )  # fmt: skip
    menu = SupportMenuFactory()
    for day in (25, 23):
        Proposal.objects.create(case=latest, menu=menu, score=1, status="declined",
                                proposed_on=datetime.date(2025, 6, day))  # fmt: skip
    withdrawn = CaseFactory(registration=RegistrationFactory(status=Registration.Status.WITHDRAWN))
    merged = CaseFactory()
    merged.registration.business.merged_into = business
    merged.registration.business.save()

    assert business_progress_refresh() == 1

    row = BusinessProgress.objects.get()
    assert row.case_id == latest.pk
    assert {old.pk, withdrawn.pk, merged.pk}.isdisjoint({row.case_id})
    assert (row.business_id, row.prefecture, row.region, row.industry, row.size_class) == (
        business.pk, "04", "tohoku", "E", "small",
    )  # fmt: skip
    assert (row.challenge_type, row.referral_source) == ("new_market", "chamber")
    assert row.registered_at == _at(20)
    assert row.first_contact_at == _at(22)
    assert row.first_proposed_on == datetime.date(2025, 6, 23)
    assert row.realised_on == datetime.date(2025, 9, 1)
    assert (row.stage, row.status) == ("challenge", "proposals")


@pytest.mark.django_db
def test_a_rebuild_replaces_the_old_rows_and_takes_the_time_of_the_rebuild():
    CaseFactory.create_batch(2)
    business_progress_refresh(now=_at(1))
    CaseFactory()
    assert business_progress_refresh(now=_at(2)) == 3
    assert set(BusinessProgress.objects.values_list("refreshed_at", flat=True)) == {_at(2)}


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_both_finish_with_every_firm_once(reference_data):
    CaseFactory.create_batch(30)
    errors, barrier = [], threading.Barrier(2)

    def rebuild():
        try:
            barrier.wait()
            business_progress_refresh()
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert BusinessProgress.objects.count() == 30


@pytest.mark.django_db
def test_the_first_visit_builds_the_figures_and_an_old_table_is_rebuilt_after_the_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BUSINESS_PROGRESS_REFRESH_MINUTES = 10
    client.force_login(UserFactory(role=Role.MINISTRY))
    CaseFactory.create_batch(2)
    url = reverse("reporting:progress")

    response = client.get(url)
    assert BusinessProgress.objects.count() == 2
    assert response.context["dashboard"].headlines[0].value == 2

    CaseFactory()
    BusinessProgress.objects.update(refreshed_at=timezone.now() - datetime.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(url)
    # This page showed the figures it had; the rebuild ran after it (eagerly in tests).
    assert response.context["dashboard"].headlines[0].value == 2
    assert len(callbacks) == 1
    assert BusinessProgress.objects.count() == 3

    # A second stale page within the interval does not queue another rebuild.
    BusinessProgress.objects.update(refreshed_at=timezone.now() - datetime.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(url)
    assert callbacks == []


@pytest.mark.django_db
def test_aggregate_exports_never_read_an_empty_table(client, tmp_path):
    """Without a beat run or a dashboard visit first, the open-data tables still count."""
    CaseFactory.create_batch(4)
    path = tmp_path / "aggregates.csv"
    call_command("export_progress", aggregate=True, output=str(path), stdout=io.StringIO())
    funnel = [line for line in path.read_text(encoding="utf-8-sig").splitlines()
              if line.startswith("funnel,") and ",registered," in line]  # fmt: skip
    assert funnel[0].split(",")[6] == "4"

    BusinessProgress.objects.all().delete()
    client.force_login(UserFactory(role=Role.MINISTRY))
    response = client.get(reverse("reporting:progress-export") + "?kind=aggregates&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(",") for line in body.splitlines() if line.startswith("funnel,")]
    assert [row[6] for row in rows if row[2] == "registered"] == ["4"]
