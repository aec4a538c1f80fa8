"""The text of the server-side PNG: its header (title and date), footer (sources, what lies outside, the
credit) and the plain-text helpers every label uses.

Text that does not fit is made smaller first, then shortened at a word boundary with "…" (never cut
mid-word); the sources line shortens the longest titles first and keeps every file name while it can,
then counts the sources it leaves out ("and 2 more"). Names are drawn as plain text, never as
matplotlib mathtext, so "$x$" stays "$x$".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

INK, MUTED = "#1c1c1c", "#5f6368"
TITLE_MIN_FONTSIZE = 15.0


def plain_text(where, x: float, y: float, s: str, **kwargs) -> Text:
    """Plain text: no mathtext, no TeX, whatever the string holds ("$x$" stays "$x$")."""
    return where.text(x, y, s, parse_math=False, usetex=False, **kwargs)


def one_line(s: str) -> str:
    return " ".join(s.split())


def shorten_to_fit(text: str, fits: Callable[[str], bool]) -> str:
    """The longest run of whole words of `text` that `fits` with "…" after it ("…" alone when not even
    one word does; a single word longer than the room is cut in the word, as there is no boundary)."""
    if fits(text):
        return text
    words = text.split(" ")
    lo, hi = 0, len(words) - 1
    while lo < hi:          # the most words that fit, by bisection
        mid = (lo + hi + 1) // 2
        if fits(_ellipsis(" ".join(words[:mid]))):
            lo = mid
        else:
            hi = mid - 1
    if lo > 0:
        return _ellipsis(" ".join(words[:lo]))
    word = words[0]
    lo, hi = 0, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(word[:mid] + "…"):
            lo = mid
        else:
            hi = mid - 1
    return word[:lo] + "…"


def _ellipsis(words: str) -> str:
    return words.rstrip(" ,;:–-—(") + "…"


def fit_width(t: Text, renderer, max_width: float, min_fontsize: float | None = None) -> str:
    """Make `t` fit in `max_width` pixels: first a smaller font (down to `min_fontsize`), then
    shortened at a word boundary with an ellipsis. Returns the text as drawn."""
    if t.get_window_extent(renderer).width <= max_width:
        return t.get_text()
    if min_fontsize is not None:
        size = t.get_fontsize()
        width = t.get_window_extent(renderer).width
        t.set_fontsize(max(min_fontsize, size * max_width / width * 0.98))
        if t.get_window_extent(renderer).width <= max_width:
            return t.get_text()
    t.set_text(shorten_to_fit(t.get_text(), lambda s: _width(t, renderer, s) <= max_width))
    return t.get_text()


def _width(t: Text, renderer, s: str) -> float:
    t.set_text(s)
    return t.get_window_extent(renderer).width


def sources_line(sources: Sequence[tuple[str, str]], shortened: Sequence[int] | None = None, left_out: int = 0) -> str:
    """"Sources: Title (file.txt); Other title (pasted text)" (plain text, one line): each title cut to
    its first `shortened[i]` words (with "…") when given, and "and N more" for the last `left_out`."""
    items = []
    for title, name in _unique(sources):
        items.append((title, name))
    kept = items[:len(items) - left_out] if left_out else items
    parts = []
    for i, (title, name) in enumerate(kept):
        words = title.split(" ")
        if shortened is not None and shortened[i] < len(words):
            title = _ellipsis(" ".join(words[:shortened[i]])) if shortened[i] else "…"
        parts.append(f"{title} ({name})" if name and name != title else title)
    if not parts:
        return ""
    more = f" and {left_out} more" if left_out else ""
    return ("Sources: " if len(items) > 1 else "Source: ") + "; ".join(parts) + more


def _unique(sources: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for title, name in sources:
        item = (one_line(title), one_line(name))
        item = item if item[1] != item[0] else (item[0], "")
        if (item[0] or item[1]) and item not in out:
            out.append(item)
    return out


def fit_sources(sources: Sequence[tuple[str, str]], fits: Callable[[str], bool]) -> str:
    """The sources line that `fits`: the longest titles lose words first (each keeps its file name),
    then the last sources are left out and counted ("and 2 more")."""
    items = _unique(sources)
    words = [len(title.split(" ")) for title, _ in items]
    left_out = 0
    while True:
        shown = words[:len(items) - left_out]
        text = sources_line(items, shown, left_out)
        if fits(text) or not shown:
            return text
        longest = max(range(len(shown)), key=lambda i: (shown[i], -i))
        if shown[longest] > 1:
            # a long title gives up several words at once: the cost stays linear in the words
            shown[longest] -= max(1, shown[longest] // 4)
            words[longest] = shown[longest]
        else:
            left_out += 1


def draw_header(fig: Figure, renderer, title: str, subtitle: str, margin: float, header: float,
                width_px: int) -> tuple[str, str]:
    """The title (smaller when long, down to 15 pt, then shortened at a word) and the date line, as drawn."""
    height = fig.bbox.height
    tf = IdentityTransform()
    t = plain_text(fig, margin, height - 0.24 * header, one_line(title), transform=tf, ha="left",
                   va="center_baseline", fontsize=21, fontweight="bold", color=INK)
    drawn_title = fit_width(t, renderer, width_px - 2 * margin, min_fontsize=TITLE_MIN_FONTSIZE)
    s = plain_text(fig, margin, height - 0.62 * header, one_line(subtitle), transform=tf, ha="left",
                   va="center_baseline", fontsize=12, color=MUTED)
    return drawn_title, fit_width(s, renderer, width_px - 2 * margin)


def draw_footer(fig: Figure, renderer, credit: str, note: str, margin: float, footer: float,
                width_px: int, lines: Sequence[str] = (), line: float = 17.0,
                sources: Sequence[tuple[str, str]] = ()) -> tuple[str, ...]:
    """The credit at the bottom right (it gets the room it needs: a licence asks for it), the count of
    places at the bottom left when there is room left for it, and above them `lines` (what lies
    outside the view) and the sources, each shortened to the width if need be. Returns the lines
    above the credit as drawn."""
    tf = IdentityTransform()
    base = min(footer, 34 * line / 17) * 0.42
    room = width_px - 2 * margin
    drawn = []
    rows = [*lines, *(["sources"] if _unique(sources) else [])]
    for n, text in enumerate(reversed(rows)):
        is_sources = n == 0 and bool(_unique(sources))
        ink = MUTED if is_sources else INK
        t = plain_text(fig, margin, base + line * (n + 1), "", transform=tf, ha="left",
                       va="center_baseline", fontsize=9.5, color=ink)
        if is_sources:
            whole = sources_line(sources)
            t.set_text(whole)
            if _width(t, renderer, whole) > room:
                t.set_fontsize(max(8.0, 9.5 * room / t.get_window_extent(renderer).width * 0.98))
            t.set_text(fit_sources(sources, lambda s, t=t: _width(t, renderer, s) <= room))
            drawn.append(t.get_text())
        else:
            t.set_text(one_line(text))
            drawn.append(fit_width(t, renderer, room, min_fontsize=7.0))
    c = plain_text(fig, width_px - margin, base, one_line(credit), transform=tf, ha="right",
                   va="center_baseline", fontsize=8.5, color=MUTED)
    fit_width(c, renderer, room, min_fontsize=5.0)
    left = room - c.get_window_extent(renderer).width - 20
    n = plain_text(fig, margin, base, note, transform=tf, ha="left", va="center_baseline",
                   fontsize=c.get_fontsize(), color=MUTED)
    if n.get_window_extent(renderer).width > left:
        n.remove()
    return tuple(reversed(drawn))


def counts_note(mapped: int, unresolved: int, outside: int, approximate: int = 0) -> str:
    parts = [f"{mapped} place{'s' if mapped != 1 else ''} on the map"]
    if approximate:
        parts.append(f"{approximate} approximate")
    if outside:
        parts.append(f"{outside} outside this view")
    if unresolved:
        parts.append(f"{unresolved} without coordinates not shown")
    return " · ".join(parts)
