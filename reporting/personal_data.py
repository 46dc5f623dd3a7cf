"""What reporting's models hold about people (core.personal_data): nothing. The fact table
holds codes and dates per firm, the export log who asked for what (a user, not a firm)."""

from core.personal_data import ModelData

DECLARATIONS = (
    ModelData(
        "reporting.ProgressExport", None,
        not_personal=frozenset({"requested_via", "kind", "format", "status", "error",
                                "filters"}),
    ),
    ModelData(
        "reporting.BusinessProgress", None,
        not_personal=frozenset({"prefecture", "region", "industry", "size_class",
                                "challenge_type", "referral_source", "stage", "status"}),
    ),
)  # fmt: skip
