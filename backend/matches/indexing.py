"""The indexer: applies the document change log, computing first and committing briefly.

Phase one runs outside any transaction: it reads the changed documents and what is stored for
them, encodes only what is missing (chunks and evidence sentences, each in one batched call),
brings this process's search spaces up to date and computes the proposals with their evidence.
Phase two is one short transaction that writes the vectors, the matches and their notifications,
marks the documents ready and deletes the applied log rows. A run killed at any point leaves the
log as it was before phase two, so the next run applies every change exactly once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from backend.accounts.selectors import organization_user_ids
from backend.common.events import publish_on_commit
from backend.common.models import DocumentChange, MatchingStatus
from backend.matches import engine
from backend.matches.models import ChunkVector, IndexChange, SentenceVector, Side
from backend.matches.selectors import applications_to_rank
from backend.matches.services import match_record_proposal, match_record_standing
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile
from matching import Chunk, Document, ScoredDoc, SearchSpace, explain
from matching.embedder import content_hash
from matching.evidence import reading_encoder
from matching.multilingual import PRIMARY

logger = logging.getLogger(__name__)

# One drain round takes at most this many documents, so phase two stays short.
BATCH_DOCUMENTS = 50
# An arbitrary constant key: phase two of concurrent drains (several Celery workers) runs one
# at a time on PostgreSQL, so two drains never race to create the same match.
_ADVISORY_LOCK_KEY = 7_310_021

MODELS = {Side.CHALLENGE: Challenge, Side.STARTUP: StartupProfile}
# Vectors made elsewhere (the demo's shipped ones): {model id: {content hash: float32 bytes}}.
KnownVectors = Mapping[str, Mapping[str, bytes]]


@dataclass
class _Proposal:
    challenge_id: int
    profile_id: int
    rank: int
    ranked_among: int
    hit: ScoredDoc
    evidence: dict = field(default_factory=dict)


@dataclass
class _Work:
    """One changed document, as phase one leaves it for phase two."""

    side: str
    owner_id: int
    organization_id: int
    change_ids: list[int]
    document: Document | None = None  # None: the document leaves the search space
    chunks: list[Chunk] = field(default_factory=list)
    vectors: dict[str, np.ndarray] | None = None  # one matrix per encoder
    rewrite_chunks: bool = False
    proposals: list[_Proposal] = field(default_factory=list)


@dataclass
class DrainReport:
    applied: int = 0
    failed: int = 0
    deferred: int = 0
    proposed: int = 0
    ranked_applications: int = 0
    encoded_chunks: int = 0
    encoded_sentences: int = 0

    def add(self, other: DrainReport) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def drain(
    *,
    known_vectors: KnownVectors | None = None,
    budgeted: bool = True,
    profiles_propose: bool = True,
    progress: Callable[[int], None] | None = None,
) -> DrainReport:
    """Apply every change in the log; idempotent. With `budgeted`, an organisation's documents
    past its re-embedding budget for the last minute wait in the log for a later run. Without
    `profiles_propose`, only challenges propose (see `index_rebuild`). `progress` is told how
    many documents each committed batch applied.

    `known_vectors` ({model id: {content hash: float32 bytes}}) are used before encoding, e.g.
    the demo's shipped vectors.
    """
    report = DrainReport()
    while True:
        batch, deferred = _next_batch(budgeted)
        report.deferred = deferred
        if not batch:
            # Applications last: the documents they pair are in the spaces as they are now.
            report.ranked_applications = _rank_applications()
            if report.applied:
                # A process that restarts loads this instead of rebuilding from the database.
                engine.registry.snapshot()
            return report
        done = _apply(batch, known_vectors or {}, profiles_propose)
        report.add(done)
        if progress is not None:
            progress(done.applied + done.failed)


def _next_batch(budgeted: bool) -> tuple[list[_Work], int]:
    """The oldest changed documents, one entry each however often they changed, skipping
    organisations that used their re-embedding budget in the last minute."""
    grouped: dict[tuple[str, int], _Work] = {}
    spent = _budget_spent() if budgeted else defaultdict(int)
    budget = settings.MATCHING_REEMBED_PER_MINUTE if budgeted else float("inf")
    deferred = set()
    for change in DocumentChange.objects.order_by("id").iterator(chunk_size=500):
        key = (change.kind, change.owner_id)
        work = grouped.get(key)
        if work is None:
            if spent[change.organization_id] >= budget:
                deferred.add(key)
                continue
            if len(grouped) == BATCH_DOCUMENTS:
                break
            spent[change.organization_id] += 1
            work = grouped[key] = _Work(change.kind, change.owner_id, change.organization_id, [])
        work.change_ids.append(change.pk)
    return list(grouped.values()), len(deferred)


def _budget_spent() -> defaultdict[int, int]:
    """Documents each organisation had applied in the last minute."""
    since = timezone.now() - timedelta(minutes=1)
    spent: defaultdict[int, int] = defaultdict(int)
    recent = (
        IndexChange.objects.filter(created_at__gte=since, organization_id__isnull=False)
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    spent.update(recent)
    return spent


def _apply(batch: list[_Work], known_vectors: KnownVectors, profiles_propose: bool) -> DrainReport:
    report = DrainReport()
    try:
        sentences = _prepare(batch, known_vectors, profiles_propose, report)
    except DatabaseError:
        raise  # the database is away: the log keeps the changes for the next run
    except Exception:
        if len(batch) == 1:
            logger.exception("matching failed for %s %s", batch[0].side, batch[0].owner_id)
            _mark_failed(batch[0])
            report.failed += 1
            return report
        # One bad document must not hold back the others: try each on its own.
        for work in batch:
            report.add(_apply([work], known_vectors, profiles_propose))
        return report
    report.add(_commit(batch, sentences))
    return report


# -- phase one: no transaction ----------------------------------------------------------------


def _prepare(
    batch: list[_Work],
    known_vectors: KnownVectors,
    profiles_propose: bool,
    report: DrainReport,
) -> dict[str, dict[str, np.ndarray]]:
    """Fill in each work item; returns the evidence-sentence vectors that are new, by encoder."""
    model = engine.embedder()
    by_side: dict[str, list[_Work]] = defaultdict(list)
    for work in batch:
        by_side[work.side].append(work)
    for side, items in by_side.items():
        rows = engine.searchable(side).in_bulk([work.owner_id for work in items])
        stored = _stored_hashes(side, [work.owner_id for work in items])
        for work in items:
            row = rows.get(work.owner_id)
            if row is not None:
                work.document = engine.document_of(side, row)
                work.chunks = model.chunk(work.document)
                wanted = sorted((c.field, c.ordinal, c.content_hash) for c in work.chunks)
                work.rewrite_chunks = any(
                    wanted != stored.get((work.owner_id, model_id), [])
                    for model_id in model.model_ids.values()
                )
    report.encoded_chunks = _encode_chunks(batch, known_vectors, model)
    # Refresh first, so a change another process logged meanwhile cannot overwrite what is
    # staged here; then stage this batch, so proposals see every document of it as it is now.
    startups = engine.registry.space(Side.STARTUP)
    challenges = engine.registry.space(Side.CHALLENGE)
    for side, items in by_side.items():
        engine.registry.stage(
            side,
            upserts=[(w.document, w.chunks, w.vectors) for w in items if w.document is not None],
            removals=[w.owner_id for w in items if w.document is None],
        )
    for work in batch:
        if work.document is None:
            continue
        if work.side == Side.CHALLENGE:
            work.proposals = _proposals_for_challenge(work, startups)
        elif profiles_propose:
            work.proposals = _proposals_for_profile(work, startups, challenges)
    _drop_repeated_pairs(batch)
    new_sentences = _evidence(batch, startups, challenges)
    report.encoded_sentences = sum(len(vectors) for vectors in new_sentences.values())
    return new_sentences


def _drop_repeated_pairs(batch: list[_Work]) -> None:
    """A challenge and a profile changed together find each other from both sides; the pair
    is proposed once, as the challenge ranks it."""
    seen = set()
    for work in sorted(batch, key=lambda w: w.side != Side.CHALLENGE):
        kept = []
        for proposal in work.proposals:
            pair = (proposal.challenge_id, proposal.profile_id)
            if pair not in seen:
                seen.add(pair)
                kept.append(proposal)
        work.proposals = kept


def _stored_hashes(side: str, owner_ids: list[int]) -> dict[tuple[int, str], list[tuple]]:
    """{(owner, model id): sorted (field, ordinal, content hash)} of the stored chunks."""
    stored: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    rows = ChunkVector.objects.filter(
        side=side, owner_id__in=owner_ids, model_id__in=list(engine.embedder().model_ids.values())
    )
    for owner_id, model_id, *position in rows.values_list(
        "owner_id", "model_id", "field", "ordinal", "content_hash"
    ):
        stored[(owner_id, model_id)].append(tuple(position))
    return {key: sorted(positions) for key, positions in stored.items()}


def _encode_chunks(batch: list[_Work], known_vectors: KnownVectors, model) -> int:
    """Vectors of every chunk from every encoder: shipped, stored (any owner, same text) or, in
    one call per encoder, new. Returns how many chunk texts were encoded."""
    hashes = {c.content_hash for work in batch for c in work.chunks}
    encoded = 0
    for work in batch:
        work.vectors = {}
    for encoder, model_id in model.model_ids.items():
        shipped = known_vectors.get(model_id, {})
        known = {h: shipped[h] for h in hashes if h in shipped}
        known.update(
            ChunkVector.objects.filter(model_id=model_id, content_hash__in=hashes - set(known))
            .values_list("content_hash", "vector")
            .distinct()
        )
        missing = {
            c.content_hash: c.text for w in batch for c in w.chunks if c.content_hash not in known
        }
        if missing:
            vectors = model.encoder(encoder)(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                known[key] = np.asarray(vector, dtype=np.float32).tobytes()
            encoded = max(encoded, len(missing))
        for work in batch:
            if work.chunks:
                work.vectors[encoder] = np.vstack(
                    [np.frombuffer(bytes(known[c.content_hash]), np.float32) for c in work.chunks]
                )
    return encoded


def _proposals_for_challenge(work: _Work, startups: SearchSpace) -> list[_Proposal]:
    if not len(startups) or not work.vectors:
        return []
    found = startups.proposals(
        work.document, work.chunks, work.vectors, k=settings.MATCHING_PROPOSALS_PER_CHALLENGE
    )
    return [_Proposal(work.owner_id, hit.doc_id, rank, len(startups), hit) for rank, hit in found]


def _proposals_for_profile(
    work: _Work, startups: SearchSpace, challenges: SearchSpace
) -> list[_Proposal]:
    """A match's score and rank always read from the challenge's side (where this startup
    stands among all startups for that challenge), so a firm compares like with like."""
    if not len(challenges) or work.owner_id not in startups:
        return []
    hits = challenges.search(
        work.document, work.chunks, work.vectors, k=settings.MATCHING_PROPOSALS_PER_PROFILE
    )
    proposals = []
    for hit in hits:
        standing = startups.proposal_standing(*_of(challenges, hit.doc_id), work.owner_id)
        if standing is not None:
            position, scored = standing
            proposals.append(_Proposal(hit.doc_id, work.owner_id, position, len(startups), scored))
    return proposals


class _SentenceRecorder:
    """Stands in for an encoder on a first pass of `explain`, to learn which sentences the
    evidence needs, so they are encoded in one call."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return np.zeros((len(texts), 1), dtype=np.float32)


def _evidence(
    batch: list[_Work], startups: SearchSpace, challenges: SearchSpace
) -> dict[str, dict[str, np.ndarray]]:
    """Fill in each proposal's evidence; returns {encoder: sentence vectors not stored}."""
    pairs = []
    for work in batch:
        for proposal in work.proposals:
            challenge = (
                (work.document, work.chunks, work.vectors)
                if work.side == Side.CHALLENGE
                else _of(challenges, proposal.challenge_id)
            )
            pairs.append((proposal, challenge))
    return _explain_pairs(pairs, startups)


def _explain_pairs(
    pairs: list[tuple[_Proposal, tuple]], startups: SearchSpace
) -> dict[str, dict[str, np.ndarray]]:
    """Each (proposal, challenge) pair's evidence, read by the encoder that reads both of its
    documents; the sentences are encoded in one call per encoder."""
    read = []
    for proposal, challenge in pairs:
        startup = _of(startups, proposal.profile_id)
        encoder = reading_encoder(challenge[0], startup[0], startups.model_ids)
        read.append((proposal, encoder, challenge, startup))
    if not read:
        return {}
    recorders: dict[str, _SentenceRecorder] = defaultdict(_SentenceRecorder)
    for _, encoder, challenge, startup in read:
        _explain(challenge, startup, encoder, startups, recorders[encoder])
    fresh = {name: _sentence_vectors(name, recorder.texts) for name, recorder in recorders.items()}
    for proposal, encoder, challenge, startup in read:
        proposal.evidence = _explain(
            challenge, startup, encoder, startups, engine.sentence_vectors[encoder]
        ).to_dict()
    return fresh


def _explain(challenge: tuple, startup: tuple, encoder: str, startups: SearchSpace, encode):
    (query, query_chunks, query_vectors), (candidate, chunks, vectors) = challenge, startup
    return explain(
        query,
        query_chunks,
        query_vectors[encoder],
        candidate,
        chunks,
        vectors[encoder],
        idf=startups.idf,
        encode=encode,
    )


def _of(space: SearchSpace, doc_id: int) -> tuple[Document, list[Chunk], dict[str, np.ndarray]]:
    vectors = {name: space.vectors_of(doc_id, name) for name in space.model_ids}
    return space.get(doc_id), space.chunks_of(doc_id), vectors


def _sentence_vectors(encoder: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Make every sentence's vector available to the encoder's evidence cache: from memory,
    from the database, or encoded in one call. Returns those the database does not hold yet."""
    model = engine.embedder()
    cache = engine.sentence_vectors[encoder]
    wanted = {content_hash(text): text for text in texts}
    stored = dict(
        SentenceVector.objects.filter(
            model_id=model.model_ids[encoder], content_hash__in=wanted
        ).values_list("content_hash", "vector")
    )
    cache.preload(
        {key: np.frombuffer(bytes(vector), dtype=np.float32) for key, vector in stored.items()}
    )
    unstored = {key: text for key, text in wanted.items() if key not in stored}
    remembered = cache.known(unstored)
    missing = {key: text for key, text in unstored.items() if key not in remembered}
    if missing:
        encoded = model.encoder(encoder)(list(missing.values()))
        remembered.update(zip(missing, encoded, strict=True))
        cache.preload(dict(zip(missing, encoded, strict=True)))
    return remembered


# -- phase two: one short transaction ---------------------------------------------------------


def _commit(batch: list[_Work], sentences: dict[str, dict[str, np.ndarray]]) -> DrainReport:
    report = DrainReport()
    ready: dict[str, list[_Work]] = defaultdict(list)
    model = engine.embedder()
    with transaction.atomic():
        _one_drain_at_a_time()
        present = set(
            DocumentChange.objects.filter(
                id__in=[i for work in batch for i in work.change_ids]
            ).values_list("id", flat=True)
        )
        for work in batch:
            if not present.issuperset(work.change_ids):
                continue  # another drain applied these changes meanwhile
            if _changed_again(work):
                # Phase one read an older version; the newer change redoes this document.
                DocumentChange.objects.filter(id__in=work.change_ids).delete()
                continue
            if work.rewrite_chunks:
                _write_chunks(work, model)
            IndexChange.objects.create(
                side=work.side, owner_id=work.owner_id, organization_id=work.organization_id
            )
            report.proposed += sum(
                match_record_proposal(
                    challenge_id=p.challenge_id,
                    profile_id=p.profile_id,
                    rank=p.rank,
                    ranked_among=p.ranked_among,
                    score=p.hit.score,
                    components=p.hit.components,
                    evidence=p.evidence,
                )
                for p in work.proposals
            )
            DocumentChange.objects.filter(id__in=work.change_ids).delete()
            ready[work.side].append(work)
            report.applied += 1
        _store_sentences(sentences)
        now = timezone.now()
        for side, items in ready.items():
            MODELS[side].objects.filter(pk__in=[w.owner_id for w in items]).update(
                matching_status=MatchingStatus.READY, matched_at=now
            )
        _announce(ready, MatchingStatus.READY)
    return report


def _store_sentences(sentences: dict[str, dict[str, np.ndarray]]) -> None:
    model = engine.embedder()
    SentenceVector.objects.bulk_create(
        [
            SentenceVector(
                model_id=model.model_ids[encoder],
                content_hash=key,
                vector=np.asarray(vector, dtype=np.float32).tobytes(),
            )
            for encoder, vectors in sentences.items()
            for key, vector in vectors.items()
        ],
        ignore_conflicts=True,
    )


def _rank_applications() -> int:
    """Rank, score and explain each application whose challenge and profile are searchable,
    as the challenge ranks a proposal (among every startup, whatever the evidence), computing
    first and then writing briefly; returns how many were ranked. An application whose
    documents are not searchable yet waits for a later drain."""
    startups = engine.registry.space(Side.STARTUP)
    challenges = engine.registry.space(Side.CHALLENGE)
    ranked = 0
    pending = list(applications_to_rank().values_list("pk", "challenge_id", "startup_id"))
    for start in range(0, len(pending), BATCH_DOCUMENTS):
        pairs = []
        for match_id, challenge_id, profile_id in pending[start : start + BATCH_DOCUMENTS]:
            if challenge_id not in challenges or profile_id not in startups:
                continue
            challenge = _of(challenges, challenge_id)
            standing = startups.proposal_standing(*challenge, profile_id, needs_evidence=False)
            if standing is not None:
                position, hit = standing
                proposal = _Proposal(challenge_id, profile_id, position, len(startups), hit)
                pairs.append((match_id, proposal, challenge))
        sentences = _explain_pairs([(p, challenge) for _, p, challenge in pairs], startups)
        with transaction.atomic():
            _store_sentences(sentences)
            for match_id, p, _ in pairs:
                match_record_standing(
                    match_id=match_id,
                    rank=p.rank,
                    ranked_among=p.ranked_among,
                    score=p.hit.score,
                    components=p.hit.components,
                    evidence=p.evidence,
                )
        ranked += len(pairs)
    return ranked


def _one_drain_at_a_time() -> None:
    # SQLite's write transactions are already serial (the settings begin them IMMEDIATE).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _changed_again(work: _Work) -> bool:
    return DocumentChange.objects.filter(
        kind=work.side, owner_id=work.owner_id, id__gt=max(work.change_ids)
    ).exists()


def _write_chunks(work: _Work, model) -> None:
    """The document's chunks with each encoder's vectors, in place of what was stored."""
    ChunkVector.objects.filter(
        side=work.side, owner_id=work.owner_id, model_id__in=list(model.model_ids.values())
    ).delete()
    ChunkVector.objects.bulk_create(
        ChunkVector(
            side=work.side,
            owner_id=work.owner_id,
            field=chunk.field,
            ordinal=chunk.ordinal,
            text=chunk.text,
            content_hash=chunk.content_hash,
            model_id=model_id,
            dimension=vectors.shape[1],
            vector=np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
        )
        for encoder, model_id in model.model_ids.items()
        if encoder in work.vectors
        for vectors in [work.vectors[encoder]]
        for chunk, vector in zip(work.chunks, vectors, strict=True)
    )


def _mark_failed(work: _Work) -> None:
    with transaction.atomic():
        MODELS[work.side].objects.filter(pk=work.owner_id).update(
            matching_status=MatchingStatus.FAILED
        )
        DocumentChange.objects.filter(id__in=work.change_ids).delete()
        _announce({work.side: [work]}, MatchingStatus.FAILED)


def _announce(done: Mapping[str, list[_Work]], status: str) -> None:
    """Tell the document's organisation, live, that matching finished: its pages replace
    "finding startups..." with what was found (the proposals themselves are notified too)."""
    for side, items in done.items():
        for work in items:
            publish_on_commit(
                {
                    "type": "matching.status",
                    "side": side,
                    "document": work.owner_id,
                    "status": status,
                    "proposals": len(work.proposals),
                },
                to=organization_user_ids(work.organization_id),
            )


def changes_record_for(side: str, owner_ids: Iterable[int]) -> int:
    """Log a change for documents the matching side wants re-applied (a rebuild, a reconcile,
    a retry); returns how many."""
    owner_ids = list(owner_ids)
    rows = MODELS[side].objects.filter(pk__in=owner_ids)
    if side == Side.CHALLENGE:
        organizations = dict(rows.values_list("pk", "accelerator__enterprise_id"))
    else:
        organizations = dict(rows.values_list("pk", "organization_id"))
    with transaction.atomic():
        DocumentChange.objects.bulk_create(
            DocumentChange(kind=side, owner_id=pk, organization_id=organizations[pk])
            for pk in owner_ids
            if pk in organizations
        )
        rows.update(matching_status=MatchingStatus.PENDING)
    return len(organizations)


def index_reconcile() -> int:
    """Log a change for every searchable document whose stored chunks differ from its text
    (work whose nudge never arrived); returns how many. The next drain applies them."""
    model = engine.embedder()
    stale = 0
    for side in Side.values:
        stored = defaultdict(list)
        hashes = ChunkVector.objects.filter(side=side, model_id=model.model_id)
        for owner_id, key in hashes.values_list("owner_id", "content_hash"):
            stored[owner_id].append(key)
        owners = [
            row.pk
            for row in engine.searchable(side)
            if sorted(stored.get(row.pk, []))
            != sorted(c.content_hash for c in model.chunk(engine.document_of(side, row)))
        ]
        stale += changes_record_for(side, owners)
    return stale


def index_embed(
    *,
    known_vectors: KnownVectors | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Store the vectors that searchable documents lack from an encoder other than the primary
    one (the multilingual encoder, once it is configured), in committed batches; returns how
    many documents got vectors. `progress(done, total)` follows it.

    Nothing changes in the search spaces meanwhile: they serve the vectors they have until every
    document has every encoder's (`engine.multilingual_complete`). An interrupted run keeps what
    it stored, so the next one goes on from there."""
    model = engine.embedder()
    others = {name: model_id for name, model_id in model.model_ids.items() if name != PRIMARY}
    todo: list[tuple[str, int]] = []
    for side in Side.values:
        owners = set(engine.searchable(side).values_list("pk", flat=True))
        done = set(
            ChunkVector.objects.filter(side=side, model_id__in=others.values())
            .values_list("owner_id", flat=True)
            .distinct()
        )
        todo.extend((side, owner) for owner in sorted(owners - done))
    for start in range(0, len(todo), BATCH_DOCUMENTS):
        batch = todo[start : start + BATCH_DOCUMENTS]
        _embed_batch(batch, others, known_vectors or {})
        if progress is not None:
            progress(start + len(batch), len(todo))
    return len(todo)


def _embed_batch(
    batch: list[tuple[str, int]], encoders: dict[str, str], known_vectors: KnownVectors
) -> None:
    model = engine.embedder()
    for side in {side for side, _ in batch}:
        owners = [owner for s, owner in batch if s == side]
        stored = engine.stored_chunks(side, owners)
        rows = []
        for encoder, model_id in encoders.items():
            chunks = [c for chunks, _ in stored.values() for c in chunks]
            shipped = known_vectors.get(model_id, {})
            known = {
                c.content_hash: shipped[c.content_hash] for c in chunks if c.content_hash in shipped
            }
            missing = {c.content_hash: c.text for c in chunks if c.content_hash not in known}
            encoded = model.encoder(encoder)(list(missing.values()))
            known.update(
                (key, np.asarray(vector, dtype=np.float32).tobytes())
                for key, vector in zip(missing, encoded, strict=True)
            )
            rows.extend(
                ChunkVector(
                    side=side,
                    owner_id=owner,
                    field=chunk.field,
                    ordinal=chunk.ordinal,
                    text=chunk.text,
                    content_hash=chunk.content_hash,
                    model_id=model_id,
                    dimension=len(known[chunk.content_hash]) // 4,
                    vector=known[chunk.content_hash],
                )
                for owner, (chunks, _) in stored.items()
                for chunk in chunks
            )
        with transaction.atomic():
            ChunkVector.objects.bulk_create(rows, ignore_conflicts=True)


def index_rebuild(
    *,
    known_vectors: KnownVectors | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DrainReport:
    """Re-apply every searchable document (embedding only what is missing) and reload this
    process's spaces; other processes follow the index change log. `progress(done, total)`
    follows the documents applied.

    Every open challenge is matched against every profile. Profiles do not propose here: a
    profile's own proposals are for one that joins a market (where it may rank low for a
    challenge that fits it best); run over all at once they would add hundreds of low-ranked
    proposals that no challenge's top list holds."""
    # Profiles first: the log is applied in order, so every challenge meets every profile.
    total = sum(
        changes_record_for(side, engine.searchable(side).values_list("pk", flat=True))
        for side in (Side.STARTUP, Side.CHALLENGE)
    )
    done = 0

    def applied(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(min(done, total), total)

    engine.registry.reset()  # vectors completed by `index_embed` are read from the database
    report = drain(
        known_vectors=known_vectors, budgeted=False, profiles_propose=False, progress=applied
    )
    engine.registry.reset()
    return report
