"""The story's country: which countries a text is about, with the evidence for each, so that a small
namesake abroad that nothing vouches for is not drawn as the place the text means.

    >>> from geo.engine.story import text_evidence, StoryCountries
    >>> evidence = text_evidence("Suspected JNIM militants attacked the village of X.", index)
    >>> StoryCountries.of(evidence).countries          # frozenset({'ML', 'BF', 'NE'})

Evidence comes from the text's words (named armed groups and forces, ethnic groups and local nouns
from `geo/data/actors.csv`, each row with its public source; demonyms such as "Malian"), from the
places the resolver placed with confidence (see `geo.engine.resolve`), and from a focus the user sets
(`--country ML`). The dashboard shows the estimate with its evidence (`Geoparser.story_countries`).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo.engine.recognition.common import _is_acronym as is_acronym

if TYPE_CHECKING:
    from geo.gazetteer import PlaceIndex

ACTORS_CSV = Path(__file__).resolve().parents[1] / "data" / "actors.csv"
BORDERS_CSV = Path(__file__).resolve().parents[1] / "data" / "borders.csv"
STORY_SHARE = 0.25        # a country with this share of the strongest one's weight is one of the story's
FOCUS_WEIGHT = 100.0      # a focus the user set outweighs anything the text says


@dataclass(frozen=True)
class Evidence:
    """One clue to the story's country: `what` ("actor", "demonym", "place", "container", "focus"),
    the words (`name`) at `start` in the text (-1: not from the text), the countries it points to
    and how much it weighs."""

    what: str
    name: str
    countries: tuple[str, ...]
    weight: float = 1.0
    start: int = -1


@dataclass(frozen=True)
class StoryCountries:
    """The story's countries (`weights`: country -> weight, the evidence split among the countries
    each clue names) and the evidence behind them."""

    weights: dict[str, float]
    evidence: tuple[Evidence, ...]

    @classmethod
    def of(cls, evidence: Iterable[Evidence]) -> StoryCountries:
        evidence = tuple(evidence)
        weights: Counter = Counter()
        for e in evidence:
            for c in e.countries:
                weights[c] += e.weight / len(e.countries) if e.what != "focus" else e.weight
        return cls(dict(weights), evidence)

    @property
    def countries(self) -> frozenset[str]:
        """The countries the story is about: each with a fair share of the strongest one's weight
        (a focus the user set: those alone)."""
        focus = {c for e in self.evidence if e.what == "focus" for c in e.countries}
        if focus:
            return frozenset(focus)
        if not self.weights:
            return frozenset()
        top = max(self.weights.values())
        return frozenset(c for c, w in self.weights.items() if w >= STORY_SHARE * top)

    @property
    def best(self) -> str:
        """The country with the most weight ("" when nothing says)."""
        return max(self.weights, key=lambda c: self.weights[c]) if self.weights else ""

    def without_name(self, key: str) -> StoryCountries:
        """The estimate without the placements of the name `key` (a name never vouches for itself), nor
        an actor of that name (Fano the town is no clue of Ethiopia's Fano militia)."""
        return StoryCountries.of(e for e in self.evidence
                                 if e.name.lower() != key and (e.what not in ("place", "container") or e.name != key))


@lru_cache(maxsize=1)
def neighbours() -> dict[str, frozenset[str]]:
    """Country -> the countries it borders (geo/data/borders.csv, from the countryinfo package)."""
    with BORDERS_CSV.open(encoding="utf-8", newline="") as f:
        return {row["country"]: frozenset(row["neighbours"].split()) for row in csv.DictReader(f)}


def near_story(country: str, countries: frozenset[str]) -> bool:
    """Whether `country` is one of the story's or borders one ("Russian forces" in a Ukrainian town)."""
    return country in countries or bool(neighbours().get(country, frozenset()) & countries)


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...]
    kind: str
    source: str


def read_actors(path: Path = ACTORS_CSV) -> list[Actor]:
    """The rows of the actors table (see geo/data/README.md)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [Actor(row["name"], tuple(a for a in row["aliases"].split("|") if a),
                      tuple(row["countries"].split()), row["kind"], row["source"])
                for row in csv.DictReader(f) if row["name"] and not row["name"].startswith("#")]


@lru_cache(maxsize=1)
def _actor_patterns() -> tuple[re.Pattern, re.Pattern, dict[str, tuple[str, ...]]]:
    """(names, acronyms, name key -> countries): names match whatever their case (the match must
    start with a capital), acronyms only as written."""
    names, acronyms, countries = [], [], {}
    for actor in read_actors():
        for name in (actor.name, *actor.aliases):
            countries[name.lower()] = actor.countries
            (acronyms if _is_acronym(name) else names).append(name)
    return (re.compile(r"(?<![\w-])" + _trie_pattern(n.lower() for n in names) + r"(?![\w-])", re.IGNORECASE),
            re.compile(r"(?<![\w-])" + _trie_pattern(acronyms) + r"(?![\w-])"), countries)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression for `words` as a trie ("al(?:\\ shabaab|\\-shabaab)|..."): at each
    position the engine follows one branch per letter instead of trying every word in turn (ten times
    faster over a text than their plain alternation). Longer words are tried first, so the longest
    word that the caller's lookahead accepts wins, as in an alternation sorted by length."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append("")             # the word may end here: tried after its longer words
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return pattern(trie)


def is_actor(name: str) -> bool:
    """Whether `name` is an armed group, force or people of the actors table ("Dogon", "JNIM")."""
    return name.lower() in _actor_patterns()[2]


def _is_acronym(name: str) -> bool:
    """"JNIM", "ISGS": recognition's acronym, in one word."""
    return is_acronym(name) and " " not in name


def text_evidence(text: str, index: PlaceIndex, focus: Sequence[str] = ()) -> list[Evidence]:
    """The clues the words of a text give (actors, demonyms), and the user's focus."""
    names, acronyms, countries = _actor_patterns()
    out = [Evidence("focus", "focus", tuple(focus), FOCUS_WEIGHT)] if focus else []
    taken: set[int] = set()
    for pattern in (names, acronyms):
        for m in pattern.finditer(text):
            if any(ch.isupper() for ch in m.group()) and m.start() not in taken:     # "al Shabaab", not "bozo"
                taken.add(m.start())
                out.append(Evidence("actor", m.group(), countries[m.group().lower()], 1.0, m.start()))
    demonyms = index.demonyms
    for m in re.finditer(r"\b[A-Z][a-z]+\b", text):
        row = demonyms.get(m.group().lower())
        if row is not None and m.start() not in taken and index.country[row]:
            out.append(Evidence("demonym", m.group(), (index.country[row],), 1.0, m.start()))
    return out


def paragraph_starts(text: str) -> list[int]:
    """Where the text's paragraphs after the first start (after a blank line), sorted."""
    return [m.end() for m in re.finditer(r"\n\s*\n", text)]

