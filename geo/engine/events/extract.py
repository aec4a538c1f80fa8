"""Events of a text: per sentence that names a place and reports something happening, its ACLED type
and sub-type, the trigger words, the place mention it is tied to, the actors and the date.

    >>> from geo.engine.pipeline import Geoparser
    >>> from geo.engine.events import EventFinder
    >>> parser = Geoparser.create(fast=True)
    >>> text = "On 3 March 2022, Russian forces shelled Kharkiv."
    >>> [e.record() for e in EventFinder.for_index(parser.index).find(text, parser.parse(text))][0]["sub_event_type"]
    'Shelling/artillery/missile attack'

Only sentences with a place mention are read (the cost stays a small share of parsing). The events come
in text order, so the first is the text's opening report (ACLED notes and news leads open with it);
only a battle whose paragraph then says that a place changed hands gives way to that outcome.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from geo.engine.events.actors import Actor, find_actors, is_state_actor
from geo.engine.events.classify import classify_sentence, find_triggers
from geo.engine.events.dates import DateMention, find_dates
from geo.engine.events.lexicon import TRIGGERS, Trigger, build_triggers
from geo.engine.events.taxonomy import EVENT_TYPE_OF
from geo.engine.resolve import ResolvedMention
from geo.engine.tokens import Token, tokenize
from geo.files.articles import Article, split_passages

# How broad a place is, to tie an event to the most specific place its sentence names.
# Texts longer than this get no events (as the NER, see geo.engine.pipeline.NER_MAX_CHARS): a 5 MB
# upload of 70,000 place mentions took 110 s to read for events.
EVENTS_MAX_CHARS = 1_000_000
_BREADTH = {"facility": 0, "city": 1, "area": 1, "island": 1, "mountain": 1, "water": 2, "peninsula": 2,
            "admin2": 2, "region": 3, "admin1": 3, "country": 5, "continent": 6}
_PRECISION_BREADTH = {"exact": 0, "town": 1, "admin2": 2, "admin1": 3, "country": 5, "unplaced": 1}


@dataclass(frozen=True)
class EventPlace:
    """The place mention an event is tied to, and how precisely it is placed (see ResolvedMention)."""

    start: int
    end: int
    name: str
    precision: str
    country: str = ""


@dataclass(frozen=True)
class Event:
    """One event: `text[start:end]` is its main trigger; `triggers` every trigger of its sub-type."""

    event_type: str
    sub_event_type: str
    start: int
    end: int
    trigger: str
    triggers: tuple[tuple[int, int], ...]
    place: EventPlace
    actors: tuple[str, ...]
    date: str | None
    date_source: str                 # "text", "relative", "article", "corrected" (by the user) or "" (no date)
    sentence: tuple[int, int]
    corrected_by: int | None = None  # the user's event correction that set its type or date (geo.store)

    def record(self) -> dict:
        """The event as `python -m geo annotate` writes it (`corrected_by` only when corrected)."""
        out = {"event_type": self.event_type, "sub_event_type": self.sub_event_type, "date": self.date,
               "date_source": self.date_source or None, "start": self.start, "end": self.end,
               "trigger": self.trigger, "place": {"start": self.place.start, "end": self.place.end,
                                                   "name": self.place.name, "precision": self.place.precision},
               "actors": list(self.actors)}
        if self.corrected_by is not None:
            out["corrected_by"] = self.corrected_by
        return out


def _tokens_within(tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> frozenset[int]:
    """The tokens starting inside a span (spans sorted by start): one pass over both, so that a sentence
    listing thousands of places costs its length, not its length x its places."""
    inside, k, reach = [], 0, -1       # reach: the farthest end of the spans started so far
    for n, t in enumerate(tokens):
        while k < len(spans) and spans[k][0] <= t.start:
            reach = max(reach, spans[k][1])
            k += 1
        if t.start < reach:
            inside.append(n)
    return frozenset(inside)


@dataclass(frozen=True)
class EventFinder:
    """Finds events with one lexicon; `demonyms` maps a lower-case demonym to its country's ISO code
    (to tell a government's forces from others when territory changes hands)."""

    demonyms: Mapping[str, str]
    triggers: Mapping[str, list[Trigger]] = field(default_factory=lambda: TRIGGERS)

    @classmethod
    def for_index(cls, index, disabled: frozenset[str] = frozenset()) -> EventFinder:
        """A finder with the gazetteer's demonyms; sub-types in `disabled` are switched off."""
        demonyms = {key: index.entry(row).country for key, row in index.demonyms.items()}
        return cls(demonyms, build_triggers(disabled=disabled) if disabled else TRIGGERS)

    def find(self, text: str, resolved: Sequence[ResolvedMention], article_date: str = "") -> list[Event]:
        """The events of `text`, given its resolved place mentions and the article's date ("" unknown).
        None for a text over EVENTS_MAX_CHARS: such a text is a dump, not a report (the NER skips it too),
        and its sentences would take minutes."""
        if len(text) > EVENTS_MAX_CHARS:
            return []
        mentions = sorted((r for r in resolved if not r.mention.demonym), key=lambda r: r.mention.start)
        if not mentions:
            return []
        dates = find_dates(text, article_date)
        when = _Dates(dates, [d.start for d in dates], article_date)
        events: list[tuple[int, Event]] = []
        k = 0
        paragraph, paragraph_start = -1, 0
        for sentence in split_passages(Article("", "", "", text)):
            if sentence.paragraph != paragraph:
                paragraph, paragraph_start = sentence.paragraph, sentence.start
            while k < len(mentions) and mentions[k].mention.start < sentence.start:
                k += 1
            here = []
            while k < len(mentions) and mentions[k].mention.start < sentence.end:
                here.append(mentions[k])
                k += 1
            if here:
                event = self._sentence_event(text, sentence, here, when, paragraph_start)
                if event is not None:
                    events.append((sentence.paragraph, event))
        return _main_first(events)

    def _sentence_event(self, text: str, sentence, here: list[ResolvedMention], when: _Dates,
                        paragraph_start: int) -> Event | None:
        offset = sentence.start
        tokens = [Token(t.start + offset, t.end + offset, *t[2:]) for t in tokenize(sentence.text)]
        spans = [(r.mention.start, r.mention.end) for r in here]
        place_tokens = _tokens_within(tokens, spans)
        state = _StateJudge(self, text, tokens, spans, here)
        decision = classify_sentence(text, tokens, place_tokens=place_tokens, is_state=state,
                                     triggers=self.triggers)
        if decision is None:
            return None
        main = decision.main
        place = _place_for(here, tokens[main.i].start)
        actors = state.actors()
        date, source = _date_for(when.dates, when.starts, sentence, paragraph_start, when.article_date)
        return Event(
            EVENT_TYPE_OF[decision.sub_event_type], decision.sub_event_type, tokens[main.i].start, tokens[main.j].end,
            text[tokens[main.i].start:tokens[main.j].end],
            tuple((tokens[m.i].start, tokens[m.j].end) for m in decision.matches),
            place, tuple(a.text for a in actors), date, source, (sentence.start, sentence.end))


@dataclass(frozen=True)
class _Dates:
    """A text's dates in order, their offsets (for bisecting), and the article's date."""

    dates: list[DateMention]
    starts: list[int]
    article_date: str


class _StateJudge:
    """Answers "is the actor of the trigger at token k the government's side of the place's country?",
    finding the sentence's actors once, when first asked."""

    def __init__(self, finder: EventFinder, text: str, tokens: list[Token], spans, here) -> None:
        self.finder, self.text, self.tokens, self.spans, self.here = finder, text, tokens, spans, here
        self._actors: list[Actor] | None = None

    def actors(self) -> list[Actor]:
        if self._actors is None:
            starts = [i for i, _, _ in find_triggers(self.tokens, self.finder.triggers)]
            self._actors = find_actors(self.text, self.tokens, self.spans, starts)
        return self._actors

    def __call__(self, k: int) -> bool | None:
        start = self.tokens[k].start
        actors = self.actors()
        before = [a for a in actors if a.end <= start]
        by = [a for a in actors if a.start > start and self.text[max(0, a.start - 4):a.start].strip() == "by"]
        subject = (by or before[-1:] or [None])[0]
        place = _place_for(self.here, start)
        return is_state_actor(subject, place.country, self.finder.demonyms)


_TERRITORY = frozenset({"Government regains territory", "Non-state actor overtakes territory"})


def _main_first(events: list[tuple[int, Event]]) -> list[Event]:
    """The events in text order, except that a battle whose paragraph goes on to say that a place
    changed hands is reported by that outcome (the codebook's rule): that event comes first."""
    out = [e for _, e in events]
    if events and out[0].sub_event_type == "Armed clash":
        paragraph = events[0][0]
        for n, (p, e) in enumerate(events[1:], 1):
            if p != paragraph:
                break
            if e.sub_event_type in _TERRITORY:
                return [e, *out[:n], *out[n + 1:]]
    return out


def _place_for(here: list[ResolvedMention], at: int) -> EventPlace:
    """The most specific place mention of the sentence, nearest the trigger (after it preferred):
    not one that only contains another ("Donetsk region" in "Siversk, Donetsk region")."""
    containers = {start for r in here for start, _ in r.mention.within}

    def key(r: ResolvedMention):
        m = r.mention
        breadth = _BREADTH.get(r.place.kind, 1) if r.place is not None and r.precision == "exact" \
            else _PRECISION_BREADTH.get(r.precision, 1)
        distance = m.start - at if m.start >= at else 2 * (at - m.end)
        return (m.start in containers, breadth >= 5, r.lat is None, breadth, distance)

    r = min(here, key=key)
    where = r.place or r.container
    return EventPlace(r.mention.start, r.mention.end, r.mention.name, r.precision, where.country if where else "")


def _date_for(dates: list[DateMention], starts: list[int], sentence, paragraph_start: int,
              article_date: str) -> tuple[str | None, str]:
    """The sentence's own date (a written date before a relative one), else the latest date written
    before it in its paragraph, else the article's date; `starts` are the dates' offsets, in order."""
    first, end = bisect_left(starts, sentence.start), bisect_left(starts, sentence.end)
    inside = [d for d in dates[first:end] if d.date]
    for source in ("text", "relative"):
        for d in inside:
            if d.source == source:
                return d.date, source
    for d in reversed(dates[bisect_left(starts, paragraph_start):first]):
        if d.date:
            return d.date, d.source
    if article_date:
        return article_date[:10], "article"
    return None, ""
