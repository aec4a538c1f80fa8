"""The corpus store (geo/store/corpus): runs on a real Dask LocalCluster of worker processes, with the
real gazetteer (fast mode), resumed after a lost part and after a kill, bad records, dates, corrections,
events, and the DuckDB commands (stats, query, export)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from geo.cli import main
from geo.files.articles import article_from_bytes, article_from_text
from geo.store.corpus.browse import StoreFilter, passages, place_rows, sources, timeline
from geo.store.corpus.dates import article_date, record_day
from geo.store.corpus.export import DateRange, export_geojson
from geo.store.corpus.parquet import SCHEMAS
from geo.store.corpus.query import connect, store_stats
from geo.store.corpus.records import InputRecord, Problem, read_input
from geo.store.corpus.run import RunOptions, run_corpus
from geo.store.corrections import CorrectionStore, Scope, Target

REPO = Path(__file__).resolve().parents[1]
TOWNS = ("Kramatorsk", "Kharkiv", "Mariupol", "Odesa", "Zaporizhzhia", "Sloviansk", "Kherson", "Bakhmut")


def _story(i: int) -> str:
    a, b, c = TOWNS[i % 8], TOWNS[(i * 3 + 1) % 8], TOWNS[(i * 5 + 2) % 8]
    return (f"Report {i}. Shelling hit {a} overnight, officials in {b} said.\n\n"
            f"Residents fled to {c}, Ukraine, while fighting went on near {a}.")


def _jsonl(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        record = {"id": f"r{i:03d}", "text": _story(i), "title": f"Report {i}", "source": "Wire" if i % 2 else "Post"}
        if i % 3 == 0:
            record["date"] = f"2022-04-{1 + i % 28:02d}T08:00:00Z"
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows(store: Path, sql: str) -> list[tuple]:
    return connect(store).execute(sql).fetchall()


@pytest.fixture(scope="module")
def cluster(index):
    """Two worker processes, shared by the runs that go through `--scheduler` (after the session's index
    is built or loaded here: the workers then only load it, instead of each building it at once)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as c:
        yield c


def _options(cluster, **kw) -> RunOptions:
    return RunOptions(scheduler=cluster.scheduler_address, fast=True, progress=False, **kw)


# -- dates -----------------------------------------------------------------------------------------

def test_dates_from_the_record_the_page_metadata_and_a_dateline() -> None:
    def page(head: str, body: str = "<p>Shelling hit Kharkiv.</p>") -> bytes:
        return f"<html><head>{head}<title>T</title></head><body><article>{body}</article></body></html>".encode()

    meta = '<meta property="article:published_time" content="2022-04-21T09:30:00Z">'
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-03-02"}</script>'
    time_tag = '<time datetime="2022-02-03T10:00">3 Feb</time>'
    cases = [
        (page(meta + ld, time_tag), ("2022-04-21", "article:published_time")),   # the meta tag first
        (page(ld, time_tag), ("2022-03-02", "json-ld")),                          # then JSON-LD
        (page("", time_tag + "<p>Kyiv, 1 May 2023. Shelling.</p>"), ("2022-02-03", "time")),
        (page("", "<p>KYIV, 1 May 2023 - Shelling hit the city.</p>"), ("2023-05-01", "dateline")),
        (page(""), ("", "")),
    ]
    for data, expected in cases:
        article = article_from_bytes(data, "page.html")
        assert (article.date, article.date_source) == expected
        assert article_date(None, article) == expected
    # the record's own date wins over the page's; a date the record gives unreadably falls through
    article = article_from_bytes(page(meta), "page.html")
    assert article_date("2021-12-31", article) == ("2021-12-31", "record")
    assert article_date("04/05/2022", article) == ("2022-04-21", "article:published_time")
    assert [record_day(v) for v in ("2022-04-21T23:59:00-05:00", "21 April 2022", "April 21, 2022", "2022-02-30",
                                    "", 20220421)] == ["2022-04-21", "2022-04-21", "2022-04-21", "", "", ""]
    assert article_from_text("Kramatorsk, 21 April 2022 - Shelling.").date_source == "dateline"


# -- input -----------------------------------------------------------------------------------------

def test_bad_records_are_listed_by_line_and_the_others_read(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "a", "text": "Shelling hit Kharkiv."}\n'
                     b'{"id": "b", "text": \n'                    # bad JSON
                     b'\n'
                     b'{"id": "c", "title": "no text"}\n'
                     b'{"id": "d", "text": 5}\n'
                     b'{"id": "a", "text": "Another text."}\n'    # the id of line 1
                     b'{"id": "e", "text": "caf\xe9"}\n'          # not UTF-8
                     b'["not", "an", "object"]\n'
                     b'{"text": "No id: known by its text."}\n')
    items = list(read_input(path))
    problems = {p.where: p.message for p in items if isinstance(p, Problem)}
    assert set(problems) == {"line 2", "line 4", "line 5", "line 6", "line 7", "line 8"}
    assert "not a JSON object" in problems["line 2"] and "no text" in problems["line 4"]
    assert "not a string" in problems["line 5"] and "line 1" in problems["line 6"]
    assert "not UTF-8" in problems["line 7"]
    records = [r for r in items if isinstance(r, InputRecord)]
    assert [r.id for r in records][0] == "a" and len(records[1].id) == 12      # the text's article id


# -- runs ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("articles")
    (root / "sub").mkdir()
    (root / "a.txt").write_text("Kharkiv, 21 April 2022 - Shelling hit Kharkiv and Izium overnight.", encoding="utf-8")
    (root / "b.md").write_text("# Odesa port\n\nA drone struck the port of Odesa, Ukraine.", encoding="utf-8")
    (root / "sub" / "c.html").write_text(
        '<html><head><meta property="article:published_time" content="2022-03-05T10:00:00Z"><title>Mariupol</title>'
        '</head><body><article><p>Fighting went on in Mariupol and near Donetsk.</p></article></body></html>',
        encoding="utf-8")
    (root / "empty.txt").write_text("  \n", encoding="utf-8")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (root / "notes.csv").write_text("not,an,article\n", encoding="utf-8")    # not an article's suffix
    return root


@pytest.fixture(scope="module")
def folder_store(cluster, folder, tmp_path_factory) -> tuple[Path, object]:
    store = tmp_path_factory.mktemp("stores") / "folder.store"
    return store, run_corpus(folder, store, _options(cluster), say=lambda line: None)


def test_a_folder_into_a_store_with_dates_and_bad_files_listed(folder_store) -> None:
    store, report = folder_store
    assert report.parsed == 3 and report.workers == 2
    problems = {p.where: p.message for p in report.problems}
    assert set(problems) == {"file binary.txt", "file empty.txt"}
    assert "binary" in problems["file binary.txt"] and "empty" in problems["file empty.txt"]
    assert _rows(store, "SELECT id, date, date_source, title FROM articles ORDER BY id") == [
        ("a.txt", dt.date(2022, 4, 21), "dateline",
         "Kharkiv, 21 April 2022 - Shelling hit Kharkiv and Izium overnight."),
        ("b.md", None, None, "Odesa port"),
        ("sub/c.html", dt.date(2022, 3, 5), "article:published_time", "Mariupol"),
    ]
    names = {r[0] for r in _rows(store, "SELECT p.name FROM mentions m JOIN places p ON p.key = m.place_key")}
    assert {"Kharkiv", "Izium", "Odesa", "Mariupol"} <= names
    # the store is plain Parquet, one file per part and table, in the documented schema
    assert json.loads((store / "corpus.json").read_text()) == {"format": 1}
    for table, schema in SCHEMAS.items():
        files = sorted((store / table).iterdir())
        assert [f.name for f in files] == ["part-00000001.parquet"]
        assert pq.read_schema(files[0]).remove_metadata() == schema


def test_stats_query_and_export_on_the_command_line(folder_store, capsys) -> None:
    store, _ = folder_store
    assert main(["corpus", "stats", str(store), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert {k: stats[k] for k in ("articles", "undated", "first_date", "last_date")} == {
        "articles": 3, "undated": 1, "first_date": "2022-03-05", "last_date": "2022-04-21"}
    assert stats["mentions"] >= 6 and stats["places"] >= 5 and len(stats["engine_version"]) == 16
    assert main(["corpus", "query", str(store), "SELECT id, date FROM articles ORDER BY id", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id,date", "a.txt,2022-04-21", "b.md,", "sub/c.html,2022-03-05"]
    assert main(["corpus", "query", str(store), "SELECT count(*) AS n FROM texts"]) == 0
    assert capsys.readouterr().out.split() == ["n", "3", "(1", "row)"]
    assert main(["corpus", "query", str(store), "SELECT nonsense FROM nowhere"]) == 1
    assert "the query failed" in capsys.readouterr().err
    assert main(["corpus", "export", str(store), "--format", "geojson", "--from", "2022-04-01",
                 "--to", "2022-04-30"]) == 0
    features = json.loads(capsys.readouterr().out)["features"]
    assert {f["properties"]["name"] for f in features} >= {"Kharkiv", "Izium"}
    assert all(f["properties"]["first_date"] == "2022-04-21" for f in features)     # only April's article
    assert main(["corpus", "export", str(store), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("article_id,article_title,date") and len(lines) == 1 + stats["mentions"]
    assert any("Shelling hit Kharkiv" in line for line in lines)        # the passage travels with the mention
    assert main(["corpus", "export", str(store), "--format", "csv", "--from", "2022-05-02", "--to", "2022-05-01"]) == 2
    assert main(["corpus", "stats", str(store.parent)]) == 2                            # not a store
    assert "not a corpus store" in capsys.readouterr().err


def test_one_worker_and_two_give_the_same_rows_and_a_resume_adds_only_what_is_missing(cluster, tmp_path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", 24)
    one, two = tmp_path / "one.store", tmp_path / "two.store"
    report = run_corpus(source, one, RunOptions(workers=1, fast=True, progress=False, batch_size=5, part_articles=5))
    assert (report.parsed, report.workers, report.parts) == (24, 1, 5)
    run_corpus(source, two, _options(cluster, batch_size=3, part_articles=7))
    tables = ("SELECT * EXCLUDE (engine_version) FROM articles ORDER BY id",
              "SELECT * FROM mentions ORDER BY article_id, start", "SELECT * FROM places ORDER BY key")
    for sql in tables:
        assert _rows(one, sql) == _rows(two, sql)
    # lose the last part's articles file (a kill between its files): its other files are ignored, then removed
    last = sorted((one / "articles").glob("part-*.parquet"))[-1]
    lost = pq.read_table(last).num_rows
    last.unlink()
    assert store_stats(connect(one))["articles"] == 24 - lost
    report = run_corpus(source, one, _options(cluster))
    assert (report.parsed, report.already) == (lost, 24 - lost)
    for sql in tables:
        assert _rows(one, sql) == _rows(two, sql)
    assert len(list((one / "mentions").glob("part-*.parquet"))) == 5      # the orphan was removed
    assert run_corpus(source, one, _options(cluster)).parsed == 0           # nothing is missing: no cluster work


def test_a_killed_run_resumes_with_every_article_once(cluster, tmp_path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", 120)
    store = tmp_path / "killed.store"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "corpus", "run", str(source), str(store), "--fast",
                             "--scheduler", cluster.scheduler_address, "--batch-size", "1", "--part-size", "4",
                             "--no-progress"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((store / "articles").glob("part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = store_stats(connect(store))["articles"]
    assert 0 < stored < 120                       # killed half way, with what it had written kept
    report = run_corpus(source, store, _options(cluster))
    assert report.parsed == 120 - stored and report.already == stored
    assert _rows(store, "SELECT count(*), count(DISTINCT id) FROM articles") == [(120, 120)]
    assert _rows(store, "SELECT count(*) FROM (SELECT DISTINCT article_id, start FROM mentions)") == \
        _rows(store, "SELECT count(*) FROM mentions")


def test_another_engine_version_is_reported_and_reparsed_on_request(cluster, tmp_path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", 6)
    store = tmp_path / "v.store"
    current = run_corpus(source, store, _options(cluster)).engine_version
    for path in (store / "articles").glob("part-*.parquet"):      # as if an older engine had parsed them
        table = pq.read_table(path)
        i = table.schema.get_field_index("engine_version")
        pq.write_table(table.set_column(i, "engine_version", pc.replace_substring(table["engine_version"],
                                                                                  current, "0ld")), path)
    notes = []
    report = run_corpus(source, store, _options(cluster), say=notes.append)
    assert (report.parsed, report.outdated, report.outdated_versions) == (0, 6, {"0ld"})
    assert "--reparse" in notes[0] and "0ld" in notes[0]
    report = run_corpus(source, store, _options(cluster, reparse=True))
    assert (report.parsed, report.reparsed) == (6, 6)
    assert _rows(store, "SELECT engine_version, count(*), count(DISTINCT id) FROM articles GROUP BY 1") == [
        (current, 6, 6)]
    # --country reaches the workers' parsers and is part of the engine version
    report = run_corpus(source, store, _options(cluster, country=("ua",)))
    assert report.engine_version != current and (report.outdated, report.outdated_versions) == (6, {current})
    report = run_corpus(source, store, _options(cluster, country=("ua",), reparse=True))
    assert report.reparsed == 6 and report.workers == 2


def test_corrections_apply_to_a_stores_places(folder_store, tmp_path) -> None:
    store, _ = folder_store
    corrections = CorrectionStore(tmp_path / "corrections.sqlite3")
    text_id = _rows(store, "SELECT text_hash FROM articles WHERE id = 'a.txt'")[0][0]
    corrections.add("Izium", Scope.article(text_id), "not_a_place")
    moved = corrections.add("Odesa", Scope.container("country:UA"), "point",
                            Target(lat=46.5, lon=30.7, name="Odesa port", kind="facility", country="UA"))
    con = connect(store, corrections.active())
    names = {r[0] for r in con.execute("SELECT name FROM mentions").fetchall()}
    assert "Izium" not in names and "Kharkiv" in names
    assert con.execute("SELECT name, kind, lat, lon, placed_by, correction FROM places WHERE key LIKE 'corrected:%'"
                       ).fetchall() == [("Odesa", "facility", 46.5, 30.7, "correction", moved.id)]
    assert con.execute("SELECT DISTINCT place_key, placed_by FROM mentions WHERE name = 'Odesa'").fetchall() == [
        (f"corrected:{moved.id}", "correction")]
    assert store_stats(con)["corrected_mentions"] >= 1
    corrections.undo(moved.id)                   # undone: the engine's place comes back
    con = connect(store, corrections.active())
    assert con.execute("SELECT count(*) FROM places WHERE key LIKE 'corrected:%'").fetchone() == (0,)
    out = tmp_path / "places.geojson"
    with open(out, "w", encoding="utf-8") as f:
        export_geojson(con, f, DateRange.parse("2022-03-01", None).filter())
    assert "Odesa" not in out.read_text(encoding="utf-8")         # b.md is undated: outside any range


def test_what_a_page_asks_of_a_store_is_answered_by_queries(folder_store) -> None:
    store, _ = folder_store
    con = connect(store)
    everything = place_rows(con, StoreFilter())
    by_name = {r["name"]: r for r in everything}
    assert {"Kharkiv", "Izium", "Odesa", "Mariupol"} <= set(by_name)
    assert by_name["Kharkiv"]["mentions"] == 2 and by_name["Kharkiv"]["first_date"] == dt.date(2022, 4, 21)
    assert [r["mentions"] for r in everything] == sorted((r["mentions"] for r in everything), reverse=True)
    april = StoreFilter(date_from=dt.date(2022, 4, 1), date_to=dt.date(2022, 4, 30))
    assert {r["name"] for r in place_rows(con, april)} == {"Kharkiv", "Izium"}
    assert {r["name"] for r in place_rows(con, StoreFilter(min_mentions=2))} == {"Kharkiv", "Odesa"}
    assert {r["kind"] for r in place_rows(con, StoreFilter(kinds=("country",)))} == {"country"}
    assert {r["name"] for r in place_rows(con, StoreFilter(search="DRONE"))} >= {"Odesa"}   # in the passage
    assert "Kharkiv" not in {r["name"] for r in place_rows(con, StoreFilter(search="drone"))}
    # the timeline keeps every condition but the date range it is picked on
    assert timeline(con, april) == timeline(con, StoreFilter()) == [(dt.date(2022, 3, 5), 2), (dt.date(2022, 4, 21), 3)]
    assert timeline(con, StoreFilter(search="Izium")) == [(dt.date(2022, 4, 21), 3)]
    rows, total = passages(con, by_name["Kharkiv"]["key"], StoreFilter(), page=0, size=1)
    assert total == 2 and len(rows) == 1
    assert rows[0]["passage"].startswith("Kharkiv, 21 April 2022") and rows[0]["article_id"] == "a.txt"
    second, _ = passages(con, by_name["Kharkiv"]["key"], StoreFilter(), page=1, size=1)
    assert second[0]["start"] > rows[0]["start"]
    assert sources(con) == []                     # a folder's articles have no source


# -- events ----------------------------------------------------------------------------------------

SHELLING, DRONE, CLASH = "Shelling/artillery/missile attack", "Air/drone strike", "Armed clash"


def test_each_articles_events_are_stored_with_their_place_and_date(folder_store) -> None:
    store, _ = folder_store
    assert _rows(store, "SELECT article_id, ordinal, event_type, sub_event_type, date, date_source, trigger, "
                        "place_name, place_precision FROM events ORDER BY article_id") == [
        ("a.txt", 0, "Explosions/Remote violence", SHELLING, dt.date(2022, 4, 21), "text", "Shelling", "Kharkiv",
         "exact"),
        ("b.md", 0, "Explosions/Remote violence", DRONE, None, None, "drone", "Odesa", "exact"),
        ("sub/c.html", 0, "Battles", CLASH, dt.date(2022, 3, 5), "article", "Fighting", "Mariupol", "exact"),
    ]
    # offsets index the article's text; the place key is the mention's; actors are a list
    rows = _rows(store, "SELECT e.start, e.\"end\", e.trigger, e.place_start, e.place_end, e.place_name, t.text, "
                        "e.place_key, m.place_key, e.actors, e.sentence_start, e.sentence_end FROM events e "
                        "JOIN texts t USING (article_id) JOIN mentions m "
                        "ON m.article_id = e.article_id AND m.start = e.place_start")
    assert len(rows) == 3
    for start, end, trigger, p_start, p_end, name, text, key, mention_key, actors, s_start, s_end in rows:
        assert text[start:end] == trigger and text[p_start:p_end] == name and key == mention_key
        assert actors == [] and s_start <= start < s_end and s_start <= p_start < s_end


def test_events_in_stats_query_and_exports(folder_store, capsys) -> None:
    store, _ = folder_store
    assert main(["corpus", "stats", str(store), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["events"], stats["undated_events"]) == (3, 1)
    assert stats["event_types"] == {"Explosions/Remote violence": 2, "Battles": 1}
    assert main(["corpus", "query", str(store), "SELECT sub_event_type, count(*) AS n FROM events GROUP BY 1 "
                                                "ORDER BY 1", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["sub_event_type,n", f"{DRONE},1", f"{CLASH},1", f"{SHELLING},1"]
    assert main(["corpus", "export", str(store), "--format", "geojson"]) == 0
    features = {f["properties"]["name"]: f["properties"] for f in json.loads(capsys.readouterr().out)["features"]}
    kharkiv = features["Kharkiv"]
    assert kharkiv["event_type"] == "Explosions/Remote violence"
    assert [(e["sub_event_type"], e["date"], e["date_source"], e["trigger"], e["article_id"])
            for e in kharkiv["events"]] == [(SHELLING, "2022-04-21", "text", "Shelling", "a.txt")]
    assert kharkiv["events"][0]["passage_id"].startswith("a.txt:")
    assert features["Izium"]["events"] == [] and features["Izium"]["event_type"] is None
    assert [e["date"] for e in features["Odesa"]["events"]] == [None]
    assert main(["corpus", "export", str(store), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    assert header[-6:] == ["event_type", "sub_event_type", "event_date", "date_source", "event_trigger", "actors"]
    rows = [dict(zip(header, r, strict=True)) for r in csv.reader(lines[1:])]
    events = {(r["article_id"], r["mention"]): (r["sub_event_type"], r["event_date"], r["event_trigger"])
              for r in rows if r["event_type"]}
    assert events == {("a.txt", "Kharkiv"): (SHELLING, "2022-04-21", "Shelling"),
                      ("b.md", "Odesa"): (DRONE, "", "drone"),
                      ("sub/c.html", "Mariupol"): (CLASH, "2022-03-05", "Fighting")}


def test_an_event_follows_its_places_correction(folder_store, tmp_path) -> None:
    store, _ = folder_store
    corrections = CorrectionStore(tmp_path / "corrections.sqlite3")
    moved = corrections.add("Odesa", Scope.container("country:UA"), "point",
                            Target(lat=46.5, lon=30.7, name="Odesa port", kind="facility", country="UA"))
    text_id = _rows(store, "SELECT text_hash FROM articles WHERE id = 'sub/c.html'")[0][0]
    corrections.add("Mariupol", Scope.article(text_id), "not_a_place")
    con = connect(store, corrections.active())
    assert con.execute("SELECT place_name, place_key FROM events ORDER BY article_id").fetchall() == [
        ("Kharkiv", con.execute("SELECT place_key FROM mentions WHERE name = 'Kharkiv' LIMIT 1").fetchone()[0]),
        ("Odesa", f"corrected:{moved.id}")]            # Mariupol is no place: its event has none
    assert store_stats(con)["events"] == 2


def test_the_page_counts_events_by_their_own_date_and_filters_them_by_type(folder_store) -> None:
    store, _ = folder_store
    con = connect(store)
    events = StoreFilter(unit="events")
    assert timeline(con, events) == [(dt.date(2022, 3, 5), 1), (dt.date(2022, 4, 21), 1)]      # undated: none
    assert timeline(con, StoreFilter(event_types=("Battles",))) == [(dt.date(2022, 3, 5), 1)]
    rows = {r["name"]: r for r in place_rows(con, events)}
    assert set(rows) == {"Kharkiv", "Odesa", "Mariupol"} and rows["Kharkiv"]["mentions"] == 1
    assert rows["Mariupol"]["event_type"] == "Battles" and rows["Mariupol"]["events"] == 1
    assert {r["name"] for r in place_rows(con, StoreFilter(event_types=("Explosions/Remote violence",)))} == {
        "Kharkiv", "Odesa"}
    # counting mentions, a place still says how many of them report an event, and its main type
    mentions = {r["name"]: r for r in place_rows(con, StoreFilter())}
    assert (mentions["Kharkiv"]["mentions"], mentions["Kharkiv"]["events"]) == (2, 1)
    assert mentions["Izium"]["event_type"] is None and mentions["Kharkiv"]["event_type"] == "Explosions/Remote violence"
    # a date range counting events keeps the events dated in it
    march = StoreFilter(unit="events", date_from=dt.date(2022, 3, 1), date_to=dt.date(2022, 3, 31))
    assert {r["name"] for r in place_rows(con, march)} == {"Mariupol"}
    rows, total = passages(con, mentions["Kharkiv"]["key"], StoreFilter())
    assert total == 2 and [r["sub_event_type"] for r in rows].count(SHELLING) == 1


def test_a_part_of_an_older_schema_is_read_by_column_name(folder_store, tmp_path) -> None:
    store, _ = folder_store
    old = tmp_path / "old.store"
    shutil.copytree(store, old)
    for table in SCHEMAS:           # the same articles again in a newer part, in the current schema
        data = pq.read_table(old / table / "part-00000001.parquet")
        data = data.set_column(data.schema.get_field_index("part"), "part", pa.array([2] * len(data), pa.int64()))
        pq.write_table(data, old / table / "part-00000002.parquet")
    first = old / "mentions" / "part-00000001.parquet"
    pq.write_table(pq.read_table(first).drop_columns(["confidence"]), first)    # as if written before that column
    for sql in ("SELECT * FROM mentions ORDER BY article_id, start", "SELECT * FROM events ORDER BY article_id",
                "SELECT * FROM places ORDER BY key"):
        assert _rows(old, sql) == _rows(store, sql)
