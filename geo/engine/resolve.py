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

from collections.abc import Iterable, Sequence

import numpy as np

from geo.engine.components import checked
from geo.engine.context import ArticleContext, MentionGroup, Positions
from geo.engine.mention import Mention
from geo.engine.namesakes import place_evidence, veto_namesakes_abroad
from geo.engine.resolution.common import (
    ALTERNATIVES_KEPT,
    CONTEXT_CAN_OVERTURN,
    OUTSIDE_PENALTY,
    Candidate,
    ResolvedMention,
    _follow_placed_twins,
    haversine_km,
)
from geo.engine.resolution.containers import ContainerRules
from geo.engine.resolution.priors import PriorScores
from geo.engine.resolution.scores import ContextScores
from geo.engine.story import Evidence, StoryCountries
from geo.gazetteer import PlaceIndex, normalize_name

__all__ = ['Candidate', 'Mention', 'ResolvedMention', 'Resolver', 'haversine_km', 'resolve_mentions']


class Resolver(PriorScores, ContextScores, ContainerRules):
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


def resolve_mentions(mentions: Sequence[Mention], index: PlaceIndex) -> list[ResolvedMention]:
    """Resolve every mention of one article (order kept)."""
    return Resolver(index).resolve(mentions)
