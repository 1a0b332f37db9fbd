"""Export the chunk vectors of a freshly seeded demo database to backend/demo/fixtures.

    DEBUG=1 python manage.py seed_demo && DEBUG=1 python scripts/build_demo_vectors.py

Vectors are stored as float16 (cosine to the float32 original > 0.9999), keyed by the chunk's
content hash, with the model id they were made by.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

import django  # noqa: E402

django.setup()

from backend.demo.management.commands.seed_demo import VECTORS  # noqa: E402
from backend.matches import engine  # noqa: E402
from backend.matches.models import ChunkVector  # noqa: E402


def main() -> None:
    model_id = engine.embedder().model_id
    rows = dict(ChunkVector.objects.filter(model_id=model_id).values_list("content_hash", "vector"))
    hashes = sorted(rows)
    vectors = np.vstack([np.frombuffer(bytes(rows[h]), dtype=np.float32) for h in hashes])
    np.savez_compressed(
        VECTORS,
        model_id=np.array(model_id),
        hashes=np.array(hashes),
        vectors=vectors.astype(np.float16),
    )
    print(f"{len(hashes)} vectors of {model_id} -> {VECTORS}")


if __name__ == "__main__":
    main()
