"""Start the dashboard and drive headless Debian Chromium offline: shared by the browser test and the bench.

    >>> with dashboard_server() as app, offline_browser() as (page, net):
    ...     timing = open_dashboard(page, app)       # waits until the map has drawn a marker
    ...     frame = map_frame(page)

Nothing leaves the machine: every request that is not for 127.0.0.1/localhost is aborted (and
recorded), so the page is seen exactly as it is offline. Chromium is Debian's (`/usr/bin/chromium`),
driven by the PyPI `playwright` package; no browser is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})      # never touch the network
OSM_TILE_HOSTS = ("tile.openstreetmap.org",)
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKER = "path.cm-place"
CLUSTER = ".marker-cluster"
VIEWPORT = (1400, 900)

# The folium map inside a frame: streamlit-folium keeps it as `window.map`; a standalone page
# names it `map_<hash>`. Either way it is the window property that is an L.Map.
FIND_MAP_JS = """
() => {
    const isMap = (v) => { try { return v instanceof L.Map; } catch (e) { return false; } };
    if (isMap(window.map)) return window.map;
    for (const k of Object.keys(window)) { if (isMap(window[k])) return window[k]; }
    return null;
}
"""
# A function of the map that resolves once it is idle. Leaflet ignores a new view while a zoom
# animation runs, and markercluster ignores a move while its own split/merge animation (timers of
# ~300 ms) runs, leaving a marker neither clustered nor drawn: wait for both before and after a move.
SETTLE_JS = """
(map) => async () => {
    let cluster = null;
    map.eachLayer((l) => { if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) cluster = l; });
    const busy = () => map._animatingZoom || (map._panAnim && map._panAnim._inProgress)
        || (cluster && (cluster._inZoomAnimation || (cluster._queue && cluster._queue.length)));
    const start = performance.now();
    while (busy() && performance.now() - start < 5000) await new Promise((r) => setTimeout(r, 25));
}
"""
# Every place marker of the map: the places layer (static/js/conflictmap.js) keeps them in
# `map.cmPlaces.markers`, in the cluster group or, for the story's core, beside it.
ALL_MARKERS_JS = """
(map) => {
    if (map.cmPlaces) return map.cmPlaces.markers;
    let cluster = null;
    map.eachLayer((l) => { if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) cluster = l; });
    return cluster ? cluster.getLayers() : [];
}
"""
# Fit the map to the markers whose CSS class names these slugs (cm-name-<slug>), without
# animation; resolves to the slugs found.
FIT_PLACES_JS = """
async (slugs) => {
    const map = (FIND_MAP)();
    const settle = (SETTLE)(map);
    const markers = (ALL_MARKERS)(map);
    const classes = (m) => (m.options.className || "").split(/\\s+/);
    const wanted = slugs === null ? markers.filter((m) => !classes(m).includes("cm-country"))
                                  : markers.filter((m) => slugs.some((s) => classes(m).includes("cm-name-" + s)));
    await settle();
    if (wanted.length) {
        map.fitBounds(L.latLngBounds(wanted.map((m) => m.getLatLng())), {padding: [40, 40], animate: false});
    }
    await settle();
    const found = wanted.map((m) => classes(m).find((c) => c.startsWith("cm-name-")).slice(8));
    return {found: found, zoom: map.getZoom(), markers: markers.length};
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip()).replace(
    "ALL_MARKERS", ALL_MARKERS_JS.strip())
CLOSE_POPUP_JS = "() => { (FIND_MAP)().closePopup(); }".replace("FIND_MAP", FIND_MAP_JS.strip())
# Place markers on the map (clustered or not), and what is drawn for them now.
MARKER_COUNTS_JS = """
() => {
    const map = (FIND_MAP)();
    const total = map ? (ALL_MARKERS)(map).length : 0;
    return {markers: total, paths: document.querySelectorAll("path.cm-place").length,
            clusters: document.querySelectorAll(".marker-cluster").length,
            basemap_paths: document.querySelectorAll(".leaflet-basemap-pane path").length};
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("ALL_MARKERS", ALL_MARKERS_JS.strip())
# For each slug: is a marker with class cm-name-<slug> drawn inside the map now? Outside the view
# (or inside a cluster) it is absent or drawn as an empty path.
DRAWN_PLACES_JS = """
(slugs) => {
    const view = document.querySelector(".leaflet-container").getBoundingClientRect();
    const out = {};
    for (const s of slugs) {
        const paths = document.querySelectorAll("path.cm-place.cm-name-" + s);
        const boxes = Array.from(paths).map((e) => e.getBoundingClientRect());
        out[s] = boxes.some((b) => b.width > 0 && b.height > 0 && b.right > view.left && b.left < view.right
                                    && b.bottom > view.top && b.top < view.bottom);
    }
    return out;
}
"""
# For each slug: "marker" when its marker is drawn in the view, "cluster" when a cluster icon in the
# view stands for it, null otherwise.
SHOWN_PLACES_JS = """
(slugs) => {
    const map = (FIND_MAP)();
    let cluster = null;
    map.eachLayer((l) => { if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) cluster = l; });
    const view = map.getContainer().getBoundingClientRect();
    const inView = (e) => { if (!e) return false; const b = e.getBoundingClientRect();
        return b.width > 0 && b.height > 0 && b.right > view.left && b.left < view.right
               && b.bottom > view.top && b.top < view.bottom; };
    const out = {};
    for (const s of slugs) {
        const ms = (ALL_MARKERS)(map).filter((m) => (m.options.className || "").split(/\\s+/)
                                                    .includes("cm-name-" + s));
        out[s] = null;
        for (const m of ms) {
            if (map.hasLayer(m) && inView(m._path)) { out[s] = "marker"; break; }
            if (!cluster || !cluster.hasLayer(m)) continue;
            const parent = cluster.getVisibleParent(m);      // walks up to the nearest shown icon
            if (parent && parent !== m && inView(parent._icon)) out[s] = "cluster";
        }
    }
    return out;
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("ALL_MARKERS", ALL_MARKERS_JS.strip())
# Tile layers on the map and tile images in the DOM.
TILES_JS = """
() => {
    const map = (FIND_MAP)();
    let layers = 0;
    if (map) map.eachLayer((l) => { if (l instanceof L.TileLayer) layers += 1; });
    return {map: !!map, layers: layers, images: document.querySelectorAll("img.leaflet-tile").length};
}
""".replace("FIND_MAP", FIND_MAP_JS.strip())
SET_ZOOM_JS = """
async (z) => {
    const map = (FIND_MAP)();
    const settle = (SETTLE)(map);
    await settle();
    map.setZoom(z, {animate: false});
    await settle();
    return map.getZoom();
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip())


# The labels drawn on the map now (laid out afresh once the map is idle): text, box in the frame's
# viewport, CSS classes, whether the box lies inside the map and is shown.
LABELS_JS = """
async () => {
    const map = (FIND_MAP)();
    await (SETTLE)(map)();
    if (map.cmPlaces && map.cmPlaces.layout) map.cmPlaces.layout();
    const view = map.getContainer().getBoundingClientRect();
    return Array.from(document.querySelectorAll(".cm-label")).filter((e) => e.style.display !== "none").map((e) => {
        const b = e.getBoundingClientRect(), style = getComputedStyle(e);
        return {text: e.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom, cls: e.className,
                shown: style.visibility === "visible" && style.opacity !== "0" && b.width > 0 && b.height > 0,
                inside: b.left >= view.left && b.right <= view.right && b.top >= view.top && b.bottom <= view.bottom};
    });
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip())
# Back to the view the map opened on (the story's frame), without animation.
HOME_JS = """
async () => {
    const map = (FIND_MAP)();
    const settle = (SETTLE)(map);
    await settle();
    const home = map.cmPlaces && map.cmPlaces.home;
    if (home) map.setView(home.center, home.zoom, {animate: false});
    await settle();
    return home ? map.getZoom() : null;
}
""".replace("FIND_MAP", FIND_MAP_JS.strip()).replace("SETTLE", SETTLE_JS.strip())


def browser_unavailable() -> str | None:
    """Why the browser checks cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


def is_osm_tile(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in OSM_TILE_HOSTS)


# ------------------------------------------------------------------------------------- the server

@dataclass
class DashboardServer:
    """A `streamlit run dashboard.py` subprocess on a free local port."""

    port: int
    process: subprocess.Popen
    started: float                 # time.perf_counter() just before the process was started
    log_path: Path
    health_seconds: float = float("nan")   # process start -> /_stcore/health answered

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log(self, tail: int = 8000) -> str:
        """The server's stdout and stderr so far (the last `tail` characters)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError as exc:
            return f"(no server log: {exc})"

    def wait_healthy(self, timeout: float) -> float:
        """Poll /_stcore/health until it answers "ok"; seconds since the process started."""
        deadline = time.monotonic() + timeout
        health = f"http://127.0.0.1:{self.port}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(health, timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"streamlit did not answer {health} within {timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        """End the server and everything it started (its own process group)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@contextlib.contextmanager
def dashboard_server(health_timeout: float = 60.0, options: Sequence[str] = (), script: str = "dashboard.py",
                     cwd: Path = REPO_ROOT, env: dict[str, str] | None = None,
                     port: int | None = None) -> Iterator[DashboardServer]:
    """The dashboard served on 127.0.0.1 by the running interpreter's streamlit; always stopped.

    `options` are more `streamlit run` flags (e.g. `--server.fileWatcherType none`); `script` and
    `cwd` serve another page (Streamlit reads `.streamlit/` from `cwd`, serves `static/` beside the script);
    `env` sets environment variables for the server (e.g. its own CONFLICTMAP_DATA); `port` serves on that
    port (a restart at the same address: the browser's storage for it is the same), else a free one."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *options]
    with tempfile.TemporaryDirectory(prefix="dashboard-") as tmp:
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            started = time.perf_counter()
            process = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**os.environ, **env} if env else None)
        server = DashboardServer(port, process, started, log_path)
        try:
            server.health_seconds = server.wait_healthy(health_timeout)
            yield server
        finally:
            server.stop()


# ------------------------------------------------------------------------------------ the browser

@dataclass
class NetworkLog:
    """Every request the page and its frames made (and websockets), and the ones aborted."""

    requests: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)     # URLs that answered (nothing aborted does)
    aborted: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)      # alert/confirm/prompt messages (dismissed)

    def outside(self) -> list[str]:
        """Requests (and websockets) to anything but this machine."""
        return [u for u in self.requests + self.websockets if not is_local(u)]

    def loaded_outside(self) -> list[str]:
        """Responses from anything but this machine (empty whenever the routing works)."""
        return [u for u in self.responses if not is_local(u)]


@contextlib.contextmanager
def offline_browser(viewport: tuple[int, int] = VIEWPORT, timeout_ms: float = 30_000) -> Iterator:
    """(page, NetworkLog) in headless Debian Chromium; requests leaving 127.0.0.1 are aborted."""
    with chromium() as browser, offline_context(browser, viewport, timeout_ms) as page_net:
        yield page_net


@contextlib.contextmanager
def chromium() -> Iterator:
    """Headless Debian Chromium, driven by playwright (one per process at a time: playwright's sync
    API runs one event loop; open more pages with `offline_context`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def offline_context(browser, viewport: tuple[int, int] = VIEWPORT, timeout_ms: float = 30_000) -> Iterator:
    """(page, NetworkLog) in a new browser context of `browser` (a new user, to the app): requests
    leaving 127.0.0.1 are aborted and recorded; dialogs are recorded and dismissed."""
    net = NetworkLog()

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            net.aborted.append(r.request.url)
            r.abort("internetdisconnected")

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  service_workers="block", accept_downloads=True)
    try:
        context.set_default_timeout(timeout_ms)
        # The context sees the requests of every page and of the frames inside them (the map iframe).
        context.on("request", lambda req: net.requests.append(req.url))
        context.on("response", lambda resp: net.responses.append(resp.url))
        context.route("**/*", route)
        page = context.new_page()
        page.on("websocket", lambda ws: net.websockets.append(ws.url))
        page.on("pageerror", lambda exc: net.page_errors.append(str(exc)))
        page.on("console", lambda msg: net.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("dialog", lambda dialog: (net.dialogs.append(dialog.message), dialog.dismiss()))
        yield page, net
    finally:
        context.close()


@dataclass(frozen=True)
class ColdStart:
    process_to_health: float     # seconds: server process start -> /_stcore/health answers
    process_to_markers: float    # server process start -> first marker drawn in the map
    goto_to_markers: float       # page.goto -> first marker drawn in the map


def open_dashboard(page, server: DashboardServer, timeout_ms: float = 240_000) -> ColdStart:
    """Open the dashboard and wait until the map iframe has drawn a marker (or a cluster)."""
    goto = time.perf_counter()
    page.goto(server.url, wait_until="domcontentloaded", timeout=timeout_ms)
    # Markers outside the view are in the DOM too (drawn as "M0 0"): wait for a visible one.
    page.frame_locator(MAP_IFRAME).locator(f"{MARKER}, {CLUSTER}").filter(visible=True).first.wait_for(
        state="visible", timeout=timeout_ms)
    done = time.perf_counter()
    return ColdStart(server.health_seconds, done - server.started, done - goto)


def map_frame(page, timeout_ms: float = 30_000):
    """The Frame of the st_folium iframe (for evaluating JavaScript in it)."""
    handle = page.wait_for_selector(MAP_IFRAME, timeout=timeout_ms)
    frame = handle.content_frame()
    if frame is None:
        raise RuntimeError("the map iframe has no frame")
    return frame


def fit_to_places(frame, slugs: Sequence[str] | None) -> dict:
    """Fit the map to the markers with these name slugs (None: every place but countries)."""
    return frame.evaluate(FIT_PLACES_JS, None if slugs is None else list(slugs))


def drawn_places(frame, slugs: Sequence[str]) -> dict[str, bool]:
    """{slug: a marker of that place is drawn inside the map view now (not clustered, not off-view)}."""
    return frame.evaluate(DRAWN_PLACES_JS, list(slugs))


def shown_places(frame, slugs: Sequence[str]) -> dict[str, str | None]:
    """{slug: "marker" (drawn), "cluster" (a cluster icon in view stands for it) or None}."""
    return frame.evaluate(SHOWN_PLACES_JS, list(slugs))


def tiles(frame) -> dict:
    """{"map": the map exists, "layers": tile layers on it, "images": tile <img>s in the DOM}."""
    return frame.evaluate(TILES_JS)


def set_zoom(frame, zoom: int) -> int:
    """Zoom the map about its centre without animation; the zoom reached."""
    return frame.evaluate(SET_ZOOM_JS, zoom)


def wait_for_map(page, check, timeout_s: float = 30.0, interval_s: float = 0.1):
    """Poll `check(frame)` on the map frame until it returns something truthy (the map is redrawn
    in place when its inputs change, and may be missing for a moment); that value."""
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check(map_frame(page, timeout_ms=timeout_s * 1000))
            if last:
                return last
        except Exception as exc:   # the frame or the map is being replaced
            last = exc
        time.sleep(interval_s)
    raise TimeoutError(f"the map did not settle within {timeout_s:.0f} s (last: {last!r})")


def map_labels(frame) -> list[dict]:
    """The place (and orientation) names drawn on the map now, laid out afresh (see LABELS_JS)."""
    return frame.evaluate(LABELS_JS)


def go_home(frame) -> int | None:
    """Back to the view the map opened on; its zoom (None when the map has no places layer)."""
    return frame.evaluate(HOME_JS)


def close_popup(frame) -> None:
    frame.evaluate(CLOSE_POPUP_JS)


def marker_counts(frame) -> dict:
    """{"markers": in the cluster group, "paths"/"clusters"/"basemap_paths": in the DOM now}."""
    return frame.evaluate(MARKER_COUNTS_JS)


def settle(page, timeout_s: float = 60.0) -> None:
    """Wait until the page's script has not been running for half a second (a click's rerun has started
    within milliseconds of the click, and is done)."""
    app = page.locator('[data-testid="stApp"]')
    deadline = time.monotonic() + timeout_s
    calm_since = None
    while time.monotonic() < deadline:
        if app.get_attribute("data-test-script-state") == "running":
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since > 0.5:
            return
        time.sleep(0.05)
    raise TimeoutError(f"the page was still running after {timeout_s:.0f} s")


def address(page) -> str:
    """The page's address as the browser shows it."""
    return page.evaluate("() => window.location.href")
