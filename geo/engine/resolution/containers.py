"""Containers the text names ("X (Y, Z)", "X in Y", "X near Y"): what lies inside them, where a
name stands when no candidate does, and the region an article implies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from geo.engine.context import MentionGroup
from geo.engine.mention import Mention
from geo.engine.resolution.common import (
    _PRECISION_OF_KIND,
    BRACKET_TOWN_KM,
    CONTAINER_SHARE,
    EXACT_SHARE,
    FAR_HEAD_KM,
    IMPLIED_SHARE,
    IN_TOWN_KM,
    NEAR_KM,
    NEAR_POINT_KM,
    REGION_KM,
    SMALL_TOWN,
    SPREAD_MIN_KM,
    VILLAGE,
    VILLAGE_SHARE,
    Candidate,
    _placed_row,
    _softmax,
    haversine_km,
)


class ContainerRules:
    """Containers the text names ("X (Y, Z)", "X in Y", "X near Y"): what lies inside them, where a"""

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
