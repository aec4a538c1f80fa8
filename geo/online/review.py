"""Second opinions from an online geocoder for an article's mentions: by default only for those the
gazetteer could not place or placed only approximately; any one on request. The answers are
candidates for review: nothing here changes the engine's results (a user accepts one by making an
"online" correction, see geo.store.corrections).

    >>> review = second_opinions(geocoder, parser.parse(text), index)
    >>> for start, result in review.results.items(): ...
    >>> review.messages          # each failure said once: show them, keep the offline results
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.engine.resolve import ResolvedMention
from geo.gazetteer import PlaceIndex
from geo.online.geocoder import OnlineGeocoder, OnlineResult
from geo.online.query import structured_query


@dataclass(frozen=True)
class OnlineReview:
    """The answers by mention start, what went wrong (each said once), and how many requests went out."""

    results: dict[int, OnlineResult]
    messages: tuple[str, ...] = ()
    requests: int = 0

    @property
    def failed(self) -> bool:
        return any(not r.ok for r in self.results.values())


def needs_second_opinion(r: ResolvedMention) -> bool:
    """Unplaced or approximate, not a demonym ("Ukrainian"), not already corrected by the user."""
    return r.precision != "exact" and not r.mention.demonym and r.correction is None


def second_opinions(geocoder: OnlineGeocoder, resolved: Sequence[ResolvedMention], index: PlaceIndex, *,
                    starts: Iterable[int] | None = None) -> OnlineReview:
    """Ask `geocoder` about the mentions of one article that need it (see `needs_second_opinion`),
    or about those starting at `starts` (a user's request). Mentions asking the same query share
    one answer (and the cache makes a later run free)."""
    wanted = set(starts) if starts is not None else None
    before = geocoder.requests
    results: dict[int, OnlineResult] = {}
    for r in resolved:
        if (r.mention.start in wanted) if wanted is not None else needs_second_opinion(r):
            results[r.mention.start] = geocoder.lookup(structured_query(r, resolved, index))
    return OnlineReview(results, tuple(geocoder.messages()), geocoder.requests - before)
