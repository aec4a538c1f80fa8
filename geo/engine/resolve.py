"""Toponym resolution: pick the gazetteer entry each mention means, using the whole article.

    >>> from geo.engine.context import ArticleContext, Closeness, Positions
    >>> from geo.gazetteer import PlaceIndex, normalize_name
    >>> from geo.engine.recognize import find_mentions
    >>> from geo.engine.resolve import resolve_mentions
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from geo.engine.components import checked
from geo.engine.context import ArticleContext, MentionGroup, Positions
from geo.engine.mention import Mention
from geo.engine.namesakes import place_evidence, veto_namesakes_abroad
from geo.engine.story import Evidence, StoryCountries
from geo.gazetteer import PlaceIndex, normalize_name

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


class Resolver:
    """Ranks the candidates of every mention of one article, using the article as context.

    `distances` False skips the nearest-place context (the fast mode). Candidate priors depend
    only on how a mention reads, so they are cached (bounded) across articles."""

    def __init__(self, index: PlaceIndex, *, distances: bool = True, cache_size: int = 50_000,
                 without: Iterable[str] = ()) -> None:
        self.index = index
        self.without = checked(without)     # scores switched off (see geo.engine.components)
        self.distances = distances
        self._priors: dict[tuple, tuple] = {}
        self._settled: dict[tuple, tuple] = {}
        self._cache_size = cache_size
        self._spreads: dict[int, float] = {}    # region or country row -> its towns' spread (km)

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
            pop = max(int(index.population[r]), 0) if "population" not in self.without else 0
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
                if index.capital[r] and "capitals" not in self.without:
                    s += 1.2 if not alt else 0.4     # "Salvador" is rarely San Salvador
                if alt and pop < 100_000:
                    s -= 0.6   # old or foreign names of small places mislead more than they help
            elif not index.user_added(r):   # curated regions, seas, facilities: there because well known
                s = 5.0
            else:                           # features a user imported (GeoNames spots, their own bases)
                s = IMPORTED_FEATURE
            # A country's name means the country; only a first-level region of another country
            # (the US state of Georgia) or an explicit "Place, Region" pair can take it.
            if named_countries and "country_names" not in self.without \
                    and kind != "country" and mention.cue != "city" and not partner_region \
                    and (kind != "admin1" or index.country[r] in named_countries):
                s -= 8.0
            cue = mention.cue if "cues" not in self.without else ""
            if cue == "admin1":
                s += 3.0 if kind == "admin1" else (-1.0 if kind == "city" else 0.0)
            elif cue == "container":     # the "Region" of "Place, Region"
                s += 3.0 if kind in ("admin1", "country") else (-1.5 if kind == "city" else 0.0)
            elif cue == "admin2":
                s += 3.0 if kind == "admin2" else -1.0
            elif cue == "city":
                s += 1.5 if kind == "city" else -2.0
            elif cue == "feature":      # "the Red Sea"
                s += 5.0 if kind in ("water", "region", "peninsula", "mountain", "island", "area") else -1.5
            scores[k] = s
        for city, region in self._dominance(mention, rows, kinds, same_name_admin1, same_name_admin2):
            scores[city] = max(scores[city], scores[region] + 0.3)
        return scores

    def _dominance(self, mention, rows, kinds, same_name_admin1, same_name_admin2) -> list[tuple[int, int]]:
        """(city, region) index pairs where a city shares its name with the region it lies in and is
        not a village of it ("Kyiv", "Sumy", "Zürich", "Sennar"): the bare name means the city, so it
        stays just above its own region, whatever context adds (unless a cue asks for the region:
        "the Sumy region", "the Luhansk governor")."""
        if "dominance" in self.without:
            return []
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
                if code and (level, code) in region_at and pop >= CITY_OVER_REGION * pops[code]:
                    pairs.append((k, region_at[(level, code)]))
        return pairs

    # -- the whole article -----------------------------------------------------------------------
    def resolve(self, mentions: Sequence[Mention], clues: Sequence[Evidence] = (),
                paragraphs: Sequence[int] = ()) -> list[ResolvedMention]:
        """The resolved mentions (order kept); `clues` are what the text's words say of the story's
        country (see geo.engine.story.text_evidence), `paragraphs` where its paragraphs start."""
        index = self.index
        by_start = {m.start: m for m in mentions}
        # Mentions that read alike (same name, cue, partner and containers) are one decision.
        group_of: dict[tuple, int] = {}
        groups: list[MentionGroup] = []
        member_of: list[int] = []
        positions: dict[str, list[int]] = {}
        for m in mentions:
            surface = normalize_name(m.name)
            within = tuple((normalize_name(by_start[s].name), rel) for s, rel in m.within if s in by_start)
            gkey = (surface, m.cue, m.partner, m.demonym, m.direction, m.rows[:1], within)
            g = group_of.get(gkey)
            if g is None:
                g = group_of[gkey] = len(groups)
                groups.append(self._group(m, surface))
            groups[g].size += 1
            positions.setdefault(surface, []).append(m.start)
            if m.series >= 0:
                groups[g].series.add(m.series)
            member_of.append(g)
        if "containers" not in self.without:
            self._link_containers(mentions, groups, member_of)

        # Context adds at most ~9 to a candidate (without a partner): wider margins are settled.
        # Containers are always read: what the text says holds a name rules out what lies outside.
        ambiguous = [g for g in groups
                     if (len(g.rows) > 1 and (g.partner or g.prior[0] - g.prior[1] < CONTEXT_CAN_OVERTURN))
                     or (len(g.rows) and (g.containers or g.holds is not None))]
        picks = [0 if len(g.rows) else -1 for g in groups]
        for g in ambiguous:
            g.scores = g.prior.copy()
        where = Positions(positions)
        for _ in range(3 if ambiguous else 0):
            context = ArticleContext.of(index, groups, picks, where)
            changed = False
            for n, g in enumerate(groups):
                if g.scores is not None:
                    g.scores = self._with_context(g, context)
                    if g.containers:
                        g.allowed = self._allowed(g, groups, picks)
                        if g.allowed is not None:
                            g.scores = np.where(g.allowed, g.scores, g.scores - OUTSIDE_PENALTY)
                    pick = int(np.argmax(g.scores))
                    changed |= pick != picks[n]
                    picks[n] = pick
            if not changed:
                break

        results = [self._result(g) if g.scores is not None else self._settled_result(g) for g in groups]
        placed = [self._placement(g, n, groups, picks, results) for n, g in enumerate(groups)]
        if "one_sense" not in self.without:
            _follow_placed_twins(groups, placed)
        story = self.story_of(groups, placed, clues)
        vetoed = veto_namesakes_abroad(index, groups, placed, story, paragraphs) \
            if "namesakes_abroad" not in self.without else set()
        implied = None
        for n, g in enumerate(groups):
            if placed[n][5] == "unplaced" and not g.mention.demonym and not g.containers and n not in vetoed \
                    and "implied_region" not in self.without:
                if implied is None:
                    implied = self._implied_container(groups, picks, placed)
                if implied is not None:
                    row, precision, share = implied
                    container = self._candidate(row, 0.0)
                    placed[n] = (None, round(share, 3), placed[n][2], container.lat, container.lon, precision,
                                 container)
        self._unplace_far_heads(groups, placed)
        spread = [self._spread_km(p[6]) if p[6] is not None and p[5] in ("admin1", "country") else 0.0
                  for p in placed]
        return [ResolvedMention(m, *placed[g], uncertainty_km=spread[g])
                for m, g in zip(mentions, member_of, strict=True)]

    def story_of(self, groups: list[MentionGroup], placed: list[tuple],
                 clues: Sequence[Evidence] = ()) -> StoryCountries:
        """The story's countries: the text's clues, and the countries of the names placed with
        confidence (see geo.engine.story.place_evidence)."""
        return StoryCountries.of([*clues, *place_evidence(self.index, groups, placed)])

    def _spread_km(self, container: Candidate) -> float:
        """How far the towns of a region or country lie from its point (the 90th percentile, in km,
        at least SPREAD_MIN_KM): the radius of an approximate place's uncertainty circle, a Gaza
        governorate's tens of kilometres rather than a Ukrainian oblast's hundred; 0 when the
        gazetteer holds no town of it (the precision's default then)."""
        row = container.row
        if row not in self._spreads:
            points = self.index.member_points(row)
            km = 0.0
            if len(points):
                d = haversine_km(points[:, 0], points[:, 1], container.lat, container.lon)
                km = max(float(np.percentile(d, 90)), SPREAD_MIN_KM)
            self._spreads[row] = round(km, 1)
        return self._spreads[row]

    def _unplace_far_heads(self, groups: list[MentionGroup], placed: list[tuple]) -> None:
        """A name read only as the head of a longer one ("Kamal" of "Kamal Adwan Hospital") that lands
        far from every other place of the story (or in a story of fewer than two other places), in a
        country the story never names, is not that place: it is left unplaced (its candidate kept for
        review)."""
        anchors = [(p[3], p[4]) for g, p in zip(groups, placed, strict=True)
                   if p[5] == "exact" and p[0] is not None and not g.mention.head_only and not g.mention.demonym]
        countries = Counter(p[0].country for p in placed if p[0] is not None and p[5] == "exact")
        named = {self.index.country[int(g.rows[0])] for g in groups if g.mention.demonym and len(g.rows)}
        # the anchors' points to half a degree (~50 km): the test is whether any lies within 1,000 km
        points = np.unique(np.round(np.asarray(anchors) * 2) / 2, axis=0) if len(anchors) >= 2 else None
        for n, g in enumerate(groups):
            p = placed[n]
            if not g.mention.head_only or p[0] is None:
                continue
            elsewhere = countries[p[0].country] - (p[5] == "exact") > 0 or p[0].country in named
            # with fewer than two places to compare with, nothing vouches for the head's reading
            if not elsewhere and (points is None
                                  or haversine_km(points[:, 0], points[:, 1], p[3], p[4]).min() > FAR_HEAD_KM):
                placed[n] = (None, 0.0, (p[0], *p[2]), None, None, "unplaced", None)

    def _link_containers(self, mentions: Sequence[Mention], groups: list[MentionGroup], member_of: list[int]) -> None:
        """Each group's containers (group, "in"/"near"), and for each container the readings of it
        that hold a candidate of what it contains ("Athens, Georgia": the US state holds an Athens)."""
        group_at = {m.start: g for m, g in zip(mentions, member_of, strict=True)}
        for m, g in zip(mentions, member_of, strict=True):
            if m.within and not groups[g].containers:
                groups[g].containers = [(group_at[s], rel) for s, rel in m.within
                                        if s in group_at and group_at[s] != g]
        for g in groups:
            for c, relation in g.containers:
                holder = groups[c]
                if len(g.rows) and len(holder.rows):
                    holds = np.asarray([self._inside(g.rows, r, relation).any() for r in holder.rows.tolist()])
                    holder.holds = holds if holder.holds is None else holder.holds | holds

    def _inside(self, rows: np.ndarray, container: int, relation: str) -> np.ndarray:
        """Which of `rows` lie inside (or, for "near", near) the place at row `container`."""
        index = self.index
        kind = index.kinds[container]
        listed = rows.tolist()
        if kind == "admin1":
            code = index.admin1[container]
            return np.asarray([index.admin1[r] == code for r in listed], dtype=bool)
        if kind == "country":
            code = index.country[container]
            return np.asarray([index.country[r] == code for r in listed], dtype=bool)
        if kind == "admin2" and relation in ("in", "bracket"):
            code = index.admin2[container]
            return np.asarray([index.admin2[r] == code for r in listed], dtype=bool)
        if kind in ("city", "admin2", "facility", "island") or relation == "near":
            d = haversine_km(index.lat[rows], index.lon[rows], index.lat[container], index.lon[container])
            return d <= (BRACKET_TOWN_KM if relation == "bracket" else
                         NEAR_KM if relation == "near" or kind == "admin2" else IN_TOWN_KM)
        if relation == "bracket":       # a region without an outline, named as a container: its breadth
            d = haversine_km(index.lat[rows], index.lon[rows], index.lat[container], index.lon[container])
            return d <= REGION_KM
        return np.ones(len(listed), dtype=bool)     # regions and areas without an outline: no test

    def _allowed(self, g: MentionGroup, groups: list[MentionGroup], picks: list[int]) -> np.ndarray | None:
        """The candidates inside every container the text names that the resolver could place."""
        mask = None
        for c, relation in g.containers:
            row = _placed_row(groups[c], picks[c])
            if row is None:
                continue
            inside = self._inside(g.rows, row, relation)
            mask = inside if mask is None else mask & inside
        return mask

    def _placement(self, g: MentionGroup, n: int, groups: list[MentionGroup], picks: list[int], results: list) -> tuple:
        """(place, confidence, alternatives, lat, lon, precision, container) for a group."""
        result = results[n]
        if result[0] is not None:
            best, confidence, alternatives, lat, lon = result
            if g.allowed is not None and not g.allowed.any() \
                    and not (self._well_known(best.row) and self._loose_containers(g, groups)):
                # no place of that name inside the container the text names: the container stands in
                # (unless a well-known city follows a bare district's name: "Mogadishu, Jowhar" is a list)
                fallback = self._container_fallback(g, groups, picks)
                if fallback is not None:
                    return (None, fallback[3], (best, *alternatives), *fallback[:3], self._candidate(fallback[4], 0.0))
            if g.mention.cue == "facility":
                return best, confidence, alternatives, lat, lon, "town", best
            if g.mention.direction:
                return best, confidence, alternatives, lat, lon, "exact", None
            stand_in = self._stand_in(g)
            if stand_in is not None:
                precision, row, share = stand_in
                container = self._candidate(row, 0.0)
                return (None, round(share, 3), (best, *alternatives), container.lat, container.lon, precision,
                        container)
            return best, confidence, alternatives, lat, lon, "exact", None
        fallback = self._container_fallback(g, groups, picks)
        if fallback is not None:
            return (None, fallback[3], (), *fallback[:3], self._candidate(fallback[4], 0.0))
        return None, 0.0, (), None, None, "unplaced", None

    def _loose_containers(self, g: MentionGroup, groups: list[MentionGroup]) -> bool:
        """Whether no container of the group is named as one: a region or country, a district
        with its type word ("Pokrovskyi district"), or a place in brackets after it. "Near" is
        loose: "Vinnytsia near Zhytomyr" is still the city of Vinnytsia, 110 km away."""
        index = self.index
        for c, relation in g.containers:
            if relation == "near":
                continue
            if relation == "bracket":       # "Tonka (Goundam)", "X town, Y township": named as its container
                return False
            holder = groups[c]
            if holder.mention.cue in ("admin1", "admin2") or any(
                    index.kinds[r] in ("admin1", "country") for r in holder.rows.tolist()):
                return False
        return True

    def _well_known(self, row: int) -> bool:
        index = self.index
        return index.kinds[row] != "city" or int(index.population[row]) >= SMALL_TOWN or bool(index.capital[row])

    def _container_fallback(self, g: MentionGroup, groups: list[MentionGroup], picks: list[int]):
        """(lat, lon, precision, confidence, row) of the innermost container the resolver placed."""
        index = self.index
        for c, relation in g.containers:
            holder = groups[c]
            row = _placed_row(holder, picks[c])
            if row is None:
                continue
            kind = index.kinds[row]
            if relation == "frame" and kind not in ("admin1", "admin2"):
                continue        # "In Kharkiv, ... fled to X": a city opening a sentence does not hold X
            precision = "admin2" if relation == "bracket" and kind == "city" \
                else "town" if relation == "near" and kind not in _PRECISION_OF_KIND \
                else _PRECISION_OF_KIND.get(kind, "town")
            s = holder.scores if holder.scores is not None else holder.prior
            confidence = float(_softmax(s)[picks[c]]) if len(s) > 1 else 1.0
            return float(index.lat[row]), float(index.lon[row]), precision, round(confidence, 3), row
        return None

    def _stand_in(self, g: MentionGroup) -> tuple[str, int, float] | None:
        """For a name too ambiguous to state one place for ("Oleksandrivka" alone: a dozen villages),
        the smallest container holding most of the candidates' probability: (precision, row, share).
        None when the pick can be stated as exact (it, or the places near it, hold most of it)."""
        if len(g.rows) < 2:
            return None
        index = self.index
        s = g.scores if g.scores is not None else g.prior
        probs = _softmax(s)
        best = int(np.argmax(s))
        if probs[best] >= EXACT_SHARE:
            return None
        row = int(g.rows[best])
        if index.kinds[row] not in ("city", "admin2", "facility") or probs[best] >= VILLAGE_SHARE \
                or (int(index.population[row]) >= VILLAGE and not g.alternate[best]):
            # a town's size says which of its namesakes is meant; a village's does not, nor does the
            # size of a town that only once bore the name (Melitopol was Novooleksandrivka)
            return None
        d = haversine_km(index.lat[g.rows], index.lon[g.rows], index.lat[row], index.lon[row])
        if probs[d <= NEAR_POINT_KM].sum() >= EXACT_SHARE:
            return None
        listed = g.rows.tolist()
        for level, codes, find in (("admin1", index.admin1, index.admin1_row),
                                   ("country", index.country, index.country_row)):
            code = codes[row]
            if not code:
                continue
            share = float(probs[np.asarray([codes[r] == code for r in listed])].sum())
            container = find(code)
            if share >= CONTAINER_SHARE and container is not None:
                return level, container, share
        return None

    def _implied_container(self, groups: list[MentionGroup], picks: list[int], placed: list[tuple]):
        """The first-level region that holds most of the story's placed towns and regions (two at least):
        (row, "admin1", share), or None. Names the gazetteer lacks, with no container in the text,
        stand at its point."""
        index = self.index
        admin1s: Counter = Counter()
        for n, g in enumerate(groups):
            if picks[n] < 0 or placed[n][5] != "exact" or g.mention.demonym:
                continue
            row = int(g.rows[picks[n]])
            if index.kinds[row] not in ("country", "continent", "region") and index.admin1[row]:
                admin1s[index.admin1[row]] += g.size
        # Only a region: a country's point is hundreds of kilometres from most of its villages,
        # and one the text does not name is no better than the list of unplaced names.
        total = sum(admin1s.values())
        if total:
            code, count = admin1s.most_common(1)[0]
            row = index.admin1_row(code)
            if row is not None and count >= 2 and count / total >= IMPLIED_SHARE:
                return row, "admin1", count / total
        return None

    def _group(self, m: Mention, key: str) -> MentionGroup:
        if not m.rows:
            return MentionGroup(m, key, np.zeros(0, dtype=np.int64), np.zeros(0), set(), (),
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
            alternate = np.asarray([alt.get(r, False) for r in rows_arr.tolist()], dtype=bool)
            cached = (rows_arr, prior[order], frozenset(partner), dominance, weight, alternate)
            if len(self._priors) >= self._cache_size:
                self._priors.clear()
            self._priors[ckey] = cached
        rows_arr, prior, partner, dominance, weight, alternate = cached
        return MentionGroup(m, key, rows_arr, prior, set(partner), dominance, context_weight=weight, ckey=ckey,
                      alternate=alternate)

    def _context_weight(self, row: int, kind: str, alternate: bool) -> float:
        """How far the article's context counts for a candidate. An old or foreign name of a small
        town ("New York" for a hamlet once called so) is what the article means only on explicit
        evidence ("Place, Region", a type word), not because the story is nearby."""
        if kind == "city" and alternate and int(self.index.population[row]) < SMALL_TOWN:
            return ALT_CONTEXT_WEIGHT
        return 1.0

    def _settled_result(self, g: MentionGroup):
        """The result of a group that context did not touch: it depends on how the name reads
        alone, so it is cached with the priors."""
        key = (g.ckey, g.mention.direction)
        hit = self._settled.get(key)
        if hit is None:
            if len(self._settled) >= self._cache_size:
                self._settled.clear()
            hit = self._settled[key] = self._result(g)
        return hit

    def _result(self, g: MentionGroup):
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

    def _with_context(self, g: MentionGroup, context: ArticleContext) -> np.ndarray:
        index = self.index
        s = g.prior.copy()
        # Members of one list are siblings, not containers: "Washington" beside "Missouri" in a list
        # of states is not the town of Washington, Missouri.
        if g.closeness is None:     # where the names stand does not change between iterations
            g.closeness = context.closeness(g.key, context.siblings(g.key, g.series) | {g.key})
        weight = g.closeness
        story = "story_country" not in self.without
        share = context.country_shares(weight) if story else {}
        hits = context.admin1_hits(weight) if story else {}
        named_countries, named_admin1s = context.named_by(weight) if "named_regions" not in self.without else ({}, {})
        points = context.points_for(g.key, weight) if self.distances and "closeness" not in self.without else ()
        near = None
        if len(points):
            lat = index.lat[g.rows]
            lon = index.lon[g.rows]
            near = haversine_km(lat[:, None], lon[:, None], points[None, :, 0], points[None, :, 1]).min(axis=1)
        # One sense per discourse: where a type word or a "Place, Region" pair settled what a
        # name means ("the province of Ontario"), its bare mentions mean the same.
        settled = context.cued.get(g.key, ()) if not (g.mention.cue or g.partner or "one_sense" in self.without) else ()
        series_bonus = np.zeros(len(g.rows))
        pairs = bool(g.partner) and "pairs" not in self.without
        for k, r in enumerate(g.rows.tolist()):
            kind = index.kind(r)
            c, a1 = index.country[r], index.admin1[r]
            if r in settled:
                s[k] += 3.0
            # "Place, Region" speaks of places below the region; in a list of regions
            # ("Arizona, California, Colorado") the regions themselves are not constrained.
            if pairs and kind not in ("admin1", "country"):
                s[k] += 4.0 if (a1 in g.partner or c in g.partner) else -2.0
            elif pairs and kind == "admin1" and c in g.partner:     # "California, United States"
                s[k] += 4.0
            if g.series and "series" not in self.without:
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
        if g.holds is not None and g.holds.any() and not g.holds.all():
            s[g.holds] += HOLDS_BONUS      # "Athens, Georgia": the Georgia that holds an Athens
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


def resolve_mentions(mentions: Sequence[Mention], index: PlaceIndex) -> list[ResolvedMention]:
    """Resolve every mention of one article (order kept)."""
    return Resolver(index).resolve(mentions)
