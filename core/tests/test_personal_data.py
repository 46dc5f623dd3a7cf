"""Personal data has one home: every text field of the project's models is declared personal
or not personal in its app's personal_data.py (core.personal_data)."""

from core.personal_data import (
    BLANK,
    ModelData,
    declarations,
    misdeclared_fields,
    project_models,
    unclassified_fields,
)


def test_every_text_field_of_every_project_model_is_classified():
    assert unclassified_fields() == [], (
        "Declare these fields personal (and how each is erased) or not personal in their "
        "app's personal_data.py"
    )
    assert misdeclared_fields() == []


def test_a_field_nobody_classified_is_reported_with_its_history_copy():
    declared = [d for d in declarations() if d.model != "core.Organisation"]
    declared.append(
        ModelData(
            "core.Organisation", None, not_personal=frozenset({"code", "kind", "phone", "email"})
        )
    )

    assert sorted(unclassified_fields(declared)) == [
        "core.HistoricalOrganisation.name", "core.Organisation.name",
    ]  # fmt: skip


def test_a_declared_field_must_exist_and_be_classified_once():
    declared = [
        ModelData("core.Organisation", None, personal={"name": BLANK, "nickname": BLANK},
                  not_personal=frozenset({"name", "code", "kind"})),
    ]  # fmt: skip
    assert sorted(misdeclared_fields(declared)) == [
        "core.Organisation.name: personal and not personal",
        "core.Organisation.nickname: no such field",
    ]


def test_every_declaration_names_a_project_model_once():
    labels = [d.model for d in declarations()]
    assert len(labels) == len(set(labels))
    assert set(labels) <= {model._meta.label for model in project_models()}
