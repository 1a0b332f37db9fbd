"""Each process's search spaces: snapshots on disk, the change log, and recovery from bad state."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from backend.common.models import DocumentChange
from backend.matches import indexing
from backend.matches.engine import embedder, registry
from backend.matches.models import ChunkVector, Side
from matching.multilingual import MULTILINGUAL
from tests.factories import OrganizationFactory, StartupProfileFactory, index_documents

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def indexed_profile(name: str):
    profile = StartupProfileFactory(
        organization=OrganizationFactory(kind="startup", name=name),
        name=name,
        summary=f"{name} builds radar signal processing for small drones.",
        capabilities=[f"{name} radar"],
    )
    index_documents(profile)
    return profile


def test_first_load_builds_from_the_database_and_writes_a_snapshot(db, settings):
    first = indexed_profile("Alpha")
    assert first.pk in registry.space(Side.STARTUP)
    assert registry.loaded_from == {side: "database" for side in Side.values}
    snapshot = settings.MATCHING_INDEX_DIR / Side.STARTUP
    assert json.loads((snapshot / "applied.json").read_text())["applied"] >= 1
    assert (snapshot / "manifest.json").is_file()


def test_a_restarted_process_loads_the_snapshot_then_applies_later_changes(db):
    first = indexed_profile("Alpha")
    registry.refresh()
    registry.reset()  # a process restart
    second = indexed_profile("Beta")
    space = registry.space(Side.STARTUP)
    assert first.pk in space and second.pk in space
    # The snapshot plus the delta, not a rebuild.
    assert registry.loaded_from[Side.STARTUP] == "snapshot"


def test_a_corrupt_snapshot_is_detected_and_rebuilt(db, settings):
    first = indexed_profile("Alpha")
    registry.refresh()
    index_file = next(
        p
        for p in (settings.MATCHING_INDEX_DIR / Side.STARTUP).iterdir()
        if p.name not in {"manifest.json", "applied.json", "documents.json"}
    )
    index_file.write_bytes(b"garbage" + index_file.read_bytes()[7:])
    registry.reset()
    assert first.pk in registry.space(Side.STARTUP)
    assert registry.loaded_from[Side.STARTUP] == "database"


def test_a_snapshot_that_disagrees_with_the_database_is_not_trusted(db):
    first = indexed_profile("Alpha")
    registry.refresh()
    registry.reset()
    # A row gone without a logged change: the snapshot no longer describes this database.
    type(first).objects.filter(pk=first.pk).update(published=False)
    assert first.pk not in registry.space(Side.STARTUP)
    assert registry.loaded_from[Side.STARTUP] == "database"


def test_reconcile_logs_only_rows_whose_text_changed_without_a_logged_change(db):
    first, second = indexed_profile("Alpha"), indexed_profile("Beta")
    assert indexing.index_reconcile() == 0
    # A write that bypassed the services, so no change was logged.
    type(second).objects.filter(pk=second.pk).update(summary="Beta now builds sonar buoys.")
    assert indexing.index_reconcile() == 1
    assert list(DocumentChange.objects.values_list("owner_id", flat=True)) == [second.pk]
    indexing.drain()
    assert indexing.index_reconcile() == 0
    assert first.pk in registry.space(Side.STARTUP)


class Interrupted(Exception):
    pass


def test_new_encoder_vectors_are_embedded_in_resumable_batches_while_the_old_ones_serve(
    db, monkeypatch
):
    profiles = [indexed_profile(name) for name in ("Alpha", "Beta", "Gamma")]
    multilingual = embedder().model_ids[MULTILINGUAL]
    # As after an upgrade that adds the multilingual encoder: its vectors are missing.
    ChunkVector.objects.filter(model_id=multilingual).delete()
    registry.reset()
    assert not registry.space(Side.STARTUP).bilingual  # serving the primary vectors alone
    monkeypatch.setattr(indexing, "BATCH_DOCUMENTS", 1)
    seen: list[tuple[int, int]] = []

    def interrupt_after_first(done, total):
        seen.append((done, total))
        raise Interrupted

    with pytest.raises(Interrupted):
        indexing.index_embed(progress=interrupt_after_first)

    done = set(ChunkVector.objects.filter(model_id=multilingual).values_list("owner_id", flat=True))
    assert seen == [(1, 3)] and len(done) == 1  # the first batch was kept
    registry.refresh()
    assert not registry.space(Side.STARTUP).bilingual  # still the old vectors, still serving
    progress: list[tuple[int, int]] = []
    assert indexing.index_embed(progress=lambda d, t: progress.append((d, t))) == 2
    assert progress == [(1, 2), (2, 2)]  # resumed: only the two left
    owners = set(
        ChunkVector.objects.filter(model_id=multilingual).values_list("owner_id", flat=True)
    )
    assert owners == {p.pk for p in profiles}
    report = indexing.index_rebuild()
    assert report.encoded_chunks == 0  # everything was stored
    assert registry.space(Side.STARTUP).bilingual


def test_rebuild_index_shows_progress(db, capsys):
    indexed_profile("Alpha")
    call_command("rebuild_index")

    output = capsys.readouterr()
    assert "Index rebuilt:" in output.out
    assert "matching" in output.err and "doc" in output.err
