"""Whether a gazetteer candidate is a place here: type words, NER labels, vetoes, facilities."""

from __future__ import annotations

from collections.abc import Sequence

from geo.engine.cues import (
    CITY_WORDS,
    DEMONYM_CONTEXT_BLOCK,
    DIRECTIONS,
    MEDIUM,
    NONE,
    NUMERIC_LABELS,
    OFFICE_WORDS,
    STOP,
    STRONG,
    TYPE_WORDS,
    is_organisation,
)
from geo.engine.mention import Mention
from geo.engine.recognition.common import _FEATURE_KINDS, _HEAD_WORDS, NEGATIVE, _facility_word, _run_end, _Text
from geo.engine.tokens import Token


class GazetteerDecisions:
    """Whether a gazetteer candidate is a place here: type words, NER labels, vetoes, facilities."""

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
        if head_only and (named := self._as_facility(text, tokens, mention, last, strength, named_after=True)):
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
