"""How much of a text the engine reads: every name, up to a cap on the different names and the mentions
one article may put on the map (a text listing 20,000 towns is a gazetteer, not a story; past the cap
its cost would grow with what is not worth drawing).

    >>> reading_of("Kyiv, Lviv and Odesa.", [{"start": 0, "name": "Kyiv"}, {"start": 6, "name": "Lviv"},
    ...                                      {"start": 15, "name": "Odesa"}], max_names=2)
    Reading(end=15, length=21, names=2, mentions=2, max_names=2, max_mentions=100000)

The cut falls at the first name past the cap: the text before it is read whole, the rest not at all, and
`Reading.note()` says so in words a user can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_NAMES = 4_000          # different names an article may put on the map (the largest article we
                           # test, 5 MB of news, names ~1,500)
MAX_MENTIONS = 100_000     # mentions of them (that article has ~70,000)


@dataclass(frozen=True)
class Reading:
    """The part of a text that was read: its first `end` of `length` characters, holding `names`
    different names in `mentions` mentions (gazetteer candidates, before recognition decides)."""

    end: int
    length: int
    names: int
    mentions: int
    max_names: int = MAX_NAMES
    max_mentions: int = MAX_MENTIONS

    @property
    def whole(self) -> bool:
        return self.end >= self.length

    def note(self) -> str:
        """What was left out, in words ("" when the whole text was read)."""
        if self.whole:
            return ""
        share = self.end / self.length if self.length else 1.0
        return (f"This article names more places than one article may put on the map (at most "
                f"{self.max_names:,} different names and {self.max_mentions:,} mentions): the first "
                f"{self.end:,} of its {self.length:,} characters ({share:.0%}) were read, with "
                f"{self.names:,} names in {self.mentions:,} mentions; the places named after that are left out.")


def reading_of(text: str, candidates: Iterable[dict], *, max_names: int = MAX_NAMES,
               max_mentions: int = MAX_MENTIONS) -> Reading:
    """Where to stop reading `text`, given its name candidates in text order (dicts with "start" and
    "name", see geo.engine.recognition.candidates): before the first one past either cap."""
    names: set[str] = set()
    mentions = 0
    for cand in candidates:
        name = " ".join(cand["name"].lower().split())
        if mentions + 1 > max_mentions or (name not in names and len(names) + 1 > max_names):
            return Reading(cand["start"], len(text), len(names), mentions, max_names, max_mentions)
        names.add(name)
        mentions += 1
    return Reading(len(text), len(text), len(names), mentions, max_names, max_mentions)
