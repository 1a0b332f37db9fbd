"""Two web processes and a Celery worker on PostgreSQL + Redis, as docker/compose.yaml runs them."""

from __future__ import annotations

import itertools
import time

import pytest
import redis

from matching import Document, Embedder
from tests.distributed.stack import (
    Api,
    add_startup,
    indexed_names,
    require_real_services,
    running_stack,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.slow]

PROFILES = {
    "VoltCell": (
        "We make lithium-ion battery cells that charge at high rates and survive shock.",
        ["Fast-charging lithium-ion cells", "Solid-state electrolytes"],
    ),
    "SeeFar": (
        "Infrared cameras and computer vision that detect small drones at night.",
        ["Long-wave infrared imaging", "Drone detection algorithms"],
    ),
    "FieldKitchen": (
        "Compact field kitchens and sanitation units for remote work camps.",
        ["Mobile sanitation", "Food service equipment"],
    ),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_blocker):
    redis_url = require_real_services()
    # Redis databases of its own, emptied first, so queued work from elsewhere never mixes in,
    # nor an earlier server's sign-up counts per address in the cache (the database after).
    base = redis_url.rsplit("/", 1)[0]
    redis_url = f"{base}/7"
    for database in (7, 8):
        redis.Redis.from_url(f"{base}/{database}").flushdb()
    with running_stack(tmp_path_factory.mktemp("stack"), redis_url, django_db_blocker) as stack:
        yield stack


def test_a_challenge_published_on_one_web_process_is_matched_and_served_by_the_other(stack):
    a, b = Api(stack.webs[0].url, inbox=stack.inbox), stack.webs[1]
    firm = a.signup("firm@example.test", "enterprise", "Acme Power")
    startups = {name: add_startup(a, name, *text) for name, text in PROFILES.items()}
    wait_for(
        lambda: firm.on(b).ok("GET", "/api/search/startups/?q=cells+drones+kitchens")["count"] == 3,
        120,
        "the worker to index every profile, seen from web B",
    )
    accelerator = firm.ok("POST", "/api/accelerators/", {"name": "Energy programme"})
    challenge = firm.ok(
        "POST",
        "/api/challenges/",
        {
            "accelerator": accelerator["id"],
            "title": "Fast charging batteries that survive gun launch",
            "problem_statement": "Lithium-ion cells that recharge at 3C and survive 70,000 g.",
        },
    )
    firm.ok("POST", f"/api/challenges/{challenge['id']}/publish/")
    matches_url = f"/api/challenges/{challenge['id']}/matches/"
    proposed = wait_for(
        lambda: firm.ok("GET", matches_url)["results"], 120, "the worker to propose matches"
    )
    committed = time.monotonic()
    assert proposed[0]["startup"]["name"] == "VoltCell"
    # Web B never saw the publish: it follows the index log and answers within the bound.
    voltcell_on_b = startups["VoltCell"].on(b)
    wait_for(
        lambda: any(
            hit["challenge"]["id"] == challenge["id"]
            for hit in voltcell_on_b.ok("GET", "/api/search/challenges/?q=charging")["results"]
        ),
        2.0,
        "web B to serve the new challenge",
    )
    assert time.monotonic() - committed <= 2.0
    assert [m["id"] for m in firm.on(b).ok("GET", matches_url)["results"]] == [
        m["id"] for m in proposed
    ]


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(stack):
    a = Api(stack.webs[0].url, inbox=stack.inbox)
    names = [f"Batch{i}" for i in range(6)]
    long_summary = " ".join(
        f"Sentence {n} about radar signal processing, antenna arrays and calibration."
        for n in range(40)
    )
    for name in names:
        add_startup(a, name, long_summary + f" {name}.", [f"{name} radar calibration"])

    def indexed() -> set[str]:
        return indexed_names(stack, "Batch")

    wait_for(lambda: 0 < len(indexed()) < len(names), 120, "the batch to be half done", 0.05)
    stack.workers[0].kill()
    assert len(indexed()) < len(names)
    stack.add_worker()
    wait_for(lambda: indexed() == set(names), 180, "a new worker to finish the batch")

    embedder = Embedder()
    # Every chunk once per encoder: each encoder's rows are exactly the expected chunks.
    for name, model_id in itertools.product(names, embedder.model_ids.values()):
        expected = embedder.chunk(
            Document(
                id=0, text=long_summary + f" {name}.", statements=(f"{name} radar calibration",)
            )
        )
        rows = stack.sql(
            "SELECT c.field, c.ordinal, c.content_hash FROM matches_chunkvector c "
            "JOIN startups_startupprofile p ON p.id = c.owner_id "
            "WHERE c.side = 'startup' AND p.name = %s AND c.model_id = %s "
            "ORDER BY c.field, c.ordinal",
            name,
            model_id,
        )
        assert sorted(rows) == sorted((c.field, c.ordinal, c.content_hash) for c in expected)
