"""Reviewing places, without Streamlit: which mentions a correction of a place is about, where it may
apply, the engine's candidates, gazetteer searches, points typed by hand, the queue of unplaced
names, and the corrections in effect (the dashboard's widgets are in geo/app/).

    >>> from geo.review import parse_point, review_subjects, scope_options
    >>> subjects = review_subjects(place, lambda article_id: parser.parse(texts[article_id]))
    >>> [o.label for o in scope_options(subjects, parser.index)]
    ['only in “Russian forces shelled Stepne, Donetsk.”', 'every article naming it in Donetska oblast (...)', ...]
    >>> parse_point("47.81, 37.62")
    (47.81, 37.62)

Labels hold article titles and place names: they are plain text for widget options and escaped
HTML, never Markdown (SECURITY.md, "The page").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from geo.engine.cues import DIRECTIONS
from geo.engine.resolve import Candidate, ResolvedMention
from geo.gazetteer import GazetteerEntry, PlaceIndex
from geo.map.places import Place, place_key
from geo.map.styles import PRECISION_LABEL
from geo.online import OnlineCandidate
from geo.store.corrections import (
    Correction,
    Scope,
    Target,
    apply_corrections,
    corrections_in,
    mention_containers,
)

TITLE_CHARS = 60          # of an article title in a label
SEARCH_LIMIT = 10         # gazetteer matches offered
SEARCH_POOL = 200         # gazetteer matches ranked before the offer is cut (the engine's pick may rank low)
# The precision of a correction that answers a name with a place holding it, by that place's kind.
CONTAINER_PRECISION = {"admin2": "admin2", "admin1": "admin1", "region": "admin1", "country": "country",
                       "continent": "country"}
POINT_PRECISIONS = ("exact", "town", "admin2", "admin1", "country")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_POINT = re.compile(rf"\s*\(?\s*({_NUMBER})\s*(?:,|;|\s)\s*({_NUMBER})\s*\)?\s*")
_HOW = {"text": "named in the text", "implied": "where the engine placed it", "region": "its region",
        "country": "its country"}


class PointError(ValueError):
    """A point that cannot be used; the message says why and how to write one."""


def looks_like_point(text: str) -> bool:
    """Whether `text` is written as a point ("47.81, 37.62"), in range or not."""
    return bool(_POINT.fullmatch(text or ""))


def parse_point(text: str) -> tuple[float, float]:
    """(lat, lon) from "47.81, 37.62" (a comma, semicolon or space between them; brackets allowed);
    PointError saying what is wrong otherwise."""
    found = _POINT.fullmatch(text or "")
    if not found:
        raise PointError(f"“{(text or '').strip()[:40]}” is not a point: write the latitude and longitude in "
                         f"decimal degrees, e.g. 47.81, 37.62")
    lat, lon = float(found.group(1)), float(found.group(2))
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise PointError(f"latitude {lat:g} is not between -90 and 90 (latitude first, then longitude)")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise PointError(f"longitude {lon:g} is not between -180 and 180")
    return lat, lon


# -- what a correction of a place is about ---------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """One article's first mention of a place, as the engine resolved it (before any correction),
    with the article's other mentions for context."""

    article_id: str
    article_title: str
    mention: ResolvedMention
    resolved: tuple[ResolvedMention, ...]

    @property
    def start(self) -> int:
        return self.mention.mention.start


def review_subjects(place: Place, resolved_of: Callable[[str], Sequence[ResolvedMention]]) -> list[Subject]:
    """For each article naming the place (in the place's order), its first mention of it; the
    engine's mentions of an article come from `resolved_of(article_id)`."""
    out = []
    for article_id in place.article_ids:
        ref = next(m for m in place.mentions if m.article_id == article_id)
        resolved = tuple(resolved_of(article_id))
        r = next((x for x in resolved if x.mention.start == ref.start), None)
        if r is not None:
            out.append(Subject(article_id, ref.article_title, r, resolved))
    return out


@dataclass(frozen=True)
class ScopeOption:
    """Where a correction may apply, with a plain-text label."""

    scope: Scope
    label: str


def scope_options(subjects: Sequence[Subject], index: PlaceIndex | None = None) -> list[ScopeOption]:
    """The article of each subject ("only in ..."), then the containers the mentions lie in
    ("every article naming it in Donetska oblast"), innermost first, each once."""
    options = [ScopeOption(Scope.article(s.article_id), f"only in “{_cut(s.article_title)}”") for s in subjects]
    seen: set[str] = set()
    for s in subjects:
        for ref in mention_containers(s.mention, s.resolved, index=index):
            if ref.key not in seen:
                seen.add(ref.key)
                options.append(ScopeOption(Scope.container(ref.key, ref.label),
                                           f"every article naming it in {ref.label} ({_HOW.get(ref.how, ref.how)})"))
    return options


def _cut(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- candidates ------------------------------------------------------------------------------------
def engine_candidates(r: ResolvedMention) -> list[Candidate]:
    """The engine's pick (or the place whose point stands in), then the candidates it rejected,
    each once."""
    out: list[Candidate] = []
    for c in (r.place, r.container, *r.alternatives):
        if c is not None and not any(c.row == x.row and c.geonameid == x.geonameid for x in out):
            out.append(c)
    return out


def region_name(index: PlaceIndex | None, admin1: str) -> str:
    """The gazetteer's name of a first-level region ("Donetska oblast"), "" when unknown."""
    row = index.admin1_row(admin1) if index is not None and admin1 else None
    return index.entry(row).name if row is not None else ""


def candidate_label(c: Candidate, r: ResolvedMention, index: PlaceIndex | None = None) -> str:
    """"Kramatorsk (city · Donetska oblast, UA) · score 4.21 · 48.7311, 37.5678", with what the
    engine did with it: its pick (and how precisely), or the point that stood in."""
    where = ", ".join(x for x in (region_name(index, c.admin1) if c.kind not in ("admin1", "country") else "",
                                  c.country) if x)
    label = f"{c.name} ({c.kind}{' · ' + where if where else ''}) · score {c.score:.2f} · {c.lat:.4f}, {c.lon:.4f}"
    if r.place is not None and c.row == r.place.row and r.precision == "exact":
        label += " · the engine's choice"
    elif r.container is not None and c.row == r.container.row:
        label += f" · the engine's stand-in ({PRECISION_LABEL.get(r.precision, r.precision)})"
    return label


def search_forms(text: str) -> list[str]:
    """The forms of a name a search tries, in turn, as the engine reads names: as written, then
    without a leading direction word ("central Illinois" -> "Illinois", "Eastern Black Sea")."""
    text = " ".join((text or "").split())
    if not text:
        return []
    first, _, rest = text.partition(" ")
    return [text, rest] if rest and first.casefold() in DIRECTIONS else [text]


def gazetteer_search(index: PlaceIndex, text: str, *, countries: Iterable[str] = (), prefer: Iterable[int] = (),
                     limit: int = SEARCH_LIMIT) -> list[GazetteerEntry]:
    """Gazetteer places called `text` ("Stepne", "Stepne, Donetsk", "Paris, TX"), best first, found as
    the engine finds a name: as written, else without a leading direction word, else by another
    spelling ("Zaporizhia": geo.gazetteer.spelling). The rows in `prefer` (the engine's own candidates
    for the name) come first when the name finds them, then those in `countries` (the story's), then
    the others (see geo.gazetteer.geocoder.OfflineGazetteer): a search for a name the engine placed
    finds its place."""
    from geo.gazetteer.geocoder import OfflineGazetteer

    geocoder = OfflineGazetteer(index)
    rows: list[int] = []
    for form in search_forms(text):
        found = geocoder.geocode(form, exactly_one=False, limit=SEARCH_POOL, spellings=True,
                                 bias_countries=list(countries) or None)
        rows = [int(loc.raw["row"]) for loc in found]
        if rows:
            break
    rank = {row: i for i, row in enumerate(dict.fromkeys(prefer))}
    rows.sort(key=lambda row: rank.get(row, len(rank)))        # stable: the geocoder's order otherwise
    return [index.entry(row) for row in rows[:limit]]


def names_the_place(index: PlaceIndex, name: str, row: int) -> bool:
    """Whether the gazetteer entry at `row` is a place called `name` (as a search for it finds it), not
    another place (a town answered for a village in it)."""
    return any(e.row == row for e in gazetteer_search(index, name, limit=SEARCH_POOL))


def answer_target(index: PlaceIndex, name: str, entry: Candidate | GazetteerEntry) -> Target:
    """The correction's target when a user answers the name `name` with a gazetteer entry: the place
    itself ("exact") when the entry is called so, else the point of the place that holds it, stated as
    approximate by the entry's kind (a town answered for a village: "town"; a region: "admin1")."""
    if names_the_place(index, name, entry.row):
        return Target.of_entry(entry)
    return Target.of_entry(entry, precision=CONTAINER_PRECISION.get(entry.kind, "town"))


def entry_label(e: GazetteerEntry, index: PlaceIndex | None = None) -> str:
    """"Stepne (city · Zaporizka oblast, UA) · 1,234 people · 47.5500, 35.5000"."""
    where = ", ".join(x for x in (region_name(index, e.admin1) if e.kind not in ("admin1", "country") else "",
                                  e.country) if x)
    people = f" · {e.population:,} people" if e.population > 0 else ""
    return f"{e.name} ({e.kind}{' · ' + where if where else ''}){people} · {e.lat:.4f}, {e.lon:.4f}"


def country_at(index: PlaceIndex, lat: float, lon: float) -> str:
    """The country of the nearest town within 50 km of a point ("" at sea, in the wild or out of range);
    a point a user gives (in the page or `corrections add --point`) is said to lie in it."""
    from geo.gazetteer.geocoder import OfflineGazetteer

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return ""
    town = OfflineGazetteer(index).reverse((lat, lon), max_distance_km=50)
    return town.raw["country"] if town is not None else ""


def story_countries(subjects: Sequence[Subject]) -> list[str]:
    """The countries of the places the subjects' articles name, most named first: a search
    prefers places there."""
    counts: dict[str, int] = {}
    for s in subjects:
        for r in s.resolved:
            c = r.place or r.container
            if c is not None and c.country:
                counts[c.country] = counts.get(c.country, 0) + 1
    return sorted(counts, key=lambda k: -counts[k])


def online_rows(candidates: Sequence[OnlineCandidate]) -> list[dict]:
    """An online geocoder's candidates as table rows (plain values): what a reviewer checks."""
    return [{"name": c.name, "answer": c.display_name, "kind": c.kind, "country": c.country_code,
             "region": c.state, "lat": round(c.lat, 5), "lon": round(c.lon, 5), "provider": c.provider,
             "check": "; ".join(c.warnings) or "—"} for c in candidates]


def online_label(c: OnlineCandidate) -> str:
    """One line per candidate for a picker: "Stepne, Donetsk Oblast, Ukraine · 48.10000, 37.30000"."""
    return f"{_cut(c.display_name, 90)} · {c.lat:.5f}, {c.lon:.5f}" + (" · ⚠ check" if c.warnings else "")


# -- after a change ----------------------------------------------------------------------------------
def key_after(article_id: str, start: int, resolved: Sequence[ResolvedMention],
              corrections: Iterable[Correction]) -> str | None:
    """The key of the place the mention at `start` belongs to once `corrections` apply (None when a
    correction says it is not a place): where the page's selection follows a change."""
    for r in apply_corrections(article_id, resolved, corrections):
        if r.mention.start == start:
            return place_key(r)
    return None


# -- the unplaced names, oldest first ------------------------------------------------------------------
def unplaced_queue(places: Sequence[Place], article_order: Sequence[str]) -> list[Place]:
    """The names found but not placed, in the order the articles (as listed) first name them."""
    rank = {a: i for i, a in enumerate(article_order)}

    def first(p: Place) -> tuple[int, int]:
        return min((rank.get(m.article_id, len(rank)), m.start) for m in p.mentions)

    return sorted((p for p in places if not p.resolved), key=first)


# -- the corrections in effect -------------------------------------------------------------------------
@dataclass(frozen=True)
class InEffect:
    """A correction and how many mentions of the shown articles it changes."""

    correction: Correction
    mentions: int


def corrections_in_effect(parsed: Iterable[tuple[str, Sequence[ResolvedMention]]],
                          corrections: Sequence[Correction]) -> list[InEffect]:
    """The corrections that change a mention of these articles (article id, the engine's mentions),
    newest first: those are the ones a user of this view can undo (a "not a place" one has no place
    left to select)."""
    counts: dict[int, int] = {}
    by_id = {c.id: c for c in corrections}
    for article_id, resolved in parsed:
        for c in corrections_in(article_id, resolved, corrections).values():
            counts[c.id] = counts.get(c.id, 0) + 1
    return [InEffect(by_id[i], n) for i, n in sorted(counts.items(), key=lambda kv: -kv[0])]


def describe_correction(c: Correction, titles: Mapping[str, str] | None = None) -> str:
    """One plain line for people: "#3 “kreminna” placed at 48.50000, 38.00000, in “Title” (note)".
    `titles` names the articles by id (else the id is given)."""
    t = c.target
    if c.action == "not_a_place" or t is None:
        what = "is not a place"
    elif c.action == "choose":
        what = f"is {t.name} ({t.kind}{', ' + t.country if t.country else ''}) at {t.lat:.5f}, {t.lon:.5f}"
    elif c.action == "online":
        what = f"is {t.provider}'s answer {_cut(t.display_name or t.name, 80)} at {t.lat:.5f}, {t.lon:.5f}"
    else:
        what = f"placed at {t.lat:.5f}, {t.lon:.5f}"
    if t is not None and t.precision != "exact":
        what += f" (approximate: {PRECISION_LABEL.get(t.precision, t.precision)})"
    if c.scope.kind == "article":
        title = (titles or {}).get(c.scope.key)
        where = f"in “{_cut(title)}”" if title else f"in article {c.scope.key}"
    else:
        where = f"in every article naming it in {c.scope.label or c.scope.key}"
    return f"#{c.id} “{c.name}” {what}, {where}" + (f" ({_cut(c.note, 80)})" if c.note else "")
