"""The plain types the engine talks in."""

from __future__ import annotations

from dataclasses import dataclass, field

# The platform uses integer ids; string ids work too (the evaluation uses them).
DocId = int | str


@dataclass(frozen=True)
class Document:
    """One side of a match: a challenge or a capability profile.

    ``statements`` are a challenge's required capabilities or a profile's capability statements.
    """

    id: DocId
    title: str = ""
    text: str = ""
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A piece of a document that gets one vector. ``field`` is title, text or statement."""

    field: str
    ordinal: int
    text: str
    content_hash: str


@dataclass(frozen=True)
class ScoredDoc:
    """A search hit: the ranker's score and the evidence scores it was made of."""

    doc_id: DocId
    score: float
    components: dict[str, float] = field(default_factory=dict)
