"""The words around a name that speak for or against a place: prepositions, brackets,
people's names, "Place, Region" partners."""

from __future__ import annotations

from collections.abc import Sequence

from geo.engine.cues import (
    BE_WORDS,
    CAMP_WORDS,
    CONNECTORS,
    DIRECTIONS,
    FACILITY_WORDS,
    INSTITUTION_WORDS,
    LOCATIVE,
    MEDIUM,
    MOTION_VERBS,
    NEAR_PREPOSITIONS,
    NONE,
    ORGANISATION_WORDS,
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
)
from geo.engine.recognition.common import _FEATURE_KINDS, _NEAR_AFTER, NEGATIVE, _passive_place_verb
from geo.engine.tokens import Token
from geo.gazetteer import normalize_name


class EvidenceRules:
    """The words around a name that speak for or against a place: prepositions, brackets,"""

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
