"""Signals core sends for the apps above it (a lower app never imports a higher one)."""

from django.dispatch import Signal

# The user set a password from a link e-mailed to their address (set-password or reset):
# the owner of `user.email` proved the mailbox. Sent with `user`.
mailbox_proven = Signal()
