"""Form widgets shared by the apps."""

from django import forms

from core.countries import search_text


class CountryPicker(forms.widgets.ChoiceWidget):
    """Countries to tick (or one to choose) from a list with a filter box: checkboxes (radio
    buttons for a single choice) that work without JavaScript; static/js/country-picker.js
    adds the filter box and shows the chosen countries as removable chips. `exclusive_with`
    names a checkbox field («not decided yet») that cannot be ticked with a country."""

    template_name = "core/widgets/country_picker.html"
    option_template_name = "core/widgets/country_picker_option.html"
    use_fieldset = True

    def __init__(self, attrs=None, choices=(), *, multiple=True, exclusive_with=""):
        super().__init__(attrs, choices)
        self.allow_multiple_selected = multiple
        self.input_type = "checkbox" if multiple else "radio"
        self.exclusive_with = exclusive_with

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["multiple"] = self.allow_multiple_selected
        if self.exclusive_with:
            # The other field's name, with this form's prefix ("survey-destinations").
            prefix = name.rpartition("-")[0]
            other = f"{prefix}-{self.exclusive_with}" if prefix else self.exclusive_with
            context["widget"]["exclusive_with"] = other
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        # The crispy template's CSS class is for the list, not for each box.
        option["attrs"].pop("class", None)
        option["attrs"]["class"] = "form-check-input"
        option["attrs"]["data-search"] = search_text(value)
        option["attrs"].pop("required", None)
        return option

    def id_for_label(self, id_, index=None):
        # A group of boxes has a legend, not a label pointing at one of them.
        return "" if index is None else super().id_for_label(id_, index)

    def use_required_attribute(self, initial):
        return False

    def value_omitted_from_data(self, data, files, name):
        # Unticked boxes are not sent: an empty list is an answer, not a missing field.
        return not self.allow_multiple_selected and super().value_omitted_from_data(
            data, files, name
        )
