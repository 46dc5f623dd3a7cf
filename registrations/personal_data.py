"""What registrations' models hold about people (core.personal_data)."""

from django.db.models import Q

from core.models import OutboundEmail
from core.personal_data import (
    ANONYMISED_KANA,
    ANONYMISED_NAME,
    BLANK,
    IDENTIFYING_BLANK,
    IDENTIFYING_NULL,
    NULL,
    Export,
    ModelData,
    replaced,
)
from registrations.models import Contact, Registration
from registrations.services.deletion import contacts_erase

BUSINESS = "registrations.Business"


def _still_registering(cutoff) -> Q:
    """A firm keeps its data while a referral awaits its consent, and for RETENTION_YEARS
    after a withdrawal."""
    return Q(status=Registration.Status.AWAITING_CONSENT) | Q(
        status=Registration.Status.WITHDRAWN, withdrawn_at__gte=cutoff
    )


DECLARATIONS = (
    ModelData(
        BUSINESS, "",
        personal={
            "name": replaced(lambda business: f"{ANONYMISED_NAME}{business.pk}", identifying=True),
            "name_kana": replaced(ANONYMISED_KANA, identifying=True),
            "representative": IDENTIFYING_BLANK, "address": IDENTIFYING_BLANK,
            "corporate_number": IDENTIFYING_NULL, "postal_code": BLANK, "website": BLANK,
            "name_key": BLANK, "capital_yen": NULL,
        },
        not_personal=frozenset({"entity_type", "industry_detail", "size_class"}),
    ),
    ModelData(
        "registrations.Contact", "business",
        personal={
            "name": replaced(ANONYMISED_NAME, identifying=True), "name_kana": IDENTIFYING_BLANK,
            "email": replaced(lambda contact: f"deleted-{contact.pk}@anonymised.invalid",
                              identifying=True),
            "phone": IDENTIFYING_BLANK, "department": BLANK, "pending_email": BLANK,
            "phone_key": BLANK, "email_key": BLANK, "email_change_nonce": BLANK,
        },
        not_personal=frozenset({"status"}),
        erase_hook=contacts_erase,
        export=Export(BUSINESS, "business", "contacts", order_by=("id",),
                      rows=lambda rows: rows.filter(status=Contact.Status.ACTIVE)),
    ),
    ModelData(
        "registrations.Registration", "business",
        personal={"products": IDENTIFYING_BLANK, "referral_organisation_name": BLANK,
                  "withdrawal_reason": BLANK,
                  # What a person asking for a known firm typed (name, address, 法人番号).
                  "submitted_business": replaced(lambda registration: {})},
        not_personal=frozenset({
            "reference", "status", "channel", "challenge_type", "destinations",
            "export_experience", "referral_source", "notice_version", "consent_nonce",
            "situations",
        }),
        activity=_still_registering,
        export=Export(BUSINESS, "business", "registrations", order_by=("id",),
                      rows=lambda rows: rows.filter(contact__status=Contact.Status.ACTIVE)
                      .select_related("office", "contact", "referred_by")),
    ),
    ModelData("registrations.DuplicateFlag", "business",
              not_personal=frozenset({"reason", "status"})),
    # The request and the decision are kept as the record of what was asked and decided.
    ModelData("registrations.DeletionRequest", "business",
              not_personal=frozenset({"reason", "status", "decision_note"})),
    # Only firm mails to the firm's verified address are the firm's (never account mails).
    ModelData(
        "registrations.BusinessMail", "business",
        export=Export(
            BUSINESS, "business", "emails", order_by=("email_id",),
            rows=lambda rows: rows.filter(email__kind=OutboundEmail.Kind.FIRM)
            .select_related("email", "business"),
            record_of=lambda link: link.email,
            exclude=("attempts", "last_error", "next_attempt_at"),
            more=lambda link: {"business": str(link.business)},
        ),
    ),
    ModelData("registrations.ContactDataAccess", "business",
              not_personal=frozenset({"page", "path"})),
)  # fmt: skip
