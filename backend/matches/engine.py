"""The bridge between the platform and the `matching` engine.

Documents are built here from platform rows, vectors are read from and written to the database
(the source of truth), and each process keeps one in-memory `SearchSpace` per side of the market,
kept fresh by applying the `IndexChange` log.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from django.conf import settings
from django.db.models import Max

from backend.matches.models import ChunkVector, IndexChange, Side
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile
from matching import Chunk, Document, Embedder, EngineConfig, IndexMismatchError, SearchSpace
from matching.embedder import content_hash
from matching.multilingual import MULTILINGUAL, PRIMARY

logger = logging.getLogger(__name__)


def engine_config() -> EngineConfig:
    return EngineConfig(
        model_path=settings.MATCHING_MODEL_PATH,
        backend=settings.MATCHING_BACKEND,
        approximate_threshold=settings.MATCHING_APPROXIMATE_THRESHOLD,
        multilingual=settings.MATCHING_MULTILINGUAL,
    )


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """One embedder per process; the model itself loads on first encode."""
    return Embedder(engine_config())


class SentenceVectors:
    """Encodes sentences for evidence with one encoder, remembering recent ones by content hash.

    Evidence narrows each aligned passage pair to its best sentence pair; one challenge's
    sentences recur across all its proposals, so each is encoded once.
    """

    def __init__(self, encoder: str, capacity: int = 50_000) -> None:
        self.encoder = encoder
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=capacity)
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [content_hash(text) for text in texts]
        with self._lock:
            # Read first (which makes each recent): storing the new ones may push old ones out.
            vectors = {key: self._cache[key] for key in keys if key in self._cache}
            missing = {key: text for key, text in zip(keys, texts, strict=True)}
            missing = {key: text for key, text in missing.items() if key not in vectors}
            if missing:
                encoded = embedder().encoder(self.encoder)(list(missing.values()))
                fresh = dict(zip(missing, encoded, strict=True))
                self._cache.update(fresh)
                vectors.update(fresh)
            return np.vstack([vectors[key] for key in keys])

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Vectors made earlier by the configured model, keyed by content hash."""
        with self._lock:
            self._cache.update(vectors)

    def known(self, texts_by_key: dict[str, str]) -> dict[str, np.ndarray]:
        """Of these content hashes, the vectors remembered here."""
        with self._lock:
            return {key: self._cache[key] for key in texts_by_key if key in self._cache}

    def items(self) -> list[tuple[str, np.ndarray]]:
        with self._lock:
            return list(self._cache.items())

    def clear(self) -> None:
        """Forget every vector, as a new process starts."""
        with self._lock:
            self._cache.clear()


# One per encoder: a pair of sentences is compared by the encoder that reads both.
sentence_vectors = {name: SentenceVectors(name) for name in (PRIMARY, MULTILINGUAL)}


def challenge_document(challenge: Challenge) -> Document:
    """What the engine reads of a challenge: title, text, required capabilities."""
    text = "\n\n".join(
        part for part in (challenge.problem_statement, challenge.desired_outcomes) if part
    )
    return Document(
        id=challenge.pk,
        title=challenge.title,
        text=text,
        statements=tuple(challenge.required_capabilities),
    )


def profile_document(profile: StartupProfile) -> Document:
    """What the engine reads of a profile: its pitch and summary, and capability statements."""
    text = "\n\n".join(part for part in (profile.pitch, profile.summary) if part)
    return Document(id=profile.pk, text=text, statements=tuple(profile.capabilities))


def searchable(side: str) -> Iterable:
    """The rows that belong in a side's search space: open challenges, published profiles."""
    if side == Side.CHALLENGE:
        return Challenge.objects.filter(status=Challenge.Status.OPEN)
    return StartupProfile.objects.filter(published=True)


def document_of(side: str, row) -> Document:
    return challenge_document(row) if side == Side.CHALLENGE else profile_document(row)


def stored_chunks(
    side: str, owner_ids: Iterable[int]
) -> dict[int, tuple[list[Chunk], dict[str, np.ndarray]]]:
    """Chunks of each owner, as stored, with their vectors from each configured encoder that
    has vectors of exactly those chunks; an owner without primary vectors is left out."""
    model_ids = embedder().model_ids
    encoder_of = {model_id: name for name, model_id in model_ids.items()}
    rows = ChunkVector.objects.filter(
        side=side, owner_id__in=list(owner_ids), model_id__in=list(model_ids.values())
    ).order_by("owner_id", "model_id", "field", "ordinal")
    grouped: dict[int, dict[str, list[ChunkVector]]] = defaultdict(lambda: defaultdict(list))
    for row in rows.iterator(chunk_size=2000):
        grouped[row.owner_id][encoder_of[row.model_id]].append(row)
    stored = {}
    for owner, by_encoder in grouped.items():
        primary = by_encoder.get(PRIMARY)
        if not primary:
            continue
        chunks = [Chunk(r.field, r.ordinal, r.text, r.content_hash) for r in primary]
        vectors = {
            name: np.vstack([np.frombuffer(bytes(r.vector), dtype=np.float32) for r in owned])
            for name, owned in by_encoder.items()
            if [r.content_hash for r in owned] == [c.content_hash for c in chunks]
        }
        stored[owner] = (chunks, vectors)
    return stored


def multilingual_complete(side: str) -> bool:
    """Whether every searchable document of ``side`` that has primary vectors also has the
    multilingual encoder's: until then a process serves the primary vectors alone."""
    model_ids = embedder().model_ids
    if MULTILINGUAL not in model_ids:
        return False
    owners = searchable(side).values("pk")
    embedded = ChunkVector.objects.filter(side=side, owner_id__in=owners)
    have = {
        model_id: set(
            embedded.filter(model_id=model_id).values_list("owner_id", flat=True).distinct()
        )
        for model_id in model_ids.values()
    }
    return have[model_ids[PRIMARY]] <= have[model_ids[MULTILINGUAL]]


class SpaceRegistry:
    """This process's search spaces, following the database's index change log."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._spaces: dict[str, SearchSpace] = {}
        self._applied = 0
        # Per side, where this process's space came from: "snapshot" (the file on disk, then
        # the changes logged since) or "database" (a full build).
        self.loaded_from: dict[str, str] = {}

    def space(self, side: str) -> SearchSpace:
        self.refresh()
        return self._spaces[side]

    def refresh(self) -> None:
        with self._lock:
            latest = IndexChange.objects.aggregate(latest=Max("id"))["latest"] or 0
            if not self._spaces:
                self._load_all(latest)
            elif latest > self._applied:
                self._apply_changes(latest)

    def stage(
        self,
        side: str,
        upserts: list[tuple[Document, list[Chunk], np.ndarray]],
        removals: list[int],
    ) -> None:
        """Put documents' new state into this process's space before it is stored, so the
        indexer computes proposals against it; the stored change, once applied, agrees."""
        with self._lock:
            self.refresh()
            space = self._spaces[side]
            if upserts:
                space.upsert_many(upserts)
            for owner_id in removals:
                space.remove(owner_id)

    def reset(self) -> None:
        with self._lock:
            self._spaces = {}
            self._applied = 0
            self.loaded_from = {}

    def _new_space(self, bilingual: bool) -> SearchSpace:
        model = embedder()
        return SearchSpace(
            engine_config(),
            model_id=model.model_id,
            dimension=model.dimension,
            multilingual_id=model.model_ids.get(MULTILINGUAL) if bilingual else None,
        )

    def _load_all(self, latest: int) -> None:
        """Start from each side's snapshot on disk when it is sound, else from the database."""
        spaces, applied = {}, latest
        for side in Side.values:
            snapshot = self._read_snapshot(side)
            if snapshot is None:
                spaces[side] = self._build(side)
                self._write_snapshot(side, spaces[side], latest)
            else:
                spaces[side], snapshot_applied = snapshot
                applied = min(applied, snapshot_applied)
                self.loaded_from[side] = "snapshot"
        self._spaces, self._applied = spaces, applied
        if applied < latest:
            self._apply_changes(latest)
        for side, space in self._spaces.items():
            embedded = ChunkVector.objects.filter(side=side, model_id=embedder().model_id)
            # Rows still waiting in the change log have no vectors yet and are not expected.
            expected = set(
                searchable(side)
                .filter(pk__in=embedded.values("owner_id"))
                .values_list("pk", flat=True)
            )
            stale = len(space) != len(expected) or not all(pk in space for pk in expected)
            if stale or space.bilingual != multilingual_complete(side):
                # A snapshot from another database, a log gap, or multilingual vectors that
                # were completed since (or removed): trust only the database.
                self._spaces[side] = self._build(side)
                self._write_snapshot(side, self._spaces[side], latest)

    def _build(self, side: str) -> SearchSpace:
        self.loaded_from[side] = "database"
        space = self._new_space(multilingual_complete(side))
        rows = {row.pk: row for row in searchable(side)}
        space.upsert_many(
            (document_of(side, rows[owner]), chunks, vectors)
            for owner, (chunks, vectors) in stored_chunks(side, rows).items()
        )
        return space

    def _snapshot_dir(self, side: str) -> Path:
        return Path(settings.MATCHING_INDEX_DIR) / side

    def _read_snapshot(self, side: str) -> tuple[SearchSpace, int] | None:
        directory = self._snapshot_dir(side)
        model = embedder()
        try:
            state = json.loads((directory / "applied.json").read_text())
            space = SearchSpace.load(
                directory,
                engine_config(),
                model_id=model.model_id,
                dimension=model.dimension,
                multilingual_id=(
                    model.model_ids.get(MULTILINGUAL) if multilingual_complete(side) else None
                ),
            )
        except FileNotFoundError:
            return None
        except (IndexMismatchError, ValueError, KeyError, OSError):
            logger.warning("the %s index snapshot is unusable; rebuilding it", side, exc_info=True)
            return None
        return space, int(state["applied"])

    def _write_snapshot(self, side: str, space: SearchSpace, applied: int) -> None:
        if not len(space):
            return
        directory = self._snapshot_dir(side)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            space.save(directory)
            # Written last: a snapshot names the change it includes only once it is complete.
            temporary = directory / "applied.json.tmp"
            temporary.write_text(json.dumps({"applied": applied}))
            os.replace(temporary, directory / "applied.json")
        except OSError:
            logger.warning("could not write the %s index snapshot", side, exc_info=True)

    def snapshot(self) -> None:
        """Write every side's snapshot as of the changes applied so far."""
        with self._lock:
            self.refresh()
            for side, space in self._spaces.items():
                self._write_snapshot(side, space, self._applied)

    def _apply_changes(self, latest: int) -> None:
        changed: dict[str, set[int]] = defaultdict(set)
        log = IndexChange.objects.filter(id__gt=self._applied, id__lte=latest)
        for side, owner in log.values_list("side", "owner_id"):
            changed[side].add(owner)
        for side, owners in changed.items():
            space = self._spaces[side]
            rows = {row.pk: row for row in searchable(side).filter(pk__in=owners)}
            stored = stored_chunks(side, rows)
            if space.bilingual != multilingual_complete(side) or any(
                MULTILINGUAL not in vectors for _, vectors in stored.values() if space.bilingual
            ):
                # The multilingual vectors were just completed (or are not there): start over.
                self._spaces[side] = self._build(side)
                continue
            for owner in owners:
                if owner in rows and owner in stored:
                    chunks, vectors = stored[owner]
                    space.upsert(document_of(side, rows[owner]), chunks, vectors)
                else:
                    space.remove(owner)
        self._applied = latest


registry = SpaceRegistry()
