"""What a shared map says it shows: a title and the dates that describe every scene and event on it.

    >>> from geo.map.heading import story_title, story_dates
    >>> story_title(articles, places, story_frame(places))    # a digest of three stories far apart
    'Mali, Somalia and Myanmar'
    >>> story_date_line(story_dates(articles, places), today)  # geo.map.views: the span, not the first date
    'January–May 2022'

The title is the article's own when one article tells one story; the scenes' countries (in the order the
text names them) when the frame holds several scenes (geo.map.frame); the country and its most-mentioned
places when several articles tell one story. The dates are the articles' own and those of the events
reported at the places shown, so that a digest of notes from January to May is not dated by its first note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from geo.files.articles import Article
from geo.map.frame import CONTEXT_KINDS, Scene, StoryFrame
from geo.map.places import Place
from geo.map.story_view import country_name

TITLE_MAX_CHARS = 80
FALLBACK_TITLE = "Places in the news"
TOP_PLACES = 3          # places named after the country in the title of several articles


def shorten_words(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """`text` on one line, cut at a word boundary with "…" when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def story_title(articles: Sequence[Article], places: Sequence[Place], frame: StoryFrame | None) -> str:
    """The default title of a shared map of `places` (those shown), framed by `frame`."""
    scenes = frame.scenes if frame is not None else ()
    by_key = {p.key: p for p in places}
    if len(scenes) > 1:
        order = {a.id: i for i, a in enumerate(articles)}
        ordered = sorted(scenes, key=lambda s: _first_named(s, by_key, order))
        names = [country_name(s.country) if s.country else _heaviest(s, by_key) for s in ordered]
        if len(set(names)) < len(names):       # two scenes in one country: named by their places
            names = [_heaviest(s, by_key) for s in ordered]
        return shorten_words(join_names(list(dict.fromkeys(names))))
    if len(articles) == 1 and articles[0].title.strip():
        return shorten_words(articles[0].title)
    if scenes:
        core = [by_key[k] for k in scenes[0].core if k in by_key and by_key[k].kind not in CONTEXT_KINDS]
        core.sort(key=lambda p: (-p.mention_count, p.name))
        top = join_names([p.name for p in core[:TOP_PLACES]])
        country = country_name(scenes[0].country) if scenes[0].country else ""
        return shorten_words(f"{country}: {top}" if country and top else country or top or FALLBACK_TITLE)
    return FALLBACK_TITLE


def _first_named(scene: Scene, by_key: dict[str, Place], order: dict[str, int]) -> tuple[int, int]:
    """Where the text first names a place of the scene: (article's position, offset)."""
    seen = [(order.get(m.article_id, len(order)), m.start) for k in scene.core if k in by_key
            for m in by_key[k].mentions if m is not None]
    return min(seen, default=(len(order), 0))


def _heaviest(scene: Scene, by_key: dict[str, Place]) -> str:
    places = [by_key[k] for k in scene.core if k in by_key]
    return max(places, key=lambda p: (p.mention_count, p.name)).name if places else ""


BACKGROUND_DAYS = 31    # an event dated this long before every article's own date is background


def story_dates(articles: Sequence[Article], places: Sequence[Place]) -> list[str]:
    """The articles' own dates and the dates of the events reported at `places` (ISO days). Where the
    articles have dates of their own, an event dated more than BACKGROUND_DAYS before the earliest is
    background ("the invasion began on 24 February 2022"), and one dated after the latest counts only
    when that date was read from the text's first lines (a digest's first note), not from the page's
    metadata (a report cannot tell what happened after it was published)."""
    own = sorted(a.date for a in articles if a.date)
    events = [m.event.date for p in places for m in p.mentions
              if m is not None and m.event is not None and m.event.date]
    if own:
        earliest = (dt.date.fromisoformat(own[0]) - dt.timedelta(days=BACKGROUND_DAYS)).isoformat()
        published = [a.date for a in articles if a.date and a.date_source != "dateline"]
        latest = max(published) if len(published) == len(own) else "9999-12-31"
        events = [d for d in events if earliest <= d <= latest]
    return own + events
