"""How much of a passage travels with a mention: a window of the passage around it, the one rule the
map's popups, the dashboard's panels and the exports share.

    >>> from geo.map.excerpts import excerpt, excerpt_text
    >>> e = excerpt("Shelling hit Kramatorsk overnight.", [(13, 23)])
    >>> e.text, e.spans, e.truncated
    ('Shelling hit Kramatorsk overnight.', ((13, 23),), False)
    >>> excerpt_text("x " * 400 + "Kyiv" + " y" * 400, (800, 804))[:14]
    '…[truncated] x'

A news sentence is a few hundred characters and comes whole; a passage far longer than that (an
article with no sentence ends, a table, a list run together) is cut to `CONTEXT` characters each
side of the mention, so what a place or a mention costs no longer grows with the passage's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CONTEXT = 240          # characters kept each side of the mention
SNAP = 24              # a cut moves to a space at most this far, to keep words whole
CUT = "…[truncated]"   # marks a cut in plain text (exports)
ELLIPSIS = "…"         # marks a cut on the page


@dataclass(frozen=True)
class Excerpt:
    """`text` is `passage[start:end]`; `spans` are the mentions inside it, relative to `text`."""

    text: str
    start: int
    end: int
    spans: tuple[tuple[int, int], ...]
    cut_before: bool
    cut_after: bool

    @property
    def truncated(self) -> bool:
        return self.cut_before or self.cut_after


def window(text: str, start: int, end: int, context: int = CONTEXT) -> tuple[int, int]:
    """The (lo, hi) slice of `text` kept around the span start..end: `context` characters each
    side, moved to a nearby space so that no word is cut in two."""
    length = len(text)
    lo, hi = max(0, start - context), min(length, end + context)
    if lo > 0:
        space = text.find(" ", lo, min(lo + SNAP, start))
        if space >= 0:
            lo = space + 1
    if hi < length:
        space = text.rfind(" ", max(hi - SNAP, end), hi)
        if space >= 0:
            hi = space
    return lo, hi


def excerpt(text: str, spans: Sequence[tuple[int, int]], context: int = CONTEXT) -> Excerpt:
    """The window of `text` around its first span (the mention it is shown for), with every span
    that lies wholly inside the window. `spans` are (start, end) offsets into `text`."""
    if not spans:
        lo, hi = window(text, 0, 0, context)
        return Excerpt(text[lo:hi], lo, hi, (), lo > 0, hi < len(text))
    first = min(spans)
    lo, hi = window(text, first[0], first[1], context)
    inside = tuple(sorted({(s - lo, e - lo) for s, e in spans if lo <= s and e <= hi}))
    return Excerpt(text[lo:hi], lo, hi, inside, lo > 0, hi < len(text))


def excerpt_text(text: str, span: tuple[int, int], context: int = CONTEXT) -> str:
    """The window as plain text, each cut marked with `CUT` (for exports)."""
    return marked(excerpt(text, [span], context))[0]


def marked(e: Excerpt) -> tuple[str, int]:
    """The excerpt's text with `CUT` where it was cut, and how far the marker before it moves the
    offsets of its spans."""
    before = CUT + " " if e.cut_before else ""
    return before + e.text + (" " + CUT if e.cut_after else ""), len(before)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters of `text` from its start, `CUT` after a cut (table cells)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit - SNAP, limit)
    return text[: cut if cut > 0 else limit] + " " + CUT
