"""The dashboard's store page on large stores (issue 17's bars): opening a store, a filter change and what
the page sends, on synthetic stores of 10,000 and 50,000 places, in Streamlit's AppTest.

    python bench/store_dashboard.py                       # 10,000 and 50,000 places
    python bench/store_dashboard.py --places 1000 --work /tmp/x

The stores are written as Parquet directly, in the shape `corpus run` writes (parts of 250 articles, every
table, atomically, through geo.store.corpus.parquet.PartWriter), from the gazetteer's towns (the most
populous first) and sentences made here: each article names 5 towns in 5 sentences, its first town in
turn (so every place is named) and the others drawn with a long tail (a few towns named often, most
rarely), with an event for most sentences. Nothing comes from ../shared/eval.

Measured: `open` (choosing the store in the sidebar, in a fresh process: DuckDB views, the first queries,
the map), each filter change (new answers, not from the cache: kinds, a search, an event type, a date
range, counting events), and the page's size (the bytes of every element the run sends: the map's
component arguments, the table, the chart; `map` the map alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PART = 250                       # articles a part holds (`corpus run --part-size`, default)
PER_ARTICLE = 5                  # towns an article names
SENTENCES = (  # (template, event type, sub-type, trigger)
    ("Shelling hit {p} overnight, officials said.", "Explosions/Remote violence",
     "Shelling/artillery/missile attack", "Shelling"),
    ("Fighting went on near {p} for a second day.", "Battles", "Armed clash", "Fighting"),
    ("A drone struck a depot in {p}.", "Explosions/Remote violence", "Air/drone strike", "drone"),
    ("Protesters gathered in {p} against the war.", "Protests", "Peaceful protest", "Protesters"),
    ("Gunmen attacked villagers near {p}.", "Violence against civilians", "Attack", "attacked"),
    ("Officials in {p} said aid had arrived.", None, None, None),
)


def towns(n: int) -> list:
    """The gazetteer's `n` most populous towns (real names and points)."""
    from geo.gazetteer.index import PlaceIndex

    index = PlaceIndex.load()
    rows = [r for r in range(len(index)) if index.kind(r) == "city"]
    rows.sort(key=lambda r: -int(index._p["population"][r]))
    return [index.entry(r) for r in rows[:n]]


def make_store(path: Path, n_places: int, seed: int = 17) -> dict:
    """A store of `n_places` places at `path` (kept when it exists); returns its sizes."""
    import pyarrow as pa

    from geo.store.corpus.parquet import SCHEMAS, CorpusStore

    meta = path / "bench.json"
    if meta.exists():
        return json.loads(meta.read_text())
    t0 = time.perf_counter()
    places = towns(n_places)
    rng = random.Random(seed)
    weights = [1 / (i + 1) ** 0.9 for i in range(len(places))]          # a long tail
    n_articles = n_places * 2
    store = CorpusStore.open(path, create=True)
    sizes = {"places": len(places), "articles": n_articles, "mentions": 0, "events": 0}
    day0 = dt.date(2022, 1, 1)
    with store.writing() as writer:
        for first in range(0, n_articles, PART):
            rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
            for a in range(first, min(first + PART, n_articles)):
                picks = [places[a % len(places)], *rng.choices(places, weights, k=PER_ARTICLE - 1)]
                _article(rows, f"a{a:07d}", day0 + dt.timedelta(days=rng.randrange(365)), picks, rng)
            sizes["mentions"] += len(rows["mentions"])
            sizes["events"] += len(rows["events"])
            writer.write({name: pa.Table.from_pylist(rows[name], schema=schema.remove(schema.get_field_index("part")))
                          for name, schema in SCHEMAS.items()})
    sizes["seconds"] = round(time.perf_counter() - t0, 1)
    meta.write_text(json.dumps(sizes))
    return sizes


def _article(rows: dict[str, list[dict]], aid: str, day: dt.date, picks: list, rng: random.Random) -> None:
    text, offset = [], 0
    for i, place in enumerate(picks):
        template, event_type, sub_type, trigger = SENTENCES[rng.randrange(len(SENTENCES))]
        sentence = template.format(p=place.name)
        start = offset + sentence.index(place.name)
        key = f"gn:{place.geonameid}"
        rows["mentions"].append({
            "article_id": aid, "start": start, "end": start + len(place.name), "name": place.name,
            "precision": "exact", "place_key": key, "passage_index": i, "passage_start": offset,
            "passage_end": offset + len(sentence), "confidence": 0.9, "name_key": place.name.lower(),
            "containers": [f"country:{place.country}"], "corrected_kind": "city"})
        rows["places"].append({
            "key": key, "name": place.name, "kind": "city", "country": place.country, "lat": place.lat,
            "lon": place.lon, "precision": "exact", "geonameid": place.geonameid, "container": None,
            "source": place.source, "article_id": aid})
        if event_type:
            at = offset + sentence.index(trigger)
            rows["events"].append({
                "article_id": aid, "ordinal": sum(e["article_id"] == aid for e in rows["events"][-PER_ARTICLE:]),
                "event_type": event_type, "sub_event_type": sub_type, "date": day, "date_source": "article",
                "start": at, "end": at + len(trigger), "trigger": trigger, "place_start": start,
                "place_end": start + len(place.name), "place_name": place.name, "place_precision": "exact",
                "place_key": key, "actors": [], "sentence_start": offset, "sentence_end": offset + len(sentence),
                "passage_index": i})
        text.append(sentence)
        offset += len(sentence) + 1
    body = " ".join(text)
    rows["texts"].append({"article_id": aid, "text": body})
    rows["articles"].append({
        "id": aid, "title": f"Report {aid}", "source": f"Wire {int(aid[1:]) % 5}", "url": None, "date": day,
        "date_source": "record", "text_hash": hashlib.sha1(body.encode()).hexdigest()[:12], "input_hash": aid,
        "engine_version": "bench", "mode": "gazetteer-only", "chars": len(body), "mentions": len(picks)})


def page_bytes(at) -> tuple[int, int]:
    """(every element's serialized size, the map component's arguments' size) of the last run."""
    total, map_size = 0, 0

    def walk(node) -> None:
        nonlocal total, map_size
        proto = getattr(node, "proto", None)
        if proto is not None and not getattr(node, "children", None):
            total += proto.ByteSize()
            if getattr(proto, "component_name", None) == "streamlit_folium.st_folium":
                map_size = len(proto.json_args.encode())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return total, map_size


def measure(store: Path) -> dict:
    """In this (fresh) process: open the store, then change filters; seconds and bytes."""
    from streamlit.testing.v1 import AppTest

    os.environ["CONFLICTMAP_STORES"] = str(store.parent)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600).run()
    t = time.perf_counter()
    at.sidebar.selectbox(key="store_pick").select(str(store)).run()
    out = {"open_s": time.perf_counter() - t}
    assert not at.exception, at.exception
    out["page_bytes"], out["map_bytes"] = page_bytes(at)
    out["caption"] = next(c.value for c in at.caption if " places, " in c.value)
    steps = [
        ("kinds: cities", lambda: at.sidebar.multiselect(key="store_kinds").select("Cities and towns")),
        ("search 'ka'", lambda: at.sidebar.text_input(key="store_search").input("ka")),
        ("search 'ol'", lambda: at.sidebar.text_input(key="store_search").input("ol")),
        ("search off", lambda: at.sidebar.text_input(key="store_search").input("")),
        ("event type: Battles", lambda: at.sidebar.multiselect(key="store_events").select("Battles")),
        ("event types off", lambda: at.sidebar.multiselect(key="store_events").unselect("Battles")),
        ("date range: March", lambda: at.slider[0].set_value((dt.date(2022, 3, 1), dt.date(2022, 3, 31)))),
        ("date range: Q2", lambda: at.slider[0].set_value((dt.date(2022, 4, 1), dt.date(2022, 6, 30)))),
        ("count events", lambda: at.button_group(key="store_unit").set_value("events")),
        ("minimum 3", lambda: at.sidebar.number_input(key="store_min").set_value(3)),
    ]
    out["filters"] = []
    for label, step in steps:
        step()
        t = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t
        assert not at.exception, (label, at.exception)
        size, map_size = page_bytes(at)
        out["filters"].append((label, seconds, size, map_size))
        out["page_bytes"] = max(out["page_bytes"], size)
        out["map_bytes"] = max(out["map_bytes"], map_size)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", default="10000,50000", help="store sizes in places (default 10000,50000)")
    parser.add_argument("--work", default="/tmp/conflictmap-store-dashboard", help="where the stores are made")
    parser.add_argument("--measure", metavar="STORE", help=argparse.SUPPRESS)   # the child process's job
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    for n in (int(x) for x in args.places.split(",")):
        folder = Path(args.work) / f"p{n}"
        folder.mkdir(parents=True, exist_ok=True)
        sizes = make_store(folder / f"places-{n}.store", n)
        print(f"store of {sizes['places']:,} places: {sizes['articles']:,} articles, {sizes['mentions']:,} "
              f"mentions, {sizes['events']:,} events ({sizes['seconds']} s to write)", flush=True)
        done = subprocess.run([sys.executable, __file__, "--measure", str(folder / f"places-{n}.store")],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        times = [s for _, s, _, _ in r["filters"]]
        print(f"  open: {r['open_s']:.2f} s ({r['caption']})")
        for label, seconds, size, map_size in r["filters"]:
            print(f"  filter change, {label}: {seconds:.3f} s (page {size / 1e6:.2f} MB, map {map_size / 1e6:.2f} MB)")
        print(f"  filter change: median {statistics.median(times):.3f} s, slowest {max(times):.3f} s; "
              f"page at most {r['page_bytes'] / 1e6:.2f} MB, map at most {r['map_bytes'] / 1e6:.2f} MB", flush=True)


if __name__ == "__main__":
    main()
