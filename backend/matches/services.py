"""Match proposals and the interest lifecycle."""

from __future__ import annotations

from backend.programs.models import Challenge
from backend.startups.models import StartupProfile


def challenge_changed(*, challenge: Challenge) -> None:
    """An open challenge was published or edited: (re)index it and propose startups."""


def profile_changed(*, profile: StartupProfile) -> None:
    """A profile was saved: (re)index it and, if published, propose challenges."""
