"""What one long article costs the page: bytes of the map sent to the browser, of the page after a
marker click, and of the exports. Prints numbers, asserts nothing.

    python bench/payload_size.py                  # a 335 KB single-sentence article (~1 min)
    python bench/payload_size.py --kb 24 --kb 72 --json

The article is one sentence that lists towns over and over ("Shelling hit Kramatorsk, Sloviansk and
Bakhmut, and ..."), so that every mention's passage is the whole article: the worst case for anything
that repeats a passage per place or per mention. The page is run with Streamlit's AppTest (no browser):
"map" is the st_folium element's arguments (what the websocket carries for the map on every run),
"page" the sum of every element on the page with the most-mentioned place selected (what a marker
click ships). Exports are built with geo.map.export and geo.map.mapview as the Share view builds them; an
export estimated above --max-mb is not built, and its estimate is printed.

The geoparser runs in its fast mode (gazetteer only; the dashboard's too, by patching
`Geoparser.create`) unless --default-mode is given: the NER takes superlinear time on a sentence of
tens of thousands of words (32 KB: ~6 s, 335 KB: many minutes), which is not what is measured here;
both modes find the same towns in this text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

TOWNS = ("Kramatorsk Sloviansk Bakhmut Kharkiv Kherson Mariupol Zaporizhzhia Dnipro Odesa Lviv Chernihiv Sumy "
         "Poltava Mykolaiv Izium Lyman Avdiivka Pokrovsk Kostiantynivka Druzhkivka Toretsk Vuhledar Siversk "
         "Lysychansk Sievierodonetsk Rubizhne Kreminna Popasna Horlivka Melitopol Berdiansk Enerhodar Nikopol "
         "Kupiansk Chuhuiv Vovchansk Kyiv Uman Vinnytsia Zhytomyr").split()


def synthetic_article(kb: int) -> str:
    """One sentence of about `kb` KB naming the towns in turn, three to a clause."""
    parts, size, i = [], 0, 0
    while size < kb * 1000:
        a, b, c = (TOWNS[(i + k) % len(TOWNS)] for k in range(3))
        part = f"Shelling hit {a}, {b} and {c}, and "
        parts.append(part)
        size += len(part)
        i += 3
    return "".join(parts) + "the sirens went on."


def element_bytes(at) -> dict[str, int]:
    """Serialized bytes of every element on the page, by kind, and the map's arguments."""
    out: dict[str, int] = {"page": 0, "map": 0}

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and not getattr(node, "children", None):
            out["page"] += proto.ByteSize()
            if getattr(proto, "component_name", "") == "streamlit_folium.st_folium":
                out["map"] += len(proto.json_args.encode("utf-8"))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def measure(kb: int, max_mb: float, fast: bool) -> dict:
    from streamlit.testing.v1 import AppTest

    from geo.engine.pipeline import Geoparser
    from geo.files.articles import article_from_text
    from geo.map.export import places_csv, places_geojson
    from geo.map.mapview import build_map, standalone_html
    from geo.map.places import places_for

    text = synthetic_article(kb)
    article = article_from_text(text, source="synthetic.txt")
    started = time.perf_counter()
    places = places_for([article], Geoparser.create(fast=fast))
    row: dict = {"article_kb": round(len(text.encode()) / 1000, 1), "places": sum(p.resolved for p in places),
                 "mentions": sum(p.mention_count for p in places),
                 "parse_s": round(time.perf_counter() - started, 1)}

    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=600)
    at.run()
    at.session_state["library"] = {**at.session_state["library"], article.id: article}
    at.session_state["active"] = [article.id]
    started = time.perf_counter()
    at.run()
    row["page_run_s"] = round(time.perf_counter() - started, 1)
    row["map_payload_mb"] = round(element_bytes(at)["map"] / 1e6, 3)
    top = max((p for p in places if p.resolved), key=lambda p: p.mention_count)
    at.session_state["selected"] = top.key
    started = time.perf_counter()
    at.run()
    row["click_run_s"] = round(time.perf_counter() - started, 1)
    assert not at.exception, at.exception
    row["page_after_click_mb"] = round(element_bytes(at)["page"] / 1e6, 3)

    m = build_map(places)
    row["map_html_mb"] = round(len(m.get_root().render().encode()) / 1e6, 3)
    # The old CSV and GeoJSON repeat the whole passage per mention: estimate before building.
    estimate = sum(len(mention.passage.text) for p in places for mention in p.mentions) / 1e6
    for name, make in (("csv", lambda: places_csv(places)),
                       ("geojson", lambda: places_geojson(places)),
                       ("standalone_html", lambda: standalone_html(build_map(places, standalone=True)))):
        if name != "standalone_html" and estimate > max_mb and _repeats_passages():
            row[f"{name}_mb"] = f"~{estimate:,.0f} (estimated, not built)"
        else:
            row[f"{name}_mb"] = round(len(make().encode()) / 1e6, 3)
    return row


def _repeats_passages() -> bool:
    """Whether this checkout's exports carry every mention's whole passage (the code before
    geo.map.excerpts bounded them)."""
    import importlib.util

    return importlib.util.find_spec("geo.map.excerpts") is None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb", type=int, action="append", help="article size in KB (repeatable; default 335)")
    ap.add_argument("--max-mb", type=float, default=300.0, help="estimate exports bigger than this instead")
    ap.add_argument("--default-mode", action="store_true", help="parse with the NER, as the dashboard does")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.default_mode:
        from geo.engine.pipeline import Geoparser

        create = Geoparser.create.__func__
        Geoparser.create = classmethod(lambda cls, **kw: create(cls, **{**kw, "fast": True}))
    rows = [measure(kb, args.max_mb, fast=not args.default_mode) for kb in args.kb or [335]]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
