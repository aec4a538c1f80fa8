"""Tests for the corrections of events' types and dates (geo/store/event_corrections.py and the store's
`add_event`/`undo_event`/`event_corrections`): kept in the corrections database, checked when written
and when read (damage reported), applied to an article's events, to its places' events and their
exports, and by `python -m geo annotate`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import use_data_dir

from geo.cli import annotate_record, main
from geo.engine.events import Event, EventPlace
from geo.files.articles import article_from_text
from geo.map.export import places_csv, places_geojson
from geo.map.mapview import events_html
from geo.map.places import places_for
from geo.map.views import Filters, filter_places
from geo.store.corrections import CorrectionError, CorrectionStore, Scope
from geo.store.event_corrections import apply_event_corrections

REPORT = "Russian forces shelled Kramatorsk on 12 March 2022.\n"


def event(start: int = 15, end: int = 22, sub: str = "Shelling/artillery/missile attack",
          etype: str = "Explosions/Remote violence", day: str | None = "2022-03-12") -> Event:
    return Event(etype, sub, start, end, "shelled", ((start, end),), EventPlace(23, 33, "Kramatorsk", "exact"),
                 ("Russian forces",), day, "text" if day else "", (0, 50))


@pytest.fixture
def store(tmp_path: Path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite3")


# -- the store ---------------------------------------------------------------------------------------
def test_round_trip_survives_reopening_and_undo(store: CorrectionStore, tmp_path: Path) -> None:
    c = store.add_event("a1", 15, 22, "Air/drone strike", date="2022-03-11", note=" seen on video ")
    assert (c.event_type, c.sub_event_type, c.date, c.note, c.active) == \
        ("Explosions/Remote violence", "Air/drone strike", "2022-03-11", "seen on video", True)
    again = CorrectionStore(tmp_path / "corrections.sqlite3")
    assert again.problems == [] and again.event_corrections() == [c]
    assert again.list() == []                                 # the place corrections are apart
    before = again.event_revision()
    undone = again.undo_event(c.id)
    assert undone.undone and again.event_corrections() == [] and again.event_revision() != before
    assert again.event_corrections(include_undone=True) == [undone]
    with pytest.raises(CorrectionError, match="already undone"):
        again.undo_event(c.id)
    with pytest.raises(CorrectionError, match="no event correction #99"):
        again.undo_event(99)


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("a1", 15, 22, "Shooting"), {}, "'Shooting' is not a sub-type"),
    (("a1", 15, 22, "Grenade"), {"date": "2022-02-30"}, "is not a day"),
    (("a1", 15, 22, "Grenade"), {"date": "12/03/2022"}, "not an ISO day"),
    (("a1", 15, 22, "Grenade"), {"date": "1899-12-31"}, "not between 1900-01-01 and 2100-12-31"),
    (("a1", 15, 22, "Grenade"), {"date": "2101-01-01"}, "not between"),
    (("a1", 22, 15, "Grenade"), {}, "end is not after its start"),
    (("a1", -1, 5, "Grenade"), {}, "start is not an offset"),
    (("", 1, 5, "Grenade"), {}, "needs the article id"),
    (("a1", 1, 5, "Grenade"), {"note": "x\x00"}, "note holds a character"),
])
def test_values_are_checked(store: CorrectionStore, args, kwargs, message: str) -> None:
    with pytest.raises(CorrectionError, match=message):
        store.add_event(*args, **kwargs)
    assert store.event_corrections(include_undone=True) == []


def test_a_row_changed_outside_is_reported_and_never_applied(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    store = CorrectionStore(path)
    store.add_event("a1", 15, 22, "Air/drone strike")
    path.with_name(path.name + ".bak").unlink()               # no good copy to restore
    with sqlite3.connect(path) as con:
        con.execute("UPDATE event_corrections SET sub_event_type = 'Grenade'")   # type left as it was
    reopened = CorrectionStore(path)
    assert any("damaged" in p and "event #1" in p for p in reopened.problems)
    with pytest.raises(CorrectionError, match=r"1 damaged event correction \(#1: its content does not match"):
        reopened.event_corrections()
    ids, copy = reopened.repair()
    assert copy is not None and copy.exists() and reopened.event_corrections() == []


def test_a_store_from_before_event_corrections_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    store = CorrectionStore(path)
    place = store.add("Stepne", Scope.article("a1"), "not_a_place")
    with sqlite3.connect(path) as con:                       # as version 2 left it
        con.execute("DROP TABLE event_corrections")
        con.execute("ALTER TABLE corrections DROP COLUMN author")      # version 4's
        con.execute("PRAGMA user_version = 2")
    CorrectionStore(path)._db.save_backup()                  # noqa: SLF001 (the backup as version 2 too)
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE event_corrections")
        con.execute("ALTER TABLE corrections DROP COLUMN author")      # version 4's
        con.execute("PRAGMA user_version = 2")
    reopened = CorrectionStore(path)
    assert reopened.problems == [] and reopened.list() == [place] and reopened.event_corrections() == []
    assert reopened.add_event("a1", 1, 5, "Grenade").id == 1


def test_a_damaged_row_with_a_good_copy_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    store = CorrectionStore(path)
    c = store.add_event("a1", 15, 22, "Air/drone strike")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE event_corrections SET date = '1066-10-14'")
    reopened = CorrectionStore(path)
    assert any("moved to" in p and "restored" in p for p in reopened.problems)
    assert reopened.event_corrections() == [c]


# -- applying -----------------------------------------------------------------------------------------
def test_apply_sets_type_date_and_marks_them() -> None:
    store_events = [event(), event(start=40, end=45)]
    assert apply_event_corrections("a1", store_events, []) == store_events
    fixes = [_fix(1, "a1", 15, 22, "Armed clash", None), _fix(2, "a1", 15, 22, "Air/drone strike", "2022-03-11"),
             _fix(3, "other", 40, 45, "Grenade", None), _fix(4, "a1", 40, 45, "Grenade", None, undone="x")]
    first, second = apply_event_corrections("a1", store_events, fixes)
    assert (first.event_type, first.sub_event_type, first.date, first.date_source, first.corrected_by) == \
        ("Explosions/Remote violence", "Air/drone strike", "2022-03-11", "corrected", 2)    # the newest wins
    assert second == store_events[1]                          # another article's, an undone one
    assert first.record()["corrected_by"] == 2 and "corrected_by" not in second.record()
    [kept] = apply_event_corrections("a1", [event()], [_fix(5, "a1", 15, 22, "Armed clash", None)])
    assert (kept.event_type, kept.date, kept.date_source) == ("Battles", "2022-03-12", "text")


def _fix(cid, article, start, end, sub, day, undone=None):
    from geo.engine.events import EVENT_TYPE_OF
    from geo.store.event_corrections import EventCorrection
    return EventCorrection(cid, f"u{cid}", "2026-01-01T00:00:00Z", article, start, end, EVENT_TYPE_OF[sub], sub,
                           day, "", undone)


def test_places_popups_filter_and_exports_show_the_correction(parser, store: CorrectionStore) -> None:
    article = article_from_text(REPORT, source="r.txt")
    [engine] = [p for p in places_for([article], parser) if p.events]
    [e] = engine.events
    assert e.event_type == "Explosions/Remote violence"
    c = store.add_event(article.id, e.start, e.end, "Armed clash", date="2022-03-10")
    [place] = [p for p in places_for([article], parser, event_corrections=store.event_corrections()) if p.events]
    [fixed] = place.events
    assert (fixed.event_type, fixed.sub_event_type, fixed.date, fixed.date_source, fixed.corrected_by) == \
        ("Battles", "Armed clash", "2022-03-10", "corrected", c.id)
    assert "Armed clash" in events_html(place) and f"corrected (event correction #{c.id})" in events_html(place)
    assert [p.key for p in filter_places([place], Filters(events=("Battles",)))] == [place.key]
    assert filter_places([place], Filters(events=("Explosions/Remote violence",))) == []
    [feature] = json.loads(places_geojson([place]))["features"]
    [record] = feature["properties"]["events"]
    assert (record["event_type"], record["date"], record["date_source"], record["corrected_by"]) == \
        ("Battles", "2022-03-10", "corrected", c.id)
    rows = [r for r in csv.DictReader(io.StringIO(places_csv([place]))) if r["event_type"]]
    assert [(r["sub_event_type"], r["event_date"], r["date_source"], r["event_corrected_by"]) for r in rows] == \
        [("Armed clash", "2022-03-10", "corrected", str(c.id))]


def test_annotate_applies_event_corrections(parser, store: CorrectionStore) -> None:
    article = article_from_text(REPORT, source="r.txt")
    record = {"id": "x", "text": REPORT}
    [e] = annotate_record(parser, record)["events"]
    c = store.add_event(article.id, e["start"], e["end"], "Arrests")
    [fixed] = annotate_record(parser, record, event_corrections=store.event_corrections())["events"]
    assert (fixed["event_type"], fixed["sub_event_type"], fixed["date"], fixed["corrected_by"]) == \
        ("Strategic developments", "Arrests", e["date"], c.id)
    assert "corrected_by" not in annotate_record(parser, record)["events"][0]


def test_the_command_line_applies_and_lists_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index,
                                                 capsys: pytest.CaptureFixture) -> None:
    data = use_data_dir(tmp_path / "data", monkeypatch)
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "r", "text": REPORT}) + "\n", encoding="utf-8")
    assert main(["annotate", "--fast", str(records)]) == 0
    [engine] = json.loads(capsys.readouterr().out)["events"]
    store = CorrectionStore(data / "corrections.sqlite3")
    c = store.add_event(article_from_text(REPORT).id, engine["start"], engine["end"], "Armed clash", date="2022-03-10")
    assert main(["annotate", "--fast", str(records)]) == 0
    [fixed] = json.loads(capsys.readouterr().out)["events"]
    assert (fixed["sub_event_type"], fixed["date"], fixed["date_source"], fixed["corrected_by"]) == \
        ("Armed clash", "2022-03-10", "corrected", c.id)
    assert main(["annotate", "--fast", "--no-corrections", str(records)]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == [engine]
    assert main(["corrections", "list"]) == 0
    assert capsys.readouterr().out == f"{c.describe()}\n"
