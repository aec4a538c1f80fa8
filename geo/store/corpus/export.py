"""A store's places as GeoJSON (one feature per placed place, with its mention and article counts and
its first and last date) or CSV (one row per mention, with its passage cut as every export cuts it),
optionally for a date range only. Both are written as they are read, row by row.

    >>> export_geojson(connect("reports.store"), sys.stdout, DateRange.parse("2022-04-01", "2022-04-30"))

A date range keeps the mentions of articles dated within it (both ends included): undated articles
are left out of a range, and in without one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TextIO

import duckdb

from geo.map.excerpts import excerpt_text
from geo.map.export import rows_csv

BATCH = 2_000      # rows fetched at a time


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

    def where(self, column: str) -> tuple[str, list]:
        """A SQL condition on a date column, and its parameters."""
        if self.start is None and self.end is None:
            return "TRUE", []
        return f"{column} BETWEEN ? AND ?", [self.start or dt.date.min, self.end or dt.date.max]


_PLACES = """
WITH m AS (SELECT m.place_key, m.article_id, a.date FROM mentions m JOIN articles a ON a.id = m.article_id
           WHERE {where})
SELECT p.key, p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.container, p.geonameid, p.source,
       p.placed_by, p.correction, count(*) AS mentions, count(DISTINCT m.article_id) AS articles,
       min(m.date) AS first_date, max(m.date) AS last_date
FROM m JOIN places p ON p.key = m.place_key
WHERE p.lat IS NOT NULL
GROUP BY ALL ORDER BY mentions DESC, p.name, p.key
"""


def export_geojson(con: duckdb.DuckDBPyConnection, out: TextIO, dates: DateRange = DateRange()) -> int:
    """Write a FeatureCollection of the placed places; returns how many."""
    where, params = dates.where("a.date")
    cur = con.execute(_PLACES.format(where=where), params)
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
SELECT a.id AS article_id, a.title AS article_title, a.date, a.source, a.url, m.name AS mention,
       p.name AS place, p.kind, p.country, p.lat, p.lon, m.precision, p.container, p.geonameid,
       m.placed_by, m.correction, m.place_key, m.start AS article_start, m."end" AS article_end,
       m.passage_index, m.start - m.passage_start AS passage_offset,
       substr(t.text, m.passage_start + 1, m.passage_end - m.passage_start) AS passage
FROM mentions m JOIN articles a ON a.id = m.article_id JOIN places p ON p.key = m.place_key
JOIN texts t ON t.article_id = m.article_id
WHERE {where}
ORDER BY a.date NULLS LAST, a.id, m.start
"""
CSV_COLUMNS = ("article_id", "article_title", "date", "source", "url", "mention", "place", "kind", "country", "lat",
               "lon", "precision", "container", "geonameid", "placed_by", "correction", "place_key", "article_start",
               "article_end", "passage_id", "passage")


def export_csv(con: duckdb.DuckDBPyConnection, out: TextIO, dates: DateRange = DateRange()) -> int:
    """Write one CSV row per mention (formulas defused, passages cut to a window around the mention);
    returns how many."""
    where, params = dates.where("a.date")
    cur = con.execute(_MENTIONS.format(where=where), params)
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
            r["date"] = r["date"].isoformat() if r["date"] else ""
            records.append({c: "" if r[c] is None else r[c] for c in CSV_COLUMNS})
        out.write(rows_csv(records).split("\n", 1)[1])       # rows_csv defuses formulas; its header is ours
        count += len(records)
    return count

