"""Participants from before this system, as the survey-results import creates them."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.models import Prefecture
from registrations.models import Business, Contact, ReferralSource, Registration
from registrations.normalise import name_key
from registrations.services.contacts import contact_keys_set
from registrations.services.intake import reference_generate

LEGACY_NOTICE_VERSION = "legacy-import"  # Registration.notice_version: no notice was shown here
LEGACY_EMAIL_DOMAIN = "legacy-import.invalid"  # RFC 2606: .invalid never resolves or delivers
LEGACY_INDUSTRY = "T"  # 分類不能の産業
LEGACY_EMPLOYEES = 0  # unknown; the size class is left blank rather than derived from it
# Stored on the rows, in the site's language.
LEGACY_CONTACT_NAME = gettext_lazy("Unknown (imported)")
LEGACY_REGISTRATION_PRODUCTS = gettext_lazy(
    "Created by the survey results import for a participant from before this system; the "
    "registration details are not known."
)


@transaction.atomic
def registration_legacy_create(
    *, corporate_number: str, name: str, prefecture: Prefecture
) -> Registration:
    """A minimal business, contact and registration for a participant from before this
    system, marked as imported (notice version, .invalid e-mail, registration text). What the
    old records do not say is left blank rather than invented; a firm without a corporate
    number is a sole proprietor."""
    with translation.override(settings.LANGUAGE_CODE):
        contact_name = str(LEGACY_CONTACT_NAME)
        products = str(LEGACY_REGISTRATION_PRODUCTS)
    business = Business(
        entity_type=(Business.EntityType.CORPORATION if corporate_number
                     else Business.EntityType.SOLE_PROPRIETOR),
        corporate_number=corporate_number or None, name=name, name_key=name_key(name),
        prefecture=prefecture, industry_id=LEGACY_INDUSTRY, employees=LEGACY_EMPLOYEES,
    )  # fmt: skip
    business.full_clean(exclude=["name_kana"])  # the reading is not in the old records
    business.save()
    reference = reference_generate()
    # The firm's only contact acts for it (no sign-in account: the address is a placeholder).
    contact = Contact(business=business, name=contact_name, status=Contact.Status.ACTIVE,
                      email=f"{reference.lower()}@{LEGACY_EMAIL_DOMAIN}")  # fmt: skip
    contact_keys_set(contact)
    contact.full_clean()
    contact.save()
    # The registered status needs consent timestamps (a database constraint): they record when
    # the firm's participation, consented under the earlier program, was taken over here; the
    # notice version says that no notice of this system was accepted.
    now = timezone.now()
    registration = Registration(
        reference=reference, business=business, contact=contact, office=prefecture.office,
        status=Registration.Status.REGISTERED, channel=Registration.Channel.ONLINE,
        products=products, referral_source=ReferralSource.OTHER, privacy_consented_at=now,
        sharing_consented_at=now, notice_version=LEGACY_NOTICE_VERSION,
    )  # fmt: skip
    registration.full_clean(exclude=["challenge_type", "export_experience"])  # not known
    registration.save()
    return registration
