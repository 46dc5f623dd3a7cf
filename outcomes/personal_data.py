"""What outcomes' models hold about people (core.personal_data)."""

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
                                "target_achieved", "trajectory", "fee_band", "source",
                                "own_efforts"}),
        export=Export("outcomes.Survey", "survey", "response", many=False),
        preview=Preview(
            "erase-answers",
            ngettext_lazy("The products and comments of %(counter)s survey answer",
                          "The products and comments of %(counter)s survey answers", "counter"),
        ),
    ),
)  # fmt: skip
