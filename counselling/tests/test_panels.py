"""The case page's panels from the apps above counselling (counselling.panels)."""

import pytest
from django.urls import reverse

from core.roles import Role
from counselling import panels
from counselling.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """A registry of the test's own, instead of the installed apps' panels."""
    monkeypatch.setattr(panels, "_panels", {})
    return panels


def a_panel(name, order, permission="counselling.view_case", facts=None):
    return panels.CasePanel(
        name=name, heading=name.title(), order=order, template_name=f"{name}.html",
        permission=permission,
        context=lambda case, request, bound: {name: case.pk, "bound": sorted(bound)},
        facts=facts,
    )  # fmt: skip


def test_panels_come_in_their_order_and_only_with_their_permission(registry, users):
    registry.case_panel_register(a_panel("later", 20))
    registry.case_panel_register(a_panel("first", 10))
    registry.case_panel_register(a_panel("hidden", 5, permission="counselling.assign_case"))
    names = [panel.name for panel in registry.case_panels_for(users[Role.CONCIERGE])]
    assert names == ["first", "later"]
    names = [panel.name for panel in registry.case_panels_for(users[Role.OFFICE_LEAD])]
    assert names == ["hidden", "first", "later"]


def test_registering_a_name_again_replaces_the_panel(registry, users):
    registry.case_panel_register(a_panel("one", 10))
    registry.case_panel_register(a_panel("one", 30))
    assert [panel.order for panel in registry.case_panels_for(users[Role.ADMIN])] == [30]


def test_the_installed_apps_register_their_panels_and_a_panel_feeds_the_checklist():
    """Support menus (proposals, whose count the checklist needs) and outcomes (surveys)."""
    by_name = {panel.name: panel for panel in panels._panels.values()}
    assert [by_name[name].order for name in ("proposals", "surveys")] == [10, 20]
    assert by_name["proposals"].facts({"proposals": [1, 2]}) == {"proposal_count": 2}


def test_the_case_page_includes_each_visible_panel_with_its_context(
    registry, client, users, settings, tmp_path
):
    registry.case_panel_register(a_panel("first", 10))
    (tmp_path / "first.html").write_text("<p id=panel>{{ first }}</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    case = CaseFactory(registration__business__prefecture_id="13")
    client.force_login(users[Role.CONCIERGE])
    response = client.get(reverse("counselling:case-detail", args=[case.pk]))
    assert [panel.template_name for panel in response.context["panels"]] == ["first.html"]
    assert f"<p id=panel>{case.pk}</p>" in response.text
