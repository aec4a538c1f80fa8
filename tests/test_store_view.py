"""The dashboard in store mode (geo/app/store_view.py), headless with Streamlit's AppTest: a small store
made by the real `corpus run` (1 local worker process, fast mode, the real gazetteer) in an allowed
folder is offered and opened, its places drawn on the map, a date range narrows them, a place's
passages read; a store outside the allowed folders is never offered."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from mapdata import marker_rows
from streamlit.testing.v1 import AppTest

from geo.app.store_view import command_line_store
from geo.map.styles import EVENT_COLOUR
from geo.store.corpus.browse import StoreFilter, place_rows
from geo.store.corpus.folders import ENV, allowed_roots, is_allowed, list_stores, store_stamp
from geo.store.corpus.query import connect
from geo.store.corpus.run import RunOptions, run_corpus

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard.py")
STORIES = [  # (date, text): two early reports about Kharkiv and Izium, two later ones about Odesa and Kherson
    ("2022-03-02", "Shelling hit Kharkiv overnight, officials in Izium said."),
    ("2022-03-03", "Fighting went on near Kharkiv and Izium."),
    ("2022-04-20", "A drone struck the port of Odesa, officials in Kherson said."),
    ("2022-04-21", "Residents fled Kherson for Odesa, Ukraine."),
]


@pytest.fixture(scope="module")
def stores(index, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("store-view")
    allowed, outside = root / "allowed", root / "outside"
    allowed.mkdir()
    outside.mkdir()
    jsonl = root / "reports.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"r{i}", "text": text, "title": f"Report {i}", "date": day,
                                         "source": "Wire" if i % 2 else "Post"}) + "\n"
                             for i, (day, text) in enumerate(STORIES)), encoding="utf-8")
    store = allowed / "war.store"
    report = run_corpus(jsonl, store, RunOptions(workers=1, fast=True, progress=False), say=lambda line: None)
    assert report.parsed == len(STORIES)
    hidden = outside / "secret.store"
    hidden.mkdir()
    for item in store.iterdir():             # a valid store, but in a folder the dashboard does not allow
        (hidden / item.name).symlink_to(item)
    (allowed / "escape.store").symlink_to(hidden)    # a link in the allowed folder to a store outside it
    return {"allowed": allowed, "store": store, "hidden": hidden}


def _app(monkeypatch, stores) -> AppTest:
    monkeypatch.setenv(ENV, str(stores["allowed"]))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def _map_args(at: AppTest) -> dict:
    found = []

    def walk(node) -> None:
        if getattr(getattr(node, "proto", None), "component_name", None) == "streamlit_folium.st_folium":
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    assert len(found) == 1
    return json.loads(found[0].proto.json_args)


def _map_script(at: AppTest) -> str:
    return _map_args(at)["script"]


def _names(at: AppTest) -> set[str]:
    """The places the map draws (each marker row's name)."""
    return {row[9] for row in marker_rows(_map_script(at))}


def test_only_stores_inside_the_allowed_folders_are_offered(monkeypatch, stores) -> None:
    monkeypatch.setenv(ENV, str(stores["allowed"]))
    assert allowed_roots() == [stores["allowed"]]
    assert list_stores(allowed_roots()) == [stores["store"]]
    assert not is_allowed(stores["hidden"], allowed_roots())
    assert not is_allowed(stores["allowed"] / "escape.store", allowed_roots())
    at = _app(monkeypatch, stores)
    options = at.sidebar.selectbox(key="store_pick").options
    assert options == ["Articles", "Store: war.store"]
    assert not any("secret" in o or "escape" in o for o in options)
    assert command_line_store(["--store", "x"]) == "x" and command_line_store(["--store=y"]) == "y"
    assert store_stamp(stores["store"]) and all(n.endswith(".parquet") for n, _, _ in store_stamp(stores["store"]))


def test_a_store_opens_on_the_map_and_a_date_range_narrows_it(monkeypatch, stores) -> None:
    at = _app(monkeypatch, stores)
    at.sidebar.selectbox(key="store_pick").select(str(stores["store"])).run()
    assert not at.exception, at.exception
    names = _names(at)
    assert {"Kharkiv", "Izium", "Odesa", "Kherson"} <= names
    assert any(c.value.startswith(f"{len(names)} places, ") for c in at.caption)
    # the timeline's range: March only
    slider = at.slider[0]
    assert slider.value == (dt.date(2022, 3, 2), dt.date(2022, 4, 21))
    slider.set_value((dt.date(2022, 3, 2), dt.date(2022, 3, 31))).run()
    assert not at.exception, at.exception
    march = _names(at)
    assert {"Kharkiv", "Izium"} <= march and not {"Odesa", "Kherson"} & march
    assert any("from 2022-03-02 to 2022-03-31" in c.value for c in at.caption)
    # a place's passages, under the same range
    pick = at.selectbox(key="store_selected")
    assert pick.value is None and any(o.startswith("Kharkiv") for o in pick.options)
    with connect(stores["store"]) as con:
        key = next(r["key"] for r in place_rows(con, StoreFilter()) if r["name"] == "Kharkiv")
    pick.select(key).run()
    assert not at.exception, at.exception
    shown = [h.proto.body for h in at.get("html") if "cm-store-passage" in h.proto.body]
    assert len(shown) == 2 and all("Kharkiv" in h for h in shown)
    assert "Report 0" in shown[0] and "2022-03-02" in shown[0] and "Wire" in shown[1]


def test_a_filter_asked_before_is_answered_from_the_cache(monkeypatch, stores) -> None:
    import geo.app.store_view as store_view

    calls = []
    real = store_view.place_rows
    monkeypatch.setattr(store_view, "place_rows", lambda con, f, *rest: calls.append(f) or real(con, f, *rest))
    at = _app(monkeypatch, stores)
    at.sidebar.selectbox(key="store_pick").select(str(stores["store"])).run()
    at.sidebar.multiselect(key="store_kinds").select("Countries").run()
    assert not at.exception, at.exception
    assert _names(at) == {"Ukraine"}
    asked = len(calls)
    at.sidebar.multiselect(key="store_kinds").unselect("Countries").run()     # back to a filter asked before
    at.sidebar.multiselect(key="store_kinds").select("Countries").run()
    assert not at.exception, at.exception
    assert len(calls) == asked                      # no query: both answers came from the cache
    assert {"Kharkiv", "Odesa"}.isdisjoint(_names(at))
    at.sidebar.selectbox(key="store_pick").select("").run()                 # back to the articles
    assert not at.exception, at.exception
    assert at.sidebar.multiselect(key="active").value                      # the articles' page again


def test_the_command_line_store_opens_only_when_allowed(monkeypatch, stores) -> None:
    monkeypatch.setattr("sys.argv", ["dashboard.py", "--store", str(stores["store"])])
    at = _app(monkeypatch, stores)
    assert at.sidebar.selectbox(key="store_pick").value == str(stores["store"])
    assert any("war.store" in t.value for t in at.title) and _names(at)
    monkeypatch.setattr("sys.argv", ["dashboard.py", "--store", str(stores["hidden"])])
    at = _app(monkeypatch, stores)
    assert at.sidebar.selectbox(key="store_pick").value == ""
    assert not any("secret" in t.value for t in at.title)
    assert any("not in a store folder" in h.proto.body for h in at.get("html"))


def _record_downloads(monkeypatch) -> dict[str, tuple[str, object]]:
    """The page's download buttons as the last run made them: label -> (file name, data). Streamlit sends
    a button's callable's result when it is pressed; AppTest has no runtime to press it with, so the
    test calls it."""
    from streamlit.delta_generator import DeltaGenerator

    made: dict[str, tuple[str, object]] = {}
    real = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        made[label] = (kwargs.get("file_name"), data)
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return made


def _sent(made: dict, label: str) -> str:
    data = made[label][1]
    data = data() if callable(data) else data
    return data if isinstance(data, str) else data.decode("utf-8")


def test_the_timeline_counts_events_and_a_type_filter_keeps_their_places(monkeypatch, stores) -> None:
    at = _app(monkeypatch, stores)
    at.sidebar.selectbox(key="store_pick").select(str(stores["store"])).run()
    count = at.button_group(key="store_unit")
    assert count.value == "mentions" and at.slider[0].value == (dt.date(2022, 3, 2), dt.date(2022, 4, 21))
    count.set_value("events").run()
    assert not at.exception, at.exception
    # events per day, each on its own date: "overnight" in a report of 2 March is 1 March; the last
    # report has no event
    assert at.slider[0].value == (dt.date(2022, 3, 1), dt.date(2022, 4, 20))
    assert any(c.value.startswith("2 places, 3 events") for c in at.caption)     # Kharkiv twice, Odesa
    # the markers are coloured by their main event type, with the legend
    colours = {row[9]: row[3] for row in marker_rows(_map_script(at))}
    assert colours == {"Kharkiv": EVENT_COLOUR["Explosions/Remote violence"],   # a tie: the first reported
                       "Odesa": EVENT_COLOUR["Explosions/Remote violence"]}
    assert "Main event" in _map_args(at)["html"]
    at.sidebar.multiselect(key="store_events").select("Battles").run()
    assert not at.exception, at.exception
    assert _names(at) == {"Kharkiv"}                         # "Fighting went on near Kharkiv and Izium."
    assert any(c.value.startswith("1 places, 1 events") for c in at.caption)
    assert not at.slider                                     # one day: no range to pick
    at.selectbox(key="store_selected").select(next(o for o in at.selectbox(key="store_selected").options)).run()
    shown = [h.proto.body for h in at.get("html") if "cm-store-passage" in h.proto.body]
    assert len(shown) == 1 and "Armed clash · Battles · 2022-03-03" in shown[0]


def test_the_share_panel_follows_the_date_range(monkeypatch, stores) -> None:
    made = _record_downloads(monkeypatch)
    at = _app(monkeypatch, stores)
    at.sidebar.selectbox(key="store_pick").select(str(stores["store"])).run()
    assert any("what the map shows: March–April 2022" in c.value for c in at.caption)   # over 45 days: months
    assert made["GeoJSON"][0] == "war.store.geojson" and made["CSV"][0] == "war.store.csv"
    assert {f["properties"]["name"] for f in json.loads(_sent(made, "GeoJSON"))["features"]} >= {"Kharkiv", "Odesa"}
    made.clear()
    at.slider[0].set_value((dt.date(2022, 3, 2), dt.date(2022, 3, 31))).run()
    assert not at.exception, at.exception
    assert any("what the map shows: 2–31 March 2022" in c.value for c in at.caption)
    assert made["GeoJSON"][0] == "war.store-2022-03-02_2022-03-31.geojson"
    features = json.loads(_sent(made, "GeoJSON"))["features"]
    assert {f["properties"]["name"] for f in features} == _names(at) >= {"Kharkiv", "Izium"}
    assert all(f["properties"]["last_date"] <= "2022-03-31" for f in features)
    rows = _sent(made, "CSV").splitlines()
    assert rows[0].startswith("article_id,") and len(rows) > 1
    assert not any("Odesa" in r or "Kherson" in r for r in rows[1:])
    # the PNG says the range it shows
    at.button(key="store_make_png").click().run()
    assert not at.exception, at.exception
    assert [i.caption for e in at.get("image") for i in e.proto.imgs] == ["PNG preview (2–31 March 2022)"]
    assert made["Download PNG"][0] == "war.store-2022-03-02_2022-03-31.png"
    assert made["Download PNG"][1][:8] == b"\x89PNG\r\n\x1a\n"


def test_the_map_draws_the_most_mentioned_places_at_most_and_says_so(monkeypatch, stores) -> None:
    import geo.app.store_view as store_view

    monkeypatch.setattr(store_view, "MAX_PLACES", 2)
    at = _app(monkeypatch, stores)
    at.sidebar.selectbox(key="store_pick").select(str(stores["store"])).run()
    assert not at.exception, at.exception
    with connect(stores["store"]) as con:
        top = [r["name"] for r in place_rows(con, StoreFilter())][:2]
    assert _names(at) == set(top) and len(at.dataframe[0].value) == 2
    assert any("show the 2 most mentioned places" in h.proto.body for h in at.get("html"))
