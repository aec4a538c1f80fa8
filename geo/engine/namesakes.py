"""Namesakes abroad: the countries the resolver's confident placements vouch for, and the veto on a
small place abroad that nothing in the text vouches for ("the police station in Solhan" in a story of
JNIM militants is not a hamlet of that name on another continent).

    >>> story = StoryCountries.of([*clues, *place_evidence(index, groups, placed)])
    >>> vetoed = veto_namesakes_abroad(index, groups, placed, story)    # `placed` changed in place

A candidate in a country that neither is one of the story's nor borders one needs its own evidence:
its country named, its size (a capital, a town of SMALL_TOWN people), a container the text names, or a
confidently placed place of the same text near it (within about VOUCH_KM). Without it the best-ranked
namesake inside the story's countries stands instead, if the name has one; else the mention is left
unplaced, the namesake kept as its first rejected candidate.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from geo.engine.story import Evidence, StoryCountries, near_story
from geo.gazetteer import normalize_name

if TYPE_CHECKING:
    from geo.gazetteer import PlaceIndex

SMALL_TOWN = 100_000          # a town this big (or a capital) is its own evidence
VOUCH_KM = 400.0              # a confident place this close vouches for a namesake's country
_CELL_DEG = 4.0               # the grid that finds such places (cells of ~440 km, 3 x 3 searched)
_AREA_KINDS = frozenset({"country", "admin1", "continent", "region", "water", "peninsula", "mountain", "island",
                         "area"})


def _well_known(index: PlaceIndex, row: int, alternate: bool = False) -> bool:
    """A region, a capital or a town of SMALL_TOWN people (matched by another of its names, "Dissa" for
    Deesa: a city of a million)."""
    if index.kinds[row] in _AREA_KINDS:
        return True
    if alternate:
        return int(index.population[row]) >= 10 * SMALL_TOWN
    return int(index.population[row]) >= SMALL_TOWN or bool(index.capital[row])


def _held(g) -> bool:
    """Whether a container the text names was placed and holds the group's pick (or, when it holds none,
    the container stands in: its evidence, not the namesake's). A named container the gazetteer
    lacks ("Lower Shabelle") protects it too: the text says where it is, the resolver cannot check."""
    if not g.containers:
        return False
    return g.allowed is None or bool(g.allowed.any())


def _alternate(g, place) -> bool:
    """Whether the group's candidate `place` matched only by an alternate name or another spelling."""
    hits = np.flatnonzero(g.rows == place.row)
    if g.alternate is not None and len(hits) and g.alternate[hits[0]]:
        return True
    # matched by another spelling ("Dissa" for Deesa): the gazetteer's name is not the text's
    return normalize_name(place.name) != normalize_name(g.mention.lookup_name or g.mention.name)


def place_evidence(index: PlaceIndex, groups: Sequence, placed: Sequence[tuple]) -> list[Evidence]:
    """What the resolver's placements say of the story's country: a region, a country, a well-known
    town or a place held by a container the text names counts; a small town alone does not."""
    out = []
    for g, p in zip(groups, placed, strict=True):
        if g.mention.demonym:
            continue
        place, precision, container = p[0], p[5], p[6]
        if place is not None and precision == "exact":
            # a small town alone is no evidence: two namesakes abroad must not vouch for each other
            if _well_known(index, place.row, _alternate(g, place)) or _held(g) or g.partner:
                out.append(Evidence("place", g.key, (place.country,), 1.0, g.mention.start))
        elif container is not None and g.containers and container.country \
                and (container.kind != "city" or _well_known(index, container.row)):   # a small town vouches not
            out.append(Evidence("container", g.key, (container.country,), 1.0, g.mention.start))
    return [e for e in out if e.countries[0]]


def veto_namesakes_abroad(index: PlaceIndex, groups: Sequence, placed: list[tuple],
                          story: StoryCountries, paragraphs: Sequence[int] = ()) -> set[int]:
    """Unplace the small namesakes abroad that nothing vouches for (see the module docstring);
    the indices of the groups left unplaced. `paragraphs` (their start offsets, sorted): a name is
    judged by the evidence of its own paragraph (a roundup's Gaza paragraph is not about Ukraine)."""
    if not story.countries:
        return set()
    by_paragraph: dict[int, list[Evidence]] = {}
    focus = [e for e in story.evidence if e.start < 0]
    for e in story.evidence:
        if e.start >= 0:
            by_paragraph.setdefault(bisect.bisect_right(paragraphs, e.start), []).append(e)
    named = {p[0].country for p in placed if p[0] is not None and p[0].kind in ("country", "admin1")}
    cells: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    for g, p in zip(groups, placed, strict=True):
        if p[5] == "exact" and p[0] is not None and not g.mention.demonym and p[0].kind not in _AREA_KINDS:
            cells.setdefault(_cell(p[3], p[4]), []).append((g.key, p[3], p[4]))
    vetoed = set()
    stories = _ParagraphStories(focus, by_paragraph)
    for n, g in enumerate(groups):
        p = placed[n]
        place = p[0] if p[0] is not None else (p[6] if p[5] in ("admin1", "admin2", "town") else None)
        if place is None or _held(g) or g.partner or g.mention.demonym \
                or _well_known(index, place.row, _alternate(g, place)):
            continue
        if place.country in named:
            continue
        countries = stories.countries_without(bisect.bisect_right(paragraphs, g.mention.start), g.key)
        if not countries or near_story(place.country, countries):
            continue
        if _vouched(cells, g.key, place.lat, place.lon):
            continue
        alternatives = tuple(a for a in (p[0], *p[2]) if a is not None)
        # the best-ranked namesake inside the story's countries, if the name has one ("Kwale" in a
        # story of al Shabaab: the Kenyan town, not the Nigerian one)
        home = next((a for a in alternatives if a.country in countries and a.kind not in _AREA_KINDS), None)
        if home is not None:
            rest = tuple(a for a in alternatives if a is not home)
            placed[n] = (home, 0.5, rest, home.lat, home.lon, "exact", None)
            continue
        placed[n] = (None, 0.0, alternatives, None, None, "unplaced", None)
        vetoed.add(n)
    return vetoed


class _ParagraphStories:
    """Each paragraph's story countries without one name's evidence (StoryCountries.without_name),
    made once per paragraph and changed per name by that name's own evidence only: a paragraph
    listing thousands of towns costs what it holds, not its square."""

    def __init__(self, focus: list[Evidence], by_paragraph: dict[int, list[Evidence]]) -> None:
        self.focus, self.by_paragraph = focus, by_paragraph
        self.made: dict[int, tuple[StoryCountries, dict[str, list[Evidence]]]] = {}

    def countries_without(self, paragraph: int, key: str) -> frozenset[str]:
        if paragraph not in self.made:
            story = StoryCountries.of([*self.focus, *self.by_paragraph.get(paragraph, ())])
            names: dict[str, list[Evidence]] = {}
            for e in story.evidence:
                names.setdefault(e.name.lower(), []).append(e)
                if e.what in ("place", "container") and e.name != e.name.lower():
                    names.setdefault(e.name, []).append(e)
            self.made[paragraph] = story, names
        story, names = self.made[paragraph]
        own = names.get(key)
        if not own:
            return story.countries
        return _without(story, own, [e for e in self.focus if e.what == "focus"]).countries


def _without(story: StoryCountries, own: list[Evidence], focus: list[Evidence]) -> StoryCountries:
    """`story` without the evidence `own` (of one name): its weights less theirs (`focus`: the
    story's focus evidence, which alone decides when there is any)."""
    weights = Counter(story.weights)
    for e in own:
        for c in e.countries:
            weights[c] -= e.weight / len(e.countries) if e.what != "focus" else e.weight
    kept = tuple(e for e in focus if all(e is not o for o in own))
    return StoryCountries({c: w for c, w in weights.items() if w > 1e-9}, kept)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(np.floor(lat / _CELL_DEG)), int(np.floor(lon / _CELL_DEG))


def _vouched(cells: dict, key: str, lat: float, lon: float) -> bool:
    """Whether another name's confident point lies within VOUCH_KM of (lat, lon)."""
    ci, cj = _cell(lat, lon)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            for other, olat, olon in cells.get((ci + di, cj + dj), ()):
                if other != key and _km(lat, lon, olat, olon) <= VOUCH_KM:
                    return True
    return False


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(min(1.0, np.sqrt(h))))
