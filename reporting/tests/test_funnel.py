"""The funnel of a scope of firms (reporting.selectors.business_funnel): what each figure
counts, that it counts as the progress dashboard does (its headline figures, from the fact
table), and its fixed number of queries."""

import pytest

from core.roles import Role
from core.tests.factories import UserFactory
from counselling.tests.factories import CaseFactory
from registrations.models import Business
from registrations.tests.factories import RegistrationFactory
from reporting.models import BusinessProgress
from reporting.selectors import business_funnel, referral_funnel
from reporting.services import business_progress_refresh
from reporting.tests.helpers import EXPECTED_FUNNEL, referral_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber_osaka(db):
    from core.models import Organisation

    return Organisation.objects.get(code="chamber-osaka")


def _values(steps) -> dict[str, int]:
    return {step.key: step.value for step in steps}


def test_a_partners_funnel_counts_each_of_its_firms_once_as_far_as_it_got(
    chamber_tokyo, chamber_osaka
):
    referral_world(chamber_tokyo, chamber_osaka)
    business_progress_refresh()
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    assert _values(referral_funnel(user=partner)) == EXPECTED_FUNNEL


def test_another_organisation_counts_only_its_own_referrals(chamber_tokyo, chamber_osaka):
    referral_world(chamber_tokyo, chamber_osaka)
    business_progress_refresh()
    other = UserFactory(role=Role.PARTNER, organisation=chamber_osaka)
    assert _values(referral_funnel(user=other)) == {
        "referred": 1, "registered": 1, "counselled": 1, "proposed": 0, "adopted": 0,
        "realised": 1,
    }  # fmt: skip


def test_every_step_has_a_label_and_a_plain_definition(chamber_tokyo):
    steps = referral_funnel(user=UserFactory(role=Role.PARTNER, organisation=chamber_tokyo))
    assert [step.key for step in steps] == list(EXPECTED_FUNNEL)
    assert len({step.label for step in steps}) == len({step.definition for step in steps}) == 6
    assert all(step.definition.endswith("。") for step in steps)  # a sentence, in Japanese


def test_the_whole_program_counts_as_the_dashboards_fact_table(chamber_tokyo, chamber_osaka):
    """One definition: the funnel of every firm agrees with the dashboard's figures."""
    referral_world(chamber_tokyo, chamber_osaka)
    RegistrationFactory.create_batch(2)  # online registrations, with cases
    for registration in RegistrationFactory.create_batch(2):
        CaseFactory(registration=registration)
    business_progress_refresh()
    facts = BusinessProgress.objects
    funnel = _values(business_funnel(Business.objects.all()))
    assert funnel["registered"] == facts.count()
    assert funnel["counselled"] == facts.filter(first_contact_at__isnull=False).count()
    assert funnel["proposed"] == facts.filter(first_proposed_on__isnull=False).count()
    assert funnel["adopted"] == facts.filter(first_adopted_on__isnull=False).count()
    assert funnel["realised"] == facts.filter(realised_on__isnull=False).count()


def test_the_funnel_takes_three_queries_whatever_the_number_of_firms(
    chamber_tokyo, chamber_osaka, django_assert_num_queries
):
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    assert partner.role == Role.PARTNER  # read once per request, before the figures
    referral_world(chamber_tokyo, chamber_osaka)
    business_progress_refresh()
    with django_assert_num_queries(3):  # referred; the figures; the median days
        referral_funnel(user=partner)
    referral_world(chamber_tokyo, chamber_osaka)
    business_progress_refresh()
    with django_assert_num_queries(3):
        steps = referral_funnel(user=partner)
    assert _values(steps) == {key: 2 * value for key, value in EXPECTED_FUNNEL.items()}
