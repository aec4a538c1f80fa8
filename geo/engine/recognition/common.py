"""What recognition's rule families share: the text being read, the kinds' breadth, the
small word tests and span helpers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from geo.engine.cues import (
    CAMP_WORDS,
    FACILITY_MODIFIERS,
    FACILITY_WORDS,
    GENERIC_NAME_WORDS,
    INSTITUTION_WORDS,
    NEAR_PREPOSITIONS,
    ORGANISATION_WORDS,
    PASSIVE_PLACE_VERBS,
    PLACE_PREPOSITIONS,
    PLACE_VERBS,
    SETTLEMENT_WORDS,
    SPEECH_VERBS,
    STOP,
    TITLES,
    TYPE_WORDS,
    WEAK_PREPOSITIONS,
)
from geo.engine.mention import Mention
from geo.engine.tokens import Token
from geo.gazetteer import normalize_name

NEGATIVE = -1


# How broad each kind is (containers must be broader than what they contain; see geo.engine.relations).
_KIND_BREADTH = {"facility": 0, "island": 0, "water": 0, "mountain": 0, "peninsula": 0, "area": 0,
                 "city": 2, "admin2": 3, "region": 4, "admin1": 4, "country": 5, "continent": 6}


@dataclass
class _Text:
    """One text being read: its tokens, NER labels and the lines written in title case."""

    text: str
    tokens: list[Token]
    headline: frozenset[int]          # tokens on lines written in title case (capitals tell nothing)
    labels: list[tuple[int, int, str]]
    label_starts: list[int]
    person_words: set[str]
    person_spans: list[tuple[int, int, frozenset[str]]]
    token_starts: list[int] = field(default_factory=list)
    placed: set[tuple[int, int]] = field(default_factory=set)   # spans already taken for places
    _people_by_word: dict[str, list[tuple[int, int, frozenset[str]]]] | None = None

    def personal(self, tokens: Sequence[Token], i: int, j: int) -> bool:
        """A title before tokens i..j, or one of their words in a person's name elsewhere in the text
        ("Putin" after "Vladimir Putin"); the NER span over these very tokens does not count, nor one
        already taken for a place ("KHAN YOUNIS, Gaza Strip" tagged as a person)."""
        if i > 0 and tokens[i - 1].upper and tokens[i - 1].lower.rstrip(".") in TITLES:
            return True
        if self._people_by_word is None:
            self._people_by_word = {}
            for s, e, names in self.person_spans:
                for word in names:
                    self._people_by_word.setdefault(word, []).append((s, e, names))
        start, end = tokens[i].start, tokens[j].end
        own = frozenset(normalize_name(t.text) for t in tokens[i:j + 1])
        # the same name tagged as a person elsewhere is no more evidence than the tag here
        return any((s >= end or e <= start) and (s, e) not in self.placed and names != own
                   for t in tokens[i:j + 1] for s, e, names in self._people_by_word.get(t.lower, ()))

    def label_at(self, start: int, end: int) -> tuple[str, int, int]:
        """The first NER entity overlapping [start, end), as (label, start, end); ("", start, end) if none."""
        labels = self.labels
        for k in range(max(0, bisect.bisect_left(self.label_starts, start) - 1), len(labels)):
            s, e, label = labels[k]
            if s < end and start < e:
                return label, s, e
            if s >= end:
                break
        return "", start, end


class _Item(NamedTuple):
    start: int
    end: int
    mention: Mention | None
    item: dict | None


def _item_of(mention: Mention, starts: Sequence[int]) -> dict:
    """Token indices of an accepted mention (for reading the words around it); `starts` are the
    tokens' start offsets."""
    i = bisect.bisect_left(starts, mention.start)
    j = max(i, bisect.bisect_left(starts, mention.end) - 1)
    return {"i": i, "j": j}


def _after_preposition(tokens: Sequence[Token], i: int) -> bool:
    """Whether token i follows a preposition of place ("in", "near", "outside"; "the" skipped)."""
    k = i - 1
    while k >= 0 and tokens[k].lower == "the":
        k -= 1
    return k >= 0 and (tokens[k].lower in PLACE_PREPOSITIONS or tokens[k].lower in NEAR_PREPOSITIONS) \
        and tokens[k].lower not in PLACE_VERBS


def _parts_of_longer_names(tokens: Sequence[Token], candidates: list[dict], phrases: list[dict]) -> set[int]:
    """The ids of the gazetteer candidates that are only part of a longer capitalised name the
    gazetteer does not hold ("Mala" of "Mala Kostromka", "Shakhta" of "Shakhta imeni Gagarina", "Bo"
    of "Bo Kone"): a name is read whole, its known part never stands for it. Facilities, organisations
    and names trimmed to the part itself are not such names."""
    spans = sorted((p["i"], p["j"]) for p in phrases if not p["org"] and not p["facility"] and p["j"] > p["i"]
                   and not any(_generic(tokens[k]) for k in range(p["i"], p["j"] + 2) if k < len(tokens)))
    if not spans:
        return set()
    starts = [s for s, _ in spans]
    out = set()
    for c in candidates:
        k = bisect.bisect_right(starts, c["i"]) - 1
        if k >= 0 and spans[k][0] <= c["i"] and c["j"] <= spans[k][1] and (c["i"], c["j"]) != spans[k]:
            out.add(id(c))
    return out


def _generic(tok: Token) -> bool:
    """An English word that names what a place's name is given to ("Schools", "Drive", "Chamber")."""
    w = tok.lower
    return w in GENERIC_NAME_WORDS or w in INSTITUTION_WORDS or w in ORGANISATION_WORDS or w in FACILITY_WORDS \
        or w.rstrip(".") in TITLES or w.endswith("'s")


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the sorted, non-overlapping spans."""
    k = bisect.bisect_right(spans, (start, float("inf")))
    return (k > 0 and spans[k - 1][1] > start) or (k < len(spans) and spans[k][0] < end)


def _may_be_name_word(tok: Token) -> bool:
    """On a title-case line: whether a word may belong to a name (type and facility words may: the
    phrase reads them)."""
    w = tok.lower
    if w in FACILITY_WORDS or w in SETTLEMENT_WORDS or w in CAMP_WORDS or w in TYPE_WORDS:
        return True
    return tok.upper and tok.text[0].isalpha() and w not in STOP and w not in PLACE_PREPOSITIONS \
        and w not in WEAK_PREPOSITIONS and w not in SPEECH_VERBS and w not in PLACE_VERBS


# ", near Kupiansk", ", south of Bakhmut", ", 10 km from Kherson": a place placed by another
_NEAR_AFTER = re.compile(r"((?:about |some )?(?:\d+ ?(?:km|kilometres|kilometers|miles) )?(?:(?:north|south|east|west|"
                         r"northeast|northwest|southeast|southwest)(?:ern)? of|near|outside|close to|from) "
                         r"(?:the )?[A-Z]\w+(?: [A-Z]\w+)*)")


_FEATURE_KINDS = frozenset({"water", "region", "peninsula", "mountain", "island", "area"})


_REGION_KINDS = frozenset({"admin1", "admin2"})


_HEAD_WORDS = FACILITY_WORDS | SETTLEMENT_WORDS | CAMP_WORDS | ORGANISATION_WORDS | frozenset(TYPE_WORDS)


def _facility_word(text: str, tokens: Sequence[Token], j: int, capitalised: bool = False) -> int:
    """The token of the facility word that follows token j, over at most three modifiers ("Kadugli
    Airport", "Zaporizhzhia nuclear power plant"; with `capitalised`, any capitalised words:
    "Huntsville Memorial Hospital"), or -1 when none follows."""
    k = j + 1
    while k < len(tokens) and k - j <= 3 and tokens[k].lower not in FACILITY_WORDS \
            and text[tokens[k - 1].end:tokens[k].start] == " " \
            and (tokens[k].lower in FACILITY_MODIFIERS or (capitalised and tokens[k].upper)):
        k += 1
    if k < len(tokens) and tokens[k].lower in FACILITY_WORDS and text[tokens[k - 1].end:tokens[k].start] == " ":
        return k
    return -1


def _passive_place_verb(tokens: Sequence[Token], k: int) -> str:
    """The place verb of "was (heavily) shelled", "came under fire" starting at token k, or ""."""
    for n in range(k, min(k + 3, len(tokens))):
        w = tokens[n].lower
        if w in PASSIVE_PLACE_VERBS or w == "under":
            return tokens[n].text
        if not (w.endswith("ly") or w in ("again", "also", "been", "being", "once", "twice")):
            return ""
    return ""


def _run_end(text: str, tokens: Sequence[Token], j: int) -> int:
    """The end of the run of capitalised words that token j is in ("Wagner" -> "Wagner Group")."""
    while j + 1 < len(tokens) and tokens[j + 1].upper and text[tokens[j].end:tokens[j + 1].start] == " ":
        j += 1
    return tokens[j].end


def _possessive_after(text: str, end: int) -> bool:
    return text[end:end + 2] in ("'s", "\u2019s")


# "Côte d'Ivoire", "Bab el-Oued", "Ras al-Khaimah": an article glued to a capitalised word
_ELIDED = re.compile(r"^(?:[dl]['\u2019]|(?:a[lrsntdz]|e[lsnrd]|ash|ul)-)[A-Z]")


def _capitalised_dateline(text: str, tokens: Sequence[Token], i: int, j: int) -> bool:
    """An all-capitals name opening a line or sentence ("CHARLESTON, W.Va. —"): a dateline."""
    letters = sum(ch.isalpha() for ch in text[tokens[i].start:tokens[j].end])
    return letters >= 4 and tokens[i].sentence_start


def _is_acronym(span: str) -> bool:
    letters = [ch for ch in span if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if out and m.start < out[-1].end:
            if (m.end - m.start) > (out[-1].end - out[-1].start):
                out[-1] = m
            continue
        out.append(m)
    return out
