"""The indexer SIGKILLed in either phase, in a process of its own on a real database: the next
run applies every change exactly once (vectors, matches and notifications)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.matches.small_market import SEED
from tests.servers import ROOT, manage, server_env, throwaway_database

pytestmark = [pytest.mark.slow]

# Runs the real indexer, stopping for good at one point of one phase until it is killed.
STALLED_DRAIN = """
import sys, time
import django
django.setup()
from backend.matches import engine, indexing

def stall(marker):
    print(marker, flush=True)
    time.sleep(600)

if sys.argv[1] == "phase-one":
    model = engine.embedder()
    model.encode = lambda texts, *a, **k: stall("IN PHASE ONE")
else:
    record = indexing.match_record_proposal
    recorded = []
    def record_then_stall(**kwargs):
        recorded.append(record(**kwargs))
        if len(recorded) == 2:  # matches written, the transaction still open
            stall("IN PHASE TWO")
        return recorded[-1]
    indexing.match_record_proposal = record_then_stall
indexing.drain()
"""

STATE = """
import json
from collections import Counter
from backend.common.models import DocumentChange
from backend.matches.models import ChunkVector, Match
from backend.notifications.models import Notification
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile
from backend.matches import engine

model = engine.embedder()
chunks = {}
documents = {"challenge": Challenge.objects.all(), "startup": StartupProfile.objects.all()}
for side, rows in documents.items():
    for row in rows:
        # Every chunk once per encoder.
        wanted = len(model.chunk(engine.document_of(side, row))) * len(model.model_ids)
        stored = ChunkVector.objects.filter(side=side, owner_id=row.pk).count()
        chunks[f"{side}-{row.pk}"] = [wanted, stored]
told = Counter(
    (n.user_id, n.event["match"]) for n in Notification.objects.filter(kind="match.proposed")
)
print(json.dumps({
    "log": DocumentChange.objects.count(),
    "statuses": sorted(
        set(Challenge.objects.values_list("matching_status", flat=True))
        | set(StartupProfile.objects.values_list("matching_status", flat=True))
    ),
    "chunks": chunks,
    "matches": Match.objects.count(),
    "pairs": Match.objects.values("challenge", "startup").distinct().count(),
    "most_told": max(told.values(), default=0),
    "told": sum(told.values()),
}))
"""


def state(env) -> dict:
    return json.loads(manage(env, "shell", "-c", STATE).strip().splitlines()[-1])


def killed_in(env, phase: str, tmp_path) -> None:
    script = tmp_path / "stalled_drain.py"
    script.write_text(STALLED_DRAIN)
    process = subprocess.Popen(
        [sys.executable, str(script), phase],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.config.settings", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("IN PHASE"):
                break
        else:
            pytest.fail(f"the indexer ended before {phase}")
    finally:
        process.kill()  # SIGKILL: no clean-up runs
        process.wait(timeout=30)


@pytest.mark.parametrize("phase", ["phase-one", "phase-two"])
def test_a_killed_indexer_leaves_the_next_run_to_apply_everything_once(tmp_path, phase):
    with throwaway_database(tmp_path) as database_url:
        env = server_env(database_url, tmp_path, LOG_LEVEL="WARNING")
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SEED)
        assert state(env)["log"] == 5  # three profiles and two challenges changed

        killed_in(env, phase, tmp_path)
        after_kill = state(env)
        assert after_kill["log"] == 5  # nothing of the killed run was committed
        assert after_kill["matches"] == after_kill["told"] == 0
        assert after_kill["statuses"] == ["pending"]

        manage(env, "shell", "-c", "from backend.matches.indexing import drain; drain()")
        done = state(env)
        assert done["log"] == 0
        assert done["statuses"] == ["ready"]
        assert all(wanted == stored > 0 for wanted, stored in done["chunks"].values())
        assert done["matches"] == done["pairs"] > 0
        # Each proposal told the firm's one user and the startup's one user, once each.
        assert done["most_told"] == 1
        assert done["told"] == 2 * done["matches"]

        # A further run finds nothing to do and changes nothing.
        manage(env, "shell", "-c", "from backend.matches.indexing import drain; drain()")
        assert state(env) == done
