"""The engine's rule families by name, so that each can be switched off to measure what it is worth.

    >>> from geo.engine.pipeline import Geoparser
    >>> parser = Geoparser.create(fast=True, without={"lists"})     # as `bench/evaluate.py --without lists`

Recognition's families decide which words are place names; resolution's decide which place a name
means. Switching one off replaces its decision with the neutral one (no veto, no bonus, no cue); the
ablation table in bench/README.md (`python bench/ablation.py`) says what each is worth.
"""

from __future__ import annotations

from collections.abc import Iterable

RECOGNITION = {
    "type_words": 'words that type a name: "the Luhansk region", "the state of Washington", "Gwoza town"',
    "organisations": 'the table of organisations named like places ("Hamas", "the Wagner Group")',
    "person_context": "a name read as part of a person's name, or with a title, is no place",
    "evidence": 'the words around a name ("shelling of X", "X residents", "X said") for or against it',
    "partners": 'the "Region" of a "Place, Region" pair',
    "facilities": 'a town\'s facility read as the facility ("Kadugli Airport")',
    "phrases": "capitalised names the gazetteer lacks, when their context says place",
    "unknown_places": "names the NER calls places that the gazetteer lacks (default mode)",
    "lists": "the other members of a coordinated list of places (\"A, B and C\")",
    "relations": 'containers the text names: "X (Y, Z)", "X in Y", "X near Y"',
    "names_whole": 'a known part of a longer capitalised name never stands for it ("Mala" of "Mala Kostromka")',
}
RESOLUTION = {
    "population": "a more populous namesake is more likely meant",
    "capitals": "a national capital is more likely meant",
    "country_names": "a country's name means the country",
    "cues": "a type word or place word chooses the kind (region, town, sea)",
    "dominance": "a city that shares its name with its region is meant over the region",
    "pairs": 'the "Region" of "Place, Region" holds the place',
    "story_country": "the countries the article's other places lie in",
    "named_regions": "the countries and regions the article names",
    "closeness": "closeness to the article's other places",
    "series": "members of one list are of one kind and country",
    "one_sense": "one name, one place in an article",
    "containers": "a container the text names rules out candidates outside it",
    "implied_region": "a name the gazetteer lacks stands at the region the article implies",
    "namesakes_abroad": "a small namesake outside the story's countries needs evidence of its own",
}
COMPONENTS = {**RECOGNITION, **RESOLUTION}


def checked(without: Iterable[str] | None) -> frozenset[str]:
    """`without` as a frozenset of known component names (ValueError naming the unknown ones)."""
    names = frozenset(without or ())
    unknown = sorted(names - COMPONENTS.keys())
    if unknown:
        raise ValueError(f"unknown engine component(s) {', '.join(unknown)}; known: {', '.join(COMPONENTS)}")
    return names
