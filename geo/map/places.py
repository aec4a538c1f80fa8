"""Places with passages: resolved mentions grouped into one place per entity across articles.

    >>> from geo.files.articles import read_article
    >>> from geo.engine.pipeline import Geoparser
    >>> from geo.map.places import places_for
    >>> places = places_for([read_article("seeds/itv-azovstal-version-a.txt")], Geoparser.create())
    >>> places[0].name, places[0].mention_count            # most-mentioned first
    ('Russia', 16)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.engine.resolve import Candidate, ResolvedMention
from geo.files.articles import Article, Passage, passage_at, split_passages
from geo.store.corrections import Correction, apply_corrections
from geo.store.event_corrections import EventCorrection, apply_event_corrections

if TYPE_CHECKING:
    from geo.engine.events import Event, EventFinder
    from geo.store.parsecache import ParsedText


@dataclass(frozen=True)
class MentionRef:
    """One mention of a place, with the passage and article it comes from."""

    article_id: str
    article_title: str
    source: str
    start: int
    end: int
    name: str
    passage: Passage
    confidence: float
    event: Event | None = None      # the event its sentence reports, when this mention is its place


@dataclass(frozen=True)
class Place:
    """A resolved entity with every mention of it (lat/lon None when unresolved)."""

    key: str
    name: str            # as the articles write it ("Zaporizhzhia"); countries keep their name
    kind: str
    lat: float | None
    lon: float | None
    country: str
    geonameid: int | None
    confidence: float
    mentions: tuple[MentionRef, ...]
    alternatives: tuple[Candidate, ...]
    source: str
    gazetteer_name: str = ""   # the gazetteer's own name ("Zaporizhzhya", "Luhanska oblast")
    precision: str = "exact"   # see geo.engine.resolve.ResolvedMention: exact, town, admin2, admin1, country, unplaced
    container: str = ""        # the place whose point stands in for an approximate one ("Donetska oblast")
    placed_by: str = "gazetteer"   # "gazetteer", "correction" or an online geocoder's name (see ResolvedMention)
    correction: int | None = None  # the id of the user's correction that placed it (geo.store.corrections)
    uncertainty_km: float = 0.0    # how far it may lie from an approximate point (0: the precision's default)

    @property
    def mention_count(self) -> int:
        return len(self.mentions)

    @property
    def article_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.article_id for m in self.mentions))

    @property
    def passages(self) -> tuple[Passage, ...]:
        """The distinct passages that mention the place, in article order."""
        seen = dict.fromkeys((m.passage.article_id, m.passage.index) for m in self.mentions)
        by_key = {(m.passage.article_id, m.passage.index): m.passage for m in self.mentions}
        return tuple(by_key[k] for k in seen)

    @property
    def events(self) -> tuple[Event, ...]:
        """The events reported at this place (see geo.engine.events), in article order."""
        return tuple(m.event for m in self.mentions if m.event is not None)

    @property
    def event_type(self) -> str | None:
        """The place's main event type: the one its events report most often (ties: the first
        reported), None without events."""
        counts = Counter(e.event_type for e in self.events)
        return max(counts, key=counts.__getitem__) if counts else None

    @property
    def resolved(self) -> bool:
        return self.lat is not None

    @property
    def approximate(self) -> bool:
        """Placed at the point of a container (a town, district, region or country), not its own."""
        return self.resolved and self.precision != "exact"


def place_key(r: ResolvedMention) -> str:
    """One key per entity: the gazetteer entry for exact places; the name and the container for
    approximate ones ("Stepne" in Donetsk oblast and "Stepne" in Kharkiv oblast are two places);
    a facility by its name and town; a corrected mention by its correction (never merged with the
    engine's places)."""
    if r.correction is not None:
        return f"corrected:{r.correction}"
    name = " ".join(r.mention.name.split()).casefold()
    if r.lat is None:
        return "unresolved:" + name
    if r.place is None:
        return f"approx:{name}:{_entity(r.container)}"
    if r.mention.cue == "facility":
        return f"facility:{name}:{_entity(r.place)}"
    base = _entity(r.place)
    return f"{base}:{r.mention.direction}" if r.mention.direction else base


def _entity(c: Candidate | None) -> str:
    if c is None:
        return "none"
    return f"gn:{c.geonameid}" if c.geonameid else f"row:{c.row}"


def place_kind(r: ResolvedMention) -> str:
    """The kind of place a mention names: its gazetteer entry's, else what the text says
    ("X village", "X hospital", "X district"), else the likeliest candidate's; "unresolved" if unplaced."""
    if r.lat is None:
        return "unresolved"
    if r.mention.cue in ("facility", "admin1", "admin2"):
        return r.mention.cue
    if r.place is not None:
        return r.place.kind
    return r.alternatives[0].kind if r.alternatives else "city"


def group_places(parsed: Iterable[tuple[Article, Sequence[Passage], Sequence[ResolvedMention]]],
                 source_of=lambda row: "", events: EventFinder | None = None,
                 event_corrections: Sequence[EventCorrection] = ()) -> list[Place]:
    """Group resolved mentions of several articles into places, most-mentioned first; with an event
    finder, each mention an event is tied to carries that event, with the user's `event_corrections`
    applied (see geo.store.event_corrections)."""
    groups: dict[str, list[tuple[ResolvedMention, MentionRef]]] = {}
    for article, passages, resolved in parsed:
        found = {e.place.start: e for e in apply_event_corrections(
            article.id, events.find(article.text, resolved, article.date), event_corrections)} if events else {}
        for r in resolved:
            passage = passage_at(passages, r.mention.start)
            if passage is None:
                continue
            ref = MentionRef(article.id, article.title, article.source, r.mention.start,
                             r.mention.end, r.mention.name, passage, r.confidence, found.get(r.mention.start))
            groups.setdefault(place_key(r), []).append((r, ref))
    places = []
    for key, items in groups.items():
        best = max(items, key=lambda item: item[0].confidence)[0]
        p = best.place if best.precision == "exact" or best.mention.cue == "facility" else None
        where = p or best.container
        places.append(Place(
            key=key, name=_display_name(best, [r for r, _ in items]), kind=place_kind(best),
            lat=best.lat, lon=best.lon, country=where.country if where else "",
            geonameid=p.geonameid if p and best.precision == "exact" else None,
            confidence=round(sum(i[0].confidence for i in items) / len(items), 3),
            mentions=tuple(ref for _, ref in items), alternatives=best.alternatives,
            source=_source(best, where, source_of),
            gazetteer_name=p.name if p else "",
            precision=best.precision, container=best.container.name if best.container else "",
            placed_by=best.placed_by, correction=best.correction, uncertainty_km=best.uncertainty_km,
        ))
    places.sort(key=lambda pl: (-pl.mention_count, pl.name))
    return places


def _source(best: ResolvedMention, where: Candidate | None, source_of) -> str:
    """Where the place's point comes from: the gazetteer source of its entry, or the correction."""
    if best.correction is not None:
        via = f" ({best.placed_by})" if best.placed_by != "correction" else ""
        return f"correction #{best.correction}{via}"
    return source_of(where.row) if where else ""


def _display_name(best: ResolvedMention, resolved: Sequence[ResolvedMention]) -> str:
    """The most frequent way the articles write the place, unless it is a country or continent
    (they have many short forms: "U.S.", "US"), a directional phrase, or written in capitals."""
    if best.place is None or best.precision != "exact" or best.mention.cue == "facility":
        return " ".join(best.mention.name.split())
    if best.mention.direction or best.place.kind in ("country", "continent"):
        return best.label
    forms = Counter(" ".join(r.mention.name.split()) for r in resolved)
    form = max(forms, key=lambda f: (forms[f], len(f)))   # ties: "Luhansk region" over "Luhansk"
    return best.label if form.isupper() else form


def places_for(articles: Sequence[Article], parser, corrections: Iterable[Correction] = (), *,
               events: bool = True, event_corrections: Sequence[EventCorrection] = ()) -> list[Place]:
    """Parse the articles with `parser` (a Geoparser) and group their places, with the user's
    `corrections` applied (see geo.store.corrections) and, unless `events` is False, their events
    (with the user's `event_corrections`)."""
    corrections = tuple(corrections)
    parsed = [(a, split_passages(a), apply_corrections(a.id, parser.parse(a.text), corrections)) for a in articles]
    return group_places(parsed, source_of=lambda row: parser.index.entry(row).source,
                        events=parser.events if events else None, event_corrections=event_corrections)


def places_from_parsed(parsed: Iterable[tuple[Article, ParsedText]],
                       corrections: Iterable[Correction] = (), events: EventFinder | None = None,
                       event_corrections: Sequence[EventCorrection] = ()) -> list[Place]:
    """Group articles' cached parses (see geo.store.parsecache) into places, with no parser or index:
    each place's gazetteer source comes with its parse. The user's `corrections` are applied; with
    an event finder (`Geoparser.events`), the events too (with the user's `event_corrections`)."""
    items = list(parsed)
    corrections = tuple(corrections)
    sources: dict[int, str] = {}
    for _, p in items:
        sources.update(p.sources)
    return group_places(((a, split_passages(a), apply_corrections(a.id, p.resolved, corrections)) for a, p in items),
                        source_of=sources.__getitem__, events=events, event_corrections=event_corrections)
