"""Tests for geo.engine.cues: the organisations lexicon."""

from __future__ import annotations

import pytest

from geo.engine.cues import is_organisation, organisations


@pytest.mark.parametrize("name", ["Hamas", "Hezbollah", "Hizbollah", "the Wagner Group", "Wagner", "al-Shabaab",
                                  "Al Shabaab", "Islamic State", "ISIS", "RSF", "Houthis", "OSCE", "WHO"])
def test_organisations(name: str) -> None:
    assert is_organisation(name)


@pytest.mark.parametrize("name", ["Kyiv", "Gaza", "who", "Who", "Is", "Hamm", "Rafah", "Azov", "Sea of Azov"])
def test_places_and_words_are_not_organisations(name: str) -> None:
    assert not is_organisation(name)


def test_acronyms_match_only_in_capitals() -> None:
    names, acronyms = organisations()
    assert "WHO" in acronyms and "who" not in names
