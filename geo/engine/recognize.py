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

from collections.abc import Iterable

from geo.engine.components import checked
from geo.engine.mention import Mention
from geo.engine.recognition.candidates import CandidateRules
from geo.engine.recognition.common import _KIND_BREADTH, NEGATIVE, _drop_overlaps, _parts_of_longer_names, _Text
from geo.engine.recognition.decisions import GazetteerDecisions
from geo.engine.recognition.evidence import EvidenceRules
from geo.engine.recognition.lists import ListRules
from geo.engine.recognition.phrases import PhraseRules
from geo.engine.relations import mark_relations
from geo.engine.tokens import headline_tokens, tokenize
from geo.gazetteer import PlaceIndex, Progress, normalize_name

__all__ = ['Mention', 'NEGATIVE', 'Recognizer', 'find_mentions', 'tokenize']


class Recognizer(CandidateRules, GazetteerDecisions, EvidenceRules, PhraseRules, ListRules):
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


def find_mentions(text: str, index: PlaceIndex, ner=None, **options) -> list[Mention]:
    """Place mentions in `text`, in order; see `Recognizer` for the options."""
    return Recognizer(index, ner, **options).find(text)
