"""Who reaches which URL (issue 8): every URL pattern of the project, every role, objects
inside and outside the role's scope.

The URL patterns are walked from the root resolver (namespaces included). Every named pattern
must have a rule in RULES, keyed by its full name ("counselling:case-detail"): a new view
without a rule fails test_every_url_pattern_has_a_rule, naming it. The admin (settings.ADMIN_URL)
is one rule, ADMIN_RULE, checked on its index and every registered model's changelist.

A rule says how to build the URL for a scope (kwargs from the world below), which methods the
view answers, and the answer each role gets:
- anonymous visitors on a page that needs an account: a redirect to the login page (?next=);
- a signed-in role the view does not serve: 403 (PermissionRequiredMixin), or 404 where the
  view hides itself (the business-only pages);
- a role the view serves, on an object in its scope: the rule's answer (200, 302 or, for an
  empty POST of an invalid form, 400); outside its scope: 404;
- a POST-only endpoint answers GET with 405 for roles it serves, and with the same refusal as
  POST for the others.

Scopes: "in" is the 東京 firm (東京商工会議所's referral, the business user's own firm, the
Tokyo office's case, proposal, survey and duplicate flag; the ministry user's own progress
export; a valid signed link); "out" is the 大阪 firm (another partner's referral, another
firm's user, the Osaka office; another ministry user's export; a used or replaced link);
"mixed" is a Tokyo case in the URL with an Osaka proposal or survey; "-" a URL without objects.

Checked: 63 URL names (75 rules counting variants: the registration page of a confirmed
registration, of a referral awaiting consent and of a person waiting for approval, the
partner's page of a confirmed referral and of one awaiting consent, the three duplicate
decisions, approve and reject by the firm and by the office, the two my-data formats, the
outcome report as page and CSV, the four progress export kinds and formats) × 7 roles
(anonymous and the six role groups) × their scopes = 798 URL × role × scope cases (280
without objects, 245 in scope, 245 out of scope, 28 mixed; 1309 requests), plus 36 admin URLs
(index and 35 changelists) × 7 roles = 252 admin checks. test_coverage_does_not_shrink fails if
these numbers go down.
"""

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Organisation
from core.roles import Role
from core.tests.factories import UserFactory
from counselling.models import CounsellingSession
from counselling.tests.factories import CaseFactory
from outcomes.services import survey_token_make
from outcomes.tests.factories import SurveyFactory
from registrations.models import Contact, DuplicateFlag, ReferralSource, Registration
from registrations.services.consent import consent_token_make
from registrations.services.contacts import contact_email_change_request, email_change_token_make
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from reporting.models import ProgressExport
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

# --- Roles, scopes and answers -----------------------------------------------------------------

ANON = "anonymous"
BUSINESS = Role.BUSINESS.value
PARTNER = Role.PARTNER.value
CONCIERGE = Role.CONCIERGE.value
OFFICE_LEAD = Role.OFFICE_LEAD.value
MINISTRY = Role.MINISTRY.value
ADMIN = Role.ADMIN.value
ROLES = (ANON, BUSINESS, PARTNER, CONCIERGE, OFFICE_LEAD, MINISTRY, ADMIN)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
FIRMS = frozenset({BUSINESS})
PARTNERS = frozenset({PARTNER, ADMIN})
OFFICES = frozenset({CONCIERGE, OFFICE_LEAD, ADMIN})
LEADS = frozenset({OFFICE_LEAD, ADMIN})
MINISTRY_AND_ADMIN = frozenset({MINISTRY, ADMIN})
NOBODY: frozenset[str] = frozenset()

NONE, IN, OUT, MIXED = "-", "in", "out", "mixed"
ANY = "*"

LOGIN = "login redirect"  # 302 to settings.LOGIN_URL?next=...
ADMIN_LOGIN = "admin login redirect"  # 302 to the admin's login page?next=...

Answer = int | str


@dataclass(frozen=True, eq=False)
class Rule:
    """The access rule of one URL pattern (or one variant of it)."""

    ok: Mapping[str, int]  # method → answer for a role the view serves, in scope
    allowed: frozenset[str] = SIGNED_IN  # roles the view serves (ANON in it: a public page)
    denied: Answer = 403  # a signed-in role the view does not serve
    anonymous: Answer = LOGIN  # an anonymous visitor, when ANON is not in `allowed`
    args: Callable[["World", str], dict[str, Any]] | None = None  # URL kwargs for a scope
    kwargs: Mapping[str, str] = field(default_factory=dict)  # URL kwargs that are not objects
    out: Answer = 404  # a served role on an object outside its scope
    sees_out: frozenset[str] = frozenset({ADMIN})  # served roles whose scope has the "out" object
    mixed: bool = False  # also check a Tokyo case with an Osaka child object: 404 for everyone
    query: str = ""
    # Exceptions: (role, scope or ANY, method or ANY) → answer.
    overrides: Mapping[tuple[str, str, str], Answer] = field(default_factory=dict)

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.args is None:
            return (NONE,)
        return (IN, OUT, MIXED) if self.mixed else (IN, OUT)

    @property
    def methods(self) -> tuple[str, ...]:
        """GET always (a POST-only view must refuse it), POST when the view answers it."""
        return ("GET", "POST") if "POST" in self.ok else ("GET",)

    def expected(self, role: str, scope: str, method: str) -> Answer:
        for key in (
            (role, scope, method),
            (role, scope, ANY),
            (role, ANY, method),
            (role, ANY, ANY),
        ):
            if key in self.overrides:
                return self.overrides[key]
        if role not in self.allowed:
            return self.anonymous if role == ANON else self.denied
        if method not in self.ok:
            return 405
        if scope == MIXED:
            return 404
        if scope == OUT and role not in self.sees_out:
            return self.out
        return self.ok[method]


def _for(roles, answer: Answer, scope: str = ANY, method: str = ANY) -> dict:
    return {(role, scope, method): answer for role in roles}


# --- The world: one firm in each scope, with everything that hangs off it ----------------------


@dataclass
class Objects:
    registration: Registration
    case: Any
    proposal: Proposal
    survey: Any
    session: CounsellingSession
    flag: DuplicateFlag
    referral: Registration  # a partner's referral awaiting the firm's consent
    pending: Registration  # a person's registration for the firm, waiting for approval
    export: ProgressExport
    consent_token: str
    survey_token: str
    reset_uidb64: str
    reset_token: str
    email_token: str  # the link confirming a new address of the firm's contact


@dataclass
class World:
    users: dict[str, Any]
    objects: dict[str, Objects]

    def case(self, scope: str):
        return self.objects[IN if scope == MIXED else scope].case

    def child(self, scope: str) -> Objects:
        """The objects nested under the case in the URL: the other firm's in "mixed"."""
        return self.objects[OUT if scope == MIXED else scope]


def _export(owner) -> ProgressExport:
    export = ProgressExport(
        requested_by=owner,
        requested_via="web",
        kind=ProgressExport.Kind.BUSINESSES,
        format=ProgressExport.Format.XLSX,
        status=ProgressExport.Status.READY,
        row_count=2,
        finished_at=timezone.now(),
    )
    export.file.save("ready.xlsx", ContentFile(b"PK fake"), save=False)
    export.save()
    return export


def _firm(*, prefecture, office, partner, user, menu, export_owner) -> dict:
    registration = RegistrationFactory(
        business__prefecture_id=prefecture,
        referred_by=partner,
        contact__user=user,
        channel=Registration.Channel.PARTNER,
        referral_source=ReferralSource.CHAMBER,
    )
    assert registration.office == office
    case = CaseFactory(registration=registration)
    referral = RegistrationFactory(
        business__prefecture_id=prefecture,
        referred_by=partner,
        status=Registration.Status.AWAITING_CONSENT,
        channel=Registration.Channel.PARTNER,
        referral_source=ReferralSource.CHAMBER,
        privacy_consented_at=None,
        sharing_consented_at=None,
        consent_nonce=secrets.token_hex(16),
    )
    return {
        "registration": registration,
        "case": case,
        "proposal": Proposal.objects.create(
            case=case, menu=menu, score=50, proposed_on=timezone.localdate()
        ),
        "survey": SurveyFactory(case=case),
        "session": CounsellingSession.objects.create(
            case=case, held_at=timezone.now(), channel=CounsellingSession.Channel.PHONE
        ),
        "flag": DuplicateFlag.objects.create(
            registration=registration,
            business=registration.business,
            candidate=BusinessFactory(prefecture_id=prefecture),
            reason=DuplicateFlag.Reason.NAME_AND_PHONE,
        ),
        "referral": referral,
        "pending": RegistrationFactory(
            business=registration.business,
            status=Registration.Status.AWAITING_APPROVAL,
            contact__status=Contact.Status.PENDING,
        ),
        "export": _export(export_owner),
    }


def _world_build() -> World:
    organisation = Organisation.objects.get
    jetro_tokyo, jetro_osaka = organisation(code="jetro-tokyo"), organisation(code="jetro-osaka")
    chamber_tokyo = organisation(code="chamber-tokyo")
    chamber_osaka = organisation(code="chamber-osaka")
    meti = organisation(code="meti-sme-agency")
    users = {
        ANON: None,
        BUSINESS: UserFactory(role=Role.BUSINESS),
        PARTNER: UserFactory(role=Role.PARTNER, organisation=chamber_tokyo),
        CONCIERGE: UserFactory(role=Role.CONCIERGE, organisation=jetro_tokyo),
        OFFICE_LEAD: UserFactory(role=Role.OFFICE_LEAD, organisation=jetro_tokyo),
        MINISTRY: UserFactory(role=Role.MINISTRY, organisation=meti),
        ADMIN: UserFactory(role=Role.ADMIN, is_staff=True),
    }
    other_firm_user = UserFactory(role=Role.BUSINESS)  # never signs in: its reset link stays valid
    other_ministry_user = UserFactory(role=Role.MINISTRY, organisation=meti)
    UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka)
    menu = SupportMenuFactory()

    tokyo = _firm(
        prefecture="13",
        office=jetro_tokyo,
        partner=chamber_tokyo,
        user=users[BUSINESS],
        menu=menu,
        export_owner=users[MINISTRY],
    )
    osaka = _firm(
        prefecture="27",
        office=jetro_osaka,
        partner=chamber_osaka,
        user=other_firm_user,
        menu=menu,
        export_owner=other_ministry_user,
    )
    # A link replaced by a newer one (the survey was re-sent) no longer works.
    stale_survey_token = survey_token_make(osaka["survey"])
    osaka["survey"].token_nonce = secrets.token_hex(16)
    osaka["survey"].save(update_fields=["token_nonce"])
    uidb64 = urlsafe_base64_encode(force_bytes(other_firm_user.pk))
    # A new address waiting for its link; the Osaka contact's first link was replaced.
    tokyo_contact, osaka_contact = tokyo["registration"].contact, osaka["registration"].contact
    contact_email_change_request(contact=tokyo_contact, email="tokyo-new@example.jp", actor=None)
    contact_email_change_request(contact=osaka_contact, email="osaka-a@example.jp", actor=None)
    stale_email_token = email_change_token_make(osaka_contact)
    contact_email_change_request(contact=osaka_contact, email="osaka-b@example.jp", actor=None)
    return World(
        users=users,
        objects={
            IN: Objects(
                **tokyo,
                consent_token=consent_token_make(tokyo["referral"]),
                survey_token=survey_token_make(tokyo["survey"]),
                reset_uidb64=uidb64,
                reset_token=default_token_generator.make_token(other_firm_user),
                email_token=email_change_token_make(tokyo_contact),
            ),
            OUT: Objects(
                **osaka,
                # The firm already confirmed: a used consent link.
                consent_token=consent_token_make(osaka["registration"]),
                survey_token=stale_survey_token,
                reset_uidb64=uidb64,
                reset_token="set-by-nobody-0000000000000000",
                email_token=stale_email_token,
            ),
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once for the module, inside a transaction rolled back at the end of the module.
    Each test runs in a savepoint of it (pytest-django's db fixture), so what a POST changes
    is undone before the next test."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        yield _world_build()
        transaction.set_rollback(True)


# --- URL arguments per scope -------------------------------------------------------------------


def _case(w: World, s: str) -> dict:
    return {"pk": w.case(s).pk}


def _registration(w: World, s: str) -> dict:
    return {"pk": w.objects[s].registration.pk}


def _referral(w: World, s: str) -> dict:
    return {"pk": w.objects[s].referral.pk}


def _pending(w: World, s: str) -> dict:
    return {"pk": w.objects[s].pending.pk}


def _pending_decide(action: str) -> Callable[[World, str], dict]:
    return lambda w, s: {"pk": w.objects[s].pending.pk, "action": action}


def _pending_contact_decide(action: str) -> Callable[[World, str], dict]:
    return lambda w, s: {"pk": w.objects[s].pending.contact_id, "action": action}


def _email_token(w: World, s: str) -> dict:
    return {"token": w.objects[s].email_token}


def _flag(action: str) -> Callable[[World, str], dict]:
    return lambda w, s: {"pk": w.objects[s].flag.pk, "action": action}


def _proposal(w: World, s: str) -> dict:
    return {"pk": w.case(s).pk, "proposal_pk": w.child(s).proposal.pk}


def _session(w: World, s: str) -> dict:
    return {"pk": w.case(s).pk, "session_pk": w.child(s).session.pk}


def _survey(w: World, s: str) -> dict:
    return {"pk": w.case(s).pk, "survey_pk": w.child(s).survey.pk}


def _export_pk(w: World, s: str) -> dict:
    return {"pk": w.objects[s].export.pk}


def _consent_token(w: World, s: str) -> dict:
    return {"token": w.objects[s].consent_token}


def _survey_token(w: World, s: str) -> dict:
    return {"token": w.objects[s].survey_token}


def _reset(w: World, s: str) -> dict:
    return {"uidb64": w.objects[s].reset_uidb64, "token": w.objects[s].reset_token}


# --- The rules ---------------------------------------------------------------------------------

GET_200 = {"GET": 200}
PUBLIC = {"allowed": EVERYONE}
# A signed link: valid ("in") or used/replaced ("out"), the same for every visitor.
SIGNED_LINK = {"allowed": EVERYONE, "sees_out": NOBODY}

RULES: dict[str, Rule | dict[str, Rule]] = {
    # Public pages, signing in and out, password reset (core, accounts, i18n).
    "portal:home": Rule(GET_200, **PUBLIC),
    "core:health": Rule(GET_200, **PUBLIC),
    "set_language": Rule({"GET": 302, "POST": 302}, **PUBLIC),
    "login": Rule(  # a signed-in user is sent on to their home page
        {"GET": 200, "POST": 200}, **PUBLIC, overrides=_for(SIGNED_IN, 302)
    ),
    "logout": Rule({"POST": 302}, **PUBLIC),
    "password_reset": Rule({"GET": 200, "POST": 200}, **PUBLIC),
    "password_reset_done": Rule(GET_200, **PUBLIC),
    "password_reset_confirm": Rule(  # valid link: on to the new-password form; else a notice
        {"GET": 302, "POST": 302}, allowed=EVERYONE, args=_reset, out=200, sees_out=NOBODY
    ),
    "password_reset_complete": Rule(GET_200, **PUBLIC),
    "password_change": Rule({"GET": 200, "POST": 200}),
    "preferences": Rule({"GET": 200, "POST": 302}),
    # The second sign-in step (force_login passes it, see conftest.py). Nobody in this world has
    # an authenticator yet: the code page sends them on to set one up.
    "two_factor_verify": Rule({"GET": 302, "POST": 302}),
    # Staff set one up only through an admin's invitation: without one, a page to ask for it.
    "two_factor_setup": Rule(
        {"GET": 200, "POST": 200}, overrides=_for({CONCIERGE, OFFICE_LEAD, MINISTRY, ADMIN}, 403)
    ),
    # An invitation link that is not this user's (or used, or expired): a page, nothing else.
    "two_factor_invitation": Rule(GET_200 | {"GET": 404}, kwargs={"token": "not-an-invitation"}),
    # Registration, consent, privacy (public) and the firm's own pages.
    "registrations:register": Rule({"GET": 200, "POST": 200}, **PUBLIC),
    "registrations:done": Rule({"GET": 302}, **PUBLIC),  # no reference in this session
    "registrations:consent": Rule({"GET": 200, "POST": 200}, args=_consent_token, **SIGNED_LINK),
    "registrations:privacy": Rule(GET_200, **PUBLIC),
    "registrations:postal-code": Rule(GET_200, kwargs={"code": "1000013"}, **PUBLIC),
    "registrations:contact-update": Rule({"GET": 200, "POST": 200}, allowed=FIRMS, denied=404),
    "registrations:withdraw": Rule(
        {"GET": 200, "POST": 302},
        allowed=FIRMS,
        denied=404,
        args=_registration,
        sees_out=NOBODY,
    ),
    "registrations:my-data": {
        fmt: Rule(GET_200, allowed=FIRMS, denied=404, kwargs={"fmt": fmt})
        for fmt in ("json", "csv")
    },
    "registrations:my-data-page": Rule(GET_200, allowed=FIRMS, denied=404),
    "registrations:deletion-request": Rule({"GET": 200, "POST": 200}, allowed=FIRMS, denied=404),
    # A new address is confirmed from the link sent to it (valid, or replaced by a newer one).
    "registrations:email-confirm": Rule(
        {"GET": 200, "POST": 302}, args=_email_token, **SIGNED_LINK
    ),
    # A firm's active contact decides on people asking to act for the firm ("out": another
    # firm's request, 404).
    "registrations:contact-requests": Rule(GET_200, allowed=FIRMS, denied=404),
    "registrations:contact-decide": {
        action: Rule(
            {"POST": 302},
            allowed=FIRMS,
            denied=404,
            args=_pending_contact_decide(action),
            sees_out=NOBODY,
        )
        for action in ("approve", "reject")
    },  # fmt: skip
    # Partners.
    "registrations:referral-list": Rule(GET_200, allowed=PARTNERS),
    "registrations:referral-create": Rule({"GET": 200, "POST": 200}, allowed=PARTNERS),
    "registrations:referral-resend": Rule({"POST": 302}, allowed=PARTNERS, args=_referral),
    # What a referral became (confirmed, or still awaiting consent), and the funnel as CSV.
    "portal:referral-detail": {
        "registered": Rule(GET_200, allowed=PARTNERS, args=_registration),
        "awaiting-consent": Rule(GET_200, allowed=PARTNERS, args=_referral),
    },
    "portal:referral-download": Rule(GET_200, allowed=PARTNERS),
    # JETRO offices: registrations and duplicates.
    "registrations:registration-list": Rule(GET_200, allowed=OFFICES),
    "registrations:registration-detail": {
        "registered": Rule(GET_200, allowed=OFFICES, args=_registration),
        # A referral the firm has not confirmed yet: its office does not see it, admins do.
        "awaiting-consent": Rule(
            GET_200, allowed=OFFICES, args=_referral, overrides=_for({CONCIERGE, OFFICE_LEAD}, 404)
        ),
        # A person waiting for approval: their office sees who asked, and decides.
        "awaiting-approval": Rule(GET_200, allowed=OFFICES, args=_pending),
    },
    "registrations:registration-contact-decide": {
        action: Rule({"POST": 302}, allowed=OFFICES, args=_pending_decide(action))
        for action in ("approve", "reject")
    },
    "registrations:duplicate-queue": Rule(GET_200, allowed=OFFICES),
    "registrations:duplicate-resolve": {
        "merge": Rule({"POST": 302}, allowed=OFFICES, args=_flag("merge")),
        "dismiss": Rule({"POST": 302}, allowed=OFFICES, args=_flag("dismiss")),
        "reopen": Rule(  # undoing a decision is for admins: reviewers get a 404
            {"POST": 302},
            allowed=OFFICES,
            args=_flag("reopen"),
            overrides=_for({CONCIERGE, OFFICE_LEAD}, 404, method="POST"),
        ),
    },
    # JETRO offices: cases. An empty POST is an invalid form: the case page again, 400.
    "counselling:case-list": Rule(GET_200, allowed=OFFICES),
    "counselling:queue": Rule({"GET": 200, "POST": 302}, allowed=LEADS),
    "counselling:case-detail": Rule(GET_200, allowed=OFFICES, args=_case),
    "counselling:session-log": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:session-correct": Rule(
        {"GET": 200, "POST": 400}, allowed=OFFICES, args=_session, mixed=True
    ),
    "counselling:next-action-done": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:next-action-reschedule": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:stage-change": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:target-set": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:status-change": Rule({"POST": 400}, allowed=OFFICES, args=_case),
    "counselling:assign": Rule({"POST": 400}, allowed=LEADS, args=_case),
    "counselling:support-review": Rule({"POST": 400}, allowed=LEADS, args=_case),
    # JETRO offices: support menus and proposals.
    "support_menus:menu-list": Rule(GET_200, allowed=OFFICES | {PARTNER}),  # public information
    "support_menus:case-propose": Rule({"GET": 200, "POST": 400}, allowed=OFFICES, args=_case),
    "support_menus:proposal-status": Rule(
        {"POST": 400}, allowed=OFFICES, args=_proposal, mixed=True
    ),
    # JETRO offices: surveys of a case. Firms: their survey through its signed link.
    "outcomes:staff-answer": Rule(
        {"GET": 200, "POST": 400}, allowed=OFFICES, args=_survey, mixed=True
    ),
    "outcomes:resend": Rule({"POST": 302}, allowed=OFFICES, args=_survey, mixed=True),
    "outcomes:answer": Rule({"GET": 200, "POST": 400}, args=_survey_token, **SIGNED_LINK),
    "outcomes:opt-out": Rule({"GET": 200, "POST": 400}, args=_survey_token, **SIGNED_LINK),
    "outcomes:done": Rule({"GET": 200, "POST": 302}, args=_survey_token, **SIGNED_LINK),
    # The ministry: reports, progress dashboard and exports.
    "reporting:report": {
        "page": Rule(GET_200, allowed=MINISTRY_AND_ADMIN),
        "csv": Rule(GET_200, allowed=MINISTRY_AND_ADMIN, query="format=csv"),
    },
    "reporting:progress": Rule(GET_200, allowed=MINISTRY_AND_ADMIN),
    "reporting:progress-businesses": Rule(GET_200, allowed=MINISTRY_AND_ADMIN),
    "reporting:progress-export": {  # business-level rows: every role with the dashboard has them
        f"{kind}-{fmt}": Rule(
            GET_200, allowed=MINISTRY_AND_ADMIN, query=f"kind={kind}&format={fmt}"
        )
        for kind in ProgressExport.Kind.values
        for fmt in ProgressExport.Format.values
    },
    "reporting:progress-exports": Rule(GET_200, allowed=MINISTRY_AND_ADMIN),
    "reporting:progress-export-download": Rule(
        GET_200, allowed=MINISTRY_AND_ADMIN, args=_export_pk
    ),
}

# Everything under settings.ADMIN_URL: the admin role only; everyone else to the admin login.
ADMIN_RULE = Rule(GET_200, allowed=frozenset({ADMIN}), denied=ADMIN_LOGIN, anonymous=ADMIN_LOGIN)


def _variants(name: str) -> dict[str, Rule]:
    rule = RULES[name]
    return rule if isinstance(rule, dict) else {"": rule}


CASES = [
    pytest.param(
        name, variant, role, scope, id=f"{name}{variant and f'[{variant}]'}-{role}-{scope}"
    )
    for name in RULES
    for variant, rule in _variants(name).items()
    for role in ROLES
    for scope in rule.scopes
]
ADMIN_URL_NAMES = [
    "admin:index",
    *sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    ),
]
ADMIN_CASES = [(name, role) for name in ADMIN_URL_NAMES for role in ROLES]
# What the docstring states; raise these when rules are added, never lower them.
MIN_CASES, MIN_REQUESTS, MIN_ADMIN_CASES = 798, 1309, 252


# --- Asking --------------------------------------------------------------------------------------


def _answer(client, method: str, url: str) -> Answer:
    """The status code, or LOGIN / ADMIN_LOGIN for a redirect to a login page, or a
    description of the exception the view raised (a 500 in production)."""
    try:
        response = client.post(url, {}) if method == "POST" else client.get(url)
        if response.streaming:  # the test client closes the response once it is read
            b"".join(response.streaming_content)
    except Exception as error:
        return f"500 ({type(error).__name__}: {error})"
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(f"{reverse('login')}?next="):
        return LOGIN
    if response.status_code == 302 and location.startswith(f"{reverse('admin:login')}?next="):
        return ADMIN_LOGIN
    return response.status_code


def _sign_in(client, world: World, role: str) -> None:
    """As the role's user (force_login also passes the second factor: see conftest.py)."""
    if role != ANON:
        client.force_login(world.users[role])


def _check(client, role: str, url: str, rule: Rule, scope: str) -> list[str]:
    problems = []
    for method in rule.methods:
        want, got = rule.expected(role, scope, method), _answer(client, method, url)
        if got != want:
            problems.append(f"{method} {url} as {role} ({scope} scope): expected {want}, got {got}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "variant", "role", "scope"), CASES)
def test_access(client, world, name, variant, role, scope):
    rule = _variants(name)[variant]
    url = reverse(name, kwargs={**rule.kwargs, **(rule.args(world, scope) if rule.args else {})})
    assert resolve(url).view_name == name, f"{url} is answered by {resolve(url).view_name}"
    if rule.query:
        url = f"{url}?{rule.query}"
    _sign_in(client, world, role)
    problems = _check(client, role, url, rule, scope)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_access(client, world, role):
    """The admin index and every registered model's changelist, one test per role."""
    _sign_in(client, world, role)
    problems = []
    for name in ADMIN_URL_NAMES:
        problems += _check(client, role, reverse(name), ADMIN_RULE, NONE)
    assert not problems, "\n".join(problems)


# --- Completeness --------------------------------------------------------------------------------


def _patterns(patterns=None, namespace: str = "", prefix: str = "") -> Iterator[tuple]:
    """(namespace, full name or None, route, pattern) of every URL pattern, depth first."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield namespace, name, route, entry


def _handled_methods(pattern: URLPattern) -> set[str] | None:
    """GET/POST answered by a class-based view (a view that only overrides dispatch answers
    both); None for a function view."""
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return None
    handled = {m for m in ("GET", "POST") if hasattr(view_class, m.lower())}
    return handled or {"GET", "POST"}


def test_every_url_pattern_has_a_rule():
    assert set(ROLES) == {ANON, *Role.values}
    names, unnamed, admin_routes = [], [], []
    for namespace, name, route, _pattern in _patterns():
        if namespace.startswith("admin:"):  # one rule for the whole admin
            admin_routes.append(route)
        elif name is None:
            unnamed.append(route)
        else:
            names.append(name)
    assert not unnamed, f"URL patterns without a name (no rule can be written): {unnamed}"
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"URL names used by more than one pattern: {duplicates}"
    missing = sorted(set(names) - set(RULES))
    assert not missing, f"URL patterns without an access rule in RULES: {missing}"
    stale = sorted(set(RULES) - set(names))
    assert not stale, f"rules for URL names that no longer exist: {stale}"
    assert reverse("admin:index") == f"/{settings.ADMIN_URL}"
    assert all(route.startswith(settings.ADMIN_URL) for route in admin_routes)


def test_every_method_a_view_answers_is_checked():
    unchecked = []
    for namespace, name, route, pattern in _patterns():
        if name is None or name not in RULES or namespace.startswith("admin:"):
            continue  # test_every_url_pattern_has_a_rule names these
        handled = _handled_methods(pattern)
        for variant, rule in _variants(name).items():
            if handled is not None and not handled <= set(rule.methods):
                unchecked.append(f"{name}{variant and f'[{variant}]'} ({route}): {handled}")
    assert not unchecked, f"views answering methods their rule does not check: {unchecked}"


def test_coverage_does_not_shrink():
    requests = sum(len(_variants(p.values[0])[p.values[1]].methods) for p in CASES)
    counts = (len(CASES), requests, len(ADMIN_CASES))
    print(  # noqa: T201
        f"{len(RULES)} URL names, {len(ROLES)} roles: {counts[0]} URL × role × scope cases "
        f"({counts[1]} requests), {counts[2]} admin cases"
    )
    minimum = (MIN_CASES, MIN_REQUESTS, MIN_ADMIN_CASES)
    assert all(count >= least for count, least in zip(counts, minimum, strict=True)), counts
