"""Machine and human views of places: a text table, JSON, GeoJSON and CSV (passages included).

Every record states its `precision` (exact, town, admin2, admin1, country or unplaced) and, for an
approximate place, the `container` whose point stands in for it. JSON and the table list every
place; GeoJSON only those with a point. JSON and GeoJSON records list the place's `events` (what
happened there and when, see geo.engine.events), the CSV gives each mention's event in its row.

Every record also says who placed it (`placed_by`: "gazetteer", "correction" or an online
geocoder's name) and which of the user's corrections did (`correction`, an id, or empty). A place
an online geocoder placed carries `attribution` ("© OpenStreetMap contributors (ODbL)"): a field of
its JSON record and GeoJSON properties (and of the FeatureCollection), a column of the CSV, a line
under the table.

An article is named by its title and its file's name (`source`: "story.html" or "pasted text"), never by
the folder it was read from on this machine. Each mention carries its passage cut to a window around it
(`geo.map.excerpts`: 240 characters each side, "…[truncated]" where it was cut), the passage's id
(`<article id>:<passage index>`) and the
mention's offsets in the article text, so that an export grows with the number of mentions, not
with mentions x passage length, and every mention can still be found in the original text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from geo.map.attribution import attribution_for, placed_online
from geo.map.excerpts import excerpt, marked
from geo.map.places import MentionRef, Place
from geo.map.styles import uncertainty_m
from geo.store.library import source_name


def place_record(place: Place, *, with_passages: bool = True) -> dict:
    record = {
        "name": place.name, "kind": place.kind, "lat": place.lat, "lon": place.lon,
        "precision": place.precision, "container": place.container or None,
        "uncertainty_km": _uncertainty_km(place),
        "country": place.country, "geonameid": place.geonameid, "mentions": place.mention_count,
        "confidence": place.confidence, "articles": list(place.article_ids), "source": place.source,
        "placed_by": place.placed_by, "correction": place.correction,
        "attribution": attribution_for([place]) or None,
        "alternatives": [{"name": a.name, "kind": a.kind, "country": a.country, "lat": a.lat,
                          "lon": a.lon, "geonameid": a.geonameid, "score": a.score}
                         for a in place.alternatives],
    }
    record["events"] = [event_record(m) for m in place.mentions if m.event is not None]
    if with_passages:
        record["passages"] = [mention_record(m) for m in place.mentions]
    return record


def event_record(m: MentionRef) -> dict:
    """The event a mention is the place of (see geo.engine.events): type, sub-type, date and how it was
    found, the trigger and its offsets in the article, the actors, the passage it is in, and the user's
    event correction that set its type or date (`corrected_by`, None when not corrected)."""
    e = m.event
    assert e is not None
    return {"event_type": e.event_type, "sub_event_type": e.sub_event_type, "date": e.date,
            "date_source": e.date_source or None, "trigger": e.trigger, "article_start": e.start,
            "article_end": e.end, "actors": list(e.actors), "article_id": m.article_id,
            "passage_id": passage_id(m), "mention_start": m.start, "mention_end": m.end,
            "corrected_by": e.corrected_by}


def mention_record(m: MentionRef) -> dict:
    """One mention with the window of its passage: `mention_start`/`mention_end` index `passage` as
    written here (markers included), `article_start`/`article_end` the article text."""
    p = m.passage
    e = excerpt(p.text, [(m.start - p.start, m.end - p.start)])
    text, shift = marked(e)
    start = m.start - p.start - e.start + shift
    return {"article_id": m.article_id, "article_title": m.article_title, "source": source_name(m.source),
            "passage_id": passage_id(m), "passage": text, "passage_truncated": e.truncated, "mention": m.name,
            "mention_start": start, "mention_end": start + (m.end - m.start),
            "article_start": m.start, "article_end": m.end}


def passage_id(m: MentionRef) -> str:
    """The passage a mention is in, as `<article id>:<passage index>` (geo.files.articles.split_passages)."""
    return f"{m.article_id}:{m.passage.index}"


def places_json(places: Sequence[Place]) -> str:
    return json.dumps([place_record(p) for p in places], ensure_ascii=False, indent=1) + "\n"


def places_geojson(places: Sequence[Place]) -> str:
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                 "properties": place_record(p)}
                for p in places if p.resolved]
    collection: dict = {"type": "FeatureCollection", "features": features}
    credit = attribution_for(p for p in places if p.resolved)
    if credit:
        collection["attribution"] = credit
    return json.dumps(collection, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("name", "kind", "country", "lat", "lon", "precision", "container", "geonameid", "mentions",
               "confidence", "article_title", "passage", "mention", "placed_by", "correction", "attribution",
               "article_id", "source", "passage_id", "article_start", "article_end", "passage_truncated",
               "event_type", "sub_event_type", "event_date", "date_source", "event_trigger", "actors",
               "event_corrected_by")


def places_csv(places: Sequence[Place]) -> str:
    """One row per mention, so every passage travels with its place: the window of the passage
    around the mention ("…[truncated]" where it was cut), the passage's id and the mention's
    offsets in the article text, and the event its sentence reports there (empty when none; actors
    separated by "; "). Cells that a spreadsheet would read as a formula are defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in places:
        for m in p.mentions:
            r = mention_record(m)
            writer.writerow([_safe_cell(v) for v in (
                p.name, p.kind, p.country, p.lat, p.lon, p.precision, p.container, p.geonameid or "", p.mention_count,
                p.confidence, m.article_title, r["passage"], m.name, p.placed_by,
                "" if p.correction is None else p.correction, attribution_for([p]), m.article_id, r["source"],
                r["passage_id"], m.start, m.end, "yes" if r["passage_truncated"] else "no", *_event_cells(m))])
    return out.getvalue()


def _event_cells(m: MentionRef) -> tuple:
    e = m.event
    if e is None:
        return ("",) * 7
    return (e.event_type, e.sub_event_type, e.date or "", e.date_source, e.trigger, "; ".join(e.actors),
            "" if e.corrected_by is None else e.corrected_by)


def _uncertainty_km(place: Place) -> float | None:
    """The radius of an approximate place's uncertainty circle in km, as the map draws it (None if exact)."""
    metres = uncertainty_m(place.precision, place.uncertainty_km) if place.approximate else 0
    return round(metres / 1000, 1) if metres else None


def rows_csv(rows: Sequence[Mapping[str, object]]) -> str:
    """Table rows (dicts with the same keys) as CSV, formulas defused (e.g. the compare table)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if rows:
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow([_safe_cell(v) for v in row.values()])
    return out.getvalue()


def _safe_cell(value):
    """Defuse spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def places_table(places: Sequence[Place]) -> str:
    """A readable table; `precision` stands right after the point it qualifies. When a correction
    or an online geocoder placed some place, a `placed_by` column says so ("correction #3")."""
    by = any(p.placed_by != "gazetteer" or p.correction is not None for p in places)
    rows = [("place", "kind", "country", "lat", "lon", "precision", "mentions", "conf")
            + (("placed_by",) if by else ())]
    for p in places:
        rows.append((p.name, p.kind, p.country or "-",
                     f"{p.lat:.4f}" if p.resolved else "-", f"{p.lon:.4f}" if p.resolved else "-",
                     p.precision, str(p.mention_count), f"{p.confidence:.2f}")
                    + ((placed_by_label(p),) if by else ()))
    left = (0, 1, 2, 5, 8)     # text columns; numbers are right-aligned
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(len(rows[0]))]
    lines = ["  ".join(c[:40].ljust(w) if i in left else c.rjust(w) for i, (c, w) in
                       enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]
    credit = attribution_for(places)
    return "\n".join(lines) + "\n" + (f"online results: {credit}\n" if credit else "")


def placed_by_label(p: Place) -> str:
    """Who placed it, for people: "gazetteer", "correction #3", "nominatim #4 (online)"."""
    text = p.placed_by + (f" #{p.correction}" if p.correction is not None else "")
    return text + (" (online)" if placed_online(p.placed_by) else "")
