import smtplib
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone

from core.models import OutboundEmail
from core.services import email_enqueue, email_outbox_dispatch, email_requeue

pytestmark = pytest.mark.django_db


def enqueue(key="k1", to="firm@example.jp"):
    return email_enqueue(key=key, to=to, subject="登録を受け付けました", body="本文", kind="firm")


def test_enqueue_writes_a_pending_row_and_dispatch_after_commit_sends_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["firm@example.jp"]
    assert mail.outbox[0].extra_headers["X-Idempotency-Key"] == "k1"


def test_same_key_is_recorded_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue()
    email_outbox_dispatch()
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_dispatch_never_sends_a_sent_row_again():
    enqueue()
    assert email_outbox_dispatch() == 1
    assert email_outbox_dispatch() == 0
    assert len(mail.outbox) == 1


def test_rolled_back_enqueue_leaves_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                enqueue()
                raise RuntimeError("the registration failed")
        except RuntimeError:
            pass
    assert not OutboundEmail.objects.exists()
    assert callbacks == []


def test_a_transient_failure_is_retried_later_with_backoff(monkeypatch):
    email = enqueue()

    def fail(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    before = timezone.now()
    assert email_outbox_dispatch() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert email.next_attempt_at >= before + timedelta(minutes=1)
    # Not due yet, so an immediate second run does not touch it.
    assert email_outbox_dispatch() == 0
    email.refresh_from_db()
    assert email.attempts == 1

    monkeypatch.undo()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_outbox_dispatch() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.last_error == ""


def test_a_refused_recipient_fails_permanently_and_can_be_requeued(
    monkeypatch, django_capture_on_commit_callbacks
):
    email = enqueue()

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"firm@example.jp": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    email_outbox_dispatch()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert email_requeue(emails=OutboundEmail.objects.all()) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_gives_up_after_the_maximum_attempts(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = enqueue()
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send",
        lambda self, *a, **k: (_ for _ in ()).throw(TimeoutError("smtp timeout")),
    )
    email_outbox_dispatch()
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    email_outbox_dispatch()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 2


def test_dispatch_sends_in_batches_until_none_are_due():
    for i in range(7):
        enqueue(key=f"k{i}", to=f"firm{i}@example.jp")
    assert email_outbox_dispatch(batch_size=3) == 7
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_dispatcher_is_skipped_not_sent_twice():
    # Rows created directly: in autocommit, email_enqueue's kick would send them at once.
    locked = OutboundEmail.objects.create(
        idempotency_key="locked", to="a@example.jp", subject="s", body="b", kind="firm"
    )
    OutboundEmail.objects.create(
        idempotency_key="free", to="other@example.jp", subject="s", body="b", kind="firm"
    )
    dsn = connection.get_connection_params()
    params = {k: dsn[k] for k in ("dbname", "user", "host", "port") if dsn.get(k)}
    with psycopg.connect(**params) as other:
        other.execute("SELECT id FROM core_outboundemail WHERE id = %s FOR UPDATE", [locked.pk])
        assert email_outbox_dispatch() == 1
        assert [m.to for m in mail.outbox] == [["other@example.jp"]]
    locked.refresh_from_db()
    assert locked.status == OutboundEmail.Status.PENDING
    assert email_outbox_dispatch() == 1


def test_a_worker_killed_mid_batch_repeats_at_most_the_message_in_flight(monkeypatch):
    """Each message is marked sent in its own transaction: when the process dies while
    sending the third (SystemExit stands for the kill: no `except Exception` catches it),
    the two already sent stay sent, so a restarted worker repeats only the third."""
    for i in range(5):
        enqueue(key=f"k{i}", to=f"firm{i}@example.jp")
    calls = []
    real_send = EmailMessage.send

    def send_then_die(self, *args, **kwargs):
        calls.append(self.to[0])
        if len(calls) == 3:
            raise SystemExit("SIGKILL")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with pytest.raises(SystemExit):
        email_outbox_dispatch(batch_size=5)
    sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
    assert sorted(sent.values_list("idempotency_key", flat=True)) == ["k0", "k1"]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert email_outbox_dispatch(batch_size=5) == 3
    assert [m.to[0] for m in mail.outbox] == [f"firm{i}@example.jp" for i in range(5)]


def test_a_reply_to_is_recorded_and_sent_as_the_reply_to_header():
    email = email_enqueue(
        key="k-reply", to="firm@example.jp", subject="ご提案", body="本文", kind="firm",
        reply_to="office@example.jp",
    )  # fmt: skip
    assert email.reply_to == "office@example.jp"
    enqueue(key="k-none")

    assert email_outbox_dispatch() == 2

    by_key = {message.extra_headers["X-Idempotency-Key"]: message for message in mail.outbox}
    assert by_key["k-reply"].reply_to == ["office@example.jp"]
    assert by_key["k-none"].reply_to == []
