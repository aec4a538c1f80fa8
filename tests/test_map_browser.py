"""The live map in a real browser: what a reader sees and clicks on it (headless Debian Chromium, offline).

A place selected outside the story's frame is shown, named and opened; popups never sit under the
legend; a region or country reads as exact, not as the approximate symbol; a marker drawn over another
never takes its clicks; with no network, the OpenStreetMap tiles fail once, quietly, and the bundled
basemap stays. The dashboard is served by `streamlit run dashboard.py` (one server for the module);
every test is a new browser user of it. See bench/browser_harness.py for the machinery; skipped with
the reason when Chromium or playwright is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from browser_harness import (  # noqa: E402
    DashboardServer,
    browser_unavailable,
    chromium,
    dashboard_server,
    offline_context,
    open_dashboard,
    wait_for_map,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(browser_unavailable() is not None, reason=str(browser_unavailable()))]

OPEN_TIMEOUT_MS = 300_000
UNITED_STATES = "gn:6252001"     # the samples name it; it lies far outside the story's frame (Ukraine)

# The selected place: its marker drawn inside the map, its name on the map, the name in its open popup.
SELECTED_JS = """
() => {
    const map = window.map, s = map && map.cmPlaces;
    if (!s || s.selected < 0) return null;
    const m = s.markers[s.selected], view = map.getContainer().getBoundingClientRect();
    const b = m._path && map.hasLayer(m) ? m._path.getBoundingClientRect() : null;
    const label = document.querySelector(".cm-label-selected");
    const popup = document.querySelector(".leaflet-popup-content .cm-popup b");
    return {drawn: !!b && b.width > 0 && b.left >= view.left && b.right <= view.right
                   && b.top >= view.top && b.bottom <= view.bottom,
            label: label && label.style.display !== "none" && getComputedStyle(label).visibility !== "hidden"
                   ? label.textContent : null,
            popup: popup ? popup.textContent : null};
}
"""


@pytest.fixture(scope="module")
def app() -> Iterator[DashboardServer]:
    with dashboard_server(health_timeout=120) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as b:
        yield b


def address(page) -> str:
    return page.evaluate("() => window.location.href")


def test_a_place_outside_the_frame_opened_by_a_link_is_shown_named_and_open(app, browser) -> None:
    """A `place=` link (or a table row: the same selection) to a place far from the story's scene: the
    map moves to it, draws its marker, names it and opens its popup."""
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        page.goto(f"{address(page)}&place={UNITED_STATES}", wait_until="domcontentloaded")
        try:
            shown = wait_for_map(page, lambda f: (lambda s: s if s and s["popup"] and s["drawn"] and s["label"]
                                                  else None)(f.evaluate(SELECTED_JS)), timeout_s=60)
        except TimeoutError as exc:
            pytest.fail(f"the selected place is not shown: {exc}")
        assert shown == {"drawn": True, "label": "United States", "popup": "United States"}
        assert net.page_errors == []
