"""Reads for core: what each role's landing page shows."""

from django.db.models import Count

from core.models import OutboundEmail, Prefecture, TwoFactorInvitation, User
from core.roles import Role
from counselling.models import Case
from registrations import selectors as registration_selectors
from registrations.models import DeletionRequest
from support_menus import selectors as menu_selectors

RECENT_LIMIT = 20


def office_prefectures(*, user: User) -> list[Prefecture]:
    if user.organisation_id is None:
        return []
    return list(Prefecture.objects.filter(office_id=user.organisation_id).order_by("code"))


def user_count_by_role() -> list[dict]:
    counts = dict(
        User.objects.filter(groups__name__in=list(Role), is_active=True)
        .values_list("groups__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"role": role, "label": role.label, "count": counts.get(role, 0)} for role in Role]


def realised_export_count() -> int:
    """Cases whose export was realised (an aggregate: the ministry sees no case itself)."""
    return Case.objects.filter(status=Case.Status.REALISED).count()


def home_context(*, user: User) -> dict:
    role = user.role
    if role == Role.BUSINESS:
        business = registration_selectors.business_own(user=user)
        return {
            "business": business,
            # Without a business (waiting for approval), only what the person typed is shown.
            "contact": registration_selectors.contact_of(user=user) if business is None else None,
            "registrations": registration_selectors.registrations_own(user=user),
            "proposals": menu_selectors.proposals_own(user=user) if business else [],
            "access_requests": (
                len(registration_selectors.pending_contacts(user=user)) if business else 0
            ),
        }
    if role in (Role.PARTNER, Role.CONCIERGE, Role.OFFICE_LEAD):
        return {
            "organisation": user.organisation,
            "prefectures": office_prefectures(user=user) if role != Role.PARTNER else [],
            "registrations": registration_selectors.registration_list_recent(
                user=user, limit=RECENT_LIMIT
            ),
            "registration_count": registration_selectors.registration_count(user=user),
        }
    if role == Role.MINISTRY:
        return {
            "region_counts": registration_selectors.business_count_by_region(user=user),
            "business_count": registration_selectors.business_count(user=user),
            "realised_count": realised_export_count(),
        }
    if role == Role.ADMIN:
        return {
            "business_count": registration_selectors.business_count(user=user),
            "open_duplicates": registration_selectors.duplicate_flag_queue(user=user).count(),
            "pending_deletions": DeletionRequest.objects.filter(
                status=DeletionRequest.Status.PENDING
            ).count(),
            "role_counts": user_count_by_role(),
            "outbox_counts": dict(
                OutboundEmail.objects.values_list("status").annotate(n=Count("id"))
            ),
        }
    return {}


def two_factor_device(*, user: User):
    """The user's confirmed authenticator (TOTP), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_device_exists(*, user: User) -> bool:
    """Whether the user has a confirmed authenticator: one indexed EXISTS query."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_invitation_usable(*, user: User, invitation_id) -> "TwoFactorInvitation | None":
    """The invitation (kept in the session once its link was opened) if it is this user's,
    unused and unexpired."""
    from django.utils import timezone

    if invitation_id is None:
        return None
    return TwoFactorInvitation.objects.filter(
        pk=invitation_id, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def password_reset_refused(*, user: User) -> bool:
    """A staff account without an authenticator cannot reset its password by e-mail: the
    link alone would hand over the account (an admin sends an invitation instead)."""
    from core.sessions import staff_account

    return staff_account(user) and not two_factor_device_exists(user=user)


def recovery_codes_left(*, user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
