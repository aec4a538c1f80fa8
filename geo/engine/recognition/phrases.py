"""Names the gazetteer lacks: capitalised phrases whose context says place, headline phrases,
and the NER's unknown places."""

from __future__ import annotations

from collections.abc import Sequence

from geo.engine.cues import (
    CAMP_WORDS,
    DIRECTIONS,
    EVENT_WORDS,
    FACILITY_MODIFIERS,
    FACILITY_WORDS,
    INSTITUTION_WORDS,
    MEDIUM,
    NAME_PARTICLES,
    NONE,
    NUMERIC_LABELS,
    ORGANISATION_WORDS,
    PLACE_NOUNS_ON,
    PLACE_PREPOSITIONS,
    PLACE_VERBS,
    SETTLEMENT_PREFIXES,
    SETTLEMENT_WORDS,
    STOP,
    STRONG,
    TITLES,
    TYPE_WORDS,
    WEAK,
    WEAK_PREPOSITIONS,
    is_organisation,
)
from geo.engine.mention import Mention
from geo.engine.recognition.common import (
    _ELIDED,
    _HEAD_WORDS,
    NEGATIVE,
    _after_preposition,
    _is_acronym,
    _may_be_name_word,
    _overlaps,
    _Text,
)
from geo.engine.story import is_actor
from geo.engine.tokens import Token
from geo.gazetteer import normalize_name


class PhraseRules:
    """Names the gazetteer lacks: capitalised phrases whose context says place, headline phrases,"""

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
