"""Tests for geo.store.corrections: the store (SQLite, WAL, schema version, two processes), applying each
action and scope, undo, sharing as a file, and the command line (`places`, `annotate`, `corrections`)."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import use_data_dir

from geo.cli import main
from geo.engine.pipeline import Geoparser
from geo.engine.resolve import ResolvedMention
from geo.files.articles import Article, article_from_text, split_passages
from geo.gazetteer import PlaceIndex
from geo.map.places import group_places, place_key
from geo.store import corrections
from geo.store.corrections import (
    ContainerRef,
    Correction,
    CorrectionError,
    CorrectionImportError,
    CorrectionStore,
    Scope,
    Target,
    apply_corrections,
    corrections_in,
    mention_containers,
)

REPO = Path(__file__).resolve().parents[1]
TEXT_A = "Russian forces shelled Stepne, Donetsk.\n\nSirens sounded in Kramatorsk.\n"
TEXT_B = "Shelling near Stepne, Donetsk oblast, killed two.\n"
TEXT_C = "Shelling near Stepne, Zaporizhzhia oblast, killed two.\n"
KRAMATORSK = 704508
DONETSK_OBLAST = "admin1:UA.05"


@pytest.fixture
def store(tmp_path: Path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite3")


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    return {k: article_from_text(t, source=f"{k}.txt") for k, t in (("A", TEXT_A), ("B", TEXT_B), ("C", TEXT_C))}


@pytest.fixture(scope="module")
def engine(parser: Geoparser, articles: dict[str, Article]) -> dict[str, list[ResolvedMention]]:
    return {k: parser.parse(a.text) for k, a in articles.items()}


def stepne(resolved: list[ResolvedMention]) -> ResolvedMention | None:
    return next((r for r in resolved if r.mention.name == "Stepne"), None)


def point(lat: float = 47.81, lon: float = 37.62, **kw) -> Target:
    return Target(lat=lat, lon=lon, **kw)


# -- the store ---------------------------------------------------------------------------------------

def test_the_store_is_sqlite_in_wal_mode_with_a_schema_version(store: CorrectionStore, tmp_path: Path) -> None:
    store.add("Stepne", Scope.article("a" * 12), "not_a_place")
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == 4      # 3: event corrections, 4: authors
    con.close()


def test_the_default_store_lives_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    assert CorrectionStore.active_in() == [] and not (tmp_path / "data").exists()     # reading creates nothing
    assert CorrectionStore().path == tmp_path / "data" / "corrections.sqlite3"


def test_a_newer_schema_or_a_damaged_file_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    CorrectionStore(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(CorrectionError, match="newer version"):
        CorrectionStore(path)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CorrectionError, match="not a usable corrections database"):
        CorrectionStore(junk)


@pytest.mark.parametrize(("args", "words"), [
    (("Stepne", Scope.article("x" * 12), "point", point(lat=95.0)), "latitude"),
    (("Stepne", Scope.article("x" * 12), "point", point(lon=-181.0)), "longitude"),
    (("Stepne", Scope.article("x" * 12), "move", point()), "action"),
    (("Stepne", Scope("everywhere", "x"), "not_a_place", None), "scope"),
    (("Stepne", Scope.article(""), "not_a_place", None), "key"),
    (("", Scope.article("x" * 12), "not_a_place", None), "name"),
    (("Stepne", Scope.article("x" * 12), "point", None), "target"),
    (("Stepne", Scope.article("x" * 12), "not_a_place", point()), "no target"),
    (("Stepne", Scope.article("x" * 12), "choose", point()), "name"),
    (("Stepne", Scope.article("x" * 12), "online", point()), "provider"),
    (("Stepne", Scope.article("x" * 12), "point", point(precision="unplaced")), "precision"),
])
def test_bad_corrections_are_refused(store: CorrectionStore, args: tuple, words: str) -> None:
    with pytest.raises(CorrectionError, match=words):
        store.add(*args)
    assert store.list() == []


def test_corrections_survive_a_restart_in_a_new_process(store: CorrectionStore) -> None:
    made = [store.add("Stepne", Scope.article("a" * 12), "point", point(), note="seen on the video"),
            store.add("Soviet Union", Scope.container("country:UA", "Ukraine"), "not_a_place")]
    store.undo(made[1].id)
    script = ("import json, sys; from geo.store.corrections import CorrectionStore; "
              "print(json.dumps([[c.id, c.to_json()] for c in CorrectionStore(sys.argv[1]).list()]))")
    out = subprocess.run([sys.executable, "-c", script, str(store.path)], cwd=REPO, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert json.loads(out) == [[c.id, c.to_json()] for c in store.list()]
    assert [c.active for c in store.list()] == [True, False]


def test_two_processes_write_at_once(store: CorrectionStore) -> None:
    script = ("import sys; from geo.store.corrections import CorrectionStore, Scope, Target\n"
              "s = CorrectionStore(sys.argv[1])\n"
              "for n in range(40):\n"
              "    s.add(f'{sys.argv[2]} {n}', Scope.article('a' * 12), 'point', Target(lat=n, lon=n))\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store.path), who], cwd=REPO,
                              stderr=subprocess.PIPE, text=True) for who in ("first", "second")]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    stored = store.list()
    assert len(stored) == 80 and len({c.uid for c in stored}) == 80
    assert sorted(c.id for c in stored) == list(range(1, 81))
    assert {c.name.split()[0] for c in stored} == {"first", "second"}


# -- applying ----------------------------------------------------------------------------------------

def test_choose_replaces_the_place_by_a_gazetteer_snapshot(store: CorrectionStore, index: PlaceIndex,
                                                           articles: dict[str, Article], engine: dict) -> None:
    entry = index.entry(index.row_of_geonameid(KRAMATORSK))
    c = store.add("Stepne", Scope.article(articles["A"].id), "choose", Target.of_entry(entry), note="test")
    assert c.target.geonameid == KRAMATORSK and c.target.name == "Kramatorsk"
    before = stepne(engine["A"])
    after = stepne(apply_corrections(articles["A"].id, engine["A"], store.active()))
    assert (after.lat, after.lon, after.precision) == (entry.lat, entry.lon, "exact")
    assert (after.placed_by, after.correction, after.confidence) == ("correction", c.id, 1.0)
    assert after.place.geonameid == KRAMATORSK and after.place.row == -1 and after.container is None
    assert after.alternatives[0] == before.container          # the engine's own choice, first for review
    others = [r for r in apply_corrections(articles["A"].id, engine["A"], store.active()) if r.mention.name != "Stepne"]
    assert others == [r for r in engine["A"] if r.mention.name != "Stepne"]


def test_point_and_its_precision(store: CorrectionStore, articles: dict[str, Article], engine: dict) -> None:
    exact = store.add("Stepne", Scope.article(articles["A"].id), "point", point(name="Stepne", kind="city"))
    r = stepne(apply_corrections(articles["A"].id, engine["A"], [exact]))
    assert (r.lat, r.lon, r.precision, r.place.name, r.placed_by) == (47.81, 37.62, "exact", "Stepne", "correction")
    rough = store.add("Stepne", Scope.article(articles["A"].id), "point", point(precision="admin2"))
    r = stepne(apply_corrections(articles["A"].id, engine["A"], [rough]))
    assert (r.precision, r.place, r.container.lat) == ("admin2", None, 47.81)


def test_online_keeps_the_provider_and_its_answer(store: CorrectionStore, articles: dict[str, Article],
                                                 engine: dict) -> None:
    target = point(name="Stepne", kind="city", country="UA", provider="nominatim", display_name="Stepne, Ukraine",
                   raw='{"osm_id": 1}', attribution="© OpenStreetMap contributors (ODbL)")
    c = store.add("Stepne", Scope.article(articles["A"].id), "online", target)
    assert store.get(c.id).target == target
    r = stepne(apply_corrections(articles["A"].id, engine["A"], store.active()))
    assert (r.placed_by, r.correction, r.lat) == ("nominatim", c.id, 47.81)


def test_not_a_place_removes_the_mention(store: CorrectionStore, articles: dict[str, Article], engine: dict) -> None:
    store.add("Kramatorsk", Scope.article(articles["A"].id), "not_a_place")
    names = [r.mention.name for r in apply_corrections(articles["A"].id, engine["A"], store.active())]
    assert "Kramatorsk" not in names and "Stepne" in names


def test_an_article_correction_applies_to_that_article_only(store: CorrectionStore, articles: dict[str, Article],
                                                            engine: dict) -> None:
    store.add("STEPNE", Scope.article(articles["A"].id), "point", point())     # names are normalised
    assert stepne(apply_corrections(articles["A"].id, engine["A"], store.active())).correction == 1
    assert stepne(apply_corrections(articles["B"].id, engine["B"], store.active())) == stepne(engine["B"])


def test_a_container_correction_applies_wherever_the_name_stands_in_that_container(
        store: CorrectionStore, index: PlaceIndex, articles: dict[str, Article], engine: dict) -> None:
    refs = mention_containers(stepne(engine["A"]), engine["A"], index=index)
    assert refs[0] == ContainerRef(DONETSK_OBLAST, "Donetska oblast", "text")
    assert "country:UA" in [r.key for r in refs]
    c = store.add("Stepne", Scope.container(refs[0].key, refs[0].label), "point", point())
    for k in ("A", "B"):
        assert stepne(apply_corrections(articles[k].id, engine[k], store.active())).correction == c.id
    assert stepne(apply_corrections(articles["C"].id, engine["C"], store.active())) == stepne(engine["C"])


def test_the_articles_own_correction_wins_then_the_newest(store: CorrectionStore, articles: dict[str, Article],
                                                         engine: dict) -> None:
    own = store.add("Stepne", Scope.article(articles["A"].id), "point", point(47.0, 37.0))
    store.add("Stepne", Scope.container(DONETSK_OBLAST), "point", point(48.0, 38.0))
    assert stepne(apply_corrections(articles["A"].id, engine["A"], store.active())).correction == own.id
    newer = store.add("Stepne", Scope.article(articles["A"].id), "point", point(47.5, 37.5))
    assert stepne(apply_corrections(articles["A"].id, engine["A"], store.active())).correction == newer.id


def test_undo_restores_the_engines_result(store: CorrectionStore, articles: dict[str, Article], engine: dict) -> None:
    c = store.add("Stepne", Scope.article(articles["A"].id), "point", point())
    assert apply_corrections(articles["A"].id, engine["A"], store.active()) != engine["A"]
    undone = store.undo(c.id)
    assert not undone.active and undone.undone
    assert apply_corrections(articles["A"].id, engine["A"], store.active()) == engine["A"]
    assert [x.id for x in store.list()] == [c.id]                      # the history stays
    with pytest.raises(CorrectionError, match="already undone"):
        store.undo(c.id)
    with pytest.raises(CorrectionError, match="no correction #99"):
        store.undo(99)


def test_a_corrected_place_is_not_merged_with_the_engines(store: CorrectionStore, articles: dict[str, Article],
                                                         engine: dict) -> None:
    c = store.add("Stepne", Scope.article(articles["A"].id), "point", point())
    parsed = [(articles[k], split_passages(articles[k]), apply_corrections(articles[k].id, engine[k], store.active()))
              for k in ("A", "B")]
    places = [p for p in group_places(parsed) if p.name == "Stepne"]
    assert len(places) == 2
    corrected = next(p for p in places if p.correction is not None)
    assert (corrected.key, corrected.placed_by, corrected.correction, corrected.lat) == \
        (f"corrected:{c.id}", "correction", c.id, 47.81)
    assert corrected.source == f"correction #{c.id}" and corrected.article_ids == (articles["A"].id,)
    engine_place = next(p for p in places if p.correction is None)
    assert engine_place.placed_by == "gazetteer" and engine_place.key == place_key(stepne(engine["B"]))


def test_a_snapshot_is_the_revision_and_the_corrections_of_it(store: CorrectionStore) -> None:
    assert store.snapshot() == ((0, 0), [])
    a = store.add("Stepne", Scope.article("a" * 12), "point", point())
    b = store.add("Kramatorsk", Scope.article("a" * 12), "not_a_place")
    assert store.snapshot() == (store.revision(), [a, b]) and store.revision() == (b.id, 0)
    store.undo(a.id)
    assert store.snapshot() == ((b.id, 1), [b])


def test_corrections_in_an_article_by_mention(store: CorrectionStore, articles: dict[str, Article],
                                              engine: dict) -> None:
    dropped = store.add("Kramatorsk", Scope.article(articles["A"].id), "not_a_place")
    moved = store.add("Stepne", Scope.container(DONETSK_OBLAST), "point", point())
    found = corrections_in(articles["A"].id, engine["A"], store.active())
    by_name = {r.mention.name: found.get(r.mention.start) for r in engine["A"]}
    assert by_name == {"Stepne": moved, "Donetsk": None, "Kramatorsk": dropped}
    assert corrections_in(articles["C"].id, engine["C"], store.active()) == {}        # Stepne in Zaporizhzhia
    assert corrections_in(articles["A"].id, engine["A"], []) == {}


# -- sharing -----------------------------------------------------------------------------------------

def test_export_then_import_round_trip(store: CorrectionStore, tmp_path: Path) -> None:
    made = [store.add("Stepne", Scope.article("a" * 12), "point", point(name="Stepne")),
            store.add("Stepne", Scope.container(DONETSK_OBLAST, "Donetska oblast"), "not_a_place", note="a farm"),
            store.add("Robotyne", Scope.article("b" * 12), "online", point(provider="photon", raw="{}"))]
    store.undo(made[2].id)
    path = tmp_path / "shared.jsonl"
    assert store.export(path) == 3
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert (header["format"], header["version"], header["corrections"]) == ("conflictmap-corrections", 1, 3)
    other = CorrectionStore(tmp_path / "other.sqlite3")
    report = other.import_file(path)
    assert (report.added, report.skipped, report.undone) == (3, 0, 0)
    assert [c.to_json() for c in other.list()] == [c.to_json() for c in store.list()]
    again = other.import_file(path)                                    # exact duplicates are skipped
    assert (again.added, again.skipped) == (0, 3) and len(other.list()) == 3
    store.undo(made[0].id)                                             # an undo travels
    store.export(path)
    assert other.import_file(path).undone == 1 and not other.list()[0].active


def test_the_same_correction_made_twice_is_skipped_as_a_duplicate(store: CorrectionStore, tmp_path: Path) -> None:
    store.add("Stepne", Scope.article("a" * 12), "point", point())
    path = tmp_path / "mine.jsonl"
    store.export(path)
    other = CorrectionStore(tmp_path / "other.sqlite3")
    other.add("Stepne", Scope.article("a" * 12), "point", point())    # made independently: another uid
    assert other.import_file(path).skipped == 1 and len(other.list()) == 1


def test_bad_lines_are_reported_by_number_and_nothing_is_imported(store: CorrectionStore, tmp_path: Path) -> None:
    good = {"name": "Stepne", "scope": "article", "scope_key": "a" * 12, "action": "point",
            "target": {"lat": 47.8, "lon": 37.6}}
    lines = [json.dumps({"format": "conflictmap-corrections", "version": 1}),
             json.dumps(good),
             "{not json",
             json.dumps({**good, "action": "teleport"}),
             "",
             json.dumps({**good, "target": {"lat": 123, "lon": 37.6}}),
             json.dumps({**good, "colour": "red"}),
             json.dumps({**good, "uid": "same"}),
             json.dumps({**good, "uid": "same", "name": "Robotyne"})]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError) as caught:
        store.import_file(path)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 6", "line 7", "line 9"]
    assert "not JSON" in problems[0] and "teleport" in problems[1] and "latitude" in problems[2]
    assert "colour" in problems[3] and "line 8" in problems[4]
    assert store.list() == []
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="line 1: not a corrections export"):
        store.import_file(path)


def test_an_import_conflicting_with_a_stored_correction_imports_nothing(store: CorrectionStore,
                                                                       tmp_path: Path) -> None:
    c = store.add("Stepne", Scope.article("a" * 12), "point", point())
    record = {**c.to_json(), "target": {"lat": 1.0, "lon": 1.0}}       # same uid, other content
    fresh = {**c.to_json(), "uid": "new-one", "name": "Robotyne"}
    path = tmp_path / "conflict.jsonl"
    path.write_text("\n".join([json.dumps({"format": "conflictmap-corrections", "version": 1}), json.dumps(fresh),
                               json.dumps(record)]) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="line 3: .*other content"):
        store.import_file(path)
    assert [x.uid for x in store.list()] == [c.uid]                     # line 2 was rolled back too


def header(version: object = 1) -> str:
    return json.dumps({"format": "conflictmap-corrections", "version": version})


GOOD = {"name": "Stepne", "scope": "article", "scope_key": "a" * 12, "action": "point",
        "target": {"lat": 47.8, "lon": 37.6}}


@pytest.mark.parametrize(("line", "words"), [
    ('{"name": "Stepne", "scope": "article", "scope_key": "aaaaaaaaaaaa", "action": "point", '
     '"target": {"lat": ' + "9" * 400 + ', "lon": 37.6}}', "target lat is not a number in range"),
    ('{"name": "Stepne", "scope": "article", "scope_key": "aaaaaaaaaaaa", "action": "point", '
     '"target": {"lat": 1e400, "lon": 37.6}}', "latitude inf"),
    ('{"name": "Stepne", "scope": "article", "scope_key": "aaaaaaaaaaaa", "action": "point", '
     '"target": {"lat": NaN, "lon": 37.6}}', "latitude nan"),
    ('{"name": "Step\\ud800ne", "scope": "article", "scope_key": "aaaaaaaaaaaa", "action": "not_a_place"}',
     "name holds a lone surrogate"),
    (json.dumps({**GOOD, "note": "\ud800"}), "note holds a lone surrogate"),
    (json.dumps({**GOOD, "note": "x" * 3000}), "note is longer than 2,000 characters"),
    (json.dumps({**GOOD, "name": "x" * 400}), "name is longer than 300 characters"),
    (json.dumps({**GOOD, "target": {"lat": 1, "lon": 2, "raw": "x" * 40_000}}), "target raw is longer"),
    (json.dumps({**GOOD, "\ud800\x1b[31m": 1}), "unknown field(s): '\\ud800\\x1b[31m'"),
])
def test_bad_values_are_line_numbered_errors_not_tracebacks(store: CorrectionStore, tmp_path: Path, line: str,
                                                            words: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([header(), json.dumps(GOOD), line]) + "\n", encoding="utf-8", errors="surrogatepass")
    with pytest.raises(CorrectionImportError) as caught:
        store.import_file(path)
    [problem] = caught.value.problems
    assert problem.startswith("line 3: ") and words in problem, problem
    assert store.list() == []


@pytest.mark.parametrize("version", [-5, 0, 2, "1", True, None, 1.0])
def test_a_header_with_another_version_is_refused(store: CorrectionStore, tmp_path: Path, version: object) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text(header(version) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="line 1: format version"):
        store.import_file(path)
    assert store.list() == []


def test_an_import_is_capped_in_bytes_line_length_and_rows(store: CorrectionStore, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CorrectionImportError, match="larger than 20 MB"):
        store.import_file("/dev/zero")                                  # stops reading at 20 MB
    long_line = tmp_path / "long.jsonl"
    long_line.write_text(header() + "\n" + json.dumps({**GOOD, "note": "x" * 70_000}) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="line 2: longer than 65,536 characters"):
        store.import_file(long_line)
    monkeypatch.setattr(corrections, "MAX_IMPORT_RECORDS", 3)
    many = tmp_path / "many.jsonl"
    many.write_text("\n".join([header()] + [json.dumps({**GOOD, "name": f"Village {n}"}) for n in range(5)]) + "\n",
                    encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="line 5: more than 3 corrections in one file"):
        store.import_file(many)
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text(header() + "\n" + "x\n" * 500, encoding="utf-8")
    with pytest.raises(CorrectionImportError) as caught:
        store.import_file(garbage)
    assert len(caught.value.problems) == 101 and "stopped after 100 problems" in caught.value.problems[-1]
    assert store.list() == []


def test_the_corrections_that_apply_at_once_are_capped(store: CorrectionStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corrections, "MAX_ACTIVE", 2)
    store.add("Stepne", Scope.article("a" * 12), "not_a_place")
    store.add("Robotyne", Scope.article("a" * 12), "not_a_place")
    with pytest.raises(CorrectionError, match="2 corrections apply already"):
        store.add("Orikhiv", Scope.article("a" * 12), "not_a_place")
    path = tmp_path / "one.jsonl"
    path.write_text(header() + "\n" + json.dumps({**GOOD, "name": "Orikhiv"}) + "\n", encoding="utf-8")
    with pytest.raises(CorrectionImportError, match="3 corrections would apply"):
        store.import_file(path)
    store.undo(1)
    assert store.import_file(path).added == 1 and len(store.active()) == 2


def test_cli_list_escapes_terminal_control_characters_in_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    CorrectionStore().add("Stepne", Scope.article("a" * 12), "not_a_place",
                          note="\x1b]0;owned\x07\x1b[2J\u202egnp.exe \u2028next")
    code, out, _ = run(capsys, "corrections", "list")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out and "\x07" not in out and "\u2028" not in out
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202egnp.exe \\u2028next" in out


# -- a damaged store: detected on open, reported, the last good copy restored, nothing silently lost ----

def two_corrections(path: Path) -> tuple[CorrectionStore, list[Correction]]:
    store = CorrectionStore(path)
    store.add("Stepne", Scope.article("a" * 12), "point", point(), note="checked")
    store.add("Robotyne", Scope.container(DONETSK_OBLAST, "Donetsk oblast"), "not_a_place")
    return store, store.active()


def tamper(path: Path, sql: str, *params: object) -> None:
    con = sqlite3.connect(path)
    con.execute(sql, params)
    con.commit()
    con.close()


BAD_TARGETS = ["{not json", '{"lat": 999, "lon": 37.6}', '{"lat": NaN, "lon": 37.6}', '{"lat": Infinity, "lon": 1}',
               '{"lat": 47.8}', '"a string"', "[" * 5000 + "]" * 5000]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_a_damaged_row_is_found_on_open_and_the_last_good_copy_restored(tmp_path: Path, target: str) -> None:
    path = tmp_path / "corrections.sqlite3"
    _, before = two_corrections(path)
    tamper(path, "UPDATE corrections SET target = ? WHERE id = 1", target)
    store = CorrectionStore(path)
    [problem] = store.problems
    assert "was damaged (1 damaged correction: #1: " in problem and "last good copy (2 corrections" in problem
    assert store.active() == before                                   # nothing lost, nothing changed
    [aside] = tmp_path.glob("corrections.sqlite3.damaged-*")
    assert sqlite3.connect(aside).execute("SELECT target FROM corrections WHERE id = 1").fetchone()[0] == target


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_without_a_good_copy_a_damaged_row_is_said_never_applied_and_repair_sets_it_aside(
        tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = use_data_dir(tmp_path / "data", monkeypatch) / "corrections.sqlite3"
    _, before = two_corrections(path)
    tamper(path, "UPDATE corrections SET target = ? WHERE id = 1", target)
    (tmp_path / "data" / "corrections.sqlite3.bak").unlink()
    store = CorrectionStore(path)
    assert "has no good copy to restore" in store.problems[0]
    with pytest.raises(CorrectionError, match="holds 1 damaged correction .#1: ") as caught:
        store.snapshot()                                               # the page says this, no traceback
    assert "check --repair" in str(caught.value)
    with pytest.raises(CorrectionError, match="damaged"):
        store.active()
    assert store.list() == before[1:] and list(store.damaged) == [1]
    code, out, err = run(capsys, "corrections", "list")
    assert code == 0 and "#1 DAMAGED" in out and "#2 robotyne" in out and "no good copy" in err
    code, out, _ = run(capsys, "places", str(tmp_path / "none.txt"))
    assert code != 0
    code, out, _ = run(capsys, "corrections", "check")
    assert code == 1 and "#1 DAMAGED" in out
    code, out, _ = run(capsys, "corrections", "check", "--repair")
    assert code == 0 and "set aside 1 damaged correction (#1)" in out
    [copy] = (tmp_path / "data").glob("corrections.sqlite3.damaged-*")
    assert sqlite3.connect(copy).execute("SELECT target FROM corrections WHERE id = 1").fetchone()[0] == target
    assert CorrectionStore(path).active() == before[1:]
    assert run(capsys, "corrections", "check")[0] == 0


def test_a_row_changed_outside_the_program_fails_its_checksum(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    _, before = two_corrections(path)
    tamper(path, "UPDATE corrections SET name = 'stepme' WHERE id = 1")      # valid, but not what was stored
    store = CorrectionStore(path)
    assert "checksum" in store.problems[0] and store.active() == before


def test_a_file_emptied_to_zero_bytes_is_restored_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    _, before = two_corrections(path)
    path.write_bytes(b"")
    store = CorrectionStore(path)
    assert "was damaged (it is empty (0 bytes))" in store.problems[0]
    assert store.active() == before


def test_a_file_that_is_not_a_database_is_restored_from_the_copy(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    _, before = two_corrections(path)
    path.write_bytes(b"this is not a database at all" * 100)
    store = CorrectionStore(path)
    assert "not a database SQLite can read" in store.problems[0] and store.active() == before


def test_single_bit_flips_never_change_a_correction_silently(tmp_path: Path) -> None:
    """300 single-bit flips anywhere in the file: each is found (the copy restored, or a message),
    or lands where it changes nothing; the corrections that apply are never other than stored."""
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    _, before = two_corrections(pristine / "corrections.sqlite3")
    data = (pristine / "corrections.sqlite3").read_bytes()
    rng = random.Random(19)
    outcomes: dict[str, int] = {}
    for n in range(300):
        folder = tmp_path / f"flip{n}"
        folder.mkdir()
        shutil.copy(pristine / "corrections.sqlite3.bak", folder / "corrections.sqlite3.bak")
        flipped = bytearray(data)
        bit = rng.randrange(len(flipped) * 8)
        flipped[bit // 8] ^= 1 << (bit % 8)
        (folder / "corrections.sqlite3").write_bytes(bytes(flipped))
        try:
            store = CorrectionStore(folder / "corrections.sqlite3")
            assert store.active() == before, f"bit {bit}"
            outcome = "restored" if store.problems else "harmless"
        except CorrectionError:
            outcome = "refused"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes.get("restored", 0) > 0 and "refused" not in outcomes, outcomes


def test_the_store_and_its_copy_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    two_corrections(path)
    for f in (path, tmp_path / "corrections.sqlite3.bak"):
        assert f.stat().st_mode & 0o777 == 0o600, f
    path.chmod(0o644)                                                  # made by an older version
    CorrectionStore(path)
    assert path.stat().st_mode & 0o777 == 0o600


# -- the command line --------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def stepne_record(capsys, path: Path, *extra: str) -> dict:
    code, out, _ = run(capsys, "places", str(path), "--format", "json", "--fast", *extra)
    assert code == 0
    return next(r for r in json.loads(out) if r["name"] == "Stepne")


def test_places_and_annotate_apply_corrections_until_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    article = tmp_path / "a.txt"
    article.write_text(TEXT_A, encoding="utf-8")
    engine_record = stepne_record(capsys, article)
    assert engine_record["precision"] == "admin1" and engine_record["placed_by"] == "gazetteer"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": TEXT_A}) + "\n", encoding="utf-8")
    code, engine_annotated, _ = run(capsys, "annotate", str(jsonl), "--fast")
    assert code == 0

    code, out, _ = run(capsys, "corrections", "add", "--article", str(article), "--name", "Stepne",
                       "--point", "47.81,37.62", "--note", "seen on the video")
    assert code == 0 and out.startswith("added #1 stepne in article ")
    corrected = stepne_record(capsys, article)
    assert (corrected["lat"], corrected["lon"], corrected["precision"]) == (47.81, 37.62, "exact")
    assert (corrected["placed_by"], corrected["correction"], corrected["country"]) == ("correction", 1, "UA")
    code, out, err = run(capsys, "places", str(article), "--fast")
    assert "correction #1" in out and "applying your 1 correction" in err
    code, out, _ = run(capsys, "places", str(article), "--format", "csv", "--fast")
    assert ",47.81,37.62,exact," in out and ",correction,1," in out
    code, annotated, _ = run(capsys, "annotate", str(jsonl), "--fast")
    [toponym] = [t for t in json.loads(annotated)["toponyms"] if t["name"] == "Stepne"]
    assert (toponym["lat"], toponym["placed_by"], toponym["correction"]) == (47.81, "correction", 1)
    assert all("placed_by" not in t for t in json.loads(annotated)["toponyms"] if t["name"] != "Stepne")

    assert stepne_record(capsys, article, "--no-corrections") == engine_record
    assert run(capsys, "annotate", str(jsonl), "--fast", "--no-corrections")[1] == engine_annotated
    code, out, _ = run(capsys, "corrections", "undo", "1")
    assert code == 0 and "undone: #1" in out
    assert stepne_record(capsys, article) == engine_record
    assert run(capsys, "annotate", str(jsonl), "--fast")[1] == engine_annotated


def test_cli_container_scope_and_not_a_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    files = {}
    for k, text in (("b", TEXT_B), ("c", TEXT_C)):
        files[k] = tmp_path / f"{k}.txt"
        files[k].write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "corrections", "add", "--container", "Donetsk oblast", "--name", "Stepne",
                       "--choose", str(KRAMATORSK))
    assert code == 0 and "near Donetska oblast: chose Kramatorsk (geonameid 704508)" in out
    code, out, _ = run(capsys, "places", str(files["b"]), str(files["c"]), "--format", "json", "--fast")
    stepnes = {r["country"] + str(r["correction"]): r for r in json.loads(out) if r["name"] == "Stepne"}
    assert set(stepnes) == {"UA1", "UANone"} and stepnes["UA1"]["geonameid"] == KRAMATORSK
    code, out, _ = run(capsys, "corrections", "add", "--container", "admin1:UA.26", "--name", "Stepne",
                       "--not-a-place")
    assert code == 0
    code, out, _ = run(capsys, "places", str(files["c"]), "--format", "json", "--fast")
    assert "Stepne" not in {r["name"] for r in json.loads(out)}


def test_cli_list_export_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    code, _, err = run(capsys, "corrections", "list")
    assert code == 0 and "no corrections" in err
    run(capsys, "corrections", "add", "--article", "a" * 12, "--name", "Stepne", "--point", "47.81,37.62")
    run(capsys, "corrections", "add", "--article", "a" * 12, "--name", "Robotyne", "--not-a-place")
    run(capsys, "corrections", "undo", "2")
    code, out, _ = run(capsys, "corrections", "list")
    assert out.splitlines()[0].startswith("#1 stepne in article aaaaaaaaaaaa: point 47.81000, 37.62000")
    assert "(undone" in out.splitlines()[1]
    assert len(run(capsys, "corrections", "list", "--active")[1].splitlines()) == 1
    shared = tmp_path / "shared.jsonl"
    code, out, _ = run(capsys, "corrections", "export", str(shared))
    assert code == 0 and "exported 2 corrections" in out
    assert run(capsys, "corrections", "export", "-")[1].splitlines()[1:] == \
        shared.read_text(encoding="utf-8").splitlines()[1:]
    use_data_dir(tmp_path / "teammate", monkeypatch)
    code, out, _ = run(capsys, "corrections", "import", str(shared))
    assert code == 0 and out.strip() == "imported 2 corrections"
    code, out, _ = run(capsys, "corrections", "import", str(shared))
    assert out.strip() == "imported 0 corrections; skipped 2 already stored"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(shared.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
    code, _, err = run(capsys, "corrections", "import", str(bad))
    assert code == 1 and "nothing imported" in err and "line 4: not JSON" in err


@pytest.mark.parametrize(("args", "words"), [
    (["--article", "nonsense", "--name", "X", "--not-a-place"], "neither an article id"),
    (["--article", "a" * 12, "--name", "X", "--point", "north"], "is not LAT,LON"),
    (["--article", "a" * 12, "--name", "X", "--point", "95,10"], "latitude"),
    (["--container", "Xqzzyplorbville", "--name", "X", "--not-a-place"], "no place called"),
    (["--article", "a" * 12, "--name", "X", "--choose", "999999999"], "no gazetteer entry"),
])
def test_cli_add_refuses_bad_input_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], args: list[str],
                                                 words: str) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    code, out, err = run(capsys, "corrections", "add", *args)
    assert code == 1 and words in err and "Traceback" not in err
    assert CorrectionStore.active_in() == []


def test_cli_undo_of_an_unknown_correction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    use_data_dir(tmp_path / "data", monkeypatch)
    code, _, err = run(capsys, "corrections", "undo", "5")
    assert code == 1 and "no correction #5" in err


def test_a_correction_survives_for_the_next_command_in_a_new_process(tmp_path: Path) -> None:
    env = {**os.environ, "CONFLICTMAP_DATA": str(use_data_dir(tmp_path / "data"))}
    article = tmp_path / "a.txt"
    article.write_text(TEXT_A, encoding="utf-8")

    def geo(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    geo("corrections", "add", "--article", str(article), "--name", "Stepne", "--point", "47.81,37.62")
    [feature] = [f for f in json.loads(geo("places", str(article), "--fast", "--format", "geojson"))["features"]
                 if f["properties"]["name"] == "Stepne"]
    assert feature["geometry"]["coordinates"] == [37.62, 47.81]
    assert feature["properties"]["placed_by"] == "correction" and feature["properties"]["correction"] == 1


# -- who made a correction: a page user undoes only their own ------------------------------------------

MINE, THEIRS = "ab" * 16, "cd" * 16


def test_a_correction_keeps_who_made_it_and_only_they_undo_it(store: CorrectionStore, tmp_path: Path) -> None:
    mine = store.add("Stepne", Scope.article("a" * 12), "point", point(), author=MINE)
    theirs = store.add("Robotyne", Scope.article("a" * 12), "not_a_place", author=THEIRS)
    cli = store.add("Kreminna", Scope.article("a" * 12), "not_a_place")
    assert [c.author for c in CorrectionStore(store.path).active()] == [MINE, THEIRS, ""]
    for other in (theirs, cli):
        with pytest.raises(CorrectionError, match="made by someone else"):
            store.undo(other.id, author=MINE)
    assert store.undo(mine.id, author=MINE).undone and store.undo(theirs.id).undone     # the command line: any
    with pytest.raises(CorrectionError, match="key of up to 64 hexadecimal"):
        store.add("Stepne", Scope.article("a" * 12), "not_a_place", author="<script>")
    exported = list(store.export_lines())
    assert MINE not in "".join(exported) and THEIRS not in "".join(exported)       # local, like the id
    elsewhere = CorrectionStore(tmp_path / "elsewhere.sqlite3")
    elsewhere.import_lines(exported)
    assert {c.author for c in elsewhere.list()} == {""}


def test_an_author_changed_outside_the_program_fails_its_checksum(tmp_path: Path) -> None:
    path = tmp_path / "corrections.sqlite3"
    store = CorrectionStore(path)
    store.add("Stepne", Scope.article("a" * 12), "point", point(), author=THEIRS)
    tamper(path, "UPDATE corrections SET author = ? WHERE id = 1", MINE)        # claiming someone's correction
    reopened = CorrectionStore(path)
    assert "checksum" in reopened.problems[0] and [c.author for c in reopened.active()] == [THEIRS]


def test_a_store_written_before_authors_opens_verified_and_its_old_copy_restores(tmp_path: Path) -> None:
    """A file of schema 2 (no author column) and its copy: opened, migrated, every row still verifies."""
    from geo.files.sqlitedb import Database

    path = tmp_path / "corrections.sqlite3"
    old = Database(path, corrections.MIGRATIONS[:2], what="corrections database", keep_backup=True)
    values = ("u" * 32, "2026-01-01T00:00:00Z", "stepne", "article", "a" * 12, "", "not_a_place", None, "", None)
    with old.write() as con:
        con.execute("INSERT INTO corrections (uid, created, name, scope, scope_key, scope_label, action, target, "
                    "note, undone, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, corrections._checksum(values)))
    shutil.copy(path, tmp_path / "pristine")
    store = CorrectionStore(path)
    assert not store.problems and [(c.name, c.author) for c in store.active()] == [("stepne", "")]
    path.write_bytes(b"damaged" * 100)                    # the copy now is the new schema's; put the old one back
    shutil.copy(tmp_path / "pristine", tmp_path / "corrections.sqlite3.bak")
    restored = CorrectionStore(path)
    assert "last good copy (1 correction" in restored.problems[0]
    assert [(c.name, c.author) for c in restored.active()] == [("stepne", "")]
