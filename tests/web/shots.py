"""Screenshots of the pages, saved as test artifacts for people to look at."""

from __future__ import annotations

from tests.servers import ROOT

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def shoot(page, name: str) -> None:
    """Save a full-page screenshot as a test artifact (looked at by people, not asserted)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
