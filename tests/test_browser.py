"""The dashboard in a real browser: `streamlit run dashboard.py` on a free local port, opened in headless
Debian Chromium (through the PyPI `playwright` package) with every request that leaves 127.0.0.1 aborted.

AppTest (tests/test_dashboard.py) runs no JavaScript; only here is the map seen drawn: markers of the
sample places, popups with their passages, the bundled basemap with the tiles off, nothing fetched from
outside. Also saves docs/screenshot.png (the README shows it). Skipped, with the reason, when Chromium or
playwright is missing; see bench/browser_harness.py for the machinery.
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from browser_harness import (  # noqa: E402
    MAP_IFRAME,
    VIEWPORT,
    ColdStart,
    DashboardServer,
    NetworkLog,
    browser_unavailable,
    close_popup,
    dashboard_server,
    drawn_places,
    fit_to_places,
    is_local,
    is_osm_tile,
    map_frame,
    marker_counts,
    offline_browser,
    open_dashboard,
    shown_places,
    tiles,
    wait_for_map,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(browser_unavailable() is not None, reason=str(browser_unavailable()))]

SAMPLE_PLACES = ("mariupol", "kramatorsk", "kreminna", "rubizhne", "popasna", "zaporizhzhia")
TILES_TOGGLE = "OpenStreetMap tiles when online"
SCREENSHOT = REPO / "docs" / "screenshot.png"
# The first run on a machine builds the gazetteer index (~35 s, more on a busy machine).
OPEN_TIMEOUT_MS = 300_000
# The passages of a popup, without the article title under each ("— title").
POPUP_PASSAGES_JS = """
() => Array.from(document.querySelectorAll(".leaflet-popup-content .cm-popup p")).map((p) => {
    const c = p.cloneNode(true);
    c.querySelectorAll("small, br").forEach((e) => e.remove());
    return {text: c.textContent, marks: Array.from(p.querySelectorAll("mark")).map((m) => m.textContent)};
})
"""


@dataclass
class Session:
    app: DashboardServer
    page: object
    net: NetworkLog
    cold: ColdStart
    outside_with_tiles: list[str] = field(default_factory=list)
    requests_at_toggle: int = 0
    console_at_toggle: int = 0


def seed_text() -> str:
    return " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted((REPO / "seeds").glob("*.txt")))


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    """The dashboard opened once; tiles switched off in the sidebar once the map has drawn."""
    with dashboard_server(health_timeout=120) as app, offline_browser() as (page, net):
        cold = open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        s = Session(app, page, net, cold)
        # Tiles are on by default: the browser asks for OSM tiles (aborted here), the basemap shows.
        wait_for_map(page, lambda f: tiles(f)["layers"] == 1)
        s.outside_with_tiles = net.outside()
        s.requests_at_toggle, s.console_at_toggle = len(net.requests), len(net.console_errors)
        page.get_by_text(TILES_TOGGLE).click()
        wait_for_map(page, lambda f: tiles(f)["map"] and tiles(f)["layers"] == 0
                     and marker_counts(f)["markers"] > 0, timeout_s=60)
        yield s


def show_place(page, slug: str, timeout_s: float = 10.0) -> bool:
    """Fit the map to one place (zoomed in past clustering) and wait until its marker is drawn."""
    frame = map_frame(page)
    assert fit_to_places(frame, [slug])["found"] == [slug], slug
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if drawn_places(frame, [slug])[slug]:
            return True
        time.sleep(0.05)
    return False


def test_cold_start(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    c = session.cold
    with capsys.disabled():
        print(f"\n[browser] server healthy {c.process_to_health:.1f} s, first marker {c.process_to_markers:.1f} s "
              f"after the process started ({c.goto_to_markers:.1f} s after page.goto)")
    assert c.process_to_health <= c.process_to_markers


def test_with_tiles_on_only_osm_tiles_are_asked_for_and_nothing_outside_loads(session: Session) -> None:
    outside = session.outside_with_tiles
    assert outside, "tiles are on by default: the map should have asked for OSM tiles"
    assert [u for u in outside if not is_osm_tile(u)] == []
    assert session.net.loaded_outside() == []
    assert set(outside) <= set(session.net.aborted)


def test_tiles_off_draws_the_bundled_basemap_and_no_tiles(session: Session) -> None:
    frame = map_frame(session.page)
    state = tiles(frame)
    assert state["layers"] == 0 and state["images"] == 0
    assert marker_counts(frame)["basemap_paths"] > 100          # countries and oblasts
    box = frame.evaluate("""() => {
        const svg = document.querySelector(".leaflet-basemap-pane svg");
        const r = svg && svg.getBoundingClientRect();
        return r ? [r.width, r.height] : null;
    }""")
    assert box and box[0] > 300 and box[1] > 300, box


def test_the_sample_places_are_in_the_map(session: Session) -> None:
    found = fit_to_places(map_frame(session.page), SAMPLE_PLACES)["found"]
    assert sorted(found) == sorted(SAMPLE_PLACES)


@pytest.mark.parametrize("slug", SAMPLE_PLACES)
def test_each_sample_place_has_a_visible_marker(session: Session, slug: str) -> None:
    assert show_place(session.page, slug), f"no visible marker for {slug}"


def test_marker_click_opens_a_popup_with_passages(session: Session) -> None:
    page = session.page
    assert show_place(page, "mariupol")
    page.frame_locator(MAP_IFRAME).locator("path.cm-name-mariupol").first.click()
    frame = map_frame(page)
    popup = page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content .cm-popup")
    popup.wait_for(state="visible", timeout=10_000)
    assert popup.locator("b").first.inner_text() == "Mariupol"
    passages = frame.evaluate(POPUP_PASSAGES_JS)
    passages = [p for p in passages if p["marks"]]                   # not the "+N more passages" line
    assert passages
    seeds = seed_text()
    for p in passages:
        assert set(p["marks"]) == {"Mariupol"}, p
        assert " ".join(p["text"].split()) in seeds, p["text"]      # a sentence of the article, verbatim
    close_popup(frame)


def test_screenshot(session: Session) -> None:
    """docs/screenshot.png: the sample story, its places' markers, one popup open."""
    page = session.page
    frame = map_frame(page)
    fit_to_places(frame, SAMPLE_PLACES)
    shown = shown_places(frame, SAMPLE_PLACES)     # towns a few km apart may share a cluster at this zoom
    assert all(shown.values()), shown
    # Zaporizhzhia's popup opens over the empty west of the view, covering no other marker.
    page.frame_locator(MAP_IFRAME).locator("path.cm-name-zaporizhzhia").first.click()
    page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content").last.wait_for(state="visible", timeout=10_000)
    page.mouse.move(VIEWPORT[0] - 5, VIEWPORT[1] - 5)             # no tooltip, no hover
    frame.evaluate("() => document.activeElement && document.activeElement.blur()")   # no focus ring
    page.locator('[data-testid="stSidebarContent"]').evaluate("e => e.scrollTo(0, 0)")
    page.evaluate("() => window.scrollTo(0, 0)")
    time.sleep(0.5)                                                # the popup's fade-in
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    close_popup(frame)
    head = SCREENSHOT.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == VIEWPORT


def test_with_tiles_off_no_request_leaves_the_machine(session: Session) -> None:
    """Everything since the toggle: the redraw, fitting, zooming, popups, the screenshot."""
    net = session.net
    since = net.requests[session.requests_at_toggle:]
    assert since, "the toggle should have rerun the page"
    assert [u for u in since if not is_local(u)] == []
    assert [u for u in net.websockets if not is_local(u)] == []
    assert net.loaded_outside() == []
    assert net.console_errors[session.console_at_toggle:] == []


def test_no_page_errors(session: Session) -> None:
    assert session.net.page_errors == []
