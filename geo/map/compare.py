"""Compare two articles (e.g. two versions of one story): which places and passages each has.

    >>> from geo.map.compare import compare_articles
    >>> result = compare_articles(places, article_a.id, article_b.id)
    >>> result.status(place)          # "only A", "only B" or "both"
    >>> result.passages               # passage pairs: same, changed, only A, only B
    >>> result.events                 # the events only one version reports

Places are compared by entity (the same resolved place), and counted apart when placed and when not;
passages by their text, so that an edited sentence shows as "changed" next to its earlier wording
instead of as two unrelated rows, a sentence that only moved as "moved" (once, where B has it) instead
of as "only A" and "only B", and the page's furniture ("Play video", "Share this article":
geo.files.furniture) as such, not as a passage of the story; events by what happened where (the
place, the sub-type and the date), so that a reworded report of the same shelling is no difference,
and a second shelling of the same town on the same day is one.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geo.files.articles import Article, Passage, split_passages
from geo.files.furniture import is_page_furniture
from geo.map.excerpts import clip
from geo.map.places import Place

ONLY_A, ONLY_B, BOTH = "only A", "only B", "both"
SAME, CHANGED, MOVED, FURNITURE = "same", "changed", "moved", "page furniture"
PASSAGE_STATUSES = (ONLY_A, ONLY_B, MOVED, CHANGED, SAME, FURNITURE)
EVENT_PASSAGE = 300        # characters of an event's passage in its row
CHANGED_SIMILARITY = 0.6   # passages this similar (difflib ratio over words) are one edited passage


@dataclass(frozen=True)
class PassagePair:
    """A passage of A and/or B, aligned: `status` is same, changed, moved (the same words elsewhere in B),
    only A, only B, or page furniture (a control or label of the page, not the story)."""

    status: str
    a: Passage | None
    b: Passage | None
    similarity: float
    places: tuple[str, ...]      # names of the places the passage(s) mention


@dataclass(frozen=True)
class EventDifference:
    """An event only one version reports: `status` is only A or only B."""

    status: str
    place: str
    event_type: str
    sub_event_type: str
    date: str
    trigger: str
    passage: str

    def row(self) -> dict:
        return {"version": self.status, "place": self.place, "event": self.sub_event_type,
                "type": self.event_type, "date": self.date, "trigger": self.trigger,
                "passage": clip(self.passage, EVENT_PASSAGE)}


@dataclass(frozen=True)
class Comparison:
    article_a: str
    article_b: str
    place_status: dict[str, str]          # Place.key -> only A / only B / both
    passages: tuple[PassagePair, ...]
    events: tuple[EventDifference, ...] = ()
    unplaced: frozenset[str] = frozenset()    # the keys of the names found but not placed

    def status(self, place: Place) -> str | None:
        return self.place_status.get(place.key)

    def counts(self) -> dict[str, int]:
        """Placed places only in A, only in B and in both: those the map and the table show."""
        return self._count(placed=True)

    def unplaced_counts(self) -> dict[str, int]:
        """The names found but not placed, likewise."""
        return self._count(placed=False)

    def _count(self, *, placed: bool) -> dict[str, int]:
        out = {ONLY_A: 0, ONLY_B: 0, BOTH: 0}
        for key, s in self.place_status.items():
            if (key not in self.unplaced) == placed:
                out[s] += 1
        return out


def place_statuses(places: Sequence[Place], article_a: str, article_b: str) -> dict[str, str]:
    """For places mentioned by A or B: whether only A, only B or both mention them."""
    out = {}
    for p in places:
        ids = set(p.article_ids)
        in_a, in_b = article_a in ids, article_b in ids
        if in_a or in_b:
            out[p.key] = BOTH if in_a and in_b else ONLY_A if in_a else ONLY_B
    return out


def event_differences(places: Sequence[Place], article_a: str, article_b: str) -> list[EventDifference]:
    """The events one article reports and the other does not, A's first, each in reading order. An
    event is what happened where: (place, sub-type, date); each version's reports of it pair off with
    the other's, so that a third shelling of a town B reports twice is one difference (the report whose
    sentence B lacks)."""
    found: dict[str, list[tuple[int, tuple, EventDifference]]] = {article_a: [], article_b: []}
    for p in places:
        for m in p.mentions:
            e = m.event
            if e is None or m.article_id not in found:
                continue
            found[m.article_id].append((m.start, (p.key, e.sub_event_type, e.date or ""), EventDifference(
                "", p.name, e.event_type, e.sub_event_type, e.date or "", e.trigger, m.passage.text)))
    out = []
    for art, other, status in ((article_a, article_b, ONLY_A), (article_b, article_a, ONLY_B)):
        # The other version's reports of each event pair off with this one's: those in the same
        # sentence first, then in reading order; what is left over is this version's alone.
        left = Counter(what for _, what, _ in found[other])
        same = Counter((what, d.passage) for _, what, d in found[other])
        items = sorted(found[art], key=lambda item: item[0])
        paired = [False] * len(items)
        for i, (_, what, d) in enumerate(items):
            if same[what, d.passage] > 0 and left[what] > 0:
                same[what, d.passage] -= 1
                left[what] -= 1
                paired[i] = True
        for i, (_, what, d) in enumerate(items):
            if paired[i]:
                continue
            if left[what] > 0:
                left[what] -= 1
            else:
                out.append(replace(d, status=status))
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def align_passages(a: Sequence[Passage], b: Sequence[Passage]) -> list[tuple[Passage | None, Passage | None, float]]:
    """Align two passage lists in order: equal runs first (difflib over normalised passages),
    then, inside each differing stretch, pair passages by best word similarity."""
    norm_a = [" ".join(_words(p.text)) for p in a]
    norm_b = [" ".join(_words(p.text)) for p in b]
    out: list[tuple[Passage | None, Passage | None, float]] = []
    matcher = difflib.SequenceMatcher(a=norm_a, b=norm_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend((a[i], b[j1 + k], 1.0) for k, i in enumerate(range(i1, i2)))
            continue
        out.extend(_pair_block(a[i1:i2], b[j1:j2], norm_a[i1:i2], norm_b[j1:j2]))
    return out


def _pair_block(a, b, na, nb):
    """Greedy best-similarity pairing inside a differing stretch, kept in reading order."""
    scores = []
    for i, x in enumerate(na):
        for j, y in enumerate(nb):
            ratio = difflib.SequenceMatcher(a=x.split(), b=y.split(), autojunk=False).ratio()
            if ratio >= CHANGED_SIMILARITY:
                scores.append((ratio, i, j))
    scores.sort(reverse=True)
    pair_of_a: dict[int, tuple[int, float]] = {}
    used_b: set[int] = set()
    for ratio, i, j in scores:
        if i not in pair_of_a and j not in used_b:
            pair_of_a[i] = (j, ratio)
            used_b.add(j)
    out = []
    next_b = 0
    for i, pa in enumerate(a):
        if i in pair_of_a:
            j, ratio = pair_of_a[i]
            for k in range(next_b, j):      # B passages before the partner have no partner
                if k not in used_b:
                    out.append((None, b[k], 0.0))
            next_b = max(next_b, j + 1)
            out.append((pa, b[j], ratio))
        else:
            out.append((pa, None, 0.0))
    for k in range(next_b, len(b)):
        if k not in used_b:
            out.append((None, b[k], 0.0))
    return out


def moved_passages(aligned: Sequence[tuple[Passage | None, Passage | None, float]]
                   ) -> list[tuple[Passage | None, Passage | None, float, bool]]:
    """The alignment with each passage only A has and only B has in the same words (a sentence that
    moved) paired, at B's place, with ratio 1.0 and True (moved); A's copies and B's pair off in
    reading order, in linear time (by the passages' normalised words)."""
    only_a: dict[str, list[int]] = {}
    for i, (pa, pb, _) in enumerate(aligned):
        if pa is not None and pb is None:
            only_a.setdefault(" ".join(_words(pa.text)), []).append(i)
    partner: dict[int, int] = {}          # B's row -> the row of A's copy it moved from
    for j, (pa, pb, _) in enumerate(aligned):
        if pa is None and pb is not None:
            rows = only_a.get(" ".join(_words(pb.text)))
            if rows:
                partner[j] = rows.pop(0)
    moved_from = set(partner.values())
    return [(aligned[partner[j]][0], pb, 1.0, True) if j in partner else (pa, pb, ratio, False)
            for j, (pa, pb, ratio) in enumerate(aligned) if j not in moved_from]


def compare_articles(places: Sequence[Place], a: Article, b: Article) -> Comparison:
    """Places (by entity) and passages (by text) of article `a` against article `b`."""
    names_by_passage: dict[tuple[str, int], list[str]] = {}
    for p in places:
        for m in p.mentions:
            names = names_by_passage.setdefault((m.article_id, m.passage.index), [])
            if p.name not in names:
                names.append(p.name)
    pairs = []
    for pa, pb, ratio, moved in moved_passages(align_passages(split_passages(a), split_passages(b))):
        names = []
        for art, passage in ((a.id, pa), (b.id, pb)):
            if passage is not None:
                names += [n for n in names_by_passage.get((art, passage.index), []) if n not in names]
        status = _passage_status(pa, pb, ratio, moved, bool(names))
        pairs.append(PassagePair(status, pa, pb, round(ratio, 3), tuple(names)))
    statuses = place_statuses(places, a.id, b.id)
    unplaced = frozenset(p.key for p in places if not p.resolved and p.key in statuses)
    return Comparison(a.id, b.id, statuses, tuple(pairs), tuple(event_differences(places, a.id, b.id)), unplaced)


def _passage_status(pa: Passage | None, pb: Passage | None, ratio: float, moved: bool, names_a_place: bool) -> str:
    if not names_a_place and all(is_page_furniture(p.text) for p in (pa, pb) if p is not None):
        return FURNITURE
    if pa is not None and pb is not None:
        return MOVED if moved else SAME if ratio >= 0.999 else CHANGED
    return ONLY_A if pa is not None else ONLY_B


_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Two wordings of one passage as a list of (op, text): op is "same", "deleted" (only in A) or
    "inserted" (only in B), word by word, whitespace kept ("in which" vs "under which")."""
    wa, wb = _WORDS.findall(a), _WORDS.findall(b)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(wa[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("deleted", "".join(wa[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("inserted", "".join(wb[j1:j2])))
    return [piece for piece in out if piece[1]]


def word_diff_html(a: str, b: str) -> str:
    """The word-level difference as escaped HTML: deletions in <del>, insertions in <ins>."""
    tags = {"same": ("", ""), "deleted": ("<del>", "</del>"), "inserted": ("<ins>", "</ins>")}
    return "".join(f"{tags[op][0]}{html.escape(text)}{tags[op][1]}" for op, text in word_diff(a, b))
