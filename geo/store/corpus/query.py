"""DuckDB over a store's Parquet files, in process: the views `articles`, `mentions`, `places`,
`events` and `texts`, with the user's corrections applied as they are to loose articles.

    >>> con = connect("reports.store", corrections=CorrectionStore.active_in())
    >>> con.execute("SELECT name, count(*) FROM mentions GROUP BY 1 ORDER BY 2 DESC LIMIT 5").fetchall()
    >>> store_stats(con)["articles"]

The views hide the store's mechanics: each article's newest part only (a re-parsed article counts once,
an incomplete part not at all), one `places` row per place key (the attributes of the article with the
smallest id that names it, so that 1 or 200 workers give the same rows). Corrections are applied when
the views are read, never written into the store: a correction made or undone later changes what the
next query sees, like the dashboard's. A correction applies to a mention with its name in the article
it names (by the article's text id, `articles.text_hash`) or in a container the mention lies in; the
article's own correction wins, then the newest; "not a place" drops the mention; the others move it to
a place of their own, `corrected:<id>` (see geo.store.corrections). An event follows the mention it is
tied to: to its corrected place, or out of the view with a mention that is "not a place".
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from geo.store.corpus.parquet import SCHEMAS, TABLES, CorpusStore, empty_table
from geo.store.corrections import Correction

_CORRECTIONS = pa.schema([
    ("id", pa.int64()), ("name", pa.string()), ("scope", pa.string()), ("scope_key", pa.string()),
    ("action", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("tname", pa.string()),
    ("tkind", pa.string()), ("tcountry", pa.string()), ("tgeonameid", pa.int64()), ("precision", pa.string()),
    ("placed_by", pa.string())])

_VIEWS = """
CREATE VIEW _live AS
    SELECT id, part FROM _articles_all QUALIFY row_number() OVER (PARTITION BY id ORDER BY part DESC) = 1;
CREATE VIEW _articles AS SELECT a.* FROM _articles_all a SEMI JOIN _live l ON a.id = l.id AND a.part = l.part;
CREATE VIEW articles AS SELECT * EXCLUDE (part, input_hash) FROM _articles;
CREATE VIEW texts AS
    SELECT t.article_id, t.text FROM _texts_all t SEMI JOIN _live l ON t.article_id = l.id AND t.part = l.part;
CREATE VIEW _mentions AS
    SELECT m.*, a.text_hash FROM _mentions_all m JOIN _articles a ON m.article_id = a.id AND m.part = a.part;
CREATE VIEW _matches AS
    SELECT m.article_id, m.start, m.name AS mention_name, m.corrected_kind, c.*
    FROM _mentions m JOIN _corrections c ON m.name_key = c.name
    WHERE (c.scope = 'article' AND c.scope_key = m.text_hash)
       OR (c.scope = 'container' AND list_contains(m.containers, c.scope_key))
    QUALIFY row_number() OVER (PARTITION BY m.article_id, m.start ORDER BY c.scope <> 'article', c.id DESC) = 1;
CREATE VIEW mentions AS
    SELECT m.article_id, m.start, m."end", m.name, coalesce(x.precision, m.precision) AS precision,
           coalesce('corrected:' || x.id, m.place_key) AS place_key,
           m.passage_index, m.passage_start, m.passage_end,
           CASE WHEN x.id IS NULL THEN m.confidence ELSE 1.0 END AS confidence,
           coalesce(x.placed_by, 'gazetteer') AS placed_by, x.id AS correction
    FROM _mentions m LEFT JOIN _matches x ON x.article_id = m.article_id AND x.start = m.start
    WHERE x.action IS DISTINCT FROM 'not_a_place';
CREATE VIEW _places AS SELECT p.* FROM _places_all p SEMI JOIN _live l ON p.article_id = l.id AND p.part = l.part;
CREATE VIEW places AS
    SELECT * FROM (
        SELECT key, name, kind, country, lat, lon, precision, geonameid, container, source,
               'gazetteer' AS placed_by, NULL::BIGINT AS correction
        FROM _places WHERE key IN (SELECT place_key FROM mentions)
        QUALIFY row_number() OVER (PARTITION BY key ORDER BY article_id) = 1)
    UNION ALL
    SELECT 'corrected:' || id AS key,
           CASE WHEN tkind IN ('country', 'continent') AND tname <> '' THEN tname ELSE min(mention_name) END AS name,
           CASE WHEN min(corrected_kind) IN ('facility', 'admin1', 'admin2') THEN min(corrected_kind)
                ELSE coalesce(nullif(tkind, ''), min(corrected_kind)) END AS kind,
           nullif(tcountry, '') AS country, lat, lon, precision,
           CASE WHEN precision = 'exact' THEN tgeonameid END AS geonameid,
           CASE WHEN precision <> 'exact' THEN coalesce(nullif(tname, ''), min(mention_name)) END AS container,
           'correction #' || id || CASE WHEN placed_by <> 'correction' THEN ' (' || placed_by || ')' ELSE '' END
               AS source,
           placed_by, id AS correction
    FROM _matches WHERE action <> 'not_a_place'
    GROUP BY id, tname, tkind, tcountry, lat, lon, precision, tgeonameid, placed_by;
CREATE VIEW events AS
    SELECT e.article_id, e.ordinal, e.event_type, e.sub_event_type, e.date, e.date_source, e.start, e."end",
           e.trigger, e.place_start, e.place_end, e.place_name, m.precision AS place_precision, m.place_key,
           e.actors, e.sentence_start, e.sentence_end, e.passage_index
    FROM _events_all e JOIN _articles a ON e.article_id = a.id AND e.part = a.part
    JOIN mentions m ON m.article_id = e.article_id AND m.start = e.place_start;
CREATE VIEW _mention_rows AS
    SELECT m.place_key, m.article_id, m.start, m.passage_start, m.passage_end, a.date AS article_date, a.source,
           p.kind, p.name AS place_name, p.lat IS NOT NULL AS placed, e.event_type, e.date AS event_date
    FROM mentions m JOIN articles a ON a.id = m.article_id JOIN places p ON p.key = m.place_key
    LEFT JOIN events e ON e.article_id = m.article_id AND e.place_start = m.start;
"""


# in dependency order; `_mention_rows` is what geo.store.corpus.browse filters: a mention with its
# article's date and source, its place's kind and name, and its event's type and date, in one row
MATERIALIZED = ("_live", "articles", "mentions", "places", "events", "_mention_rows")


def connect(store_path: str | os.PathLike[str], corrections: Sequence[Correction] = (), *,
            in_memory: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the store's views (see the module docstring). With
    `in_memory`, the views `articles`, `mentions`, `places` and `events` (and the rows a page filters)
    are computed once into tables of the same names and columns (the newest parts, the corrections
    applied): a page asking many questions of one version of a store then reads no Parquet but `texts`."""
    store = CorpusStore.open(store_path)
    con = duckdb.connect(":memory:")
    for table in TABLES:
        files = store.files(table)
        if files:
            paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
            union = "true" if _schemas_differ(table, files) else "false"
            con.execute(f"CREATE VIEW _{table}_all AS SELECT * FROM read_parquet([{paths}], union_by_name = {union})")
        else:
            con.register(f"_{table}_empty", empty_table(table))
            con.execute(f"CREATE VIEW _{table}_all AS SELECT * FROM _{table}_empty")
    con.register("_corrections_arrow", _corrections_table(corrections))
    con.execute("CREATE TABLE _corrections AS SELECT * FROM _corrections_arrow")
    con.unregister("_corrections_arrow")
    con.execute(_VIEWS)
    if in_memory:
        for name in MATERIALIZED:     # each in its turn, so that the next is computed from the tables
            con.execute(f"CREATE TABLE _table_{name} AS SELECT * FROM {name}")
            con.execute(f"DROP VIEW {name}")
            con.execute(f"ALTER TABLE _table_{name} RENAME TO {name}")
    return con


def _schemas_differ(table: str, files: list) -> bool:
    """Whether the oldest or the newest part of a table lacks the current schema (a store of an older
    version): the parts are then read by column name. Otherwise by position, which reads one file's
    schema instead of every file's (for 400 parts, 1 s instead of 17 s here)."""
    want = SCHEMAS[table]
    return any(not pq.read_schema(f).remove_metadata().equals(want) for f in {files[0], files[-1]})


def _corrections_table(corrections: Sequence[Correction]) -> pa.Table:
    rows = []
    for c in corrections:
        if not c.active:
            continue
        t = c.target
        rows.append({
            "id": c.id, "name": c.name, "scope": c.scope.kind, "scope_key": c.scope.key, "action": c.action,
            "lat": t.lat if t else None, "lon": t.lon if t else None, "tname": t.name if t else "",
            "tkind": t.kind if t else "", "tcountry": t.country if t else "", "tgeonameid": t.geonameid if t else None,
            "precision": t.precision if t else None,
            "placed_by": (t.provider or "online") if c.action == "online" else "correction"})
    return pa.Table.from_pylist(rows, schema=_CORRECTIONS)


def store_stats(con: duckdb.DuckDBPyConnection) -> dict:
    """What a store holds: articles, mentions, placed places and unplaced names, events (in all, undated,
    per type), undated articles, the first and last date, the engine version (the most common one; all
    of them if several)."""
    articles, undated, first, last = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE date IS NULL), min(date), max(date) FROM articles").fetchone()
    mentions, corrected = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE correction IS NOT NULL) FROM mentions").fetchone()
    places, unplaced = con.execute(
        "SELECT count(*) FILTER (WHERE lat IS NOT NULL), count(*) FILTER (WHERE lat IS NULL) FROM places").fetchone()
    events, undated_events = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE date IS NULL) FROM events").fetchone()
    types = con.execute("SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    versions = con.execute("SELECT engine_version, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    sources = con.execute("SELECT coalesce(date_source, 'undated'), count(*) FROM articles GROUP BY 1 "
                          "ORDER BY 2 DESC, 1").fetchall()
    return {
        "articles": articles, "mentions": mentions, "places": places, "unplaced_names": unplaced,
        "events": events, "undated_events": undated_events, "event_types": dict(types),
        "undated": undated, "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "engine_version": versions[0][0] if versions else None,
        "engine_versions": dict(versions), "date_sources": dict(sources), "corrected_mentions": corrected,
    }
