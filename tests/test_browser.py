"""The dashboard in a real browser: `streamlit run dashboard.py` on a free local port, opened in headless
Debian Chromium (through the PyPI `playwright` package) with every request that leaves 127.0.0.1 aborted.

AppTest (tests/test_dashboard.py) runs no JavaScript; only here is the map seen drawn: markers of the
sample places, popups with their passages, the bundled basemap with the tiles off, nothing fetched from
outside, the sample places named on the map without hovering and no two names overlapping, a
comparison's differing places each a marker of its own, the current-view PNG after any move, an
added article kept across a reload and a restart. Also takes the README's picture (to the tests' cache
folder; `CONFLICTMAP_SCREENSHOT=docs/screenshot.png` refreshes docs/screenshot.png). Hostile articles:
Markdown, HTML and script in a title, a file name and a body make no request and run nothing, and show as written; two
users with same-bodied articles never see each other's. One server serves every test. Skipped, with
the reason, when Chromium or playwright is missing; see bench/browser_harness.py for the machinery.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import screenshot_path, use_data_dir

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from browser_fixtures import app, browser  # noqa: E402, F401 (fixtures, taken as parameters)
from browser_harness import (  # noqa: E402
    ALL_MARKERS_JS,
    FIND_MAP_JS,
    MAP_IFRAME,
    SETTLE_JS,
    VIEWPORT,
    ColdStart,
    DashboardServer,
    NetworkLog,
    address,
    browser_unavailable,
    close_popup,
    dashboard_server,
    drawn_places,
    fit_to_places,
    free_port,
    go_home,
    is_local,
    is_osm_tile,
    map_frame,
    map_labels,
    marker_counts,
    offline_context,
    open_dashboard,
    set_zoom,
    settle,
    shown_places,
    tiles,
    wait_for_map,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(browser_unavailable() is not None, reason=str(browser_unavailable()))]

SAMPLE_PLACES = ("mariupol", "kramatorsk", "kreminna", "rubizhne", "popasna", "zaporizhzhia")
TILES_TOGGLE = "OpenStreetMap tiles when online"
# The first run on a machine builds the gazetteer index (~35 s, more on a busy machine).
OPEN_TIMEOUT_MS = 300_000
# The passages of a popup, without the article title under each ("— title").
POPUP_PASSAGES_JS = """
() => Array.from(document.querySelectorAll(".leaflet-popup-content .cm-popup p")).map((p) => {
    const c = p.cloneNode(true);
    c.querySelectorAll("small, br").forEach((e) => e.remove());
    const marks = p.querySelectorAll("mark:not(.cm-trigger)");       // the place, not an event's trigger
    return {text: c.textContent, marks: Array.from(marks).map((m) => m.textContent)};
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
def session(app: DashboardServer, browser) -> Iterator[Session]:
    """The dashboard opened once; tiles switched off in the sidebar once the map has drawn."""
    with offline_context(browser) as (page, net):
        cold = open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        s = Session(app, page, net, cold)
        # Tiles are on by default: the browser asks for an OSM tile (aborted here), the basemap shows and
        # the map says so (tests/test_map_browser.py checks that no more is asked for)
        wait_for_map(page, lambda f: f.evaluate("() => !!document.querySelector('.cm-tiles-note')"))
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


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap (by more than a rounding error)."""
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            t = 0.5
            if a["x0"] < b["x1"] - t and b["x0"] < a["x1"] - t and a["y0"] < b["y1"] - t and b["y0"] < a["y1"] - t:
                out.append((a["text"], b["text"]))
    return out


UNDER_CONTROLS_JS = """
(slugs) => {
    const boxes = Array.from(document.querySelectorAll(".cm-legend, .leaflet-control"))
        .map((e) => e.getBoundingClientRect());
    return slugs.filter((s) => Array.from(document.querySelectorAll("path.cm-name-" + s)).some((p) => {
        const b = p.getBoundingClientRect(), x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
        return boxes.some((c) => x >= c.left && x <= c.right && y >= c.top && y <= c.bottom);
    }));
}
"""


def test_the_sample_places_are_named_on_the_map_without_hovering(session: Session) -> None:
    page = session.page
    frame = map_frame(page)
    home = go_home(frame)                             # the view the map opened on: the story's frame
    assert home is not None
    page.mouse.move(VIEWPORT[0] - 5, VIEWPORT[1] - 5)
    for zoom in (home, home + 1):
        if zoom != home:
            set_zoom(frame, zoom)
        labels = [label for label in map_labels(frame) if label["shown"]]
        named = {label["text"].casefold() for label in labels if label["inside"]}
        in_view = {slug for slug, how in shown_places(frame, SAMPLE_PLACES).items() if how == "marker"}
        assert in_view == set(SAMPLE_PLACES) or zoom != home           # all of them where the map opens
        in_view -= set(frame.evaluate(UNDER_CONTROLS_JS, list(in_view)))   # under the legend: no room for a name
        assert in_view <= named, (zoom, sorted(named))
        assert overlapping(labels) == [], zoom
        if zoom == home:                                # faint names for orientation, where there is room
            assert any("cm-orientation" in label["cls"] for label in labels)
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-tooltip').length") == 0   # no hover
    go_home(frame)


def test_the_sample_places_are_in_the_map(session: Session) -> None:
    found = fit_to_places(map_frame(session.page), SAMPLE_PLACES)["found"]
    assert sorted(found) == sorted(SAMPLE_PLACES)


@pytest.mark.parametrize("slug", SAMPLE_PLACES)
def test_each_sample_place_has_a_visible_marker(session: Session, slug: str) -> None:
    assert show_place(session.page, slug), f"no visible marker for {slug}"


def test_marker_click_opens_a_popup_with_passages(session: Session) -> None:
    page = session.page
    # clicked until the page shows it selected (a rerun may replace the map under the first click)
    text = select_on_map(page, "mariupol", "Mariupol")
    assert "Mariupol" in text.split("\n", 1)[0], text
    # the click selects Mariupol: the page may draw the map anew (its popup open) while it is read
    passages = wait_for_map(page, lambda f: f.evaluate(POPUP_PASSAGES_JS), timeout_s=30)
    passages = [p for p in passages if p["marks"]]                   # not the "+N more passages" line
    assert passages
    seeds = seed_text()
    for p in passages:
        assert set(p["marks"]) == {"Mariupol"}, p
        assert " ".join(p["text"].split()) in seeds, p["text"]      # a sentence of the article, verbatim
    close_popup(map_frame(page))


def test_screenshot(session: Session) -> None:
    """The README's picture (docs/screenshot.png when CONFLICTMAP_SCREENSHOT asks for it, else a copy in the
    tests' cache folder): the sample story as the map opens on it, every place named."""
    page = session.page

    def named(frame) -> set[str]:
        close_popup(frame)       # a marker clicked before selected its place: the new map opened it
        go_home(frame)
        return {label["text"].casefold() for label in map_labels(frame) if label["shown"] and label["inside"]}

    # the click of an earlier test selected a place: the page redraws the map since (a new frame, maybe
    # more than once), so a frame that is replaced while we read it is read again
    for attempt in range(3):
        try:
            wait_for_map(page, lambda f: set(SAMPLE_PLACES) <= named(f), timeout_s=30)
            frame = map_frame(page)
            shown = shown_places(frame, SAMPLE_PLACES)
            assert set(shown.values()) == {"marker"}, shown                 # the story's core: never clustered
            page.mouse.move(VIEWPORT[0] - 5, VIEWPORT[1] - 5)             # no tooltip, no hover
            frame.evaluate("() => document.activeElement && document.activeElement.blur()")   # no focus ring
            page.locator('[data-testid="stSidebarContent"]').evaluate("e => e.scrollTo(0, 0)")
            page.evaluate("() => window.scrollTo(0, 0)")
            assert set(SAMPLE_PLACES) <= named(frame)
            break
        except Exception as exc:          # playwright.Error: "Frame was detached" (imported lazily here)
            if "detached" not in str(exc) or attempt == 2:
                raise
            time.sleep(1)
    time.sleep(0.3)
    picture = screenshot_path()             # not docs/screenshot.png unless asked for (conftest.SCREENSHOT_ENV)
    picture.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(picture))
    head = picture.read_bytes()[:24]
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


TOOLBAR_LABELS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stElementToolbarButton"] button'))
    .map((b) => b.getAttribute("aria-label") || b.textContent)"""


def toolbar_labels(page, table) -> list[str]:
    """The buttons of a table's toolbar (it shows while the mouse is over the table)."""
    table.scroll_into_view_if_needed()
    table.hover()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        labels = page.evaluate(TOOLBAR_LABELS_JS)
        if labels:
            return labels
        time.sleep(0.1)
    return []


def test_tables_offer_no_raw_csv_download(session: Session) -> None:
    """Streamlit's own "Download as CSV" writes cells as they are (an article sentence starting with
    "=" would be a formula in a spreadsheet): it is switched off; the app's downloads defuse them."""
    table = session.page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    labels = toolbar_labels(session.page, table)
    assert labels, "the table's toolbar did not show"
    assert not [label for label in labels if "download" in label.lower() or "csv" in label.lower()], labels


def test_no_page_errors(session: Session) -> None:
    assert session.net.page_errors == []


# -- compare: every place only one version has is a marker of its own ----------------------------------
CLICK_POINT_JS = """
async (i) => {
    const map = (FIND_MAP)();
    const settle = (SETTLE)(map);
    const m = map.cmPlaces.markers[i];
    await settle();
    if (!map.getBounds().contains(m.getLatLng())) {      // a country far away: go and look
        map.setView(m.getLatLng(), map.getZoom(), {animate: false});
        await settle();
    }
    const clustered = map.cmPlaces.cluster.hasLayer(m), path = m._path;
    if (!path || !map.hasLayer(m)) return {clustered: clustered, point: null};
    const b = path.getBoundingClientRect(), cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
    const r = Math.min(b.width, b.height) / 2, tries = [[0, 0]];
    for (const k of [0.4, 0.7, 0.9]) for (let a = 0; a < 16; a++)
        tries.push([Math.cos(a * Math.PI / 8) * r * k, Math.sin(a * Math.PI / 8) * r * k]);
    for (const [dx, dy] of tries) {
        if (document.elementFromPoint(cx + dx, cy + dy) === path) {      // relative to the marker's box
            const slug = (m.options.className || "").split(/\\s+/).find((c) => c.startsWith("cm-name-"));
            return {clustered: clustered, point: [cx + dx - b.left, cy + dy - b.top], css: slug};
        }
    }
    return {clustered: clustered, point: null};
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip())
DIFFERING = {"Zaporizhzhia", "Denmark", "Spain", "Kreminna", "Rubizhne", "Popasna", "Luhansk region"}


def test_compare_shows_every_differing_place_as_its_own_clickable_marker(session: Session) -> None:
    page, net = session.page, session.net
    view(page, "Compare versions")
    rows = wait_for_map(page, lambda f: f.evaluate(
        "() => window.map && window.map.cmPlaces && window.map.cmPlaces.rows.some((r) => r[11] === 2)"
        " && window.map.cmPlaces.rows.map((r, i) => [i, r[9], r[11]])"), timeout_s=60)
    differing = {name: i for i, name, layer in rows if layer == 2}
    assert set(differing) == DIFFERING
    frame = map_frame(page)
    in_view = frame.evaluate("(ids) => ids.filter((i) => window.map.getBounds().contains("
                             "window.map.cmPlaces.markers[i].getLatLng()))", list(differing.values()))
    assert {name for name, i in differing.items() if i in in_view} >= DIFFERING - {"Denmark", "Spain"}
    # The whole map in view: a click gives the map the focus (Leaflet's keyboard handler), and the browser
    # scrolls a focused frame that is partly out of view into it, between mousedown and mouseup.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    for name, i in sorted(differing.items()):
        found = frame.evaluate(CLICK_POINT_JS, i)
        assert not found["clustered"] and found["point"], (name, found)
        # a click there (playwright checks that the marker is what is under it) opens its popup
        page.frame_locator(MAP_IFRAME).locator(f"path.{found['css']}").first.click(
            position={"x": found["point"][0], "y": found["point"][1]})
        popup = page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content .cm-popup b").first
        popup.wait_for(state="visible", timeout=10_000)
        assert popup.inner_text() == name
        close_popup(frame)
        page.frame_locator(MAP_IFRAME).locator(".leaflet-popup").first.wait_for(state="detached", timeout=5_000)
    assert net.page_errors == []


# -- the current-view PNG after any move --------------------------------------------------------------------
def download_bytes(page, label: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text=label).locator("button").click()
    return Path(info.value.path()).read_bytes()


def preview_src(page) -> str | None:
    image = page.locator('[data-testid="stImage"] img')
    return image.first.get_attribute("src") if image.count() else None


def move_map(page, how: str) -> None:
    """Pan (drag), zoom (the + button) or wheel-zoom the map as a reader would; "none" leaves it. The
    popup of a place selected before is closed first, as a reader would: a drag or a wheel on a popup
    moves the popup's text, not the map."""
    close_popup(map_frame(page))
    box = page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6
    if how == "pan":
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 180, y + 70, steps=10)
        page.mouse.up()
    elif how == "zoom":
        page.frame_locator(MAP_IFRAME).locator(".leaflet-control-zoom-in").click()
    elif how == "wheel":
        page.mouse.move(x, y)
        page.mouse.wheel(0, -120)
    time.sleep(0.8)          # st_folium reports the view 250 ms after the move ...
    wait_until_idle(page)    # ... and the page reruns


def wait_until_idle(page, quiet_s: float = 0.6, timeout_s: float = 30.0) -> None:
    """Until the page has run no script for `quiet_s` (Streamlit shows its status widget while it runs)."""
    deadline, quiet_since = time.monotonic() + timeout_s, time.monotonic()
    while time.monotonic() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(0.1)


def tracked_view(page) -> str | None:
    """The caption under the map saying which view the current-view PNG shows."""
    caption = page.get_by_text("PNG of ")
    return caption.first.inner_text() if caption.count() else None


def settled_view(page, quiet_s: float = 1.5, timeout_s: float = 30.0) -> str | None:
    """The caption under the map once it has not changed for `quiet_s`: a map drawn again (back from
    Share) reports its view a moment after it is drawn, and the caption before that is the last view's."""
    deadline = time.monotonic() + timeout_s
    last, since = tracked_view(page), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = tracked_view(page)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return last


def test_the_current_view_png_works_after_no_move_a_pan_a_zoom_and_a_wheel_zoom(session: Session) -> None:
    pngs: dict[str, bytes] = {}
    page, net = session.page, session.net
    view(page, "Map")                        # the last test of the session: it leaves the view tracked
    page.get_by_text("Export the current map view").click()
    time.sleep(1.0)
    for how in ("none", "pan", "zoom", "wheel"):
        wait_for_map(page, lambda f: marker_counts(f)["markers"] > 0, timeout_s=60)
        shown = settled_view(page)       # the view the map reports once drawn again
        move_map(page, how)
        if how != "none":       # the server has the moved view (the caption under the map says which)
            deadline = time.monotonic() + 30
            while tracked_view(page) == shown and time.monotonic() < deadline:
                time.sleep(0.2)
            assert tracked_view(page) != shown, how
        view(page, "Share")
        wait_until_idle(page)                 # the Share view drawn (with the PNG made before, if any)
        before = preview_src(page)
        page.get_by_role("button", name="Make PNG").click()
        deadline = time.monotonic() + 60
        while preview_src(page) in (None, before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert preview_src(page) not in (None, before), how
        assert page.locator(".cm-message.cm-error").count() == 0, how
        assert page.locator('[data-testid="stException"]').count() == 0, how
        assert page.locator('[data-testid="stDownloadButton"]').count() == 4, how     # PNG, HTML, GeoJSON, CSV
        pngs[how] = download_bytes(page, "Download PNG")
        assert pngs[how].startswith(b"\x89PNG\r\n\x1a\n"), how
        view(page, "Map")
    assert net.page_errors == []
    # each moved view is drawn, not the frame the map opened on (nor the view before it)
    assert len(set(pngs.values())) == 4


# -- hostile articles: nothing fetched, nothing run, the text as written ----------------------------------
def make_png(page) -> bytes:
    """Press "Make PNG" in the Share view, wait for its preview and download it."""
    wait_until_idle(page)
    before = preview_src(page)
    page.get_by_role("button", name="Make PNG").click()
    deadline = time.monotonic() + 60
    while preview_src(page) in (None, before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert preview_src(page) not in (None, before)
    return download_bytes(page, "Download PNG")


def test_the_current_view_png_follows_the_first_move_without_leaving_the_map(app, browser) -> None:
    """On first use: turn "Export the current map view" on and pan the map, and the line under the map
    says the PNG shows this view (not the story's frame), and so does the PNG."""
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        wait_for_map(page, lambda f: marker_counts(f)["markers"] > 0, timeout_s=60)
        page.get_by_text("Export the current map view").click()
        deadline = time.monotonic() + 30
        while tracked_view(page) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        wait_until_idle(page)
        wait_for_map(page, lambda f: marker_counts(f)["markers"] > 0, timeout_s=60)
        before = tracked_view(page)
        move_map(page, "pan")
        deadline = time.monotonic() + 20
        while tracked_view(page) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        after = tracked_view(page) or ""
        assert after != before and after.startswith("PNG of this view: "), (before, after)
        view(page, "Share")
        moved = make_png(page)
        page.get_by_text("Export the current map view").click()     # off: the story's frame
        framed = make_png(page)
        assert moved.startswith(b"\x89PNG") and framed.startswith(b"\x89PNG")
        assert moved != framed
        # Known, left open: while the map is drawn anew to report its view, Leaflet may position a hovered
        # marker's tooltip on the old map ("reading 'x'" in Tooltip._setPosition). Any other error fails.
        assert [e for e in net.page_errors if "reading 'x'" not in e] == []


@contextlib.contextmanager
def request_logger() -> Iterator[tuple[int, list[str]]]:
    """A web server on 127.0.0.1 (a free port) that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(f"{self.command} {self.path} referer={self.headers.get('Referer')}")
            self.send_response(204)
            self.end_headers()

        do_POST = do_HEAD = do_GET

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def sidebar_uploader(page):
    return page.locator('[data-testid="stFileUploader"]').filter(has_text="Add articles").locator(
        "input[type=file]")


def wait_for_message(page, level: str, text: str, timeout_ms: float = 60_000) -> None:
    page.locator(f".cm-message.cm-{level}").filter(has_text=text).first.wait_for(state="visible",
                                                                                 timeout=timeout_ms)


def select_on_map(page, slug: str, name: str, attempts: int = 3) -> str:
    """Click the place's marker until the page shows it selected (a rerun still running when the
    marker is clicked may replace the map under the click); the popup's text."""
    for _ in range(attempts):
        wait_for_map(page, lambda f: fit_to_places(f, [slug])["found"] == [slug], timeout_s=60)
        assert show_place(page, slug, timeout_s=30), slug
        page.frame_locator(MAP_IFRAME).locator(f"path.cm-name-{slug}").first.click()
        popup = page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content .cm-popup")
        popup.wait_for(state="visible", timeout=10_000)
        text = popup.inner_text()
        with contextlib.suppress(Exception):
            page.locator(".cm-place-name").filter(has_text=name).wait_for(state="attached", timeout=15_000)
            return text
    raise AssertionError(f"clicking {slug} did not select it")


def page_text(page, *expected: str, timeout_s: float = 30.0) -> str:
    """The text of the page (the sidebar's and the main area's text nodes; `innerText` would skip
    what Streamlit leaves unrendered off screen) once it holds every `expected` string: a rerun
    redraws the page element by element."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = page.evaluate("""() => ["stSidebar", "stMain"].map(
            (id) => document.querySelector(`[data-testid="${id}"]`).textContent).join("\\n")""")
        if all(e in text for e in expected) or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def pwned(page) -> list:
    """What the payloads' scripts would have set, in the page and in every frame."""
    return [f.evaluate("() => window.__pwned === undefined ? null : window.__pwned") for f in page.frames]


def test_hostile_titles_file_names_and_bodies_fetch_nothing_run_nothing_and_show_as_written(app, browser) -> None:
    with request_logger() as (port, hits), offline_context(browser) as (page, net):
        url = f"http://127.0.0.1:{port}"
        title = f"![x]({url}/title.png) [l]({url}/title-link) :red[x] **bold** $\\frac{{1}}{{2}}$"
        body = (f"Shelling hit Vinnytsia <img src={url}/img.png onerror=\"window.__pwned=1\"> "
                f"<script>window.__pwned=2;alert(2)</script> and Zhytomyr, $x^2$ :red[y] :material/home: **z**, "
                f"alert(coords); drawnItems_draw_control_div_1.\n\n"
                f"Residents of Zhytomyr saw ![m]({url}/body.png) and [a]({url}/body-link) "
                f"<a href=\"{url}/a\">link</a> <iframe src=\"{url}/frame\"></iframe>.\n")
        file_name = ":red[f] **file** $y$ <img src=x onerror=window.__pwned=3> ![f](file.png) [g](page.html).txt"
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)

        page.get_by_label("…or paste an article").fill(f"{title}\n\n{body}")
        page.get_by_role("button", name="Add pasted text").click()
        wait_for_message(page, "success", "Added “![x](")
        sidebar_uploader(page).set_input_files([
            {"name": file_name, "mimeType": "text/plain",
             "buffer": f"{title}\n\nCafé owners fled.\n\n{body}".encode("cp1252")},
            {"name": "empty " + file_name, "mimeType": "text/plain", "buffer": b""}])
        expected = (f"{file_name}: {file_name} is not valid UTF-8",             # the warning names the file
                    f"empty {file_name} is empty: it has no text to read.")
        shown = page_text(page, *expected)
        for text in expected:
            assert text in shown, text

        popup = select_on_map(page, "zhytomyr", "Zhytomyr")
        assert title in popup and "<img src=" in popup and "<script>window.__pwned=2" in popup
        assert "**z**, alert(coords); drawnItems_draw_control_div_1." in popup     # streamlit-folium strips neither
        expected = (title, f"{title} · {file_name}", f"<img src={url}/img.png",
                    "$x^2$ :red[y] :material/home: **z**", f"![m]({url}/body.png)")
        shown = page_text(page, *expected)
        for text in expected:
            assert text in shown, text
        time.sleep(3.0)                       # anything the page was going to fetch has been asked for

        assert hits == []
        assert net.dialogs == []
        assert pwned(page) == [None] * len(page.frames)
        assert page.locator(".katex, .stMarkdown img, [data-testid=stMarkdownContainer] img").count() == 0
        assert [u for u in net.requests if f":{port}" in u or "file.png" in u or "page.html" in u] == []
        assert net.outside() == [u for u in net.outside() if is_osm_tile(u)]


# -- two users with same-bodied articles ------------------------------------------------------------------
SAME_BODY = ("<p>Shelling hit Vinnytsia overnight, officials said.</p>"
             "<p>Residents of Zhytomyr left for Kyiv.</p>")
DESKS = {"alpha": ("Alpha desk report", "alpha-desk.html"), "bravo": ("Bravo desk report", "bravo-desk.html")}


def desk_page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body>{SAME_BODY}</body></html>".encode()


def download(page, label: str) -> str:
    with page.expect_download(timeout=60_000) as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text=label).locator("button").click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def view(page, name: str) -> None:
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text=name).first.click()


def test_two_users_with_same_bodied_articles_never_see_each_others(app, browser) -> None:
    with offline_context(browser) as alpha, offline_context(browser) as bravo:
        pages = [alpha, bravo]
        for page, _ in pages:
            open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        for (page, _), desk in zip(pages, DESKS, strict=True):      # alpha first, then bravo
            title, name = DESKS[desk]
            sidebar_uploader(page).set_input_files([{"name": name, "mimeType": "text/html",
                                                     "buffer": desk_page(title)}])
            wait_for_message(page, "success", f"Added “{title}”")
        # bravo's page came second, so every shared cache alpha filled was there for it; then alpha again
        for (page, net), own, other in ((pages[1], "bravo", "alpha"), (pages[0], "alpha", "bravo")):
            popup = select_on_map(page, "vinnytsia", "Vinnytsia")
            shown = page_text(page, f"{DESKS[own][0]} · {DESKS[own][1]}")
            view(page, "Share")
            geojson = download(page, "GeoJSON")
            csv_text = download(page, "CSV")
            html_map = download(page, "Standalone HTML map")
            view(page, "Map")
            seen = "\n".join([popup, shown, geojson, csv_text, html_map])
            assert DESKS[own][0] in popup
            assert f"{DESKS[own][0]} · {DESKS[own][1]}" in shown
            for text in DESKS[own]:
                assert text in geojson and text in csv_text, (own, text)
            assert DESKS[own][0] in html_map
            for text in DESKS[other]:
                assert text not in seen, (own, text)
            features = json.loads(geojson)["features"]
            place = next(f for f in features if f["properties"]["name"] == "Vinnytsia")
            assert {(p["article_title"], p["source"]) for p in place["properties"]["passages"]} == {DESKS[own]}
            rows = [r for r in csv.DictReader(io.StringIO(csv_text)) if r["name"] == "Vinnytsia"]
            assert rows and {(r["article_title"], r["source"]) for r in rows} == {DESKS[own]}
            assert net.page_errors == []


# -- an added article stays: a reload, a restart -----------------------------------------------------------
KEPT_TITLE = "Kept across restarts"
KEPT_BODY = f"{KEPT_TITLE}\n\nShelling hit Vinnytsia overnight, officials said.\n\nResidents of Zhytomyr left.\n"



def shows_the_kept_article(page) -> None:
    wait_for_map(page, lambda f: fit_to_places(f, ["vinnytsia"])["found"] == ["vinnytsia"], timeout_s=90)
    assert KEPT_TITLE in page_text(page, KEPT_TITLE)


def test_an_added_article_survives_a_reload_and_a_restart(app, browser) -> None:
    from geo.files.articles import article_from_text

    kept = article_from_text(KEPT_BODY).id
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        sidebar_uploader(page).set_input_files([{"name": "kept.txt", "mimeType": "text/plain",
                                                 "buffer": KEPT_BODY.encode()}])
        wait_for_message(page, "success", f"Added “{KEPT_TITLE}”")
        shows_the_kept_article(page)
        deadline = time.monotonic() + 30
        while kept not in address(page) and time.monotonic() < deadline:
            time.sleep(0.2)
        url = address(page)
        assert kept in url and "lib=" in url
        page.reload(wait_until="domcontentloaded")
        shows_the_kept_article(page)
        assert net.page_errors == []
    query = url.split("?", 1)[1]
    with dashboard_server(health_timeout=120) as restarted, offline_context(browser) as (page, net):
        page.goto(f"{restarted.url}?{query}", wait_until="domcontentloaded")
        shows_the_kept_article(page)
        assert net.page_errors == []
    # (another browser does not see it: tests/test_dashboard.py, AppTest, checks that without a browser)


# -- the plain address opens this browser's own library (remembered in localStorage) --------------------------
OWN_TITLE = "Our own desk notes"
OWN_BODY = f"{OWN_TITLE}\n\nShelling hit Vinnytsia overnight, officials said.\n\nResidents of Zhytomyr left.\n"
STORED_LIBRARY_JS = "() => window.localStorage.getItem('conflictmap.library')"


def library_in(page) -> str:
    from urllib.parse import parse_qs, urlsplit

    return (parse_qs(urlsplit(address(page)).query).get("lib") or [""])[0]


def wait_until(check: Callable[[], bool], timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_the_plain_address_opens_this_browsers_library_and_no_other_browsers(app, browser) -> None:
    """Issue 16: a new tab at the plain address, in the same browser, opens the user's library; a
    separate one can be started (and the plain address still opens theirs); another browser never sees it."""
    from geo.files.articles import article_from_text

    own_article = article_from_text(OWN_BODY).id
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        sidebar_uploader(page).set_input_files([{"name": "own.txt", "mimeType": "text/plain",
                                                 "buffer": OWN_BODY.encode()}])
        wait_for_message(page, "success", f"Added “{OWN_TITLE}”")
        assert wait_until(lambda: own_article in address(page))
        own = library_in(page)
        assert wait_until(lambda: page.evaluate(STORED_LIBRARY_JS) == own), page.evaluate(STORED_LIBRARY_JS)

        tab = page.context.new_page()                                    # a new tab, the plain address
        tab.goto(app.url, wait_until="domcontentloaded")
        assert wait_until(lambda: library_in(tab) == own and own_article in address(tab), 90), address(tab)
        text = page_text(tab, "Your added articles (1)", "This browser's library")
        assert "Your added articles (1)" in text and "This browser's library" in text
        shows_the_kept_article_in(tab, "vinnytsia")

        tab.get_by_role("button", name="Start a separate library").click()
        wait_for_message(tab, "success", "Started a separate library")
        assert wait_until(lambda: library_in(tab) not in ("", own))
        assert "Your added articles" not in page_text(tab, "A separate library")
        assert page.evaluate(STORED_LIBRARY_JS) == own                  # the plain address still opens it

        again = page.context.new_page()
        again.goto(app.url, wait_until="domcontentloaded")
        assert wait_until(lambda: library_in(again) == own, 90), address(again)
        assert net.page_errors == []

    with offline_context(browser) as (stranger, net):                    # another browser: never sees it
        open_dashboard(stranger, app, timeout_ms=OPEN_TIMEOUT_MS)
        assert wait_until(lambda: library_in(stranger) != "")
        time.sleep(3)                                                    # time for the bridge to report
        assert library_in(stranger) != own and own_article not in address(stranger)
        text = page_text(stranger)
        assert OWN_TITLE not in text and "Your added articles" not in text
        assert stranger.evaluate(STORED_LIBRARY_JS) is None
        stranger.goto(f"{app.url}?lib={own}", wait_until="domcontentloaded")   # its link still opens it ...
        stranger.locator('[data-testid="stSidebar"]').wait_for(state="attached", timeout=60_000)
        assert "A library opened from its link" in page_text(stranger, "A library opened from its link")
        assert stranger.evaluate(STORED_LIBRARY_JS) is None               # ... without becoming this browser's own
        assert net.page_errors == []


def shows_the_kept_article_in(page, slug: str) -> None:
    wait_for_map(page, lambda f: fit_to_places(f, [slug])["found"] == [slug], timeout_s=90)


# -- the largest article the app accepts ---------------------------------------------------------------
LARGEST_PEAK_MB = 1500


def largest_article(index) -> bytes:
    """Just under the upload limit: the samples' lines, and a sentence for each of ~1,500 Ukrainian towns
    (a map of many places, not of the same few repeated)."""
    from geo.files.articles import MAX_ARTICLE_BYTES

    towns = sorted({index.name_of[r] for r in range(len(index)) if index.kinds[r] == "city"
                    and index.country[r] == "UA" and int(index.population[r]) >= 3000
                    and index.name_of[r].isascii() and index.name_of[r].isalpha()})[:1500]
    lines = [f"Shelling was reported in {town} on Tuesday, officials said." for town in towns]
    lines += seed_text().split(". ")
    text, size, k = ["Largest article\n"], 17, 0
    while size + len(lines[k % len(lines)].encode()) + 1 < MAX_ARTICLE_BYTES:
        text.append(lines[k % len(lines)])
        size += len(text[-1].encode()) + 1
        k += 1
    return ("\n".join(text) + "\n").encode("utf-8")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def current_rss_mb(pid: int) -> float:
    """The resident memory of a process and its child processes (the parse worker) now, MB."""
    total = 0.0
    for one in (pid, *child_pids(pid)):
        with contextlib.suppress(OSError, StopIteration), open(f"/proc/{one}/status", encoding="ascii") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    return total


@contextlib.contextmanager
def rss_sampled(pid: int, every_s: float = 0.05) -> Iterator[list[float]]:
    """[the largest memory the server and its worker held at once while the block ran, MB], sampled
    every `every_s` (the sum of each one's own peak would add moments that never met: the server's
    from earlier tests' sessions, the worker's while the server waited)."""
    peak = [current_rss_mb(pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], current_rss_mb(pid))
            stop.wait(every_s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()


def test_the_largest_accepted_article_reaches_the_map(app, browser, index, capsys) -> None:
    data = largest_article(index)
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        with rss_sampled(app.process.pid) as sampled:
            start = time.perf_counter()
            sidebar_uploader(page).set_input_files([{"name": "largest.txt", "mimeType": "text/plain",
                                                     "buffer": data}])
            wait_for_message(page, "success", "Added “Largest article”", timeout_ms=120_000)
            # a town only the large article names is drawn once the page has parsed and mapped it
            wait_for_map(page, lambda f: fit_to_places(f, ["yampil"])["found"] == ["yampil"], timeout_s=120)
            seconds = time.perf_counter() - start
            markers = wait_for_map(page, marker_counts)
        peak = sampled[0]
        apart = peak_rss_mb(app.process.pid) + worker_peak_mb(app.process.pid)
        with capsys.disabled():
            print(f"\n[browser] largest article ({len(data) / 1e6:.2f} MB): map with it in {seconds:.1f} s, "
                  f"{markers}, server + parse worker at once: peak RSS {peak:.0f} MB "
                  f"(each one's own peak, added: {apart:.0f} MB)")
        # the time and the memory are measured and reported (README, SECURITY.md: the bars are 30 s and
        # LARGEST_PEAK_MB), not asserted here: the article reaching the map in full is the behaviour
        assert markers["markers"] >= 1000
        assert net.page_errors == []


# -- uploads shaped to be costly (issue 19, item 4): bounded, and the server keeps serving -----------------
def child_pids(pid: int) -> list[int]:
    children = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                children += [int(c) for c in (task / "children").read_text().split()]
    return children


def worker_peak_mb(pid: int) -> float:
    """The peak RSS of the server's child processes (the parse worker and multiprocessing's helper), MB."""
    total = 0.0
    for child in child_pids(pid):
        with contextlib.suppress(OSError, StopIteration):
            total += peak_rss_mb(child)
    return total


SHAPE_DONE = {   # what shows the shape is on the map (or stopped with a message): a place it names
    "towns_sentence": None, "town_sentences": None, "nested_divs": "sloviansk", "sentence_200kb": "bakhmut"}


@pytest.mark.xfail(reason="known defect (issue 19, open): on a server that has just read the largest article, "
                          "the 5 MB list of towns shows no 'left out' message within 120 s (on a fresh server "
                          "it is on the map in 15-31 s)", strict=False)
def test_costly_uploads_reach_the_map_and_another_session_is_served_meanwhile(app, browser, capsys) -> None:
    """Each shape of bench/scale.py --shapes: on the map (or stopped with a message); a second session's
    page loads during the heaviest parse. The times and memory (the bars: under 30 s, under 1.5 GB for the
    server and its worker at once, the second page within 2x its idle time) are printed and reported in
    SECURITY.md, not asserted."""
    from scale import SHAPES, shape_bytes

    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)            # warm: the samples parsed once
    idle = []
    for _ in range(2):
        with offline_context(browser) as (page, net):
            idle.append(open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS).goto_to_markers)
    idle_s = min(idle)
    report = []
    for shape in SHAPES:
        name, data = shape_bytes(shape)
        with offline_context(browser) as (page, net), rss_sampled(app.process.pid) as sampled:
            open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
            start = time.perf_counter()
            sidebar_uploader(page).set_input_files([{"name": name, "mimeType": "text/html" if name.endswith(".html")
                                                     else "text/plain", "buffer": data}])
            busy_s = None
            if shape == SHAPES[0]:       # a second user opens the page while this one is read
                time.sleep(3.0)
                with offline_context(browser) as (other, _):
                    busy_s = open_dashboard(other, app, timeout_ms=OPEN_TIMEOUT_MS).goto_to_markers
            slug = SHAPE_DONE[shape]
            if slug is None:       # the 5 MB town shapes: read up to the cap on names, said in a warning
                wait_for_message(page, "warning", "left out", timeout_ms=120_000)
                wait_for_map(page, lambda f: marker_counts(f)["markers"] > 100, timeout_s=120)
            else:
                wait_for_map(page, lambda f, slug=slug: fit_to_places(f, [slug])["found"] == [slug], timeout_s=120)
            seconds = time.perf_counter() - start
            report.append((shape, len(data) / 1e6, seconds, busy_s))
        server, worker = peak_rss_mb(app.process.pid), worker_peak_mb(app.process.pid)
        with capsys.disabled():
            print(f"\n[browser] {shape} ({len(data) / 1e6:.2f} MB): on the map in {seconds:.1f} s; server and "
                  f"worker at once: peak RSS {sampled[0]:.0f} MB (each one's own peak so far: server {server:.0f} MB"
                  f" + worker {worker:.0f} MB)"
                  + (f"; another session's page {busy_s:.1f} s (idle {idle_s:.1f} s)" if busy_s else ""))
        report[-1] += (sampled[0],)
    assert report[0][3] is not None               # the second session's page was served during the parse


# -- a correction made in the page: it survives a restart, reaches the exports and the CLI; undo brings the engine back
CORRECTED_MARKERS_JS = """
() => {
    const map = (FIND_MAP)();
    const found = [];
    (ALL_MARKERS)(map).forEach((m) => {            // clustered or not (the story's core never is)
        const c = (m.options.className || "").split(/\\s+/);
        if (c.includes("cm-corrected")) found.push(c.find((x) => x.startsWith("cm-name-")).slice(8));
    });
    return found;
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("ALL_MARKERS", ALL_MARKERS_JS.strip())



def share_exports(page) -> dict[str, bytes]:
    """The GeoJSON, the CSV and a PNG made now."""
    view(page, "Share")
    settle(page)
    page.get_by_role("button", name="Make PNG").click()
    settle(page)
    out = {label: download_bytes(page, label) for label in ("GeoJSON", "CSV", "Download PNG")}
    view(page, "Map")
    settle(page)
    return out


def kreminna(exports: dict[str, bytes]) -> tuple[dict, set]:
    """Kreminna's GeoJSON feature and its CSV rows' (lat, lon, placed_by, correction)."""
    [feature] = [f for f in json.loads(exports["GeoJSON"])["features"] if f["properties"]["name"] == "Kreminna"]
    rows = {(r["lat"], r["lon"], r["placed_by"], r["correction"])
            for r in csv.DictReader(io.StringIO(exports["CSV"].decode("utf-8"))) if r["name"] == "Kreminna"}
    return feature, rows


def cli_places(env: dict[str, str]) -> Callable[[], dict[str, dict]]:
    """Start `python -m geo places` on the seed files with the server's data folder (it runs while the
    test goes on); the function returned waits for it and gives its places by name."""
    seeds = [str(p) for p in sorted((REPO / "seeds").glob("*.txt"))]
    process = subprocess.Popen([sys.executable, "-m", "geo", "places", *seeds, "--format", "json"], cwd=REPO,
                               env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result() -> dict[str, dict]:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        return {p["name"]: p for p in json.loads(out)}

    return result


def test_a_correction_made_in_the_page_survives_a_restart_and_reaches_the_exports_and_the_cli(
        browser, tmp_path: Path) -> None:
    # the tests' gazetteer index and parses are signed with the tests' key: the server uses them, not rebuilds
    data = use_data_dir(tmp_path / "data")
    env = {"CONFLICTMAP_DATA": str(data), "CONFLICTMAP_CACHE": os.environ["CONFLICTMAP_CACHE"]}
    engine_cli = cli_places(env)          # before any correction (it runs while the server starts)

    with dashboard_server(health_timeout=120, env=env) as server, offline_context(browser) as (page, net):
        open_dashboard(page, server, timeout_ms=OPEN_TIMEOUT_MS)
        before = share_exports(page)
        feature, rows = kreminna(before)
        assert feature["properties"]["placed_by"] == "gazetteer" and {r[2] for r in rows} == {"gazetteer"}
        select_on_map(page, "kreminna", "Kreminna")
        point = page.get_by_label("Point (latitude, longitude)")
        point.fill("48.5, 38.0")
        point.press("Enter")                                     # the keyboard: Enter places it
        page_text(page, "✓ Corrected by you: #1 “kreminna” placed at 48.50000, 38.00000")
        wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == ["kreminna"], timeout_s=60)
        corrected = share_exports(page)
        feature, rows = kreminna(corrected)
        assert feature["geometry"]["coordinates"] == [38.0, 48.5]
        assert (feature["properties"]["placed_by"], feature["properties"]["correction"]) == ("correction", 1)
        assert rows == {("48.5", "38.0", "correction", "1")}
        assert corrected["Download PNG"] != before["Download PNG"]
        assert net.page_errors == []
        assert wait_until(lambda: library_in(page) != "")
        query = f"lib={library_in(page)}"          # the user's library, where they corrected (the port changes)
    assert (data / "corrections.sqlite3").exists()
    engine_kreminna = engine_cli()["Kreminna"]
    assert engine_kreminna["placed_by"] == "gazetteer"
    corrected_cli = cli_places(env)                            # the command line applies it too

    with dashboard_server(health_timeout=120, env=env) as server, offline_context(browser) as (page, net):
        page.goto(f"{server.url}?{query}", wait_until="domcontentloaded")   # a new server: the correction is
        page.frame_locator(MAP_IFRAME).locator("path.cm-place").filter(visible=True).first.wait_for(  # still there
            state="visible", timeout=OPEN_TIMEOUT_MS)
        kreminna_cli = corrected_cli()["Kreminna"]
        assert (kreminna_cli["lat"], kreminna_cli["lon"], kreminna_cli["placed_by"], kreminna_cli["correction"]) == \
            (48.5, 38.0, "correction", 1)
        wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == ["kreminna"], timeout_s=60)
        select_on_map(page, "kreminna", "Kreminna")
        page_text(page, "✓ Corrected by you: #1 “kreminna” placed at 48.50000, 38.00000")
        page.get_by_role("button", name="Undo this correction").click()
        shown_after_undo = page_text(page, "Placed by the gazetteer (exact).")
        assert "Placed by the gazetteer (exact)." in shown_after_undo, shown_after_undo[-3000:]
        wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == [], timeout_s=60)
        undone = share_exports(page)
        assert kreminna(undone) == kreminna(before)
        assert undone["GeoJSON"] == before["GeoJSON"] and undone["CSV"] == before["CSV"]
        assert undone["Download PNG"] == before["Download PNG"]
        assert net.page_errors == []
    assert cli_places(env)()["Kreminna"] == engine_kreminna


# -- a newcomer's first hour, as one path (issue 16) -------------------------------------------------------
NEWCOMER_TITLE = "Families flee shelling in northwest Syria"
NEWCOMER_BODY = (f"{NEWCOMER_TITLE}\n\nGovernment forces shelled Saraqib on Monday, residents said.\n\n"
                 "Aid convoys reached Aleppo the same day, and families fled north towards Azaz.\n")
NEWCOMER_PLACES = ("saraqib", "aleppo", "azaz")


def test_a_newcomers_first_hour_as_one_path(browser, tmp_path: Path) -> None:
    """Open the app, paste an article about another country, see it framed and labelled, correct one
    place, make both PNGs, reload, restart the server, open the plain address: each step shows what a
    new user expects."""
    data = use_data_dir(tmp_path / "data")
    env = {"CONFLICTMAP_DATA": str(data), "CONFLICTMAP_CACHE": os.environ["CONFLICTMAP_CACHE"]}
    port = free_port()

    def framed(f) -> bool:            # where the map opens, every place of the pasted story is drawn
        return go_home(f) is not None and set(shown_places(f, NEWCOMER_PLACES).values()) == {"marker"}

    with offline_context(browser) as (page, net):
        with dashboard_server(health_timeout=120, env=env, port=port) as server:
            open_dashboard(page, server, timeout_ms=OPEN_TIMEOUT_MS)
            page.get_by_label("…or paste an article").fill(NEWCOMER_BODY)
            page.get_by_role("button", name="Add pasted text").click()
            wait_for_message(page, "success", f"Added “{NEWCOMER_TITLE}”")
            wait_for_map(page, framed, timeout_s=90)
            frame = map_frame(page)
            go_home(frame)
            named = {label["text"].casefold() for label in map_labels(frame) if label["shown"] and label["inside"]}
            assert {"saraqib", "aleppo"} <= named, sorted(named)

            select_on_map(page, "azaz", "Azaz")
            point = page.get_by_label("Point (latitude, longitude)")
            point.fill("36.59, 37.05")
            point.press("Enter")
            page_text(page, "✓ Corrected by you: #1 “azaz” placed at 36.59000, 37.05000")
            wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == ["azaz"], timeout_s=60)

            story_png = share_exports(page)["Download PNG"]        # the story's frame
            page.get_by_text("Export the current map view").click()
            settle(page)
            wait_for_map(page, lambda f: marker_counts(f)["markers"] > 0, timeout_s=60)
            assert wait_until(lambda: tracked_view(page) is not None, 30)
            shown = tracked_view(page)            # the story's frame, or the view the selection moved to
            move_map(page, "zoom")
            assert wait_until(lambda: tracked_view(page) != shown, 30), shown
            assert tracked_view(page).startswith("PNG of this view"), tracked_view(page)
            view(page, "Share")
            current_png = make_png(page)                           # the view the reader zoomed to
            assert story_png.startswith(b"\x89PNG") and current_png.startswith(b"\x89PNG")
            assert current_png != story_png
            view(page, "Map")
            settle(page)
            assert wait_until(lambda: "view=share" not in address(page)), address(page)
            own = library_in(page)
            assert own and wait_until(lambda: page.evaluate(STORED_LIBRARY_JS) == own)

            page.reload(wait_until="domcontentloaded")
            wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == ["azaz"], timeout_s=90)
            assert NEWCOMER_TITLE in page_text(page, NEWCOMER_TITLE)
        with dashboard_server(health_timeout=120, env=env, port=port) as restarted:
            page.goto(restarted.url, wait_until="domcontentloaded")           # the plain address, no lib=
            assert wait_until(lambda: library_in(page) == own, 120), address(page)
            wait_for_map(page, lambda f: f.evaluate(CORRECTED_MARKERS_JS) == ["azaz"], timeout_s=120)
            wait_for_map(page, framed, timeout_s=60)
            text = page_text(page, NEWCOMER_TITLE, "This browser's library")
            assert NEWCOMER_TITLE in text and "This browser's library" in text
        assert net.page_errors == []
