"""core.forms.add_form_errors: a service's or a model's ValidationError lands on the form."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import add_form_errors


class DateForm(forms.Form):
    on = forms.DateField()


def bound() -> DateForm:
    form = DateForm({"on": "2026-12-01"})
    assert form.is_valid()
    return form


def test_an_error_for_a_field_of_the_form_goes_beside_that_field():
    form = add_form_errors(bound(), ValidationError({"on": ValidationError("前の日付", code="x")}))
    assert form.errors == {"on": ["前の日付"]}


def test_an_error_for_a_field_the_form_lacks_goes_above_the_form():
    form = add_form_errors(bound(), ValidationError({"status": ["移れません"]}))
    assert form.non_field_errors() == ["移れません"]
    assert "on" not in form.errors


def test_an_error_without_a_field_goes_above_the_form():
    form = add_form_errors(bound(), ValidationError(["一つ目", "二つ目"]))
    assert form.non_field_errors() == ["一つ目", "二つ目"]
    assert add_form_errors(bound(), ValidationError("ひとつ")).non_field_errors() == ["ひとつ"]
