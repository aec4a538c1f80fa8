"""How the place mentions of one text relate: containers ("Stepne, Donetsk", "(Bulo Burto, Hiraan)",
"the X district of Aleppo", "X near Kramatorsk") and coordinated lists ("Bakhmut, Izium and Lyman").

    >>> from geo.engine.relations import mark_relations
    >>> marked = mark_relations(text, mentions, is_region)   # the same mentions, with `within`,
    ...                                                       # `partner`, `series` and cues set

Containers become `Mention.within` links (the container's start offset and "in", "near", "bracket"
(named in brackets or as the unit after a comma: a town there stands for its district) or "frame", a
region that opens the sentence), innermost first, so that the resolver can keep a mention's
candidates inside what the text says contains it, and fall back to the container's point when none is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from geo.engine.cues import SETTLEMENT_WORDS, TYPE_WORDS

if TYPE_CHECKING:
    from geo.engine.mention import Mention

SERIES_GAP = re.compile(r"\s*,\s*(?:the\s+)?|\s*,?\s+(?:and|or)\s+(?:the\s+)?")
_COMMA = re.compile(r"\s*,\s*")
_OPEN = re.compile(r"\s*\(\s*")
# words that say what a named place is, between a name and its container ("Mubaarak village (...)",
# "Thazi township, Meiktila district", "Songho, Doucoumbo Commune (...)")
_KIND_WORDS = sorted(SETTLEMENT_WORDS | set(TYPE_WORDS) | {"area", "camp", "sub-county", "location", "cercle"})
_KIND_WORD = r"(?:" + "|".join(re.escape(w) for w in _KIND_WORDS) + r")"
# "X (", "X village (", "X (alias) village (": the brackets that hold what contains X
_BRACKET_OPEN = re.compile(r"(?:\s*\([^()\n]{1,40}\))?(?:\s+" + _KIND_WORD + r")?\s*\(\s*", re.IGNORECASE)
# between the places in brackets: "Thazi township, Meiktila district, Mandalay region"
_BRACKET_SEP = re.compile(r"(?:\s+" + _KIND_WORD + r")?\s*,\s*", re.IGNORECASE)
# "X town, Y township": a place, then after a comma the unit holding it, named with its kind word
_UNIT_AFTER = re.compile(r"\s+(?:township|commune|district|county|sub-county|municipality|tehsil|subdistrict|"
                         r"sub-district|woreda|location|cercle|raion|rayon|province|region|state|governorate)\b",
                         re.IGNORECASE)
_UNIT_GAP = re.compile(r"(?:\s*\([^()\n]{1,40}\))?(?:\s+" + _KIND_WORD + r")?\s*,\s*", re.IGNORECASE)
_CLOSE = re.compile(r"\s*\)")
_DASH = re.compile(r" [-\u2013\u2014] ")
# "X near Y", "X, outside Y", "X, 10 km north of Y", "X on the outskirts of Y"
_NEAR = re.compile(
    r",?\s+(?:(?:about|some|around|roughly)\s+)?(?:(?:\d+(?:[.,]\d+)?\s*(?:km|kilometres|kilometers|miles|mi)"
    r"(?:\s*\([^)]{0,30}\))?\s+)?(?:to\s+the\s+)?(?:north|south|east|west|northeast|northwest|southeast|"
    r"southwest|north-east|north-west|south-east|south-west)(?:ern)?\s+of|near|outside|close\s+to|"
    r"next\s+to|on\s+the\s+outskirts\s+of|in\s+the\s+vicinity\s+of|not\s+far\s+from)\s+(?:the\s+)?",
    re.IGNORECASE)
# "the X district of Aleppo", "X, a village in Y", "X, a suburb of Y", "X in Y" (for facilities)
_PART_OF = re.compile(
    r"(?:\s*\([^()\n]{1,40}\))?\s+(?:"
    + "|".join(sorted(SETTLEMENT_WORDS | set(TYPE_WORDS) | {"camp", "area", "sector"})) +
    r")\s+(?:of|in)\s+(?:the\s+)?|,\s+an?\s+(?:small\s+|large\s+|frontline\s+|front-line\s+)?"
    r"(?:" + "|".join(sorted(SETTLEMENT_WORDS | {"camp", "area"})) + r")\s+(?:of|in|near)\s+(?:the\s+)?",
    re.IGNORECASE)
_IN = re.compile(r"\s+in\s+(?:the\s+)?", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['\u2019]s\s+")
# a descriptor between a name and what relates it ("the Zamzam camp near El Fasher")
_DESCRIPTOR = re.compile(r"^\s+(?:" + "|".join(sorted(SETTLEMENT_WORDS | {"camp", "camps", "area"})) + r")(?=[\s,])",
                         re.IGNORECASE)

# How broad each kind of place is: a container must be broader than what it contains.
_BREADTH = {"facility": 0, "unknown": 1, "city": 2, "admin2": 3, "admin1": 4, "region": 4, "country": 5,
            "continent": 6}


def mark_relations(text: str, mentions: Sequence[Mention], is_region: Callable[[Mention], bool],
                   kind_of: Callable[[Mention], str]) -> list[Mention]:
    """Mark "Place, Region" partners, containers and coordinated lists (see the module docstring).

    `is_region(m)`: whether m can be a country or first-level region; `kind_of(m)`: the broadest
    kind m can be ("city", "admin1", ...; "unknown" for names the gazetteer lacks)."""
    out = _mark_partner_containers(text, list(mentions))
    out = _mark_series(text, out, is_region)
    return _mark_within(text, out, kind_of)


def _mark_partner_containers(text: str, out: list[Mention]) -> list[Mention]:
    """The "Region" of "Place, Region" names a container: it gets the cue "container"."""
    for k in range(1, len(out)):
        prev, m = out[k - 1], out[k]
        if not prev.partner or m.cue or m.name != prev.partner or text[prev.end:m.start].strip() != ",":
            continue
        listed_before = k > 1 and SERIES_GAP.fullmatch(text[out[k - 2].end:prev.start])
        gap_after = text[m.end:out[k + 1].start] if k + 1 < len(out) else ""
        listed_after = bool(SERIES_GAP.fullmatch(gap_after))       # "Kherson, Sumy and Odesa" is a list
        if not listed_before and not listed_after:      # "Arizona, California, Colorado" is a list
            out[k] = replace(m, cue="container")
    return out


def _mark_series(text: str, mentions: list[Mention], is_region) -> list[Mention]:
    """Coordinated lists of places ("Alberta, Manitoba, Ontario and New Brunswick"): three or more
    names joined by commas, or two joined by "and"/"or". Their members tend to be alike (the
    resolver reads that); a "Place, Region" pair is not a list. In a list, a region followed by
    a region ("Georgia, Oklahoma, Pennsylvania") is not a "Place, Region" pair."""
    out = list(mentions)
    # "Vasylivka, Pokrovskyi district, Donetsk oblast": a district or region named with its type word
    # after a comma holds what comes before it; it ends a list
    typed = {m.start for k, m in enumerate(out) if k and m.cue in ("admin1", "admin2")
             and _COMMA.fullmatch(text[out[k - 1].end:m.start]) and out[k - 1].cue != m.cue}
    for first, last in coordinated_runs(text, out, stop=lambda m: m.cue == "container" or m.start in typed):
        size = last - first + 1
        for n in range(first, last + 1):
            partner = out[n].partner if size < 3 or not is_region(out[n]) else ""
            out[n] = replace(out[n], series=out[first].start, partner=partner)
    return out


def coordinated_runs(text: str, items: Sequence, stop=lambda item: False) -> list[tuple[int, int]]:
    """(first, last) indices of the coordinated lists among `items` (anything with start/end, in text
    order): three or more joined by commas, or two or more with "and"/"or" among the joins."""
    runs = []
    k = 0
    while k < len(items):
        end = k
        joined_by_word = False
        while end + 1 < len(items) and not stop(items[end + 1]) \
                and SERIES_GAP.fullmatch(text[items[end].end:items[end + 1].start]):
            joined_by_word |= "," not in text[items[end].end:items[end + 1].start]
            end += 1
        if end - k + 1 >= 3 or (end > k and joined_by_word):
            runs.append((k, end))
        k = end + 1
    return runs


def _mark_within(text: str, out: list[Mention], kind_of) -> list[Mention]:
    """Each mention's containers, innermost first, from the patterns in the module docstring."""
    links: list[list[tuple[int, str]]] = [[] for _ in out]
    for k, m in enumerate(out):
        if k + 1 >= len(out):
            break
        nxt = out[k + 1]
        gap = _gap(text, m, nxt)
        broader = _BREADTH.get(kind_of(nxt), 2) > _BREADTH.get(kind_of(m), 2)
        if _COMMA.fullmatch(gap) and broader and nxt.series < 0 \
                and (nxt.cue == "container" or _admin_like(nxt, kind_of)):
            links[k].append((nxt.start, "in"))
            # "Vasylivka, Pokrovskyi district, Donetsk": the outer container holds the inner one
            if k + 2 < len(out) and _COMMA.fullmatch(text[nxt.end:out[k + 2].start]) \
                    and _BREADTH.get(kind_of(out[k + 2]), 2) > _BREADTH.get(kind_of(nxt), 2):
                links[k].append((out[k + 2].start, "in"))
        elif _BRACKET_OPEN.fullmatch(text[m.end:nxt.start]) and kind_of(m) != "facility" or _OPEN.fullmatch(gap):
            # "Bulo Burto (Hiraan)", "Vasylivka (Pokrovsk district, Donetsk)", "Djibo (Djibo, Soum)",
            # "Mubaarak village (Qoryooley, Lower Shabelle)", "Caad (alias) village (X, Mudug)": every
            # place in the brackets holds it (a district named like its town too; a town there stands
            # for its district: "bracket")
            inner = [nxt]
            while k + len(inner) + 1 < len(out) \
                    and _BRACKET_SEP.fullmatch(text[inner[-1].end:out[k + len(inner) + 1].start]):
                inner.append(out[k + len(inner) + 1])
            described = re.search(r"\s" + _KIND_WORD + r"\s*\($", text[m.end:nxt.start], re.IGNORECASE)
            breadth = 2 if described else _BREADTH.get(kind_of(m), 2)   # "Caad village (...)": a settlement
            tail = text[inner[-1].end:inner[-1].end + 40]
            if _CLOSE.match(tail) or re.match(r"\s+" + _KIND_WORD + r"\s*\)", tail, re.IGNORECASE):
                links[k] += [(c.start, "bracket") for c in inner
                             if _BREADTH.get(kind_of(c), 2) >= breadth or kind_of(c) == "unknown"]
        elif _UNIT_GAP.fullmatch(text[m.end:nxt.start]) and _UNIT_AFTER.match(text, nxt.end) \
                and kind_of(m) != "facility" and nxt.series < 0:
            links[k].append((nxt.start, "bracket"))   # "Kyangin town, Kyangin township (...)", "Songho, X Commune"
        elif _NEAR.fullmatch(gap):
            links[k].append((nxt.start, "near"))
        elif _PART_OF.fullmatch(gap) and broader:
            links[k].append((nxt.start, "in"))
        elif _PART_OF.fullmatch(gap) and _UNIT_AFTER.match(text, nxt.end):
            links[k].append((nxt.start, "bracket"))   # "X village of Y township": Y's town stands for it
        elif _IN.fullmatch(gap) and broader and (kind_of(m) in ("facility", "unknown") or _admin_like(nxt, kind_of)):
            links[k].append((nxt.start, "in"))       # "Kamal Adwan Hospital in Beit Lahia"
        elif _DASH.fullmatch(gap) and kind_of(m) == "city" and kind_of(nxt) in ("unknown", "admin2"):
            links[k + 1].append((m.start, "in"))     # "Donetsk - Kirovskyi": a district of the city
        elif _POSSESSIVE.fullmatch(gap) and kind_of(m) in ("country", "admin1") and not broader:
            links[k + 1].append((m.start, "in"))     # "Libya's Misrata"
    _mark_sentence_frames(text, out, links, kind_of)
    # a container's own containers hold what it contains ("X, Y district" where "Y district, Z")
    by_start = {m.start: n for n, m in enumerate(out)}
    for k in range(len(out)):
        seen = {s for s, _ in links[k]}
        for start, relation in list(links[k]):
            for outer in links[by_start[start]]:
                if outer[0] not in seen and relation in ("in", "bracket"):
                    links[k].append(outer)
                    seen.add(outer[0])
    return [replace(m, within=tuple(links[k])) if links[k] else m for k, m in enumerate(out)]


def _mark_sentence_frames(text: str, out: list[Mention], links: list[list[tuple[int, str]]], kind_of) -> None:
    """"In North Darfur, the camp was shelled and families fled to Tawila": a sentence that opens on a
    region or district holds the names of that sentence the gazetteer lacks (names it knows keep their
    own reading: "In Ukraine, officials welcomed the Paris summit")."""
    frame: Mention | None = None
    for k, m in enumerate(out):
        if frame is not None and _SENTENCE_END.search(text, frame.end, m.start):
            frame = None
        if _OPENS_SENTENCE.search(text[max(0, m.start - 12):m.start]) and _admin_like(m, kind_of) \
                and kind_of(m) != "country" and text[m.end:m.end + 1] == ",":
            frame = m
            continue
        if frame is not None and not links[k] and kind_of(m) == "unknown":
            links[k].append((frame.start, "frame"))     # honoured only where it reads as a region


_OPENS_SENTENCE = re.compile(r"(?:^|[.!?]\s+|\n\s*)In\s+(?:the\s+)?$")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")


def _admin_like(m: Mention, kind_of) -> bool:
    """A region, district or country ("Donetsk", "Pokrovskyi district", "Northern Samar")."""
    return kind_of(m) in ("admin1", "admin2", "country") or m.cue in ("admin1", "admin2")


def _gap(text: str, m: Mention, nxt: Mention | None) -> str:
    """The text between two mentions (to the end of the text when `nxt` is None), without the word
    that made the first one a place ("the Zamzam camp near El Fasher": " near ")."""
    gap = text[m.end:nxt.start if nxt is not None else len(text)]
    return _DESCRIPTOR.sub("", gap) if m.cue in ("city", "facility") else gap

