"""Toponym resolution: pick the gazetteer entry each mention means, using the whole article.

    >>> from geo.gazetteer import PlaceIndex, normalize_name
    >>> from geo.recognize import find_mentions
    >>> from geo.resolve import resolve_mentions
    >>> index = PlaceIndex.load()
    >>> text = "Paris, Texas, is quiet."
    >>> [(r.place.name, r.place.country) for r in resolve_mentions(find_mentions(text, index), index)]
    [('Paris', 'US'), ('Texas', 'US')]

Each candidate gets a prior (kind, population, capital, how the name matched) and then context
from the other mentions: "Place, Region" pairs, type words ("region", "County"), the story's
countries and first-level regions, and distance to the other places. Scores turn into a confidence
(softmax); the rejected candidates are kept, ranked, as alternatives.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from geo.gazetteer import PlaceIndex, normalize_name
from geo.recognize import Mention

MAX_CANDIDATES = 40
CONTEXT_CAN_OVERTURN = 10.0
ALTERNATIVES_KEPT = 5
SMALL_TOWN = 100_000               # population below which an alternate name is weak evidence
ALT_CONTEXT_WEIGHT = 0.5           # how far context counts for such a town (see _context_weight)
NEAR_CHARS = 600.0                 # names this close in the text (a paragraph) give full context
FAR_WEIGHT = 0.3                   # what the farthest names of an article still give
ADMIN2_OVER_TOWN = 0.6             # a bare-named district ranks a little above a town of its size


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
    """A mention and the place chosen for it (`place` None when nothing fits)."""

    mention: Mention
    place: Candidate | None
    confidence: float
    alternatives: tuple[Candidate, ...]
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        """The place's display name ("northern Russia" for a directional mention)."""
        if self.place is None:
            return self.mention.name
        if self.mention.direction:
            return f"{self.mention.name.split()[0].lower()} {self.place.name}"
        return self.place.name


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; works on numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(h)))


class Resolver:
    """Ranks the candidates of every mention of one article, using the article as context.

    `distances` False skips the nearest-place context (the fast mode). Candidate priors depend
    only on how a mention reads, so they are cached (bounded) across articles."""

    def __init__(self, index: PlaceIndex, *, distances: bool = True, cache_size: int = 50_000) -> None:
        self.index = index
        self.distances = distances
        self._priors: dict[tuple, tuple] = {}
        self._settled: dict[tuple, tuple] = {}
        self._cache_size = cache_size

    # -- priors ----------------------------------------------------------------------------------
    def _prior(self, mention: Mention, rows: Sequence[int], alt_flags: dict[int, bool],
               partner_codes: set[str]) -> np.ndarray:
        index = self.index
        scores = np.zeros(len(rows))
        kinds = [index.kind(r) for r in rows]
        # regions that share the name, with their populations (for "Kyiv", "Paris" below)
        same_name_admin1 = {index.admin1[r]: int(index.population[r])
                            for k, r in enumerate(rows) if kinds[k] == "admin1"}
        same_name_admin2 = {index.admin2[r]: int(index.population[r])
                            for k, r in enumerate(rows) if kinds[k] == "admin2"}
        named_countries = {index.country[r] for k, r in enumerate(rows)
                           if kinds[k] == "country" and not alt_flags.get(r, False)}
        # "Mexico, Missouri" is a town; "China, Japan" is a list of countries
        partner_region = any("." in code for code in partner_codes)
        typed = mention.name != mention.lookup_name or any(
            w in mention.lookup_name.lower() for w in (" county", " parish", " oblast", " province"))
        for k, r in enumerate(rows):
            kind = kinds[k]
            pop = max(int(index.population[r]), 0)
            alt = alt_flags.get(r, False)
            if kind == "country":
                s = 5.5 if not alt else 3.0
            elif kind == "continent":
                s = 5.0
            elif kind == "admin1":
                s = 4.2 if not alt else 2.6
            elif kind == "admin2":
                if typed:
                    s = 3.2
                elif alt:
                    s = 0.8
                else:   # a bare name: as prominent as the people it holds (a municipality of 50,000
                    s = min(3.2, 0.55 * math.log10(pop + 10) + ADMIN2_OVER_TOWN)    # is no Santiago de Chile)
            elif kind == "city":
                s = 0.55 * math.log10(pop + 10)
                if index.capital[r]:
                    s += 1.2
                if alt and pop < 100_000:
                    s -= 0.6   # old or foreign names of small places mislead more than they help
            else:  # curated regions, water, mountains, facilities: chosen because they are well known
                s = 5.0
            # A country's name means the country; only a first-level region of another country
            # (the US state of Georgia) or an explicit "Place, Region" pair can take it.
            if named_countries and kind != "country" and mention.cue != "city" and not partner_region \
                    and (kind != "admin1" or index.country[r] in named_countries):
                s -= 8.0
            if mention.cue == "admin1":
                s += 3.0 if kind == "admin1" else (-1.0 if kind == "city" else 0.0)
            elif mention.cue == "container":     # the "Region" of "Place, Region"
                s += 3.0 if kind in ("admin1", "country") else (-1.5 if kind == "city" else 0.0)
            elif mention.cue == "admin2":
                s += 3.0 if kind == "admin2" else -1.0
            elif mention.cue == "city":
                s += 1.5 if kind == "city" else -2.0
            scores[k] = s
        for city, region in self._dominance(mention, rows, kinds, same_name_admin1, same_name_admin2):
            scores[city] = max(scores[city], scores[region] + 0.3)
        return scores

    def _dominance(self, mention, rows, kinds, same_name_admin1, same_name_admin2) -> list[tuple[int, int]]:
        """(city, region) index pairs where a city shares its name with the region it dominates
        ("Kyiv", "Paris", "Zaporizhzhia"): the bare name means the city, so it stays just above
        its own region, whatever context adds (unless a type word asks for the region)."""
        if mention.cue in ("admin1", "admin2", "container"):
            return []
        index = self.index
        region_at = {}
        for k, r in enumerate(rows):
            if kinds[k] == "admin1":
                region_at[("1", index.admin1[r])] = k
            elif kinds[k] == "admin2":
                region_at[("2", index.admin2[r])] = k
        pairs = []
        for k, r in enumerate(rows):
            if kinds[k] != "city":
                continue
            pop = int(index.population[r])
            for level, code, pops in (("1", index.admin1[r], same_name_admin1),
                                      ("2", index.admin2[r], same_name_admin2)):
                if code and (level, code) in region_at and pop >= 0.25 * pops[code]:
                    pairs.append((k, region_at[(level, code)]))
        return pairs

    # -- the whole article -----------------------------------------------------------------------
    def resolve(self, mentions: Sequence[Mention]) -> list[ResolvedMention]:
        index = self.index
        # Mentions that read alike (same name, cue and partner) are one decision.
        group_of: dict[tuple, int] = {}
        groups: list[_Group] = []
        member_of: list[int] = []
        positions: dict[str, list[int]] = {}
        for m in mentions:
            surface = normalize_name(m.name)
            gkey = (surface, m.cue, m.partner, m.demonym, m.direction, m.rows[:1])
            g = group_of.get(gkey)
            if g is None:
                g = group_of[gkey] = len(groups)
                groups.append(self._group(m, surface))
            groups[g].size += 1
            positions.setdefault(surface, []).append(m.start)
            if m.series >= 0:
                groups[g].series.add(m.series)
            member_of.append(g)

        # Context adds at most ~9 to a candidate (without a partner): wider margins are settled.
        ambiguous = [g for g in groups if len(g.rows) > 1
                     and (g.partner or g.prior[0] - g.prior[1] < CONTEXT_CAN_OVERTURN)]
        picks = [0 if len(g.rows) else -1 for g in groups]
        for g in ambiguous:
            g.scores = g.prior.copy()
        for _ in range(3 if ambiguous else 0):
            context = _Context.of(index, groups, picks, positions)
            changed = False
            for n, g in enumerate(groups):
                if g.scores is not None:
                    g.scores = self._with_context(g, context)
                    pick = int(np.argmax(g.scores))
                    changed |= pick != picks[n]
                    picks[n] = pick
            if not changed:
                break

        results = [self._result(g) if g.scores is not None else self._settled_result(g) for g in groups]
        return [ResolvedMention(m, *results[g][:2], *results[g][2:]) if results[g][0] is not None
                else ResolvedMention(m, None, 0.0, (), None, None)
                for m, g in zip(mentions, member_of, strict=True)]

    def _group(self, m: Mention, key: str) -> _Group:
        if not m.rows:
            return _Group(m, key, np.zeros(0, dtype=np.int64), np.zeros(0), set(), (),
                          context_weight=np.zeros(0))
        ckey = (m.lookup_name, m.name != m.lookup_name, m.cue, m.partner, m.demonym, m.rows)
        cached = self._priors.get(ckey)
        if cached is None:
            rows = list(m.rows)[:400]
            alt = dict(self.index.lookup_flagged(m.lookup_name)) if not m.demonym else {}
            partner = self._partner_codes(m)
            prior = self._prior(m, rows, alt, partner)
            order = np.argsort(-prior, kind="stable")[:MAX_CANDIDATES]
            rows_arr = np.asarray(rows, dtype=np.int64)[order]
            kinds = [self.index.kinds[r] for r in rows_arr.tolist()]
            admin1 = {self.index.admin1[r]: int(self.index.population[r])
                      for r, k in zip(rows_arr.tolist(), kinds, strict=True) if k == "admin1"}
            admin2 = {self.index.admin2[r]: int(self.index.population[r])
                      for r, k in zip(rows_arr.tolist(), kinds, strict=True) if k == "admin2"}
            dominance = tuple(self._dominance(m, rows_arr.tolist(), kinds, admin1, admin2))
            weight = np.asarray([self._context_weight(r, k, alt.get(r, False))
                                 for r, k in zip(rows_arr.tolist(), kinds, strict=True)])
            cached = (rows_arr, prior[order], frozenset(partner), dominance, weight)
            if len(self._priors) >= self._cache_size:
                self._priors.clear()
            self._priors[ckey] = cached
        rows_arr, prior, partner, dominance, weight = cached
        return _Group(m, key, rows_arr, prior, set(partner), dominance, context_weight=weight, ckey=ckey)

    def _context_weight(self, row: int, kind: str, alternate: bool) -> float:
        """How far the article's context counts for a candidate. An old or foreign name of a small
        town ("New York" for a hamlet once called so) is what the article means only on explicit
        evidence ("Place, Region", a type word), not because the story is nearby."""
        if kind == "city" and alternate and int(self.index.population[row]) < SMALL_TOWN:
            return ALT_CONTEXT_WEIGHT
        return 1.0

    def _settled_result(self, g: _Group):
        """The result of a group that context did not touch: it depends on how the name reads
        alone, so it is cached with the priors."""
        key = (g.ckey, g.mention.direction)
        hit = self._settled.get(key)
        if hit is None:
            if len(self._settled) >= self._cache_size:
                self._settled.clear()
            hit = self._settled[key] = self._result(g)
        return hit

    def _result(self, g: _Group):
        if not len(g.rows):
            return (None,)
        s = g.scores if g.scores is not None else g.prior
        order = np.argsort(-s, kind="stable")
        probs = np.exp(s[order] - s[order[0]])
        probs /= probs.sum()
        ranked = [self._candidate(int(g.rows[k]), float(s[k])) for k in order[:ALTERNATIVES_KEPT + 1]]
        best = ranked[0]
        lat, lon = best.lat, best.lon
        if g.mention.direction and best.kind in ("country", "admin1"):
            lat, lon = self._directional_point(best.row, g.mention.direction) or (lat, lon)
        return best, float(probs[0]), tuple(ranked[1:]), lat, lon

    def _candidate(self, row: int, score: float) -> Candidate:
        index = self.index
        gid = int(index.geonameid[row])
        return Candidate(row, gid or None, index.name_of[row], index.kinds[row], float(index.lat[row]),
                         float(index.lon[row]), index.country[row], index.admin1[row],
                         int(index.population[row]), round(score, 3))

    def _partner_codes(self, m: Mention) -> set[str]:
        """For "Place, Region": the admin1 codes / countries the Region can be."""
        codes: set[str] = set()
        if m.partner:
            for r in self.index.lookup(m.partner):
                kind = self.index.kind(r)
                if kind == "admin1":
                    codes.add(self.index.admin1[r])
                elif kind == "country":
                    codes.add(self.index.country[r])
        return codes

    def _with_context(self, g: _Group, context: _Context) -> np.ndarray:
        index = self.index
        s = g.prior.copy()
        # Members of one list are siblings, not containers: "Washington" beside "Missouri" in a list
        # of states is not the town of Washington, Missouri.
        if g.closeness is None:     # where the names stand does not change between iterations
            g.closeness = context.closeness(g.key, context.siblings(g.key, g.series) | {g.key})
        weight = g.closeness
        share = context.country_shares(weight)
        hits = context.admin1_hits(weight)
        named_countries, named_admin1s = context.named_by(weight)
        points = context.points_except(g.key) if self.distances else ()
        near = None
        if len(points):
            lat = index.lat[g.rows]
            lon = index.lon[g.rows]
            near = haversine_km(lat[:, None], lon[:, None], points[None, :, 0], points[None, :, 1]).min(axis=1)
        # One sense per discourse: where a type word or a "Place, Region" pair settled what a
        # name means ("the province of Ontario"), its bare mentions mean the same.
        settled = context.cued.get(g.key, ()) if not (g.mention.cue or g.partner) else ()
        series_bonus = np.zeros(len(g.rows))
        for k, r in enumerate(g.rows.tolist()):
            kind = index.kind(r)
            c, a1 = index.country[r], index.admin1[r]
            if r in settled:
                s[k] += 3.0
            # "Place, Region" speaks of places below the region; in a list of regions
            # ("Arizona, California, Colorado") the regions themselves are not constrained.
            if g.partner and kind not in ("admin1", "country"):
                s[k] += 4.0 if (a1 in g.partner or c in g.partner) else -2.0
            elif g.partner and kind == "admin1" and c in g.partner:     # "California, United States"
                s[k] += 4.0
            if g.series:
                series_bonus[k] = context.series_bonus(g.key, g.series, kind, c)
                s[k] += series_bonus[k]
            if kind == "country":
                s[k] += 1.0 * share.get(c, 0.0)
                continue
            if kind == "continent":
                continue
            bonus = (2.5 if kind == "admin1" else 2.0) * share.get(c, 0.0)
            # the article names the country or region this place lies in ("Athens ... Greece")
            bonus += 1.0 * named_countries.get(c, 0.0)
            if kind != "admin1" and a1:
                bonus += 1.5 * named_admin1s.get(a1, 0.0)
            if a1:
                bonus += (0.8 if kind == "admin1" else 1.2) * min(hits.get(a1, 0.0), 2.0)
            if near is not None:
                d = near[k]
                if kind in ("city", "admin2", "facility", "island"):
                    bonus += 1.5 if d < 50 else 1.0 if d < 200 else 0.4 if d < 500 else 0.0
                elif kind == "admin1":
                    bonus += 1.5 if d < 300 else 0.6 if d < 600 else 0.0
            s[k] += bonus * g.context_weight[k]
        for city, region in g.dominance:
            # ... unless the name stands in a list of regions ("New Jersey and New York")
            if g.series and series_bonus[region] > series_bonus[city]:
                continue
            s[city] = max(s[city], s[region] + 0.3)
        return s

    def _directional_point(self, row: int, direction: str) -> tuple[float, float] | None:
        pts = self.index.member_points(row)
        if len(pts) < 10:
            return None
        lat, lon = pts[:, 0], pts[:, 1]
        masks = {
            "north": lat >= np.quantile(lat, 0.75), "south": lat <= np.quantile(lat, 0.25),
            "east": lon >= np.quantile(lon, 0.75), "west": lon <= np.quantile(lon, 0.25),
            "centre": (np.abs(lat - np.median(lat)) <= np.quantile(np.abs(lat - np.median(lat)), 0.3))
            & (np.abs(lon - np.median(lon)) <= np.quantile(np.abs(lon - np.median(lon)), 0.3)),
        }
        if len(direction) > 5 and direction not in masks:      # northeast, ...
            mask = masks[direction[:5]] & masks[direction[5:]]
        else:
            mask = masks[direction]
        if mask.sum() == 0:
            return None
        return float(np.median(lat[mask])), float(np.median(lon[mask]))


@dataclass
class _Group:
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
    closeness: dict[str, float] | None = None         # other names' weight for it (see _Context)


@dataclass
class _Context:
    """What the groups of an article say: countries, first-level regions, points.

    Counted per name so that a name never votes for itself, and weighted by how close in the text
    each name stands to the one being decided: a roundup of several countries' news names the
    country of each town near the town."""

    countries: dict[str, Counter]
    admin1s: dict[str, Counter]
    point_keys: list[str]
    points: np.ndarray
    named: list[tuple[str, str, str]]      # (name key, "country"/"admin1", code) of named containers
    series: dict[int, list[tuple[str, str, str]]]   # list id -> (name key, kind, country) picked
    positions: dict[str, list[int]]        # name key -> where its mentions start
    cued: dict[str, set[int]]              # name key -> rows picked where a cue or partner decided

    @classmethod
    def of(cls, index: PlaceIndex, groups: Sequence[_Group], picks: Sequence[int],
           positions: dict[str, list[int]]) -> _Context:
        countries: dict[str, Counter] = {}
        admin1s: dict[str, Counter] = {}
        point_keys, points, named = [], [], []
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
                named.append((g.key, "country", index.country[r]))
            elif kind == "admin1" and not g.mention.direction:
                named.append((g.key, "admin1", index.admin1[r]))
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
        return cls(countries, admin1s, point_keys, np.asarray(points, dtype=float).reshape(-1, 2), named,
                   series, positions, cued)

    def closeness(self, key: str, skip: set[str]) -> dict[str, float]:
        """How much each other name's evidence counts for `key`: fully when they stand close in
        the text, less (never nothing) when far apart; names in `skip` not at all."""
        mine = self.positions.get(key, ())
        out = {}
        for other, theirs in self.positions.items():
            if other in skip:
                continue
            gap = min(abs(a - b) for a in mine for b in theirs) if mine else 0
            out[other] = FAR_WEIGHT + (1.0 - FAR_WEIGHT) * math.exp(-gap / NEAR_CHARS)
        return out

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

    def named_by(self, weight: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        """Countries and first-level regions the article names, with the closeness of the nearest
        name that names them."""
        countries: dict[str, float] = {}
        admin1s: dict[str, float] = {}
        for key, level, code in self.named:
            w = weight.get(key, 0.0)
            target = countries if level == "country" else admin1s
            if w > target.get(code, 0.0):
                target[code] = w
        return countries, admin1s

    def country_shares(self, weight: dict[str, float]) -> dict[str, float]:
        counts: Counter = Counter()
        for key, w in weight.items():
            for c, v in self.countries.get(key, {}).items():
                counts[c] += w * v
        n = sum(counts.values())
        return {c: v / n for c, v in counts.items()} if n > 1e-9 else {}

    def admin1_hits(self, weight: dict[str, float]) -> dict[str, float]:
        hits: Counter = Counter()
        for key, w in weight.items():
            for a, v in self.admin1s.get(key, {}).items():
                hits[a] += w * v
        return hits

    def points_except(self, key: str) -> np.ndarray:
        if key not in self.point_keys:
            return self.points
        keep = [k != key for k in self.point_keys]
        return self.points[np.asarray(keep, dtype=bool)]


def resolve_mentions(mentions: Sequence[Mention], index: PlaceIndex) -> list[ResolvedMention]:
    """Resolve every mention of one article (order kept)."""
    return Resolver(index).resolve(mentions)
