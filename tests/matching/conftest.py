"""Fixtures of the engine tests: the real model, and a tiny hand-made market (five startups,
two challenges) whose right answers are obvious."""

from types import SimpleNamespace

import pytest

from matching import Document, Embedder, EngineConfig

PROFILES = [
    Document(
        id=1,
        text="We build solid-state lithium battery cells with ceramic electrolytes. "
        "Our cells charge in ten minutes and survive high shock.",
        statements=("Solid-state lithium battery cells", "Fast charging power packs"),
    ),
    Document(
        id=2,
        text="Adaptive filtering of sea clutter for maritime radar. "
        "We detect small boats in heavy sea states.",
        statements=("Radar signal processing",),
    ),
    Document(
        id=3,
        text="Computer vision for crop monitoring from drones. "
        "Deep learning segmentation of field imagery.",
        statements=("Aerial image analytics", "Precision agriculture"),
    ),
    Document(
        id=4,
        text="Biodegradable packaging made from seaweed. Compostable films for food.",
        statements=(),
    ),
    Document(
        id=5,
        text="锂离子电池快速充电与电池热管理系统。我们的电池组支持高倍率充电。",
        statements=("锂电池热管理",),
    ),
]

BATTERY_CHALLENGE = Document(
    id=101,
    title="Fast charging high energy power systems for gun-launched munitions",
    text="OBJECTIVE: Develop lithium-ion battery cells that recharge quickly and survive "
    "launch shock of 70,000 g. DESCRIPTION: The cells must hold at least 0.5 Ah. "
    "REFERENCES: 1. Smith, Power Sources, 2010.",
)
RADAR_CHALLENGE = Document(
    id=102,
    title="Small boat detection in sea clutter",
    text="The Navy needs radar processing that finds small craft in high sea states.",
)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged model, loaded once for the session."""
    return Embedder(EngineConfig())


@pytest.fixture
def market() -> SimpleNamespace:
    return SimpleNamespace(profiles=PROFILES, battery=BATTERY_CHALLENGE, radar=RADAR_CHALLENGE)
