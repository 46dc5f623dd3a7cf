"""A stand-in for a mail provider with idempotency keys (as Resend's `Idempotency-Key`):
each message takes a little time, is delivered once per X-Idempotency-Key, and a repeated
call is logged as a duplicate call. Used by the worker-kill test through DJANGO_EMAIL_BACKEND.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class IdempotentSinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["MAIL_SINK_DIR"])
        delay = float(os.environ.get("MAIL_SINK_DELAY", "0.02"))
        for message in email_messages:
            time.sleep(delay)
            key = message.extra_headers["X-Idempotency-Key"].replace(":", "_")
            try:
                with (directory / key).open("x", encoding="utf-8") as delivered:
                    delivered.write(message.to[0])
            except FileExistsError:
                with (directory / "duplicate-calls.log").open("a", encoding="utf-8") as log:
                    log.write(key + "\n")
        return len(email_messages)
