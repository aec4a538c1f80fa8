"""Words and sentences of a text, as recognition reads them: word tokens with their offsets and flags,
the lines written in title case (headlines), and the sentence pieces the NER reads.

    >>> from geo.engine.tokens import tokenize
    >>> [t.text for t in tokenize("In Kyiv.\nU.S. troops")]
    ['In', 'Kyiv', 'U.S.', 'troops']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:(?:-|['\u2019](?![sS]\b))\w+)*")


class Token(NamedTuple):
    start: int
    end: int
    text: str
    lower: str
    upper: bool        # starts with an uppercase letter
    sentence_start: bool


def tokenize(text: str) -> list[Token]:
    """Word tokens with the flags recognition needs (a NamedTuple each: this is the hot loop)."""
    tokens: list[Token] = []
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
        append(new(Token, (start, end, word, word.lower(), word[0].isupper(), sentence_start)))
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


def headline_tokens(text: str, tokens: Sequence[Token]) -> frozenset[int]:
    """Tokens on lines written in title case or capitals (headlines), where a capital says nothing."""
    out: list[int] = []
    line: list[int] = []
    for k, tok in enumerate(tokens):
        if line and "\n" in text[tokens[k - 1].end:tok.start]:
            out += _if_headline(tokens, line)
            line = []
        line.append(k)
    out += _if_headline(tokens, line)
    return frozenset(out)


# Words of four letters or more that title case may leave in lower case.
_TITLE_CASE_LOWER = frozenset("with from into onto over upon amid near than that says".split())


def _if_headline(tokens: Sequence[Token], line: list[int]) -> list[int]:
    """The line's tokens if it is written in title case: its longer words (the first one aside,
    which any sentence capitalises) all capitalised. A sentence naming places still has verbs
    and nouns in lower case ("Patients were trapped in Kamal Adwan Hospital")."""
    words = [tokens[k] for k in line[1:] if len(tokens[k].text) >= 4 and tokens[k].text.isalpha()
             and tokens[k].lower not in _TITLE_CASE_LOWER]
    if len(words) >= 3 and sum(not t.upper for t in words) <= len(words) // 10:
        return line
    return []


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|\n|$)")


# The longest piece of text the NER reads at once: a "sentence" without full stops (a list, a table,
# a hostile upload) is cut at spaces into pieces of this size, so that NER time and memory grow with
# the text, not with the square of its longest sentence.
MAX_WINDOW = 1_000


def sentence_windows(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (context enough for NER); short pieces are merged forward, long ones cut."""
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if not m.group().strip():
            continue
        if out and (m.start() - out[-1][0] < 40 or out[-1][1] - out[-1][0] < 40) \
                and m.end() - out[-1][0] <= MAX_WINDOW:
            out[-1] = (out[-1][0], m.end())
        else:
            out += _cut(text, m.start(), m.end())
    return out


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) in pieces of at most MAX_WINDOW characters, cut after a space where there is one."""
    pieces = []
    while end - start > MAX_WINDOW:
        cut = text.rfind(" ", start + MAX_WINDOW // 2, start + MAX_WINDOW)
        cut = cut + 1 if cut > start else start + MAX_WINDOW
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces
