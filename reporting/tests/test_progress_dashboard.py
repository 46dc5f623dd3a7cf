"""The progress dashboard's figures on the real database, against a small hand-computed set of
firms, and its page: a fixed number of queries and the filter errors next to their fields.

The period is 2025-04-01 to 2025-09-30 (183 days; the period before it is 2024-09-30 to
2025-03-31). Firms (each with its latest registered registration):

    firm  pref  industry size   challenge    referral  registered        first contact
    A     04    E        sme    first_export web       2024-06-10        2024-06-20
    B     04    E        small  new_market   chamber   2025-04-01 00:30  2025-04-06 00:30 (5 d)
    C     02    A        small  first_export shokokai  2025-05-20        2025-06-09 (20 d)
    D     13    I        mid    new_product  jetro     2025-06-05        2025-06-08 (3 d)
    E     13    E        —      first_export web       2025-07-01 00:30  —
    F     13    E        sme    restart      web       2025-08-01        2025-08-11 (10 d)
          (F registered before, on 2024-11-01, contacted 2024-11-05: that case no longer counts)
    I     13    E        large  first_export web       2023-05-01        2023-05-10
    J     04    E        small  first_export web       2025-10-05 (after) 2025-10-06
    K     02    E        sme    first_export web       2024-12-01        2024-12-13 (12 d)
    G     04: withdrawn registration; H 04: merged into B's business (neither counts).

    first proposal: A 2024-07-01, B 2025-05-01, C 2025-07-01, F 2025-08-20, I 2023-06-01
    first adoption: B 2025-06-01, I 2023-06-01 (completed, no decision date: its proposal's),
                    C 2025-10-05 (after the period); H's (merged) never counts
    realised:       A 2025-05-15, B 2025-08-20, F 2025-09-10, I 2024-03-01
"""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.roles import Role
from counselling.models import Case, StageChange
from counselling.tests.factories import CaseFactory
from outcomes.models import SurveyResponse
from outcomes.tests.factories import SurveyFactory
from registrations.models import Registration
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting.dashboard import progress_cases, progress_dashboard
from reporting.filters import ProgressFilterForm, ProgressFilters, fiscal_year_start
from reporting.models import BusinessProgress
from reporting.services import business_progress_refresh
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = ProgressFilters(date_from=datetime.date(2025, 4, 1), date_to=datetime.date(2025, 9, 30))


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def day(year, month, d) -> datetime.date:
    return datetime.date(year, month, d)


def firm(
    name, prefecture, *, registered_at, industry="E", size_class="sme", challenge="first_export",
    referral="web", first_contact_at=None, proposed_on=(), realised_on=None,
    status=Case.Status.NEW, stage="", business=None,
    registration_status=Registration.Status.REGISTERED,
) -> Case:  # fmt: skip
    """A firm's registration and its case, every date given."""
    if business is None:
        business = BusinessFactory(
            name=name, prefecture_id=prefecture, industry_id=industry, size_class=size_class
        )
    registration = RegistrationFactory(
        business=business, status=registration_status, registered_at=registered_at,
        challenge_type=challenge, referral_source=referral,
        withdrawn_at=registered_at + datetime.timedelta(days=1)
        if registration_status == Registration.Status.WITHDRAWN else None,
    )  # fmt: skip
    case = CaseFactory(
        registration=registration, status=status, stage=stage, first_contact_at=first_contact_at,
        realised_on=realised_on,
    )  # fmt: skip
    for proposed in proposed_on:
        Proposal.objects.create(
            case=case, menu=SupportMenuFactory(), score=50, proposed_on=proposed
        )
    return case


def answer(case, wave, answered_at, *, realised="yes", destinations=(), target="", trajectory=""):
    survey = SurveyFactory(case=case, wave_months=wave, answered_at=answered_at)
    return SurveyResponse.objects.create(
        survey=survey, export_realised=realised, destinations=list(destinations),
        target_achieved=target, trajectory=trajectory, source="web", answered_at=answered_at,
    )  # fmt: skip


def stage_change(case, to_stage, created_at):
    StageChange.objects.create(case=case, to_stage=to_stage, reason="test", created_at=created_at)


@pytest.fixture
def world(db):
    S = Case.Status
    a = firm(
        "A社",
        "04",
        registered_at=at(2024, 6, 10),
        first_contact_at=at(2024, 6, 20),
        proposed_on=[day(2024, 7, 1), day(2025, 6, 1)],
        realised_on=day(2025, 5, 15),
        status=S.REALISED,
        stage="expansion",
    )
    b = firm(
        "B社",
        "04",
        registered_at=at(2025, 4, 1, 0, 30),
        size_class="small",
        challenge="new_market",
        referral="chamber",
        first_contact_at=at(2025, 4, 6, 0, 30),
        proposed_on=[day(2025, 5, 1), day(2025, 10, 10)],
        realised_on=day(2025, 8, 20),
        status=S.REALISED,
        stage="challenge",
    )
    c = firm(
        "C社",
        "02",
        registered_at=at(2025, 5, 20),
        industry="A",
        size_class="small",
        referral="shokokai",
        first_contact_at=at(2025, 6, 9),
        proposed_on=[day(2025, 7, 1)],
        status=S.SUPPORT,
        stage="preparation",
    )
    d = firm(
        "D社",
        "13",
        registered_at=at(2025, 6, 5),
        industry="I",
        size_class="mid",
        challenge="new_product",
        referral="jetro",
        first_contact_at=at(2025, 6, 8),
        status=S.COUNSELLING,
    )
    e = firm("E社", "13", registered_at=at(2025, 7, 1, 0, 30), size_class="")
    f_old = firm(
        "F社",
        "13",
        registered_at=at(2024, 11, 1),
        first_contact_at=at(2024, 11, 5),
        proposed_on=[day(2024, 11, 20)],
        realised_on=day(2024, 12, 20),
        status=S.CONTACTED,
        stage="expansion",
    )
    f = firm(
        "F社",
        "13",
        business=f_old.registration.business,
        registered_at=at(2025, 8, 1),
        challenge="restart",
        first_contact_at=at(2025, 8, 11),
        proposed_on=[day(2025, 8, 20)],
        realised_on=day(2025, 9, 10),
        status=S.REALISED,
        stage="challenge",
    )
    i = firm(
        "I社",
        "13",
        registered_at=at(2023, 5, 1),
        size_class="large",
        first_contact_at=at(2023, 5, 10),
        proposed_on=[day(2023, 6, 1)],
        realised_on=day(2024, 3, 1),
        status=S.REALISED,
        stage="expansion",
    )
    j = firm(
        "J社",
        "04",
        registered_at=at(2025, 10, 5),
        size_class="small",
        first_contact_at=at(2025, 10, 6),
    )
    k = firm(
        "K社",
        "02",
        registered_at=at(2024, 12, 1),
        first_contact_at=at(2024, 12, 13),
        status=S.CONTACTED,
        stage="challenge",
    )
    # Never counted: a withdrawn registration, and a duplicate merged into B's business.
    g = firm(
        "G社",
        "04",
        registered_at=at(2025, 5, 1),
        first_contact_at=at(2025, 8, 9),
        proposed_on=[day(2025, 8, 10)],
        status=S.NEW,
        stage="preparation",
        registration_status=Registration.Status.WITHDRAWN,
    )
    h = firm(
        "H社",
        "04",
        registered_at=at(2025, 6, 1),
        size_class="small",
        first_contact_at=at(2025, 9, 9),
        proposed_on=[day(2025, 9, 10)],
        realised_on=day(2025, 9, 20),
        status=S.SUPPORT,
        stage="challenge",
    )
    h.registration.business.merged_into = b.registration.business
    h.registration.business.save()

    # Survey answers. A: two in the period (the later counts); B: one in the period and one
    # after it; C: still negotiating; F: exported, nothing more recorded; I: before the period.
    answer(a, 6, at(2025, 5, 20), destinations=["US"], target="no", trajectory="flat")
    answer(a, 12, at(2025, 6, 1), destinations=["US", "TW"], target="yes", trajectory="increased")
    answer(b, 6, at(2025, 9, 1), destinations=["FR"], target="no", trajectory="flat")
    answer(b, 12, at(2025, 10, 15), destinations=["FR"], target="yes", trajectory="increased")
    answer(c, 6, at(2025, 8, 1), realised="negotiating")
    answer(f, 6, at(2025, 9, 20))
    answer(i, 6, at(2024, 4, 1), destinations=["CN"], target="yes", trajectory="decreased")
    answer(h, 6, at(2025, 9, 25), destinations=["AU"], target="yes", trajectory="decreased")

    adopt = Proposal.objects.filter
    adopt(case=b, proposed_on=day(2025, 5, 1)).update(status="adopted", decided_on=day(2025, 6, 1))
    adopt(case=i).update(status="completed")
    adopt(case=c).update(status="adopted", decided_on=day(2025, 10, 5))
    adopt(case=h).update(status="adopted", decided_on=day(2025, 9, 15))

    stage_change(a, "challenge", at(2025, 5, 1))
    stage_change(a, "challenge", at(2025, 7, 1))
    stage_change(a, "expansion", at(2025, 8, 1))
    stage_change(c, "preparation", at(2025, 6, 10))
    stage_change(k, "challenge", at(2025, 3, 20))  # before the period
    stage_change(h, "challenge", at(2025, 6, 15))  # merged
    stage_change(f_old, "expansion", at(2025, 5, 1))  # a registration that no longer counts
    business_progress_refresh()  # the dashboard reads its fact table
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "f_old": f_old, "i": i, "j": j,
            "k": k, "g": g, "h": h}  # fmt: skip


def headlines(dashboard) -> dict:
    return {h.key: (h.value, h.change) for h in dashboard.headlines}


def rows(table) -> dict:
    return {row.code: tuple(row.values[m] for m in table.measures) for row in table.rows}


def non_zero(table) -> dict:
    return {code: values for code, values in rows(table).items() if any(values)}


def by_key(dashboard, key):
    return next(table for table in dashboard.tables if table.key == key)


# --- progress_cases ----------------------------------------------------------------------------


def test_each_firm_counts_once_with_its_latest_registration(world):
    cases = set(progress_cases(PERIOD).values_list("pk", flat=True))
    expected = {world[name].pk for name in ("a", "b", "c", "d", "e", "f", "i", "j", "k")}
    assert cases == expected


def test_the_fact_table_holds_the_same_firms_with_their_codes_and_dates(world):
    assert set(BusinessProgress.objects.values_list("case_id", flat=True)) == set(
        progress_cases(PERIOD).values_list("pk", flat=True)
    )
    f = BusinessProgress.objects.get(case=world["f"])
    assert (f.business_id, f.prefecture, f.region, f.industry, f.size_class) == (
        world["f_old"].registration.business_id, "13", "kanto", "E", "sme",
    )  # fmt: skip
    assert (f.challenge_type, f.referral_source, f.stage, f.status) == (
        "restart", "web", "challenge", "realised",
    )  # fmt: skip
    assert (f.registered_at, f.first_contact_at, f.first_proposed_on, f.realised_on) == (
        at(2025, 8, 1), at(2025, 8, 11), day(2025, 8, 20), day(2025, 9, 10),
    )  # fmt: skip


def test_a_rebuild_replaces_the_fact_table(world):
    Case.objects.filter(pk=world["e"].pk).update(first_contact_at=at(2025, 7, 3, 0, 30))
    now = timezone.now()
    assert business_progress_refresh(now=now) == 9
    assert set(BusinessProgress.objects.values_list("refreshed_at", flat=True)) == {now}
    assert headlines(progress_dashboard(PERIOD))["counselled"] == (8, 5)


def test_progress_cases_annotate_the_first_proposal(world):
    first = dict(progress_cases(PERIOD).values_list("pk", "first_proposed_on"))
    assert first[world["b"].pk] == day(2025, 5, 1)
    assert first[world["f"].pk] == day(2025, 8, 20)
    assert first[world["d"].pk] is None


# --- headlines ---------------------------------------------------------------------------------


def test_headlines_are_totals_at_the_end_with_their_growth_in_the_period(world):
    assert headlines(progress_dashboard(PERIOD)) == {
        "registered": (8, 5),  # A B C D E F I K; at the start A I K
        "counselled": (7, 4),  # all but E; at the start A I K
        "proposed": (5, 3),  # A B C F I; at the start A I
        "adopted": (2, 1),  # B I; at the start I
        "realised": (4, 3),  # A B F I; at the start I
        "rate": (Decimal("50.0"), Decimal("16.7")),  # 4/8 against 1/3 = 33.3
        # Contacted in the period: D 3, B 5, F 10, C 20 days → 7.5; before it: K 12.
        "first_contact_days": (7.5, -4.5),
    }


def test_headline_labels_and_units():
    with translation.override("en"):
        dashboard = progress_dashboard(PERIOD)
        labels = {h.key: (str(h.label), str(h.unit)) for h in dashboard.headlines}
    assert labels == {
        "registered": ("Registered firms", ""),
        "counselled": ("Firms counselled", ""),
        "proposed": ("Firms proposed menus", ""),
        "adopted": ("Firms with a menu adopted", ""),
        "realised": ("Firms that realised an export", ""),
        "rate": ("Realisation rate", "%"),
        "first_contact_days": ("Median days to first contact", "days"),
    }


def test_no_firms_give_zeros_and_unknown_rates():
    assert headlines(progress_dashboard(PERIOD)) == {
        "registered": (0, 0), "counselled": (0, 0), "proposed": (0, 0), "adopted": (0, 0),
        "realised": (0, 0), "rate": (None, None), "first_contact_days": (None, None),
    }  # fmt: skip


# --- tables ------------------------------------------------------------------------------------


def test_month_by_month_with_running_totals(world):
    monthly = progress_dashboard(PERIOD).monthly
    assert [(row.code, *row.values.values()) for row in monthly.rows] == [
        # month, registered, registered cumulative, realised, realised cumulative
        ("2025-04", 1, 4, 0, 1),  # B at 00:30 Japan time on 1 April (31 March in UTC)
        ("2025-05", 1, 5, 1, 2),
        ("2025-06", 1, 6, 0, 2),
        ("2025-07", 1, 7, 0, 2),  # E at 00:30 on 1 July
        ("2025-08", 1, 8, 1, 3),
        ("2025-09", 0, 8, 1, 4),
    ]
    assert monthly.measures == ("registered", "registered_total", "realised", "realised_total")
    assert monthly.totals == {
        "registered": 5, "registered_total": 8, "realised": 3, "realised_total": 4,
    }  # fmt: skip
    assert monthly.rows[0].label == "2025年4月"


def test_the_funnel_follows_the_firms_registered_in_the_period(world):
    funnel = progress_dashboard(PERIOD).funnel
    # B C D E F registered; counselled B C D F; proposed B C F; realised B F.
    assert rows(funnel) == {
        "registered": (5,), "counselled": (4,), "proposed": (3,), "realised": (2,),
    }  # fmt: skip
    assert funnel.totals == {"firms": 5}


def test_breakdowns_by_region_and_prefecture(world):
    dashboard = progress_dashboard(PERIOD)
    region = by_key(dashboard, "region")
    assert [row.code for row in region.rows][:3] == ["hokkaido", "tohoku", "kanto"]
    assert len(region.rows) == 9
    assert non_zero(region) == {"tohoku": (2, 2, 2, 1), "kanto": (3, 2, 1, 1)}
    assert region.totals == {"registered": 5, "counselled": 4, "proposed": 3, "realised": 2}
    prefecture = by_key(dashboard, "prefecture")
    assert len(prefecture.rows) == 47
    assert prefecture.rows[0].code == "01"
    assert non_zero(prefecture) == {
        "02": (1, 1, 1, 0), "04": (1, 1, 1, 1), "13": (3, 2, 1, 1),
    }  # fmt: skip
    assert prefecture.totals == region.totals


def test_breakdowns_by_firm_and_registration(world):
    dashboard = progress_dashboard(PERIOD)
    assert non_zero(by_key(dashboard, "industry")) == {
        "A": (1, 1, 1, 0), "E": (3, 2, 2, 2), "I": (1, 1, 0, 0),
    }  # fmt: skip
    size = by_key(dashboard, "size_class")
    assert [(row.code, row.values["registered"]) for row in size.rows] == [
        ("small", 2),
        ("sme", 1),
        ("mid", 1),
        ("large", 0),
        ("", 1),  # E: not recorded, last
    ]
    assert str(size.rows[-1].label) == "記録なし"
    assert non_zero(size) == {
        "small": (2, 2, 2, 1), "sme": (1, 1, 1, 1), "mid": (1, 1, 0, 0), "": (1, 0, 0, 0),
    }  # fmt: skip
    assert rows(by_key(dashboard, "challenge_type")) == {
        "first_export": (2, 1, 1, 0), "new_market": (1, 1, 1, 1), "new_product": (1, 1, 0, 0),
        "new_method": (0, 0, 0, 0), "restart": (1, 1, 1, 1),
    }  # fmt: skip
    assert non_zero(by_key(dashboard, "referral")) == {
        "chamber": (1, 1, 1, 1), "shokokai": (1, 1, 1, 0), "jetro": (1, 1, 0, 0),
        "web": (2, 1, 1, 1),
    }  # fmt: skip


def test_open_cases_by_stage_and_the_firms_that_entered_each_stage(world):
    table = progress_dashboard(PERIOD).open_by_stage
    assert table.measures == ("open", "entered")
    # Open today: C preparation, K challenge, D E J not assessed. Entered in the period: A
    # challenge (twice, one firm) and expansion, C preparation.
    assert [(row.code, row.values["open"], row.values["entered"]) for row in table.rows] == [
        ("preparation", 1, 1), ("challenge", 1, 1), ("expansion", 0, 1), ("", 3, 0),
    ]  # fmt: skip


def test_destinations_of_the_exports_realised_in_the_period(world):
    destinations = progress_dashboard(PERIOD).destinations
    # A (US, TW) counts in North America and Asia; B (FR) in Europe; F answered without
    # destinations: not recorded. I realised before the period; H is merged.
    assert [row.code for row in destinations.rows] == [
        "asia", "north_america", "europe", "middle_east", "oceania", "latin_america", "africa",
        "other", "",
    ]  # fmt: skip
    assert non_zero(destinations) == {
        "asia": (1,), "north_america": (1,), "europe": (1,), "": (1,),
    }  # fmt: skip
    assert destinations.totals == {"firms": 3}


def test_a_realised_firm_without_any_answer_is_not_recorded(world):
    SurveyResponse.objects.filter(survey__case=world["f"]).delete()
    destinations = progress_dashboard(PERIOD).destinations
    assert rows(destinations)[""] == (1,)
    assert destinations.totals == {"firms": 3}


def test_target_and_trajectory_use_each_firms_latest_answer_in_the_period(world):
    dashboard = progress_dashboard(PERIOD)
    # A's later answer (yes, increased); B's answer in the period (no, flat), not the one
    # after it; F without either. C is still negotiating; I answered before the period.
    assert rows(dashboard.target) == {"yes": (1,), "no": (1,), "": (1,)}
    assert dashboard.target.totals == {"firms": 3}
    assert rows(dashboard.trajectory) == {
        "increased": (1,), "flat": (1,), "decreased": (0,), "": (1,),
    }  # fmt: skip


# --- firm filters ------------------------------------------------------------------------------


def test_a_region_filter_changes_every_figure(world):
    tohoku = ProgressFilters(PERIOD.date_from, PERIOD.date_to, region="tohoku")
    dashboard = progress_dashboard(tohoku)
    assert headlines(dashboard) == {
        "registered": (4, 2),  # A B C K; at the start A K
        "counselled": (4, 2),
        "proposed": (3, 2),  # A B C; at the start A
        "adopted": (1, 1),  # B
        "realised": (2, 2),  # A B
        "rate": (Decimal("50.0"), Decimal("50.0")),  # 2/4 against 0/2
        "first_contact_days": (12.5, 0.5),  # B 5 and C 20; before: K 12
    }
    assert rows(dashboard.funnel) == {
        "registered": (2,), "counselled": (2,), "proposed": (2,), "realised": (1,),
    }  # fmt: skip
    assert non_zero(by_key(dashboard, "region")) == {"tohoku": (2, 2, 2, 1)}
    assert non_zero(dashboard.destinations) == {
        "asia": (1,), "north_america": (1,), "europe": (1,),
    }  # fmt: skip
    assert dashboard.destinations.totals == {"firms": 2}
    assert rows(dashboard.target) == {"yes": (1,), "no": (1,), "": (0,)}
    assert [(row.code, row.values["registered"]) for row in dashboard.monthly.rows][:2] == [
        ("2025-04", 1), ("2025-05", 1),
    ]  # fmt: skip
    assert dashboard.monthly.rows[-1].values["registered_total"] == 4


def test_prefecture_and_size_filters(world):
    miyagi = progress_dashboard(ProgressFilters(PERIOD.date_from, PERIOD.date_to,
                                                prefecture="04"))  # fmt: skip
    assert headlines(miyagi)["registered"] == (2, 1)  # A B
    assert headlines(miyagi)["realised"] == (2, 2)
    small = progress_dashboard(ProgressFilters(PERIOD.date_from, PERIOD.date_to,
                                               size_class="small"))  # fmt: skip
    assert headlines(small)["registered"] == (2, 2)  # B C
    assert non_zero(by_key(small, "prefecture")) == {"02": (1, 1, 1, 0), "04": (1, 1, 1, 1)}
    manufacturing = progress_dashboard(ProgressFilters(PERIOD.date_from, PERIOD.date_to,
                                                       industry="E"))  # fmt: skip
    assert rows(manufacturing.funnel) == {
        "registered": (3,), "counselled": (2,), "proposed": (2,), "realised": (2,),
    }  # fmt: skip


# --- the filters -------------------------------------------------------------------------------


def test_filter_periods_are_in_japan_time():
    assert PERIOD.start == datetime.datetime(2025, 4, 1, tzinfo=TOKYO)
    assert PERIOD.end == datetime.datetime(2025, 10, 1, tzinfo=TOKYO)
    assert PERIOD.days == 183
    assert PERIOD.previous() == ProgressFilters(day(2024, 9, 30), day(2025, 3, 31))
    assert ProgressFilters.from_dict(PERIOD.as_dict()) == PERIOD
    assert fiscal_year_start(day(2026, 3, 31)) == day(2025, 4, 1)
    assert fiscal_year_start(day(2026, 4, 1)) == day(2026, 4, 1)


def test_the_default_period_is_the_fiscal_year_to_date():
    form = ProgressFilterForm(today=day(2026, 1, 15))
    assert form.filters() == ProgressFilters(day(2025, 4, 1), day(2026, 1, 15))
    form = ProgressFilterForm({"region": "tohoku"}, today=day(2026, 1, 15))
    assert form.filters() == ProgressFilters(day(2025, 4, 1), day(2026, 1, 15), region="tohoku")


def test_the_start_is_clipped_to_the_program_start():
    form = ProgressFilterForm({"date_from": "2020-01-01", "date_to": "2023-01-31"},
                              today=day(2026, 1, 15))  # fmt: skip
    assert form.filters() == ProgressFilters(day(2022, 12, 16), day(2023, 1, 31))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date_to": "2026-01-16"}, "date_to", "終了日に未来の日付は指定できません。"),
        ({"date_from": "2025-06-01", "date_to": "2025-05-01"}, "date_from",
         "開始日"),
        ({"region": "kanto", "prefecture": "04"}, "prefecture",
         "宮城県は選択した地域に含まれません。"),
    ],
)  # fmt: skip
def test_bad_filters_are_explained_and_the_defaults_apply(data, field, message):
    form = ProgressFilterForm(data, today=day(2026, 1, 15))
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert form.filters() == ProgressFilters(day(2025, 4, 1), day(2026, 1, 15))


# --- the page ----------------------------------------------------------------------------------

PERIOD_QUERY = {"date_from": "2025-04-01", "date_to": "2025-09-30", "region": "tohoku"}


def small_business(n: int, menu) -> Case:
    case = firm(f"株式会社{n}", "04" if n % 2 else "02", registered_at=at(2025, 4 + n % 6, 1),
                first_contact_at=at(2025, 4 + n % 6, 5), realised_on=day(2025, 9, 1),
                status=Case.Status.REALISED, stage="challenge", size_class="small")  # fmt: skip
    Proposal.objects.create(case=case, menu=menu, score=10, proposed_on=day(2025, 8, 1))
    answer(case, 6, at(2025, 9, 2), destinations=["US", "FR"], target="yes", trajectory="flat")
    stage_change(case, "challenge", at(2025, 6, 1))
    return case


def test_the_dashboard_runs_the_same_queries_for_3_and_30_firms(client, users):
    client.force_login(users[Role.MINISTRY])
    url = reverse("reporting:progress")
    menu = SupportMenuFactory()
    for n in range(3):
        small_business(n, menu)
    business_progress_refresh()
    client.get(url, PERIOD_QUERY)  # warm-up (content types, translations)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url, PERIOD_QUERY)
    assert response.status_code == 200
    assert response.context["dashboard"].funnel.totals == {"firms": 3}
    for n in range(3, 30):
        small_business(n, menu)
    business_progress_refresh()
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(url, PERIOD_QUERY)
    assert response.status_code == 200
    assert response.context["dashboard"].funnel.totals == {"firms": 30}
    assert len(thirty) == len(three)
    assert len(three) < 40


def test_the_first_visit_builds_the_fact_table_and_a_stale_one_is_rebuilt_soon(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.MINISTRY])
    url = reverse("reporting:progress")
    small_business(1, SupportMenuFactory())
    assert not BusinessProgress.objects.exists()
    response = client.get(url, PERIOD_QUERY)
    assert response.context["dashboard"].funnel.totals == {"firms": 1}
    stale = timezone.now() - datetime.timedelta(minutes=30)
    BusinessProgress.objects.update(refreshed_at=stale)
    small_business(3, SupportMenuFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, PERIOD_QUERY)
    # This page still shows the figures it had; the next one the rebuilt table.
    assert response.context["dashboard"].funnel.totals == {"firms": 1}
    assert BusinessProgress.objects.count() == 2
    assert BusinessProgress.objects.first().refreshed_at > stale


def test_the_page_shows_the_figures_and_tables(client, users, world):
    client.force_login(users[Role.MINISTRY])
    response = client.get(reverse("reporting:progress"), PERIOD_QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="headline-registered"[^>]*data-value="4">\s*4\s*<', html)
    assert re.search(r'data-testid="change-registered">\s*\+2\s', html)
    assert re.search(r'data-testid="headline-rate"[^>]*>50.0<', html)
    assert "2025年4月1日" in html
    for key in ("region", "prefecture", "destinations", "target", "trajectory", "monthly"):
        assert f'data-testid="table-{key}"' in html
    assert 'id="dashboard-data"' in html
    assert response.context["filters"] == ProgressFilters(
        day(2025, 4, 1), day(2025, 9, 30), region="tohoku"
    )


def _default_period_shown(response) -> None:
    today = timezone.localdate()
    assert response.context["filters"] == ProgressFilters.default(today)
    period = re.search(r'data-testid="period">(.*?)</p>', response.content.decode(), re.S)
    assert date_format(fiscal_year_start(today)) in period.group(1)  # 2026年4月1日
    assert date_format(today) in period.group(1)


def _error_next_to(html: str, field: str, message: str) -> None:
    """The message sits in the field's own block: after its input, before the next field,
    and once more in the page's error summary, linked to the field."""
    start = html.index(f'id="id_{field}"')
    following = html.find('<div class="col-6', start)
    assert message in html[start:following], message
    summary_start = html.index('data-testid="error-summary"')
    summary = html[summary_start : html.index("</div>", summary_start)]
    assert f'href="#id_{field}"' in summary
    assert message in summary
    assert html.count(message) == 2


def test_a_period_ending_in_the_future_is_explained_next_to_the_field(client, users, world):
    client.force_login(users[Role.MINISTRY])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.get(reverse("reporting:progress"), {"date_to": tomorrow.isoformat()})
    assert response.status_code == 200
    _error_next_to(response.content.decode(), "date_to", "終了日に未来の日付は指定できません。")
    _default_period_shown(response)
    assert 'data-testid="headline-registered"' in response.content.decode()


def test_a_prefecture_outside_the_region_is_explained_next_to_the_field(client, users, world):
    client.force_login(users[Role.MINISTRY])
    response = client.get(reverse("reporting:progress"), {"region": "kanto", "prefecture": "04"})
    assert response.status_code == 200
    _error_next_to(response.content.decode(), "prefecture", "宮城県は選択した地域に含まれません。")
    _default_period_shown(response)
    assert not response.context["filters"].business_filters_set
