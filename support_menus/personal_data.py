"""What support_menus' models hold about people (core.personal_data): only a proposal's
message to the firm; the catalogue and import jobs are about no one."""

from django.utils.translation import ngettext_lazy

from core.personal_data import BLANK, Export, ModelData, Preview

DECLARATIONS = (
    ModelData("support_menus.Provider", None,
              not_personal=frozenset({"code", "name", "name_en", "url"})),
    ModelData(
        "support_menus.SupportMenu", None,
        not_personal=frozenset({"code", "name", "category", "summary", "url", "source_url",
                                "ec_experience", "fee_note", "subsidy_rate",
                                # lists of codes the matching reads
                                "stages", "size_classes", "challenge_types",
                                "destination_regions", "product_fields"}),
    ),
    ModelData(
        "support_menus.Proposal", "case__registration__business",
        personal={"note": BLANK},
        not_personal=frozenset({"status", "reasons"}),  # reasons: the matching's codes
        export=Export("counselling.Case", "case", "proposals", exclude=("score", "reasons"),
                      rows=lambda rows: rows.select_related("menu")),
        preview=Preview(
            "erase-proposals",
            ngettext_lazy("The message of %(counter)s support-menu proposal",
                          "The messages of %(counter)s support-menu proposals", "counter"),
        ),
    ),
    # A case's best matches: menu ids and scores.
    ModelData("support_menus.CaseMenuRanking", None, not_personal=frozenset({"top"})),
    ModelData(
        "support_menus.ImportJob", None,
        # errors name a row, a column and what is wrong with it; options are the import's flags
        not_personal=frozenset({"kind", "file_name", "status", "phase", "summary", "message",
                                "options", "errors"}),
    ),
)  # fmt: skip
