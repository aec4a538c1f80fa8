"""Where a story happens: the frame a map opens on, and the places it leaves outside.

    >>> from geo.map.frame import story_frame
    >>> frame = story_frame(places)
    >>> frame.bounds          # (south, west, north, east) around the story's core
    >>> [p.name for p in frame.off_frame]     # ['Washington', 'Brussels']: named, far from the scene

The core is where the story's towns, facilities and regions concentrate, weighted by mentions: the
place with the most weight within CORE_RADIUS_KM of it is the centre; the places around it in the
story's own country, and those across a border close to them, are the core (with a second group in the
same country farther out when it carries a fair share of the story). Countries and continents are
context, not the scene (their points are far from most of their towns). Side mentions far away (another
country's capital, a summit abroad) stay on the map but outside the frame, and are listed so that a
reader knows they are there.

A text that tells several stories far apart (three short reports from Mali, Somalia and Myanmar pasted
together) has several scenes: after the heaviest one, the heaviest group of what is left is a scene of
its own when it has at least two places and a third of the first scene's weight (up to four scenes).
The frame holds every scene (`StoryFrame.scenes`): a frame on one of them would hide the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geo.engine.resolve import haversine_km
from geo.map.places import Place

CORE_RADIUS_KM = 600.0
MAX_CENTRES = 300            # the heaviest places tried as the centre: the cost stays linear in places
CONTEXT_KINDS = frozenset({"country", "continent"})
STRETCHES = frozenset({"water"})     # seas, gulfs, rivers: not where the story's scene is
# A region's point stands for a large area, an approximate place's for its container: they count less.
REGION_WEIGHT = 0.5
APPROXIMATE_WEIGHT = 0.5
MIN_SPAN_DEG = 0.6          # the smallest frame (about 65 km), for a story of one place or a small strip
HOME_RADIUS_KM = 1500.0      # the story's country may reach this far from the centre (Khartoum to Darfur)
FAR_GROUP_SHARE = 0.25       # ... for a group of places that weighs at least this share of the core
MAX_FAR_GROUPS = 3
NEIGHBOUR_KM = 150.0         # a place across a border this close to the story's own places is in the scene
SCENE_SHARE = 1 / 3          # another group is a scene of its own from this share of the first scene's weight
MIN_SCENE_PLACES = 2         # ... and with at least this many places (one far city is a side mention)
MAX_SCENES = 4


@dataclass(frozen=True)
class Scene:
    """One place where the story happens: its places (keys), their main country and their weight."""

    core: tuple[str, ...]
    country: str          # ISO code of the country with the most weight ("" when none)
    weight: float


@dataclass(frozen=True)
class StoryFrame:
    """The view a map of the story opens on."""

    bounds: tuple[float, float, float, float]     # (south, west, north, east), margin included
    core: tuple[str, ...]                         # keys of the places that make the scene
    off_frame: tuple[Place, ...]                  # placed places outside the bounds, most-mentioned first
    scenes: tuple[Scene, ...] = ()                # the scenes the core is made of, heaviest first

    def contains(self, lat: float, lon: float) -> bool:
        south, west, north, east = self.bounds
        return south <= lat <= north and west <= lon <= east


def weight(place: Place) -> float:
    """How much a place pulls the frame: its mentions, less for regions and approximate points."""
    w = float(max(place.mention_count, 1))
    if place.kind in ("admin1", "region"):
        w *= REGION_WEIGHT
    if place.approximate:
        w *= APPROXIMATE_WEIGHT
    return w


def story_frame(places: Sequence[Place], *, radius_km: float = CORE_RADIUS_KM,
                margin: float = 0.12) -> StoryFrame | None:
    """The frame of the story told by `places`; None when none has a point."""
    placed = [p for p in places if p.resolved]
    if not placed:
        return None
    # Countries, and places known only to lie in a country (at its centroid), are context: they decide
    # the frame only when nothing smaller was placed.
    # Seas and rivers too: their points are anywhere along them.
    scene = [p for p in placed if p.kind not in CONTEXT_KINDS and p.kind not in STRETCHES
             and p.precision != "country"] or placed
    lat = np.asarray([p.lat for p in scene])
    lon = np.asarray([p.lon for p in scene])
    w = np.asarray([weight(p) for p in scene])
    scenes = _scenes(scene, lat, lon, w, radius_km)
    core = [scene[i] for members in scenes for i in members.tolist()]
    bounds = place_bounds(core, margin=margin)
    described = tuple(_scene(scene, members, w) for members in scenes)
    frame = StoryFrame(bounds, tuple(p.key for p in core), (), described)
    off = [p for p in placed if p.kind not in CONTEXT_KINDS and not frame.contains(p.lat, p.lon)]
    off.sort(key=lambda p: (-p.mention_count, p.name))
    return StoryFrame(bounds, frame.core, tuple(off), described)


def _scenes(scene: Sequence[Place], lat: np.ndarray, lon: np.ndarray, w: np.ndarray,
            radius_km: float) -> list[np.ndarray]:
    """The indices of each scene's places: the heaviest core first, then, among the places left, the
    heaviest group while it has `MIN_SCENE_PLACES` places and `SCENE_SHARE` of the first one's weight."""
    remaining = np.arange(len(scene))
    scenes: list[np.ndarray] = []
    while len(remaining) and len(scenes) < MAX_SCENES:
        sub_lat, sub_lon, sub_w = lat[remaining], lon[remaining], w[remaining]
        centre = _heaviest_neighbourhood(sub_lat, sub_lon, sub_w, np.arange(len(remaining)), radius_km)
        inside = _core([scene[i] for i in remaining.tolist()], sub_lat, sub_lon, sub_w, centre, radius_km)
        members = remaining[inside]
        if scenes and (len(members) < MIN_SCENE_PLACES or w[members].sum() < SCENE_SHARE * w[scenes[0]].sum()):
            break
        scenes.append(members)
        remaining = remaining[~inside]
    return scenes


def _scene(scene: Sequence[Place], members: np.ndarray, w: np.ndarray) -> Scene:
    weights: dict[str, float] = {}
    for i in members.tolist():
        code = scene[i].country or ""
        weights[code] = weights.get(code, 0.0) + float(w[i])
    country = max(weights, key=lambda c: (c != "", weights[c]))
    return Scene(tuple(scene[i].key for i in members.tolist()), country, float(w[members].sum()))


def _heaviest_neighbourhood(lat: np.ndarray, lon: np.ndarray, w: np.ndarray, among: np.ndarray,
                            radius_km: float) -> int:
    """The place (of `among`, the heaviest `MAX_CENTRES` tried) with the most weight within `radius_km`."""
    centres = among[np.argsort(-w[among], kind="stable")[:MAX_CENTRES]]
    best, best_score = int(centres[0]), -1.0
    for c in centres.tolist():
        score = float(w[among][haversine_km(lat[among], lon[among], lat[c], lon[c]) <= radius_km].sum())
        if score > best_score + 1e-9:
            best, best_score = c, score
    return best


def _core(scene: Sequence[Place], lat: np.ndarray, lon: np.ndarray, w: np.ndarray, centre: int,
          radius_km: float) -> np.ndarray:
    """Which places make the story's scene: around the centre, those in the story's own country (the
    one with the most weight there) and those across a border close to them (a Gaza story's Israeli
    towns, not Cairo); and a second group in the same country farther out when it carries a fair share
    of the story (Darfur in a story that opens on Khartoum, not one mention of Lviv in a story of the
    Donetsk front). Without countries, the places within `radius_km` of the centre."""
    distance = haversine_km(lat, lon, lat[centre], lon[centre])
    near = distance <= radius_km
    country = np.asarray([p.country or "" for p in scene])
    weights: dict[str, float] = {}
    for c, x in zip(country[near].tolist(), w[near].tolist(), strict=True):
        weights[c] = weights.get(c, 0.0) + x
    home = max(weights, key=lambda c: (weights[c], c != ""))
    if not home:
        return near
    at_home = country == home
    inside = near & at_home
    far = np.flatnonzero(at_home & ~near & (distance <= HOME_RADIUS_KM))
    enough = FAR_GROUP_SHARE * w[inside].sum()
    for _ in range(MAX_FAR_GROUPS):
        if not len(far):
            break
        second = _heaviest_neighbourhood(lat, lon, w, far, radius_km)
        grouped = haversine_km(lat[far], lon[far], lat[second], lon[second]) <= radius_km
        if w[far[grouped]].sum() < enough:
            break       # the heaviest group left is too light: so is every other
        inside[far[grouped]] = True
        far = far[~grouped]
    across = np.flatnonzero(~at_home & (distance <= HOME_RADIUS_KM))
    if len(across):
        home_points = np.unique(np.round(np.stack([lat[inside], lon[inside]], axis=1) * 4) / 4, axis=0)
        home_points = home_points[:MAX_CENTRES]
        d = haversine_km(lat[across][:, None], lon[across][:, None], home_points[None, :, 0], home_points[None, :, 1])
        inside[across[d.min(axis=1) <= NEIGHBOUR_KM]] = True
    return inside


def place_bounds(places: Sequence[Place], min_span: float = MIN_SPAN_DEG,
                 margin: float = 0.0) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the places, at least `min_span` degrees each way, widened by
    `margin` (a share of the span) on every side, and kept on the map."""
    lats = [p.lat for p in places if p.lat is not None]
    lons = [p.lon for p in places if p.lon is not None]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if north - south < min_span:
        mid = (north + south) / 2
        south, north = mid - min_span / 2, mid + min_span / 2
    if east - west < min_span:
        mid = (east + west) / 2
        west, east = mid - min_span / 2, mid + min_span / 2
    dy, dx = (north - south) * margin, (east - west) * margin
    return max(south - dy, -85.0), max(west - dx, -180.0), min(north + dy, 85.0), min(east + dx, 180.0)
