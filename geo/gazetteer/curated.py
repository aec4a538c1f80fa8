"""The curated table `geo/data/curated_places.csv`: well-known places no package holds.

    >>> from geo.gazetteer.curated import read_curated
    >>> next(r for r in read_curated() if r["name"] == "Donbas")["kind"]
    'region'

Each row becomes one place, found by its name and aliases; its source is `curated: <source>`.
The format and the rules for adding a row are in `geo/data/README.md`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from geo.gazetteer.base import IndexBuilder

CURATED_CSV = Path(__file__).resolve().parents[1] / "data" / "curated_places.csv"


def read_curated(path: Path = CURATED_CSV) -> list[dict[str, str]]:
    """Rows of the curated table (see geo/data/README.md)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if row.get("name") and not row["name"].startswith("#")]


def add_curated_places(b: IndexBuilder, path: Path = CURATED_CSV) -> None:
    """Add every row of the curated table to `b`."""
    for rec in read_curated(path):
        row = b.add(name=rec["name"], kind=rec["kind"], lat=float(rec["lat"]), lon=float(rec["lon"]),
                    geonameid=int(rec["geonameid"]) if rec.get("geonameid", "").isdigit() else None,
                    country=rec.get("country", ""),
                    population=int(rec["population"]) if rec.get("population", "").isdigit() else 0,
                    source=f"curated: {rec['source']}")
        for alias in filter(None, (rec.get("aliases") or "").split("|")):
            b.name(row, alias)
