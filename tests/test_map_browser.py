"""The live map in a real browser: what a reader sees and clicks on it (headless Debian Chromium, offline).

A place selected outside the story's frame is shown, named and opened; popups never sit under the
legend; a region or country reads as exact, not as the approximate symbol; a marker drawn over another
never takes its clicks; with no network, the OpenStreetMap tiles fail once, quietly, and the bundled
basemap stays. The dashboard is served by `streamlit run dashboard.py` (one server for the module);
every test is a new browser user of it. See bench/browser_harness.py for the machinery; skipped with
the reason when Chromium or playwright is missing.
"""

from __future__ import annotations

import struct
import sys
import time
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from browser_fixtures import app, browser  # noqa: E402, F401 (fixtures, taken as parameters)
from browser_harness import (  # noqa: E402
    MAP_IFRAME,
    SETTLE_JS,
    address,
    browser_unavailable,
    is_osm_tile,
    map_frame,
    marker_counts,
    offline_context,
    open_dashboard,
    settle,
    tiles,
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


# Put a place's marker just under the legend's lower edge, in its middle (where a reader finds a marker
# after a pan): its popup, opening upwards, would reach under the legend.
UNDER_LEGEND_JS = """
async (slug) => {
    const map = window.map, settle = (SETTLE)(map);
    await settle();
    const m = map.cmPlaces.markers.find((k) => (k.options.className || "").split(/\\s+/).includes("cm-name-" + slug));
    const o = map.getContainer().getBoundingClientRect();
    const lg = document.querySelector(".cm-legend").getBoundingClientRect();
    const p = map.latLngToContainerPoint(m.getLatLng());
    const to = [(lg.left + lg.right) / 2 - o.left, lg.bottom - o.top + 40];
    map.panBy([p.x - to[0], p.y - to[1]], {animate: false});
    await settle();
    return map.latLngToContainerPoint(m.getLatLng());
}
""".replace("SETTLE", SETTLE_JS.strip())
# The open popup and the legend (page pixels of the frame), and what lies under the popup's close button.
POPUP_AND_LEGEND_JS = """
async () => {
    const map = window.map;
    await (SETTLE)(map)();
    const popup = document.querySelector(".leaflet-popup");
    const close = document.querySelector(".leaflet-popup-close-button");
    if (!popup || !close) return null;
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const c = close.getBoundingClientRect(), x = (c.left + c.right) / 2, y = (c.top + c.bottom) / 2;
    const hit = document.elementFromPoint(x, y);
    const name = popup.querySelector(".cm-popup b");
    return {name: name ? name.textContent.toLowerCase() : null, popup: box(popup),
            legend: box(document.querySelector(".cm-legend")), map: box(map.getContainer()),
            close_reachable: !!hit && (hit === close || close.contains(hit))};
}
""".replace("SETTLE", SETTLE_JS.strip())


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]






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


def test_a_popup_opened_near_the_legend_is_never_under_it(app, browser) -> None:
    """Click a marker just under the legend: its popup opens clear of the legend, inside the map, and its
    close button is what a click there reaches (it closes the popup)."""
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        for slug in ("kramatorsk", "kyiv"):
            map_frame(page).evaluate(UNDER_LEGEND_JS, slug)
            page.locator(MAP_IFRAME).scroll_into_view_if_needed()
            page.frame_locator(MAP_IFRAME).locator(f"path.cm-name-{slug}").first.click()
            # the click selects the place: the page draws the map anew, centred on it, its popup open
            settle(page)
            time.sleep(0.5)
            seen = wait_for_map(page, lambda f, name=slug: (lambda s: s if s and s["name"] == name else None)(
                f.evaluate(POPUP_AND_LEGEND_JS)), timeout_s=60)
            assert seen is not None, slug
            assert not overlap(seen["popup"], seen["legend"]), (slug, seen)
            inside = seen["map"]
            assert inside[0] <= seen["popup"][0] and seen["popup"][2] <= inside[2], (slug, seen)
            assert inside[1] <= seen["popup"][1] and seen["popup"][3] <= inside[3], (slug, seen)
            assert seen["close_reachable"], (slug, seen)
            page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-close-button").first.click()
            page.frame_locator(MAP_IFRAME).locator(".leaflet-popup").first.wait_for(state="detached", timeout=5_000)
        assert net.page_errors == []


# -- markers that overlap: every one keeps a point where a click reaches it -----------------------------
# The map of the page: st_folium's `window.map`, or a standalone page's `map_<id>` (only those names are
# read: another window property may refuse to be read on a page set from a string).
FIND_MAP_JS = """
() => window.map || window[Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map)]
"""
# For each place marker drawn in the view: a point (page pixels) where the marker is what a click hits,
# or null when other markers cover it whole.
REACHABLE_JS = """
async () => {
    const map = (FIND_MAP)();
    await (SETTLE)(map)();
    const view = map.getContainer().getBoundingClientRect(), out = {};
    map.cmPlaces.markers.forEach((m) => {
        const slug = (m.options.className || "").split(/\\s+/).find((c) => c.startsWith("cm-name-")).slice(8);
        const path = m._path;
        if (!path || !map.hasLayer(m)) return;
        const b = path.getBoundingClientRect();
        if (!b.width || b.right < view.left || b.left > view.right) return;
        if (b.bottom < view.top || b.top > view.bottom) return;
        const cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2, r = Math.min(b.width, b.height) / 2;
        out[slug] = null;
        for (const k of [0, 0.3, 0.55, 0.75, 0.9]) {
            for (let a = 0; a < 24 && !out[slug]; a++) {
                const x = cx + Math.cos(a * Math.PI / 12) * r * k, y = cy + Math.sin(a * Math.PI / 12) * r * k;
                if (document.elementFromPoint(x, y) === path) out[slug] = [x, y];
            }
        }
    });
    return out;
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip())
# Every place marker (drawn now or clustered): its name, whether it is approximate, its dashes.
DASHES_JS = """
() => (FIND_MAP)().cmPlaces.markers.map((m) => {
    const classes = (m.options.className || "").split(/\\s+/);
    return [classes.find((c) => c.startsWith("cm-name-")).slice(8), classes.includes("cm-approximate"),
            m.options.dashArray || null];
})
""".replace("FIND_MAP", FIND_MAP_JS.strip())
FACILITY_IN_ITS_TOWN = "Patients were trapped in Kamal Adwan Hospital in Beit Lahia, medics said.\n"


def standalone_page(page, places, **options) -> None:
    from geo.map.mapview import build_map, standalone_html

    page.set_content(standalone_html(build_map(places, standalone=True, **options)), wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('path.cm-place').length > 0", timeout=30_000)


def click_opens(page, point: list[float]) -> str:
    """Click at a point of the page; the name in the popup that opens."""
    page.mouse.click(*point)
    name = page.locator(".leaflet-popup-content .cm-popup b").first
    name.wait_for(state="visible", timeout=10_000)
    text = name.inner_text()
    page.evaluate("() => (FIND_MAP)().closePopup()".replace("FIND_MAP", FIND_MAP_JS.strip()))
    return text


def test_a_marker_drawn_over_another_never_takes_all_its_clicks(browser, parser) -> None:
    """A facility at its town's point, and a selected town over the plant inside it: each marker keeps a
    point where a click reaches it, and that click opens its own popup."""
    from geo.files.articles import article_from_text, read_article
    from geo.map.places import places_for

    hospital = places_for([article_from_text(FACILITY_IN_ITS_TOWN)], parser)
    seeds = places_for([read_article(p) for p in sorted((REPO / "seeds").glob("*.txt"))], parser)
    mariupol = next(p for p in seeds if p.name == "Mariupol")
    for places, selected, names in ((hospital, None, {"beit-lahia": "Beit Lahia",
                                                     "kamal-adwan-hospital": "Kamal Adwan Hospital"}),
                                    (seeds, mariupol.key, {"mariupol": "Mariupol",
                                                           "azovstal-steel-plant": "Azovstal steel plant"})):
        with offline_context(browser) as (page, net):
            standalone_page(page, places, selected=selected)
            page.evaluate("() => (FIND_MAP)().closePopup()".replace("FIND_MAP", FIND_MAP_JS.strip()))
            reachable = page.evaluate(REACHABLE_JS)
            assert set(names) <= set(reachable), reachable
            assert [slug for slug, point in reachable.items() if point is None] == []
            for slug, name in names.items():
                assert click_opens(page, reachable[slug]) == name
            assert net.page_errors == []


def test_only_approximate_places_are_drawn_dashed(browser, parser) -> None:
    """Regions and countries the engine placed are exact: drawn with a solid rim, unlike the approximate
    places' hollow dashed rings."""
    from geo.files.articles import article_from_text, read_article
    from geo.map.places import places_for

    seeds = places_for([read_article(p) for p in sorted((REPO / "seeds").glob("*.txt"))], parser)
    hospital = places_for([article_from_text(FACILITY_IN_ITS_TOWN)], parser)
    with offline_context(browser) as (page, _):
        standalone_page(page, seeds + hospital)
        drawn = page.evaluate(DASHES_JS)
    kinds = {slug for slug, _, _ in drawn}
    assert {"ukraine", "russia", "donbas", "luhansk-region", "kamal-adwan-hospital"} <= kinds
    assert [slug for slug, approximate, dash in drawn if approximate != bool(dash)] == []


# -- no network: the tiles fail once, quietly; the bundled basemap stays -------------------------------
def png_tile() -> bytes:
    """A 256 x 256 grey PNG, as a tile server would send."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc8" * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def tiles_note(page):
    return page.frame_locator(MAP_IFRAME).locator(".cm-tiles-note")


def test_offline_the_tiles_fail_once_quietly_and_the_bundled_basemap_stays(app, browser) -> None:
    """Tiles are on by default. With no network one tile is asked for, once for the tab (not again for
    the map drawn after a reload), one failed request reaches the console, a quiet line on the map says
    the bundled basemap is shown, and the map has no tile layer."""
    with offline_context(browser) as (page, net):
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        tiles_note(page).first.wait_for(state="visible", timeout=30_000)
        page.reload(wait_until="domcontentloaded")                      # a new map in the same tab
        tiles_note(page).first.wait_for(state="visible", timeout=120_000)
        time.sleep(3.0)                                                 # whatever the map was going to ask for
        assert "bundled basemap" in tiles_note(page).first.inner_text()
        asked = [u for u in net.requests if is_osm_tile(u)]
        assert len(asked) == 1, asked
        assert len([e for e in net.console_errors if "ERR_INTERNET_DISCONNECTED" in e]) <= 1, net.console_errors
        frame = map_frame(page)
        assert tiles(frame)["layers"] == 0
        assert marker_counts(frame)["basemap_paths"] > 100
        assert net.page_errors == []


def test_online_the_tiles_cover_the_basemap_and_nothing_is_said(app, browser) -> None:
    """The same page with tiles answering (served here, as the tile server would): the tile layer is
    drawn, with no line about the basemap."""
    with offline_context(browser) as (page, net):
        tile = png_tile()
        page.route("https://tile.openstreetmap.org/**",
                   lambda route: route.fulfill(status=200, content_type="image/png", body=tile))
        open_dashboard(page, app, timeout_ms=OPEN_TIMEOUT_MS)
        state = wait_for_map(page, lambda f: (lambda t: t if t["layers"] == 1 and t["images"] > 0 else None)(
            tiles(f)), timeout_s=60)
        assert state["layers"] == 1
        assert tiles_note(page).count() == 0
        assert net.page_errors == []
