"""An article's date and how it was found: the record's own `date`, else the page's metadata or a
dateline (`geo.files.articles` finds those, the same for loose articles in the dashboard), else undated.

    >>> from geo.files.articles import article_from_text
    >>> article_date("2022-04-21T09:30:00Z", article_from_text("Shelling hit Kyiv."))
    ('2022-04-21', 'record')
    >>> article_date("", article_from_text("KYIV, 3 May 2022 - Shelling hit the city."))
    ('2022-05-03', 'dateline')
    >>> article_date(None, article_from_text("Shelling hit Kyiv."))
    ('', '')
"""

from __future__ import annotations

from geo.files.articles import Article, iso_day, story_date


def record_day(value: object) -> str:
    """The day a record's `date` field gives ("2022-04-21", "2022-04-21T09:30:00+03:00", "21 April
    2022", "April 21, 2022"), or "" when it gives none (empty, not a string, ambiguous like 04/05/2022)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return iso_day(value) or story_date(value.strip()[:60])


def article_date(record_value: object, article: Article) -> tuple[str, str]:
    """(ISO day, how it was found) of an article: "record" (the input's `date`), the article's own
    (`Article.date_source`: a meta tag's name, "json-ld", "time" or "dateline"), or ("", "")."""
    day = record_day(record_value)
    if day:
        return day, "record"
    if article.date:
        return article.date, article.date_source or "dateline"
    return "", ""
