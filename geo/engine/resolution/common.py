"""What resolution's scores share: the candidate and result types, distances, the score constants."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.engine.context import MentionGroup
from geo.engine.mention import Mention

MAX_CANDIDATES = 40


CONTEXT_CAN_OVERTURN = 10.0


ALTERNATIVES_KEPT = 5


SMALL_TOWN = 100_000               # population below which an alternate name is weak evidence


ALT_CONTEXT_WEIGHT = 0.5           # how far context counts for such a town (see _context_weight)


ADMIN2_OVER_TOWN = 0.6             # a bare-named district ranks a little above a town of its size


IMPORTED_FEATURE = 2.0            # prior of an imported feature (a GeoNames power plant, a user's checkpoint)


CITY_OVER_REGION = 0.05            # a city this big against the region named like it is what the bare name means


NEAR_KM = 60.0                     # "X near Y": how far from Y X may lie


BRACKET_TOWN_KM = 100.0            # "X (Y, Z)", "X, Y township": a town named as a container stands for its district


REGION_KM = 400.0                  # ... a region without an outline (a curated area): about its breadth


IN_TOWN_KM = 30.0                  # "X in <town>", "<city> - <district>": X lies within the town's area


HOLDS_BONUS = 2.5                  # a container's reading that holds a candidate of what it contains


NEAR_POINT_KM = 150.0              # candidates this close to the pick count as agreeing with it


EXACT_SHARE = 0.6                  # the pick's side must hold this share of the probability to be stated as exact


VILLAGE = 5_000                    # ... when it is a village (fewer people) with no clear winner:


VILLAGE_SHARE = 0.4                # the pick holds less than this share


CONTAINER_SHARE = 0.75             # ... else the smallest container holding this share stands in


OUTSIDE_PENALTY = 1000.0           # what a candidate outside a named container loses (kept for review)


SPREAD_MIN_KM = 5.0                # the smallest uncertainty circle of a region or country


FAR_HEAD_KM = 1000.0               # see _unplace_far_heads


IMPLIED_SHARE = 0.6                # a story's region (or country) that holds this share of its places


# How precisely a placed mention's point stands for it (see ResolvedMention.precision).
PRECISIONS = ("exact", "town", "admin2", "admin1", "country", "unplaced")


_PRECISION_OF_KIND = {"admin1": "admin1", "admin2": "admin2", "country": "country", "region": "admin1",
                      "continent": "country"}


@dataclass(frozen=True)
class Candidate:
    """A gazetteer entry considered for a mention, with the score it got."""

    row: int
    geonameid: int | None
    name: str
    kind: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    score: float


@dataclass(frozen=True)
class ResolvedMention:
    """A mention and the place chosen for it, with how precisely its point stands for it.

    `precision` is "exact" (a gazetteer point of that very place), "town" (the point of the town a
    facility or district is in or near), "admin2", "admin1" or "country" (the point of the container
    the text names or implies: a village the gazetteer lacks, or a name too ambiguous to pick one
    place by), or "unplaced". `place` is the gazetteer entry the mention names (None when the
    gazetteer lacks it or the engine cannot tell which); `container` the entry whose point stands in
    for an approximate one.

    `placed_by` says who placed it: "gazetteer" (the engine), "correction" (a user's correction, see
    geo.store.corrections) or the name of the online geocoder whose answer a user accepted ("nominatim");
    `correction` is then the id of that correction."""

    mention: Mention
    place: Candidate | None
    confidence: float
    alternatives: tuple[Candidate, ...]
    lat: float | None
    lon: float | None
    precision: str = "exact"
    container: Candidate | None = None
    placed_by: str = "gazetteer"
    correction: int | None = None
    uncertainty_km: float = 0.0     # how far the place may lie from an approximate point (0: by precision)

    @property
    def label(self) -> str:
        """The place's display name ("northern Russia" for a directional mention)."""
        if self.place is None or self.mention.cue == "facility" or self.precision != "exact":
            return self.mention.name
        if self.mention.direction:
            return f"{self.mention.name.split()[0].lower()} {self.place.name}"
        return self.place.name

    @property
    def placed(self) -> bool:
        return self.lat is not None


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _follow_placed_twins(groups: list[MentionGroup], placed: list[tuple]) -> None:
    """One name, one place in an article: a name left unplaced where it stands alone ("famine grips
    Zamzam camp") takes the place of the one mention of the same name that the text places by its
    container ("the Zamzam camp near El Fasher"), when exactly one such placement exists."""
    by_key: dict[str, set[int]] = {}
    for n, g in enumerate(groups):
        if g.containers and placed[n][5] != "unplaced":
            by_key.setdefault(g.key, set()).add(n)
    if not by_key:
        return
    for n, g in enumerate(groups):
        twins = by_key.get(g.key, ())
        if placed[n][5] == "unplaced" and not g.containers and not g.mention.demonym and len(twins) == 1:
            placed[n] = placed[next(iter(twins))]


def _placed_row(g: MentionGroup, pick: int) -> int | None:
    """The row that places a group in its own right: None when it has none, or when no candidate lies
    in the container the text names (it then stands at that container's point, see _placement)."""
    if pick < 0 or not len(g.rows) or (g.allowed is not None and not g.allowed.any()):
        return None
    return int(g.rows[pick])


def _softmax(scores: np.ndarray) -> np.ndarray:
    probs = np.exp(scores - scores.max())
    return probs / probs.sum()
