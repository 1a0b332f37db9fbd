"""A space on disk: each encoder's vector index with its manifest (``VectorIndex.save``), the
multilingual one in a sub-folder, then ``documents.json`` with the documents, their chunks and
the ids of their vectors. The index is a cache the platform rebuilds from its database: loading
refuses whatever does not fit the models asked for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from matching.config import EngineConfig
from matching.dense import index_options
from matching.documents import Chunk, Document
from matching.errors import IndexMismatchError
from matching.files import atomic_write
from matching.index import VectorIndex
from matching.multilingual import DIMENSION as MULTILINGUAL_DIMENSION
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.store import DocumentStore

DOCUMENTS_FILE = "documents.json"


def save_space(
    directory: Path,
    model_ids: Mapping[str, str],
    indexes: Mapping[str, VectorIndex],
    store: DocumentStore,
) -> dict:
    """Write the indexes, then the documents; returns the primary index's manifest."""
    if PRIMARY not in indexes:
        raise ValueError("an empty space has no vectors to save")
    manifest = indexes[PRIMARY].save(directory)
    if MULTILINGUAL in indexes:
        indexes[MULTILINGUAL].save(directory / MULTILINGUAL)
    state = {
        "model": model_ids[PRIMARY],
        "models": dict(model_ids),
        "next_chunk_id": store.next_chunk_id,
        "documents": [
            {
                "id": doc.id,
                "title": doc.title,
                "text": doc.text,
                "statements": list(doc.statements),
                "chunks": [
                    [c.field, c.ordinal, c.text, c.content_hash] for c in store.chunks_of(doc.id)
                ],
                "chunk_ids": store.chunk_ids_of(doc.id).tolist(),
            }
            for doc in store.documents()
        ],
    }
    atomic_write(directory / DOCUMENTS_FILE, json.dumps(state).encode())
    return manifest


def load_space(
    directory: Path, config: EngineConfig, model_ids: Mapping[str, str], dimension: int
) -> tuple[dict[str, VectorIndex], DocumentStore]:
    """The indexes and documents ``save_space`` wrote; ``IndexMismatchError`` when they do not
    fit ``model_ids`` (other models, or another set of encoders)."""
    options = index_options(config)
    indexes = {
        PRIMARY: VectorIndex.load(
            directory, model_id=model_ids[PRIMARY], dimension=dimension, **options
        )
    }
    if MULTILINGUAL in model_ids:
        indexes[MULTILINGUAL] = VectorIndex.load(
            directory / MULTILINGUAL,
            model_id=model_ids[MULTILINGUAL],
            dimension=MULTILINGUAL_DIMENSION,
            **options,
        )
    try:
        state = json.loads((directory / DOCUMENTS_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(f"no readable {DOCUMENTS_FILE} in {directory}") from exc
    if state.get("models", {PRIMARY: state.get("model")}) != dict(model_ids):
        raise IndexMismatchError(f"{directory} was saved with encoders {state.get('models')}")
    store = DocumentStore()
    for item in state["documents"]:
        doc = Document(item["id"], item["title"], item["text"], tuple(item["statements"]))
        ids = np.asarray(item["chunk_ids"], dtype=np.int64)
        if not all(int(i) in index for index in indexes.values() for i in ids):
            raise IndexMismatchError(f"{DOCUMENTS_FILE} in {directory} names missing vectors")
        store.register(doc, [Chunk(*c) for c in item["chunks"]], ids)
    store.next_chunk_id = int(state["next_chunk_id"])
    return indexes, store
