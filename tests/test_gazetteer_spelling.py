"""Tests for geo.gazetteer.spelling: names spelt another way find the gazetteer's entry."""

from __future__ import annotations

import pytest

from geo.gazetteer import PlaceIndex
from geo.gazetteer.spelling import SpellingIndex, spelling_key


@pytest.mark.parametrize(("a", "b"), [
    ("Zaporizhia", "Zaporizhzhia"), ("Kryvyi Rih", "Kryvyy Rih"), ("Mykhaylivka", "Mykhailivka"),
    ("Khan Younis", "Khān Yūnis"), ("Beit Lahia", "Bayt Lāhyā"), ("Avdiivka", "Avdiyivka"),
    ("al-Mawasi", "Mawasi"), ("Kharkiv", "Kharkov".replace("ov", "iv")),
])
def test_transliterations_share_a_key(a: str, b: str) -> None:
    assert spelling_key(a) == spelling_key(b)


@pytest.mark.parametrize(("a", "b"), [("Kyiv", "Kiev"), ("Paris", "Perm"), ("Sumy", "Sambir"), ("Lviv", "Lima")])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert spelling_key(a) != spelling_key(b)


def test_the_index_finds_rows_by_another_spelling(index: PlaceIndex) -> None:
    names = {index.entry(r).name for r in index.spelling_rows("Zaporizhia")}
    assert "Zaporizka oblast" in names
    assert index.spelling_rows("Xqzzyplorbville") == ()
    assert index.spelling_rows("ab") == ()          # too short to mean anything


def test_spelling_index_build_and_lookup() -> None:
    built = SpellingIndex.build([("Zaporizhzhia", [3, 1]), ("Zaporizhzhya", [2]), ("Kyiv", [7])])
    assert sorted(built.rows("Zaporizhia")) == [1, 2, 3]
    assert built.rows("Kyiv") == (7,) and built.rows("Lviv") == ()
    assert len(built) == 4
