"""A partner's referrals in every state the funnel tells apart, for the funnel's selector
tests, the partner's pages and the browser journey."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.models import Organisation
from counselling.models import Case, CounsellingSession
from counselling.tests.factories import CaseFactory
from registrations.models import Registration
from registrations.services.deletion import business_anonymise
from registrations.tests.factories import BusinessFactory, RegistrationFactory
from support_menus.models import Proposal
from support_menus.tests.factories import SupportMenuFactory

# Text that only the firm and JETRO may read: it must never reach a partner's page or file.
SESSION_NOTE = "社長から資金繰りの悩みを伺った（紹介元には非公開）"
PROPOSAL_NOTE = "御社の強みを活かせる展示会です（事業者へのメッセージ）"
CONTACT_EMAIL = "private-contact@example.jp"
CONTACT_PHONE = "03-9999-1234"

# What the partner's funnel counts in the world below (each firm once).
EXPECTED_FUNNEL = {
    "referred": 6, "registered": 5, "counselled": 3, "proposed": 2, "adopted": 1, "realised": 1,
}  # fmt: skip


@dataclass
class ReferralWorld:
    awaiting: Registration  # the firm has not consented yet: referred only
    registered: Registration  # consented, not contacted yet
    proposed: Registration  # counselled (with a note), a menu proposed with a message
    realised: Registration  # counselled, a menu adopted, export realised
    anonymised: Registration  # counselled, then the firm's data was deleted: still counted
    reregistered: Registration  # the firm's older referral; its newer registration counts
    withdrawn: Registration  # not counted
    merged: Registration  # the firm was merged into another: not counted
    other_partner: Registration  # another organisation's referral, fully realised


def _referral(partner: Organisation, *, name: str, **kwargs) -> Registration:
    return RegistrationFactory(
        business__name=name, business__prefecture_id="13", referred_by=partner,
        channel=Registration.Channel.PARTNER, referral_source="chamber",
        contact__email=CONTACT_EMAIL, contact__phone=CONTACT_PHONE,
        **{"registered_at": timezone.now() - datetime.timedelta(days=60), **kwargs},
    )  # fmt: skip


def _counselled(registration: Registration, **kwargs) -> Case:
    first_contact = timezone.now() - datetime.timedelta(days=30)
    case = CaseFactory(
        registration=registration,
        **{"status": Case.Status.COUNSELLING, "stage": "preparation",
           "first_contact_at": first_contact, **kwargs},
    )  # fmt: skip
    CounsellingSession.objects.create(
        case=case, held_at=case.first_contact_at, channel=CounsellingSession.Channel.MEETING,
        notes=SESSION_NOTE, duration_minutes=60,
    )  # fmt: skip
    return case


def referral_world(partner: Organisation, other: Organisation) -> ReferralWorld:
    today = timezone.localdate()
    menu, adopted_menu = (
        SupportMenuFactory(name="海外展示会出展支援"),
        SupportMenuFactory(name="輸出商談会マッチング"),
    )
    awaiting = _referral(
        partner, name="同意待ち株式会社", status=Registration.Status.AWAITING_CONSENT,
        privacy_consented_at=None, sharing_consented_at=None, registered_at=None,
    )  # fmt: skip
    registered = _referral(partner, name="登録済み株式会社")
    CaseFactory(registration=registered)

    proposed = _referral(partner, name="提案済み株式会社")
    case = _counselled(proposed, status=Case.Status.PROPOSALS)
    Proposal.objects.create(
        case=case, menu=menu, score=80, note=PROPOSAL_NOTE,
        proposed_on=today - datetime.timedelta(days=20),
    )  # fmt: skip

    realised = _referral(partner, name="輸出実現株式会社")
    case = _counselled(
        realised, status=Case.Status.REALISED, stage="challenge",
        realised_on=today - datetime.timedelta(days=3),
    )  # fmt: skip
    Proposal.objects.create(
        case=case, menu=adopted_menu, score=90, status=Proposal.Status.ADOPTED,
        note=PROPOSAL_NOTE, proposed_on=today - datetime.timedelta(days=25),
        decided_on=today - datetime.timedelta(days=10),
    )  # fmt: skip

    anonymised = _referral(partner, name="削除依頼株式会社")
    _counselled(anonymised)
    business_anonymise(business=anonymised.business, actor=None)
    anonymised.refresh_from_db()

    reregistered = _referral(partner, name="再登録株式会社")
    CaseFactory(registration=reregistered, first_contact_at=timezone.now())
    newer = RegistrationFactory(
        business=reregistered.business, is_reregistration=True, registered_at=timezone.now()
    )
    CaseFactory(registration=newer)  # the firm counts with this case: not contacted yet

    withdrawn = _referral(
        partner, name="取り下げ株式会社", status=Registration.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )  # fmt: skip
    _counselled(withdrawn)
    merged = _referral(partner, name="統合済み株式会社")
    _counselled(merged)
    merged.business.merged_into = BusinessFactory()
    merged.business.save(update_fields=["merged_into"])

    other_partner = _referral(other, name="他団体紹介株式会社")
    _counselled(other_partner, realised_on=today)
    return ReferralWorld(
        awaiting=awaiting, registered=registered, proposed=proposed, realised=realised,
        anonymised=anonymised, reregistered=reregistered, withdrawn=withdrawn, merged=merged,
        other_partner=other_partner,
    )  # fmt: skip
