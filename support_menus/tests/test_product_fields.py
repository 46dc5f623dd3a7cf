"""Matching the firm should trust: menus made for a product field (酒類, 農林水産物・食品) are
ranked only for firms in it, each menu says when its facts were last confirmed, and the
summaries firms read are polite (です・ます)."""

import csv
import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from core.roles import Role
from counselling.tests.factories import CaseFactory
from support_menus import selectors
from support_menus.models import ProductField, SupportMenu, confirmation_cutoff
from support_menus.product_fields import KEYWORDS, product_fields_of
from support_menus.resources import CATALOGUE_FILE
from support_menus.tests.factories import SupportMenuFactory

FOOD_ONLY = {"jetro-food-export-matching", "maff-gfp", "maff-export-plan-certification"}
SAKE_PAVILION = "nta-sake-trade-fair-pavilion"


# --- The firm's product fields (pure) -------------------------------------------------------


@pytest.mark.parametrize(
    ("products", "industry", "expected"),
    [
        pytest.param("江戸切子のグラス・酒器", "E", set(), id="edo-kiriko-glass"),
        pytest.param("江戸切子 ワイングラス、日本酒グラス、ぐい呑み", "E", set(), id="glassware"),
        pytest.param("純米吟醸酒（日本酒）", "E", {"alcohol", "food"}, id="sake-brewery"),
        pytest.param("本格焼酎・梅酒", "E", {"alcohol", "food"}, id="shochu"),
        pytest.param("Craft beer", "E", {"alcohol", "food"}, id="latin-letters"),
        pytest.param("信州味噌・醤油", "E", {"food"}, id="miso"),
        pytest.param("冷凍ホタテ", "I", {"food"}, id="scallops-wholesaler"),
        pytest.param("ホタテ貝柱の乾物", "B", {"food"}, id="fisheries-industry"),
        pytest.param("苗木", "A", {"food"}, id="agriculture-industry"),
        pytest.param("米国向け産業用ロボット", "E", set(), id="beikoku-is-not-rice"),
        pytest.param("", "E", set(), id="nothing-written"),
    ],
)
def test_product_fields_are_read_from_the_products_and_the_industry(products, industry, expected):
    assert product_fields_of(products, industry) == expected


def test_every_product_field_has_keywords():
    assert set(KEYWORDS) == set(ProductField.values)


# --- The glass maker and the shipped catalogue ----------------------------------------------


@pytest.mark.django_db
def test_a_glass_maker_never_sees_the_sake_pavilion_or_the_food_menus(catalogue):
    today = timezone.localdate()
    glass_maker = CaseFactory(
        stage="challenge",
        target_country="US",
        target_product="江戸切子のロックグラス",
        target_amount_yen=2_000_000,
        target_date=today + datetime.timedelta(days=365),
        registration__products="江戸切子（カットグラス・酒器）",
        registration__business__name="株式会社江戸切子工房",
        registration__business__industry_id="E",
        registration__business__prefecture_id="13",
        registration__challenge_type="first_export",
        registration__situations=["find_buyers", "trade_fairs"],
    )

    with translation.override("ja"):
        ranking = selectors.case_ranking(case=glass_maker, today=today)

    eligible = {match.menu.code for match in ranking["ranked"]}
    assert eligible  # trade fairs and buyers menus for any product are there
    assert "jetro-trade-fair-pavilion" in eligible
    assert SAKE_PAVILION not in eligible
    assert not FOOD_ONLY & eligible
    excluded = {exclusion.menu.code: exclusion.reasons for exclusion in ranking["excluded"]}
    assert "酒類のみ（この事業者の商品：該当なし）" in excluded[SAKE_PAVILION]
    assert (
        "農林水産物・食品のみ（この事業者の商品：該当なし）"
        in excluded["jetro-food-export-matching"]
    )
    assert ranking["product_field_names"] == []


@pytest.mark.django_db
def test_a_sake_brewery_gets_the_sake_pavilion_with_its_reason(catalogue):
    today = timezone.localdate()
    brewery = CaseFactory(
        stage="challenge",
        target_country="US",
        target_product="純米吟醸酒",
        target_amount_yen=3_000_000,
        target_date=today + datetime.timedelta(days=365),
        registration__products="純米吟醸酒",
        registration__business__industry_id="E",
    )

    with translation.override("ja"):
        ranking = selectors.case_ranking(case=brewery, today=today)

    reasons = {match.menu.code: match.reasons for match in ranking["ranked"]}
    assert "酒類向け（この事業者の輸出品）" in reasons[SAKE_PAVILION]
    assert ranking["product_field_names"] == ["農林水産物・食品", "酒類"]


def test_the_shipped_catalogue_names_the_product_restricted_menus():
    rows = {row["code"]: row for row in csv.DictReader(CATALOGUE_FILE.open(encoding="utf-8"))}
    restricted = {
        code: row["product_fields"] for code, row in rows.items() if row["product_fields"]
    }
    assert restricted == {SAKE_PAVILION: "alcohol", **dict.fromkeys(FOOD_ONLY, "food")}


# --- Confirmation dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (datetime.date(2026, 12, 1), datetime.date(2025, 12, 1)),
        (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28)),
        (datetime.date(2026, 1, 15), datetime.date(2025, 1, 15)),
    ],
)
def test_a_menu_is_due_for_confirmation_twelve_months_after_it_was_confirmed(today, cutoff):
    assert confirmation_cutoff(today) == cutoff


@override_settings(MENU_CONFIRMATION_MONTHS=3)
def test_the_confirmation_period_is_a_program_setting():
    assert confirmation_cutoff(datetime.date(2026, 12, 1)) == datetime.date(2026, 9, 1)


@pytest.mark.django_db
def test_menus_due_for_confirmation_are_counted_and_filtered_for_admins(client, users):
    today = timezone.localdate()
    recent = SupportMenuFactory(code="recent", confirmed_on=today - datetime.timedelta(days=30))
    old = SupportMenuFactory(
        code="old", confirmed_on=confirmation_cutoff(today) - datetime.timedelta(days=1)
    )
    never = SupportMenuFactory(code="never", confirmed_on=None)
    SupportMenuFactory(code="off", confirmed_on=None, active=False)  # not offered: not counted

    assert not recent.confirmation_due
    assert old.confirmation_due
    assert never.confirmation_due
    assert selectors.menu_confirmation_due_count(today=today) == 2

    client.force_login(users[Role.ADMIN])
    url = reverse("admin:support_menus_supportmenu_changelist")
    due = client.get(url, {"confirmation": "due"})
    assert [menu.code for menu in due.context["cl"].result_list] == ["never", "off", "old"]
    current = client.get(url, {"confirmation": "current"})
    assert [menu.code for menu in current.context["cl"].result_list] == ["recent"]
    assert "confirmation-due" in due.text


# --- What the firm reads ---------------------------------------------------------------------

POLITE_END = re.compile(r"(ます|です|ません|ました|でした)(（[^。]*）)?。$")


def test_the_shipped_summaries_are_polite():
    for row in csv.DictReader(CATALOGUE_FILE.open(encoding="utf-8")):
        sentences = re.findall(
            r"[^。]+。", re.sub(r"（[^）]*）", lambda m: m[0].replace("。", "．"), row["summary"])
        )
        assert sentences, row["code"]
        for sentence in sentences:
            assert POLITE_END.search(sentence), (row["code"], sentence)


@pytest.mark.django_db
def test_the_shipped_catalogue_says_when_each_menu_was_confirmed(catalogue):
    dated = SupportMenu.objects.exclude(confirmed_on=None)
    assert dated.count() > 30
    # Facts described as those of an old call are left unconfirmed, so admins check them first.
    assert set(SupportMenu.objects.filter(confirmed_on=None).values_list("code", flat=True)) == {
        "smrj-overseas-strategy", "cci-jizokuka-overseas", "nexi-sme-export-insurance",
        "nexi-general-trade-insurance", "jetro-alibaba",
    }  # fmt: skip


@pytest.mark.django_db
def test_the_migration_restricts_an_already_imported_catalogue(catalogue):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("support_menus.migrations.0006_menu_product_fields_confirmed_on")
    SupportMenu.objects.update(product_fields=[])

    migration.product_fields_set(apps, None)

    restricted = dict(
        SupportMenu.objects.exclude(product_fields=[]).values_list("code", "product_fields")
    )
    assert restricted == {SAKE_PAVILION: ["alcohol"], **dict.fromkeys(FOOD_ONLY, ["food"])}
