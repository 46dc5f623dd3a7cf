"""Accessibility (issue 16, JIS X 8341-3:2016 level AA): axe-core's WCAG 2.1 A/AA rules on
every page each role reaches, at 1366 px and on a phone (390 px), with zero violations; and
the pages of the firm, the partner and the public never scroll sideways on a phone.

One demo world (seed_demo) for the whole walk, one browser context per role. The pages are
data: PAGES lists, per role, the URLs (by name, with the World's objects as arguments). A page
added later goes into its role's list; the walk fails, naming the URL, when the navigation or
a role's landing page links to a page its list misses.

On failure the message lists, per page and width, each rule id, its help text and the
failing nodes' CSS selectors. test-artifacts/axe.txt keeps the figures of the last walk per
role (pages, rule ids, failing nodes). Scrolling tables must also be named regions that take
focus (static/js/scroll-regions.js)."""

import secrets
from collections import Counter
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse

from core.models import Organisation, User
from core.tests.factories import PASSWORD
from counselling.models import Case
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from registrations.models import Registration
from registrations.services.consent import consent_token_make
from registrations.tests.factories import RegistrationFactory
from reporting.filters import ProgressFilterForm
from reporting.services import progress_export_request
from tests.browser.helpers import ARTIFACTS, axe_violations, scrolls_sideways, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

ANON, BUSINESS, PARTNER = "anonymous", "business", "partner"
CONCIERGE, OFFICE_LEAD, MINISTRY, ADMIN = "concierge", "office_lead", "ministry", "admin"
DEMO_USERNAMES = {
    BUSINESS: "demo-business",
    PARTNER: "demo-partner",
    CONCIERGE: "demo-concierge",
    OFFICE_LEAD: "demo-lead",
    MINISTRY: "demo-ministry",
    ADMIN: "demo-admin",
}
WIDE = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
# Whose pages must fit a phone's width (the staff pages' wide tables scroll in their region).
FITS_A_PHONE = (ANON, BUSINESS, PARTNER)


@dataclass(frozen=True)
class World:
    """The objects the pages are about: the demo data's, and links a firm received."""

    registration: int  # the demo firm's own registration
    case: int  # a Tokyo case with a counselling session and a survey
    session: int
    survey: int
    survey_token: str  # a survey link a firm received
    consent_token: str  # a partner's referral link a firm received
    referral: int  # that referral, on its partner's page


@dataclass(frozen=True)
class Url:
    """A page to check: the URL `name`, its arguments the World's fields named."""

    name: str
    fields: tuple[str, ...] = ()

    def __call__(self, world: World) -> str:
        return reverse(self.name, args=[getattr(world, attr) for attr in self.fields])


def url(name: str, *fields: str) -> Url:
    return Url(name, fields)


STAFF_ACCOUNT = [url("preferences"), url("password_change")]
PAGES: dict[str, list[Url]] = {
    ANON: [
        url("portal:home"),
        url("login"),
        url("password_reset"),
        url("registrations:register"),
        url("registrations:privacy"),
        url("registrations:consent", "consent_token"),
        url("outcomes:answer", "survey_token"),
    ],
    BUSINESS: [
        url("portal:home"),
        url("registrations:contact-update"),
        url("registrations:contact-requests"),
        url("registrations:withdraw", "registration"),
        url("registrations:deletion-request"),
        url("registrations:my-data-page"),
        *STAFF_ACCOUNT,
    ],
    PARTNER: [
        url("portal:home"),
        url("registrations:referral-list"),
        url("registrations:referral-create"),
        url("portal:referral-detail", "referral"),
        url("support_menus:menu-list"),
    ],
    CONCIERGE: [
        url("portal:home"),
        url("counselling:case-list"),
        url("counselling:case-detail", "case"),
        url("counselling:session-correct", "case", "session"),
        url("support_menus:case-propose", "case"),
        url("outcomes:staff-answer", "case", "survey"),
        url("support_menus:menu-list"),
        url("registrations:registration-list"),
        url("registrations:registration-detail", "registration"),
        url("registrations:duplicate-queue"),
        *STAFF_ACCOUNT,
    ],
    OFFICE_LEAD: [
        url("portal:home"),
        url("counselling:queue"),
        url("counselling:case-list"),
        url("counselling:case-detail", "case"),
        url("support_menus:menu-list"),
        url("registrations:registration-list"),
        url("registrations:registration-detail", "registration"),
        url("registrations:duplicate-queue"),
    ],
    MINISTRY: [
        url("portal:home"),
        url("reporting:progress"),
        url("reporting:progress-businesses"),
        url("reporting:progress-exports"),
        url("reporting:report"),
    ],
    ADMIN: [
        url("portal:home"),
        url("counselling:case-list"),
        url("counselling:queue"),
        url("support_menus:menu-list"),
        url("registrations:registration-list"),
        url("registrations:duplicate-queue"),
        url("reporting:progress"),
        url("reporting:report"),
        url("admin:index"),
        url("admin:support_menus_supportmenu_changelist"),
    ],
}
# Not found: the same page for everyone.
NOT_FOUND = "/no-such-page/"
# Links that are not pages to check: downloads, and the Django admin (Django's own pages).
NOT_PAGES = {
    "registrations:my-data",
    "portal:referral-download",
    "reporting:progress-export",
    "reporting:progress-export-download",
}
# The account pages are the same for every role: checked for the firm and a concierge (with
# and without two-step verification).
ACCOUNT_PAGES = {"preferences", "password_change"}


def world_build() -> World:
    call_command("seed_demo", businesses=40, password=PASSWORD, stdout=StringIO())
    firm = User.objects.get(username=DEMO_USERNAMES[BUSINESS])
    registration = Registration.objects.filter(contact__user=firm).order_by("pk").first()
    case = (
        Case.objects.filter(office__code="jetro-tokyo", sessions__isnull=False)
        .order_by("pk")
        .first()
    )
    survey = SurveyFactory(case=case)
    referral = RegistrationFactory(
        referred_by=Organisation.objects.get(code="chamber-tokyo"),
        status=Registration.Status.AWAITING_CONSENT,
        channel=Registration.Channel.PARTNER,
        privacy_consented_at=None,
        sharing_consented_at=None,
        consent_nonce=secrets.token_hex(16),
    )
    # The ministry user has downloaded a report: the export list has a row.
    progress_export_request(
        user=User.objects.get(username=DEMO_USERNAMES[MINISTRY]),
        via="web",
        kind="aggregates",
        fmt="csv",
        filters=ProgressFilterForm().filters(),
    )
    return World(
        registration=registration.pk,
        case=case.pk,
        session=case.sessions.order_by("pk").first().pk,
        survey=survey.pk,
        survey_token=survey_token_make(survey),
        consent_token=consent_token_make(referral),
        referral=referral.pk,
    )


@dataclass
class Walk:
    """What one role's walk found."""

    paths: list[str]
    page_views: int = 0
    violations: list[str] = field(default_factory=list)  # one line per page, width and rule
    rules: Counter = field(default_factory=Counter)  # rule id → failing nodes
    sideways: list[str] = field(default_factory=list)  # pages wider than a phone
    unnamed: list[str] = field(default_factory=list)  # scrolling tables a keyboard can't reach
    links: set[str] = field(default_factory=set)  # URL names the nav and landing page link to


# Tables that scroll inside their box but are not a named region that takes focus: a keyboard
# can't scroll them, a screen reader can't say what they are.
UNNAMED_SCROLL_BOXES = """() => [...document.querySelectorAll(
    ".table-responsive, .table-scroll, .table-scroll-short")]
  .filter(box => box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight)
  .filter(box => box.getAttribute("role") !== "region" || box.tabIndex !== 0
    || !(box.getAttribute("aria-label") || "").trim())
  .map(box => box.outerHTML.slice(0, 120))"""


def walk(browser, live_server, role: str, world: World) -> Walk:
    context = browser.new_context(locale="ja-JP", viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if role != ANON:
        sign_in(page, live_server, User.objects.get(username=DEMO_USERNAMES[role]))
    found = Walk(paths=[build(world) for build in PAGES[role]] + [NOT_FOUND])
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        for path in found.paths:
            response = page.goto(live_server.url + path)
            expected = 404 if path == NOT_FOUND else 200
            assert response.status == expected, f"{role}: {path} answered {response.status}"
            assert page.url == live_server.url + path, f"{role}: {path} went to {page.url}"
            found.page_views += 1
            where = f"{path} at {viewport['width']} px"
            for violation in axe_violations(page):
                found.rules[violation["id"]] += len(violation["targets"])
                found.violations.append(
                    f"{where}: {violation['id']} ({violation['help']}): "
                    + " | ".join(violation["targets"])
                )
            found.unnamed += [f"{where}: {box}" for box in page.evaluate(UNNAMED_SCROLL_BOXES)]
            if viewport is PHONE and role in FITS_A_PHONE and scrolls_sideways(page):
                found.sideways.append(path)
            if path == reverse("portal:home"):
                found.links |= links_on(page, live_server.url)
    context.close()
    return found


def links_on(page, origin: str) -> set[str]:
    """The URL names of the navigation's and the main content's links to this site."""
    names = set()
    for href in page.locator("nav a[href], main a[href]").evaluate_all(
        "links => links.map(link => link.href)"
    ):
        if href.startswith(origin + "/") and "#" not in href:
            path = href[len(origin) :].split("?")[0]
            names.add(resolve(path).view_name)
    return names


def report(walks: dict[str, Walk]) -> str:
    lines = []
    for role, found in walks.items():
        nodes = sum(found.rules.values())
        lines.append(
            f"{role}: {found.page_views} page views, {len(found.rules)} rules violated, "
            f"{nodes} failing nodes, {len(found.sideways)} pages scrolling sideways at 390 px"
        )
        lines += [f"    {rule}: {count} nodes" for rule, count in found.rules.most_common()]
        lines += [f"    page {path}" for path in found.paths]
    lines.append("")
    lines += [f"{role} {line}" for role, found in walks.items() for line in found.violations]
    return "\n".join(lines) + "\n"


def test_every_page_of_every_role_passes_axe_and_fits_a_phone(browser, live_server, subtests):
    world = world_build()
    walks = {role: walk(browser, live_server, role, world) for role in PAGES}
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "axe.txt").write_text(report(walks), encoding="utf-8")
    for role, found in walks.items():
        with subtests.test("axe WCAG 2.1 A/AA", role=role):
            assert not found.violations, f"{role}:\n" + "\n".join(found.violations)
        with subtests.test("scrolling tables are named regions that take focus", role=role):
            assert not found.unnamed, f"{role}:\n" + "\n".join(found.unnamed)
        if role in FITS_A_PHONE:
            with subtests.test("no sideways scrolling at 390 px", role=role):
                assert not found.sideways, f"{role}: wider than 390 px: {found.sideways}"
        with subtests.test("the walk covers the navigation and the landing page", role=role):
            visited = {page.name for page in PAGES[role]}
            assert found.links - visited - NOT_PAGES - ACCOUNT_PAGES == set()
