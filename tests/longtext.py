"""A long article with no sentence end and its places, built without the parser: the worst case for
anything that repeats a passage per place or per mention (shared by the size tests)."""

from __future__ import annotations

import re

from geo.files.articles import Article, article_from_text, split_passages
from geo.map.places import MentionRef, Place

TOWNS = {"Kramatorsk": (48.7232, 37.5563, 703448), "Sloviansk": (48.8533, 37.6053, 700051),
         "Bakhmut": (48.5947, 38.0003, 712451)}


def long_text(kb: int) -> str:
    """About `kb` KB of one sentence: "Shelling hit Kramatorsk, Sloviansk and Bakhmut, and ..."."""
    clause = "Shelling hit Kramatorsk, Sloviansk and Bakhmut, and "
    return clause * (kb * 1000 // len(clause) + 1) + "the sirens went on."


def long_article(kb: int, title: str | None = None, source: str = "long.txt") -> Article:
    article = article_from_text(long_text(kb), source=source, title=title)
    assert len(split_passages(article)) == 1
    return article


def long_places(article: Article) -> list[Place]:
    """One exact place per town, every mention of it in the article's one passage."""
    [passage] = split_passages(article)
    places = []
    for name, (lat, lon, gid) in TOWNS.items():
        mentions = tuple(MentionRef(article.id, article.title, article.source, m.start(), m.end(), name, passage, 0.9)
                         for m in re.finditer(name, article.text))
        places.append(Place(key=f"gn:{gid}", name=name, kind="city", lat=lat, lon=lon, country="UA",
                            geonameid=gid, confidence=0.9, mentions=mentions, alternatives=(), source="test"))
    return places
