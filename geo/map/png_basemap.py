"""The basemap of the server-side PNG: land, borders, graticule, and the names of the countries and seas
in view, read from the GeoJSON files shipped in `static/basemap/`.

    >>> from geo.map.png_basemap import draw_basemaps, context_names
    >>> draw_basemaps(ax, DEFAULT_BASEMAPS, view)        # land and borders under the markers
    >>> [n.name for n in context_names(DEFAULT_BASEMAPS[0], view)]      # ['Ukraine', 'Black Sea', ...]

The land is Natural Earth 1:10m countries (German point of view) simplified to ~1 km everywhere
(`countries-detail.geojson.gz`, made by `scripts/make_png_basemap.py`): the live map's lighter file keeps
that detail only around Ukraine, and a gulf elsewhere became a triangle in a PNG. Country names stand at
Natural Earth's label points; sea names are the seas, gulfs and bays of the curated gazetteer table
(`geo/data/curated_places.csv`) whose point lies on water. A missing or unreadable file is skipped.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
BASEMAP_DIR = ROOT / "static" / "basemap"
DEFAULT_BASEMAPS: tuple[Path, ...] = (BASEMAP_DIR / "countries-detail.geojson.gz",
                                      BASEMAP_DIR / "ukraine-oblasts.geojson")
SEAS_TABLE = ROOT / "geo" / "data" / "curated_places.csv"
SEA_WORDS = re.compile(r"\b(Sea|Ocean|Gulf|Bay)\b")      # water bodies named on a map; not rivers or straits
SEAS_UP_TO_SPAN = 40.0      # degrees: seas, gulfs and bays are named in views up to this span
SEA, LAND, BORDER, INNER_BORDER, GRATICULE = "#dbe9f4", "#f4f1ea", "#8a8a8a", "#a6a6a6", "#c9dceb"


@dataclass(frozen=True)
class ContextName:
    """A name that gives bearings: a country (`rank` 0 the most prominent, from Natural Earth) or a sea."""

    name: str
    lon: float
    lat: float
    kind: str         # "country" or "sea"
    rank: int
    iso: str = ""


@dataclass(frozen=True)
class _Layer:
    polygons: tuple[np.ndarray, ...]    # exterior rings, (n, 2) lon/lat
    lines: tuple[np.ndarray, ...]       # every ring and line string
    polygon_boxes: np.ndarray           # (n, 4) west, south, east, north
    line_boxes: np.ndarray
    names: tuple[ContextName, ...] = ()  # countries with a label point (`label_x`, `label_y`, `label_rank`)
    outlines: tuple[tuple[np.ndarray, ...], ...] = ()   # each named country's exterior rings
    outline_boxes: tuple[np.ndarray, ...] = ()          # ... and their boxes (west, south, east, north)


def draw_basemaps(ax, paths: Sequence[Path], view: tuple[float, float, float, float]) -> None:
    south, west, north, east = view
    for i, path in enumerate(paths):
        layer = _read_layer_if_any(Path(path))
        if layer is None:
            continue
        for turn in (-360, 0, 360):    # copies of the world when the view crosses the antimeridian
            if east <= -180 + turn or west >= 180 + turn:
                continue
            shifted = Affine2D().translate(turn, 0) + ax.transData
            box = (west - turn, south, east - turn, north)
            if i == 0:
                polys = _visible(layer.polygons, layer.polygon_boxes, box)
                if polys:
                    ax.add_collection(PolyCollection(polys, facecolors=LAND, edgecolors="none",
                                                     transform=shifted, zorder=1), autolim=False)
                lines = _visible(layer.lines, layer.line_boxes, box)
                if lines:
                    ax.add_collection(LineCollection(lines, colors=BORDER, linewidths=0.6,
                                                     transform=shifted, zorder=2), autolim=False)
            else:
                lines = _visible(layer.lines, layer.line_boxes, box)
                if lines:
                    ax.add_collection(LineCollection(lines, colors=INNER_BORDER, linewidths=0.45,
                                                     linestyles=(0, (4, 3)), transform=shifted, zorder=2),
                                      autolim=False)


def _visible(rings: Sequence[np.ndarray], boxes: np.ndarray, view: tuple[float, float, float, float]
             ) -> list[np.ndarray]:
    if not rings:
        return []
    west, south, east, north = view
    keep = (boxes[:, 0] <= east) & (boxes[:, 2] >= west) & (boxes[:, 1] <= north) & (boxes[:, 3] >= south)
    return [rings[i] for i in np.flatnonzero(keep)]


def _read_layer_if_any(path: Path) -> _Layer | None:
    """The GeoJSON file's rings and lines; None (and a log line) when it is missing or unreadable."""
    try:
        stat = path.stat()
    except OSError:
        log.info("basemap %s not found; drawing without it", path)
        return None
    try:
        return _read_layer(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, TypeError, KeyError, IndexError) as e:
        log.warning("basemap %s unreadable (%s); drawing without it", path, e)
        return None


@lru_cache(maxsize=8)   # keyed by modification time and size: a rewritten file is read again
def _read_layer(path: str, mtime_ns: int, size: int) -> _Layer:
    raw = Path(path).read_bytes()
    data = json.loads(gzip.decompress(raw) if path.endswith(".gz") else raw)
    polygons: list[np.ndarray] = []
    lines: list[np.ndarray] = []
    for geometry in _geometries(data):
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            _add_polygon(coords, polygons, lines)
        elif kind == "MultiPolygon":
            for poly in coords:
                _add_polygon(poly, polygons, lines)
        elif kind == "LineString":
            _add_ring(coords, lines)
        elif kind == "MultiLineString":
            for line in coords:
                _add_ring(line, lines)
    names, outlines = _label_points(data)
    return _Layer(tuple(polygons), tuple(lines), _boxes(polygons), _boxes(lines), names, outlines,
                  tuple(_boxes(rings) for rings in outlines))


def _label_points(data: dict) -> tuple[tuple[ContextName, ...], tuple[tuple[np.ndarray, ...], ...]]:
    """The countries with a label point, and each one's exterior rings."""
    names, outlines = [], []
    for feature in data.get("features") or () if data.get("type") == "FeatureCollection" else ():
        props = feature.get("properties") or {}
        x, y, name = props.get("label_x"), props.get("label_y"), props.get("name")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and isinstance(name, str) and name:
            names.append(ContextName(name, float(x), float(y), "country", int(props.get("label_rank") or 9),
                                     props.get("iso_a2") or ""))
            rings: list[np.ndarray] = []
            for geometry in _geometries(feature):
                polys = [geometry.get("coordinates")] if geometry.get("type") == "Polygon" else \
                    geometry.get("coordinates") or [] if geometry.get("type") == "MultiPolygon" else []
                for poly in polys:
                    if poly:
                        _add_ring(poly[0], rings)
            outlines.append(tuple(rings))
    return tuple(names), tuple(outlines)


def _geometries(data: dict) -> Iterable[dict]:
    kind = data.get("type")
    if kind == "FeatureCollection":
        for feature in data.get("features") or ():
            yield from _geometries(feature)
    elif kind == "Feature":
        if data.get("geometry"):
            yield from _geometries(data["geometry"])
    elif kind == "GeometryCollection":
        for g in data.get("geometries") or ():
            yield from _geometries(g)
    elif kind:
        yield data


def _add_polygon(rings: list, polygons: list[np.ndarray], lines: list[np.ndarray]) -> None:
    for j, ring in enumerate(rings or ()):
        arr = _add_ring(ring, lines)
        # Holes are not cut out of the land: in a countries layer they are other countries or lakes
        # too small to matter at these scales, and are outlined all the same.
        if j == 0 and arr is not None:
            polygons.append(arr)


def _add_ring(coords: list, into: list[np.ndarray]) -> np.ndarray | None:
    arr = np.asarray(coords, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        return None
    arr = arr[:, :2]
    into.append(arr)
    return arr


def _boxes(rings: Sequence[np.ndarray]) -> np.ndarray:
    if not rings:
        return np.zeros((0, 4))
    return np.array([(r[:, 0].min(), r[:, 1].min(), r[:, 0].max(), r[:, 1].max()) for r in rings])


def draw_graticule(ax, view: tuple[float, float, float, float]) -> None:
    south, west, north, east = view
    span = max(north - south, (east - west) / 2)
    step = next((s for s in (1, 2, 5, 10, 15, 20, 30) if span / s <= 8), 30)
    segs = [np.array([(x, south), (x, north)]) for x in np.arange(math.ceil(west / step) * step, east, step)]
    segs += [np.array([(west, y), (east, y)]) for y in np.arange(math.ceil(south / step) * step, north, step)]
    ax.add_collection(LineCollection(segs, colors=GRATICULE, linewidths=0.6, zorder=0.5), autolim=False)


def context_names(land: Path, view: tuple[float, float, float, float]) -> list[ContextName]:
    """The countries (from the land file's label points) and seas (from the curated table, where their
    point is not on land) whose names stand in `view` (south, west, north, east; east may pass 180),
    the most prominent first; countries of a small label rank only in a wide view."""
    south, west, north, east = view
    span = max(north - south, (east - west) / 2)
    max_rank = 2 if span > 60 else 4 if span > 25 else 6 if span > 8 else 10
    layer = _read_layer_if_any(Path(land))
    out: list[ContextName] = []
    candidates = [_in_view(n, rings, boxes, view) for n, rings, boxes
                  in zip(layer.names, layer.outlines, layer.outline_boxes, strict=True)
                  if n.rank <= max_rank] if layer is not None else []
    # seas in a regional view; in a view of half the world only the oceans
    candidates += [n for n in _seas() if (span <= SEAS_UP_TO_SPAN or n.rank <= 1)
                   and (layer is None or not _on_land(layer, n.lon, n.lat))]
    for n in candidates:
        lon = n.lon + 360 * round(((west + east) / 2 - n.lon) / 360)
        if south <= n.lat <= north and west <= lon <= east:
            out.append(ContextName(n.name, lon, n.lat, n.kind, n.rank, n.iso))
    return sorted(out, key=lambda n: (n.rank, n.kind != "country", n.name))


def _in_view(n: ContextName, rings: Sequence[np.ndarray], boxes: np.ndarray,
             view: tuple[float, float, float, float]) -> ContextName:
    """`n`, moved into the view when its label point lies outside it but a large part of the country
    lies inside (Russia at the edge of a map of Ukraine): to the middle of its largest part's box within
    the view, when that point is on the country's land."""
    south, west, north, east = view
    lon = n.lon + 360 * round(((west + east) / 2 - n.lon) / 360)
    if south <= n.lat <= north and west <= lon <= east:
        return n
    best, best_area = None, 0.0
    for turn in (-360, 0, 360):
        x0, x1 = np.maximum(boxes[:, 0] + turn, west), np.minimum(boxes[:, 2] + turn, east)
        y0, y1 = np.maximum(boxes[:, 1], south), np.minimum(boxes[:, 3], north)
        area = np.where((x1 > x0) & (y1 > y0), (x1 - x0) * (y1 - y0), 0.0)
        i = int(np.argmax(area)) if len(area) else 0
        if len(area) and area[i] > best_area:
            best, best_area = (rings[i], turn), float(area[i])
    if best is None or best_area < 0.04 * (north - south) * (east - west):
        return n
    ring, turn = best
    # the middle of the part of a grid over that box which lies on the country's land
    x0, x1 = max(ring[:, 0].min() + turn, west), min(ring[:, 0].max() + turn, east)
    y0, y1 = max(ring[:, 1].min(), south), min(ring[:, 1].max(), north)
    grid = np.array([(gx, gy) for gx in np.linspace(x0, x1, 9)[1:-1] for gy in np.linspace(y0, y1, 9)[1:-1]])
    on_land = grid[MplPath(ring).contains_points(grid - (turn, 0))]
    if not len(on_land):
        return n
    centre = on_land.mean(axis=0)
    x, y = on_land[np.argmin(((on_land - centre) ** 2).sum(axis=1))]
    return ContextName(n.name, float(x - turn), float(y), n.kind, n.rank, n.iso)


@lru_cache(maxsize=1)
def _seas() -> tuple[ContextName, ...]:
    try:
        with SEAS_TABLE.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return ()
    out = []
    for row in rows:
        if row.get("kind") == "water" and SEA_WORDS.search(row.get("name") or ""):
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (TypeError, ValueError):
                continue
            # oceans are named in the widest views only
            out.append(ContextName(row["name"], lon, lat, "sea", 1 if "Ocean" in row["name"] else 3))
    return tuple(out)


def _on_land(layer: _Layer, lon: float, lat: float) -> bool:
    boxes = layer.polygon_boxes
    if not len(boxes):
        return False
    near = np.flatnonzero((boxes[:, 0] <= lon) & (boxes[:, 2] >= lon) & (boxes[:, 1] <= lat) & (boxes[:, 3] >= lat))
    return any(MplPath(layer.polygons[i]).contains_point((lon, lat)) for i in near.tolist())
