"""Names that give a PNG its bearings: the countries and seas in view, written where the story's own
labels and markers leave room.

    >>> named = draw_context_names(fig, ax, renderer, context_names(land, view), taken, markers, set(), px)
    >>> named            # ('Ukraine', 'Russia', 'Black Sea', ...): the names written, most prominent first

Countries are written in small capitals-like grey letters, seas in blue italics, centred on their
point; a name that would cover a label, a marker, the legend or the locator map, or another such
name, or that would leave the map, is skipped, as is a country the story itself names on the map
(its own label says it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.transforms import IdentityTransform

from geo.map.png_basemap import ContextName
from geo.map.png_text import plain_text

COUNTRY_INK, SEA_INK = "#7d8286", "#4f7fae"
MAX_NAMES = 40


def draw_context_names(fig: Figure, ax, renderer, names: Sequence[ContextName], taken: Sequence,
                       markers: Sequence, named_countries: Collection[str], px: float) -> tuple[str, ...]:
    """Write `names` (most prominent first) where they fit; `taken` and `markers` are boxes in pixels
    (anything with x0, y0, x1, y1) to keep clear; `named_countries` ISO codes the story names itself.
    Returns the names written."""
    frame = ax.get_window_extent(renderer)
    boxes = [(b.x0, b.y0, b.x1, b.y1) for b in (*taken, *markers)]
    written: list[str] = []
    pad = 3 * px
    for n in names[:MAX_NAMES]:
        if n.kind == "country" and n.iso and n.iso in named_countries:
            continue
        x, y = ax.transData.transform((n.lon, n.lat))
        sea = n.kind == "sea"
        t = plain_text(fig, float(x), float(y), n.name.upper() if not sea else n.name,
                       transform=IdentityTransform(), ha="center", va="center",
                       fontsize=(10.5 if n.rank <= 2 else 9.5) if not sea else 10.0,
                       color=SEA_INK if sea else COUNTRY_INK, fontstyle="italic" if sea else "normal",
                       fontweight="normal", zorder=3.6,
                       path_effects=[patheffects.withStroke(linewidth=2.5, foreground=(1, 1, 1, 0.7))])
        bb = t.get_window_extent(renderer)
        box = (bb.x0 - pad, bb.y0 - pad, bb.x1 + pad, bb.y1 + pad)
        inside = bb.x0 >= frame.x0 + 2 and bb.x1 <= frame.x1 - 2 and bb.y0 >= frame.y0 + 2 and bb.y1 <= frame.y1 - 2
        if not inside or any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            t.remove()
            continue
        boxes.append(box)
        written.append(n.name)
    return tuple(written)
