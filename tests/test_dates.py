"""Tests for geo.engine.events.dates: every date form, resolved against the article's date, and no
year ever guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.engine.events.dates import find_dates, month_first


def one(text: str, article_date: str | None = None) -> tuple[str | None, str]:
    found = find_dates(text, article_date)
    assert len(found) == 1, found
    d = found[0]
    assert text[d.start:d.end] == d.text
    return d.date, d.source


@pytest.mark.parametrize(("text", "expected"), [
    ("On 12 January 2022, troops moved.", "2022-01-12"),
    ("On 12th of January, 2022, troops moved.", "2022-01-12"),
    ("On January 12, 2022, troops moved.", "2022-01-12"),
    ("On Jan. 12 2022 troops moved.", "2022-01-12"),
    ("On Sept 3rd 2019 troops moved.", "2019-09-03"),
    ("Published 2022-01-12 in the paper.", "2022-01-12"),
    ("Report of 12/01/2022 by the mission.", "2022-01-12"),
    ("Report of 12.01.2022 by the mission.", "2022-01-12"),
    ("Report of 25/12/21 by the mission.", "2021-12-25"),
])
def test_explicit_dates_are_read_from_the_text(text: str, expected: str) -> None:
    assert one(text) == (expected, "text")


def test_numeric_dates_follow_the_texts_convention() -> None:
    text = "Filed 01/13/2022. Updated 02/03/2022."
    assert month_first(text)
    assert [d.date for d in find_dates(text)] == ["2022-01-13", "2022-02-03"]
    assert [d.date for d in find_dates("Filed 13/01/2022. Updated 02/03/2022.")] == ["2022-01-13", "2022-03-02"]


def test_a_date_without_a_year_takes_the_articles_year() -> None:
    assert one("On January 2, fighting resumed.", "2022-03-10") == ("2022-01-02", "text")
    assert one("On 2 January fighting resumed.", "2022-03-10") == ("2022-01-02", "text")
    # a day after the article's date belongs to the year before
    assert one("On December 30, fighting resumed.", "2022-01-04") == ("2021-12-30", "text")


def test_a_date_without_a_year_takes_the_year_of_a_full_date_before_it() -> None:
    dates = find_dates("On 3 May 2021 the town fell. On May 5 the army returned.")
    assert [d.date for d in dates] == ["2021-05-03", "2021-05-05"]


def test_a_year_is_never_guessed() -> None:
    assert one("On September 2, gunmen entered the village.") == (None, "text")
    assert one("18 July. A driver was shot.") == (None, "text")


@pytest.mark.parametrize(("text", "expected"), [
    ("Shelling resumed yesterday.", "2022-03-09"),
    ("Shelling resumed today.", "2022-03-10"),
    ("Shelling resumed overnight.", "2022-03-09"),
    ("Shelling resumed last night.", "2022-03-09"),
    ("Shelling resumed on Tuesday.", "2022-03-08"),       # 10 March 2022 was a Thursday
    ("Shelling resumed on Thursday.", "2022-03-10"),
    ("Shelling resumed on Friday.", "2022-03-04"),
    ("Shelling resumed two days ago.", "2022-03-08"),
    ("Shelling resumed 3 days ago.", "2022-03-07"),
])
def test_relative_dates_are_resolved_against_the_article_date(text: str, expected: str) -> None:
    assert one(text, "2022-03-10") == (expected, "relative")


def test_last_week_is_a_week_before_with_week_precision() -> None:
    (d,) = find_dates("Shelling resumed last week.", "2022-03-10")
    assert (d.date, d.source, d.precision) == ("2022-03-03", "relative", "week")


def test_relative_dates_without_an_article_date_stay_unresolved() -> None:
    assert one("Shelling resumed yesterday.") == (None, "relative")
    assert one("Shelling resumed on Thursday.") == (None, "relative")


def test_the_next_day_counts_from_the_date_written_before_it() -> None:
    dates = find_dates("On 3 May 2021 the town fell. The next day the army returned. The day before, it rained.")
    assert [(d.date, d.source) for d in dates] == [("2021-05-03", "text"), ("2021-05-04", "relative"),
                                                   ("2021-05-02", "relative")]


def test_numbers_that_are_not_dates_are_left_alone() -> None:
    assert find_dates("A convoy of 12 trucks moved 30 km on road 12/7 near May 5 km marker.") == []
    assert find_dates("On 31 February 2022 nothing happened.")[0].date is None


@given(st.text(max_size=200))
def test_any_text_gives_spans_that_hold(text: str) -> None:
    for d in find_dates(text, "2022-03-10"):
        assert text[d.start:d.end] == d.text
        assert d.source in ("text", "relative")
