"""The registration form's country picker, 「未定」, industry names and amounts of yen, as a
firm (or a partner referring one) sends them."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.roles import Role
from core.tests.factories import UserFactory
from registrations.forms import DESTINATION_OR_UNDECIDED
from registrations.models import Business, Registration
from registrations.tests.factories import form_data

pytestmark = pytest.mark.django_db


def test_countries_and_not_decided_together_get_a_message_beside_the_picker(client):
    response = client.post(
        reverse("registrations:register"),
        form_data(destinations=["US", "TW"], destinations_undecided="on"),
    )
    assert response.status_code == 200
    page = response.text
    assert 'id="error_1_id_destinations"' in page
    with translation.override("ja"):
        message = escape(str(DESTINATION_OR_UNDECIDED))
    assert message in page
    assert "どちらか一方" in message
    # Nothing lost: the countries stay ticked for the firm to correct.
    assert re.search(r'name="destinations" value="US"[^>]* checked', page)
    assert not Registration.objects.exists()


def test_not_decided_alone_registers_without_countries(client):
    client.post(
        reverse("registrations:register"),
        form_data(destinations=None, destinations_undecided="on"),
    )
    registration = Registration.objects.get()
    assert registration.destinations_undecided
    assert not registration.destinations


@pytest.mark.parametrize("capital", ["3,000,000", "3,000,000円", "￥3,000,000", "３００００００"])
def test_capital_is_read_as_people_write_it(client, capital):
    client.post(reverse("registrations:register"), form_data(capital_yen=capital))
    assert Business.objects.get().capital_yen == 3_000_000


def test_a_capital_that_is_not_an_amount_keeps_the_other_answers(client):
    response = client.post(reverse("registrations:register"), form_data(capital_yen="三百万"))
    assert 'id="error_1_id_capital_yen"' in response.text
    assert "資本金（円）は、3,000,000 や 3,000,000円 のように金額で" in response.text
    assert 'value="株式会社山田製作所"' in response.text
    assert not Business.objects.exists()


def test_the_form_offers_industries_by_name_in_groups_and_countries_in_the_picker(client):
    page = client.get(reverse("registrations:register")).text
    assert '<optgroup label="製造業・建設業など">' in page
    assert '<option value="E">製造業</option>' in page
    assert '<option value="I-retail">小売業（店舗・通信販売など）</option>' in page
    assert "E 製造業" not in page
    assert 'inputmode="numeric"' in page[page.index('name="capital_yen"') - 300 :][:600]
    assert "data-country-picker" in page
    assert "Ctrl" not in page


def test_the_partner_referral_form_has_the_same_picker(client, chamber_tokyo):
    partner = UserFactory(role=Role.PARTNER, organisation=chamber_tokyo)
    client.force_login(partner)
    page = client.get(reverse("registrations:referral-create")).text
    assert 'data-exclusive-with="destinations_undecided"' in page
    assert '<optgroup label="製造業・建設業など">' in page


def test_the_admin_uses_the_same_picker_rule_and_amount_field():
    from registrations.admin import BusinessAdminForm, RegistrationAdminForm

    form = RegistrationAdminForm({"destinations": ["US"], "destinations_undecided": "on"})
    assert "data-country-picker" in str(form["destinations"])
    assert not form.is_valid()
    with translation.override("ja"):
        assert form.errors["destinations"] == [str(DESTINATION_OR_UNDECIDED)]
    business = BusinessAdminForm({"capital_yen": "￥3,000,000"})
    business.is_valid()
    assert business.cleaned_data["capital_yen"] == 3_000_000
