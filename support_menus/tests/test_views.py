"""Support-menu pages: who may open them, proposing and advancing proposals through them, what
the firm sees, the reasons shown on the ranking, and query counts that do not grow with rows."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from core.forms import CHOOSE
from core.roles import Role
from core.tests.factories import UserFactory
from core.validators import IN_FUTURE
from counselling.models import Case, CaseEvent, IssueTag, Stage
from counselling.services import CASE_CLOSED, case_status_change
from counselling.tests.factories import CaseFactory
from registrations.models import Registration
from support_menus import services
from support_menus.forms import (
    DECLINE_CONFIRM_REQUIRED,
    NEXT_STEP_ORDER,
    ProposalStatusForm,
    ProposeForm,
)
from support_menus.matching import MESSAGES
from support_menus.models import CaseMenuRanking, Proposal, Provider
from support_menus.tests.factories import SupportMenuFactory
from tests.permissions import ALL_ROLES

pytestmark = pytest.mark.django_db

# Who may open the catalogue and a Tokyo case's ranking, propose and advance proposals.
MENU_ROLES = {Role.CONCIERGE, Role.OFFICE_LEAD, Role.ADMIN}
# The catalogue is public information: partners browse it too (no ranking, no proposals).
CATALOGUE_ROLES = MENU_ROLES | {Role.PARTNER}
DAY = datetime.timedelta(days=1)


def section(html: str, start: str, end: str) -> str:
    """The part of the page from the first `start` to the next `end` (inclusive)."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) + len(end)]


@dataclass
class Scene:
    case: Case
    proposal: Proposal
    menus: dict


@pytest.fixture
def scene(users) -> Scene:
    """A Tokyo case in counselling with one menu proposed, two more eligible menus and one
    only for expansion (excluded: the case is matched as preparation)."""
    concierge = users[Role.CONCIERGE]
    case = CaseFactory(
        registration__business__prefecture_id="13", status=Case.Status.COUNSELLING,
        concierge=concierge, registration__situations=["market_research"],
    )  # fmt: skip
    menus = {
        "market": SupportMenuFactory(code="m-market", name="市場調査サービス",
                                     tags=["market_research"]),
        "buyers": SupportMenuFactory(code="m-buyers", name="バイヤー紹介", tags=["buyers"]),
        "plain": SupportMenuFactory(code="m-plain", name="総合相談窓口"),
        "expansion": SupportMenuFactory(code="m-expansion", name="海外拠点設立支援",
                                        stages=["expansion"]),
    }  # fmt: skip
    [proposal] = services.proposals_create(
        case=case, menu_codes=["m-plain"], note="", actor=concierge,
        today=timezone.localdate() - 3 * DAY,
    )  # fmt: skip
    return Scene(case=case, proposal=proposal, menus=menus)


def propose_url(case) -> str:
    return reverse("support_menus:case-propose", args=[case.pk])


def status_url(proposal) -> str:
    return reverse("support_menus:proposal-status", args=[proposal.case_id, proposal.pk])


def status_data(proposal, **values) -> dict:
    return {f"proposal-{proposal.pk}-{name}": value for name, value in values.items()}


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_ranking_page_and_its_forms_for_every_role(client, users, scene, role):
    client.force_login(users[role])
    allowed = role in MENU_ROLES

    assert client.get(propose_url(scene.case)).status_code == (200 if allowed else 403)
    # Allowed roles reach the forms (and get them back with errors); others are refused.
    assert client.post(propose_url(scene.case), {}).status_code == (400 if allowed else 403)
    assert client.post(status_url(scene.proposal), {}).status_code == (400 if allowed else 403)
    assert Proposal.objects.count() == 1
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_catalogue_for_every_role(client, users, scene, role):
    client.force_login(users[role])
    response = client.get(reverse("support_menus:menu-list"))
    assert response.status_code == (200 if role in CATALOGUE_ROLES else 403)
    if role in CATALOGUE_ROLES:
        assert scene.menus["market"].name in response.text


@pytest.mark.parametrize(
    "url", [lambda s: propose_url(s.case), lambda s: reverse("support_menus:menu-list")],
    ids=["ranking", "catalogue"],
)  # fmt: skip
def test_anonymous_visitors_are_sent_to_sign_in(client, scene, url):
    target = url(scene)
    response = client.get(target)
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))
    assert "next=" in response.url


def test_a_concierge_of_another_office_gets_404_for_the_case(client, scene, jetro_osaka):
    osaka_concierge = UserFactory(role=Role.CONCIERGE, organisation=jetro_osaka)
    client.force_login(osaka_concierge)

    assert client.get(propose_url(scene.case)).status_code == 404
    assert client.post(propose_url(scene.case), {"menus": ["m-market"]}).status_code == 404
    response = client.post(
        status_url(scene.proposal),
        status_data(scene.proposal, status="declined", on=timezone.localdate().isoformat()),
    )
    assert response.status_code == 404
    assert Proposal.objects.count() == 1
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED


def test_a_proposal_of_another_case_is_404_on_this_cases_url(client, users, scene):
    other = CaseFactory(registration__business__prefecture_id="13")
    client.force_login(users[Role.CONCIERGE])
    url = reverse("support_menus:proposal-status", args=[other.pk, scene.proposal.pk])
    response = client.post(
        url, status_data(scene.proposal, status="declined", on=timezone.localdate().isoformat())
    )
    assert response.status_code == 404
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED


# --- What the firm sees -----------------------------------------------------------------------


def test_the_firm_sees_its_own_proposals_on_its_home_page(client, users, scene):
    business_user = users[Role.BUSINESS]
    own_case = CaseFactory(registration=Registration.objects.get(contact__user=business_user))
    [own] = services.proposals_create(
        case=own_case, menu_codes=["m-market"], note="まずはこちらをご覧ください。",
        actor=users[Role.CONCIERGE], today=timezone.localdate(),
    )  # fmt: skip
    # scene.case (another firm) has m-plain proposed.

    client.force_login(business_user)
    response = client.get("/")

    assert response.status_code == 200
    [batch] = response.context["proposal_batches"]
    assert batch.proposals == [own]
    mine = section(response.text, 'data-testid="my-proposals"', "</ul>")
    assert scene.menus["market"].name in mine
    assert "まずはこちらをご覧ください。" in mine
    assert scene.menus["plain"].name not in response.text


def test_the_concierges_message_is_shown_once_with_its_line_breaks(client, users, scene):
    business_user = users[Role.BUSINESS]
    own_case = CaseFactory(registration=Registration.objects.get(contact__user=business_user))
    services.proposals_create(
        case=own_case, menu_codes=["m-market", "m-plain"],
        note="面談ありがとうございました。\n次の2つをご検討ください。",
        actor=users[Role.CONCIERGE], today=timezone.localdate(),
    )  # fmt: skip

    client.force_login(business_user)
    response = client.get("/")

    mine = section(response.text, 'data-testid="my-proposals"', "</ul>")
    assert mine.count('data-testid="concierge-message"') == 1
    assert "面談ありがとうございました。<br>次の2つをご検討ください。" in mine
    assert scene.menus["market"].name in mine
    assert scene.menus["plain"].name in mine


def test_a_firm_without_proposals_sees_none_of_anothers(client, users, scene):
    client.force_login(users[Role.BUSINESS])
    response = client.get("/")
    assert response.context["proposal_batches"] == []
    assert scene.menus["plain"].name not in response.text


# --- Proposing through the page ---------------------------------------------------------------


def test_proposing_the_ticked_menus(client, users, scene, django_capture_on_commit_callbacks):
    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            propose_url(scene.case),
            {"menus": ["m-market", "m-buyers"], "note": "ご検討ください。"},
        )

    assert response.status_code == 302
    assert response.url == reverse("counselling:case-detail", args=[scene.case.pk])
    created = Proposal.objects.filter(case=scene.case, menu__code__in=["m-market", "m-buyers"])
    assert created.count() == 2
    assert {p.note for p in created} == {"ご検討ください。"}
    assert {p.created_by for p in created} == {concierge}
    assert [p.history.get().history_user for p in created] == [concierge, concierge]
    scene.case.refresh_from_db()
    assert scene.case.status == Case.Status.PROPOSALS
    # One e-mail for this batch (the scene's earlier proposal had its own).
    [email] = [m for m in mail.outbox if scene.menus["market"].name in m.body]
    assert scene.menus["buyers"].name in email.body
    assert email.to == [scene.case.registration.contact.email]
    assert len(list(get_messages(response.wsgi_request))) == 1

    page = client.get(response.url)
    for code in ("m-market", "m-buyers", "m-plain"):
        assert f'data-proposal="{code}"' in page.text


def test_proposing_with_nothing_ticked_shows_the_message(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    response = client.post(propose_url(scene.case), {"note": "メモ"})

    assert response.status_code == 400
    message = str(ProposeForm.base_fields["menus"].error_messages["required"])
    assert message == str(services.CHOOSE_MENUS)
    errors = section(response.text, 'data-testid="menus-errors"', "</div>")
    assert escape(message) in errors
    assert Proposal.objects.count() == 1


@pytest.mark.parametrize(
    "code", ["m-expansion", "m-plain", "no-such-menu"], ids=["excluded", "proposed", "unknown"]
)
def test_a_menu_not_in_the_eligible_list_is_refused(client, users, scene, code):
    client.force_login(users[Role.CONCIERGE])
    response = client.post(propose_url(scene.case), {"menus": ["m-market", code]})

    assert response.status_code == 400
    message = f"提案するメニューは一覧から選択してください（「{code}」は一覧にありません）。"
    errors = section(response.text, 'data-testid="menus-errors"', "</div>")
    assert escape(message) in errors
    assert Proposal.objects.count() == 1  # m-market was not proposed either
    assert "checked" in section(response.text, 'data-menu="m-market"', "</li>")


def test_the_ranking_marks_proposed_menus_instead_of_offering_them(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    response = client.get(propose_url(scene.case))
    proposed = section(response.text, 'data-menu="m-plain"', "</li>")
    assert 'name="menus"' not in proposed
    assert 'value="m-market"' in section(response.text, 'data-menu="m-market"', "</li>")
    assert [c for c, _label in response.context["form"].fields["menus"].choices] == [
        "m-market", "m-buyers",
    ]  # fmt: skip


# --- Advancing a proposal from the case page --------------------------------------------------


def test_advancing_a_proposal_from_the_case_page(client, users, scene):
    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)
    today = timezone.localdate()

    response = client.post(
        status_url(scene.proposal),
        status_data(scene.proposal, status="applied", on=today.isoformat(), note="申請済み"),
    )

    assert response.status_code == 302
    assert response.url == reverse("counselling:case-detail", args=[scene.case.pk])
    scene.proposal.refresh_from_db()
    assert (scene.proposal.status, scene.proposal.applied_on) == ("applied", today)
    assert scene.proposal.history.first().history_user == concierge
    event = scene.case.events.filter(kind=CaseEvent.Kind.PROPOSAL).first()
    assert "申請済み" in event.summary

    page = client.get(response.url)
    proposal_html = section(page.text, 'data-proposal="m-plain"', "</li>")
    assert str(Proposal.Status.APPLIED.label) in proposal_html


def test_a_future_date_is_shown_next_to_the_form_and_nothing_changes(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    tomorrow = timezone.localdate() + DAY

    response = client.post(
        status_url(scene.proposal),
        status_data(scene.proposal, status="applied", on=tomorrow.isoformat(), note=""),
    )

    assert response.status_code == 400
    anchor = f"#proposal-{scene.proposal.pk}"
    form = section(response.text, f'action="{status_url(scene.proposal)}{anchor}"', "</form>")
    message = IN_FUTURE % {"today": timezone.localdate().isoformat()}
    assert escape(message) in form
    assert tomorrow.isoformat() in form  # the form keeps what was typed
    assert response.context["proposals"][0][1].errors["on"] == [message]
    scene.proposal.refresh_from_db()
    assert (scene.proposal.status, scene.proposal.applied_on) == ("proposed", None)


def test_a_step_the_lifecycle_does_not_allow_is_refused(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    response = client.post(
        status_url(scene.proposal),
        status_data(scene.proposal, status="completed", on=timezone.localdate().isoformat()),
    )
    assert response.status_code == 400
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED


def close(case, actor):
    case_status_change(case=case, status=Case.Status.CLOSED, close_reason="declined", actor=actor)


def test_proposing_on_a_case_closed_meanwhile_says_why(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    close(scene.case, users[Role.OFFICE_LEAD])
    response = client.post(propose_url(scene.case), {"menus": ["m-market"]})
    assert response.status_code == 400
    form = section(response.text, 'data-testid="propose-form"', "</form>")
    assert escape(str(CASE_CLOSED)) in form
    assert Proposal.objects.count() == 1


def test_advancing_a_proposal_of_a_case_closed_meanwhile_says_why(client, users, scene):
    """The concierge's case page was open while the lead closed the case."""
    client.force_login(users[Role.CONCIERGE])
    close(scene.case, users[Role.OFFICE_LEAD])
    response = client.post(
        status_url(scene.proposal),
        status_data(scene.proposal, status="applied", on=timezone.localdate().isoformat()),
    )
    assert response.status_code == 400
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED
    # The page is shown again with the reason next to the proposal (the checklist's own
    # "the case is closed" line elsewhere on the page does not say the update failed).
    proposals = section(response.text, 'data-testid="proposals"', "</section>")
    assert escape(str(CASE_CLOSED)) in proposals


# --- Query counts -----------------------------------------------------------------------------


def varied_menu(number: int, **kwargs):
    """A menu with related rows to fetch (tags, industries, prefectures, its provider)."""
    providers = list(Provider.objects.order_by("code"))
    tags = ["market_research", "buyers", "finance", "ip"]
    kwargs.setdefault(
        "stages", [["preparation", "challenge"], ["expansion"], ["preparation"]][number % 3]
    )
    menu = SupportMenuFactory(
        provider=providers[number % len(providers)],
        tags=[tags[number % 4], tags[(number + 1) % 4]],
        **kwargs,
    )
    if number % 2:
        menu.industries.set(["E", "I"])
        menu.prefectures.set(["13", "27"])
    return menu


def assert_same_queries_for_more_rows(
    django_assert_max_num_queries, django_assert_num_queries, get, grow
):
    with django_assert_max_num_queries(100) as small:
        response = get()
    assert response.status_code == 200
    grow()
    with django_assert_num_queries(len(small.captured_queries)):
        response = get()
    assert response.status_code == 200
    return response


def test_the_catalogue_runs_a_fixed_number_of_queries(
    client, users, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(users[Role.CONCIERGE])
    for number in range(3):
        varied_menu(number)
    response = assert_same_queries_for_more_rows(
        django_assert_max_num_queries, django_assert_num_queries,
        lambda: client.get(reverse("support_menus:menu-list")),
        lambda: [varied_menu(number) for number in range(3, 30)],
    )  # fmt: skip
    assert len(response.context["page"].object_list) == 30


def test_the_ranking_page_runs_a_fixed_number_of_queries(
    client, users, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(users[Role.CONCIERGE])
    case = CaseFactory(registration__business__prefecture_id="13",
                       registration__situations=["market_research"])  # fmt: skip
    for number in range(3):
        varied_menu(number)
    response = assert_same_queries_for_more_rows(
        django_assert_max_num_queries, django_assert_num_queries,
        lambda: client.get(propose_url(case)),
        lambda: [varied_menu(number) for number in range(3, 30)],
    )  # fmt: skip
    ranked, excluded = response.context["ranked"], response.context["excluded"]
    assert len(ranked) + len(excluded) == 30
    assert ranked
    assert excluded


def test_the_case_page_runs_a_fixed_number_of_queries_whatever_the_proposals(
    client, users, django_assert_num_queries, django_assert_max_num_queries
):
    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)
    case = CaseFactory(registration__business__prefecture_id="13", concierge=concierge)
    codes = [varied_menu(number, stages=["preparation"]).code for number in range(6)]
    today = timezone.localdate()
    services.proposals_create(case=case, menu_codes=codes[:1], note="", actor=concierge,
                              today=today - 5 * DAY)  # fmt: skip

    def more():
        proposals = services.proposals_create(
            case=case, menu_codes=codes[1:], note="", actor=concierge, today=today - 5 * DAY
        )
        services.proposal_status_change(
            proposal=proposals[0], status="applied", on=today, actor=concierge
        )

    response = assert_same_queries_for_more_rows(
        django_assert_max_num_queries, django_assert_num_queries,
        lambda: client.get(reverse("counselling:case-detail", args=[case.pk])),
        more,
    )  # fmt: skip
    assert len(response.context["proposals"]) == 6
    for code in codes:
        assert f'data-proposal="{code}"' in response.text


def test_the_case_list_shows_the_best_match_in_a_fixed_number_of_queries(
    client, users, django_assert_num_queries, django_assert_max_num_queries
):
    concierge = users[Role.CONCIERGE]
    client.force_login(concierge)
    best = SupportMenuFactory(code="m-best", name="ベストマッチ支援", tags=["market_research"])
    SupportMenuFactory(code="m-other", name="その他支援")
    today = timezone.localdate()

    def add_ranked_cases(count):
        cases = CaseFactory.create_batch(
            count, registration__business__prefecture_id="13", concierge=concierge,
            registration__situations=["market_research"],
        )  # fmt: skip
        services.case_rankings_refresh(first_pk=cases[0].pk, last_pk=cases[-1].pk, today=today)

    add_ranked_cases(1)
    response = assert_same_queries_for_more_rows(
        django_assert_max_num_queries, django_assert_num_queries,
        lambda: client.get(reverse("counselling:case-list")),
        lambda: add_ranked_cases(9),
    )  # fmt: skip

    rows = list(response.context["page"].object_list)
    assert len(rows) == 10
    assert CaseMenuRanking.objects.filter(top_menu=best).count() == 10
    cells = re.findall(r'data-testid="best-match">(.*?)</td>', response.text, re.S)
    assert len(cells) == 10
    assert all(best.name in cell for cell in cells)


def test_the_case_list_is_the_concierges_own_cases_unless_mine_is_cleared(client, users):
    concierge = users[Role.CONCIERGE]
    mine = CaseFactory(registration__business__prefecture_id="13", concierge=concierge)
    unassigned = CaseFactory(registration__business__prefecture_id="13")
    client.force_login(concierge)
    url = reverse("counselling:case-list")

    default = client.get(url).context["page"].object_list
    everything = client.get(url, {"mine": ""}).context["page"].object_list

    assert [c.pk for c in default] == [mine.pk]
    assert {c.pk for c in everything} == {mine.pk, unassigned.pk}


# --- Reasons on the ranking page --------------------------------------------------------------


def test_the_ranking_explains_matches_and_exclusions_in_words(client, users):
    case = CaseFactory(registration__business__prefecture_id="13", stage="",
                       registration__situations=["market_research"])  # fmt: skip
    SupportMenuFactory(code="m-research", name="市場調査パッケージ", tags=["market_research"])
    SupportMenuFactory(code="m-later", name="海外展開拡大支援", stages=["expansion"])
    client.force_login(users[Role.CONCIERGE])

    response = client.get(propose_url(case))

    assert response.status_code == 200
    tag = IssueTag.objects.get(code="market_research").name
    with translation.override(settings.LANGUAGE_CODE):
        issue = str(MESSAGES["issue"]) % {"tag": tag}
        not_stage = str(MESSAGES["not_stage"]) % {
            "stage": Stage.PREPARATION.label, "stages": Stage.EXPANSION.label,
        }  # fmt: skip
    ranking = section(response.text, 'data-testid="ranking"', "</ol>")
    research = section(ranking, 'data-menu="m-research"', "</ul>")
    assert escape(issue) in research
    assert tag in research
    assert 'data-menu="m-later"' not in ranking

    excluded = section(response.text, 'data-testid="excluded"', "</details>")
    later = section(excluded, 'data-menu="m-later"', "</li></ul></li>")
    assert "海外展開拡大支援" in later
    assert escape(not_stage) in later
    assert [e.reasons for e in response.context["excluded"]] == [[not_stage]]
    assert tag in section(response.text, 'data-testid="case-facts"', "</div>")


# --- The next step: forward first, nothing chosen, the firm's withdrawal confirmed ----------


@pytest.mark.parametrize(
    ("current", "offered"),
    [("proposed", ["applied", "adopted", "declined"]),
     ("applied", ["adopted", "rejected", "declined"]),
     ("adopted", ["completed", "declined"])],
)  # fmt: skip
def test_the_step_form_offers_the_forward_steps_first_with_none_chosen(scene, current, offered):
    scene.proposal.status = current
    form = ProposalStatusForm(proposal=scene.proposal)
    assert [value for value, _ in form.fields["status"].choices] == ["", *offered]
    assert form.fields["status"].choices[0] == ("", CHOOSE)
    assert '<option value="" selected>' in str(form["status"])


def test_every_step_the_lifecycle_allows_is_offered():
    assert set().union(*services.PROPOSAL_TRANSITIONS.values()) == set(NEXT_STEP_ORDER)


def test_update_without_choosing_records_nothing(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    data = status_data(scene.proposal, status="", on=timezone.localdate().isoformat())
    response = client.post(status_url(scene.proposal), data)
    assert response.status_code == 400
    assert f'href="#id_proposal-{scene.proposal.pk}-status"' in response.text
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED


def test_the_firms_withdrawal_needs_the_confirmation_box(client, users, scene):
    client.force_login(users[Role.CONCIERGE])
    data = status_data(scene.proposal, status="declined", on=timezone.localdate().isoformat())

    response = client.post(status_url(scene.proposal), data)

    assert response.status_code == 400
    assert response.context["proposals"][0][1].errors["confirm"] == [DECLINE_CONFIRM_REQUIRED]
    assert f'href="#id_proposal-{scene.proposal.pk}-confirm"' in response.text
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.PROPOSED

    confirmed = {**data, f"proposal-{scene.proposal.pk}-confirm": "on"}
    assert client.post(status_url(scene.proposal), confirmed).status_code == 302
    scene.proposal.refresh_from_db()
    assert scene.proposal.status == Proposal.Status.DECLINED
