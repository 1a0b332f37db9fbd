"""The lower apps' signals, apart from their models, so an app above connects to them at import."""

from django.dispatch import Signal

# Sent after commit, with no arguments: "there is matching work" (a change in the log, or an
# application for the indexer to rank).
documents_changed = Signal()
