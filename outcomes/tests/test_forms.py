"""How a staff member took the survey answer is chosen, never preselected."""

import pytest

from core.forms import CHOOSE
from outcomes.forms import StaffSurveyForm
from support_menus.models import SupportMenu

pytestmark = pytest.mark.django_db


def test_the_source_of_a_staff_answer_starts_blank():
    form = StaffSurveyForm(menus=SupportMenu.objects.none())
    assert list(form.fields["source"].choices)[0] == ("", CHOOSE)
    assert '<option value="" selected>' in str(form["source"])


def test_the_survey_takes_amounts_as_written_and_countries_from_the_picker():
    form = StaffSurveyForm(
        {"export_realised": "yes", "first_export_date": "2026-10-01", "source": "phone",
         "destinations": ["VN", "TH"], "amount_yen": "１,２００,０００円"},
        menus=SupportMenu.objects.none(),
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount_yen"] == 1_200_000
    assert form.cleaned_data["destinations"] == ["VN", "TH"]
    assert "data-country-picker" in str(form["destinations"])
    blank = StaffSurveyForm(menus=SupportMenu.objects.none())
    assert 'inputmode="numeric"' in str(blank["amount_yen"])
