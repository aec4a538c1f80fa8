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
from dataclasses import dataclass

import numpy as np

from geo.gazetteer import PlaceIndex, normalize_name
from geo.recognize import Mention

MAX_CANDIDATES = 40
ALTERNATIVES_KEPT = 5


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
    def __init__(self, index: PlaceIndex) -> None:
        self.index = index

    # -- priors ----------------------------------------------------------------------------------
    def _prior(self, mention: Mention, rows: Sequence[int], alt_flags: dict[int, bool]) -> np.ndarray:
        index = self.index
        scores = np.zeros(len(rows))
        kinds = [index.kind(r) for r in rows]
        admin2 = index._p["admin2"]
        # regions that share the name, with their populations (for "Kyiv", "Paris" below)
        same_name_admin1 = {index.admin1[r]: int(index.population[r])
                            for k, r in enumerate(rows) if kinds[k] == "admin1"}
        same_name_admin2 = {admin2[r]: int(index.population[r])
                            for k, r in enumerate(rows) if kinds[k] == "admin2"}
        named_countries = {index.country[r] for k, r in enumerate(rows)
                           if kinds[k] == "country" and not alt_flags.get(r, False)}
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
                s = 3.2 if (typed or not alt) else 0.8
            elif kind == "city":
                s = 0.55 * math.log10(pop + 10)
                if "national capital" in index.entry(r).source:
                    s += 1.2
                if alt and pop < 1_000_000:
                    s -= 0.6
                # a city that shares its name with the region it dominates ("Kyiv", "Paris"):
                # the bare name means the city
                if not alt and mention.cue not in ("admin1", "admin2"):
                    region_pop = same_name_admin1.get(index.admin1[r], same_name_admin2.get(admin2[r]))
                    if region_pop is not None and pop >= 0.25 * region_pop:
                        s += 2.5
            else:  # curated regions, water, mountains, facilities, ...
                s = 4.0
            # A country's name means the country; only a first-level region of another country
            # (the US state of Georgia) or an explicit "Place, Region" pair can take it.
            if named_countries and kind != "country" and mention.cue != "city" and not mention.partner \
                    and (kind != "admin1" or index.country[r] in named_countries):
                s -= 8.0
            if mention.cue == "admin1":
                s += 3.0 if kind == "admin1" else (-1.0 if kind == "city" else 0.0)
            elif mention.cue == "admin2":
                s += 3.0 if kind == "admin2" else -1.0
            elif mention.cue == "city":
                s += 1.5 if kind == "city" else -2.0
            scores[k] = s
        return scores

    # -- the whole article -----------------------------------------------------------------------
    def resolve(self, mentions: Sequence[Mention]) -> list[ResolvedMention]:
        index = self.index
        cands: list[list[int]] = []
        priors: list[np.ndarray] = []
        for m in mentions:
            rows = list(m.rows)[:400]
            if rows:
                alt = dict(index.lookup_flagged(m.lookup_name)) if not m.demonym else {}
                pri = self._prior(m, rows, alt)
                order = np.argsort(-pri, kind="stable")[:MAX_CANDIDATES]
                rows = [rows[k] for k in order]
                pri = pri[order]
            else:
                pri = np.zeros(0)
            cands.append(rows)
            priors.append(pri)

        partners = self._partner_rows(mentions)
        keys = [normalize_name(m.lookup_name) for m in mentions]
        picks = [int(np.argmax(p)) if len(p) else -1 for p in priors]
        scores = priors
        for _ in range(3):
            context = _Context.of(index, keys, cands, scores, picks)
            scores = [self._with_context(cands[i], priors[i], context, keys[i], partners.get(i))
                      for i in range(len(mentions))]
            new_picks = [int(np.argmax(s)) if len(s) else -1 for s in scores]
            if new_picks == picks:
                break
            picks = new_picks

        out = []
        for i, m in enumerate(mentions):
            rows, s = cands[i], scores[i]
            if not rows:
                out.append(ResolvedMention(m, None, 0.0, (), None, None))
                continue
            order = np.argsort(-s, kind="stable")
            probs = np.exp(s[order] - s[order[0]])
            probs /= probs.sum()
            ranked = [self._candidate(rows[k], float(s[k])) for k in order[:ALTERNATIVES_KEPT + 1]]
            best = ranked[0]
            lat, lon = best.lat, best.lon
            if m.direction and best.kind in ("country", "admin1"):
                lat, lon = self._directional_point(best.row, m.direction) or (lat, lon)
            out.append(ResolvedMention(m, best, float(probs[0]), tuple(ranked[1:]), lat, lon))
        return out

    def _candidate(self, row: int, score: float) -> Candidate:
        e = self.index.entry(row)
        return Candidate(row, e.geonameid, e.name, e.kind, e.lat, e.lon, e.country, e.admin1,
                         e.population, round(score, 3))

    def _partner_rows(self, mentions: Sequence[Mention]) -> dict[int, set[str]]:
        """For "Place, Region" mentions: the admin1 codes / countries the Region can be."""
        out: dict[int, set[str]] = {}
        for i, m in enumerate(mentions):
            if m.partner:
                codes = set()
                for r in self.index.lookup(m.partner):
                    kind = self.index.kind(r)
                    if kind == "admin1":
                        codes.add(self.index.admin1[r])
                    elif kind == "country":
                        codes.add(self.index.country[r])
                if codes:
                    out[i] = codes
        return out

    def _with_context(self, rows, prior, context: _Context, key: str, partner) -> np.ndarray:
        if not rows:
            return prior
        index = self.index
        s = prior.copy()
        share = context.country_shares(key)
        admin1_hits = context.admin1_hits(key)
        points = context.points_except(key)
        for k, r in enumerate(rows):
            kind = index.kind(r)
            c, a1 = index.country[r], index.admin1[r]
            if partner:
                s[k] += 4.0 if (a1 in partner or c in partner) else -2.0
            if kind == "country":
                s[k] += 1.0 * share.get(c, 0.0)
                continue
            if kind == "continent":
                continue
            s[k] += (2.5 if kind == "admin1" else 2.0) * share.get(c, 0.0)
            if a1:
                s[k] += (0.8 if kind == "admin1" else 1.2) * min(admin1_hits.get(a1, 0.0), 2.0)
            if len(points) and kind in ("city", "admin2", "facility", "island"):
                d = float(np.min(haversine_km(points[:, 0], points[:, 1], index.lat[r], index.lon[r])))
                s[k] += 1.5 if d < 50 else 1.0 if d < 200 else 0.4 if d < 500 else 0.0
            elif len(points) and kind == "admin1":
                d = float(np.min(haversine_km(points[:, 0], points[:, 1], index.lat[r], index.lon[r])))
                s[k] += 1.5 if d < 300 else 0.6 if d < 600 else 0.0
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
class _Context:
    """What the other mentions of an article say: countries, first-level regions, points.

    Everything is counted per mention name so that a name never votes for itself."""

    countries: dict[str, Counter]      # name key -> Counter(country -> weight)
    admin1s: dict[str, Counter]
    points: list[tuple[str, float, float]]

    @classmethod
    def of(cls, index: PlaceIndex, keys, cands, scores, picks) -> _Context:
        countries: dict[str, Counter] = {}
        admin1s: dict[str, Counter] = {}
        points = []
        for key, rows, s, pick in zip(keys, cands, scores, picks, strict=True):
            if pick < 0:
                continue
            r = rows[pick]
            kind = index.kind(r)
            margin = float(s[pick] - np.partition(s, -2)[-2]) if len(s) > 1 else 5.0
            weight = 1.0 if margin > 1.0 else 0.5
            if index.country[r]:
                countries.setdefault(key, Counter())[index.country[r]] += weight
            if kind in ("admin1", "admin2", "city") and index.admin1[r]:
                admin1s.setdefault(key, Counter())[index.admin1[r]] += weight
            if kind in ("city", "admin2", "facility", "island") and margin > 0.5:
                points.append((key, float(index.lat[r]), float(index.lon[r])))
        return cls(countries, admin1s, points)

    def country_shares(self, key: str) -> dict[str, float]:
        total: Counter = Counter()
        for other, counts in self.countries.items():
            if other != key:
                total.update(counts)
        n = sum(total.values())
        return {c: v / n for c, v in total.items()} if n else {}

    def admin1_hits(self, key: str) -> Counter:
        total: Counter = Counter()
        for other, counts in self.admin1s.items():
            if other != key:
                total.update(counts)
        return total

    def points_except(self, key: str) -> np.ndarray:
        return np.asarray([(lat, lon) for k, lat, lon in self.points if k != key]).reshape(-1, 2)


def resolve_mentions(mentions: Sequence[Mention], index: PlaceIndex) -> list[ResolvedMention]:
    """Resolve every mention of one article (order kept)."""
    return Resolver(index).resolve(mentions)
