"""One definition per headline figure: the ministry's home, the progress dashboard and the
administrator's home show the same figures for the same data, read from the same selector
(reporting.selectors.program_figures), and a partner's funnel shows them for its own firms.
Read from the HTML (data-figure / data-value), as a person or a monitor would read them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Organisation
from core.roles import Role
from counselling.tests.factories import CaseFactory
from reporting.selectors import program_figures, referral_funnel
from reporting.services import business_progress_refresh
from reporting.tests.helpers import EXPECTED_FUNNEL, referral_world

pytestmark = pytest.mark.django_db

COUNTS = ("registered", "counselled", "proposed", "adopted", "realised")
# Every page that shows the program's headline figures.
PROGRAM_PAGES = {
    "ministry home": (Role.MINISTRY, "/"),
    "dashboard": (Role.MINISTRY, reverse("reporting:progress")),
    "admin home": (Role.ADMIN, "/"),
}


def figures_in(html: str) -> dict[str, str]:
    found = re.findall(r'data-figure="(\w+)" data-value="([^"]*)"', html)
    assert len(found) == len(dict(found)), "a figure is shown twice"
    return dict(found)


@pytest.fixture
def world(chamber_tokyo):
    """A partner's referrals in every state (awaiting consent, withdrawn, merged into another
    firm, anonymised, re-registered), another organisation's realised referral, and a firm
    that registered online and was contacted; the business user's firm has no case yet."""
    referral_world(chamber_tokyo, Organisation.objects.get(code="chamber-osaka"))
    CaseFactory(first_contact_at=timezone.now() - datetime.timedelta(days=2))
    business_progress_refresh()


def test_every_page_shows_the_same_program_figures_as_the_selector(client, users, world):
    figures = {figure.key: figure.value for figure in program_figures()}
    # The partner's five (EXPECTED_FUNNEL), the other organisation's realised firm and the
    # online firm; never the withdrawn, merged or awaiting ones; the anonymised one counts.
    assert {key: figures[key] for key in COUNTS} == {
        "registered": 7, "counselled": 5, "proposed": 2, "adopted": 1, "realised": 2,
    }  # fmt: skip
    expected = {key: "" if value is None else str(value) for key, value in figures.items()}

    shown = {}
    for page, (role, url) in PROGRAM_PAGES.items():
        client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == 200
        shown[page] = figures_in(response.text)
    assert shown == dict.fromkeys(PROGRAM_PAGES, expected)

    client.force_login(users[Role.MINISTRY])
    regions = client.get("/").context["region_counts"]
    assert sum(row["count"] for row in regions) == figures["registered"]


def test_a_partner_sees_the_same_figures_for_its_own_firms(client, users, world):
    partner = users[Role.PARTNER]
    client.force_login(partner)
    shown = figures_in(client.get("/").text)
    expected = {step.key: str(step.value) for step in referral_funnel(user=partner)}
    assert shown == expected
    assert {key: int(shown[key]) for key in COUNTS} == {key: EXPECTED_FUNNEL[key] for key in COUNTS}


def test_each_figure_says_what_it_counts_in_the_same_words_everywhere(client, users, world):
    definitions = {figure.key: str(figure.definition) for figure in program_figures()}
    assert "取り下げ" in definitions["registered"]  # withdrawn, merged and deleted: said once
    assert "統合" in definitions["registered"]
    for role, url in PROGRAM_PAGES.values():
        client.force_login(users[role])
        html = client.get(url).text
        for key, text in definitions.items():
            assert re.search(rf'data-testid="definition-{key}">{re.escape(text)}<', html)
    client.force_login(users[Role.PARTNER])
    html = client.get("/").text
    for key in COUNTS:
        assert definitions[key] in html


@pytest.mark.parametrize(("page", "queries"), [("ministry home", 9), ("admin home", 15)])
def test_the_home_pages_run_a_fixed_number_of_queries(
    client, users, chamber_tokyo, world, page, queries, django_assert_num_queries
):
    role, url = PROGRAM_PAGES[page]
    client.force_login(users[role])
    with django_assert_num_queries(queries):
        client.get(url)
    referral_world(chamber_tokyo, Organisation.objects.get(code="chamber-osaka"))
    CaseFactory.create_batch(3, first_contact_at=timezone.now())
    business_progress_refresh()
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert figures_in(response.text)["registered"] == "16"
