"""The error summary's list of problems (templates/includes/error_summary.html)."""

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class Problem:
    field_id: str  # the id of the input to move to
    text: str


def _input_id(bound_field: forms.BoundField) -> str:
    """Radio buttons and check boxes have an id each: the link goes to the first one."""
    if isinstance(bound_field.field.widget, forms.RadioSelect):  # and CheckboxSelectMultiple
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


def form_problems_of(form: forms.BaseForm) -> list[Problem]:
    """Each message of a bound form, in the order of its fields, naming the field; a message
    about the whole form (or a hidden field) links to the form's first visible field."""
    if not form.is_bound or not form.errors:
        return []
    visible = form.visible_fields()
    first_id = _input_id(visible[0]) if visible else ""
    problems = [Problem(first_id, str(message)) for message in form.non_field_errors()]
    for bound_field in form:
        for message in bound_field.errors:
            if bound_field.is_hidden:
                problems.append(Problem(first_id, str(message)))
                continue
            label = str(bound_field.label)
            named = label.lower() in str(message).lower()
            text = str(message) if named else f"{label}: {message}"
            problems.append(Problem(_input_id(bound_field), text))
    return problems


@register.simple_tag
def form_problems(form=None, forms_=None) -> list[Problem]:
    """The problems of `form` and of each form in `forms_` (either may be empty)."""
    candidates = [form, *(forms_ or [])]
    return [
        problem
        for candidate in candidates
        if isinstance(candidate, forms.BaseForm)
        for problem in form_problems_of(candidate)
    ]
