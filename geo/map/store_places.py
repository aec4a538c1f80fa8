"""A store's place rows (geo.store.corpus.browse.place_rows) as the map's places: the map is built from
Place objects (geo.map.mapview.build_map), and a store's place carries its mention count instead of
its mentions (they stay in the store and are read a page at a time) and its main event type instead of
its events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.map.places import Place


@dataclass(frozen=True)
class StorePlace(Place):
    """A place of a store: no mentions in memory, `count` of them in the store under the filter."""

    count: int = 0
    articles: int = 0
    main_event: str | None = None      # the event type its mentions report most often under the filter

    @property
    def mention_count(self) -> int:
        return self.count

    @property
    def event_type(self) -> str | None:
        return self.main_event


def _correction(key: str) -> int | None:
    if key.startswith("corrected:"):
        try:
            return int(key.split(":", 1)[1])
        except ValueError:
            return None
    return None


def store_places(rows: Iterable[dict]) -> list[StorePlace]:
    """One StorePlace per row (key, name, kind, country, lat, lon, precision, placed_by, mentions, articles,
    event_type)."""
    return [StorePlace(key=r["key"], name=r["name"] or "", kind=r["kind"] or "", lat=r["lat"], lon=r["lon"],
                       country=r["country"] or "", geonameid=None, confidence=1.0, mentions=(), alternatives=(),
                       source="store", precision=r["precision"] or "exact", placed_by=r["placed_by"] or "gazetteer",
                       correction=_correction(r["key"]), count=int(r["mentions"]), articles=int(r["articles"]),
                       main_event=r.get("event_type"))
            for r in rows]
