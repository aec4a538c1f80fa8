"""Tests for geo.map.heading: a shared map's default title and dates describe every scene and event on it
(issue 16, items 2 and 8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from stories import DIGEST, THREE_REPORTS

from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text
from geo.map.frame import story_frame
from geo.map.heading import FALLBACK_TITLE, shorten_words, story_dates, story_title
from geo.map.places import places_for
from geo.map.views import story_date_line

TODAY = dt.date(2026, 12, 1)


def heading(articles: list[Article], parser: Geoparser) -> tuple[str, str]:
    places = places_for(articles, parser)
    title = story_title(articles, places, story_frame(places))
    return title, story_date_line(story_dates(articles, places), TODAY)


def test_three_reports_pasted_together_are_titled_and_dated_by_all_three(fast_parser: Geoparser) -> None:
    article = article_from_text(THREE_REPORTS)
    assert article.title == "Mali: attack near Mopti" and article.date == "2023-03-03"    # the first only
    assert heading([article], fast_parser) == ("Mali, Somalia and Myanmar", "3–17 March 2023")


def test_a_digest_of_five_months_is_dated_by_its_span(fast_parser: Geoparser) -> None:
    article = article_from_text(DIGEST)
    assert article.date == "2022-01-12"            # the first note's date: the article's own
    assert heading([article], fast_parser) == ("Notes from the Sahel desk", "January–May 2022")


def test_long_spans_are_said_in_months() -> None:
    assert story_date_line(["2022-01-12", "2022-05-27"], TODAY) == "January–May 2022"
    assert story_date_line(["2021-11-02", "2022-03-01"], TODAY) == "November 2021 – March 2022"
    assert story_date_line(["2022-03-30", "2022-04-02"], TODAY) == "30 March – 2 April 2022"


def test_several_articles_of_one_story_are_titled_by_its_country_and_places(
        fast_parser: Geoparser, seed_a: Article, seed_b: Article) -> None:
    title, _ = heading([seed_a, seed_b], fast_parser)
    assert title != FALLBACK_TITLE and title.startswith("Ukraine: ") and "Mariupol" in title


def test_one_article_keeps_its_title_cut_at_a_word() -> None:
    long = "President Vladimir Putin has ordered Russian forces to cancel their plans to storm a Mariupol steel plant"
    short = shorten_words(long)
    assert short.endswith("…") and len(short) <= 81
    assert long.startswith(short[:-1]) and long[len(short) - 1] == " "       # cut before a space, not in a word
    article = article_from_text(long + "\n\nShelling hit Kyiv.")
    assert story_title([article], [], None) == short
    assert story_title([], [], None) == FALLBACK_TITLE


@pytest.mark.parametrize("text", ["word " * 30, "Supercalifragilistic " * 5, "a, b; c – d " * 12])
def test_shortened_titles_end_on_a_whole_word(text: str) -> None:
    short = shorten_words(text, 40)
    whole, body = " ".join(text.split()), short.removesuffix("…")
    assert short.endswith("…") and len(short) <= 41 and whole.startswith(body)
    assert whole[len(body)] in " ,;:–-"          # the next character ends a word: none was cut in two


def test_a_dated_report_is_not_stretched_by_its_background_dates(fast_parser: Geoparser) -> None:
    report = ("Shelling hit Kramatorsk on 20 April 2022, officials said.\n\n"
              "Russian forces captured Kherson on 2 March 2022, after days of fighting.")
    article = replace(article_from_text(report), date="2022-04-21", date_source="article:published_time")
    _, date_line = heading([article], fast_parser)
    assert date_line == "20–21 April 2022"          # not "2 March – 21 April 2022"
