"""The partner's pages: the funnel on the home page, a referral's own page, the CSV download
and the support-menu catalogue. A partner sees its own organisation's referrals only, and
never what was said in counselling, the messages to the firm or the firm's contacts."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory
from reporting.services import business_progress_refresh
from reporting.tests.helpers import (
    CONTACT_EMAIL,
    CONTACT_PHONE,
    EXPECTED_FUNNEL,
    PROPOSAL_NOTE,
    SESSION_NOTE,
    referral_world,
)

pytestmark = pytest.mark.django_db

SECRETS = (SESSION_NOTE, PROPOSAL_NOTE, CONTACT_EMAIL, CONTACT_PHONE)


@pytest.fixture
def world(chamber_tokyo):
    world = referral_world(chamber_tokyo, Organisation.objects.get(code="chamber-osaka"))
    business_progress_refresh()  # the figures come from the dashboard's fact table
    return world


@pytest.fixture
def partner(client, chamber_tokyo):
    client.force_login(UserFactory(role=Role.PARTNER, organisation=chamber_tokyo))
    return client


def _figures(html: str) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in re.findall(r'data-figure="(\w+)" data-value="(\d+)"', html)
    }


def test_the_home_page_shows_the_organisations_funnel_with_each_definition(partner, world):
    response = partner.get("/")
    html = response.text
    assert _figures(html) == EXPECTED_FUNNEL
    for step in response.context["funnel"]:
        assert escape(step.definition) in html
    assert "他団体紹介株式会社" not in html
    assert reverse("portal:referral-detail", args=[world.realised.pk]) in html
    assert reverse("portal:referral-download") in html


def test_the_home_page_runs_the_same_queries_for_one_or_many_referrals(
    partner, chamber_tokyo, django_assert_num_queries
):
    osaka = Organisation.objects.get(code="chamber-osaka")
    referral_world(chamber_tokyo, osaka)
    business_progress_refresh()
    with django_assert_num_queries(12) as one:
        partner.get("/")
    for _ in range(3):
        referral_world(chamber_tokyo, osaka)
    business_progress_refresh()
    with django_assert_num_queries(len(one.captured_queries)):
        response = partner.get("/")
    assert _figures(response.text)["referred"] == 4 * EXPECTED_FUNNEL["referred"]
    assert len(response.context["referrals"]) == 20


def test_a_referral_page_shows_what_it_became(partner, world):
    response = partner.get(reverse("portal:referral-detail", args=[world.realised.pk]))
    assert response.status_code == 200
    html = response.text
    assert "輸出実現株式会社" in html
    assert "輸出商談会マッチング" in html  # the adopted menu
    assert response.context["referral"].adopted[0].menu == "輸出商談会マッチング"
    assert world.realised.case.get_stage_display() in html
    assert world.realised.case.get_status_display() in html
    assert f"{world.realised.case.realised_on:%Y年%-m月%-d日}" in html


def test_a_referral_awaiting_consent_says_so_and_has_no_support_yet(partner, world):
    response = partner.get(reverse("portal:referral-detail", args=[world.awaiting.pk]))
    assert response.status_code == 200
    assert response.context["referral"].status_label in response.text
    assert not response.context["referral"].has_case


@pytest.mark.parametrize("name", ["realised", "proposed", "anonymised", "withdrawn"])
def test_no_page_or_file_shows_notes_messages_or_contacts(partner, world, name):
    registration = getattr(world, name)
    pages = [
        partner.get("/").text,
        partner.get(reverse("registrations:referral-list")).text,
        partner.get(reverse("portal:referral-detail", args=[registration.pk])).text,
        b"".join(partner.get(reverse("portal:referral-download"))).decode("utf-8-sig"),
    ]
    for page in pages:
        for secret in SECRETS:
            assert secret not in page


def test_another_organisations_referral_is_not_found(partner, world):
    url = reverse("portal:referral-detail", args=[world.other_partner.pk])
    assert partner.get(url).status_code == 404


def test_the_csv_has_the_funnel_and_each_referral_in_japanese(partner, world):
    partner.cookies["django_language"] = "en"  # the file is in Japanese whatever the page's
    response = partner.get(reverse("portal:referral-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="referrals-')
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Japanese
    lines = body.decode("utf-8-sig").splitlines()
    notes = [line for line in lines if line.startswith("# ")]
    assert len(notes) == len(EXPECTED_FUNNEL)
    assert notes[0].startswith(f"# 紹介：{EXPECTED_FUNNEL['referred']}社　対象となる事業者の数です")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[len(notes) :]))))
    assert list(rows[0])[:3] == ["受付番号", "事業者名", "都道府県"]
    by_name = {row["事業者名"]: row for row in rows}
    assert "他団体紹介株式会社" not in by_name
    realised = by_name["輸出実現株式会社"]
    assert realised["輸出実現"] == "はい"
    assert realised["輸出実現日"] == world.realised.case.realised_on.isoformat()
    assert realised["採択された支援メニュー"] == "輸出商談会マッチング"
    assert by_name["同意待ち株式会社"]["登録の状況"] == "事業者の同意待ち"
    assert by_name["輸出実現株式会社"]["案件の状況"] == "輸出実現"
    assert len(rows) == 8  # every referral, withdrawn and merged firms included


@pytest.mark.parametrize("role", [Role.BUSINESS, Role.CONCIERGE, Role.MINISTRY])
def test_other_roles_have_no_partner_pages(client, users, world, role):
    client.force_login(users[role])
    assert client.get(reverse("portal:referral-download")).status_code == 403
    url = reverse("portal:referral-detail", args=[world.realised.pk])
    assert client.get(url).status_code == 403


def test_partners_browse_the_catalogue_but_cannot_edit_it(partner, world):
    home = partner.get("/").text
    catalogue = reverse("support_menus:menu-list")
    assert f'href="{catalogue}"' in home
    response = partner.get(catalogue)
    assert response.status_code == 200
    assert "海外展示会出展支援" in response.text
    assert reverse("admin:support_menus_supportmenu_changelist") not in response.text


def test_the_referral_list_links_each_referral_to_its_page(partner, world):
    html = partner.get(reverse("registrations:referral-list")).text
    assert reverse("portal:referral-detail", args=[world.awaiting.pk]) in html
