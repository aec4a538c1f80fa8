"""Tests for the dashboard's review widgets (geo/app/review_place.py, unplaced_queue.py, online_settings.py),
run headless with Streamlit's AppTest: every action of the
selected place's review (another candidate, a gazetteer search, a point typed or clicked on the map, not a
place, undo, the scope), the unplaced names' queue, the corrections listed with their undo, the shared
caches following the corrections, and the optional online geocoder's settings and faults (against the
fake server of tests/fakegeocoder.py). Each test has a data folder of its own (corrections, settings)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from conftest import use_data_dir
from fakegeocoder import Answer, FakeGeocoder, serve
from streamlit.testing.v1 import AppTest
from test_dashboard import (
    APP_FILES,
    USER_BITS,
    folium_maps,
    map_args,
    markdown_strings,
    opened,
    rerun,
    select_row,
    selected_name,
    set_view,
    table,
    table_names,
    with_article,
)

from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text
from geo.map.attribution import OSM_ATTRIBUTION
from geo.map.places import places_for
from geo.online import OnlineConfig, load_config, save_config
from geo.store.corrections import CorrectionError, CorrectionStore
from geo.store.library import library_author

STEPNE_A = "Russian forces shelled Stepne, Donetsk.\n\nSirens sounded in Kramatorsk.\n"
STEPNE_B = "Shelling near Stepne, Donetsk oblast, killed two.\n"
UNPLACED = "Fighting near Qwertovka killed two.\n\nShelling hit Zyxograd overnight.\n"
AGENT = "conflictmap-tests/1.0 (tests of the review panel)"
MESSAGE = re.compile(r"<div class='cm-message cm-(\w+)'[^>]*>(.*?)</div>", re.S)


# -- helpers ------------------------------------------------------------------------------------------
@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index) -> Path:
    """A data folder of the test's own, with the tests' cache key (so that the shared index and parse
    caches still verify: they are signed with it)."""
    return use_data_dir(tmp_path / "data", monkeypatch)


@pytest.fixture
def store(data_dir: Path) -> CorrectionStore:
    return CorrectionStore(data_dir / "corrections.sqlite3")


def boxes(at: AppTest, level: str, where=None) -> list[str]:
    """The texts of the message boxes of one level (in the main area unless `where` says otherwise)."""
    found = []
    for e in (where if where is not None else at.main).get("html"):
        found += [html.unescape(text) for lvl, text in MESSAGE.findall(e.proto.body) if lvl == level]
    return found


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def click(at: AppTest, label: str) -> AppTest:
    """Click the first button with this label (the queue's come before the selected place's)."""
    button(at, label).click()
    return rerun(at)


def click_key(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return rerun(at)


def selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def text_input(at: AppTest, label_start: str):
    return next(t for t in at.text_input if t.label.startswith(label_start))


def status(at: AppTest) -> str:
    [body] = [e.proto.body for e in at.get("html") if "cm-review-status" in e.proto.body]
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<div[^>]*>|</div>", "", body)))


def row(at: AppTest, name: str) -> dict:
    rows = table(at)
    [found] = rows[rows["place"] == name].to_dict("records")
    return found


def select(at: AppTest, name: str) -> AppTest:
    select_row(at, list(table(at)["place"]).index(name))
    assert selected_name(at) == name
    return at


def showing(*texts: str) -> AppTest:
    """A new session showing only articles made of these texts."""
    at = opened()
    for n, text in enumerate(texts):
        at = with_article(at, article_from_text(text, source=f"{n}.txt"), only=n == 0)
    return at


def click_map(at: AppTest, lat: float, lng: float) -> AppTest:
    """What the st_folium frontend sends after a click on the map (not on a marker)."""
    proto = folium_maps(at)[0].proto
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = proto.id
    state.json_value = json.dumps({"last_clicked": {"lat": lat, "lng": lng}, "last_object_clicked_tooltip": None})
    at._run(states)
    assert not at.exception, at.exception
    return at


# -- the selected place: each action, then undo ---------------------------------------------------------
def test_a_point_typed_for_a_sample_place_then_undone(data_dir: Path, store: CorrectionStore) -> None:
    at = select(opened(), "Kreminna")
    engine = row(at, "Kreminna")
    assert status(at) == "Placed by the gazetteer (exact)."
    assert "placed by" not in engine
    text_input(at, "Point").input("91, 38")
    click(at, "Place it here")
    assert boxes(at, "error") == ["latitude 91 is not between -90 and 90 (latitude first, then longitude)"]
    assert store.list() == []
    text_input(at, "Point").input("48.5, 38.0")
    click(at, "Place it here")
    [c] = store.list()
    assert (c.name, c.action, c.scope.kind, c.target.lat, c.target.lon, c.target.country) == \
        ("kreminna", "point", "article", 48.5, 38.0, "UA")
    assert selected_name(at) == "Kreminna" and at.session_state["selected"] == f"corrected:{c.id}"
    corrected = row(at, "Kreminna")
    assert (corrected["lat"], corrected["lon"], corrected["placed by"]) == (48.5, 38.0, f"correction #{c.id}")
    assert status(at).startswith(f"✓ Corrected by you: #{c.id} “kreminna” placed at 48.50000, 38.00000, in “")
    assert "The engine's choice: Kreminna (exact) · 49.0481, 38.2155." in status(at)
    marker = next(r for r in __import__("mapdata").marker_rows(map_args(at)["script"]) if r[6].startswith("Kreminna"))
    assert marker[6] == "Kreminna (city, UA) ✓ corrected" and "cm-corrected" in marker[8]

    assert row(opened(), "Kreminna")["placed by"] == f"correction #{c.id}"      # another session sees it
    click(at, "Undo this correction")
    assert not store.active() and store.list()[0].undone
    assert row(at, "Kreminna") == engine and status(at) == "Placed by the gazetteer (exact)."
    assert any("the engine's own result is back" in m for m in boxes(at, "success"))
    assert row(opened(), "Kreminna") == engine                                # the shared caches follow


def test_another_users_correction_is_shown_as_theirs_and_only_they_undo_it(data_dir: Path,
                                                                          store: CorrectionStore) -> None:
    """Corrections are the installation's, but "by you" and "Undo" are only for the user's own (issue 19)."""
    theirs = select(opened(), "Kreminna")
    text_input(theirs, "Point").input("48.5, 38.0")
    click(theirs, "Place it here")
    [c] = store.active()
    assert status(theirs).startswith(f"✓ Corrected by you: #{c.id}")
    mine = select(opened(), "Kreminna")                               # another browser: another library
    assert row(mine, "Kreminna")["placed by"] == f"correction #{c.id}"  # it applies here too ...
    assert status(mine).startswith(f"✓ Corrected in this installation (by another user, or on the command line; "
                                   f"only they can undo it): #{c.id} “kreminna” placed at 48.50000, 38.00000")
    assert "by you" not in status(mine)
    assert "Undo this correction" not in [b.label for b in mine.button]  # ... and is not theirs to undo
    assert "Corrections here (1, 0 yours)" in [e.label for e in mine.main.get("expander")]
    [listed] = [e.proto.body for e in mine.get("html") if "cm-correction'" in e.proto.body]
    assert "corrected in this installation, not by you" in listed
    assert "Undo" not in [b.label for b in mine.button]
    with pytest.raises(CorrectionError, match="made by someone else"):     # a forged click is refused too
        store.undo(c.id, author=library_author(mine.session_state["lib_id"]))
    assert store.active() == [c]
    same = select(opened(**dict(theirs.query_params)), "Kreminna")    # the corrector's library, reopened
    assert status(same).startswith(f"✓ Corrected by you: #{c.id}")
    click(same, "Undo this correction")
    assert not store.active() and selected_name(same) == "Kreminna"
    assert status(same) == "Placed by the gazetteer (exact)."


def test_choose_another_of_the_engines_candidates(data_dir: Path, store: CorrectionStore) -> None:
    at = select(opened(), "Zaporizhzhia")
    chooser = selectbox(at, "Another of the engine's candidates")
    assert len(chooser.options) >= 1 and "score" in chooser.options[0]
    chooser.set_value(0)
    rerun(at)
    click(at, "Use this candidate")
    [c] = store.active()
    assert c.action == "choose" and c.target.name and c.target.geonameid
    assert (row(at, "Zaporizhzhia")["lat"], row(at, "Zaporizhzhia")["lon"]) == (round(c.target.lat, 4),
                                                                                   round(c.target.lon, 4))


def test_search_the_gazetteer_and_use_a_place(data_dir: Path, store: CorrectionStore) -> None:
    at = select(showing(STEPNE_A), "Stepne")
    assert row(at, "Stepne")["precision"] == "admin1"
    text_input(at, "Search the gazetteer by name").input("Qwxzyv")
    click(at, "Search the gazetteer")
    assert boxes(at, "info") == ["The gazetteer has no place called “Qwxzyv”."]
    text_input(at, "Search the gazetteer by name").input("Stepne, Zaporizhzhia")
    click(at, "Search the gazetteer")
    found = selectbox(at, "Gazetteer places with that name")
    assert found.options == ["Stepne (city · Zaporizka oblast, UA) · 47.7974, 35.3064"]
    click(at, "Use this place")
    [c] = store.active()
    assert (c.action, c.target.admin1, c.target.kind) == ("choose", "UA.26", "city")
    stepne = row(at, "Stepne")
    assert (stepne["precision"], stepne["lat"], stepne["lon"]) == ("exact", 47.7974, 35.3064)


def test_a_search_for_the_name_the_engine_placed_finds_its_place(data_dir: Path) -> None:
    """"Zaporizhia" is placed by another spelling of the gazetteer's: the search (filled with the name) finds it."""
    at = select(showing("Russian missiles struck Zaporizhia overnight, officials in Kyiv said.\n"), "Zaporizhia")
    assert status(at) == "Placed by the gazetteer (exact)."
    assert text_input(at, "Search the gazetteer by name").value == "Zaporizhia"
    click(at, "Search the gazetteer")
    assert not [m for m in boxes(at, "info") if "has no place called" in m]
    first = selectbox(at, "Gazetteer places with that name").options[0]
    assert first.startswith("Zaporizhzhya (city · Zaporizka oblast, UA)"), first
    assert f"{row(at, 'Zaporizhia')['lat']:.4f}, {row(at, 'Zaporizhia')['lon']:.4f}" in first     # the engine's place
    assert first.endswith(" · the engine's choice")


def test_the_scope_offers_the_region_the_text_names(data_dir: Path, store: CorrectionStore) -> None:
    """"Poltava, Luhansk": the engine's pick lies in Poltavska oblast; the text says Luhansk."""
    at = select(showing("Mortars hit positions near Poltava, Luhansk.\n"), "Poltava")
    labels = list(selectbox(at, "Apply the correction").options)
    assert labels[1:] == ["every article naming it in Luhanska oblast (named in the text)",
                          "every article naming it in Ukraine (its country)"]
    selectbox(at, "Apply the correction").set_value(1)
    text_input(at, "Point").input("48.5, 39.3")
    click(at, "Place it here")
    [c] = store.active()
    assert (c.scope.kind, c.scope.key, c.scope.label) == ("container", "admin1:UA.14", "Luhanska oblast")


def test_a_village_answered_with_its_town_stands_at_the_town_approximately(data_dir: Path,
                                                                           store: CorrectionStore) -> None:
    at = showing(UNPLACED)
    assert queue_entry(at) == "Qwertovka"
    text_input(at, "Where is it?").input("Kramatorsk")               # the town it is near: not the village itself
    click(at, "Place it")
    [c] = store.active()
    assert (c.name, c.action, c.target.name, c.target.precision) == ("qwertovka", "choose", "Kramatorsk", "town")
    assert row(at, "Qwertovka")["precision"] == "town"
    assert boxes(at, "success")[0].endswith("(approximate: town), in “Fighting near Qwertovka killed two.”. "
                                            "“Undo” brings back the engine's result.")
    # the same from the selected place's search; a place of the name itself stays exact
    at = select(showing(STEPNE_A), "Stepne")
    text_input(at, "Search the gazetteer by name").input("Kramatorsk")
    click(at, "Search the gazetteer")
    click(at, "Use this place")
    assert store.active()[-1].target.precision == "town" and row(at, "Stepne")["precision"] == "town"


def test_click_a_point_on_the_map(data_dir: Path, store: CorrectionStore) -> None:
    at = select(opened(), "Popasna")
    assert map_args(at)["returned_objects"] == ["last_object_clicked_tooltip"]
    click(at, "Pick the point on the map")
    assert map_args(at)["returned_objects"] == ["last_object_clicked_tooltip", "last_clicked"]
    click_map(at, 48.61234, 378.3)                   # Leaflet counts on past the antimeridian
    assert at.session_state["review_point"] == "48.61234, 18.30000"
    assert map_args(at)["returned_objects"] == ["last_object_clicked_tooltip"]    # no more reruns on clicks
    assert boxes(at, "info")[0].startswith("Point from the map: 48.61234, 18.30000.")
    text_input(at, "Point").input("48.61234, 38.3")                  # the user may still edit it
    click(at, "Place it here")
    [c] = store.active()
    assert (c.target.lat, c.target.lon) == (48.61234, 38.3)


def test_picking_can_be_cancelled(data_dir: Path) -> None:
    at = select(opened(), "Popasna")
    click(at, "Pick the point on the map")
    click(at, "Cancel picking")
    assert map_args(at)["returned_objects"] == ["last_object_clicked_tooltip"]


def test_not_a_place_then_undo_from_the_list(data_dir: Path, store: CorrectionStore) -> None:
    at = select(opened(), "Rubizhne")
    text_input(at, "Note (optional)").input("a sports club here")
    click_key(at, "review_not_a_place")
    [c] = store.active()
    assert (c.action, c.note) == ("not_a_place", "a sports club here")
    assert "Rubizhne" not in table_names(at) and selected_name(at) is None
    assert boxes(at, "success")[0].startswith(f"Saved: #{c.id} “rubizhne” is not a place, in “")
    assert "Corrections here (1, 1 yours)" in [e.label for e in at.main.get("expander")]
    [listed] = [e.proto.body for e in at.get("html") if "cm-correction'" in e.proto.body]
    assert "is not a place" in listed and "(a sports club here) · 1 mention" in listed
    click(at, "Undo")
    assert "Rubizhne" in table_names(at) and not store.active()
    assert "Corrections here" not in " ".join(e.label for e in at.main.get("expander"))


def test_the_scope_every_article_in_the_container(data_dir: Path, store: CorrectionStore,
                                                  parser: Geoparser) -> None:
    at = select(showing(STEPNE_A, STEPNE_B), "Stepne")
    assert row(at, "Stepne")["mentions"] == 2                       # one place in both articles
    scope = selectbox(at, "Apply the correction")
    labels = list(scope.options)                                     # as shown
    assert labels[:2] == ["only in “Russian forces shelled Stepne, Donetsk.”",
                          "only in “Shelling near Stepne, Donetsk oblast, killed two.”"]
    container = labels.index("every article naming it in Donetska oblast (named in the text)")
    scope.set_value(container)
    text_input(at, "Point").input("47.9, 37.7")
    click(at, "Place it here")
    [c] = store.active()
    assert (c.scope.kind, c.scope.key, c.scope.label) == ("container", "admin1:UA.05", "Donetska oblast")
    assert row(at, "Stepne")["mentions"] == 2 and row(at, "Stepne")["placed by"] == f"correction #{c.id}"
    # a third article naming Stepne in Donetsk oblast is corrected too; the article scope stays in its article
    at = showing(STEPNE_A, STEPNE_B, "Stepne, Donetsk region, was shelled again.\n")
    assert row(at, "Stepne")["mentions"] == 3
    store.undo(c.id)
    at = select(showing(STEPNE_A, STEPNE_B), "Stepne")
    text_input(at, "Point").input("47.9, 37.7")
    click(at, "Place it here")                                      # the default: the first article only
    stepnes = table(at)[table(at)["place"] == "Stepne"]
    assert sorted(stepnes["placed by"]) == ["correction #2", "gazetteer"]


def test_a_damaged_store_is_said_once_and_the_engines_results_are_shown(data_dir: Path) -> None:
    (data_dir / "corrections.sqlite3").write_bytes(b"not a database, " * 100)
    at = opened()
    [error] = boxes(at, "error")
    assert error.startswith("Your corrections cannot be read, so the engine's results are shown: ")
    assert "move it away to start afresh" in error and "placed by" not in row(at, "Kreminna")
    select(at, "Kreminna")
    assert boxes(at, "error") == []                                  # said once
    click_key(at, "review_not_a_place")
    assert boxes(at, "error")[0].startswith("Not saved: ") and "Kreminna" in table_names(at)


# -- the unplaced names' queue ------------------------------------------------------------------------------
def queue_entry(at: AppTest) -> str:
    [entry] = [e.proto.body for e in at.get("html") if "class='cm-unplaced'" in e.proto.body]
    return entry.split("<b>", 1)[1].split("</b>", 1)[0]


def test_the_queue_places_names_one_after_the_other(data_dir: Path, store: CorrectionStore) -> None:
    at = showing(UNPLACED, "Kramatorsk and Stepne were shelled, officials in Kyiv said.\n")
    assert [e.label for e in at.main.get("expander")] == ["Unplaced names (2)"]
    assert queue_entry(at) == "Qwertovka"                           # oldest first: in article order
    assert any("Name 1 of 2, in the order the articles name them" in c.value for c in at.caption)
    assert "Next: Zyxograd" in next(e.proto.body for e in at.get("html") if "cm-queue-next" in e.proto.body)
    assert button(at, "Next").proto.shortcut == "alt+n" and button(at, "Not a place").proto.shortcut == "alt+x"
    click(at, "Next")
    assert queue_entry(at) == "Zyxograd"
    click(at, "Previous")
    assert queue_entry(at) == "Qwertovka"

    click(at, "Place it")                                           # Enter with nothing typed
    assert boxes(at, "error") == ["Type a gazetteer name or a point (latitude, longitude), or press Skip."]
    text_input(at, "Where is it?").input("47.81, 37.62")
    click(at, "Place it")                                           # what Enter in the field does
    [c] = store.active()
    assert (c.name, c.action, c.target.lat) == ("qwertovka", "point", 47.81)
    assert row(at, "Qwertovka")["placed by"] == f"correction #{c.id}"
    assert [e.label for e in at.main.get("expander")][0] == "Unplaced names (1)"
    assert queue_entry(at) == "Zyxograd"                            # the next one, at once
    assert at.session_state["queue_input"] == ""                    # the field is cleared for it

    text_input(at, "Where is it?").input("Stepne")                  # two gazetteer places: choose one
    click(at, "Place it")
    assert boxes(at, "info")[0].startswith("2 gazetteer places are called “Stepne”")
    matches = selectbox(at, "Gazetteer places with that name")
    assert [o.split(" (")[0] for o in matches.options] == ["Stepne", "Stepne"]
    matches.set_value(1)
    rerun(at)
    click(at, "Use this place")
    chosen = store.active()[-1]
    assert (chosen.name, chosen.action, chosen.target.admin1) == ("zyxograd", "choose", "UA.26")
    assert "Unplaced names" not in " ".join(e.label for e in at.main.get("expander"))


def test_the_queue_marks_not_a_place_and_takes_a_gazetteer_name(data_dir: Path, store: CorrectionStore) -> None:
    at = showing(UNPLACED)                       # nothing placed: no table yet
    text_input(at, "Where is it?").input("typed, then not a place")
    click(at, "Not a place")
    assert [(c.name, c.action) for c in store.active()] == [("qwertovka", "not_a_place")]
    assert queue_entry(at) == "Zyxograd" and at.session_state["queue_input"] == ""
    text_input(at, "Where is it?").input("Stepne, Zaporizhzhia")
    click(at, "Place it")
    assert store.active()[-1].target.admin1 == "UA.26" and row(at, "Zyxograd")["lat"] == 47.7974
    assert table_names(at) == {"Zyxograd"}


def test_a_name_in_two_articles_stays_current_with_what_was_typed(data_dir: Path, store: CorrectionStore) -> None:
    at = showing(UNPLACED, "Fighting near Qwertovka went on.\n")
    assert queue_entry(at) == "Qwertovka"
    text_input(at, "Where is it?").input("47.81, 37.62")
    click(at, "Place it")                                           # in the first article (the default)
    assert queue_entry(at) == "Qwertovka" and at.session_state["queue_input"] == "47.81, 37.62"
    assert any("Name 2 of 2" in c.value for c in at.caption)        # the second article's comes after Zyxograd
    assert boxes(at, "info") == ["The same name is in another shown article: Enter places it there too, "
                                 "or type something else."]
    assert selectbox(at, "Apply to").options == ["only in “Fighting near Qwertovka went on.”"]
    click(at, "Place it")                                           # Enter again: the second article
    assert [(c.name, c.scope.kind, c.target.lat) for c in store.active()] == [("qwertovka", "article", 47.81)] * 2
    assert queue_entry(at) == "Zyxograd" and at.session_state["queue_input"] == ""
    click(at, "Not a place")                                        # the picker's options changed meanwhile
    assert store.active()[-1].name == "zyxograd"


def test_the_queue_takes_a_point_clicked_on_the_map(data_dir: Path, store: CorrectionStore) -> None:
    at = showing(UNPLACED)
    click(at, "Pick it on the map")
    click_map(at, 47.5, 36.5)
    assert at.session_state["queue_input"] == "47.50000, 36.50000"
    click(at, "Place it")
    assert (store.active()[0].name, store.active()[0].target.lon) == ("qwertovka", 36.5)


# -- the exports carry the corrections ------------------------------------------------------------------------
def test_the_downloads_carry_the_correction(data_dir: Path, store: CorrectionStore, media) -> None:
    at = select(opened(), "Kreminna")
    text_input(at, "Point").input("48.5, 38.0")
    click(at, "Place it here")
    [c] = store.active()
    set_view(at, "Share")
    features = json.loads(media(at, "GeoJSON"))["features"]
    kreminna = next(f for f in features if f["properties"]["name"] == "Kreminna")
    assert kreminna["geometry"]["coordinates"] == [38.0, 48.5]
    assert (kreminna["properties"]["placed_by"], kreminna["properties"]["correction"]) == ("correction", c.id)
    rows = list(csv.DictReader(io.StringIO(media(at, "CSV").decode("utf-8"))))
    assert {(r["placed_by"], r["correction"]) for r in rows if r["name"] == "Kreminna"} == {("correction", str(c.id))}
    assert "cm-corrected" in media(at, "Standalone HTML map").decode("utf-8")


# -- what the page shows of untrusted text ---------------------------------------------------------------------
HOSTILE = ("Shelling hit Stepne, Donetsk **bold** :red[x] $\\frac{1}{2}$ ![i](http://127.0.0.1:9/i.png).\n\n"
           "Fighting near Qwertovka <img src=x onerror=alert(1)> killed two.\n")


def test_the_review_shows_untrusted_text_only_as_text(data_dir: Path, store: CorrectionStore) -> None:
    at = showing(HOSTILE)
    at = select(at, "Stepne")
    text_input(at, "Note (optional)").input("**bold** :red[x] <img src=x onerror=alert(1)>")
    text_input(at, "Point").input("47.9, 37.7")
    click(at, "Place it here")
    for text in markdown_strings(at):
        for bit in USER_BITS:
            assert bit not in text, (bit, text[:300])
    page = "\n".join(e.proto.body for e in at.get("html"))
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_review_panel_writes_no_markdown_it_does_not_own() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP_FILES if p.name != "dashboard.py")
    for call in ("st.success(", "st.error(", "st.warning(", "st.info(", "st.toast(", "getattr(st, "):
        assert call not in source, call


# -- the online geocoder -------------------------------------------------------------------------------------
@pytest.fixture
def fake():
    server = FakeGeocoder()
    httpd = serve(server)
    yield server
    httpd.shutdown()
    httpd.server_close()


def sidebar_messages(at: AppTest, level: str) -> list[str]:
    return boxes(at, level, at.sidebar)


def settings(at: AppTest, **values) -> AppTest:
    for key, value in values.items():
        widget = at.sidebar.get("checkbox" if key == "enabled" else "selectbox" if key == "provider"
                                else "text_input")
        next(w for w in widget if w.key == f"online_{key}").set_value(value)
    return click(at, "Save")


def test_online_is_off_by_default_and_refuses_sample_agents(data_dir: Path) -> None:
    at = opened()
    assert [e.label for e in at.sidebar.get("expander") if e.label == "Online geocoder"] == ["Online geocoder"]
    assert "Look up the unplaced names online" not in [b.label for b in at.button]
    settings(at, enabled=True, agent="my-application")
    [error] = sidebar_messages(at, "error")
    assert error.startswith("Not saved: the user agent 'my-application' is a sample or a library's default")
    assert not (data_dir / "online.json").exists() and not load_config().enabled
    settings(at, enabled=True, agent="geopy/2.5.0")
    assert "sample or a library's default" in sidebar_messages(at, "error")[0]
    settings(at, enabled=True, agent=AGENT, provider="photon", endpoint="https://geo.internal/photon")
    assert sidebar_messages(at, "success") == [f"Saved to {data_dir / 'online.json'}: the online geocoder is on "
                                               f"(Photon, https://geo.internal/photon)."]
    saved = load_config()
    assert (saved.enabled, saved.provider, saved.endpoint, saved.user_agent) == \
        (True, "photon", "https://geo.internal/photon", AGENT)
    settings(at, enabled=False)
    assert not load_config().enabled


def test_the_settings_can_be_locked_by_whoever_runs_the_server(data_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    save_config(OnlineConfig(enabled=True, user_agent=AGENT, provider="photon"))
    monkeypatch.setenv("CONFLICTMAP_ONLINE_SETTINGS", "locked")
    at = opened()
    assert "Save" not in [b.label for b in at.sidebar.button]
    assert sidebar_messages(at, "info") == [f"Set by whoever runs this server ({data_dir / 'online.json'}): on, "
                                            f"Photon at the public server."]


def online_settings(fake: FakeGeocoder, **extra) -> OnlineConfig:
    config = OnlineConfig(enabled=True, endpoint=fake.url, user_agent=AGENT, min_delay=0.0, **extra)
    save_config(config)
    return config


@pytest.mark.parametrize(("mode", "says"), [("500", "HTTP 500"), ("403", "refused our requests"),
                                            ("malformed", "not valid JSON"), ("slow", "did not answer within 0.3 s")])
def test_online_faults_are_said_once_and_the_page_goes_on(data_dir: Path, fake: FakeGeocoder, mode: str,
                                                          says: str) -> None:
    fake.mode, fake.delay = mode, 1.0
    online_settings(fake, timeout=0.3)
    at = showing(STEPNE_A, UNPLACED)
    before = set(table_names(at))
    click(at, "Look up the unplaced names online")
    [message] = sidebar_messages(at, "warning")
    assert says in message and "offline results are kept" in message
    assert fake.count == 1                                          # then paused or stopped: no hammering
    assert set(table_names(at)) == before and not at.exception
    assert boxes(at, "info")[0].startswith("Looked up 3 names: 0 with answers to review, 0 not found, 3 not "
                                           "answered")
    rerun(at)
    assert sidebar_messages(at, "warning") == []                    # said once
    click(at, "Look up the unplaced names online")
    assert sidebar_messages(at, "warning") == [] and fake.count == 1
    select(at, "Stepne")                                            # the rest of the page still works
    text_input(at, "Point").input("47.9, 37.7")
    click(at, "Place it here")
    assert row(at, "Stepne")["placed by"].startswith("correction #")


def test_online_answers_are_reviewed_then_accepted(data_dir: Path, fake: FakeGeocoder, store: CorrectionStore,
                                                   media) -> None:
    fake.places["stepne"] = [Answer("Stepne", 48.1234, 37.4321), Answer("Stepne Putin Was Here", 48.2, 37.4)]
    online_settings(fake)
    at = showing(STEPNE_A, UNPLACED)
    click(at, "Look up the unplaced names online")
    assert boxes(at, "success")[0] == "Looked up 3 names: 3 with answers to review, 0 not found."
    assert fake.count == 3 and not store.active()                   # nothing accepted unseen
    stepne_request = next(r for r in fake.requests if r.params.get("city") == "Stepne")
    assert (stepne_request.params["state"], stepne_request.params["countrycodes"]) == ("Donetsk Oblast", "ua")
    click(at, "Look up the unplaced names online")
    assert boxes(at, "info")[0] == "Every unplaced or approximate name here was already looked up."
    assert fake.count == 3

    at = select(at, "Stepne")
    queued, answers = [d.value for d in at.main.dataframe if "answer" in d.value.columns]   # the queue's first
    assert list(queued["name"]) == ["Qwertovka"]
    assert list(answers["name"]) == ["Stepne", "Stepne Putin Was Here"]
    assert list(answers["check"]) == ["—", "named 'Stepne Putin Was Here', not 'Stepne'"]
    [s for s in at.selectbox if s.label == "Online answer to review"][-1].set_value(1)
    rerun(at)
    assert boxes(at, "warning") == ["Check before accepting: named 'Stepne Putin Was Here', not 'Stepne'."]
    [s for s in at.selectbox if s.label == "Online answer to review"][-1].set_value(0)
    rerun(at)
    [b for b in at.button if b.label == "Accept this answer"][-1].click()      # the selected place's
    rerun(at)
    [c] = store.active()
    assert (c.action, c.target.provider, c.target.lat) == ("online", f"nominatim@{fake.url[7:]}", 48.1234)
    stepne = row(at, "Stepne")
    assert stepne["placed by"] == f"nominatim@{fake.url[7:]} #{c.id} (online)" and stepne["lat"] == 48.1234
    assert f"Online results: {OSM_ATTRIBUTION}" in [x.value for x in at.caption]
    assert OSM_ATTRIBUTION in status(at)
    set_view(at, "Share")
    assert json.loads(media(at, "GeoJSON"))["attribution"] == OSM_ATTRIBUTION


def test_a_second_opinion_and_an_online_search_on_request(data_dir: Path, fake: FakeGeocoder,
                                                          store: CorrectionStore) -> None:
    online_settings(fake)
    at = select(showing(STEPNE_A), "Kramatorsk")                   # placed exactly: never asked unless asked
    assert fake.count == 0
    click(at, "Ask the online geocoder (second opinion)")
    assert fake.count == 1 and fake.requests[0].params["city"] == "Kramatorsk"
    assert selectbox(at, "Online answer to review").options
    text_input(at, "Search the gazetteer by name").input("Nowhere Town")
    click(at, "Search online")
    assert fake.count == 2 and boxes(at, "info") == ["The online geocoder found nothing for “Nowhere Town”."]
    assert not store.active()


def test_places_for_agrees_with_the_page(data_dir: Path, store: CorrectionStore, parser: Geoparser) -> None:
    """The command line's grouping (places_for) and the page show the same correction."""
    at = select(showing(STEPNE_A), "Stepne")
    text_input(at, "Point").input("47.9, 37.7")
    click(at, "Place it here")
    article: Article = next(a for a in at.session_state["library"].values() if a.text == STEPNE_A)
    [stepne] = [p for p in places_for([article], parser, store.active()) if p.name == "Stepne"]
    assert (stepne.lat, stepne.lon, stepne.placed_by) == (47.9, 37.7, "correction")
    assert row(at, "Stepne")["lat"] == 47.9


# -- the selected place's events: type and date ----------------------------------------------------------
def event_status(at: AppTest) -> str:
    [body] = [e.proto.body for e in at.get("html") if "cm-event-status" in e.proto.body]
    return html.unescape(re.sub(r"<div[^>]*>|</div>", "", body))


def test_change_an_events_type_and_date_then_undo(data_dir: Path, store: CorrectionStore) -> None:
    at = select(showing(STEPNE_A), "Stepne")
    engine = event_status(at)
    assert engine.startswith("Found by the engine: Explosions/Remote violence — Shelling/artillery/missile attack")
    kinds = selectbox(at, "Event type — sub-type")
    assert kinds.options[kinds.value] == "Explosions/Remote violence — Shelling/artillery/missile attack"
    click(at, "Save the event")
    assert boxes(at, "info") == ["Nothing to save: the event already has this type and date."]
    assert store.event_corrections() == []
    selectbox(at, "Event type — sub-type").set_value(
        next(i for i, o in enumerate(kinds.options) if o == "Battles — Armed clash"))
    at.date_input[0].set_value(__import__("datetime").date(2022, 3, 10))
    click(at, "Save the event")
    [c] = store.event_corrections()
    assert (c.event_type, c.sub_event_type, c.date) == ("Battles", "Armed clash", "2022-03-10")
    assert boxes(at, "success") == [f"Saved event correction #{c.id}: Battles — Armed clash on 2022-03-10. "
                                    "“Undo” brings back the engine's result."]
    fixed = f"✓ Corrected (event correction #{c.id}): Battles — Armed clash on 2022-03-10."
    assert event_status(at) == fixed
    kinds = selectbox(at, "Event type — sub-type")
    assert kinds.options[kinds.value] == "Battles — Armed clash"
    marker = next(r for r in __import__("mapdata").marker_rows(map_args(at)["script"]) if r[6].startswith("Stepne"))
    assert "Armed clash" in marker[7] and f"corrected (event correction #{c.id})" in marker[7], marker

    rerun(at)
    assert event_status(at) == fixed                                       # a rerun keeps it
    assert event_status(select(showing(STEPNE_A), "Stepne")) == fixed      # and so does a new session
    click(at, "Undo the event's correction")
    assert store.event_corrections() == [] and event_status(at) == engine
    assert any(f"Undid event correction #{c.id}" in m for m in boxes(at, "success"))
    assert event_status(select(showing(STEPNE_A), "Stepne")) == engine
