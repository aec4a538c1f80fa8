"""A store's places as GeoJSON (one feature per placed place, with its mention and article counts, its
first and last date and its events) or CSV (one row per mention, with its passage cut as every export
cuts it and the event it reports there), for what a filter keeps (geo.store.corpus.browse.StoreFilter:
the command line's date range, or every filter of the dashboard's store page). Both are written as
they are read, row by row.

    >>> export_geojson(connect("reports.store"), sys.stdout, DateRange.parse("2022-04-01", "2022-04-30").filter())

A date range keeps the mentions of articles dated within it (both ends included): undated articles
are left out of a range, and in without one. A filter that counts events keeps the mentions that are
the place of an event, dated by the event (see browse).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import TextIO

import duckdb

from geo.map.excerpts import excerpt_text
from geo.map.export import rows_csv
from geo.store.corpus.browse import StoreFilter

BATCH = 2_000      # rows fetched at a time
EVERYTHING = StoreFilter()


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> DateRange:
        """From ISO days ("2022-04-01"); raises ValueError with a message a user can act on."""
        days = []
        for flag, value in (("--from", start), ("--to", end)):
            try:
                days.append(dt.date.fromisoformat(value) if value else None)
            except ValueError:
                raise ValueError(f"{flag} {value!r} is not a day (YYYY-MM-DD)") from None
        if days[0] and days[1] and days[0] > days[1]:
            raise ValueError(f"--from {start} is after --to {end}")
        return cls(*days)

    def filter(self) -> StoreFilter:
        """The store filter of this range (the command line's export)."""
        return StoreFilter(date_from=self.start, date_to=self.end)


_PLACES = """
WITH k AS ({sql}),
ev AS (SELECT k.place_key, count(*) AS n, list(struct_pack(
           event_type := e.event_type, sub_event_type := e.sub_event_type, date := CAST(e.date AS VARCHAR),
           date_source := e.date_source, trigger := e.trigger, article_start := e.start, article_end := e."end",
           actors := e.actors, article_id := e.article_id, passage_id := e.article_id || ':' || e.passage_index,
           mention_start := e.place_start, mention_end := e.place_end)
           ORDER BY e.date NULLS LAST, e.article_id, e.start) AS events
       FROM k JOIN events e ON e.article_id = k.article_id AND e.place_start = k.start GROUP BY 1),
main AS (SELECT place_key, first(event_type ORDER BY n DESC, first NULLS LAST, event_type) AS event_type
         FROM (SELECT place_key, event_type, count(*) AS n, min(date) AS first FROM k
               WHERE event_type IS NOT NULL GROUP BY ALL)
         GROUP BY 1)
SELECT p.key, p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.container, p.geonameid, p.source,
       p.placed_by, p.correction, count(*) AS mentions, count(DISTINCT k.article_id) AS articles,
       min(k.date) AS first_date, max(k.date) AS last_date, any_value(main.event_type) AS event_type,
       coalesce(any_value(ev.events), []) AS events
FROM k JOIN places p ON p.key = k.place_key LEFT JOIN ev ON ev.place_key = k.place_key
LEFT JOIN main ON main.place_key = k.place_key
GROUP BY p.key, p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.container, p.geonameid, p.source,
         p.placed_by, p.correction
HAVING count(*) >= ?
ORDER BY mentions DESC, p.name, p.key
"""


def export_geojson(con: duckdb.DuckDBPyConnection, out: TextIO, f: StoreFilter = EVERYTHING) -> int:
    """Write a FeatureCollection of the placed places `f` keeps, each with the events reported there
    (as `annotate` and the dashboard's GeoJSON list them, with the article and passage ids); returns how
    many."""
    sql, params = f.mentions_sql()
    cur = con.execute(_PLACES.format(sql=sql), [*params, max(1, f.min_mentions)])
    columns = [d[0] for d in cur.description]
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    while rows := cur.fetchmany(BATCH):
        for row in rows:
            props = dict(zip(columns, row, strict=True))
            lat, lon = props.pop("lat"), props.pop("lon")
            for key in ("first_date", "last_date"):
                props[key] = props[key].isoformat() if props[key] else None
            feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                       "properties": props}
            out.write(("," if count else "") + json.dumps(feature, ensure_ascii=False) + "\n")
            count += 1
    out.write("]}\n")
    return count


_MENTIONS = """
WITH k AS (SELECT *, count(*) OVER (PARTITION BY place_key) AS n FROM ({sql}))
SELECT a.id AS article_id, a.title AS article_title, a.date, a.source, a.url, m.name AS mention,
       p.name AS place, p.kind, p.country, p.lat, p.lon, m.precision, p.container, p.geonameid,
       m.placed_by, m.correction, m.place_key, m.start AS article_start, m."end" AS article_end,
       m.passage_index, m.start - m.passage_start AS passage_offset,
       substr(t.text, m.passage_start + 1, m.passage_end - m.passage_start) AS passage,
       e.event_type, e.sub_event_type, e.date AS event_date, e.date_source, e.trigger AS event_trigger, e.actors
FROM k JOIN mentions m ON m.article_id = k.article_id AND m.start = k.start
JOIN articles a ON a.id = m.article_id JOIN places p ON p.key = m.place_key
JOIN texts t ON t.article_id = m.article_id
LEFT JOIN events e ON e.article_id = m.article_id AND e.place_start = m.start
WHERE k.n >= ?
ORDER BY k.date NULLS LAST, a.id, m.start
"""
CSV_COLUMNS = ("article_id", "article_title", "date", "source", "url", "mention", "place", "kind", "country", "lat",
               "lon", "precision", "container", "geonameid", "placed_by", "correction", "place_key", "article_start",
               "article_end", "passage_id", "passage", "event_type", "sub_event_type", "event_date", "date_source",
               "event_trigger", "actors")


def export_csv(con: duckdb.DuckDBPyConnection, out: TextIO, f: StoreFilter = EVERYTHING) -> int:
    """Write one CSV row per mention `f` keeps, unplaced names included (formulas defused, passages cut
    to a window around the mention, the event its sentence reports there in the last six columns, as
    the dashboard's CSV gives them; actors separated by "; "); returns how many."""
    sql, params = f.mentions_sql(placed_only=False)
    cur = con.execute(_MENTIONS.format(sql=sql), [*params, max(1, f.min_mentions)])
    columns = [d[0] for d in cur.description]
    out.write(",".join(CSV_COLUMNS) + "\n")
    count = 0
    while rows := cur.fetchmany(BATCH):
        records = []
        for row in rows:
            r = dict(zip(columns, row, strict=True))
            offset, length = r.pop("passage_offset"), r["article_end"] - r["article_start"]
            r["passage"] = excerpt_text(r["passage"], (offset, offset + length))
            r["passage_id"] = f"{r['article_id']}:{r.pop('passage_index')}"
            for key in ("date", "event_date"):
                r[key] = r[key].isoformat() if r[key] else ""
            r["actors"] = "; ".join(r["actors"] or ())
            records.append({c: "" if r[c] is None else r[c] for c in CSV_COLUMNS})
        out.write(rows_csv(records).split("\n", 1)[1])       # rows_csv defuses formulas; its header is ours
        count += len(records)
    return count


def export_text(con: duckdb.DuckDBPyConnection, kind: str, f: StoreFilter = EVERYTHING) -> str:
    """One export as a string: "geojson" (`export_geojson`) or "csv" (`export_csv`)."""
    out = io.StringIO()
    (export_geojson if kind == "geojson" else export_csv)(con, out, f)
    return out.getvalue()
