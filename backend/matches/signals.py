"""Matches' signals, apart from its models, so an app above connects to them at import."""

from django.dispatch import Signal

# Sent inside the transaction that connects a match, with `match`.
match_connected = Signal()
