"""Build static/basemap/orientation.json: a few hundred place names the map shows faintly for orientation.

Dev-time only; offline. Reads the built-in gazetteer (GeoNames data, CC BY 4.0, via the packages in
requirements.txt) and keeps countries of at least 1 M people, their capitals and the cities of at least
3 M people, each with the zoom from which the map shows it:

    python scripts/make_orientation_labels.py            # writes static/basemap/orientation.json

Rows are [name, lat, lon, kind, min_zoom], kind "country", "capital" or "city", most important first
(the map's labels give way in that order).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "static" / "basemap" / "orientation.json"
MIN_COUNTRY = 1_000_000
MIN_CITY = 3_000_000
NEAR_KM = 40          # a second name this close to a kept one (a district of the same city) is dropped


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def map_name(name: str) -> str:
    """A name as a map writes it: the inverted ISO form "Palestine, State of" read in order, "State of
    Palestine" (and "The Democratic Republic of the Congo")."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep else name


def main() -> int:
    from geo.gazetteer import PlaceIndex

    index = PlaceIndex.load()
    rows = range(index.first_user_row)          # the built-in gazetteers only
    pop = index.population
    countries = sorted((r for r in rows if index.kinds[r] == "country" and pop[r] >= MIN_COUNTRY),
                       key=lambda r: -pop[r])
    big_countries = {index.country[r] for r in countries}
    capitals = sorted((r for r in rows if index.kinds[r] == "city" and index.capital[r]
                       and index.country[r] in big_countries), key=lambda r: -pop[r])
    cities = sorted((r for r in rows if index.kinds[r] == "city" and not index.capital[r] and pop[r] >= MIN_CITY),
                    key=lambda r: -pop[r])
    labels: list[list] = []
    kept: list[tuple[float, float]] = []
    for r in countries:
        labels.append([map_name(index.name_of[r]), round(float(index.lat[r]), 3), round(float(index.lon[r]), 3),
                       "country",
                       3 if pop[r] >= 30_000_000 else 4])
    for kind, group in (("capital", capitals), ("city", cities)):
        for r in group:
            point = (float(index.lat[r]), float(index.lon[r]))
            if any(_km(point, k) < NEAR_KM for k in kept):
                continue
            kept.append(point)
            zoom = (4 if pop[r] >= 5_000_000 else 5) if kind == "capital" else (5 if pop[r] >= 10_000_000 else 6)
            labels.append([index.name_of[r], round(point[0], 3), round(point[1], 3), kind, zoom])
    OUT.write_text(json.dumps({"credit": "GeoNames (CC BY 4.0)", "labels": labels}, ensure_ascii=False,
                              separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(labels)} names, {OUT.stat().st_size / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
