"""Which fields of a startup profile an actor sees: the one place that decides it.

Firms see published profiles. A profile the startup has withdrawn (`published=False`) is still
referred to by what a firm keeps of its history (a match row, a cohort place), but the firm no
longer reads what the profile says: such a row stands for "a startup that withdrew its profile".
When a match is connected the two parties know each other and talk, so the firm keeps the
profile's name, and nothing else. Operators see everything; a startup sees its own profile.

Every serializer, page and export that shows a startup to a firm asks `profile_view` (or
`visible_fields`) instead of reading the profile directly.
"""

from __future__ import annotations

from typing import Protocol, overload

from django.db.models import Q

from backend.accounts.selectors import Actor
from backend.startups.models import StartupProfile

# Every field of a profile as others may read it.
ALL_FIELDS = frozenset(
    f.name for f in StartupProfile._meta.get_fields() if getattr(f, "concrete", False)
) | {"organization_id"}
# What still identifies the row (never shown as text): enough to keep a match or place.
KEYS = frozenset({"id", "organization", "organization_id", "published"})
# A connected match: the parties know each other, so the name stays.
CONNECTED = KEYS | {"name"}


class Listed(Protocol):
    """What the rules read of a profile: a `StartupProfile`, or the two columns of a row."""

    @property
    def published(self) -> bool: ...

    @property
    def organization_id(self) -> int: ...


def profile_withheld(actor: Actor | None, profile: Listed) -> bool:
    """Whether the actor reads less than the whole profile: it is withdrawn, and the actor is
    neither an operator nor the startup itself. Without an actor, a withdrawn profile is
    withheld (fail closed)."""
    if profile.published:
        return False
    if actor is None:
        return True
    return not (actor.is_operator or profile.organization_id == actor.organization_id)


def readable_profiles(actor: Actor | None, prefix: str = "") -> Q:
    """The profiles whose fields the actor reads, as a filter (``prefix``: the path to the
    profile, e.g. "startup__"): a filter on a profile's fields must not find a withheld one, or
    its answer would tell what the profile says."""
    if actor is not None and actor.is_operator:
        return Q()
    readable = Q(**{f"{prefix}published": True})
    if actor is not None and actor.organization_id is not None:
        readable |= Q(**{f"{prefix}organization_id": actor.organization_id})
    return readable


def visible_fields(
    actor: Actor | None, profile: Listed, *, connected: bool = False
) -> frozenset[str]:
    """The profile fields the actor sees; `connected`: the two are connected by a match."""
    if not profile_withheld(actor, profile):
        return ALL_FIELDS
    return CONNECTED if connected else KEYS


# What a withheld field reads as.
_BLANK_LISTS = frozenset({"capabilities", "technology_tags", "industries", "languages"})
_BLANK_NONE = frozenset({"team_size", "founded_year", "trl"})


def blank(field: str):
    if field in _BLANK_LISTS:
        return []
    if field in _BLANK_NONE:
        return None
    return ""


class ProfileView:
    """A profile as one actor sees it, for pages: a hidden field reads blank, and `withheld`
    says that the startup withdrew its profile (the page says so instead)."""

    def __init__(self, profile: StartupProfile, fields: frozenset[str]):
        self._profile = profile
        self.fields = fields
        self.withheld = fields != ALL_FIELDS

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self.fields:
            return getattr(self._profile, name)
        if name in ALL_FIELDS:
            return blank(name)
        raise AttributeError(name)

    def get_stage_display(self) -> str:
        return self._profile.get_stage_display() if "stage" in self.fields else ""

    def __str__(self) -> str:
        return self.name


@overload
def profile_view(
    actor: Actor | None, profile: StartupProfile, *, connected: bool = False
) -> ProfileView: ...


@overload
def profile_view(
    actor: Actor | None, profile: StartupProfile | None, *, connected: bool = False
) -> ProfileView | None: ...


def profile_view(
    actor: Actor | None, profile: StartupProfile | None, *, connected: bool = False
) -> ProfileView | None:
    if profile is None:
        return None
    return ProfileView(profile, visible_fields(actor, profile, connected=connected))
