"""What a name's candidates are worth before context: kind, population, capitals, cues,
and the region a city shares its name with."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from geo.engine.context import MentionGroup
from geo.engine.mention import Mention
from geo.engine.resolution.common import (
    ADMIN2_OVER_TOWN,
    ALT_CONTEXT_WEIGHT,
    CITY_OVER_REGION,
    IMPORTED_FEATURE,
    MAX_CANDIDATES,
    SMALL_TOWN,
)


class PriorScores:
    """What a name's candidates are worth before context: kind, population, capitals, cues,"""

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
