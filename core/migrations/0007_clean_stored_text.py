"""Names and other single-line text stored before the forms refused control and format
characters (docs/adr/0015-clean-text.md) are cleaned: line breaks and tabs become a space,
other control and format characters (zero-width, bidi overrides, BOM, ANSI escapes) go.

Only single-line, non-unique fields are touched (codes, the corporate number and reference
data names are unique and never hold such characters), so no duplicate can arise. Each changed
row gets a history entry saying why, like any other change to personal or case data."""

from django.db import migrations
from django.utils import timezone

# (app, model, single-line text fields)
FIELDS = [
    ("core", "User", ("first_name", "last_name")),
    ("core", "Organisation", ("name",)),
    ("registrations", "Business", ("name", "name_kana", "representative", "address")),
    ("registrations", "Contact", ("name", "name_kana", "department")),
    ("registrations", "Registration", ("referral_organisation_name",)),
    ("counselling", "IssueTag", ("name",)),
    ("counselling", "Case", ("next_action", "target_product")),
    ("counselling", "CounsellingSession", ("attendees",)),
    ("support_menus", "Provider", ("name", "name_en")),
    ("support_menus", "SupportMenu", ("name", "fee_note", "subsidy_rate")),
    ("outcomes", "SurveyResponse", ("products",)),
]
REASON = "Control and format characters removed from stored text (migration core 0006)."


def _history_add(apps, model, instance, now) -> None:
    try:
        historical = apps.get_model(model._meta.app_label, f"Historical{model.__name__}")
    except LookupError:
        return
    values = {}
    for field in historical._meta.concrete_fields:
        if field.name.startswith("history_"):
            continue
        attname = field.attname
        if hasattr(instance, attname):
            values[attname] = getattr(instance, attname)
    historical.objects.create(
        **values, history_date=now, history_type="~", history_change_reason=REASON
    )


def stored_text_clean(apps, schema_editor) -> int:
    """Clean every listed field; return how many rows changed."""
    from core.text import refused_characters, single_line_clean
    from registrations.normalise import name_key

    now = timezone.now()
    changed_rows = 0
    for app_label, model_name, fields in FIELDS:
        model = apps.get_model(app_label, model_name)
        for pk, *values in model._base_manager.values_list("pk", *fields).iterator(2000):
            changes = {
                field: single_line_clean(value)
                for field, value in zip(fields, values, strict=True)
                if value and refused_characters(value)
            }
            if not changes:
                continue
            if model_name == "Business" and "name" in changes:
                changes["name_key"] = name_key(changes["name"])
            model._base_manager.filter(pk=pk).update(**changes)
            _history_add(apps, model, model._base_manager.get(pk=pk), now)
            changed_rows += 1
    return changed_rows


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_two_factor_invitation"),
        ("registrations", "0007_contact_pending_by_default"),
        ("counselling", "0007_append_only_audit_trail"),
        ("support_menus", "0005_import_jobs"),
        ("outcomes", "0004_dates_and_amounts_within_sense"),
    ]

    operations = [
        migrations.RunPython(stored_text_clean, migrations.RunPython.noop, elidable=True),
    ]
