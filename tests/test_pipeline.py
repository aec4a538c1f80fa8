"""Tests for geo.engine.pipeline: any text parses, spans hold, long texts are read by the rules alone."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo.engine.pipeline
from geo.engine.pipeline import Geoparser, without_lone_surrogates

ANY_UNICODE = st.text(st.characters(codec=None, blacklist_categories=()), max_size=300)
PLACEY = st.lists(st.sampled_from(["Kyiv", "near", "Stepne, Donetsk", "(Bulo Burto, Hiraan)", "\ud800", "\udfff",
                                   " ", ", ", ". ", "\n", "Hamas", "shelled", "the village of", "Ü", "𐀀", "'s"]),
                  max_size=40).map("".join)


def check(parser: Geoparser, text: str) -> None:
    parsed = parser.parse(text)
    clean = without_lone_surrogates(text)
    assert len(clean) == len(text)
    for r in parsed:
        m = r.mention
        assert 0 <= m.start < m.end <= len(text) and clean[m.start:m.end] == m.name
        assert r.precision in ("exact", "town", "admin2", "admin1", "country", "unplaced")
        assert (r.lat is None) == (r.precision == "unplaced")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_UNICODE, PLACEY))
def test_any_text_parses_fast(fast_parser: Geoparser, text: str) -> None:
    check(fast_parser, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_UNICODE, PLACEY))
def test_any_text_parses_with_ner(parser: Geoparser, text: str) -> None:
    check(parser, text)


def test_lone_surrogates_keep_offsets(any_mode: Geoparser) -> None:
    text = "Kyiv \ud800 Lviv \udc80 Odesa"
    assert [(r.mention.name, r.mention.start) for r in any_mode.parse(text)] == [
        ("Kyiv", 0), ("Lviv", 7), ("Odesa", 14)]


def test_long_texts_are_read_by_the_rules_alone(parser: Geoparser, monkeypatch: pytest.MonkeyPatch) -> None:
    if parser.ner is None:
        pytest.skip("NER unavailable")
    text = "Shelling hit Kramatorsk, in the Donetsk region. " * 10
    assert parser.mode_for(text) == "ner"
    monkeypatch.setattr(geo.engine.pipeline, "NER_MAX_CHARS", 100)
    assert parser.mode_for(text) == "gazetteer-only"
    calls = []
    monkeypatch.setattr(parser.ner, "spans", lambda *args: calls.append(args) or [])
    assert {r.mention.name for r in parser.parse(text)} == {"Kramatorsk", "Donetsk region"}
    assert calls == []


@pytest.fixture(params=["parser", "fast_parser"])
def any_mode(request: pytest.FixtureRequest) -> Geoparser:
    return request.getfixturevalue(request.param)


def test_progress_says_what_it_does_and_how_far(any_mode: Geoparser) -> None:
    text = "Russian forces shelled Stepne, Donetsk. Fighting near Bakhmut and Lyman. " * 200
    heard: list[tuple[str, float]] = []
    resolved = any_mode.parse(text, progress=lambda stage, fraction: heard.append((stage, fraction)))
    assert resolved and heard[-1] == ("done", 1.0)
    fractions = [f for _, f in heard]
    assert fractions == sorted(fractions) and fractions[0] == 0.0
    stages = " | ".join(stage for stage, _ in heard)
    assert "gazetteer" in stages and "placing" in stages
    if any_mode.ner is not None:
        assert "named-entity recognition" in stages and " of " in stages
