"""Nothing recorded by default: core.forms.select_starts_blank and the error summary's list
of problems (core.templatetags.error_summary)."""

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from core.forms import CHOOSE, CleanTextMixin, selects_start_blank
from core.models import Prefecture
from core.templatetags.error_summary import Problem, form_problems, form_problems_of

COLOURS = [("red", "Red"), ("blue", "Blue")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class PickForm(CleanTextMixin, forms.Form):
    colour = forms.ChoiceField(label="Colour", choices=COLOURS)
    shade = forms.ChoiceField(label="Shade", choices=[("", "—"), *COLOURS], required=False)
    size = forms.ChoiceField(label="Size", choices=COLOURS, widget=forms.RadioSelect)
    tones = forms.MultipleChoiceField(label="Tones", choices=COLOURS, required=False)
    own = forms.ChoiceField(label="Own", choices=COLOURS, error_messages={"required": "Pick!"})
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selects_start_blank(self)


def test_a_required_select_starts_on_choose_and_left_unchosen_names_the_field():
    form = PickForm()
    assert form.fields["colour"].choices == [("", CHOOSE), *COLOURS]
    assert '<option value="" selected>' in str(form["colour"])
    bound = PickForm({"size": "red", "own": "red", "token": "t"})
    assert bound.errors["colour"] == ["Choose the colour."]
    with translation.override("ja"):
        assert str(CHOOSE) == "選択してください"


def test_an_optional_select_keeps_its_empty_option_and_a_custom_message_stays():
    form = PickForm({"colour": "red", "size": "red", "token": "t"})
    assert form.fields["shade"].choices == [("", "—"), *COLOURS]
    assert form.errors["own"] == ["Pick!"]


def test_radio_buttons_and_multi_selects_are_left_alone():
    form = PickForm()
    assert form.fields["size"].choices == COLOURS
    assert form.fields["tones"].choices == COLOURS


@pytest.mark.django_db
def test_a_model_select_starts_on_choose():
    field = forms.ModelChoiceField(queryset=Prefecture.objects.all(), label="Prefecture")
    form = forms.Form()
    form.fields["prefecture"] = field
    selects_start_blank(form)
    assert form.fields["prefecture"].empty_label == CHOOSE


def test_the_problems_link_to_each_input_in_field_order():
    form = PickForm({"colour": "", "token": ""})
    form.is_valid()
    form.add_error(None, "Whole form")
    problems = form_problems_of(form)
    assert problems[0] == Problem("id_colour", "Whole form")  # the first visible field
    assert Problem("id_colour", "Choose the colour.") in problems  # names the field already
    assert Problem("id_size_0", "Choose the size.") in problems  # the first radio button
    assert Problem("id_colour", "Enter the token.") in problems  # the hidden token
    assert [p.field_id for p in problems[1:]] == ["id_colour", "id_size_0", "id_own", "id_colour"]


def test_unbound_and_valid_forms_have_no_problems_and_none_is_skipped():
    valid = PickForm({"colour": "red", "size": "red", "own": "red", "token": "t"})
    assert form_problems(PickForm(), [valid, None, ""]) == []


def test_the_summary_counts_the_problems_and_links_them():
    form = PickForm({"token": "t"})
    template = Template('{% include "includes/error_summary.html" %}')
    with translation.override("ja"):
        html = template.render(Context({"form": form}))
    assert "入力内容に3件の問題があります" in html
    assert 'href="#id_colour"' in html
    assert 'href="#id_size_0"' in html
    assert 'tabindex="-1"' in html
    assert "data-error-summary" in html
    assert Template('{% include "includes/error_summary.html" %}').render(Context({})).strip() == ""


@pytest.mark.django_db
def test_a_failed_sign_in_shows_the_summary_linking_to_the_password(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert 'data-testid="error-summary"' in response.text
    assert 'href="#id_password"' in response.text
