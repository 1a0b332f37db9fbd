"""Executes notebooks/matching_quality.ipynb on the shipped SBIR slice and checks what it shows."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "matching_quality.ipynb"
RANKERS = ("default", "bm25", "dense")


def python3_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The ``python3`` kernel of this interpreter; installed into a tmp prefix if missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        from ipykernel.kernelspec import install

        install(prefix=str(tmp_path / "kernel"))
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "kernel" / "share" / "jupyter"))
    return "python3"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    """The notebook after a run with SBIR_DIR unset and its embedding cache in tmp."""
    tmp = tmp_path_factory.mktemp("notebook")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("SBIR_DIR", raising=False)
        monkeypatch.setenv("MATCHING_CACHE_DIR", str(tmp / "cache"))
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            kernel_name=python3_kernel(tmp, monkeypatch),
            timeout=600,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        started = time.monotonic()
        client.execute()
        print(f"notebook executed in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return notebook


def outputs_of(notebook, tag: str) -> list[dict]:
    cells = [c for c in notebook.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"one cell tagged {tag!r}"
    return cells[0].outputs


def stdout_of(outputs: list[dict]) -> str:
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


def test_committed_notebook_has_no_outputs_and_no_absolute_paths():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert "/work" not in source
    assert not re.search(r"[\"'](/|[A-Za-z]:\\)", source), "absolute path in the notebook"


def test_table_has_the_three_rankers_with_metrics_in_the_unit_interval(executed):
    tables = [
        o.data["text/markdown"]
        for o in outputs_of(executed, "metrics-table")
        if o.output_type == "display_data" and "text/markdown" in o.data
    ]
    assert len(tables) == 1
    rows = {}
    for line in tables[0].splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = [float(v) for v in cells[1:]]
    assert set(rows) == set(RANKERS)
    for name, values in rows.items():
        assert len(values) == 5, name
        assert all(0.0 <= v <= 1.0 for v in values), (name, values)
    # Every profile of the slice is in the top 100, so every relevant one is found by then.
    assert all(values[1] == 1.0 for values in rows.values())


def test_recall_curve_is_an_inline_png(executed):
    images = [
        o.data["image/png"]
        for o in outputs_of(executed, "recall-curve")
        if o.output_type == "display_data" and "image/png" in o.data
    ]
    assert len(images) == 1
    assert len(images[0]) > 5000  # base64 of a real plot, not an empty canvas


def test_three_worked_examples_with_evidence_pairs(executed):
    text = stdout_of(outputs_of(executed, "worked-examples"))
    examples = re.split(r"^Example \d+: ", text, flags=re.MULTILINE)[1:]
    assert len(examples) == 3, text
    for example in examples:
        assert re.search(r"rank \d+ of 40 by the default ranker", example)
        similarities = [float(s) for s in re.findall(r"^\s+\d\. \[(-?\d\.\d{3})\]$", example, re.M)]
        assert 1 <= len(similarities) <= 3
        assert all(-1.0 <= s <= 1.0 for s in similarities)
        assert example.count("requirement: ") == len(similarities)
        assert example.count("capability:  ") == len(similarities)
        terms = re.search(r"^  shared terms: (.+)$", example, re.M)
        assert terms and terms.group(1) != "(none)"


def test_no_cell_raised(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"]
