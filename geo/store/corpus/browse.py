"""What a page showing a store asks of it, answered by DuckDB (never by loading the store): the places
for the map (one row per place, with its mention or event count and its main event type), the
timeline (mentions or events per day), the passages of one place a page at a time, and the sources to
filter by. No Streamlit here.

    >>> con = connect("reports.store", corrections)
    >>> f = StoreFilter(kinds=("city",), date_from=dt.date(2022, 4, 1), date_to=dt.date(2022, 4, 30))
    >>> place_rows(con, f)[:3], timeline(con, f)[:3], passages(con, "gn:703448", f, page=0)
    >>> timeline(con, StoreFilter(unit="events", event_types=("Battles",)))     # battles per day

A filter counts one of two things (`unit`): mentions, each dated by its article, or events (geo.engine.events),
each dated by what the text says happened when (its own date). Picking event types counts events. Every
value reaches the SQL as a parameter. The timeline leaves out the filter's own date range (it is what a
user picks the range on) and keeps every other condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb

from geo.map.excerpts import excerpt_text

PAGE = 20
MAX_PLACES = 2_000       # the map's rows at most (the most mentioned first): ~0.5 KB each in the page
UNITS = ("mentions", "events")


@dataclass(frozen=True)
class StoreFilter:
    """The dashboard's filters over a store; empty means "all"."""

    kinds: tuple[str, ...] = ()
    min_mentions: int = 1                  # mentions (or events) a place needs
    search: str = ""                       # in place names and the passages' text, case-insensitive
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()      # ACLED's types (geo.engine.events.EVENT_TYPES); picked: count events
    unit: str = "mentions"                 # what is counted and dated: "mentions" or "events"

    @property
    def counts_events(self) -> bool:
        return self.unit == "events" or bool(self.event_types)

    def mentions_sql(self, placed_only: bool = True) -> tuple[str, list]:
        """A query of the mentions this filter keeps (place_key, article_id, date, start, event_type: the
        event of the mention's sentence tied to it, if any), and its parameters. Counting events, the
        mentions that are the place of an event kept, dated by the event. One table is read
        (`_mention_rows`, see geo.store.corpus.query), and the texts only for a search."""
        where, params = ["r.placed"] if placed_only else ["TRUE"], []
        if self.kinds:
            where.append("list_contains(?, r.kind)")
            params.append(list(self.kinds))
        if self.sources:
            where.append("list_contains(?, r.source)")
            params.append(list(self.sources))
        date = "r.event_date" if self.counts_events else "r.article_date"
        if self.counts_events:
            where.append("r.event_type IS NOT NULL")
        if self.date_from or self.date_to:
            where.append(f"{date} BETWEEN ? AND ?")
            params += [self.date_from or dt.date.min, self.date_to or dt.date.max]
        if self.event_types:
            where.append("list_contains(?, r.event_type)")
            params.append(list(self.event_types))
        texts = ""
        if self.search.strip():
            # the passage is read only in the articles whose text holds the words at all
            texts = ("LEFT JOIN (SELECT article_id, text FROM texts WHERE contains(lower(text), ?)) t "
                     "ON t.article_id = r.article_id")
            params = [self.search.strip().lower(), *params]
            where.append("(contains(lower(r.place_name), ?) OR contains(lower(substr(t.text, r.passage_start + 1, "
                         "r.passage_end - r.passage_start)), ?))")
            params += [self.search.strip().lower()] * 2
        sql = (f"SELECT r.place_key, r.article_id, {date} AS date, r.start, r.event_type FROM _mention_rows r {texts} "
               f"WHERE {' AND '.join(where)}")
        return sql, params


def place_rows(con: duckdb.DuckDBPyConnection, f: StoreFilter, limit: int = MAX_PLACES) -> list[dict]:
    """One row per place with a point: key, name, kind, country, lat, lon, precision, placed_by,
    mentions (or events, counting events), articles, first_date, last_date, events (how many of its
    mentions report one) and event_type (the type they report most often, None without one); the most
    mentioned first."""
    sql, params = f.mentions_sql()
    cur = con.execute(
        f"WITH m AS ({sql}), "
        "n AS (SELECT place_key, count(*) AS mentions, count(DISTINCT article_id) AS articles, "
        "min(date) AS first_date, max(date) AS last_date, count(event_type) AS events FROM m GROUP BY 1 "
        "HAVING count(*) >= ? ORDER BY mentions DESC, place_key LIMIT ?), "
        "t AS (SELECT place_key, event_type, count(*) AS n, min(date) AS first FROM m "
        "WHERE event_type IS NOT NULL AND place_key IN (SELECT place_key FROM n) GROUP BY ALL), "
        # the type reported most often; ties: the first reported, then by name
        "main AS (SELECT place_key, first(event_type ORDER BY n DESC, first NULLS LAST, event_type) AS event_type "
        "FROM t GROUP BY 1) "
        "SELECT p.key, p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.placed_by, n.mentions, n.articles, "
        "n.first_date, n.last_date, n.events, main.event_type "
        "FROM n JOIN places p ON p.key = n.place_key LEFT JOIN main ON main.place_key = n.place_key "
        "ORDER BY n.mentions DESC, p.name, p.key", [*params, max(1, f.min_mentions), limit])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def timeline(con: duckdb.DuckDBPyConnection, f: StoreFilter) -> list[tuple[dt.date, int]]:
    """Mentions per day (of dated articles), or events per day (dated events) when `f` counts events,
    under every condition of `f` but its date range."""
    sql, params = replace(f, date_from=None, date_to=None).mentions_sql()
    return con.execute(f"WITH m AS ({sql}) SELECT date, count(*) FROM m WHERE date IS NOT NULL GROUP BY 1 ORDER BY 1",
                       params).fetchall()


def passages(con: duckdb.DuckDBPyConnection, key: str, f: StoreFilter, page: int = 0,
             size: int = PAGE) -> tuple[list[dict], int]:
    """One page of a place's mentions under `f` (in order of their date, article and offset), each with
    its passage cut to a window around the mention and the event it reports there (event_type,
    sub_event_type, event_date, trigger; None without one); and how many there are in all."""
    sql, params = f.mentions_sql()
    total = con.execute(f"WITH m AS ({sql}) SELECT count(*) FROM m WHERE place_key = ?", [*params, key]).fetchone()[0]
    cur = con.execute(
        f"WITH k AS ({sql}) SELECT m.article_id, a.title, a.date, a.source, a.url, m.name, m.start, m.\"end\", "
        "m.passage_start, substr(t.text, m.passage_start + 1, m.passage_end - m.passage_start) AS passage, "
        "e.event_type, e.sub_event_type, e.date AS event_date, e.trigger "
        "FROM k JOIN mentions m ON m.article_id = k.article_id AND m.start = k.start "
        "JOIN articles a ON a.id = m.article_id JOIN texts t ON t.article_id = m.article_id "
        "LEFT JOIN events e ON e.article_id = m.article_id AND e.place_start = m.start "
        "WHERE k.place_key = ? ORDER BY k.date NULLS LAST, m.article_id, m.start LIMIT ? OFFSET ?",
        [*params, key, size, max(0, page) * size])
    columns = [d[0] for d in cur.description]
    rows = []
    for row in cur.fetchall():
        r = dict(zip(columns, row, strict=True))
        offset = r.pop("passage_start")
        r["passage"] = excerpt_text(r["passage"], (r["start"] - offset, r["end"] - offset))
        rows.append(r)
    return rows, total


def sources(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """The articles' sources with how many articles each has, the largest first."""
    return con.execute("SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY 1 "
                       "ORDER BY 2 DESC, 1").fetchall()
