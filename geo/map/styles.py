"""How places look, shared by the interactive map and the PNG: kind groups, colours, labels."""

# Kinds grouped the way a reader thinks of them.
KIND_GROUPS = {
    "city": "town", "admin2": "town",
    "admin1": "region", "region": "region", "continent": "region",
    "country": "country",
    "water": "feature", "peninsula": "feature", "island": "feature", "mountain": "feature",
    "facility": "feature", "area": "feature",
}
GROUP_LABEL = {"town": "City / town", "region": "Region", "country": "Country",
               "feature": "Feature / facility"}
GROUP_COLOUR = {"town": "#c0392b", "region": "#8e44ad", "country": "#2c3e50", "feature": "#16a085"}
# Area-like places are lighter so that the towns inside them stay visible. Their rim is solid: a
# dashed one is the approximate places' mark (a hollow dashed ring), and a region or a country the
# engine placed is exact (its own point, the centre of its towns or of its land).
GROUP_ALPHA = {"town": 0.75, "region": 0.35, "country": 0.25, "feature": 0.6}
GROUP_DASH: dict[str, str | None] = {"town": None, "region": None, "country": None, "feature": None}
# Comparison of two articles.
STATUS_COLOUR = {"only A": "#d35400", "only B": "#2471a3", "both": "#7f8c8d"}
CREDIT = ("Borders: Natural Earth (public domain), German point of view: Crimea in Ukraine · "
          "Places: GeoNames (CC BY 4.0) and curated table")
# How precisely a place's point stands for it (see geo.engine.resolve.ResolvedMention.precision). An exact
# place is a filled disc; an approximate one, placed at the point of the town, district, region or
# country that holds it, a hollow dashed ring with a circle of roughly that container's size.
PRECISION_LABEL = {"exact": "exact", "town": "town", "admin2": "district", "admin1": "region",
                   "country": "country", "unplaced": "unplaced"}
UNCERTAINTY_M = {"town": 10_000, "admin2": 30_000, "admin1": 120_000, "country": 400_000}
APPROX_DASH = "3 3"              # the hollow ring's dashes (pixels on the live map)
UNCERTAINTY_DASH = "4 4"         # the uncertainty circle's outline
UNCERTAINTY_FILL = 0.06          # ... and its very light fill


NEST_RING_PX = 4.0               # markers at one point: each shows at least this much ring outside the next
NEST_MIN_PX = 3.0                # ... the innermost at least this radius (when many share a point)
NEST_MAX_PX = 30.0               # ... and the outermost at most the largest marker's radius


def nested_radii(radii: list[float]) -> list[float]:
    """The radii to draw markers that stand at one point with (a facility placed at its town's point and
    the town; places that share a container's point): nested rings, the smallest inside, each at least
    `NEST_RING_PX` larger than the one it holds, so that each keeps a ring to click (the smaller ones are
    drawn on top). A marker grows to make room, never shrinks, unless the rings would pass
    `NEST_MAX_PX`: then they are packed closer. Given and returned in the same order."""
    if len(radii) < 2:
        return list(radii)
    order = sorted(range(len(radii)), key=lambda i: radii[i])
    cap = max(NEST_MAX_PX, *radii)
    gaps = len(radii) - 1
    inner = max(NEST_MIN_PX, min(radii[order[0]], cap - gaps * NEST_RING_PX))
    step = min(NEST_RING_PX, (cap - inner) / gaps)
    out = list(radii)
    previous = None
    for i in order:
        r = inner if previous is None else min(max(radii[i], previous + step), cap)
        out[i] = round(r, 1)
        previous = r
    return out


def uncertainty_m(precision: str, km: float = 0.0) -> int:
    """The radius in metres of the circle around an approximate place (0 for an exact one): `km` when
    the engine measured it (a region's or country's towns, see geo.engine.resolve), else the precision's
    rough default."""
    if precision not in UNCERTAINTY_M:
        return 0
    return int(round(km * 1000)) if km > 0 else UNCERTAINTY_M[precision]
# Events (geo.engine.events, ACLED's six event types): a map coloured by event type gives each place
# the colour of its main event type (the one its passages report most often), and places with no
# event a light grey. Dark, saturated colours apart in hue: legible on the light basemap, on the
# tiles and in the PNG, whatever the page's theme (the map and its legend keep their own light ground).
EVENT_COLOUR = {
    "Battles": "#c62828",                      # red
    "Explosions/Remote violence": "#e65100",   # orange
    "Violence against civilians": "#6a1b9a",   # purple
    "Protests": "#1565c0",                     # blue
    "Riots": "#8d6e00",                        # ochre
    "Strategic developments": "#2e7d32",       # green
}
NO_EVENT_COLOUR = "#9aa3ab"
NO_EVENT_LABEL = "No event reported"
# trigger words in passages: dark on light orange, whatever the theme's text colour
TRIGGER_CSS = "background:#ffe0b2;color:#1c1c1c;border-bottom:2px solid #e65100;padding:0 1px"


def event_slug(event_type: str) -> str:
    """A CSS-class-safe name of an event type ("Explosions/Remote violence" -> "explosions-remote-violence")."""
    return "".join(c if c.isalnum() else "-" for c in event_type.casefold()).strip("-").replace("--", "-")
