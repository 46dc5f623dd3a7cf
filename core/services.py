"""Writes for core: the e-mail outbox, user preferences and two-factor authentication.

Every e-mail goes through `email_enqueue` inside the caller's transaction. A Celery task
(`email_outbox_dispatch`) sends due rows; a periodic run of the same task picks up rows
whose kick was lost (broker down, process killed after commit).
"""

import hashlib
import logging
import secrets
import smtplib
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OutboundEmail, TwoFactorInvitation

logger = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def subject_line(text: str) -> str:
    """A subject that can always be sent: line breaks, control and format characters (which
    a firm's name might carry) become spaces, runs of spaces one, cut to the column's size."""
    cleaned = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch
                      for ch in text)  # fmt: skip
    return " ".join(cleaned.split())[:200]


def email_enqueue(
    *, key: str, to: str, subject: str, body: str, kind: str, reply_to: str = ""
) -> OutboundEmail:
    """Record one e-mail to send, at most once per `key`, and ask for a dispatch after commit.

    `kind` says what the mail is (OutboundEmail.Kind); account mails carry secrets and are
    blanked once delivered. `reply_to` is where the recipient's answer goes (a firm's office).
    Calling it again with the same key returns the existing row and sends nothing new.
    """
    if kind not in OutboundEmail.Kind.values:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    email, created = OutboundEmail.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "to": to,
            "subject": subject_line(subject),
            "body": body,
            "kind": kind,
            "reply_to": reply_to,
        },
    )
    if created:
        email_outbox_dispatch_on_commit()
    return email


def email_outbox_dispatch_on_commit() -> None:
    """Kick the dispatcher after the current transaction commits. Losing the kick is
    harmless (the periodic run sends the row), so a broker error is logged, not raised."""
    from core.tasks import email_outbox_dispatch_task

    def kick() -> None:
        try:
            email_outbox_dispatch_task.delay()
        except Exception:  # a broker outage must not fail the user's request
            logger.warning(
                "Outbox dispatch not queued; the periodic run will send it.", exc_info=True
            )

    transaction.on_commit(kick)


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)


def _is_permanent(exc: Exception) -> bool:
    """A refused recipient or a 5xx reply will not succeed on retry (a bounce)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def email_outbox_dispatch(*, batch_size: int | None = None, max_batches: int = 50) -> int:
    """Send due pending e-mails in batches; return how many were sent.

    Each message is claimed with SELECT … FOR UPDATE SKIP LOCKED in its own transaction, sent,
    and marked sent before that transaction commits: concurrent dispatchers never take the
    same row, and a worker killed mid-batch leaves at most the one message in flight pending
    (sent again once, never lost). A batch shares one connection to the mail server.
    """
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    sent = 0
    for _batch in range(max_batches):
        claimed, sent_now = _dispatch_batch(batch_size)
        sent += sent_now
        if claimed < batch_size:
            break
    return sent


def _dispatch_batch(batch_size: int) -> tuple[int, int]:
    now = timezone.now()
    claimed = sent = 0
    connection = None
    for _message in range(batch_size):
        # One row, one transaction: its lock is held until its status update commits.
        with transaction.atomic():
            email = (
                OutboundEmail.objects.select_for_update(skip_locked=True)
                .filter(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if email is None:
                break
            claimed += 1
            connection = connection or get_connection(fail_silently=False)
            sent += _dispatch_one(email, connection=connection, now=now)
    return claimed, sent


def _dispatch_one(email: OutboundEmail, *, connection, now) -> int:
    """Send one claimed row and record the outcome on it; 1 if it was sent. A delivered
    account mail (reset or set-password link, invitation) keeps who, when and which kind, but
    its body is blanked: nobody can read the link afterwards."""
    email.attempts += 1
    fields = ["attempts", "status", "sent_at", "last_error", "next_attempt_at"]
    try:
        EmailMessage(
            subject=email.subject,
            body=email.body,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            connection=connection,
            headers={"X-Idempotency-Key": email.idempotency_key},
        ).send()
    except Exception as exc:  # recorded on the row, retried with backoff
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_permanent(exc) or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            email.status = OutboundEmail.Status.FAILED
        else:
            email.next_attempt_at = now + _backoff(email.attempts)
        logger.warning("E-mail %s not sent: %s", email.pk, email.last_error)
        result = 0
    else:
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        if email.kind == OutboundEmail.Kind.ACCOUNT:
            email.body = ""
            fields.append("body")
        result = 1
    email.save(update_fields=fields)
    return result


def email_requeue(*, emails) -> int:
    """Put failed e-mails back in the queue (an operator fixed the address or the server)."""
    count = emails.filter(status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if count:
        email_outbox_dispatch_on_commit()
    return count


def user_preferences_update(*, user, case_reminders: bool) -> None:
    user.case_reminders = case_reminders
    user.save(update_fields=["case_reminders"])


# --- Two-factor authentication -----------------------------------------------------------------


def totp_device_pending(*, user):
    """The authenticator being set up: a fresh secret, unconfirmed until a code matches."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user, device, token: str, invitation=None) -> list[str] | None:
    """Confirm the authenticator if the code matches: it replaces any earlier one, and a new
    set of single-use recovery codes replaces the old. Returns the codes (shown once). The
    admin's invitation it was set up with, if any, is used up."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(token):
        return None
    if invitation is not None:
        used = TwoFactorInvitation.objects.filter(
            pk=invitation.pk, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not used:  # used in another browser meanwhile, or expired
            return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def two_factor_passed(*, request, device) -> None:
    """Mark the session: the second factor was passed with this device."""
    from django_otp import login as otp_login

    from core.sessions import TWO_FACTOR_VERIFIED_KEY

    otp_login(request, device)
    request.session[TWO_FACTOR_VERIFIED_KEY] = True


def two_factor_pass(*, request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code (used up by this)."""
    from django_otp import match_token

    device = match_token(request.user, token)
    if device is None:
        return False
    two_factor_passed(request=request, device=device)
    return True


INVITATION_NEEDS_EMAIL = _("This account has no e-mail address to send the invitation to.")


def token_digest(token: str) -> str:
    """What is stored of a secret token (invitation links, idempotency keys of account mails):
    its SHA-256, so the database and the admin never hold the link itself."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def two_factor_invitation_send(*, user, sent_by) -> TwoFactorInvitation:
    """An admin invites a staff member to set up an authenticator (the first one, or a new
    one after a lost phone): a single-use link to their address, valid for
    TWO_FACTOR_INVITATION_HOURS. Earlier unused invitations stop working."""
    if not user.email:
        raise ValidationError(INVITATION_NEEDS_EMAIL)
    now = timezone.now()
    TwoFactorInvitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = TwoFactorInvitation.objects.create(
        user=user, token_hash=token_digest(token), created_by=sent_by, created_at=now,
        expires_at=now + timedelta(hours=settings.TWO_FACTOR_INVITATION_HOURS),
    )  # fmt: skip
    context = {
        "user": user,
        "url": settings.SITE_URL.rstrip("/") + reverse("two_factor_invitation", args=[token]),
        "hours": settings.TWO_FACTOR_INVITATION_HOURS,
        "site_name": settings.PROGRAM_NAME,
    }
    email_enqueue(
        key=f"two-factor-invitation:{invitation.pk}",
        to=user.email,
        subject=loader.render_to_string("core/two_factor_invitation_subject.txt", context),
        body=loader.render_to_string("core/two_factor_invitation_email.txt", context),
        kind=OutboundEmail.Kind.ACCOUNT,
    )
    return invitation


def two_factor_invitation_open(*, user, token: str) -> TwoFactorInvitation | None:
    """The invitation behind a link, if it is this signed-in user's, unused and unexpired."""
    return TwoFactorInvitation.objects.filter(
        token_hash=token_digest(token), user=user, used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()  # fmt: skip
