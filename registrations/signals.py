"""Signals registrations sends for the apps above it (a lower app never imports a higher one)."""

from django.dispatch import Signal

# A registration was confirmed (online with an active contact, by the firm's consent to a
# referral, or when the firm or its office approved the person who registered). Sent inside
# the confirming transaction with `registration` and `email` (the outbox row that told the
# firm), so a receiver's failure rolls the whole confirmation back. Counselling opens the case.
registration_confirmed = Signal()
