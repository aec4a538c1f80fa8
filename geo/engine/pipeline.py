"""The geoparser: text -> resolved mentions, in the default (NER-assisted) or the fast mode.

    >>> from geo.engine.pipeline import Geoparser
    >>> parser = Geoparser.create(fast=True)
    >>> [(r.mention.name, r.place.kind) for r in parser.parse("Fighting near Kramatorsk, Ukraine.")]
    [('Kramatorsk', 'city'), ('Ukraine', 'country')]
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from geo.engine.budget import MAX_MENTIONS, MAX_NAMES, Reading, reading_of
from geo.engine.components import checked
from geo.engine.events import EventFinder
from geo.engine.ner import SpacyNER, try_load_ner
from geo.engine.recognize import Recognizer
from geo.engine.resolve import ResolvedMention, Resolver
from geo.engine.story import Evidence, StoryCountries, paragraph_starts, text_evidence
from geo.engine.tokens import tokenize
from geo.files.cachefile import gc_paused
from geo.gazetteer import PlaceIndex, Progress

# Texts longer than this are read by the rules alone (see Geoparser.mode_for); a news article is a few
# tens of thousands of characters.
NER_MAX_CHARS = 1_000_000


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """The text with each lone surrogate (JSON "\\ud800", a broken paste) replaced by U+FFFD: one
    character for one, so that offsets still point into the original. spaCy cannot encode them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


@dataclass
class Geoparser:
    """Recognition and resolution over one gazetteer; `ner` None means the fast mode."""

    index: PlaceIndex
    ner: SpacyNER | None = None
    demonyms: bool = False
    ner_problem: str = ""
    without: frozenset[str] = frozenset()    # rule families switched off (geo.engine.components)
    focus: tuple[str, ...] = ()     # the countries a batch is about (`--country ML`): namesakes elsewhere need evidence
    max_names: int = MAX_NAMES          # caps on what one text may put on the map (geo.engine.budget)
    max_mentions: int = MAX_MENTIONS

    @classmethod
    def create(cls, *, fast: bool = False, demonyms: bool = False, progress: Progress | None = None,
               without: Iterable[str] = (), focus: Iterable[str] = ()) -> Geoparser:
        without = checked(without)
        index = PlaceIndex.load(progress=progress)
        ner, problem = (None, "fast mode") if fast else try_load_ner()
        # The index (a million small objects) and the model live as long as the process: out of the
        # cycle collector's sight, whose full passes over them took ~1 ms after every parse.
        gc.freeze()
        return cls(index, ner, demonyms, problem, without, tuple(c.upper() for c in focus))

    @property
    def mode(self) -> str:
        return "ner" if self.ner is not None else "gazetteer-only"

    def __post_init__(self) -> None:
        self.without = checked(self.without)
        self._recognizer = Recognizer(self.index, self.ner, demonyms=self.demonyms, without=self.without)
        self._rules_alone = Recognizer(self.index, None, demonyms=self.demonyms, without=self.without) \
            if self.ner else self._recognizer
        self._resolver = Resolver(self.index, distances=self.ner is not None, without=self.without)

    @cached_property
    def events(self) -> EventFinder:
        """The event finder over this gazetteer's demonyms (see geo.engine.events)."""
        return EventFinder.for_index(self.index)

    def mode_for(self, text: str) -> str:
        """The mode a text is read in: "ner", or "gazetteer-only" (the fast mode, and texts longer than
        NER_MAX_CHARS: the NER would take minutes over them; the rules alone take seconds)."""
        return "ner" if self.ner is not None and len(text) <= NER_MAX_CHARS else "gazetteer-only"

    def parse(self, text: str, progress: Progress | None = None) -> list[ResolvedMention]:
        """The resolved place mentions of `text`; `progress(stage, fraction)` hears how far it got.
        A text naming more than the caps allow is read up to them (see `parse_bounded`)."""
        return self.parse_bounded(text, progress)[0]

    def reading(self, text: str) -> Reading:
        """How much of `text` is read: all of it, or up to the first name past `max_names` different
        names or `max_mentions` mentions (geo.engine.budget). A text too short to hold that many
        names costs nothing here."""
        if len(text) < 2 * min(self.max_names, self.max_mentions):
            return Reading(len(text), len(text), 0, 0, self.max_names, self.max_mentions)
        candidates = self._rules_alone._candidates(text, tokenize(text))
        return reading_of(text, candidates, max_names=self.max_names, max_mentions=self.max_mentions)

    def parse_bounded(self, text: str, progress: Progress | None = None) -> tuple[list[ResolvedMention], Reading]:
        """The resolved place mentions of the part of `text` that is read, and what was read."""
        text = without_lone_surrogates(text)
        reading = self.reading(text)
        if not reading.whole:
            text = text[:reading.end]       # offsets still point into the whole text
        recognizer = self._recognizer if self.mode_for(text) == "ner" else self._rules_alone
        with gc_paused():      # a long text makes ~10 objects a word, none of them garbage yet
            mentions = recognizer.find(text, progress)
            if progress:
                progress(f"placing {len(mentions):,} mentions", 0.95)
            resolved = self._resolver.resolve(mentions, text_evidence(text, self.index, self.focus),
                                              paragraph_starts(text))
        if progress:
            progress("done", 1.0)
        return resolved, reading

    def story_countries(self, text: str, resolved: list[ResolvedMention]) -> StoryCountries:
        """The countries a text is about, with the evidence (its words, the focus, and the places
        `resolved` placed exactly): for the dashboard to show the estimate."""
        clues = text_evidence(without_lone_surrogates(text), self.index, self.focus)
        places = [Evidence("place", r.mention.name, (r.place.country,), 1.0, r.mention.start)
                  for r in resolved if r.place is not None and r.precision == "exact" and r.place.country
                  and not r.mention.demonym]
        return StoryCountries.of([*clues, *places])

    def parse_many(self, texts: Iterable[str]) -> Iterator[list[ResolvedMention]]:
        for text in texts:
            yield self.parse(text)
