"""Reads for core: users, organisations, the outbox and two-factor authentication."""

from django.db.models import Count

from core.models import OutboundEmail, Prefecture, TwoFactorInvitation, User
from core.roles import Role


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


def outbox_counts() -> dict[str, int]:
    """Outbound e-mails per status."""
    return dict(OutboundEmail.objects.values_list("status").annotate(n=Count("id")))


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
