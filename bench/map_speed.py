"""How fast the map is: cold start to markers, a 5,000-place map with and without place labels, a
filter-change rerun (the samples, and an article of 50 places). Prints numbers, asserts nothing.

    python bench/map_speed.py                        # everything, 3 runs of each (~4 min on 2 cores)
    python bench/map_speed.py --only big,rerun --repeat 5
    python bench/map_speed.py --json

The browser parts use Debian's chromium through bench/browser_harness.py (offline: requests leaving
127.0.0.1 are aborted); without chromium or playwright they are skipped with the reason. The gazetteer
index is built first when it is missing (not counted). Every figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from browser_harness import (  # noqa: E402
    CLUSTER,
    MAP_IFRAME,
    MARKER,
    MARKER_COUNTS_JS,
    browser_unavailable,
    dashboard_server,
    map_frame,
    marker_counts,
    offline_browser,
    open_dashboard,
    wait_for_map,
)

from geo.files.articles import Passage  # noqa: E402
from geo.map.places import MentionRef, Place  # noqa: E402

TARGETS = {"cold": 5.0, "rerun": 0.3, "big": 5.0, "labels": 0.5}      # seconds
SECTIONS = ("cold", "breakdown", "big", "rerun")
BIG, BASELINE = 5000, 50


@dataclass
class Row:
    section: str
    measure: str
    runs: list[float] = field(default_factory=list)
    target: float | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")


# ------------------------------------------------------------------------------- synthetic places

KINDS = ("city",) * 7 + ("admin1", "water", "facility")


def synthetic_places(n: int, seed: int = 7) -> list[Place]:
    """`n` resolved places spread over the world, each with 1-3 mentions in 1-2 articles: the same
    objects the pipeline makes, with popups as long as real ones."""
    rng = random.Random(seed)
    places = []
    for i in range(n):
        name = f"Place {i:05d}"
        mentions = []
        for j in range(rng.choice((1, 1, 1, 2, 3))):
            article = f"art{j % 2}"
            text = (f"Officials said shelling near {name} continued overnight, and aid convoys waited "
                    f"on the road south of it for a {j + 1}. day, according to local reports.")
            start = text.index(name)
            passage = Passage(article, i * 3 + j, i, 0, len(text), text)
            mentions.append(MentionRef(article, f"Synthetic article {j % 2}", "synthetic", start,
                                       start + len(name), name, passage, 0.9))
        places.append(Place(key=f"syn:{i}", name=name, kind=rng.choice(KINDS), lat=rng.uniform(-55, 70),
                            lon=rng.uniform(-180, 180), country="XX", geonameid=None, confidence=0.9,
                            mentions=tuple(mentions), alternatives=(), source="synthetic"))
    return places


# ----------------------------------------------------------------------------------------- helpers

def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def wait_drawn(page_or_frame, timeout_ms: float = 120_000) -> None:
    """Until a marker or a cluster icon is visible (markers outside the view are empty paths)."""
    page_or_frame.locator(f"{MARKER}, {CLUSTER}").filter(visible=True).first.wait_for(
        state="visible", timeout=timeout_ms)


def wait_labelled(page, frame_selector: str | None, timeout_ms: float = 120_000) -> None:
    """Until the map (in the page, or in the frame `frame_selector`) has drawn markers and laid its labels out."""
    wait_drawn(page.frame_locator(frame_selector) if frame_selector else page, timeout_ms)
    frame = page.wait_for_selector(frame_selector).content_frame() if frame_selector else page.main_frame
    frame.wait_for_function(LABELS_LAID_OUT, timeout=timeout_ms, polling=20)


@contextlib.contextmanager
def local_files(files: dict[str, str]) -> Iterator[str]:
    """The files served by a thread on 127.0.0.1; the base URL."""
    with tempfile.TemporaryDirectory(prefix="map-speed-") as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text, encoding="utf-8")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=tmp))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join()


MAP_PAGE = """\
import sys
sys.path[:0] = [{repo!r}, {bench!r}]
import streamlit as st
from streamlit_folium import st_folium
from geo.map.mapview import build_map
from map_speed import synthetic_places

st.set_page_config(layout="wide")
n = int(st.query_params.get("n", "{big}"))
labels = st.query_params.get("labels", "1") == "1"
places = st.cache_resource(synthetic_places)(n)   # the places are cached; the map is built every run
st_folium(build_map(places, tiles=False, labels=labels), height=560, use_container_width=True, returned_objects=[],
          key="map")
"""
# The places layer has laid its labels out once (static/js/conflictmap.js counts its layouts; with labels
# off it runs too, and places none).
LABELS_LAID_OUT = "() => !!(window.map && window.map.cmPlaces && window.map.cmPlaces.layouts > 0)"


@contextlib.contextmanager
def map_page_dir() -> Iterator[Path]:
    """A folder with a one-map Streamlit page, the repository's static/ and Streamlit settings."""
    with tempfile.TemporaryDirectory(prefix="map-page-") as tmp:
        d = Path(tmp)
        (d / "page.py").write_text(MAP_PAGE.format(repo=str(REPO), bench=str(REPO / "bench"), big=BIG))
        (d / "static").symlink_to(REPO / "static")
        (d / ".streamlit").mkdir()
        (d / ".streamlit" / "config.toml").write_text((REPO / ".streamlit" / "config.toml").read_text())
        yield d


# ---------------------------------------------------------------------------------------- sections

def cold(repeat: int) -> list[Row]:
    """A fresh `streamlit run dashboard.py` per run, the browser already up (as a reader's is)."""
    health = Row("cold", "process start -> server healthy")
    markers = Row("cold", "process start -> first marker drawn", target=TARGETS["cold"])
    goto = Row("cold", "page.goto -> first marker drawn (first session)")
    warm = Row("cold", "page.goto -> first marker drawn (second session, warm server)")
    change = Row("cold", "browser: minimum mentions 1 -> 2, Enter -> new map drawn")
    for _ in range(repeat):
        with offline_browser() as (page, net), dashboard_server(health_timeout=120) as app:
            c = open_dashboard(page, app)
            health.runs.append(c.process_to_health)
            markers.runs.append(c.process_to_markers)
            goto.runs.append(c.goto_to_markers)
            warm.runs.append(open_dashboard(page, app).goto_to_markers)
            before = wait_for_map(page, lambda f: marker_counts(f)["markers"])
            field_ = page.get_by_label("Minimum mentions")
            field_.fill("2")
            changed = functools.partial(_changed_count, before=before)
            seconds, after = timed(lambda field_=field_, changed=changed: (
                field_.press("Enter"), wait_for_map(page, changed, interval_s=0.02)))
            change.runs.append(seconds)
            change.note = (f"{before} -> {after[1]} markers; st_folium keys the component by the map's script, "
                           "so a new map is a new iframe")
            if net.page_errors:
                goto.note = f"page errors: {net.page_errors[:2]}"
    return [health, markers, goto, warm, change]


def _changed_count(frame, before: int) -> int:
    """The number of markers once it differs from `before` (0 while the map is being replaced)."""
    n = marker_counts(frame)["markers"]
    return n if n not in (0, before) else 0


BREAKDOWN = r"""
import json, sys, time
sys.path.insert(0, {repo!r})
import streamlit                         # imported by `streamlit run` before the server is healthy
T = {{}}
def lap(name, start):
    T[name] = time.perf_counter() - start
t = time.perf_counter(); import streamlit_folium; lap("import streamlit_folium (folium, pandas)", t)
t = time.perf_counter(); import geo.map.render_png; lap("import geo.map.render_png (matplotlib)", t)
t = time.perf_counter()
import geo.files.articles, geo.map.compare, geo.map.export, geo.map.mapview  # noqa: E401
import geo.engine.pipeline, geo.map.places, geo.map.views  # noqa: E401
lap("import the rest of geo", t)
t = time.perf_counter()
from geo.gazetteer import PlaceIndex
index = PlaceIndex.load(); lap("gazetteer index load", t)
t = time.perf_counter()
from geo.engine.ner import try_load_ner
ner, why = try_load_ner(); lap("NER: import spaCy, load and verify the model", t)
from pathlib import Path
from geo.files.articles import read_article
from geo.map.places import places_for
articles = [read_article(p) for p in sorted(Path({repo!r}, "seeds").glob("*.txt"))]
t = time.perf_counter()
parser = geo.engine.pipeline.Geoparser(index=index, ner=ner)
places = places_for(articles, parser); lap("parse and group the 2 seeds", t)
t = time.perf_counter()
geo.map.mapview.build_map(places).get_root().render(); lap("build and render their map", t)
print(json.dumps(T))
"""


def breakdown(repeat: int) -> list[Row]:
    """The first script run's work, stage by stage, each run in a fresh interpreter."""
    rows: dict[str, Row] = {}
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", BREAKDOWN.format(repo=str(REPO))], capture_output=True,
                             text=True, cwd=REPO, check=True).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            rows.setdefault(name, Row("breakdown", name)).runs.append(seconds)
    total = Row("breakdown", "sum of the stages above")
    total.runs = [sum(r.runs[i] for r in rows.values()) for i in range(repeat)]
    return [*rows.values(), total]


def big(repeat: int, browser: bool) -> list[Row]:
    from streamlit_folium import generate_leaflet_string

    from geo.map.mapview import build_map, standalone_html

    rows: list[Row] = []
    pages: dict[int, str] = {}
    per_n: dict[int, dict[str, Row]] = {}
    # Labels on and off, alternating (a machine shared with others drifts): build_map + render.
    big_places = synthetic_places(BIG)
    labelled_row = Row("big", f"{BIG:,} places, labels on: build_map + render (Python)")
    unlabelled = Row("big", f"{BIG:,} places, labels off: build_map + render (Python)")
    for _ in range(repeat):
        for row, labels in ((labelled_row, True), (unlabelled, False)):
            row.runs.append(timed(lambda labels=labels: build_map(big_places, tiles=False,
                                                                  labels=labels).get_root().render())[0])
    for n in (BASELINE, BIG):
        places = synthetic_places(n)
        r = per_n[n] = {k: Row("big", f"{n:,} places: {k}") for k in (
            "build_map (Python)", "render the folium page (Python)", "st_folium's script extraction (Python)",
            "standalone_html (Python)")}
        for _ in range(repeat):
            seconds, m = timed(lambda places=places: build_map(places, tiles=False))
            r["build_map (Python)"].runs.append(seconds)
            seconds, page = timed(lambda m=m: m.get_root().render())
            r["render the folium page (Python)"].runs.append(seconds)
            r["st_folium's script extraction (Python)"].runs.append(timed(lambda m=m: generate_leaflet_string(m))[0])
            seconds, pages[n] = timed(
                lambda places=places: standalone_html(build_map(places, tiles=False, standalone=True)))
            r["standalone_html (Python)"].runs.append(seconds)
        r["build_map (Python)"].note = f"script {len(page) / 1e6:.2f} MB"
        r["standalone_html (Python)"].note = f"file {len(pages[n]) / 1e6:.2f} MB"
        rows += r.values()
    unlabelled.note = f"labels add {labelled_row.median - unlabelled.median:+.3f} s in Python"
    rows += [labelled_row, unlabelled]
    if not browser:
        return rows

    # The standalone file, from a local HTTP server, in a fresh page each run.
    standalone = {n: Row("big", f"{n:,} places: standalone file, page.goto -> markers drawn") for n in pages}
    with local_files({f"map{n}.html": text for n, text in pages.items()}) as base, \
            offline_browser() as (page, net):
        for i in range(repeat):
            for n in pages:
                seconds, _ = timed(lambda n=n, i=i: (page.goto(f"{base}/map{n}.html?run={i}", wait_until="commit"),
                                                     wait_drawn(page)))
                standalone[n].runs.append(seconds)
                counts = page.evaluate(MARKER_COUNTS_JS)
                standalone[n].note = f"{counts['markers']:,} markers in the cluster group"
    rows += standalone.values()

    # The dashboard's path: st_folium in a Streamlit page; the map is built on every run. Timed until the
    # markers are drawn and the labels laid out, with labels on (as the dashboard opens) and off.
    streamlit_rows = {n: Row("big", f"{n:,} places: Streamlit page with st_folium, page.goto -> markers and "
                                    "labels drawn") for n in pages}
    no_labels = Row("big", f"{BIG:,} places, labels off: Streamlit page, page.goto -> markers drawn")
    added = Row("big", f"{BIG:,} places: what labels add to drawing the map (browser, on - off)",
                target=TARGETS["labels"])
    layout = Row("big", f"{BIG:,} places: one layout of the labels (browser, after every move and zoom)",
                 target=TARGETS["labels"])
    layout_off = Row("big", f"{BIG:,} places, labels off: the same pass with no labels (browser)")
    with map_page_dir() as d, offline_browser() as (page, net), \
            dashboard_server(health_timeout=120, script="page.py", cwd=d) as app:
        for i in range(repeat + 1):                    # the first visit (cold caches) is not counted
            for n, labels in [(n, "1") for n in pages] + [(BIG, "0")]:
                seconds, _ = timed(lambda n=n, labels=labels: (
                    page.goto(f"{app.url}?n={n}&labels={labels}", wait_until="commit"),
                    wait_labelled(page, MAP_IFRAME)))
                if i:
                    (streamlit_rows[n] if labels == "1" else no_labels).runs.append(seconds)
                if n == BIG and i:
                    shown, ms = map_frame(page).evaluate(
                        "() => [window.map.cmPlaces.shownLabels.length, window.map.cmPlaces.layoutMs]")
                    (layout if labels == "1" else layout_off).runs.append(ms / 1000)
                    if labels == "1":
                        layout.note = f"{shown} labels drawn at the opening view"
            if i:
                added.runs.append(streamlit_rows[BIG].runs[-1] - no_labels.runs[-1])
        counts = marker_counts(map_frame(page))
        streamlit_rows[BIG].note = f"{counts['markers']:,} markers"
        streamlit_rows[BIG].target = TARGETS["big"]
    rows += [*streamlit_rows.values(), no_labels, added, layout, layout_off]
    for n_rows in (standalone, streamlit_rows):
        base_row, big_row = n_rows[BASELINE], n_rows[BIG]
        big_row.note += f"; {big_row.median / base_row.median:.1f}x the {BASELINE}-place map"
    total = Row("big", f"{BIG:,} places: standalone total (build + standalone_html + load)", target=TARGETS["big"])
    total.runs = [a + b for a, b in zip(per_n[BIG]["standalone_html (Python)"].runs, standalone[BIG].runs,
                                        strict=True)]
    rows.append(total)
    return rows


def rerun(repeat: int) -> list[Row]:
    """Filter changes through Streamlit's AppTest (the script rerun only; no browser, no map drawing).
    The first cycle meets each filter for the first time (Streamlit's caches cold for it)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=300)
    first = Row("rerun", "AppTest first run (in this process: not a cold start)")
    seconds, _ = timed(at.run)
    first.runs.append(seconds)
    if at.exception:
        first.note = f"exception: {at.exception[0].message[:80]}"
        return [first]
    kinds = list(at.sidebar.multiselect(key="kinds").value)
    changes: list[tuple[str, Callable[[], object]]] = [
        ("min mentions 2", lambda: at.sidebar.number_input(key="min_mentions").set_value(2)),
        ("min mentions 1", lambda: at.sidebar.number_input(key="min_mentions").set_value(1)),
        ("kinds: countries", lambda: at.sidebar.multiselect(key="kinds").set_value(["Countries"])),
        ("kinds: all", lambda: at.sidebar.multiselect(key="kinds").set_value(kinds)),
        ("search 'azovstal'", lambda: at.sidebar.text_input(key="search").input("azovstal")),
        ("search ''", lambda: at.sidebar.text_input(key="search").input("")),
    ]
    new = Row("rerun", "filter change, first cycle", target=TARGETS["rerun"])
    again = Row("rerun", "filter change, later cycles", target=TARGETS["rerun"])
    for cycle in range(repeat):
        for _name, change in changes:
            change()
            seconds, _ = timed(at.run)
            (again if cycle else new).runs.append(seconds)
    worst = max(new.runs + again.runs)
    again.note = f"slowest of all {len(new.runs) + len(again.runs)} changes: {worst * 1000:.0f} ms"
    if at.exception:
        again.note += f"; exception: {at.exception[0].message[:80]}"
    return [first, new, again, rerun_fifty(at, changes, repeat)]


def fifty_places_article():
    """An article naming 50 Ukrainian towns (one sentence each), as a user might add it."""
    from geo.files.articles import article_from_text
    from geo.gazetteer import PlaceIndex

    index = PlaceIndex.load()
    towns = sorted({index.name_of[r] for r in range(len(index)) if index.kinds[r] == "city"
                    and index.country[r] == "UA" and int(index.population[r]) >= 40_000
                    and index.name_of[r].isascii() and index.name_of[r].isalpha()})[:50]
    lines = [f"Shelling was reported in {t} on Tuesday, officials said." for t in towns]
    return article_from_text("Fifty towns\n\n" + "\n\n".join(lines) + "\n", source="fifty.txt")


def rerun_fifty(at, changes, repeat: int) -> Row:
    """The same filter changes with only an added article of 50 places shown (parsed first, not counted)."""
    article = fifty_places_article()
    library = dict(at.session_state["library"])
    library[article.id] = article
    at.session_state["library"] = library
    at.session_state["active"] = [article.id]
    at.run()
    row = Row("rerun", "filter change, an added article naming 50 towns", target=TARGETS["rerun"])
    placed = [c.value for c in at.caption if "places placed" in c.value]
    row.note = placed[0].split(" · recognition")[0] if placed else ""
    for _ in range(repeat):
        for _name, change in changes:
            change()
            row.runs.append(timed(at.run)[0])
    if at.exception:
        row.note += f"; exception: {at.exception[0].message[:80]}"
    return row


# ------------------------------------------------------------------------------------------ output

def verdict(row: Row) -> str:
    if row.target is None or not row.runs:
        return ""
    return "met" if row.median <= row.target else "MISSED"


def print_table(rows: list[Row]) -> None:
    header = ("section", "measure", "median s", "min s", "max s", "runs", "target s", "", "note")
    lines = [header]
    for r in rows:
        lines.append((r.section, r.measure, f"{r.median:.3f}" if r.runs else "-",
                      f"{min(r.runs):.3f}" if r.runs else "-", f"{max(r.runs):.3f}" if r.runs else "-",
                      str(len(r.runs)),
                      f"{r.target:g}" if r.target is not None else "", verdict(r), r.note))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    for line in lines:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in
                        enumerate(zip(line[:-1], widths, strict=True))) + ("  " + line[-1] if line[-1] else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    args = ap.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")

    # Streamlit warns about the missing script context whenever streamlit-folium is used outside a run
    # (its logger gets its level when the module is imported, so import it first).
    import streamlit.runtime.scriptrunner_utils.script_run_context as script_run_context
    logging.getLogger(script_run_context.__name__).setLevel(logging.ERROR)
    from geo.gazetteer import PlaceIndex
    if not PlaceIndex.cached():
        print("building the gazetteer index first (not counted)...", file=sys.stderr)
        seconds, _ = timed(PlaceIndex.load)
        print(f"  built in {seconds:.0f} s", file=sys.stderr)
    missing = browser_unavailable()
    if missing and {"cold", "big"} & set(sections):
        print(f"browser parts skipped: {missing}", file=sys.stderr)

    rows: list[Row] = []
    for section in sections:
        started = time.perf_counter()
        if section == "cold" and not missing:
            rows += cold(args.repeat)
        elif section == "breakdown":
            rows += breakdown(args.repeat)
        elif section == "big":
            rows += big(args.repeat, browser=not missing)
        elif section == "rerun":
            rows += rerun(args.repeat)
        print(f"[{section}: {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    if args.json:
        print(json.dumps([{**asdict(r), "median": r.median, "verdict": verdict(r)} for r in rows], indent=1))
    else:
        print(f"map speed, {os.cpu_count()} CPUs, medians of {args.repeat} runs")
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
