"""The survey form: questions in groups, those that follow an answer asked (and checked, and
kept) only when they apply; fee bands without gaps; satisfaction on an anchored scale; how a
staff member took the answer chosen, never preselected."""

import re

import pytest
from django.utils import translation

from core.forms import CHOOSE
from outcomes.forms import (
    FIRST_EXPORT_DATE_REQUIRED,
    SATISFACTION_INVALID,
    TARGET_ACHIEVED_REQUIRED,
    StaffSurveyForm,
    SurveyForm,
)
from outcomes.models import SurveyResponse
from support_menus.models import SupportMenu

pytestmark = pytest.mark.django_db

EXPORT_DETAILS = {"first_export_date": "2026-05-10", "destinations": ["US"], "products": "日本酒",
                  "amount_yen": "1000000", "mode": "direct", "trajectory": "increased"}  # fmt: skip


def survey_form(data=None, form_class=SurveyForm):
    return form_class(data, menus=SupportMenu.objects.none())


def test_the_source_of_a_staff_answer_starts_blank():
    form = StaffSurveyForm(menus=SupportMenu.objects.none())
    assert list(form.fields["source"].choices)[0] == ("", CHOOSE)
    assert '<option value="" selected>' in str(form["source"])


def test_an_export_needs_its_first_date():
    form = survey_form({"export_realised": "yes"})
    assert not form.is_valid()
    assert form.errors["first_export_date"] == [str(FIRST_EXPORT_DATE_REQUIRED)]
    assert survey_form({"export_realised": "yes", "first_export_date": "2026-05-10"}).is_valid()


@pytest.mark.parametrize("answer", ["no", "negotiating"])
def test_without_an_export_its_details_are_neither_required_nor_checked_nor_kept(answer):
    # Typed in before the answer changed (or seen without JavaScript): even a bad amount.
    form = survey_form({"export_realised": answer, **EXPORT_DETAILS, "amount_yen": "-1"})
    assert form.is_valid(), form.errors
    for name in EXPORT_DETAILS:
        assert name not in form.cleaned_data


def test_with_an_export_its_details_are_kept_and_checked():
    form = survey_form({"export_realised": "yes", **EXPORT_DETAILS})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["destinations"] == ["US"]
    assert form.cleaned_data["amount_yen"] == 1_000_000
    bad = survey_form({"export_realised": "yes", **EXPORT_DETAILS, "amount_yen": "-1"})
    assert "amount_yen" in bad.errors


def test_was_the_target_achieved_is_asked_only_when_a_target_was_set():
    without = survey_form({"export_realised": "no", "target_set": "no", "target_achieved": "yes"})
    assert without.is_valid(), without.errors
    assert "target_achieved" not in without.cleaned_data
    unanswered = survey_form({"export_realised": "no", "target_set": "yes"})
    assert unanswered.errors["target_achieved"] == [str(TARGET_ACHIEVED_REQUIRED)]
    answered = survey_form({"export_realised": "no", "target_set": "yes", "target_achieved": "no"})
    assert answered.is_valid()
    assert answered.cleaned_data["target_achieved"] == "no"


def test_the_staff_form_applies_the_same_rules():
    form = survey_form({"export_realised": "no", "source": "phone", **EXPORT_DETAILS},
                       form_class=StaffSurveyForm)  # fmt: skip
    assert form.is_valid(), form.errors
    assert "first_export_date" not in form.cleaned_data


def test_fee_bands_leave_no_gap_and_keep_their_stored_codes():
    with translation.override("ja"):
        labels = [str(label) for _code, label in SurveyResponse.FeeBand.choices]
    assert labels == ["0円", "10万円以下", "10万円超20万円以下", "20万円超30万円以下", "30万円超"]
    # Each code names the band's upper bound, as before: stored answers and imports still read.
    assert SurveyResponse.FeeBand.values == ["0", "le100k", "le200k", "le300k", "gt300k"]


def test_satisfaction_is_a_scale_of_five_named_points():
    with translation.override("ja"):
        form = survey_form()
        html = str(form["satisfaction"].field.widget.render("satisfaction", None))
        choices = [(value, str(label)) for value, label in form.fields["satisfaction"].choices]
    assert choices == [(1, "不満"), (2, "やや不満"), (3, "ふつう"), (4, "やや満足"), (5, "満足")]
    assert html.count('type="radio"') == 5
    form = survey_form({"export_realised": "no", "satisfaction": "5"})
    assert form.is_valid()
    assert form.cleaned_data["satisfaction"] == 5
    six = survey_form({"export_realised": "no", "satisfaction": "6"})
    assert six.errors["satisfaction"] == [str(SATISFACTION_INVALID)]


def test_the_questions_are_questions_in_groups_with_legends():
    from django.template import Context, Template

    with translation.override("ja"):
        html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
            Context({"form": survey_form()})
        )
    legends = [re.sub(r"<[^>]+>|\s", "", legend)
               for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]  # fmt: skip
    for group in ("輸出の状況", "輸出の目標", "プログラムの支援について"):
        assert group in legends
    assert "輸出は実現しましたか*" in legends  # required
    assert "その目標は達成できましたか*" in legends  # required when a target was set
    assert "1＝不満 … 5＝満足" in html
    assert 'data-if="export_realised" data-if-value="yes"' in html
    assert "初めて輸出した日はいつですか" in html


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
