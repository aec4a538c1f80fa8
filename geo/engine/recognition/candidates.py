"""Gazetteer candidates: the longest known names in a text, and the sentences the NER must read."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from geo.engine.cues import CONNECTORS, DIRECTIONS, STRONG, WEAK
from geo.engine.recognition.common import _ELIDED, _REGION_KINDS, _capitalised_dateline, _is_acronym, _possessive_after
from geo.engine.tokens import Token, sentence_windows
from geo.gazetteer import normalize_name


class CandidateRules:
    """Gazetteer candidates: the longest known names in a text, and the sentences the NER must read."""

    def _entities(self, text: str, tokens: Sequence[Token], candidates: list[dict], phrases: list[dict],
                  progress: Callable[[int, int], None] | None = None):
        """NER over the sentences where it can change a decision (NER is the slow part): those
        holding a candidate that is not a well-known name standing alone, or a capitalised name
        the gazetteer lacks whose context leaves it open."""
        spans = sorted([(c["i"], c["j"]) for c in candidates if not self._settled_without_ner(tokens, c)]
                       + [(p["i"], p["j"]) for p in phrases if WEAK <= p["level"] < STRONG and not p["org"]])
        windows = _reading_windows(text, tokens, spans) if spans else []
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


NER_CONTEXT = 6     # tokens of context the NER reads on each side of a name it must decide


def _reading_windows(text: str, tokens: Sequence[Token], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pieces of text the NER reads: around each name (token span `spans`, sorted), NER_CONTEXT
    tokens each side, never across a sentence; pieces that touch merge. The model's own context is
    narrower (its tok2vec sees four tokens each side), so a name's label is the one the whole
    sentence gives, at a fraction of the cost on long sentences that name one place."""
    windows: list[tuple[int, int]] = []
    k, n = 0, len(spans)
    t = 0
    for start, end in sentence_windows(text):
        while k < n and tokens[spans[k][0]].start < start:
            k += 1
        if k == n or tokens[spans[k][0]].start >= end:
            continue
        while t < len(tokens) and tokens[t].start < start:
            t += 1
        first = t
        last = first
        while last + 1 < len(tokens) and tokens[last + 1].end <= end:
            last += 1
        pieces: list[list[int]] = []
        while k < n and tokens[spans[k][0]].start < end:
            i, j = spans[k]
            lo, hi = max(first, i - NER_CONTEXT), min(last, j + NER_CONTEXT)
            if pieces and lo <= pieces[-1][1] + 1:
                pieces[-1][1] = max(pieces[-1][1], hi)
            else:
                pieces.append([lo, hi])
            k += 1
        for lo, hi in pieces:
            windows.append((start if lo == first else tokens[lo].start, end if hi == last else tokens[hi].end))
    return windows
