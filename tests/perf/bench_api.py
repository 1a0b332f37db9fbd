"""Benchmark: the matches lists, GET /api/challenges/{id}/matches/ and GET /api/matches/, with
10,000 startups in the database.

    python tests/perf/bench_api.py [--startups 10000] [--requests 300]

Prints p50/p99 and the queries of one request for the platform's endpoints (DRF: session
authentication, permission-scoped queryset, filters, pagination with its count, the visibility
rules) beside baselines measured in the same run: a plain Django view returning the same rows'
main columns with `.values()`. Uses DATABASE_URL if set (PostgreSQL), else a temporary SQLite
file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402

from backend.accounts.models import Membership, Organization, User  # noqa: E402
from backend.matches.models import Match  # noqa: E402
from backend.programs.models import Accelerator, Challenge  # noqa: E402
from backend.startups.models import StartupProfile  # noqa: E402

COLUMNS = (
    "id",
    "challenge_id",
    "startup_id",
    "startup__name",
    "score",
    "rank",
    "status",
    "evidence",
)


def plain_matches(request, pk: int) -> JsonResponse:
    """The baseline: the same rows, no framework around them."""
    rows = list(Match.objects.filter(challenge_id=pk).order_by("rank").values(*COLUMNS)[:20])
    return JsonResponse({"results": rows})


def plain_firm_matches(request, pk: int) -> JsonResponse:
    """The baseline of a firm's list: its challenges' best 20 matches."""
    rows = Match.objects.filter(challenge__accelerator__enterprise_id=pk)
    return JsonResponse({"results": list(rows.order_by("-score", "id").values(*COLUMNS)[:20])})


urlpatterns = [
    path("plain/challenges/<int:pk>/matches/", plain_matches),
    path("plain/organizations/<int:pk>/matches/", plain_firm_matches),
    path("", include("backend.config.urls")),
]


def populate(startups: int) -> tuple[User, Challenge]:
    enterprise = Organization.objects.create(name="Bench Firm", kind="enterprise")
    user = User.objects.create_user("bench@example.test", "a-long-bench-password")
    Membership.objects.create(user=user, organization=enterprise, role="owner")
    accelerator = Accelerator.objects.create(enterprise=enterprise, name="Bench programme")
    challenges = Challenge.objects.bulk_create(
        Challenge(
            accelerator=accelerator, title=f"Challenge {i}", problem_statement="p", status="open"
        )
        for i in range(50)
    )
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Startup {i}", kind="startup") for i in range(startups)
    )
    profiles = StartupProfile.objects.bulk_create(
        StartupProfile(
            organization=org,
            name=org.name,
            summary="Radar signal processing " * 40,
            capabilities=["Radar", "Signal processing"],
            published=True,
        )
        for org in orgs
    )
    evidence = {
        "pairs": [
            {
                "requirement": "A requirement " * 8,
                "capability": "A capability " * 8,
                "similarity": 0.61,
            }
        ]
        * 3,
        "shared_terms": ["radar", "antenna", "calibration"],
    }
    Match.objects.bulk_create(
        Match(
            challenge=challenge,
            startup=profiles[(c * 20 + r) % len(profiles)],
            score=1 - r / 20,
            rank=r + 1,
            components={"lexical": 1.0},
            evidence=evidence,
        )
        for c, challenge in enumerate(challenges)
        for r in range(20)
    )
    return user, challenges[0]


def measure(client: Client, url: str, requests: int) -> tuple[float, float, int]:
    for _ in range(20):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries.captured_queries)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--startups", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    settings.ROOT_URLCONF = __name__
    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, challenge = populate(args.startups)
    firm = challenge.accelerator.enterprise_id
    client = Client()
    client.force_login(user)
    rows = [
        ("plain Django view (baseline)", f"/plain/challenges/{challenge.pk}/matches/"),
        ("GET /api/challenges/{id}/matches/", f"/api/challenges/{challenge.pk}/matches/"),
        (
            "plain Django view, the firm's best 20 (baseline)",
            f"/plain/organizations/{firm}/matches/",
        ),
        ("GET /api/matches/ (the firm's, 1,000)", "/api/matches/"),
    ]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n{args.startups:,} startups, {Match.objects.count():,} matches, {engine}")
    print("| endpoint | p50 ms | p99 ms | queries |\n| --- | --- | --- | --- |")
    for name, url in rows:
        p50, p99, queries = measure(client, url, args.requests)
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {queries} |")


if __name__ == "__main__":
    main()
