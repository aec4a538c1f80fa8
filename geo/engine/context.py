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
from collections import ChainMap, Counter
from collections.abc import Mapping, Sequence
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


NEIGHBOURS = 50                    # at most this many names each side of a mention are looked at (a list of
                                   # thousands of towns in one sentence would make each window thousands long)


@dataclass(frozen=True)
class Closeness:
    """How much the other names of an article count for one name: `near` holds the names standing
    within a few paragraphs of it, with their weight; every other name but `key` itself and the
    names in `skip` (its list siblings, shared by every member of those lists) counts FAR_WEIGHT.
    Computed from a window around each mention, so the cost grows with the article, not with its
    square."""

    near: dict[str, float]
    skip: frozenset[str]
    key: str = ""
    series: frozenset[int] = frozenset()      # the lists whose members `skip` holds

    def skips(self, name: str) -> bool:
        return name == self.key or name in self.skip


class Positions:
    """Where every name's mentions start, sorted, for window searches."""

    def __init__(self, positions: dict[str, list[int]]) -> None:
        self.of = positions
        pairs = sorted((p, key) for key, starts in positions.items() for p in starts)
        self.starts = [p for p, _ in pairs]
        self.keys = [key for _, key in pairs]

    def closeness(self, key: str, skip: frozenset[str], series: frozenset[int] = frozenset()) -> Closeness:
        gaps: dict[str, int] = {}
        starts, keys = self.starts, self.keys
        for p in self.of.get(key, ()):
            at = bisect.bisect_left(starts, p)
            lo = max(bisect.bisect_left(starts, p - NEAR_WINDOW), at - NEIGHBOURS)
            hi = min(bisect.bisect_right(starts, p + NEAR_WINDOW), at + NEIGHBOURS + 1)
            for q in range(lo, hi):
                other = keys[q]
                if other == key or other in skip:
                    continue
                gap = abs(starts[q] - p)
                if gap < gaps.get(other, NEAR_WINDOW + 1):
                    gaps[other] = gap
        near = {other: FAR_WEIGHT + (1.0 - FAR_WEIGHT) * math.exp(-gap / NEAR_CHARS) for other, gap in gaps.items()}
        return Closeness(near, skip, key, series)


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
    names_of: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # name -> the `named` it names
    _cache: dict = field(default_factory=dict)    # sums per list and the like, made once per context

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
        for entry, keys in named.items():
            for key in keys:
                context.names_of.setdefault(key, []).append(entry)
        return context

    def closeness(self, key: str, series: set[int]) -> Closeness:
        """How much each other name's evidence counts for `key`: fully when they stand close in
        the text, less (never nothing) when far apart; the members of its lists `series` not at
        all (list siblings are not containers: "Washington" beside "Missouri" in a list of states)."""
        lists = frozenset(series)
        return self.positions.closeness(key, self._members(lists), lists)

    def _members(self, lists: frozenset[int]) -> frozenset[str]:
        """The names in these lists: made once per set of lists, shared by all their members."""
        found = self._cache.get(("members", lists))
        if found is None:
            found = self._cache[("members", lists)] = frozenset(
                name for sid in lists for name, _, _ in self.series.get(sid, ()))
        return found

    def _series_stats(self, sid: int) -> tuple[int, Counter, Counter, dict[str, tuple[int, Counter, Counter]]]:
        """A list's size, kinds and countries, and each member's own share of them (made once per list)."""
        found = self._cache.get(("series", sid))
        if found is None:
            entries = self.series.get(sid, ())
            own: dict[str, tuple[int, Counter, Counter]] = {}
            for name, kind, country in entries:
                n, kinds, countries = own.get(name, (0, Counter(), Counter()))
                kinds[kind] += 1
                if country:
                    countries[country] += 1
                own[name] = (n + 1, kinds, countries)
            found = self._cache[("series", sid)] = (
                len(entries), Counter(k for _, k, _ in entries), Counter(c for _, _, c in entries if c), own)
        return found

    def series_bonus(self, key: str, series: set[int], kind: str, country: str) -> float:
        """Members of a list are alike: of the same kind and often of one country. The bonus grows
        with the share of the other members that agree, and with their number (two agree more
        firmly than one). Counted from each list's totals, so that a list of thousands costs what
        a list of two does."""
        best = 0.0
        for sid in series:
            total, kinds, countries, own = self._series_stats(sid)
            mine, my_kinds, my_countries = own.get(key, (0, Counter(), Counter()))
            others = total - mine
            if not others:
                continue
            same_kind = (kinds[kind] - my_kinds[kind]) / others
            same_country = (countries[country] - my_countries[country]) / others if country else 0.0
            weight = min(1.0, others / 2)
            best = max(best, weight * (2.0 * same_kind + 1.0 * same_country))
        return best

    def siblings(self, key: str, series: set[int]) -> set[str]:
        """The other names in the lists this name is in."""
        return set(self._members(frozenset(series))) - {key}

    def named_by(self, closeness: Closeness) -> tuple[Mapping[str, float], Mapping[str, float]]:
        """Countries and first-level regions the article names, with the closeness of the nearest
        name that names them: FAR_WEIGHT for each (made once), changed where a near name names one
        or where every name naming one is skipped."""
        base = self._cache.get("named")
        if base is None:
            base = self._cache["named"] = ({code: FAR_WEIGHT for level, code in self.named if level == "country"},
                                           {code: FAR_WEIGHT for level, code in self.named if level == "admin1"})
        changed: tuple[dict[str, float], dict[str, float]] = ({}, {})
        for entry in self._all_skipped(closeness):
            changed[entry[0] == "admin1"][entry[1]] = 0.0
        for key, w in closeness.near.items():
            for level, code in self.names_of.get(key, ()):
                side = changed[level == "admin1"]
                side[code] = max(side.get(code, 0.0), w)
        if not changed[0] and not changed[1]:
            return base
        return (ChainMap(changed[0], base[0]) if changed[0] else base[0],
                ChainMap(changed[1], base[1]) if changed[1] else base[1])

    def _all_skipped(self, closeness: Closeness) -> list[tuple[str, str]]:
        """The countries and regions that only skipped names name (the name itself, its siblings)."""
        lists = closeness.series
        counts = self._cache.get(("named_skipped", lists))
        if counts is None:
            counts = Counter()
            for name in closeness.skip:
                counts.update(self.names_of.get(name, ()))
            self._cache[("named_skipped", lists)] = counts
        mine = () if closeness.key in closeness.skip else self.names_of.get(closeness.key, ())
        full = [entry for entry, n in counts.items() if n == len(self.named[entry])] if counts else []
        return full + [entry for entry in mine if counts.get(entry, 0) + 1 == len(self.named[entry])]

    def _weighted(self, closeness: Closeness, per_name: dict[str, Counter], everyone: Counter) -> Weighted:
        """Σ over names of weight x counts: FAR_WEIGHT x the article's sums, minus the skipped names,
        plus what the near names add above FAR_WEIGHT (kept as the changes to the article's sums, so
        that the cost is what the name's neighbourhood holds, not the article's every region)."""
        which = ("base", id(per_name), closeness.series)
        base = self._cache.get(which)
        if base is None:     # made once per set of lists: the article's sums without those lists' names
            skipped: Counter = Counter()
            for key in closeness.skip:
                skipped.update(per_name.get(key, {}))
            values = {c: FAR_WEIGHT * (v - skipped.get(c, 0.0)) for c, v in everyone.items()}
            base = self._cache[which] = (values, sum(values.values()))
        delta: dict[str, float] = {}
        if closeness.key not in closeness.skip:
            for c, v in per_name.get(closeness.key, {}).items():
                delta[c] = delta.get(c, 0.0) - FAR_WEIGHT * v
        for key, w in closeness.near.items():
            for c, v in per_name.get(key, {}).items():
                delta[c] = delta.get(c, 0.0) + (w - FAR_WEIGHT) * v
        return Weighted(*base, delta)

    def country_shares(self, closeness: Closeness) -> Mapping[str, float]:
        """Each country's share of the weighted evidence (0 when none)."""
        counts = self._weighted(closeness, self.countries, self.all_countries)
        n = counts.total()
        return counts.scaled(1.0 / n) if n > 1e-9 else {}

    def admin1_hits(self, closeness: Closeness) -> Mapping[str, float]:
        """The weighted evidence of each first-level region."""
        return self._weighted(closeness, self.admin1s, self.all_admin1s)

    def points_for(self, key: str, closeness: Closeness) -> np.ndarray:
        """The points of the other places: all of them in an article of ordinary size, else those
        of the names near this one in the text (the cost stays linear in the article)."""
        if len(self.point_keys) <= MAX_POINTS:
            keep = [k != key for k in self.point_keys]
            return self.points[np.asarray(keep, dtype=bool)] if not all(keep) else self.points
        at = self._cache.get("point_at")
        if at is None:
            at = self._cache["point_at"] = {}
            for n, k in enumerate(self.point_keys):
                at.setdefault(k, []).append(n)
        rows = sorted(n for k in closeness.near if k != key for n in at.get(k, ()))
        return self.points[np.asarray(rows, dtype=int)].reshape(-1, 2)


class Weighted(Mapping):
    """A name's view of the article's evidence: `base` (FAR_WEIGHT x the article's sums without the
    name's lists, shared by their members, with its sum) plus the name's own changes (`delta`), read
    one key at a time: values of 1e-9 or less read as absent."""

    def __init__(self, base: dict[str, float], base_sum: float, delta: dict[str, float], scale: float = 1.0) -> None:
        self.base, self.base_sum, self.delta, self.scale = base, base_sum, delta, scale

    def __getitem__(self, key: str) -> float:
        v = self.base.get(key, 0.0) + self.delta.get(key, 0.0)
        if v <= 1e-9:
            raise KeyError(key)
        return v * self.scale

    def __iter__(self):
        return (k for k in {**dict.fromkeys(self.base), **dict.fromkeys(self.delta)} if k in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key) -> bool:
        return self.base.get(key, 0.0) + self.delta.get(key, 0.0) > 1e-9

    def get(self, key, default=None):
        v = self.base.get(key, 0.0) + self.delta.get(key, 0.0)
        return v * self.scale if v > 1e-9 else default

    def total(self) -> float:
        """The sum of the values (what is above 1e-9), from the article's sum and the changes."""
        return self.base_sum + sum(self.delta.values()) - self._small()

    def _small(self) -> float:
        """What the keys the name changed to 1e-9 or less add to the plain sum (they count for nothing)."""
        small = 0.0
        for key, d in self.delta.items():
            v = self.base.get(key, 0.0) + d
            if v <= 1e-9:
                small += v
        return small

    def scaled(self, scale: float) -> Weighted:
        return Weighted(self.base, self.base_sum, self.delta, self.scale * scale)


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
