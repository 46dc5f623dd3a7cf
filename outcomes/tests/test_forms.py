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
