"""Issue 13: dates and amounts within sense for proposals and the catalogue (ADR 0013): the
proposal's step date on the case page, the catalogue import's application window and subsidy
cap, and the repair migration for rows stored before the constraints."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from core.roles import Role
from core.validators import AMOUNT_TOO_LARGE, BEFORE_START, MAX_YEN, TOO_FAR_AHEAD, plan_latest
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from support_menus import services
from support_menus.models import Proposal, SupportMenu
from support_menus.resources import result_errors
from support_menus.tests.factories import SupportMenuFactory
from support_menus.tests.helpers import ROW, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(users):
    case = CaseFactory(
        registration__business__prefecture_id="13", status=Case.Status.COUNSELLING,
        concierge=users[Role.CONCIERGE],
    )  # fmt: skip
    SupportMenuFactory(code="m-plain")
    [proposal] = services.proposals_create(
        case=case, menu_codes=["m-plain"], note="", actor=users[Role.CONCIERGE],
        today=timezone.localdate(),
    )  # fmt: skip
    return proposal


@pytest.mark.parametrize("on", ["0001-01-01", "2019-12-31"])
def test_a_proposal_step_before_the_program_is_refused_beside_the_field(client, users, proposal,
                                                                        on):  # fmt: skip
    client.force_login(users[Role.CONCIERGE])
    url = reverse("support_menus:proposal-status", args=[proposal.case_id, proposal.pk])
    prefix = f"proposal-{proposal.pk}"
    response = client.post(url, {f"{prefix}-status": "applied", f"{prefix}-on": on})
    assert response.status_code == 400
    assert response.context["proposals"][0][1].errors["on"] == [
        BEFORE_START % {"start": "2020-01-01"}
    ]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.applied_on) == ("proposed", None)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("opens_on", "0001-01-01", lambda: BEFORE_START % {"start": "2020-01-01"}),
        ("closes_on", "9999-12-31",
         lambda: TOO_FAR_AHEAD % {"years": 10, "latest": plan_latest().isoformat()}),
        ("subsidy_cap_yen", str(MAX_YEN + 1), lambda: AMOUNT_TOO_LARGE % {"max": f"{MAX_YEN:,}"}),
        ("subsidy_cap_yen", "-1", lambda: "whole number"),
    ],
    ids=["opens_on-year-1", "closes_on-9999", "cap-huge", "cap-negative"],
)  # fmt: skip
def test_the_catalogue_import_names_row_and_column_of_a_value_out_of_sense(column, value,
                                                                           expected):  # fmt: skip
    with translation.override("en"):
        result = run_import([{**ROW, "code": "good"}, {**ROW, column: value}])
        errors = [str(line) for line in result_errors(result)]
        expected = str(expected())  # in English, like the errors
    assert any(line.startswith(f"Row 2, {column}: ") and expected in line for line in errors), (
        errors
    )
    assert not SupportMenu.objects.exists()


def test_a_window_within_sense_imports():
    window = {"opens_on": "2020-01-01", "closes_on": plan_latest().isoformat()}
    assert result_errors(run_import([{**ROW, **window}])) == []


def test_the_repair_migration_mends_menus_and_proposals_stored_before_the_constraints(proposal):
    menu = proposal.menu
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE support_menus_proposal DROP CONSTRAINT proposal_dates_in_range")
        cursor.execute(
            "ALTER TABLE support_menus_supportmenu "
            "DROP CONSTRAINT supportmenu_dates_amounts_in_range"
        )
        cursor.execute(
            "UPDATE support_menus_proposal SET proposed_on = '0001-01-01', "
            "applied_on = '9999-12-31', created_at = '2026-02-02 03:00+00', "
            "updated_at = '2026-02-05 03:00+00' WHERE id = %s",
            [proposal.pk],
        )
        cursor.execute(
            "UPDATE support_menus_supportmenu SET opens_on = '0001-01-01', "
            "subsidy_cap_yen = -1 WHERE id = %s",
            [menu.pk],
        )

    migration = importlib.import_module("support_menus.migrations.0003_repair_out_of_range_dates")
    migration.repair(apps, None)

    proposal = Proposal.objects.get(pk=proposal.pk)
    assert (proposal.proposed_on, proposal.applied_on) == (
        datetime.date(2026, 2, 2), datetime.date(2026, 2, 5),
    )  # fmt: skip
    menu.refresh_from_db()
    assert (menu.opens_on, menu.subsidy_cap_yen) == (None, None)
    assert menu.history.first().history_change_reason.startswith("ADR 0013")
    assert proposal.history.first().history_change_reason.startswith("ADR 0013")
