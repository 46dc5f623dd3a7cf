"""Names and other single-line text stored before the forms refused control and format
characters (docs/adr/0015-clean-text.md) are cleaned: line breaks and tabs become a space,
other control and format characters (zero-width, bidi overrides, BOM, ANSI escapes) go.

Only single-line, non-unique fields are touched (codes, the corporate number and reference
data names are unique and never hold such characters), so no duplicate can arise. Each changed
row gets a history entry saying why, like any other change to personal or case data."""

import re
import unicodedata

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

# The business-name key as registrations.normalise.name_key computed it when this migration
# was written, frozen here: a migration never imports an app's code.
_WHITESPACE = re.compile(r"\s+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)}
_LEGAL_FORMS = (
    "特定非営利活動法人", "一般社団法人", "一般財団法人", "株式会社", "有限会社", "合同会社",
    "合名会社", "合資会社", "npo法人", "(一社)", "(一財)", "(特非)", "(株)", "(有)", "(同)",
    "(資)", "(名)",
)  # fmt: skip
# Dashes (but not ー and ｰ, part of katakana words) and ampersands.
_NAME_KEY_DROP = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63＆&")


def name_key(value: str) -> str:
    key = _WHITESPACE.sub("", unicodedata.normalize("NFKC", value))
    key = unicodedata.normalize("NFKC", key).lower().translate(_HIRAGANA_TO_KATAKANA)
    previous = None
    while key != previous:
        previous = key
        for form in _LEGAL_FORMS:
            key = key.replace(form, "")
    return "".join(
        ch
        for ch in key
        if ch not in _NAME_KEY_DROP and not unicodedata.category(ch).startswith("P")
    )


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
