"""Tests for geo/map/story_view.py: country names, the "This story is about" link parameter, the
estimate in words and its evidence rows."""

from __future__ import annotations

from geo.engine.story import Evidence, StoryCountries
from geo.map.story_view import (
    country_name,
    country_names,
    estimate_line,
    evidence_rows,
    focus_choices,
    focus_from_params,
    focus_to_params,
    valid_country,
)


def test_country_names_are_by_iso_code() -> None:
    names = country_names()
    assert names["UA"] == "Ukraine" and names["ML"] == "Mali" and len(names) > 240
    assert country_name("ZZ") == "ZZ"


def test_focus_choices_start_with_automatic_then_by_name() -> None:
    choices = focus_choices()
    assert choices[0] == "" and set(choices[1:]) == set(country_names())
    named = [country_name(c) for c in choices[1:]]
    assert named == sorted(named)


def test_only_known_codes_as_written_are_a_focus() -> None:
    assert focus_from_params({"country": "ML"}) == "ML"
    for bad in ("ml", "XX", "MLI", "", "<script>", "M L", "ML,BF"):
        assert focus_from_params({"country": bad}) is None, bad
    assert focus_from_params({}) is None
    assert valid_country(["ML"]) is None


def test_focus_goes_into_the_params_only_when_valid() -> None:
    assert focus_to_params({"a": "x"}, "ML") == {"a": "x", "country": "ML"}
    assert focus_to_params({"a": "x"}, "") == {"a": "x"}
    assert focus_to_params({"a": "x"}, "<b>") == {"a": "x"}


def test_estimate_line_names_the_best_country_then_the_others() -> None:
    story = StoryCountries.of([Evidence("actor", "JNIM", ("ML", "BF", "NE"), 1.0, 0),
                               Evidence("place", "Bamako", ("ML",), 1.0, 10)])
    assert estimate_line(story) == "Mali (also Burkina Faso, Niger)"
    assert estimate_line(StoryCountries.of([])) == "no estimate"
    focused = StoryCountries.of([Evidence("focus", "focus", ("SO",), 100.0), Evidence("place", "Kyiv", ("UA",))])
    assert estimate_line(focused) == "Somalia"


def test_evidence_rows_count_the_same_clue_once_strongest_first() -> None:
    story = StoryCountries.of([Evidence("place", "Kyiv", ("UA",), 1.0, 5),
                               Evidence("demonym", "Russian", ("RU",), 1.0, 9),
                               Evidence("place", "Kyiv", ("UA",), 1.0, 40),
                               Evidence("focus", "focus", ("UA",), 100.0)])
    rows = evidence_rows([("<b>A title</b>", story)])
    assert rows[0] == {"article": "<b>A title</b>", "clue": "your choice", "words": "", "countries": "Ukraine",
                       "times": 1}
    assert rows[1] == {"article": "<b>A title</b>", "clue": "place", "words": "Kyiv", "countries": "Ukraine",
                       "times": 2}
    assert rows[2]["words"] == "Russian" and rows[2]["countries"] == "Russia" and rows[2]["clue"] == "demonym"
    assert evidence_rows([]) == []
