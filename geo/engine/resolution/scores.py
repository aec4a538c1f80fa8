"""What the rest of the article adds to a candidate: the story's countries and regions,
the names it names, closeness to its other places, lists and "Place, Region" pairs."""

from __future__ import annotations

import numpy as np

from geo.engine.context import ArticleContext, MentionGroup
from geo.engine.resolution.common import HOLDS_BONUS, haversine_km


class ContextScores:
    """What the rest of the article adds to a candidate: the story's countries and regions,"""

    def _with_context(self, g: MentionGroup, context: ArticleContext) -> np.ndarray:
        index = self.index
        s = g.prior.copy()
        # Members of one list are siblings, not containers: "Washington" beside "Missouri" in a list
        # of states is not the town of Washington, Missouri.
        if g.closeness is None:     # where the names stand does not change between iterations
            g.closeness = context.closeness(g.key, g.series)
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
