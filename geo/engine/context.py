"""What the other names of an article say about one name: the countries and regions they resolve to,
the containers they name, the points they stand at, each weighted by how close in the text they stand.

    >>> context = ArticleContext.of(index, groups, picks, Positions(positions))
    >>> context.country_shares(context.closeness("kramatorsk", {"kramatorsk"}))   # {"UA": 0.9, ...}

Used by `geo.engine.resolve.Resolver` at every iteration; sums over the whole article are kept once, so that
each name's view costs what its neighbourhood in the text holds.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from geo.engine.mention import Mention

if TYPE_CHECKING:
    from geo.gazetteer import PlaceIndex

NEAR_CHARS = 600.0                 # names this close in the text (a paragraph) give full context
NEAR_WINDOW = 3000                 # beyond 5 x NEAR_CHARS a name's weight is FAR_WEIGHT to 0.5 %
MAX_POINTS = 1000                  # up to this many placed names, every one counts for distances
FAR_WEIGHT = 0.3                   # what the farthest names of an article still give


@dataclass(frozen=True)
class Closeness:
    """How much the other names of an article count for one name: `near` holds the names standing
    within a few paragraphs of it, with their weight; every other name but those in `skip` (the name
    itself and its list siblings) counts FAR_WEIGHT. Computed from a window around each mention, so
    the cost grows with the article, not with its square."""

    near: dict[str, float]
    skip: frozenset[str]


class Positions:
    """Where every name's mentions start, sorted, for window searches."""

    def __init__(self, positions: dict[str, list[int]]) -> None:
        self.of = positions
        pairs = sorted((p, key) for key, starts in positions.items() for p in starts)
        self.starts = [p for p, _ in pairs]
        self.keys = [key for _, key in pairs]

    def closeness(self, key: str, skip: set[str]) -> Closeness:
        gaps: dict[str, int] = {}
        starts, keys = self.starts, self.keys
        for p in self.of.get(key, ()):
            for q in range(bisect.bisect_left(starts, p - NEAR_WINDOW), bisect.bisect_right(starts, p + NEAR_WINDOW)):
                other = keys[q]
                if other in skip:
                    continue
                gap = abs(starts[q] - p)
                if gap < gaps.get(other, NEAR_WINDOW + 1):
                    gaps[other] = gap
        near = {other: FAR_WEIGHT + (1.0 - FAR_WEIGHT) * math.exp(-gap / NEAR_CHARS) for other, gap in gaps.items()}
        return Closeness(near, frozenset(skip))


@dataclass
class ArticleContext:
    """What the groups of an article say: countries, first-level regions, points.

    Counted per name so that a name never votes for itself, and weighted by how close in the text
    each name stands to the one being decided: a roundup of several countries' news names the
    country of each town near the town. Sums over the whole article are kept once, so that each
    name's view costs what its neighbourhood in the text holds (see Closeness)."""

    countries: dict[str, Counter]
    admin1s: dict[str, Counter]
    point_keys: list[str]
    points: np.ndarray
    named: dict[tuple[str, str], set[str]]     # ("country"/"admin1", code) -> the names naming it
    series: dict[int, list[tuple[str, str, str]]]   # list id -> (name key, kind, country) picked
    positions: Positions
    cued: dict[str, set[int]]              # name key -> rows picked where a cue or partner decided
    all_countries: Counter = field(default_factory=Counter)     # sums over every name
    all_admin1s: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, index: PlaceIndex, groups: Sequence[MentionGroup], picks: Sequence[int],
           positions: Positions) -> ArticleContext:
        countries: dict[str, Counter] = {}
        admin1s: dict[str, Counter] = {}
        point_keys, points = [], []
        named: dict[tuple[str, str], set[str]] = {}
        series: dict[int, list[tuple[str, str, str]]] = {}
        cued: dict[str, set[int]] = {}
        for g, pick in zip(groups, picks, strict=True):
            if pick < 0:
                continue
            r = int(g.rows[pick])
            if g.mention.cue or g.partner:
                cued.setdefault(g.key, set()).add(r)
            kind = index.kind(r)
            for sid in g.series:
                series.setdefault(sid, []).append((g.key, kind, index.country[r]))
            if kind == "country" and not g.mention.demonym:
                named.setdefault(("country", index.country[r]), set()).add(g.key)
            elif kind == "admin1" and not g.mention.direction:
                named.setdefault(("admin1", index.admin1[r]), set()).add(g.key)
            s = g.scores if g.scores is not None else g.prior
            margin = float(s[pick] - np.partition(s, -2)[-2]) if len(s) > 1 else 5.0
            weight = (1.0 if margin > 1.0 else 0.5) * g.size
            if index.country[r]:
                countries.setdefault(g.key, Counter())[index.country[r]] += weight
            if kind in ("admin1", "admin2", "city") and index.admin1[r]:
                admin1s.setdefault(g.key, Counter())[index.admin1[r]] += weight
            if kind in ("city", "admin2", "facility", "island") and margin > 0.5:
                point_keys.append(g.key)
                points.append((float(index.lat[r]), float(index.lon[r])))
        context = cls(countries, admin1s, point_keys, np.asarray(points, dtype=float).reshape(-1, 2), named,
                      series, positions, cued)
        for counter in countries.values():
            context.all_countries.update(counter)
        for counter in admin1s.values():
            context.all_admin1s.update(counter)
        return context

    def closeness(self, key: str, skip: set[str]) -> Closeness:
        """How much each other name's evidence counts for `key`: fully when they stand close in
        the text, less (never nothing) when far apart; names in `skip` not at all."""
        return self.positions.closeness(key, skip)

    def series_bonus(self, key: str, series: set[int], kind: str, country: str) -> float:
        """Members of a list are alike: of the same kind and often of one country. The bonus grows
        with the share of the other members that agree, and with their number (two agree more
        firmly than one)."""
        best = 0.0
        for sid in series:
            others = [(k, c) for name, k, c in self.series.get(sid, ()) if name != key]
            if not others:
                continue
            same_kind = sum(k == kind for k, _ in others) / len(others)
            same_country = sum(c == country for _, c in others if c) / len(others)
            weight = min(1.0, len(others) / 2)
            best = max(best, weight * (2.0 * same_kind + 1.0 * same_country))
        return best

    def siblings(self, key: str, series: set[int]) -> set[str]:
        """The other names in the lists this name is in."""
        return {name for sid in series for name, _, _ in self.series.get(sid, ()) if name != key}

    def named_by(self, closeness: Closeness) -> tuple[dict[str, float], dict[str, float]]:
        """Countries and first-level regions the article names, with the closeness of the nearest
        name that names them."""
        countries: dict[str, float] = {}
        admin1s: dict[str, float] = {}
        for (level, code), keys in self.named.items():
            w = max((closeness.near.get(k, FAR_WEIGHT) for k in keys if k not in closeness.skip), default=0.0)
            if w:
                (countries if level == "country" else admin1s)[code] = w
        return countries, admin1s

    def _weighted(self, closeness: Closeness, per_name: dict[str, Counter], everyone: Counter) -> Counter:
        """Σ over names of weight x counts: FAR_WEIGHT x the article's sums, minus the skipped names,
        plus what the near names add above FAR_WEIGHT."""
        total = Counter({c: FAR_WEIGHT * v for c, v in everyone.items()})
        for key in closeness.skip:
            for c, v in per_name.get(key, {}).items():
                total[c] -= FAR_WEIGHT * v
        for key, w in closeness.near.items():
            for c, v in per_name.get(key, {}).items():
                total[c] += (w - FAR_WEIGHT) * v
        return total

    def country_shares(self, closeness: Closeness) -> dict[str, float]:
        counts = self._weighted(closeness, self.countries, self.all_countries)
        n = sum(v for v in counts.values() if v > 1e-9)
        return {c: v / n for c, v in counts.items() if v > 1e-9} if n > 1e-9 else {}

    def admin1_hits(self, closeness: Closeness) -> dict[str, float]:
        return {a: v for a, v in self._weighted(closeness, self.admin1s, self.all_admin1s).items() if v > 1e-9}

    def points_for(self, key: str, closeness: Closeness) -> np.ndarray:
        """The points of the other places: all of them in an article of ordinary size, else those
        of the names near this one in the text (the cost stays linear in the article)."""
        if len(self.point_keys) <= MAX_POINTS:
            keep = [k != key for k in self.point_keys]
        else:
            keep = [k != key and k in closeness.near for k in self.point_keys]
        return self.points[np.asarray(keep, dtype=bool)] if not all(keep) else self.points


@dataclass
class MentionGroup:
    """Mentions of one article that read alike, with their candidates and scores."""

    mention: Mention
    key: str
    rows: np.ndarray
    prior: np.ndarray
    partner: set[str]
    dominance: tuple[tuple[int, int], ...] = ()
    size: int = 0
    scores: np.ndarray | None = None
    series: set[int] = field(default_factory=set)      # coordinated lists its mentions are in
    context_weight: np.ndarray | None = None          # how far the article's context counts, per row
    ckey: tuple = ()                                  # how the name reads (the prior cache's key)
    closeness: Closeness | None = None               # other names' weight for it (see geo.engine.context)
    containers: list[tuple[int, str]] = field(default_factory=list)   # (group, "in"/"near"/"frame"), innermost first
    holds: np.ndarray | None = None                   # per row: holds a candidate of a group it contains
    allowed: np.ndarray | None = None                 # per row: inside the containers (None: none placed)
    alternate: np.ndarray | None = None               # per row: matched only by an alternate name
