"""What outcomes' models hold about people (core.personal_data).

FirmProgress and ProgressExport move to reporting/ (issue 14, helper 1): their declarations
move with them to reporting/personal_data.py."""

from django.utils.translation import ngettext_lazy

from core.personal_data import BLANK, Export, ModelData, Preview

DECLARATIONS = (
    ModelData(
        "outcomes.Survey", "case__registration__business",
        not_personal=frozenset({"token_nonce"}),
        export=Export("counselling.Case", "case", "surveys", order_by=("wave_months",)),
    ),
    ModelData(
        "outcomes.SurveyResponse", "survey__case__registration__business",
        personal={"products": BLANK, "comments": BLANK},
        not_personal=frozenset({"export_realised", "destinations", "mode", "target_set",
                                "target_achieved", "trajectory", "fee_band", "source"}),
        export=Export("outcomes.Survey", "survey", "response", many=False),
        preview=Preview(
            "erase-answers",
            ngettext_lazy("The products and comments of %(counter)s survey answer",
                          "The products and comments of %(counter)s survey answers", "counter"),
        ),
    ),
    ModelData(
        "outcomes.ProgressExport", None,
        not_personal=frozenset({"requested_via", "kind", "format", "status", "error"}),
    ),
    ModelData(
        "outcomes.FirmProgress", None,
        not_personal=frozenset({"prefecture", "region", "industry", "size_class",
                                "challenge_type", "referral_source", "stage", "status"}),
    ),
)  # fmt: skip
