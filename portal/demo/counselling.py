"""Demo cases for seed_demo: one per confirmed registration, with sessions, 課題 tags,
stage changes, targets and timeline events, in bulk."""

import random
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from core.models import User
from core.roles import OFFICE_ROLES
from counselling.models import (
    Case,
    CaseEvent,
    CounsellingSession,
    IssueTag,
    Stage,
    StageChange,
)
from counselling.rules import COUNSELLING_CHANNELS, business_days_after
from registrations.models import Registration

STATUS_WEIGHTS = {
    Case.Status.NEW: 15, Case.Status.CONTACTED: 12, Case.Status.COUNSELLING: 30,
    Case.Status.PROPOSALS: 15, Case.Status.SUPPORT: 15, Case.Status.FOLLOW_UP: 6,
    Case.Status.REALISED: 4, Case.Status.CLOSED: 3,
}  # fmt: skip
STAGE_BY_STATUS = {
    Case.Status.COUNSELLING: [Stage.PREPARATION, Stage.PREPARATION, Stage.CHALLENGE],
    Case.Status.PROPOSALS: [Stage.PREPARATION, Stage.CHALLENGE],
    Case.Status.SUPPORT: [Stage.CHALLENGE, Stage.CHALLENGE, Stage.EXPANSION],
    Case.Status.FOLLOW_UP: [Stage.CHALLENGE, Stage.EXPANSION],
    Case.Status.REALISED: [Stage.EXPANSION],
    Case.Status.CLOSED: [Stage.PREPARATION],
}
NOTES = [
    "米国向けの販路について相談", "展示会出展の準備状況を確認", "価格設定と物流について助言",
    "越境ECの出店方法を説明", "輸出規制（食品表示）を確認", "商社マッチングを提案",
]  # fmt: skip
REGISTERED, SESSION = CaseEvent.Kind.REGISTERED.value, CaseEvent.Kind.SESSION.value
# The channels of a counselling session (counselling.rules), and of a first contact.
SESSION_CHANNELS = sorted(COUNSELLING_CHANNELS)
CONTACT_CHANNELS = [CounsellingSession.Channel.PHONE, CounsellingSession.Channel.EMAIL]
TARGET_COUNTRIES = ["US", "TW", "HK", "SG", "CN", "TH", "FR", "AU", "VN"]


@lru_cache(maxsize=4096)
def _due(day):
    return business_days_after(day, settings.FIRST_CONTACT_SLA_BUSINESS_DAYS)


def cases_seed(*, registrations: list[Registration], seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
    tags = list(IssueTag.objects.all())
    concierges: dict[int, list[int]] = {}
    for pk, org in User.objects.filter(
        groups__name__in=[r.value for r in OFFICE_ROLES], organisation__isnull=False
    ).values_list("pk", "organisation_id"):
        concierges.setdefault(org, []).append(pk)
    cases = []
    for registration in registrations:
        if registration.status == Registration.Status.AWAITING_CONSENT:
            continue
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if registration.status == Registration.Status.WITHDRAWN:
            status = Case.Status.CLOSED
        registered = registration.registered_at
        stage = rng.choice(STAGE_BY_STATUS[status]) if status in STAGE_BY_STATUS else ""
        office_concierges = concierges.get(registration.office_id, [])
        case = Case(
            registration=registration, office_id=registration.office_id, status=status,
            stage=stage, first_contact_due=_due(timezone.localdate(registered)),
            concierge_id=(rng.choice(office_concierges)
                          if office_concierges and status != Case.Status.NEW else None),
            created_at=registered,
        )  # fmt: skip
        if stage in (Stage.CHALLENGE, Stage.EXPANSION):
            case.target_country = rng.choice(TARGET_COUNTRIES)
            case.target_product = registration.products[:200]
            case.target_amount_yen = rng.choice([1, 3, 5, 10, 30]) * 1_000_000
            case.target_date = timezone.localdate(registered) + timedelta(days=365)
        if status in (Case.Status.CLOSED, Case.Status.REALISED):
            case.close_reason = (
                Case.CloseReason.REALISED if status == Case.Status.REALISED
                else Case.CloseReason.DECLINED
            )  # fmt: skip
        cases.append(case)
    # Plan each case's sessions before inserting it, so no second pass updates the cases.
    plans = []
    now = timezone.now()
    for case in cases:
        registered = case.registration.registered_at
        held_times = []
        if case.status != Case.Status.NEW:
            held = registered + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 8))
            # No contact in the future: a firm registered yesterday was called today at most.
            latest = max(registered + timedelta(hours=1), now - timedelta(hours=1))
            # A contacted case has had its first contact only; counselling came later.
            contacted = case.status == Case.Status.CONTACTED
            for _ in range(1 if contacted else rng.randint(1, 3)):
                held_times.append(min(held, latest))
                held += timedelta(days=rng.randint(7, 60))
            case.first_contact_at, case.last_contact_at = held_times[0], held_times[-1]
            if case.status == Case.Status.REALISED:
                case.realised_on = min(
                    timezone.localdate(held_times[-1]) + timedelta(days=rng.randint(60, 400)),
                    timezone.localdate(),
                )
            if case.is_open:
                case.next_action = "フォローアップの連絡"
                case.next_action_due = timezone.localdate() + timedelta(days=rng.randint(-10, 30))
        plans.append(held_times)
    Case.objects.bulk_create(cases, batch_size=5000)

    sessions, events, stage_changes = [], [], []
    for case, held_times in zip(cases, plans, strict=True):
        registered = case.registration.registered_at
        events.append(CaseEvent(case_id=case.pk, at=registered, kind=REGISTERED,
                                summary=f"登録（{case.registration.reference}）"))  # fmt: skip
        contact_only = case.status == Case.Status.CONTACTED
        for held in held_times:
            sessions.append(CounsellingSession(
                case_id=case.pk, held_at=held, contact_only=contact_only,
                channel=rng.choice(CONTACT_CHANNELS if contact_only else SESSION_CHANNELS),
                duration_minutes=15 if contact_only else rng.choice([30, 45, 60, 90]),
                notes="初回のご連絡" if contact_only else rng.choice(NOTES),
                created_by_id=case.concierge_id,
            ))  # fmt: skip
            events.append(CaseEvent(case_id=case.pk, at=held, kind=SESSION,
                                    actor_id=case.concierge_id,
                                    summary="初回連絡" if contact_only else "面談"))  # fmt: skip
        if case.stage:
            stage_changes.append(StageChange(case_id=case.pk, to_stage=case.stage,
                                             reason="カウンセリングで判定"))  # fmt: skip
            events.append(CaseEvent(case_id=case.pk,
                                    at=held_times[-1] if held_times else registered,
                                    kind=CaseEvent.Kind.STAGE,
                                    summary=f"— → {case.get_stage_display()}"))  # fmt: skip
    CounsellingSession.objects.bulk_create(sessions, batch_size=5000)
    Through = CounsellingSession.tags.through
    Through.objects.bulk_create(
        [Through(counsellingsession_id=s.pk, issuetag_id=tag.pk)
         for s in sessions if not s.contact_only for tag in rng.sample(tags, rng.randint(1, 2))],
        batch_size=10000,
    )  # fmt: skip
    StageChange.objects.bulk_create(stage_changes, batch_size=5000)
    CaseEvent.objects.bulk_create(events, batch_size=10000)
