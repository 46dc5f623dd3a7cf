"""The case page's panels from the apps above counselling (support-menu proposals, follow-up
surveys): each app registers its panel in its AppConfig.ready, so the case page shows them
without importing the apps (the layers, pyproject.toml).

A panel is a section of the case page (its id and its h2 heading), an include template, the
function that gives the template its context, the order among the panels, and the permission
that shows it. A panel may also tell the page's checklist a fact it owns (`facts`: the counts
of CaseFacts it knows)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.forms import BaseForm
from django.http import HttpRequest

from counselling.models import Case

# The context of one panel: the case, the request (its user), and the forms the page shows
# bound because their POST failed ("proposal_form": …), to show again with their errors.
PanelContext = Callable[[Case, HttpRequest, Mapping[str, BaseForm]], dict]


@dataclass(frozen=True)
class CasePanel:
    name: str  # also the section's id on the page (#proposals)
    heading: str  # the section's h2 (lazy text)
    order: int  # among the panels, after the overview and the activity sections
    template_name: str
    context: PanelContext
    permission: str  # "app_label.codename": who sees the panel
    facts: Callable[[dict], dict] | None = None  # its context -> CaseFacts fields it knows


_panels: dict[str, CasePanel] = {}


def case_panel_register(panel: CasePanel) -> None:
    """Called from an AppConfig.ready; registering the same name again replaces it."""
    _panels[panel.name] = panel


def case_panels_for(user) -> list[CasePanel]:
    """The panels `user` may see, in their order."""
    panels = sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))
    return [panel for panel in panels if user.has_perm(panel.permission)]
