"""docs/architecture.md states the layering contract that `make lint` checks, layer for layer."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_architecture_table_lists_the_contracts_layers_in_order():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    doc = (ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| \d+ \| (.+?) \| .+ \|$", doc, flags=re.MULTILINE)
    assert [row.replace("`", "").replace("\\|", "|") for row in rows] == layers
