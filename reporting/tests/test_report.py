"""The outcome report's arithmetic against hand-computed figures, and its command and page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.roles import Role
from counselling.models import Case
from counselling.tests.factories import CaseFactory
from outcomes import services
from outcomes.tests.factories import SurveyFactory
from reporting.report import CSV_COLUMNS, Answer, outcome_figures, pct
from support_menus.tests.factories import SupportMenuFactory


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 8, "12.5"),
        (1, 16, "6.3"),
        (49, 400, "12.3"),
        (0, 5, "0.0"),
        (5, 5, "100.0"),
    ],  # fmt: skip
)
def test_percentages_have_one_decimal_rounded_half_up(part, whole, expected):
    assert pct(part, whole) == Decimal(expected)


def test_a_percentage_of_nothing_is_empty():
    assert pct(0, 0) is None


def answer(realised="yes", target="", trajectory="", efforts=(), fee="", groups=("g",)):
    return Answer(groups, realised, target, trajectory, tuple(efforts), fee)


def test_figures_match_a_hand_computed_table():
    # 8 respondents: 5 realised (2 achieved their target, 1 missed it, 2 had none);
    # trajectories of the successes: 3 increased, 1 flat, 1 unanswered;
    # own efforts of the successes: PR ×3, own EC ×1 (one firm both), none ×2;
    # fees of all: 0 ×2, le100k ×3, le200k ×1, gt300k ×1, unanswered ×1.
    answers = [
        answer(target="yes", trajectory="increased", efforts=["pr", "own_ec"], fee="le100k"),
        answer(target="yes", trajectory="increased", efforts=["pr"], fee="le100k"),
        answer(target="no", trajectory="increased", efforts=["pr"], fee="0"),
        answer(trajectory="flat", fee="le200k"),
        answer(fee="gt300k"),
        answer(realised="no", fee="le100k"),
        answer(realised="negotiating", fee="0"),
        answer(realised="no", efforts=["pr"]),  # efforts of non-successes are not counted
    ]
    [g] = outcome_figures(answers)
    row = dict(zip(CSV_COLUMNS, g.csv_row(), strict=False))
    assert row == {
        "group": "g", "respondents": 8, "succeeded": 5, "succeeded_pct": Decimal("62.5"),
        "target_achieved": 2, "target_achieved_pct": Decimal("40.0"),
        "target_missed_or_unset": 3, "target_missed_or_unset_pct": Decimal("60.0"),
        "trajectory_increased": 3, "trajectory_flat": 1, "trajectory_decreased": 0,
        "own_efforts_any": 3, "willing_to_pay": 5, "fee_le100k": 3, "fee_le200k": 1,
        "fee_le300k": 0, "fee_gt300k": 1,
    }  # fmt: skip
    assert g.own_efforts["pr"] == 3
    assert g.share_of_successes(g.own_efforts["own_ec"]) == Decimal("20.0")
    assert g.share_of_payers(g.fee_bands["le100k"]) == Decimal("60.0")


def test_an_answer_counts_in_each_of_its_groups_and_named_groups_come_first():
    figures = outcome_figures(
        [answer(groups=("ip", "finance")), answer(realised="no", groups=("finance",))],
        order=["hands_on", "finance", "ip"],
    )
    assert [(g.group, g.respondents, g.succeeded) for g in figures] == [
        ("hands_on", 0, 0), ("finance", 2, 1), ("ip", 1, 1),
    ]  # fmt: skip


@pytest.fixture
def answered(db):
    """Two firms: one realised (used an IP and a finance menu), one not (used an IP menu),
    the first with an older answer that must not count."""
    ip, finance = SupportMenuFactory(category="ip"), SupportMenuFactory(category="finance")
    first = CaseFactory(status=Case.Status.FOLLOW_UP, stage="challenge")
    old = SurveyFactory(case=first, wave_months=6)
    services.survey_answer(survey=old, data={"export_realised": "no"}, source="web")
    new = SurveyFactory(case=first, wave_months=12)
    services.survey_answer(survey=new, source="web", data={
        "export_realised": "yes", "first_export_date": "2026-05-01", "target_set": "yes",
        "target_achieved": "yes", "trajectory": "increased", "fee_band": "le100k",
        "menus_used": [ip, finance],
    })  # fmt: skip
    second = CaseFactory(status=Case.Status.FOLLOW_UP, stage="preparation")
    services.survey_answer(survey=SurveyFactory(case=second), source="phone",
                           data={"export_realised": "no", "menus_used": [ip]})  # fmt: skip


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.usefixtures("answered")
def test_the_command_writes_the_csv_columns_in_order_grouped_by_menu_category(capsys):
    call_command("outcome_report", "--group-by", "menu_category", "--format", "csv")
    text = capsys.readouterr().out
    assert tuple(text.splitlines()[0].split(",")[: len(CSV_COLUMNS)]) == CSV_COLUMNS
    rows = {row["group"]: row for row in read_csv(text)}
    assert (rows["ip"]["respondents"], rows["ip"]["succeeded"], rows["ip"]["succeeded_pct"]) == (
        "2", "1", "50.0",
    )  # fmt: skip
    assert (rows["finance"]["respondents"], rows["finance"]["target_achieved_pct"]) == (
        "1",
        "100.0",
    )
    assert rows["hands_on"]["respondents"] == "0"
    assert rows["hands_on"]["succeeded_pct"] == ""


@pytest.mark.usefixtures("answered")
def test_the_command_groups_by_stage_and_prints_a_table(capsys):
    call_command("outcome_report", "--group-by", "stage")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["group", "respondents", "succeeded"]
    by_group = {line.split()[0]: line.split() for line in lines[1:]}
    assert by_group["challenge"][1:3] == ["1", "1"]
    assert by_group["preparation"][1:3] == ["1", "0"]


@pytest.mark.parametrize("role", list(Role))
def test_the_report_page_is_for_the_ministry_and_admins(client, users, answered, role):
    client.force_login(users[role])
    response = client.get(reverse("reporting:report"), {"group_by": "region"})
    assert response.status_code == (200 if role in (Role.MINISTRY, Role.ADMIN) else 403)
    if response.status_code == 200:
        assert 'data-group="kanto"' in response.content.decode()


def test_the_report_page_downloads_csv(client, users, answered):
    client.force_login(users[Role.MINISTRY])
    response = client.get(reverse("reporting:report"), {"group_by": "none", "format": "csv"})
    [row] = read_csv(response.content.decode())
    assert (row["group"], row["respondents"], row["succeeded"]) == ("all", "2", "1")


def test_the_report_page_runs_a_fixed_number_of_queries(client, users, answered,
                                                        django_assert_max_num_queries):  # fmt: skip
    client.force_login(users[Role.MINISTRY])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reporting:report")).status_code == 200
