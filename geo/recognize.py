"""Toponym recognition: every place mention in free text, with its exact character span.

    >>> from geo.gazetteer import PlaceIndex
    >>> from geo.recognize import find_mentions
    >>> [m.name for m in find_mentions("Shelling hit Kramatorsk, in the Donetsk region.", PlaceIndex.load())]
    ['Kramatorsk', 'Donetsk region']

Candidates come from the gazetteer (longest match over capitalised words); context decides which
are places: locative prepositions, type words ("the Luhansk region"), "Place, Region" pairs, titles
and surnames that mark people, and, in the default mode, spaCy's named-entity labels
(see `geo.ner`). Without NER (the fast mode) the same rules run alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from geo.gazetteer import PlaceIndex, normalize_name

# -- words that shape decisions -------------------------------------------------------------------
CONNECTORS = frozenset(
    "of de del della di da do dos das du des la le les los las upon on the and am an der den "
    "y al el sur en bin es ibn ul ur van von zu op aan ter te".split())
TYPE_WORDS = {
    "region": "admin1", "regions": "admin1", "oblast": "admin1", "province": "admin1",
    "state": "admin1", "governorate": "admin1", "prefecture": "admin1", "territory": "admin1",
    "county": "admin2", "parish": "admin2", "district": "admin2", "raion": "admin2",
    "borough": "admin2",
}
# Offices after a name say which level of government it names.
OFFICE_WORDS = {"governor": "admin1", "governor's": "admin1", "legislature": "admin1",
                "mayor": "city", "mayor's": "city"}
CITY_WORDS = frozenset("city cities town towns village villages capital port suburb suburbs "
                       "outskirts settlement settlements hamlet municipality".split())
LOCATIVE = frozenset("in near to from toward towards outside into across around through throughout "
                     "within via between inside beyond visit visited visiting reach reached "
                     "entered leave left north south east west northeast northwest southeast "
                     "southwest at of and or".split())
# "at"/"of"/"and"/"or" only count as cues together with stronger evidence (see _cue).
WEAK_LOCATIVE = frozenset({"at", "of", "and", "or"})
DIRECTIONS = {
    "northern": "north", "southern": "south", "eastern": "east", "western": "west",
    "northeastern": "northeast", "northwestern": "northwest", "southeastern": "southeast",
    "southwestern": "southwest", "central": "centre",
    "north-eastern": "northeast", "north-western": "northwest", "south-eastern": "southeast",
    "south-western": "southwest",
}
TITLES = frozenset(
    "mr mrs ms miss dr president gov governor sen senator rep representative gen general col "
    "colonel lt lieutenant sgt sergeant capt captain rev reverend prof professor judge justice "
    "chief officer deputy minister secretary sir lord lady king queen prince princess pope "
    "mayor spokesman spokeswoman spokesperson correspondent editor coach director chairman "
    "ambassador commander detective trooper sheriff pastor father sister brother st. saint "
    "mister madam ms. mr. mrs. dr. gov. sen. rep. gen. col. lt. sgt. capt. rev. prof. "
    "officer. agent premier chancellor".split())
# Capitalised words that are never places on their own (months, days, pronouns, news words).
STOP = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday today tomorrow yesterday i we you he she it they this that these those there "
    "here a an the his her its our their my your god christmas easter ramadan mass victory "
    "police president minister government army navy university college school hospital church "
    "court news times post press radio tv internet web online january's street road avenue "
    "national international federal republican democrat democratic republic union party "
    "president's man woman men women people family city town state county north south east west "
    "northern southern eastern western central".split()) | frozenset(
    # English function words and frequent sentence openers, capitalised only by position
    "in on at by for with as but or and if so no not all any one some many much more most other "
    "such only own same than too very can will just should now also after before about above "
    "below between into through during over under again further then once both each few nor "
    "off out up down why how what when where which who whom while because until although though "
    "since unless whether yet still even ever never always often here there every neither either "
    "last next first second third new old good great little big long high low early late young "
    "mr mrs ms dr said says say told tells do does did has have had is are was were be been being "
    "let may might must shall would could get got make made take took see saw come came go went "
    "according however meanwhile instead despite among against without within along across "
    "around behind beyond inside outside near toward towards upon per via via de la le el".split())
# Capitalised words after a place name that make an institution, not a person ("Kyiv Post").
INSTITUTION_WORDS = frozenset(
    "department university college school police council city county state government ministry "
    "times post herald tribune news journal airport station metro hospital court police "
    "university's fire sheriff sheriff's office army navy club fc united rangers district "
    "international region regional province public community center centre museum zoo "
    "bank company corporation group airlines radio tv television theatre theater church "
    "cathedral mosque synagogue hotel stadium bridge street road avenue highway river lake "
    "mountains valley bay sea harbor harbour port square park institute agency authority "
    "commission committee board party parliament assembly senate house".split())
NUMERIC_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})
DEMONYM_CONTEXT_BLOCK = frozenset({"language", "languages", "speaking", "speaker", "speakers"})

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:(?:-|['\u2019](?![sS]\b))\w+)*")


@dataclass(frozen=True)
class Mention:
    """A place mention: `text[start:end] == name`."""

    start: int
    end: int
    name: str
    rows: tuple[int, ...]            # gazetteer candidates (empty: recognised but not in the gazetteer)
    cue: str = ""                    # "admin1"/"admin2" (type word), "city", or ""
    direction: str = ""              # "north", ... for "northern Russia"
    demonym: bool = False            # "Ukrainian" standing for Ukraine
    ner_label: str = ""              # the NER label that covered it, "" in the fast mode
    lookup_name: str = ""            # the gazetteer name matched ("Luhansk" for "Luhansk region")
    partner: str = ""                # "Region" of a "Place, Region" pair
    series: int = -1                 # start of the coordinated list ("A, B and C") it is in; -1 none


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    lower: str
    upper: bool        # starts with an uppercase letter
    sentence_start: bool


def tokenize(text: str) -> list[_Token]:
    """Word tokens with the flags recognition needs (a NamedTuple each: this is the hot loop)."""
    tokens: list[_Token] = []
    append = tokens.append
    new = tuple.__new__   # skips NamedTuple's Python-level __new__: this loop runs per word
    prev_end = -1
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        word = m.group()
        if prev_end < 0:
            sentence_start = True
        elif start == prev_end + 1 and text[prev_end] == " ":   # the common case, cheaply
            sentence_start = False
        else:
            sentence_start = text[prev_end:start] != ", " and _ends_sentence(text, prev_end, start)
        append(new(_Token, (start, end, word, word.lower(), word[0].isupper(), sentence_start)))
        prev_end = end
    return tokens


def _ends_sentence(text: str, prev_end: int, start: int) -> bool:
    gap = text[prev_end:start]
    if "\n" in gap:
        return True
    stripped = gap.strip()
    if not stripped:
        return False
    return stripped[0] in ".!?:;" or stripped[-1] in "\u201c\"(['\u2018"


class Recognizer:
    """Finds place mentions; `ner` (optional) is a callable text -> [(start, end, label)]."""

    def __init__(self, index: PlaceIndex, ner=None, *, demonyms: bool = False,
                 keep_unknown: bool = False) -> None:
        self.index = index
        self.ner = ner
        self.demonyms = demonyms
        self.keep_unknown = keep_unknown

    # -- public ----------------------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        tokens = tokenize(text)
        candidates = self._candidates(text, tokens)
        entities = self._entities(text, tokens, candidates) if self.ner else []
        labels = _label_spans(entities)
        person_words = _person_words(text, entities)
        accepted: list[Mention] = []
        for cand in candidates:
            decision = self._decide(text, tokens, cand, labels, person_words)
            if decision is not None:
                accepted.append(decision)
        if self.ner and self.keep_unknown:
            accepted += self._unknown_places(text, entities, accepted)
        accepted.sort(key=lambda m: m.start)
        return _mark_series(text, _mark_containers(text, _drop_overlaps(accepted)), self._is_region)

    def _is_region(self, mention: Mention) -> bool:
        """Whether a name can be a country or first-level region itself."""
        return any(self.index.kind(r) in ("admin1", "country") for r in mention.rows)

    def _entities(self, text: str, tokens: Sequence[_Token], candidates: list[dict]):
        """NER over the sentences where it can change a decision (NER is the slow part): those
        holding a candidate that is not a well-known name standing alone, or a capitalised word
        the gazetteer does not know (a possible place it lacks)."""
        windows = []
        for start, end in _sentence_windows(text):
            inside = [c for c in candidates if start <= c["start"] < end]
            if any(not self._settled_without_ner(tokens, c) for c in inside) \
                    or self.keep_unknown and _has_unknown_capital(tokens, start, end, inside):
                windows.append((start, end))
        return self.ner.spans(text, windows) if windows else []

    def _settled_without_ner(self, tokens, cand) -> bool:
        i, j = cand["i"], cand["j"]
        if cand.get("demonym") or self._strength(cand["rows"], cand.get("alternates", frozenset())) < 2:
            return False
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        glued_before = prev is not None and prev.upper and not tokens[i].sentence_start
        glued_after = nxt is not None and nxt.upper and nxt.start - tokens[j].end <= 1
        return not glued_before and not glued_after

    # -- candidates ------------------------------------------------------------------------------
    def _candidates(self, text: str, tokens: Sequence[_Token]) -> list[dict]:
        index = self.index
        out: list[dict] = []
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            match = self._longest(text, tokens, i) if tok.upper and self._may_start_name(text, tok) else None
            if match is None:
                if self.demonyms and tok.upper and tok.lower in index.demonyms:
                    out.append({"i": i, "j": i, "start": tok.start, "end": tok.end,
                                "rows": (index.demonyms[tok.lower],), "demonym": True,
                                "name": tok.text})
                i += 1
                continue
            j, end, rows, alternates = match
            out.append({"i": i, "j": j, "start": tok.start, "end": end, "rows": rows,
                        "alternates": alternates, "name": text[tok.start:end]})
            i = j + 1
        return out

    def _may_start_name(self, text: str, tok: _Token) -> bool:
        index, key = self.index, tok.lower
        if key in index.first_words or key in index.keys:
            return True
        if _possessive_after(text, tok.end) and key + "'s" in index.first_words:
            return True
        return text[tok.end:tok.end + 1] == "." and index.has_primary_name(key + ".")   # "Ga."

    def _longest(self, text: str, tokens: Sequence[_Token], i: int):
        index = self.index
        first = tokens[i]
        span_max = index.first_words.get(first.lower, 1)
        if _possessive_after(text, first.end):      # "People's": one word in the index, two tokens
            span_max = max(span_max, index.first_words.get(first.lower + "'s", 0) + 1)
        best = None
        j = i
        while j < len(tokens) and j - i < span_max:
            tok = tokens[j]
            if j > i:
                gap = text[tokens[j - 1].end:tok.start]
                possessive = tok.lower == "s" and gap in ("'", "\u2019")     # "People's Republic of ..."
                if "\n" in gap or len(gap) > 3 or (gap.strip() and gap.strip() not in ",.-" and not possessive):
                    break
                if not tok.upper and tok.lower not in CONNECTORS and not _ELIDED.match(tok.text) \
                        and not possessive:
                    break
            if tok.upper or j == i or _ELIDED.match(tok.text):
                end = tok.end
                hit = None
                if end < len(text) and text[end] == ".":   # "Kan." is Kansas, not the town Kan
                    key = normalize_name(text[first.start:end + 1])
                    if index.has_primary_name(key):
                        hit = key
                        end += 1
                span = text[first.start:end]
                if hit is None:
                    key = normalize_name(span)
                    hit = key if index.has_name(key) else None
                alt_only = hit is not None and not index.has_primary_name(key)
                if hit is not None and span.isupper() and _is_acronym(span) and key not in index.acronyms \
                        and not _capitalised_dateline(text, tokens, i, j):
                    hit = None  # "NATO" is not the town of Nato
                if hit is not None and alt_only and len(key) <= 3:
                    hit = None  # very short alternate names ("In", "Ob") are mostly noise
                if hit is not None:
                    flagged = index.flagged_key(key)
                    best = (j, end, tuple(r for r, _ in flagged), frozenset(r for r, a in flagged if a))
            j += 1
        return best

    # -- decisions -------------------------------------------------------------------------------
    def _decide(self, text, tokens, cand, labels, person_words) -> Mention | None:
        index = self.index
        i, j = cand["i"], cand["j"]
        start, end, rows = cand["start"], cand["end"], cand["rows"]
        name = cand["name"]
        label, ent_start, ent_end = _label_at(labels, start, end)
        if cand.get("demonym"):
            nxt = tokens[j + 1].lower if j + 1 < len(tokens) else ""
            if nxt in DEMONYM_CONTEXT_BLOCK or label in ("PERSON", "ORG", "LANGUAGE"):
                return None
            return Mention(start, end, name, rows, demonym=True, ner_label=label, lookup_name=name)
        if i == j and tokens[i].lower in STOP:
            return None
        kinds = {index.kind(r) for r in rows}
        strength = self._strength(rows, cand.get("alternates", frozenset()))
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        first = tokens[i]

        # type word after the name: "the Luhansk region", "Rapides Parish" (if not a name already)
        cue = ""
        if nxt is not None and nxt.lower in TYPE_WORDS and text[end:nxt.start].strip() == "":
            wanted = TYPE_WORDS[nxt.lower]
            if wanted in kinds or (wanted == "admin1" and kinds & {"city", "region"}):
                cue = wanted
                end = nxt.end
        if not cue and nxt is not None and nxt.lower in OFFICE_WORDS and text[end:nxt.start] == " ":
            wanted = OFFICE_WORDS[nxt.lower]                # "the New York governor", "the Paris mayor"
            if wanted in kinds:
                cue = wanted
        if not cue and prev is not None and prev.lower == "of" and i > 1 and tokens[i - 2].lower in TYPE_WORDS:
            wanted = TYPE_WORDS[tokens[i - 2].lower]       # "the state of Washington"
            if wanted in kinds or (wanted == "admin1" and kinds & {"city", "region"}):
                cue = wanted
        if not cue and prev is not None and prev.lower in CITY_WORDS | {"of"}:
            before = tokens[i - 2].lower if i > 1 else ""
            if prev.lower in CITY_WORDS or before in CITY_WORDS:
                cue = "city"
        partner = self._partner(text, tokens, j if end == cand["end"] else j + 1)

        direction = ""
        if prev is not None and prev.lower in DIRECTIONS and text[prev.end:start].strip() == "":
            direction = DIRECTIONS[prev.lower]

        # vetoes and acceptances
        if label in NUMERIC_LABELS:
            return None
        person_context = self._person_context(tokens, i, j, person_words, strength)
        evidence = bool(cue or partner or self._locative(tokens, i))
        whole = ent_start >= start - 4 and ent_end <= cand["end"]
        at_head = start - 4 <= ent_start <= start and ent_end > cand["end"]
        after_of = prev is not None and prev.lower == "of" and ent_start < start
        if label in ("GPE", "LOC", "FAC"):
            # a known name inside a longer place name the gazetteer lacks ("Abu" of "Abu Shok")
            # is not that place, unless it is a well-known one ("Paris" of "Paris suburbs")
            partial = ent_start < start - 4 or ent_end > cand["end"]
            accept = not (person_context and strength < 2) and (not partial or strength >= 2 or cue)
        elif label == "PERSON":
            accept = whole and name.lower() not in person_words and (strength >= 2 or evidence)
        elif label:
            # ORG, NORP, PRODUCT, ...: the place itself mislabelled, or a place naming an
            # organisation ("the Texas Department of ...", "Alexandria police", "University of X")
            if whole:
                accept = strength >= 1 or evidence
            elif at_head:
                accept = strength >= 1 and not first.sentence_start or strength >= 2
            elif after_of:
                accept = strength >= 2
            else:
                accept = False
        elif self.ner is not None:
            accept = not person_context and (
                strength >= 2 or evidence or (strength == 1 and not first.sentence_start))
        else:
            accept = not person_context and not self._glued_to_name(tokens, i, j, strength) and (
                strength >= 2 or evidence or (strength == 1 and not first.sentence_start))
        if not accept:
            return None
        if direction:
            start = prev.start
        return Mention(start, end, text[start:end], rows, cue=cue, direction=direction,
                       ner_label=label, lookup_name=text[cand["start"]:cand["end"]], partner=partner)

    def _strength(self, rows: Sequence[int], alternates: frozenset[int]) -> int:
        """2: well-known (country, first-level region, continent, curated, big town); 1: a town
        of some size; 0: small places and names that are only alternate names."""
        kinds, population, names = self.index.kinds, self.index.population, self.index.name_of
        best = 0
        for r in rows:
            kind = kinds[r]
            pop = int(population[r])
            alt = r in alternates
            if kind in ("country", "continent", "region", "island", "peninsula", "water",
                        "mountain", "facility", "area") or kind == "admin1":
                best = max(best, 2 if not alt else 1)
            elif kind == "admin2" and not alt:
                best = max(best, 2 if " " in names[r] else 1)
            elif kind == "city":
                if pop >= 100_000 and (not alt or pop >= 1_000_000):
                    best = max(best, 2)
                elif pop >= 15_000 and not alt or pop >= 100_000:
                    best = max(best, 1)
        return best

    def _person_context(self, tokens, i, j, person_words, strength) -> bool:
        """A title before the name, a first name glued before a weak name, or a known surname."""
        prev = tokens[i - 1] if i > 0 else None
        if prev is not None and prev.lower.rstrip(".") in TITLES and prev.upper:
            return True
        if prev is not None and prev.upper and not tokens[i].sentence_start \
                and prev.lower not in CONNECTORS and prev.lower not in DIRECTIONS \
                and prev.end + 1 >= tokens[i].start and prev.lower not in STOP:
            return strength < 2     # "Peter Smith": a capitalised word glued before a weak name
        name = " ".join(t.lower for t in tokens[i:j + 1])
        return name in person_words

    def _glued_to_name(self, tokens, i, j, strength) -> bool:
        """Without NER: a name followed by another capitalised word that makes it a person's
        ("Jackson Pollock", "Vladimir Putin"). Countries and first-level regions are exempt
        ("Texas Rangers" still names Texas), as are words naming an institution or a role."""
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt is None or not nxt.upper or nxt.start - tokens[j].end > 1 or nxt.lower in TYPE_WORDS:
            return False
        if strength < 2:
            return True
        kinds = {self.index.kinds[r] for r in self._rows_of(tokens, i, j)}
        return not kinds & {"country", "admin1", "continent"} and nxt.lower not in INSTITUTION_WORDS \
            and nxt.lower.rstrip(".") not in TITLES and not self.index.has_name(nxt.lower)

    def _rows_of(self, tokens, i, j) -> tuple[int, ...]:
        key = normalize_name(" ".join(t.text for t in tokens[i:j + 1]))
        return tuple(r for r, _ in self.index.flagged_key(key))

    def _locative(self, tokens, i) -> bool:
        k = i - 1
        while k >= 0 and tokens[k].lower in ("the",):
            k -= 1
        if k < 0:
            return False
        word = tokens[k].lower
        if word in LOCATIVE and word not in WEAK_LOCATIVE:
            return True
        if word in ("and", "or") and k > 0 and tokens[k - 1].upper:
            return False  # coordination decided by the resolver's neighbours, not here
        return False

    def _partner(self, text, tokens, j) -> str:
        """The "Region" of "Place, Region" when Region is a first-level region or country."""
        if j + 1 >= len(tokens):
            return ""
        gap = text[tokens[j].end:tokens[j + 1].start]
        if gap.strip() != ",":
            return ""
        nxt = tokens[j + 1]
        if not nxt.upper:
            return ""
        match = self._longest(text, tokens, j + 1)
        if match is None:
            return ""
        _k, end, rows, _alternates = match
        if any(self.index.kind(r) in ("admin1", "country") for r in rows):
            return text[nxt.start:end]
        return ""

    def _unknown_places(self, text, entities, accepted) -> list[Mention]:
        """NER places the gazetteer lacks: kept as unresolved mentions."""
        out = []
        taken = [(m.start, m.end) for m in accepted]
        for start, end, label in entities:
            if label not in ("GPE", "LOC", "FAC"):
                continue
            span = text[start:end]
            if span.lower().startswith("the "):
                start += 4
                span = text[start:end]
            if span.lower().startswith(("pro-", "anti-", "ex-", "non-")):
                start += span.index("-") + 1
                span = text[start:end]
            if not span[:1].isupper() or any(s < end and start < e for s, e in taken):
                continue
            key = normalize_name(span)
            if key in self.index.demonyms or key.rstrip("s") in self.index.demonyms:
                if self.demonyms:
                    row = self.index.demonyms.get(key, self.index.demonyms.get(key.rstrip("s")))
                    out.append(Mention(start, end, span, (row,), demonym=True, ner_label=label,
                                       lookup_name=span))
                continue
            if label == "FAC":
                continue  # buildings and streets: below what a gazetteer can place
            rows = self.index.lookup(span)
            if _is_acronym(span) and key not in self.index.acronyms and len(span) < 4:
                rows = ()
            out.append(Mention(start, end, span, rows, ner_label=label, lookup_name=span))
        return out


def _possessive_after(text: str, end: int) -> bool:
    return text[end:end + 2] in ("'s", "\u2019s")


# "Côte d'Ivoire", "Bab el-Oued", "Ras al-Khaimah": an article glued to a capitalised word
_ELIDED = re.compile(r"^(?:[dl]['\u2019]|(?:a[lrsntdz]|e[lsnrd]|ash|ul)-)[A-Z]")


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|\n|$)")


def _sentence_windows(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (context enough for NER); short pieces are merged forward."""
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if not m.group().strip():
            continue
        if out and (m.start() - out[-1][0] < 40 or out[-1][1] - out[-1][0] < 40):
            out[-1] = (out[-1][0], m.end())
        else:
            out.append((m.start(), m.end()))
    return out


def _has_unknown_capital(tokens: Sequence[_Token], start: int, end: int, inside: list[dict]) -> bool:
    """A capitalised word, not sentence-initial, that no candidate covers."""
    covered = {k for c in inside for k in range(c["i"], c["j"] + 1)}
    for k, tok in enumerate(tokens):
        if tok.start >= end:
            break
        if tok.start >= start and tok.upper and not tok.sentence_start and k not in covered \
                and tok.lower not in STOP and tok.lower not in TITLES:
            return True
    return False


def _capitalised_dateline(text: str, tokens: Sequence[_Token], i: int, j: int) -> bool:
    """An all-capitals name opening a line or sentence ("CHARLESTON, W.Va. —"): a dateline."""
    letters = sum(ch.isalpha() for ch in text[tokens[i].start:tokens[j].end])
    return letters >= 4 and tokens[i].sentence_start


def _is_acronym(span: str) -> bool:
    letters = [ch for ch in span if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _label_spans(entities):
    return sorted(entities)


def _label_at(labels, start, end) -> tuple[str, int, int]:
    for s, e, label in labels:
        if s < end and start < e:
            return label, s, e
        if s >= end:
            break
    return "", start, end


def _person_words(text: str, entities) -> set[str]:
    """Words that are part of multi-word person names in this text ("putin" of "Vladimir Putin")."""
    words: set[str] = set()
    for s, e, label in entities:
        if label == "PERSON":
            parts = text[s:e].split()
            if len(parts) > 1:
                words.update(normalize_name(p) for p in parts)
    return words


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if out and m.start < out[-1].end:
            if (m.end - m.start) > (out[-1].end - out[-1].start):
                out[-1] = m
            continue
        out.append(m)
    return out


_SERIES_GAP = re.compile(r"\s*,\s*(?:the\s+)?|\s*,?\s+(?:and|or)\s+(?:the\s+)?")


def _mark_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """The "Region" of "Place, Region" names a container: it gets the cue "container"."""
    out = list(mentions)
    for k in range(1, len(out)):
        prev, m = out[k - 1], out[k]
        if not prev.partner or m.cue or m.name != prev.partner or text[prev.end:m.start].strip() != ",":
            continue
        listed_before = k > 1 and _SERIES_GAP.fullmatch(text[out[k - 2].end:prev.start])
        gap_after = text[m.end:out[k + 1].start] if k + 1 < len(out) else ""
        listed_after = "," in gap_after and bool(_SERIES_GAP.fullmatch(gap_after))
        if not listed_before and not listed_after:      # "Arizona, California, Colorado" is a list
            out[k] = replace(m, cue="container")
    return out


def _mark_series(text: str, mentions: list[Mention], is_region) -> list[Mention]:
    """Coordinated lists of places ("Alberta, Manitoba, Ontario and New Brunswick"): three or more
    names joined by commas, or two joined by "and"/"or". Their members tend to be alike (the
    resolver reads that); a "Place, Region" pair is not a list. In a list, a region followed by
    a region ("Georgia, Oklahoma, Pennsylvania") is not a "Place, Region" pair."""
    out = list(mentions)
    k = 0
    while k < len(out):
        end = k
        joined_by_word = False
        while end + 1 < len(out) and out[end + 1].cue != "container" \
                and _SERIES_GAP.fullmatch(text[out[end].end:out[end + 1].start]):
            joined_by_word |= "," not in text[out[end].end:out[end + 1].start]
            end += 1
        size = end - k + 1
        if size >= 3 or (size == 2 and joined_by_word):
            for n in range(k, end + 1):
                partner = out[n].partner if size < 3 or not is_region(out[n]) else ""
                out[n] = replace(out[n], series=out[k].start, partner=partner)
        k = end + 1
    return out


def find_mentions(text: str, index: PlaceIndex, ner=None, **options) -> list[Mention]:
    """Place mentions in `text`, in order; see `Recognizer` for the options."""
    return Recognizer(index, ner, **options).find(text)
