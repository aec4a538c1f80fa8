"""What a page showing a store asks of it, answered by DuckDB (never by loading the store): the places
for the map (one row per place, with its mention count), the timeline (mentions per day), the passages
of one place a page at a time, and the sources to filter by. No Streamlit here.

    >>> con = connect("reports.store", corrections)
    >>> f = StoreFilter(kinds=("city",), date_from=dt.date(2022, 4, 1), date_to=dt.date(2022, 4, 30))
    >>> place_rows(con, f)[:3], timeline(con, f)[:3], passages(con, "gn:703448", f, page=0)

Every value reaches the SQL as a parameter. The timeline leaves out the filter's own date range (it is
what a user picks the range on) and keeps every other condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb

from geo.map.excerpts import excerpt_text

PAGE = 20
MAX_PLACES = 20_000      # the map's rows at most (the most mentioned first)


@dataclass(frozen=True)
class StoreFilter:
    """The dashboard's filters over a store; empty means "all"."""

    kinds: tuple[str, ...] = ()
    min_mentions: int = 1
    search: str = ""                       # in place names and the passages' text, case-insensitive
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()

    def mentions_sql(self) -> tuple[str, list]:
        """A query of the mentions this filter keeps (place_key, article_id, date, start), and its
        parameters."""
        where, params = ["p.lat IS NOT NULL"], []
        if self.kinds:
            where.append("list_contains(?, p.kind)")
            params.append(list(self.kinds))
        if self.sources:
            where.append("list_contains(?, a.source)")
            params.append(list(self.sources))
        if self.date_from or self.date_to:
            where.append("a.date BETWEEN ? AND ?")
            params += [self.date_from or dt.date.min, self.date_to or dt.date.max]
        if self.search.strip():
            where.append("(contains(lower(p.name), ?) OR contains(lower(substr(t.text, m.passage_start + 1, "
                         "m.passage_end - m.passage_start)), ?))")
            params += [self.search.strip().lower()] * 2
        texts = "JOIN texts t ON t.article_id = m.article_id" if self.search.strip() else ""
        sql = (f"SELECT m.place_key, m.article_id, a.date, m.start FROM mentions m "
               f"JOIN articles a ON a.id = m.article_id JOIN places p ON p.key = m.place_key {texts} "
               f"WHERE {' AND '.join(where)}")
        return sql, params


def place_rows(con: duckdb.DuckDBPyConnection, f: StoreFilter, limit: int = MAX_PLACES) -> list[dict]:
    """One row per place with a point: key, name, kind, country, lat, lon, precision, placed_by,
    mentions, articles, first_date, last_date; the most mentioned first."""
    sql, params = f.mentions_sql()
    cur = con.execute(
        f"WITH m AS ({sql}) SELECT p.key, p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.placed_by, "
        "count(*) AS mentions, count(DISTINCT m.article_id) AS articles, min(m.date) AS first_date, "
        "max(m.date) AS last_date FROM m JOIN places p ON p.key = m.place_key GROUP BY ALL "
        "HAVING count(*) >= ? ORDER BY mentions DESC, p.name, p.key LIMIT ?", [*params, max(1, f.min_mentions), limit])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def timeline(con: duckdb.DuckDBPyConnection, f: StoreFilter) -> list[tuple[dt.date, int]]:
    """Mentions per day (dated articles only) under every condition of `f` but its date range."""
    sql, params = replace(f, date_from=None, date_to=None).mentions_sql()
    return con.execute(f"WITH m AS ({sql}) SELECT date, count(*) FROM m WHERE date IS NOT NULL GROUP BY 1 ORDER BY 1",
                       params).fetchall()


def passages(con: duckdb.DuckDBPyConnection, key: str, f: StoreFilter, page: int = 0,
             size: int = PAGE) -> tuple[list[dict], int]:
    """One page of a place's mentions under `f` (article order: date, id, offset), each with its passage
    cut to a window around the mention; and how many there are in all."""
    sql, params = f.mentions_sql()
    total = con.execute(f"WITH m AS ({sql}) SELECT count(*) FROM m WHERE place_key = ?", [*params, key]).fetchone()[0]
    cur = con.execute(
        f"WITH k AS ({sql}) SELECT m.article_id, a.title, a.date, a.source, a.url, m.name, m.start, m.\"end\", "
        "m.passage_start, substr(t.text, m.passage_start + 1, m.passage_end - m.passage_start) AS passage "
        "FROM k JOIN mentions m ON m.article_id = k.article_id AND m.start = k.start "
        "JOIN articles a ON a.id = m.article_id JOIN texts t ON t.article_id = m.article_id "
        "WHERE k.place_key = ? ORDER BY a.date NULLS LAST, m.article_id, m.start LIMIT ? OFFSET ?",
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
