"""A static PNG of the places: a map to download or share, drawn headless with matplotlib.

    >>> from geo.map.render_png import render_map_png
    >>> png = render_map_png(places, title="Places in the news")   # bytes of a 1600 x 1000 PNG
    >>> Path("map.png").write_bytes(png)

The basemap comes from the GeoJSON files shipped in `static/basemap/` (geo.map.png_basemap: Natural
Earth 1:10m coasts and borders, and the names of the countries and seas in view; a missing file is skipped);
the view is the story's frame (geo.map.frame: where its towns, facilities and regions concentrate), the
same the live map opens on, or the view given; a small locator map shows where the frame lies, and
the places outside it are listed under the map, with their direction and distance. One circle per
place with coordinates, its area growing with the mention count: filled where the
point is the place's own, a hollow dashed ring over a light uncertainty circle (its radius in km
drawn true to the map, as on the live map) where the point is that of a town, district, region or
country holding it (no circle of a country's size: the ring and the name say it); a country or a region
is a small symbol with its name, not a disc growing with its mentions; places without a point are
counted, never drawn. Place names are labelled
greedily without overlaps, the story's core first, then by mentions: a core place's label that finds
no room beside its marker is moved farther out with a leader line, and one that finds none at all is
listed under the map. The header carries the title and the story's date, the footer the articles'
titles and file names and the credits. Names are drawn as plain text, never as matplotlib mathtext,
so "$x$" stays "$x$". No article text appears except place names and titles.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.transforms import IdentityTransform

from geo.engine.resolve import haversine_km
from geo.map.attribution import attribution_for
from geo.map.frame import CONTEXT_KINDS, StoryFrame, story_frame
from geo.map.places import Place
from geo.map.png_basemap import DEFAULT_BASEMAPS, SEA, context_names, draw_basemaps, draw_graticule
from geo.map.png_labels import draw_context_names
from geo.map.png_text import (
    INK,
    MUTED,
    counts_note,
    draw_footer,
    draw_header,
    one_line,
    plain_text,
    sources_line,
)
from geo.map.styles import (
    CREDIT,
    EVENT_COLOUR,
    GROUP_ALPHA,
    GROUP_COLOUR,
    GROUP_LABEL,
    KIND_GROUPS,
    NO_EVENT_COLOUR,
    NO_EVENT_LABEL,
    STATUS_COLOUR,
    UNCERTAINTY_FILL,
    uncertainty_m,
)

log = logging.getLogger(__name__)

DEFAULT_CREDIT = CREDIT
GROUP_ORDER = ("country", "region", "feature", "town")         # drawing order: areas below points
AREA_GROUPS = frozenset({"country", "region"})     # drawn as a small symbol with their name
AREA_SYMBOL_RADIUS = 5.0                           # points
PNG_ALPHA = {**GROUP_ALPHA, "country": 0.55, "region": 0.6}
STATUS_LABEL = {"only A": "Only in A", "only B": "Only in B", "both": "In both"}
OTHER_STATUS_COLOUR = "#c4c9cc"
LABEL_STYLE = {   # colour, weight, style of a place name, by group
    "town": ("#1c1c1c", "normal", "normal"),
    "region": ("#5b2c6f", "normal", "italic"),
    "country": ("#1f2d3a", "bold", "normal"),
    "feature": ("#0b5345", "normal", "italic"),
}

PRECISION_INK = "#555555"         # the precision legend entries: a shape, not a kind
RING_DASH = (0, (2.5, 1.5))       # an approximate place's hollow ring (in units of its line width)
CIRCLE_DASH = (0, (4, 3))         # its uncertainty circle's outline
EARTH_RADIUS_M = 6_371_008.8

DESIGN_WIDTH, DESIGN_HEIGHT, DESIGN_DPI = 1600, 1000, 100   # sizes below are for this canvas
MIN_SPAN_DEG = 2.0
FIT_MARGIN = 0.12            # share of the places' extent added on each side when fitting the view
WORLD = (-58.0, -180.0, 84.0, 180.0)
MAX_LAT = 89.0

# Candidate label positions around a marker, in order of preference: (dx, dy) unit directions.
_DIAG = math.sqrt(0.5)
LABEL_POSITIONS = ((1, 0), (_DIAG, _DIAG), (_DIAG, -_DIAG), (-1, 0),
                   (-_DIAG, _DIAG), (-_DIAG, -_DIAG), (0, 1), (0, -1))
# A core place's label that finds no room there: 16 directions, farther out (in label heights), with
# a leader line from the marker.
LEADER_DIRECTIONS = tuple((math.cos(math.radians(a)), math.sin(math.radians(a))) for a in range(0, 360, 30))
LEADER_REACH = (1.6, 2.6, 3.8, 5.5, 7.5)
OFF_FRAME_LISTED = 8         # places outside the view named under the map (the rest counted)
INSET_SIZE = (210, 140)      # the locator map, design pixels
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels (origin bottom-left, as matplotlib's display space)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, frame: Box) -> bool:
        return (self.x0 >= frame.x0 and self.y0 >= frame.y0
                and self.x1 <= frame.x1 and self.y1 <= frame.y1)

    def grown(self, pad: float) -> Box:
        return Box(self.x0 - pad, self.y0 - pad, self.x1 + pad, self.y1 + pad)


@dataclass(frozen=True)
class Anchor:
    """What a label is placed around: a marker centre and radius, and the label's text size (pixels)."""

    x: float
    y: float
    radius: float
    width: float
    height: float


@dataclass(frozen=True)
class MapLabel:
    """A place's label as drawn (`box` None when it could not be placed without overlap); `core`
    when the place is in the story's core, `leader` when a line joins the label to its marker."""

    name: str
    box: Box | None
    core: bool = False
    leader: bool = False


@dataclass(frozen=True)
class RenderedMap:
    """A drawn map: the PNG and what went into it, for tests and for a caption."""

    png: bytes
    view: tuple[float, float, float, float]     # (south, west, north, east) actually shown
    labels: tuple[MapLabel, ...]
    mapped: int                                 # places drawn as a marker
    unresolved: int                             # places without coordinates (never drawn)
    outside: int                                # places with coordinates outside the view
    markers: tuple[DrawnMarker, ...] = ()
    frame: tuple[float, float, float, float] | None = None   # the story's frame (None: no places)
    off_frame: tuple[str, ...] = ()             # places outside the view listed under the map
    unlabelled: tuple[str, ...] = ()            # core places whose name found no room (listed too)
    inset: Box | None = None                    # the locator map, in pixels (origin bottom-left)
    subtitle: str = ""                          # the date line as drawn
    footer: tuple[str, ...] = ()                # the footer's lines as drawn (before any shortening)
    texts: tuple[str, ...] = ()                 # title, date line and footer lines as drawn (shortened)
    context_labels: tuple[str, ...] = ()        # names of countries and seas written on the map


@dataclass(frozen=True)
class DrawnMarker:
    """A place's marker as drawn, in pixels of the PNG (origin top-left): its centre, its radius,
    whether it is a hollow ring (approximate) and the radius of its uncertainty circle (0 if none;
    east-west, at the place's latitude)."""

    name: str
    x: float
    y: float
    radius: float
    hollow: bool
    uncertainty: float


def place_labels(anchors: Sequence[Anchor], frame: Box, *, obstacles: Sequence[Box] = (),
                 markers: Sequence[Box] = (), gap: float = 3.0, pad: float = 1.5,
                 leaders: Sequence[bool] = ()) -> list[Box | None]:
    """Greedy label placement: each anchor in the given order (put the most important first) takes
    the first of the eight positions around its marker (then eight a little farther out) that stays
    inside `frame`, overlaps no earlier label, no `obstacle` (e.g. the legend) and no other marker,
    and is nearer to its own marker than to any other (`markers[i]` is the marker of `anchors[i]`;
    more may follow). An anchor whose `leaders[i]` is true and that found no such position tries
    positions farther out, in twelve directions, whose leader line from the marker crosses no
    earlier label (the line, not nearness, then pairs label and marker; see `needs_leader`). A
    label with no position is skipped (None). Boxes include `pad`."""
    placed = np.empty((len(anchors), 4))        # x0, y0, x1, y1 of the labels placed so far
    count = 0
    blocked = np.array([(o.x0, o.y0, o.x1, o.y1) for o in obstacles]).reshape(-1, 4)
    marks = np.array([(m.x0, m.y0, m.x1, m.y1) for m in markers]).reshape(-1, 4)
    centres = np.column_stack(((marks[:, 0] + marks[:, 2]) / 2, (marks[:, 1] + marks[:, 3]) / 2))
    result: list[Box | None] = []
    for i, a in enumerate(anchors):
        chosen = None
        for extra in (0.0, 0.8 * a.height):
            for dx, dy in LABEL_POSITIONS:
                box = _label_box(a, dx, dy, gap + extra).grown(pad)
                if not box.inside(frame) or _hits(placed[:count], box).any() or _hits(blocked, box).any():
                    continue
                hit = _hits(marks, box)
                if i < len(hit):
                    hit[i] = False              # its own marker is where the label points
                if hit.any() or not _nearest_is_own(box, a, centres, i):
                    continue
                chosen = box
                break
            if chosen is not None:
                break
        if chosen is None and i < len(leaders) and leaders[i]:
            chosen = _leader_position(a, i, frame, placed[:count], blocked, marks, gap, pad)
        result.append(chosen)
        if chosen is not None:
            placed[count] = (chosen.x0, chosen.y0, chosen.x1, chosen.y1)
            count += 1
    return result


def _leader_position(a: Anchor, own: int, frame: Box, placed: np.ndarray, blocked: np.ndarray,
                     marks: np.ndarray, gap: float, pad: float) -> Box | None:
    """A position farther out for a label that must be drawn, with a leader line that crosses no
    placed label; None when there is none."""
    for reach in LEADER_REACH:
        for dx, dy in LEADER_DIRECTIONS:
            box = _label_box(a, dx, dy, gap + reach * a.height).grown(pad)
            if not box.inside(frame) or _hits(placed, box).any() or _hits(blocked, box).any():
                continue
            hit = _hits(marks, box)
            if own < len(hit):
                hit[own] = False
            if hit.any():
                continue
            end = _nearest_point(box, a.x, a.y)
            if any(_hits(placed, Box(x - 0.5, y - 0.5, x + 0.5, y + 0.5)).any()
                   for x, y in np.linspace((a.x, a.y), end, 12)[1:-1]):
                continue
            return box
    return None


def _nearest_point(box: Box, x: float, y: float) -> tuple[float, float]:
    return min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1)


def needs_leader(a: Anchor, box: Box, gap: float, pad: float) -> bool:
    """Whether a label placed at `box` stands apart from its marker (beyond the near positions)."""
    nx, ny = _nearest_point(box, a.x, a.y)
    return bool(math.hypot(nx - a.x, ny - a.y) > a.radius + gap + 0.8 * a.height + 2 * pad + 1.0)


def _nearest_is_own(box: Box, a: Anchor, centres: np.ndarray, own: int) -> bool:
    """Whether no other marker centre is clearly nearer to the label than its own marker's:
    a reader pairs a label with the closest dot."""
    if len(centres) == 0:
        return True
    dx = np.maximum(np.maximum(box.x0 - centres[:, 0], centres[:, 0] - box.x1), 0)
    dy = np.maximum(np.maximum(box.y0 - centres[:, 1], centres[:, 1] - box.y1), 0)
    dist = np.hypot(dx, dy)
    own_dx = max(box.x0 - a.x, a.x - box.x1, 0)
    own_dy = max(box.y0 - a.y, a.y - box.y1, 0)
    mine = math.hypot(own_dx, own_dy)
    if own < len(dist):
        dist[own] = np.inf
    return bool((dist >= mine - 1.0).all())


def _hits(boxes: np.ndarray, box: Box) -> np.ndarray:
    """Which of `boxes` (rows x0, y0, x1, y1) overlap `box` (same rule as Box.overlaps)."""
    return ((boxes[:, 0] < box.x1) & (box.x0 < boxes[:, 2])
            & (boxes[:, 1] < box.y1) & (box.y0 < boxes[:, 3]))


def _label_box(a: Anchor, dx: float, dy: float, gap: float) -> Box:
    """The text box on side (dx, dy) of the marker: touching the marker's rim plus `gap`."""
    reach = a.radius + gap
    cx, cy = a.x + dx * reach, a.y + dy * reach
    # Anchor the box at the edge facing the marker: left edge when right of it, and so on.
    x0 = cx if dx > 0.1 else cx - a.width if dx < -0.1 else cx - a.width / 2
    y0 = cy if dy > 0.1 else cy - a.height if dy < -0.1 else cy - a.height / 2
    return Box(x0, y0, x0 + a.width, y0 + a.height)


def render_map_png(places: Sequence[Place], *, title: str, subtitle: str = "",
                   bounds: tuple[float, float, float, float] | None = None,
                   basemaps: Sequence[Path] = DEFAULT_BASEMAPS, credit: str = DEFAULT_CREDIT,
                   status: Callable[[Place], str] | None = None, sources: Sequence[tuple[str, str]] = (),
                   frame: StoryFrame | None = None, locator: bool = True,
                   width_px: int = 1600, height_px: int = 1000, by_event: bool = False) -> bytes:
    """The places as a PNG map (bytes). See `draw_map` for the arguments."""
    return draw_map(places, title=title, subtitle=subtitle, bounds=bounds, basemaps=basemaps, credit=credit,
                    status=status, sources=sources, frame=frame, locator=locator, width_px=width_px,
                    height_px=height_px, by_event=by_event).png


def draw_map(places: Sequence[Place], *, title: str, subtitle: str = "",
             bounds: tuple[float, float, float, float] | None = None,
             basemaps: Sequence[Path] = DEFAULT_BASEMAPS, credit: str = DEFAULT_CREDIT,
             status: Callable[[Place], str] | None = None, sources: Sequence[tuple[str, str]] = (),
             frame: StoryFrame | None = None, locator: bool = True,
             width_px: int = 1600, height_px: int = 1000, by_event: bool = False) -> RenderedMap:
    """Draw the places on a map and return the PNG with its layout.

    `bounds` is (south, west, north, east), e.g. the interactive map's current view; None, or
    bounds that are no view (a None or non-finite number, south not below north), show the story's
    `frame` (default `geo.map.frame.story_frame(places)`, as the live map opens on). The first basemap
    file is drawn as land with country borders, the others as thin dashed inner borders. `status`
    (for comparisons) colours markers by "only A" / "only B" / "both" instead of by kind; `by_event`
    by each place's main event type (grey without one), as the live map does.
    `subtitle` is the date line (e.g. "21 April 2022"; empty: "Exported on <today>"); `sources`,
    (title, file name) pairs, are listed in the footer. `locator` adds the small map that shows
    where the view lies. When an online geocoder placed one of the places, the OpenStreetMap
    attribution is added to `credit`."""
    # A name in a script the bundled DejaVu fonts lack (e.g. Chinese) is drawn as boxes, with a
    # matplotlib warning; warnings are not silenced here (the filters are process-wide state).
    online = attribution_for(places)
    if online and online not in credit:
        credit = f"{credit}; {online}" if credit else online
    return _draw_map(places, title=title, subtitle=subtitle, bounds=bounds, basemaps=basemaps,
                     credit=credit, status=status, sources=sources, frame=frame, locator=locator,
                     width_px=width_px, height_px=height_px, by_event=by_event)


def valid_bounds(bounds: object) -> tuple[float, float, float, float] | None:
    """`bounds` as four floats (south, west, north, east) if they describe a view, else None:
    four finite numbers, south below north (latitudes clamped to the poles), any longitudes."""
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 4:
        return None
    values = []
    for v in bounds:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            return None
        v = float(v)
        if not math.isfinite(v):
            return None
        values.append(v)
    south, west, north, east = values
    south, north = max(-MAX_LAT, min(MAX_LAT, south)), max(-MAX_LAT, min(MAX_LAT, north))
    if north <= south or abs(west) > 1e4 or abs(east) > 1e4:
        return None
    return south, west, north, east


def _draw_map(places: Sequence[Place], *, title: str, subtitle: str,
              bounds: tuple[float, float, float, float] | None, basemaps: Sequence[Path], credit: str,
              status: Callable[[Place], str] | None, sources: Sequence[tuple[str, str]],
              frame: StoryFrame | None, locator: bool, width_px: int, height_px: int,
              by_event: bool = False) -> RenderedMap:
    if width_px < 200 or height_px < 150:
        raise ValueError(f"a map needs at least 200 x 150 pixels, not {width_px} x {height_px}")
    scale = min(width_px / DESIGN_WIDTH, height_px / DESIGN_HEIGHT)
    # Everything sized in points scales with the canvas; below the design size only by the square
    # root, or the text of a small preview would be unreadable.
    scale = scale if scale >= 1 else max(math.sqrt(scale), 0.5)
    dpi = DESIGN_DPI * scale
    # + a hundredth of a pixel: Agg truncates the canvas size to whole pixels
    fig = Figure(figsize=((width_px + 0.01) / dpi, (height_px + 0.01) / dpi), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    px = scale   # one design pixel in output pixels

    resolved = [p for p in places if p.resolved and p.lon is not None
                and math.isfinite(p.lat) and math.isfinite(p.lon)]
    if frame is None:
        frame = story_frame(resolved)
    given = valid_bounds(bounds)
    # Without a view given, the view is fitted to the frame's core places (as the frame is: here across
    # the antimeridian too, see _lon_extent); with no core, to every place.
    core_places = [p for p in resolved if frame is not None and p.key in frame.core] or resolved

    # The footer's lines: what lies outside the view (known once the view is), the sources, the credit.
    margin, header, line = 22 * px, 86 * px, 17 * px
    source_line = sources_line(sources)
    # Room for the line of places outside the view and names left unlabelled is kept whenever there
    # are places: the axes must be sized before the view is fitted, and what that line says is known
    # only once the labels are placed.
    footer = 34 * px + line * (bool(source_line) + bool(resolved))
    ax = fig.add_axes((margin / width_px, footer / height_px, 1 - 2 * margin / width_px,
                       1 - (header + footer) / height_px))
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#9aa5ad")
        spine.set_linewidth(0.8)
    frame_px = ax.get_window_extent(renderer)

    view = _fit_view(given, core_places, frame_px.width / frame_px.height)
    south, west, north, east = view
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)

    draw_graticule(ax, view)
    draw_basemaps(ax, basemaps, view)

    markers = _markers(resolved, view, status, by_event and status is None)
    outside = len(resolved) - len(markers)
    rings = _draw_uncertainty(ax, markers)
    _draw_markers(ax, markers)

    legend_box = _draw_legend(ax, renderer, markers, status is not None, scale,
                              by_event and status is None) if markers else None
    if not markers:
        why = "No places with coordinates to show" if not resolved else "No places in this view"
        plain_text(ax, 0.5, 0.5, why, transform=ax.transAxes, ha="center", va="center", fontsize=15,
              color=MUTED, zorder=8,
              bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#c8cdd1"})
    inset = _draw_locator(fig, ax, renderer, basemaps, view, markers, legend_box, px) \
        if locator and resolved else None

    core = set(frame.core) if frame is not None else set()
    obstacles = [b for b in (legend_box, inset) if b is not None]
    labels = _draw_labels(fig, ax, renderer, markers, obstacles, px, core)
    unlabelled = tuple(label.name for label in labels if label.core and label.box is None)
    taken = obstacles + [label.box for label in labels if label.box is not None]
    named = draw_context_names(fig, ax, renderer, context_names(basemaps[0], view) if basemaps else [],
                               taken, _marker_boxes(ax, renderer, markers),
                               {m.place.country for m in markers if m.group == "country"}, px)

    date_line = subtitle or f"Exported on {_long_date(dt.date.today())}"
    heading = draw_header(fig, renderer, title, date_line, margin, header, width_px)
    off = _off_view(resolved, view)
    lines = []
    if off or unlabelled:
        parts = []
        if off:
            listed = ", ".join(_off_view_text(p, view) for p in off[:OFF_FRAME_LISTED])
            more = len(off) - OFF_FRAME_LISTED
            parts.append(f"Outside this map: {listed}" + (f" and {more} more" if more > 0 else ""))
        if unlabelled:
            parts.append(f"Not labelled (no room): {', '.join(unlabelled)}")
        lines.append(" · ".join(parts))
    unresolved = len(places) - len(resolved)
    approximate = sum(m.hollow for m in markers)
    footer_lines = draw_footer(fig, renderer, credit, counts_note(len(markers), unresolved, outside, approximate),
                               margin, footer, width_px, lines, line, sources)

    drawn = _drawn_markers(ax, renderer, markers, rings, height_px)
    buf = io.BytesIO()
    canvas.print_png(buf, pil_kwargs={"compress_level": 3})   # level 6 costs ~0.1 s more
    return RenderedMap(buf.getvalue(), view, tuple(labels), len(markers), unresolved, outside, drawn,
                       frame.bounds if frame is not None else None,
                       tuple(p.name for p in off[:OFF_FRAME_LISTED]), unlabelled, inset, date_line,
                       tuple(lines + ([source_line] if source_line else [])), (*heading, *footer_lines), named)


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _off_view(resolved: Sequence[Place], view: tuple[float, float, float, float]) -> list[Place]:
    """The places with a point outside the view, most-mentioned first (countries and continents are
    context, not places the story happens at: left out)."""
    south, west, north, east = view
    out = [p for p in resolved if p.kind not in CONTEXT_KINDS
           and not (south <= p.lat <= north and west <= _shift_lon(p.lon, west, east) <= east)]
    return sorted(out, key=lambda p: (-p.mention_count, p.name))


def _off_view_text(p: Place, view: tuple[float, float, float, float]) -> str:
    """"Washington (W, 8,300 km)": a place outside the view, its direction and distance from the
    view's centre."""
    south, west, north, east = view
    lat0, lon0 = (south + north) / 2, (west + east) / 2
    km = float(haversine_km(np.asarray([p.lat]), np.asarray([p.lon]), lat0, lon0)[0])
    phi1, phi2, dl = math.radians(lat0), math.radians(p.lat), math.radians(p.lon - lon0)
    bearing = math.degrees(math.atan2(math.sin(dl) * math.cos(phi2), math.cos(phi1) * math.sin(phi2)
                                      - math.sin(phi1) * math.cos(phi2) * math.cos(dl))) % 360
    return f"{one_line(p.name)} ({COMPASS[int((bearing + 22.5) // 45) % 8]}, {km:,.0f} km)"


# -- view ------------------------------------------------------------------------------------------

def _fit_view(bounds: tuple[float, float, float, float] | None, resolved: Sequence[Place],
              aspect: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) that contains `bounds` (or, when they are None or no view, see
    `valid_bounds`, the places) and fills a frame of width/height `aspect` on an equirectangular map
    scaled by cos(mid-latitude). West < east, with east possibly beyond 180 (a view across the
    antimeridian)."""
    checked = valid_bounds(bounds)
    if checked is not None:
        south, west, north, east = checked
        if east <= west:          # written across the antimeridian, e.g. (.., 170, .., -170)
            east += 360
    elif resolved:
        lats = [p.lat for p in resolved]
        south, north = min(lats), max(lats)
        west, east = _lon_extent([p.lon for p in resolved])
        lat_pad = max((north - south) * FIT_MARGIN, (MIN_SPAN_DEG - (north - south)) / 2, 0.5)
        lon_pad = max((east - west) * FIT_MARGIN, (MIN_SPAN_DEG - (east - west)) / 2, 0.5)
        south, north = max(-MAX_LAT, south - lat_pad), min(MAX_LAT, north + lat_pad)
        west, east = west - lon_pad, east + lon_pad
    else:
        south, west, north, east = WORLD
    if east - west > 360:
        centre = (west + east) / 2
        west, east = centre - 180, centre + 180
    if north - south < 1e-6:
        south, north = south - MIN_SPAN_DEG / 2, north + MIN_SPAN_DEG / 2
    if east - west < 1e-6:
        west, east = west - MIN_SPAN_DEG / 2, east + MIN_SPAN_DEG / 2

    k = max(math.cos(math.radians((south + north) / 2)), 0.15)
    lat_span, lon_span = north - south, east - west
    if lon_span * k / lat_span < aspect:          # too tall for the frame: widen
        extra = (lat_span * aspect / k - lon_span) / 2
        west, east = west - extra, east + extra
    else:                                          # too wide: heighten, within the poles if possible
        new_span = lon_span * k / aspect
        if new_span > 180:
            south, north = -90.0, 90.0
            extra = (180 * aspect / k - lon_span) / 2
            west, east = west - max(extra, 0), east + max(extra, 0)
        else:
            mid = (south + north) / 2
            south, north = mid - new_span / 2, mid + new_span / 2
            if north > 90:
                south, north = south - (north - 90), 90.0
            if south < -90:
                south, north = -90.0, north + (-90 - south)
    return float(south), float(west), float(north), float(east)


def _lon_extent(lons: Sequence[float]) -> tuple[float, float]:
    """The shortest run of longitudes covering all of `lons`: (west, east) with east possibly > 180
    when the places straddle the antimeridian (e.g. Chukotka and Alaska)."""
    ordered = sorted(((lon + 180) % 360) - 180 for lon in lons)
    gaps = [(ordered[i + 1] - ordered[i], i) for i in range(len(ordered) - 1)]
    wrap_gap = ordered[0] + 360 - ordered[-1]
    if not gaps or wrap_gap >= max(gaps)[0]:
        return ordered[0], ordered[-1]
    _, i = max(gaps)
    return ordered[i + 1], ordered[i] + 360


def _shift_lon(lon: float, west: float, east: float) -> float:
    """`lon` moved by whole turns to the copy nearest the middle of the view."""
    mid = (west + east) / 2
    return lon + 360 * round((mid - lon) / 360)


# -- markers, legend, labels -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Marker:
    place: Place
    lon: float
    lat: float
    group: str
    colour: str
    radius: float      # points
    hollow: bool = False
    uncertainty_m: int = 0


def marker_radius(mentions: int) -> float:
    """Marker radius in points (on the 1600 x 1000 design canvas): area grows with the mention count."""
    return min(3.5 + 2.6 * math.sqrt(max(mentions, 1)), 26.0)


def kind_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, "feature")


def _markers(resolved: Sequence[Place], view: tuple[float, float, float, float],
             status: Callable[[Place], str] | None, by_event: bool = False) -> list[_Marker]:
    south, west, north, east = view
    out = []
    for p in resolved:
        lon = _shift_lon(p.lon, west, east)
        if not (south <= p.lat <= north and west <= lon <= east):
            continue
        group = kind_group(p.kind)
        colour = (STATUS_COLOUR.get(status(p), OTHER_STATUS_COLOUR) if status
                  else EVENT_COLOUR.get(p.event_type or "", NO_EVENT_COLOUR) if by_event else GROUP_COLOUR[group])
        # A country or a region is named, with a small symbol at its point: a disc growing with its
        # mentions would cover the very towns the story is about. A place known only by its country
        # gets no circle of the country's size either (its hollow ring and its name say it).
        radius = AREA_SYMBOL_RADIUS if group in AREA_GROUPS else marker_radius(p.mention_count)
        circle = uncertainty_m(p.precision, p.uncertainty_km) if p.approximate and p.precision != "country" else 0
        out.append(_Marker(p, lon, p.lat, group, colour, radius, p.approximate, circle))
    return out


def _draw_markers(ax, markers: Sequence[_Marker]) -> None:
    """Filled discs for exact points, dashed rings for approximate ones, areas below towns."""
    for group in GROUP_ORDER:
        ms = sorted((m for m in markers if m.group == group and not m.hollow), key=lambda m: -m.radius)
        if ms:
            ax.scatter([m.lon for m in ms], [m.lat for m in ms], s=[(2 * m.radius) ** 2 for m in ms],
                       c=[m.colour for m in ms], alpha=PNG_ALPHA[group],
                       edgecolors="white" if group not in AREA_GROUPS else [m.colour for m in ms],
                       linewidths=0.9, zorder=4, clip_on=True)
        hollow = sorted((m for m in markers if m.group == group and m.hollow), key=lambda m: -m.radius)
        if hollow:     # approximate: a dashed ring, no fill
            ax.scatter([m.lon for m in hollow], [m.lat for m in hollow], s=[(2 * m.radius) ** 2 for m in hollow],
                       facecolors="none", edgecolors=[m.colour for m in hollow], linewidths=1.6,
                       linestyles=[RING_DASH], zorder=4.5, clip_on=True)


def _marker_boxes(ax, renderer, markers: Sequence[_Marker]) -> list[Box]:
    """Each marker's square in pixels (origin bottom-left)."""
    out = []
    for m in markers:
        x, y = ax.transData.transform((m.lon, m.lat))
        r = renderer.points_to_pixels(m.radius)
        out.append(Box(float(x - r), float(y - r), float(x + r), float(y + r)))
    return out


def uncertainty_ring(lat: float, lon: float, radius_m: float, points: int = 96) -> np.ndarray:
    """The circle of `radius_m` metres around (lat, lon) as (points + 1, 2) lon/lat degrees: each
    point at that great-circle distance, so on the map's equirectangular grid it is as wide in
    longitude as the latitude asks (1 / cos lat times its height)."""
    d = radius_m / EARTH_RADIUS_M
    lat1, lon1 = math.radians(lat), math.radians(lon)
    bearing = np.linspace(0.0, 2 * math.pi, points + 1)
    lat2 = np.arcsin(np.clip(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * np.cos(bearing),
                             -1.0, 1.0))
    lon2 = lon1 + np.arctan2(np.sin(bearing) * math.sin(d) * math.cos(lat1),
                             math.cos(d) - math.sin(lat1) * np.sin(lat2))
    return np.column_stack((np.degrees(lon2), np.degrees(lat2)))


def _draw_uncertainty(ax, markers: Sequence[_Marker]) -> dict[int, np.ndarray]:
    """The uncertainty circles of approximate places, below every marker, biggest first; returns
    each circle's ring by the index of its marker."""
    rings = {i: uncertainty_ring(m.lat, m.lon, m.uncertainty_m)
             for i, m in enumerate(markers) if m.hollow and m.uncertainty_m}
    # One circle per container and colour: places placed at the same point share it (drawn twice,
    # its light fill would darken and read as a second, surer place).
    unique = {(markers[i].lat, markers[i].lon, markers[i].uncertainty_m, markers[i].colour): i for i in rings}
    order = sorted(unique.values(), key=lambda i: -markers[i].uncertainty_m)
    if order:
        ax.add_collection(PolyCollection(
            [rings[i] for i in order], facecolors=[to_rgba(markers[i].colour, UNCERTAINTY_FILL) for i in order],
            edgecolors=[to_rgba(markers[i].colour, 0.7) for i in order], linewidths=0.9,
            linestyles=[CIRCLE_DASH], zorder=3, clip_on=True), autolim=False)
    return rings


def _drawn_markers(ax, renderer, markers: Sequence[_Marker], rings: dict[int, np.ndarray],
                   height_px: int) -> tuple[DrawnMarker, ...]:
    out = []
    for i, m in enumerate(markers):
        x, y = ax.transData.transform((m.lon, m.lat))
        spread = 0.0
        if i in rings:
            xs = ax.transData.transform(rings[i])[:, 0]
            spread = float(xs.max() - xs.min()) / 2
        out.append(DrawnMarker(m.place.name, float(x), float(height_px - y),
                               float(renderer.points_to_pixels(m.radius)), m.hollow, spread))
    return tuple(out)


class _ApproximateHandle(Line2D):
    """The legend entry of approximate places (sized like a marker; drawn by _ApproximateHandler)."""


class _ApproximateHandler(HandlerBase):
    """Draws the approximate entry as on the map: a light dashed uncertainty circle with a hollow
    dashed ring in its middle."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        cx, cy = width / 2 - xdescent, height / 2 - ydescent
        outer = orig_handle.get_markersize() / 2
        circle = Circle((cx, cy), outer, facecolor=to_rgba(PRECISION_INK, 0.1),
                        edgecolor=to_rgba(PRECISION_INK, 0.7), linewidth=0.8, linestyle=CIRCLE_DASH,
                        transform=trans)
        ring = Circle((cx, cy), outer * 0.45, facecolor="none", edgecolor=PRECISION_INK, linewidth=1.4,
                      linestyle=RING_DASH, transform=trans)
        return [circle, ring]


def _draw_legend(ax, renderer, markers: Sequence[_Marker], by_status: bool, scale: float,
                 by_event: bool = False) -> Box | None:
    """The legend of marker colours and sizes in the map corner that hides the fewest markers;
    returns its box in pixels (None when the map is too small to hold one)."""
    handles = []
    if by_status:
        seen = list(dict.fromkeys(status for status in STATUS_COLOUR
                                  if any(m.colour == STATUS_COLOUR[status] for m in markers)))
        for status in seen:
            handles.append(_legend_dot(STATUS_LABEL[status], STATUS_COLOUR[status], 0.8, False, 6))
        if any(m.colour == OTHER_STATUS_COLOUR for m in markers):
            handles.append(_legend_dot("Other", OTHER_STATUS_COLOUR, 0.8, False, 6))
    elif by_event:
        types = {m.place.event_type for m in markers}
        for event_type, colour in EVENT_COLOUR.items():
            if event_type in types:
                handles.append(_legend_dot(event_type, colour, 0.85, False, 6))
        if None in types:
            handles.append(_legend_dot(NO_EVENT_LABEL, NO_EVENT_COLOUR, 0.85, False, 6))
    else:
        groups = {m.group for m in markers}
        for group in reversed(GROUP_ORDER):
            if group in groups:
                handles.append(_legend_dot(GROUP_LABEL[group], GROUP_COLOUR[group], PNG_ALPHA[group],
                                           group in AREA_GROUPS, 6 if group not in AREA_GROUPS else 5))
    if any(m.hollow for m in markers):
        handles.append(_legend_dot("Exact point (filled)", PRECISION_INK, 0.6, False, 6))
        handles.append(_ApproximateHandle([], [], linestyle="none", marker="o", markersize=22,
                                          label="Approximate (hollow ring + uncertainty circle)"))
    sized = [m.place.mention_count for m in markers if m.group not in AREA_GROUPS]
    for n in _legend_counts(max(sized)) if sized else ():
        # Hollow circles: sizes, not a kind of place.
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=2 * marker_radius(n),
                              markerfacecolor="none", markeredgecolor="#5f6368", markeredgewidth=0.9,
                              label=f"{n} mention{'s' if n != 1 else ''}"))
    biggest = max(h.get_markersize() for h in handles)
    fontsize = 10.0
    legend = ax.legend(handles=handles, loc="lower left", fontsize=fontsize, frameon=True, framealpha=0.92,
                       edgecolor="#c8cdd1", facecolor="white", borderpad=0.7, labelspacing=0.55,
                       handlelength=biggest / fontsize, handleheight=0.7, handletextpad=0.8,
                       handler_map={_ApproximateHandle: _ApproximateHandler()})
    legend.set_zorder(9)
    for t in legend.get_texts():
        t.set_parse_math(False)
        t.set_usetex(False)
        t.set_color(INK)
    pts = ax.transData.transform(np.array([(m.lon, m.lat) for m in markers]))
    weights = np.array([m.place.mention_count for m in markers], dtype=float)
    # Measured once in the lower left; the other corners mirror it (the same padding to the frame).
    frame, bb = ax.get_window_extent(renderer), legend.get_window_extent(renderer)
    pad_x, pad_y, w, h = bb.x0 - frame.x0, bb.y0 - frame.y0, bb.width, bb.height
    corners = {"lower left": (frame.x0 + pad_x, frame.y0 + pad_y),
               "lower right": (frame.x1 - pad_x - w, frame.y0 + pad_y),
               "upper left": (frame.x0 + pad_x, frame.y1 - pad_y - h),
               "upper right": (frame.x1 - pad_x - w, frame.y1 - pad_y - h)}
    best = None
    margin = 10 * scale
    for loc, (x0, y0) in corners.items():
        inside = (pts[:, 0] >= x0 - margin) & (pts[:, 0] <= x0 + w + margin) \
            & (pts[:, 1] >= y0 - margin) & (pts[:, 1] <= y0 + h + margin)
        cost = float(weights[inside].sum())
        if best is None or cost < best[0]:
            best = (cost, loc)
    if w * h > 0.25 * frame.width * frame.height:     # a thumbnail: the legend would hide the map
        legend.remove()
        return None
    legend.set_loc(best[1])
    bb = legend.get_window_extent(renderer)
    return Box(bb.x0, bb.y0, bb.x1, bb.y1)


def _legend_dot(label: str, colour: str, alpha: float, dashed: bool, radius: float) -> Line2D:
    return Line2D([], [], linestyle="none", marker="o", markersize=2 * radius,
                  markerfacecolor=to_rgba(colour, alpha), markeredgecolor=colour if dashed else "white",
                  markeredgewidth=1.0, label=label)


def _legend_counts(most: int) -> list[int]:
    """Up to three round mention counts for the size legend, the last not above the largest shown."""
    nice = [n for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if n <= max(most, 1)]
    if len(nice) <= 3:
        return nice
    return [1, nice[len(nice) // 2], nice[-1]]


def _draw_labels(fig: Figure, ax, renderer, markers: Sequence[_Marker], obstacles: Sequence[Box],
                 px: float, core: set[str] | frozenset[str] = frozenset()) -> list[MapLabel]:
    """Label the markers greedily: the story's core first (their labels may move out, with a leader
    line), then by mentions and kind; labels overlap no other label, marker or `obstacle`."""
    if not markers:
        return []
    order = sorted(markers, key=lambda m: (m.place.key not in core, -m.place.mention_count,
                                           GROUP_ORDER.index(m.group), m.place.name))
    to_px = renderer.points_to_pixels
    centres = ax.transData.transform(np.array([(m.lon, m.lat) for m in order]))
    texts, anchors, marker_boxes = [], [], []
    for m, (x, y) in zip(order, centres, strict=True):
        colour, weight, style = LABEL_STYLE[m.group]
        t = plain_text(fig, 0, 0, one_line(m.place.name), transform=IdentityTransform(), ha="left", va="bottom",
                  fontsize=11.0 if m.group == "country" else 10.0, color=colour, fontweight=weight,
                  fontstyle=style, zorder=7,
                  path_effects=[patheffects.withStroke(linewidth=3.0, foreground=(1, 1, 1, 0.85))])
        ext = t.get_window_extent(renderer)
        r = to_px(m.radius)
        # A town's label sits just off its dot; an area's label may overlap its own translucent disc.
        reach = r if m.group in ("town", "feature") else min(r, 6 * px)
        texts.append(t)
        anchors.append(Anchor(float(x), float(y), reach, ext.width, ext.height))
        # A label must not hide another place's dot; over a country's or region's translucent
        # disc it may lie, as long as it leaves the centre visible.
        small = to_px(min(m.radius, 7.0) if m.group in ("town", "feature") else 3.0)
        marker_boxes.append(Box(x - small, y - small, x + small, y + small))
    fb = ax.get_window_extent(renderer)
    frame = Box(fb.x0 + 2, fb.y0 + 2, fb.x1 - 2, fb.y1 - 2)
    gap, pad = 3 * px, 1.5 * px
    boxes = place_labels(anchors, frame, obstacles=obstacles, markers=marker_boxes, gap=gap, pad=pad,
                         leaders=[m.place.key in core for m in order])
    labels = []
    for m, t, a, box in zip(order, texts, anchors, boxes, strict=True):
        leader = False
        if box is None:
            t.remove()
        else:
            t.set_position((box.x0 + pad, box.y0 + pad))
            leader = needs_leader(a, box, gap, pad)
            if leader:
                end = _nearest_point(box.grown(-pad), a.x, a.y)
                angle = math.atan2(end[1] - a.y, end[0] - a.x)
                start = (a.x + math.cos(angle) * a.radius, a.y + math.sin(angle) * a.radius)
                fig.add_artist(Line2D([start[0], end[0]], [start[1], end[1]], transform=IdentityTransform(),
                                      color="#5f6368", linewidth=0.8 * px, zorder=6.5, solid_capstyle="round"))
        labels.append(MapLabel(m.place.name, box, m.place.key in core, leader))
    return labels


# -- the locator map ---------------------------------------------------------------------------------

def _draw_locator(fig: Figure, ax, renderer, basemaps: Sequence[Path], view: tuple[float, float, float, float],
                  markers: Sequence[_Marker], legend_box: Box | None, px: float) -> Box | None:
    """A small map, in the corner of the view that hides the fewest mentions (not the legend's),
    of the region around the view with the view drawn as a red rectangle; its box in pixels
    (None when the map is too small for one)."""
    frame = ax.get_window_extent(renderer)
    w, h = INSET_SIZE[0] * px, INSET_SIZE[1] * px
    if w * h > 0.08 * frame.width * frame.height:      # a thumbnail: the locator would hide the map
        return None
    pad = 10 * px
    corners = {"lower right": (frame.x1 - pad - w, frame.y0 + pad), "upper left": (frame.x0 + pad, frame.y1 - pad - h),
               "upper right": (frame.x1 - pad - w, frame.y1 - pad - h), "lower left": (frame.x0 + pad, frame.y0 + pad)}
    pts = ax.transData.transform(np.array([(m.lon, m.lat) for m in markers])) if markers else np.zeros((0, 2))
    weights = np.array([m.place.mention_count for m in markers], dtype=float)
    best = None
    for x0, y0 in corners.values():
        box = Box(x0, y0, x0 + w, y0 + h)
        if legend_box is not None and box.grown(4 * px).overlaps(legend_box):
            continue
        inside = (pts[:, 0] >= box.x0 - pad) & (pts[:, 0] <= box.x1 + pad) \
            & (pts[:, 1] >= box.y0 - pad) & (pts[:, 1] <= box.y1 + pad) if len(pts) else np.zeros(0, bool)
        cost = float(weights[inside].sum()) if len(pts) else 0.0
        if best is None or cost < best[0]:
            best = (cost, box)
    if best is None:
        return None
    box = best[1]
    inset = fig.add_axes((box.x0 / fig.bbox.width, box.y0 / fig.bbox.height, w / fig.bbox.width,
                          h / fig.bbox.height), zorder=8)
    inset.set_facecolor(SEA)
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#5f6368")
        spine.set_linewidth(0.9)
    south, west, north, east = view
    lat_c, lon_c = (south + north) / 2, (west + east) / 2
    # Wide enough that the view is a small rectangle within the land around it.
    half_lat = min(max((north - south) * 3.0, 14.0), 60.0)
    k = max(math.cos(math.radians(lat_c)), 0.2)
    wide = _fit_view((max(lat_c - half_lat, -MAX_LAT), lon_c - half_lat / k, min(lat_c + half_lat, MAX_LAT),
                      lon_c + half_lat / k), [], w / h)
    inset.set_xlim(wide[1], wide[3])
    inset.set_ylim(wide[0], wide[2])
    draw_basemaps(inset, basemaps[:1], wide)
    inset.add_patch(Rectangle((west, south), east - west, north - south, facecolor=to_rgba("#c0392b", 0.12),
                              edgecolor="#c0392b", linewidth=1.4, zorder=5))
    return box
