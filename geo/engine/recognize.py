"""Toponym recognition: every place mention in free text, with its exact character span.

    >>> from geo.gazetteer import PlaceIndex
    >>> from geo.engine.recognize import find_mentions
    >>> [m.name for m in find_mentions("Shelling hit Kramatorsk, in the Donetsk region.", PlaceIndex.load())]
    ['Kramatorsk', 'Donetsk region']

Candidates come from the gazetteer (longest match over capitalised words) and from capitalised names
the gazetteer lacks; context decides which are places (see `geo.engine.cues`): prepositions and verbs of
place ("near X", "shelled X", "X was shelled"), type words ("the Luhansk region", "Stepanivka
village"), containers ("X, Donetsk"), lists whose other members are places, titles and surnames that
mark people, organisations, and, in the default mode, spaCy's named-entity labels (see `geo.engine.ner`).
Without NER (the fast mode) the same rules run alone. How the mentions relate (containers, lists)
is marked by `geo.engine.relations`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from geo.engine.components import checked
from geo.engine.cues import (
    BE_WORDS,
    CAMP_WORDS,
    CITY_WORDS,
    CONNECTORS,
    DEMONYM_CONTEXT_BLOCK,
    DIRECTIONS,
    EVENT_WORDS,
    FACILITY_MODIFIERS,
    FACILITY_WORDS,
    GENERIC_NAME_WORDS,
    INSTITUTION_WORDS,
    LOCATIVE,
    MEDIUM,
    MOTION_VERBS,
    NAME_PARTICLES,
    NEAR_PREPOSITIONS,
    NONE,
    NUMERIC_LABELS,
    OFFICE_WORDS,
    ORGANISATION_WORDS,
    PASSIVE_PLACE_VERBS,
    PLACE_NOUNS_OF,
    PLACE_NOUNS_ON,
    PLACE_PREPOSITIONS,
    PLACE_VERBS,
    SETTLEMENT_PREFIXES,
    SETTLEMENT_WORDS,
    SPEECH_VERBS,
    STOP,
    STRONG,
    TITLES,
    TYPE_WORDS,
    WEAK,
    WEAK_LOCATIVE,
    WEAK_PREPOSITIONS,
    is_organisation,
)
from geo.engine.mention import Mention
from geo.engine.relations import coordinated_runs, mark_relations
from geo.engine.story import is_actor
from geo.engine.tokens import Token, headline_tokens, sentence_windows, tokenize  # noqa: F401 (tokenize re-exported)
from geo.gazetteer import PlaceIndex, Progress, normalize_name

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


class Recognizer:
    """Finds place mentions; `ner` (optional) has `spans(text, windows) -> [(start, end, label)]`."""

    def __init__(self, index: PlaceIndex, ner=None, *, demonyms: bool = False,
                 without: Iterable[str] = ()) -> None:
        self.index = index
        self.ner = ner
        self.demonyms = demonyms
        self.without = checked(without)     # rule families switched off (see geo.engine.components)

    # -- public ----------------------------------------------------------------------------------
    def find(self, text: str, progress: Progress | None = None) -> list[Mention]:
        """The place mentions of `text`, in order; `progress(stage, fraction)` hears how far it got
        (the NER, when it runs, takes most of the time: fractions 0.2 to 0.9)."""
        say = progress or (lambda stage, fraction: None)
        say("reading the words", 0.0)
        tokens = tokenize(text)
        headline = headline_tokens(text, tokens)
        say("looking names up in the gazetteer", 0.1)
        candidates = self._candidates(text, tokens)
        phrases = self._phrases(text, tokens, candidates, headline) if "phrases" not in self.without else []
        entities = []
        if self.ner:
            def ner_progress(done: int, total: int) -> None:
                say(f"named-entity recognition: {done:,} of {total:,} sentences", 0.2 + 0.7 * done / total)

            entities = sorted(self._entities(text, tokens, candidates, phrases, ner_progress))
        say("deciding which names are places", 0.9)
        # a title-case line's reading never vetoes the body's: its "people" are no evidence
        on_headline = {tokens[k].start for k in headline}
        people = [(s, e, frozenset(normalize_name(w) for w in text[s:e].split()))
                  for s, e, label in entities if label == "PERSON" and len(text[s:e].split()) > 1
                  and s not in on_headline]
        doc = _Text(text, tokens, headline, entities, [s for s, _, _ in entities],
                    set().union(*(names for _, _, names in people)), people, [t.start for t in tokens])
        accepted: list[Mention] = []
        parts = _parts_of_longer_names(tokens, candidates, phrases) if "names_whole" not in self.without else set()
        for cand in candidates:
            if id(cand) in parts and self._strength(cand["rows"], cand.get("alternates", frozenset())) < 2:
                cand["mention"] = None      # "Mala" of "Mala Kostromka": the whole is the name (see _phrase)
                continue
            cand["mention"] = self._decide(doc, cand)
            if cand["mention"] is not None:
                accepted.append(cand["mention"])
                doc.placed.add((cand["mention"].start, cand["mention"].end))
        if headline:        # a headline's name that the body reads as a place is that place
            body = {normalize_name(m.name) for m in accepted if m.cue != "facility"}
            for cand in candidates:
                if cand["mention"] is None and cand["i"] in headline and not cand.get("demonym") \
                        and id(cand) not in parts and normalize_name(cand["name"]) in body:
                    cand["mention"] = Mention(cand["start"], cand["end"], cand["name"], cand["rows"],
                                              lookup_name=cand["name"], evidence="named in the body")
                    accepted.append(cand["mention"])
                    doc.placed.add((cand["start"], cand["end"]))
        for phrase in phrases:
            phrase["mention"] = self._decide_phrase(doc, phrase)
            if phrase["mention"] is not None:
                accepted.append(phrase["mention"])
                doc.placed.add((phrase["mention"].start, phrase["mention"].end))
        if self.ner and "unknown_places" not in self.without:
            accepted += self._unknown_places(doc, accepted)
        accepted = _drop_overlaps(sorted(accepted, key=lambda m: (m.start, -m.end)))
        if "lists" not in self.without:
            accepted = self._complete_lists(doc, accepted, candidates + phrases)
        if "relations" in self.without:
            return accepted
        return mark_relations(text, accepted, self._is_region, self.kind_of)

    def _is_region(self, mention: Mention) -> bool:
        """Whether a name can be a country or first-level region itself."""
        return any(self.index.kind(r) in ("admin1", "country") for r in mention.rows)

    def kind_of(self, mention: Mention) -> str:
        """The broadest kind a mention can be: "admin1", "city", ...; "facility" for a facility,
        "unknown" for a name the gazetteer lacks (see geo.engine.relations)."""
        if mention.cue in ("admin1", "admin2", "facility", "city"):
            return mention.cue
        kinds = self.index.kinds
        if mention.rows and not mention.demonym:
            return max((kinds[r] for r in mention.rows), key=lambda k: _KIND_BREADTH.get(k, 2))
        return "unknown"

    def _entities(self, text: str, tokens: Sequence[Token], candidates: list[dict], phrases: list[dict],
                  progress: Callable[[int, int], None] | None = None):
        """NER over the sentences where it can change a decision (NER is the slow part): those
        holding a candidate that is not a well-known name standing alone, or a capitalised name
        the gazetteer lacks whose context leaves it open."""
        starts = sorted([c["start"] for c in candidates if not self._settled_without_ner(tokens, c)]
                        + [p["start"] for p in phrases if WEAK <= p["level"] < STRONG and not p["org"]])
        windows = []
        k = 0
        for start, end in sentence_windows(text):
            while k < len(starts) and starts[k] < start:
                k += 1
            if k < len(starts) and starts[k] < end:
                windows.append((start, end))
        return self.ner.spans(text, windows, progress) if windows else []

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
    def _candidates(self, text: str, tokens: Sequence[Token]) -> list[dict]:
        index = self.index
        out: list[dict] = []
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            match = self._longest(text, tokens, i) if tok.upper and self._may_start_name(text, tok) else None
            if match is None and tok.lower in DIRECTIONS and i + 1 < n and tokens[i + 1].upper \
                    and tok.lower in index.first_words:
                match = self._longest(text, tokens, i)       # "eastern Ghouta": an area named with its direction
                if match is not None and match[0] == i:
                    match = None
            if match is None:
                if self.demonyms and tok.upper and tok.lower in index.demonyms:
                    out.append({"i": i, "j": i, "start": tok.start, "end": tok.end,
                                "rows": (index.demonyms[tok.lower],), "demonym": True,
                                "name": tok.text})
                i += 1
                continue
            j, end, rows, alternates = match
            if all(index.kinds[r] in _REGION_KINDS for r in rows):
                # a region's name spelled as its seat is also spelled ("Deir al-Balah" names the
                # governorate; the town is "Deir el-Balah"): the town is a candidate too
                towns = tuple(r for r in index.spelling_rows(text[tok.start:end])
                              if index.kinds[r] == "city" and r not in rows)
                rows, alternates = rows + towns, alternates | frozenset(towns)
            out.append({"i": i, "j": j, "start": tok.start, "end": end, "rows": rows,
                        "alternates": alternates, "name": text[tok.start:end]})
            i = j + 1
        return out

    def _may_start_name(self, text: str, tok: Token) -> bool:
        index, key = self.index, tok.lower
        if key in index.first_words or key in index.keys:
            return True
        if _possessive_after(text, tok.end) and key + "'s" in index.first_words:
            return True
        return text[tok.end:tok.end + 1] == "." and index.has_primary_name(key + ".")   # "Ga."

    def _longest(self, text: str, tokens: Sequence[Token], i: int):
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

    # -- decisions: gazetteer candidates ---------------------------------------------------------
    def _decide(self, doc: _Text, cand: dict) -> Mention | None:
        index, text, tokens = self.index, doc.text, doc.tokens
        i, j = cand["i"], cand["j"]
        start, end, rows = cand["start"], cand["end"], cand["rows"]
        name = cand["name"]
        label, ent_start, ent_end = doc.label_at(start, end)
        if cand.get("demonym"):
            nxt = tokens[j + 1].lower if j + 1 < len(tokens) else ""
            if nxt in DEMONYM_CONTEXT_BLOCK or label in ("PERSON", "ORG", "LANGUAGE"):
                return None
            return Mention(start, end, name, rows, demonym=True, ner_label=label, lookup_name=name)
        if i == j and tokens[i].lower in STOP:
            return None
        if i == j and i > 0 and tokens[i - 1].upper and text[tokens[i - 1].end:start] == " " \
                and tokens[i].lower in _HEAD_WORDS:
            return None     # "Airport" of "Kadugli Airport", "Camp" of "Kalma Camp": not a town
        if "organisations" not in self.without and (
                is_organisation(name) or is_organisation(text[start:_run_end(text, tokens, j)])):
            return None     # "Hamas", "the Wagner Group": organisations named like towns
        kinds = {index.kind(r) for r in rows}
        alternates = cand.get("alternates", frozenset())
        strength = self._strength(rows, alternates)
        alt_only = all(r in alternates for r in rows)
        headline = i in doc.headline
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        first = tokens[i]

        # type word after the name: "the Luhansk region", "Rapides Parish" (if not a name already)
        cue = ""
        last = j
        typing = "type_words" not in self.without
        if typing and nxt is not None and nxt.lower in TYPE_WORDS and text[end:nxt.start].strip() == "":
            wanted = TYPE_WORDS[nxt.lower]
            if wanted in kinds or (wanted == "admin1" and kinds & {"city", "region"}):
                cue = wanted
                end = nxt.end
                last = j + 1
                typed = self.index.lookup(text[start:end])    # "Kyiv oblast" names the oblast, not the city
                if any(index.kind(r) == wanted for r in typed):
                    rows = tuple(r for r in typed if index.kind(r) == wanted)
        if typing and not cue and nxt is not None and nxt.lower in OFFICE_WORDS and text[end:nxt.start] == " ":
            wanted = OFFICE_WORDS[nxt.lower]                # "the New York governor", "the Paris mayor"
            if wanted in kinds:
                cue = wanted
        if typing and not cue and prev is not None and prev.lower == "of" and i > 1 \
                and tokens[i - 2].lower in TYPE_WORDS:
            wanted = TYPE_WORDS[tokens[i - 2].lower]       # "the state of Washington"
            if wanted in kinds or (wanted == "admin1" and kinds & {"city", "region"}):
                cue = wanted
        if typing and not cue and prev is not None and prev.lower in CITY_WORDS | {"of"} and prev.end + 1 >= start:
            before = tokens[i - 2].lower if i > 1 else ""
            if prev.lower in CITY_WORDS or before in CITY_WORDS:
                cue = "city"
        if typing and not cue and prev is not None and prev.text == "the" and kinds & _FEATURE_KINDS:
            cue = "feature"     # "the Red Sea", "the Crimea": seas and lands, not the provinces named after them
        partner = self._partner(text, tokens, last) if "partners" not in self.without else ""

        direction = ""
        if prev is not None and prev.lower in DIRECTIONS and text[prev.end:start].strip() == "":
            direction = DIRECTIONS[prev.lower]

        # vetoes and acceptances
        if label in NUMERIC_LABELS:
            return None
        level, why, said = self._evidence(text, tokens, i, last) if "evidence" not in self.without else (NONE, "", "")
        if typing and not cue and said in ("city", "facility"):
            cue = said          # "Gwoza town", "the village of Robotyne"
        if level == NEGATIVE and (alt_only or strength < 2):
            return None     # "Hamas said", "Wagner fighters": a weak name speaking or fighting
        person_context = ("person_context" not in self.without
                          and self._person_context(tokens, i, j, doc.person_words, strength, headline))
        evidence = bool(cue or partner or level >= MEDIUM or self._locative(tokens, i))
        # the entity may span the facility a town names ("Kadugli Airport"): that is the town's
        facility = _facility_word(text, tokens, last)
        covered_end = tokens[facility].end if facility >= 0 else cand["end"]
        head_only = False   # only the head of a longer name ("Kamal" of "Kamal Adwan Hospital")
        whole = ent_start >= start - 4 and ent_end <= covered_end
        at_head = start - 4 <= ent_start <= start and ent_end > covered_end
        after_of = prev is not None and prev.lower == "of" and ent_start < start
        if label in ("GPE", "LOC", "FAC"):
            # a known name inside a longer place name the gazetteer lacks ("Abu" of "Abu Shok")
            # is not that place, unless it is a well-known one ("Paris" of "Paris suburbs")
            partial = ent_start < start - 4 or ent_end > covered_end
            accept = not (person_context and strength < 2) and (not partial or strength >= 2 or cue)
        elif label == "PERSON":
            # the small model calls many Arabic and Slavic place names people: context overrules it
            accept = whole and name.lower() not in doc.person_words and (strength >= 2 or evidence)
        elif label:
            # ORG, NORP, PRODUCT, ...: the place itself mislabelled, or a place naming an
            # organisation ("the Texas Department of ...", "Alexandria police", "University of X")
            if whole:
                accept = (strength >= 1 and not alt_only) or evidence
            elif at_head:
                # "the Texas Department of ...", but not "Kamal" of "Kamal Adwan Hospital"
                accept = strength >= 1 and not first.sentence_start or strength >= 2
                head_only = accept and not headline and self._glued_to_unknown(tokens, last)
            elif after_of:
                accept = strength >= 2
            else:
                accept = level >= STRONG     # "Barangay San Isidro" taken for an organisation
        elif self.ner is not None:
            accept = not person_context and (
                strength >= 2 or evidence or (strength == 1 and not first.sentence_start))
        else:
            accept = not person_context and (headline or not self._glued_to_name(tokens, i, j, strength)) and (
                strength >= 2 or evidence or (strength == 1 and not first.sentence_start))
        if not accept:
            return None
        if direction:
            start = prev.start
        mention = Mention(start, end, text[start:end], rows, cue=cue, direction=direction, ner_label=label,
                          lookup_name=text[cand["start"]:cand["end"]], partner=partner,
                          evidence="" if strength >= 2 or level < MEDIUM else why, head_only=head_only)
        if "facilities" in self.without:
            return mention
        if head_only:
            named = self._as_facility(text, tokens, mention, last, strength, named_after=True)
            if named is not None:
                return named
        return self._as_facility(text, tokens, mention, last, strength) if not cue and not direction else mention

    def _as_facility(self, text: str, tokens: Sequence[Token], mention: Mention, j: int,
                     strength: int, *, named_after: bool = False) -> Mention | None:
        """A town's name followed by a facility's words: the facility ("Zaporizhzhia nuclear power plant"
        from the gazetteer; "Kharkiv International Airport", a named facility in Kharkiv).

        `named_after`: the name is only the first word of a facility named after someone ("Kamal Adwan
        Hospital"): the facility itself (from the gazetteer if it is there, else a facility of unknown
        place, which the text's containers may place approximately), never the town; None when no
        facility word follows the capitalised words after token j."""
        k = _facility_word(text, tokens, j, capitalised=named_after or strength >= 2)
        if k < 0:
            return None if named_after else mention
        end = tokens[k].end
        name = text[mention.start:end]
        known = self.index.lookup(name)
        partner = self._partner(text, tokens, k)
        if named_after:
            return Mention(mention.start, end, name, known, cue="facility", ner_label=mention.ner_label,
                           lookup_name=name, partner=partner, evidence=f"a {tokens[k].lower} named after a person")
        if known:
            return Mention(mention.start, end, name, known, ner_label=mention.ner_label, lookup_name=name,
                           partner=partner)
        if all(t.upper for t in tokens[j + 1:k + 1]):
            return Mention(mention.start, end, name, mention.rows, cue="facility", ner_label=mention.ner_label,
                           lookup_name=mention.lookup_name, partner=partner)
        return mention

    # -- evidence from the words around a name ---------------------------------------------------
    def _evidence(self, text: str, tokens: Sequence[Token], i: int, j: int) -> tuple[int, str, str]:
        """(level, why, cue) for tokens i..j being a place, from the words before and after them:
        NEGATIVE, NONE, WEAK, MEDIUM or STRONG (see geo.engine.cues); cue as in Mention.cue."""
        level, why, cue = NONE, "", ""
        k = i - 1
        while k >= 0 and tokens[k].lower == "the":
            k -= 1
        if i > 0 and self._in_place_brackets(text, tokens[i].start):
            level, why = STRONG, "in brackets after a place"      # "Bunagana (Rutshuru, Nord-Kivu)"
        elif k >= 0 and not tokens[k + 1].sentence_start:
            word, w = tokens[k].text, tokens[k].lower
            noun = tokens[k - 1].lower if k > 0 else ""
            if w in SETTLEMENT_PREFIXES:
                level, why, cue = STRONG, f"after “{word}”", "city"        # "Barangay San Isidro"
            elif w in NEAR_PREPOSITIONS:
                level, why = STRONG, f"after “{word}”"
            elif w in PLACE_PREPOSITIONS or w in PLACE_VERBS:
                level, why = MEDIUM, f"after “{word}”"
            elif w == "of" and (noun in SETTLEMENT_WORDS or noun in CAMP_WORDS or noun in TYPE_WORDS
                                or noun in ("outskirts", "vicinity", "area", "suburbs")):
                level, why = STRONG, f"after “{tokens[k - 1].text} of”"
                cue = ("city" if noun in SETTLEMENT_WORDS else "facility" if noun in CAMP_WORDS
                       else TYPE_WORDS.get(noun, ""))
            elif w == "of" and noun in PLACE_NOUNS_OF:
                level, why = MEDIUM, f"after “{tokens[k - 1].text} of”"
            elif w in ("on", "for", "against", "at", "in", "near") and noun in PLACE_NOUNS_ON:
                level, why = MEDIUM, f"after “{tokens[k - 1].text} {word}”"
            elif w == "s" and k > 0 and text[tokens[k - 1].end:tokens[k].start] in ("'", "\u2019") \
                    and self._region_before(text, tokens, k - 1):
                level, why = MEDIUM, f"after “{self._region_before(text, tokens, k - 1)}’s”"   # "Libya's Misrata"
            elif w in WEAK_PREPOSITIONS and noun in MOTION_VERBS:
                level, why = MEDIUM, f"after “{tokens[k - 1].text} {word}”"     # "fled to", "withdrew from"
            elif w in WEAK_PREPOSITIONS:
                level = WEAK
        if j + 1 < len(tokens):
            nxt = tokens[j + 1]
            gap = text[tokens[j].end:nxt.start]
            w = nxt.lower
            if gap == " ":
                if w in SETTLEMENT_WORDS or w in CAMP_WORDS:
                    return STRONG, f"before “{nxt.text}”", "facility" if w in CAMP_WORDS else "city"
                if w in TYPE_WORDS:
                    return STRONG, f"before “{nxt.text}”", TYPE_WORDS[w]
                if w in BE_WORDS and _passive_place_verb(tokens, j + 2):
                    return STRONG, f"before “{nxt.text} …{_passive_place_verb(tokens, j + 2)}”", cue
                if w in ORGANISATION_WORDS and level < STRONG:
                    return NEGATIVE, "", ""
                if w in SPEECH_VERBS and level < MEDIUM:
                    return NEGATIVE, "", ""
            elif gap.strip() == "," and level < STRONG and self._partner(text, tokens, j):
                return STRONG, f"before “, {self._partner(text, tokens, j)}”", cue
            elif gap.strip() == "," and level < STRONG and _NEAR_AFTER.match(text, nxt.start):
                return STRONG, f"before “, {_NEAR_AFTER.match(text, nxt.start).group(1)}”", cue
            elif gap.strip() == "(" and level < STRONG and self._parenthetical_place(text, nxt.start):
                return STRONG, "before a place in brackets", cue
        return level, why, cue

    def _in_place_brackets(self, text: str, start: int) -> bool:
        """Whether `start` lies in brackets that follow a name and hold a known region or a type
        word: the places around a place ("Gwoza (Gwoza, Borno)", "Vasylivka (Pokrovsk district, Donetsk)")."""
        open_at = text.rfind("(", max(0, start - 80), start)
        if open_at < 2 or ")" in text[open_at:start] or text[open_at - 1] != " ":
            return False
        before = text[max(0, open_at - 12):open_at].rstrip()      # a name ends right before the bracket
        return before[-1:].isalnum() and self._parenthetical_place(text, open_at + 1)

    def _region_before(self, text: str, tokens: Sequence[Token], j: int) -> str:
        """The country or first-level region whose name ends at token j ("Libya" of "Libya's"), or ""."""
        for i in range(j, max(-1, j - 4), -1):
            if not tokens[i].upper:
                break
            name = text[tokens[i].start:tokens[j].end]
            if any(self.index.kinds[r] in ("country", "admin1") for r in self.index.lookup(name, alternates=False)):
                return name
        return ""

    def _parenthetical_place(self, text: str, start: int) -> bool:
        """Whether the bracket opening before `start` holds a known region or a type word
        ("(Hiraan)", "(Pokrovsk district, Donetsk)")."""
        close = text.find(")", start, start + 80)
        if close < 0:
            return False
        parts = text[start:close].split(",")
        for part in parts:
            words = part.split()
            if not words:
                continue
            if words[-1].lower() in TYPE_WORDS or any(self.index.kind(r) in ("admin1", "admin2", "country")
                                                      for r in self.index.lookup(" ".join(words))):
                return True
        # "Tonka (Goundam)": a town alone in brackets, by its own name, is the town that holds a place
        words = parts[0].split()
        return len(parts) == 1 and 0 < len(words) <= 2 and all(w[:1].isupper() and w.isalpha() for w in words) \
            and any(self.index.kind(r) == "city" for r in self.index.lookup(" ".join(words), alternates=False))

    def _strength(self, rows: Sequence[int], alternates: frozenset[int]) -> int:
        """2: well-known (country, first-level region, continent, curated, big town); 1: a town
        of some size; 0: small places and names that are only alternate names."""
        kinds, population, names = self.index.kinds, self.index.population, self.index.name_of
        first_user_row = self.index.first_user_row
        best = 0
        for r in rows:
            kind = kinds[r]
            pop = int(population[r])
            alt = r in alternates
            if kind in ("country", "continent", "admin1") or (kind in _FEATURE_KINDS or kind == "facility") \
                    and r < first_user_row:
                best = max(best, 2 if not alt else 1)
            elif kind in _FEATURE_KINDS or kind == "facility":
                best = max(best, 1)     # a feature a user imported: known, not famous
            elif kind == "admin2" and not alt:
                best = max(best, 2 if " " in names[r] else 1)
            elif kind == "city":
                if pop >= 100_000 and (not alt or pop >= 1_000_000):
                    best = max(best, 2)
                elif pop >= 15_000 and not alt or pop >= 100_000:
                    best = max(best, 1)
        return best

    def _person_context(self, tokens, i, j, person_words, strength, headline: bool = False) -> bool:
        """A title before the name, a first name glued before a weak name, or a known surname.
        On a title-case line a capitalised word before the name says nothing."""
        prev = tokens[i - 1] if i > 0 else None
        if prev is not None and prev.lower.rstrip(".") in TITLES and prev.upper:
            return True
        if prev is not None and prev.upper and not tokens[i].sentence_start and not headline \
                and prev.lower not in CONNECTORS and prev.lower not in DIRECTIONS \
                and prev.lower not in SETTLEMENT_PREFIXES \
                and prev.end + 1 >= tokens[i].start and prev.lower not in STOP:
            return strength < 2     # "Peter Smith": a capitalised word glued before a weak name
        name = " ".join(t.lower for t in tokens[i:j + 1])
        return name in person_words

    def _glued_to_name(self, tokens, i, j, strength) -> bool:
        """Without NER: a name followed by another capitalised word that makes it a person's
        ("Jackson Pollock", "Vladimir Putin"). Countries and first-level regions are exempt
        ("Texas Rangers" still names Texas), as are words naming an institution or a role."""
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt is None or not nxt.upper or nxt.start - tokens[j].end > 1 or nxt.lower in TYPE_WORDS \
                or nxt.lower in SETTLEMENT_WORDS or nxt.lower in CAMP_WORDS:
            return False
        if strength < 2:
            return True
        kinds = {self.index.kinds[r] for r in self._rows_of(tokens, i, j)}
        return not kinds & {"country", "admin1", "continent"} and nxt.lower not in INSTITUTION_WORDS \
            and nxt.lower.rstrip(".") not in TITLES and not self.index.has_name(nxt.lower)

    def _glued_to_unknown(self, tokens, j) -> bool:
        """Whether a capitalised word that names nothing known follows token j ("Kamal Adwan")."""
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt is None or not nxt.upper or nxt.start - tokens[j].end > 1:
            return False
        w = nxt.lower
        return not (w in INSTITUTION_WORDS or w in ORGANISATION_WORDS or w in FACILITY_WORDS or w in TYPE_WORDS
                    or w in SETTLEMENT_WORDS or w in CAMP_WORDS or self.index.has_name(w))

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
        return word in LOCATIVE and word not in WEAK_LOCATIVE

    def _partner(self, text, tokens, j) -> str:
        """The "Region" of "Place, Region" when Region is a first-level region or country
        ("Kryvyi Rih, Dnipropetrovsk", "Stepne, Donetsk Oblast", "Paris, Texas")."""
        if j + 1 >= len(tokens):
            return ""
        gap = text[tokens[j].end:tokens[j + 1].start]
        if gap.strip() != ",":
            return ""
        nxt = tokens[j + 1]
        if not nxt.upper:
            return ""
        match = self._longest(text, tokens, j + 1)
        if match is not None:
            _k, end, rows, _alternates = match
            if any(self.index.kind(r) in ("admin1", "country") for r in rows):
                return text[nxt.start:end]
        # another spelling of a region ("Zaporizhia"), up to a type word or the end of the name
        k = j + 1
        while k + 1 < len(tokens) and k - j < 3 and tokens[k + 1].upper and tokens[k + 1].lower not in TYPE_WORDS \
                and text[tokens[k].end:tokens[k + 1].start] == " ":
            k += 1
        name = text[nxt.start:tokens[k].end]
        if any(self.index.kind(r) in ("admin1", "country") for r in self.index.spelling_rows(name)):
            return name
        return ""

    # -- names the gazetteer lacks ---------------------------------------------------------------
    def _phrases(self, text: str, tokens: Sequence[Token], candidates: list[dict],
                 headline: frozenset[int]) -> list[dict]:
        """Capitalised names the gazetteer does not hold as written ("Robotyne", "Mala Kostromka",
        "Kamal Adwan Hospital"), with the evidence of the words around them. On title-case lines
        (headlines), where every word is capitalised, only the words after a preposition or verb
        of place, or before a type word, are read as a name."""
        covered: dict[int, dict] = {}
        for c in candidates:
            for k in range(c["i"], c["j"] + 1):
                covered[k] = c
        out: list[dict] = []
        n = len(tokens)
        i = 0
        while i < n:
            tok = tokens[i]
            if not (tok.upper or _ELIDED.match(tok.text)) or i in headline or not tok.text[0].isalpha():
                i += 1
                continue
            j = i
            while j + 1 < n and text[tokens[j].end:tokens[j + 1].start] == " " and j + 1 not in headline:
                nxt = tokens[j + 1]
                if (nxt.lower in STOP and nxt.lower not in _HEAD_WORDS) or nxt.lower.rstrip(".") in TITLES:
                    break       # "Stamford Mayor Dan Malloy", "Lamar County Commissioners Monday"
                if nxt.upper and nxt.text[0].isalpha():
                    j += 1
                elif nxt.lower in NAME_PARTICLES and j + 2 < n and tokens[j + 2].upper \
                        and text[nxt.end:tokens[j + 2].start] == " ":
                    j += 2
                else:
                    break
            out += self._phrase(text, tokens, i, j, covered, headline)
            i = j + 1
        if headline:
            seen = {(p["start"], p["end"]) for p in out}
            out += [p for p in self._headline_phrases(text, tokens, headline, covered)
                    if (p["start"], p["end"]) not in seen]
        return out

    def _headline_phrases(self, text, tokens, headline, covered) -> list[dict]:
        out: list[dict] = []
        n = len(tokens)
        seen: set[tuple[int, int]] = set()
        for k in sorted(headline):
            w = tokens[k].lower
            if w in PLACE_PREPOSITIONS or w in PLACE_VERBS \
                    or (w in ("on", "for") and k > 0 and tokens[k - 1].lower in PLACE_NOUNS_ON):
                i = k + 1
                if i < n and tokens[i].lower == "the":
                    i += 1
                j = i - 1
                while j + 1 < n and j + 1 - i < 3 and text[tokens[j].end:tokens[j + 1].start] == " " \
                        and _may_be_name_word(tokens[j + 1]):
                    j += 1
                span = (i, j)
            elif (w in SETTLEMENT_WORDS or w in CAMP_WORDS or w in TYPE_WORDS) and k > 0 \
                    and text[tokens[k - 1].end:tokens[k].start] == " " and _may_be_name_word(tokens[k - 1]):
                span = (k - 1, k)
            else:
                continue
            if span[1] >= span[0] and span not in seen:
                seen.add(span)
                out += self._phrase(text, tokens, span[0], span[1], covered, headline)
        return out

    def _phrase(self, text: str, tokens: Sequence[Token], i: int, j: int, covered: dict[int, dict],
                headline: frozenset[int] = frozenset()) -> list[dict]:
        """The name candidate in tokens i..j (a run of capitalised words), trimmed of words that
        are not part of a name; [] when the gazetteer holds it as written or it is not a name."""
        while i <= j and (tokens[i].lower in STOP or tokens[i].lower in DIRECTIONS
                          or tokens[i].lower in WEAK_PREPOSITIONS or tokens[i].lower in PLACE_PREPOSITIONS
                          or self._is_demonym(tokens[i].lower)):
            i += 1
        if i > j or tokens[i].lower.rstrip(".") in TITLES:
            return []           # "President Zelensky": a person
        prefixed = i < j and tokens[i].lower in SETTLEMENT_PREFIXES     # "Barangay San Isidro"
        if prefixed:
            i += 1
        cue, facility, org = "", False, False
        last = tokens[j].lower
        titled = last in TITLES or last.rstrip("s") in TITLES          # "Lamar County Commissioners"
        if last in ORGANISATION_WORDS or titled or any(t.lower in EVENT_WORDS for t in tokens[i + 1:j + 1]) \
                or (last in INSTITUTION_WORDS and last not in FACILITY_WORDS
                                                    and last not in SETTLEMENT_WORDS and last not in TYPE_WORDS):
            org = True
        elif last in FACILITY_WORDS:
            facility, cue = True, "facility"
        elif j > i and (last in SETTLEMENT_WORDS or last in CAMP_WORDS or last in TYPE_WORDS):
            j -= 1              # "Kalma Camp", "Mahaday Town": the name is the words before
        while j >= i and tokens[j].lower in STOP and not facility:
            j -= 1
        if j < i:
            return []
        inside = {id(c): c for k in range(i, j + 1) if (c := covered.get(k)) is not None}
        if any(c["i"] < i or c["j"] > j for c in inside.values()):
            return []           # part of a longer name the gazetteer holds
        whole = len(inside) > 1 and "names_whole" not in self.without      # "Mala Kostromka": two names, one place
        if not facility and not whole and (j - i + 1) == sum(c["j"] - c["i"] + 1 for c in inside.values()):
            return []           # the gazetteer holds it as written
        if not facility and inside and i in headline:
            return []
        if inside and i in headline:
            return []           # a headline's capitals do not join words into one name
        if facility and any(c["i"] == i and self._names_facility_of(tokens, c, j) for c in inside.values()):
            return []           # "Kharkiv International Airport": a facility of a known town
        level, why, ecue = (NONE, "", "") if org else self._evidence(text, tokens, i, j)
        if prefixed and level < STRONG:
            level, why, ecue = STRONG, f"after “{tokens[i - 1].text}”", "city"
        start, end = tokens[i].start, tokens[j].end
        name = text[start:end]
        # another spelling of a name the gazetteer holds ("Zaporizhia", "Gorlovka", "Tal Afar"), looked
        # up only where the context makes it matter (a capitalised word with nothing around it is no place)
        after_comma = i > 0 and text[tokens[i - 1].end:start].strip() == "," and tokens[i - 1].upper
        rows = () if org or facility else None if level < WEAK and not after_comma \
            else self.index.spelling_rows(name)             # None: not looked up yet (see _decide_phrase)
        if rows:
            inside = {}         # a longer name known by another spelling, not a known name with words around it
        if why.endswith("’s”") and not rows:
            level, why = WEAK, ""       # "Denmark's Mette Frederiksen": a country's people, mostly
        if rows and level < MEDIUM and after_comma and any(self.index.kinds[r] in ("admin1", "country") for r in rows):
            level, why = MEDIUM, "a region after a comma"      # "Orikhiv, Zaporizhia"
        strongest = max((self._strength(c["rows"], c.get("alternates", frozenset())) for c in inside.values()),
                        default=0)
        lookup = name
        if not cue and ecue in ("admin1", "admin2") and j + 1 < len(tokens) and tokens[j + 1].lower in TYPE_WORDS:
            end = tokens[j + 1].end     # "Pokrovskyi district", as "Donetsk oblast": the type word is in the name
            name = text[start:end]
        return [{"i": i, "j": j, "start": start, "end": end, "name": name, "cue": cue or ecue,
                 "facility": facility, "org": org, "level": level, "why": why, "rows": rows,
                 "alternates": frozenset(rows or ()), "holds_known": strongest, "lookup": lookup}]

    def _names_facility_of(self, tokens: Sequence[Token], cand: dict, k: int) -> bool:
        """Whether the facility word at token k belongs to the place of candidate `cand` before it:
        a well-known place names its facilities whatever words stand between ("Huntsville Memorial
        Hospital"); a lesser one only with common words ("Kadugli Airport"), since a facility named
        after a person may start with a word that is also a town's name ("Kamal Adwan Hospital")."""
        between = tokens[cand["j"] + 1:k]
        if len(between) > 3:
            return False
        if all(t.lower in FACILITY_MODIFIERS for t in between):
            return True
        return self._strength(cand["rows"], cand.get("alternates", frozenset())) >= 2 and all(t.upper for t in between)

    def _decide_phrase(self, doc: _Text, ph: dict) -> Mention | None:
        """Whether a name the gazetteer lacks is a place, from its evidence and the NER label."""
        name, i, j, level = ph["name"], ph["i"], ph["j"], ph["level"]
        if ph["org"] or level == NEGATIVE or not self._may_be_place_name(name):
            return None
        label, ent_start, ent_end = doc.label_at(ph["start"], ph["end"])
        if label in NUMERIC_LABELS:
            return None
        if label and (ent_start > ph["start"] + 4 or ent_end < ph["end"] - 1):
            if label in ("GPE", "LOC") and ph.get("holds_known", 0):
                return None     # the NER names a place inside it ("Dallas" of "Dallas Cowboys"): not one name
            label = ""          # a label on part of it says nothing about the whole
        known = ph.get("holds_known", 0)
        if known and level < STRONG and not ph["facility"] and (known >= 2 or label not in ("GPE", "LOC", "FAC")):
            # a known town followed by more capitalised words is mostly an organisation, a title or
            # a paper ("Athens Review", "Dallas Cowboys"); a village named like it ("Mala Kostromka")
            # comes with its region ("..., Dnipropetrovsk")
            return None
        if ph["rows"] is None:      # the NER may admit what the context did not: its other spellings
            ph["rows"] = self.index.spelling_rows(name) if label in ("GPE", "LOC", "FAC") or level >= WEAK else ()
            ph["alternates"] = frozenset(ph["rows"])
        if i in doc.headline and not ph["rows"] and not ph["cue"] and doc.text.count(name) < 2 \
                and not _after_preposition(doc.tokens, i):
            return None     # a title-case phrase after a verb, unknown to the gazetteer and the body ("Leave Slowly")
        single = i == j
        personal = doc.personal(doc.tokens, i, j)
        if label in ("GPE", "LOC"):
            accept = not personal or level >= MEDIUM
        elif label == "FAC" or (label == "ORG" and ph["facility"]):
            accept = level >= MEDIUM or (ph["facility"] and label == "FAC")
        elif label == "PERSON":
            accept = level >= STRONG or (level >= MEDIUM and single and not personal)
        elif single and ph["rows"]:
            accept = level >= MEDIUM     # another spelling of a known place, mislabelled ("Chuguiev")
        elif label:
            accept = level >= STRONG
        else:
            accept = not personal and (level >= STRONG or (level >= MEDIUM and not doc.tokens[i].sentence_start))
        if not accept:
            return None
        why = ph["why"] or (f"NER {label}" if label else "")
        last = j + 1 if ph["end"] > doc.tokens[j].end else j
        return Mention(ph["start"], ph["end"], name, ph["rows"], cue=ph["cue"], ner_label=label,
                       lookup_name=ph["lookup"], partner=self._partner(doc.text, doc.tokens, last), evidence=why)

    def _may_be_place_name(self, name: str) -> bool:
        """Not an organisation, a demonym, an acronym or a code ("OSCE", "DPR", "Su-25")."""
        key = normalize_name(name)
        return not (is_organisation(name) or self._is_demonym(key) or _is_acronym(name) or is_actor(name)
                    or any(ch.isdigit() for ch in name) or key in STOP)

    def _is_demonym(self, key: str) -> bool:
        demonyms = self.index.demonyms
        return key in demonyms or (key.endswith("s") and key[:-1] in demonyms)

    def _unknown_places(self, doc: _Text, accepted: list[Mention]) -> list[Mention]:
        """NER places no rule found (lower-case openings, odd spellings): kept as mentions."""
        text = doc.text
        out = []
        taken = sorted((m.start, m.end) for m in accepted)
        for start, end, label in doc.labels:
            if label not in ("GPE", "LOC"):
                continue
            span = text[start:end]
            if span.lower().startswith("the "):
                start += 4
                span = text[start:end]
            if span.lower().startswith(("pro-", "anti-", "ex-", "non-")):
                start += span.index("-") + 1
                span = text[start:end]
            span = span.rstrip(" ,.;:")
            end = start + len(span)
            if not span[:1].isupper() or _overlaps(taken, start, end):
                continue
            key = normalize_name(span)
            if self._is_demonym(key):
                if self.demonyms:
                    row = self.index.demonyms.get(key, self.index.demonyms.get(key.rstrip("s")))
                    out.append(Mention(start, end, span, (row,), demonym=True, ner_label=label,
                                       lookup_name=span))
                continue
            if key in STOP or (not self._may_be_place_name(span) and not self.index.has_name(key)):
                continue        # "the West"
            rows = self.index.lookup(span) or self.index.spelling_rows(span)
            if _is_acronym(span) and key not in self.index.acronyms:
                rows = ()
            if not rows and _is_acronym(span):
                continue
            out.append(Mention(start, end, span, rows, ner_label=label, lookup_name=span,
                               evidence=f"NER {label}" if not rows else ""))
        return out

    # -- lists -----------------------------------------------------------------------------------
    def _complete_lists(self, doc: _Text, accepted: list[Mention], items: list[dict]) -> list[Mention]:
        """Members of a list whose other members are places are places too ("near Bakhmut, Izium and
        Lyman": the NER calls Lyman a person, the gazetteer knows Izium only by another spelling)."""
        taken = sorted((m.start, m.end) for m in accepted)
        pool = [_Item(m.start, m.end, m, None) for m in accepted]
        pool += [_Item(it["start"], it["end"], None, it) for it in items
                 if it.get("mention") is None and not it.get("demonym") and not it.get("org")
                 and not _overlaps(taken, it["start"], it["end"])]
        if len(pool) == len(accepted):
            return accepted
        pool.sort(key=lambda x: (x.start, x.end))
        pool = [x for k, x in enumerate(pool) if k == 0 or x.start >= pool[k - 1].end]
        added = []
        runs = coordinated_runs(doc.text, pool)
        in_runs = {k for first, last in runs for k in range(first, last + 1)}
        # two towns joined by a comma ("in Mogadishu, Jowhar"), when neither can be a region (else it
        # is "Place, Region")
        runs += [(k, k + 1) for k in range(len(pool) - 1)
                 if k not in in_runs and k + 1 not in in_runs
                 and doc.text[pool[k].end:pool[k + 1].start].strip() == ","
                 and (pool[k].mention is None) != (pool[k + 1].mention is None)
                 and not any(self._can_be_region(x) for x in pool[k:k + 2])]
        for first, last in runs:
            members = pool[first:last + 1]
            anchors = [x.mention for x in members if x.mention is not None and not x.mention.demonym]
            if not anchors or len(anchors) == len(members):
                continue
            first_item = members[0].item or _item_of(members[0].mention, doc.token_starts)
            last_item = members[-1].item or _item_of(members[-1].mention, doc.token_starts)
            level = max(self._evidence(doc.text, doc.tokens, first_item["i"], first_item["i"])[0],
                        self._evidence(doc.text, doc.tokens, last_item["j"], last_item["j"])[0])
            for x in members:
                if x.mention is None:
                    m = self._listed(doc, x.item, level, anchors)
                    if m is not None:
                        added.append(m)
        return sorted(accepted + added, key=lambda m: m.start) if added else accepted

    def _can_be_region(self, x: _Item) -> bool:
        rows = x.mention.rows if x.mention is not None else x.item.get("rows") or ()
        return not rows or any(self.index.kinds[r] in ("admin1", "admin2", "country", "continent", "region")
                               for r in rows)

    def _listed(self, doc: _Text, item: dict, level: int, anchors: list[Mention]) -> Mention | None:
        name, i, j = item["name"], item["i"], item["j"]
        if not self._may_be_place_name(name) or (i == j and doc.tokens[i].lower in STOP):
            return None
        label, ent_start, ent_end = doc.label_at(item["start"], item["end"])
        if label in NUMERIC_LABELS or doc.personal(doc.tokens, i, j):
            return None
        rows = item.get("rows")
        if rows is None:
            rows = item["rows"] = self.index.spelling_rows(name)
        strength = self._strength(rows, item.get("alternates", frozenset())) if rows else 0
        if label == "PERSON" and ent_end - ent_start > item["end"] - item["start"] + 1:
            return None      # part of a longer person's name
        if not (level >= MEDIUM or strength >= 1 or len(anchors) >= 2):
            return None
        return Mention(item["start"], item["end"], name, rows, ner_label=label, lookup_name=name,
                       evidence=f"listed with {anchors[0].name}")


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



def find_mentions(text: str, index: PlaceIndex, ner=None, **options) -> list[Mention]:
    """Place mentions in `text`, in order; see `Recognizer` for the options."""
    return Recognizer(index, ner, **options).find(text)
