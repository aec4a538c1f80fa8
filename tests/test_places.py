"""Tests for geo.map.places: the places of the two seed articles, grouped across articles with passages."""

from __future__ import annotations

import pytest
from geopy.distance import distance

from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text
from geo.map.places import Place, places_for

SIX_TOWNS = {
    "Mariupol": (47.0971, 37.5434),
    "Kramatorsk": (48.7389, 37.5848),
    "Kreminna": (49.0469, 38.2178),
    "Rubizhne": (49.0128, 38.3789),
    "Popasna": (48.6333, 38.3833),
    "Zaporizhzhia": (47.8388, 35.1396),
}
CAPITALS = {"Kyiv": ("UA", (50.45, 30.52)), "Moscow": ("RU", (55.75, 37.62))}
COUNTRIES = {"Spain": "ES", "Denmark": "DK", "Russia": "RU", "Ukraine": "UA"}
NOT_PLACES = {"Peter Smith", "Smith", "Putin", "Vladimir Putin", "Shoigu", "Zelenskyy", "May",
              "Victory Day", "Victory", "Thursday", "Wednesday", "Kremlin", "Pentagon", "NATO", "Sarmat",
              "In", "West"}


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance(a, b).km


def places_called(places: list[Place], text: str) -> list[Place]:
    """The places with a mention written exactly `text`."""
    return [p for p in places if any(m.name == text for m in p.mentions)]


def the_place(places: list[Place], text: str) -> Place:
    found = places_called(places, text)
    assert len(found) == 1, f"{text!r}: {[(p.name, p.kind, p.country) for p in found]}"
    return found[0]


@pytest.fixture(scope="module")
def default_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], parser)


@pytest.fixture(scope="module")
def fast_places(fast_parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], fast_parser)


@pytest.fixture(scope="module", params=["default", "fast"])
def seed_places(request: pytest.FixtureRequest) -> list[Place]:
    """The places of both seed articles, in the default and in the fast mode."""
    return request.getfixturevalue(f"{request.param}_places")


# -- the bar: the default pipeline on the seed articles ------------------------------------------

@pytest.mark.parametrize("town", list(SIX_TOWNS))
def test_six_towns_are_placed(default_places: list[Place], town: str) -> None:
    place = the_place(default_places, town)
    assert (place.kind, place.country) == ("city", "UA")
    assert km_between((place.lat, place.lon), SIX_TOWNS[town]) < 10


@pytest.mark.parametrize("town", list(SIX_TOWNS))
def test_six_towns_are_placed_fast(fast_places: list[Place], town: str) -> None:
    place = the_place(fast_places, town)
    assert (place.kind, place.country) == ("city", "UA")
    assert km_between((place.lat, place.lon), SIX_TOWNS[town]) < 10


@pytest.mark.parametrize("city", list(CAPITALS))
def test_capitals(seed_places: list[Place], city: str) -> None:
    country, point = CAPITALS[city]
    places = places_called(seed_places, city)
    assert any(p.kind == "city" for p in places), [(p.name, p.kind) for p in places]
    for place in places:
        assert place.country == country
        assert km_between((place.lat, place.lon), point) < 30


@pytest.mark.parametrize("city", list(CAPITALS))
def test_capitals_are_one_city_place_fast(fast_places: list[Place], city: str) -> None:
    place = the_place(fast_places, city)
    assert (place.kind, place.country) == ("city", CAPITALS[city][0])


@pytest.mark.parametrize("city", [
    "Kyiv",
    "Moscow",
])
def test_capitals_are_one_city_place(default_places: list[Place], city: str) -> None:
    place = the_place(default_places, city)
    assert (place.kind, place.country) == ("city", CAPITALS[city][0])


@pytest.mark.parametrize("name", list(COUNTRIES))
def test_countries(seed_places: list[Place], name: str) -> None:
    place = the_place(seed_places, name)
    assert (place.kind, place.country, place.name) == ("country", COUNTRIES[name], name)


def test_luhansk_region(seed_places: list[Place]) -> None:
    place = the_place(seed_places, "Luhansk region")
    assert (place.kind, place.country) == ("admin1", "UA")
    assert km_between((place.lat, place.lon), (48.9, 39.0)) < 100


@pytest.mark.parametrize(("name", "point"), [("Donbas", (48.0, 38.0)), ("Crimean Peninsula", (45.3, 34.4))])
def test_regions_from_the_curated_table(seed_places: list[Place], name: str,
                                        point: tuple[float, float]) -> None:
    place = the_place(seed_places, name)
    assert place.country == "UA"
    assert place.source.startswith("curated")
    assert km_between((place.lat, place.lon), point) < 150


def test_people_days_and_organisations_are_not_places(seed_places: list[Place]) -> None:
    names = {p.name for p in seed_places}
    mentioned = {m.name for p in seed_places for m in p.mentions}
    assert names.isdisjoint(NOT_PLACES), names & NOT_PLACES
    assert mentioned.isdisjoint(NOT_PLACES), mentioned & NOT_PLACES


def test_mentions_point_into_their_passages(seed_places: list[Place], seed_a: Article,
                                            seed_b: Article) -> None:
    texts = {seed_a.id: seed_a.text, seed_b.id: seed_b.text}
    for place in seed_places:
        for m in place.mentions:
            p = m.passage
            assert p.start <= m.start < m.end <= p.end, (place.name, m)
            assert p.text[m.start - p.start:m.end - p.start] == m.name
            assert texts[m.article_id][m.start:m.end] == m.name
            assert p.article_id == m.article_id


def test_counts_order_and_grouping(seed_places: list[Place], seed_a: Article, seed_b: Article) -> None:
    assert seed_places
    for place in seed_places:
        assert place.mention_count == len(place.mentions) > 0
        assert (0.0 < place.confidence <= 1.0) if place.resolved else place.confidence == 0.0
        assert set(place.article_ids) <= {seed_a.id, seed_b.id}
        passages = place.passages
        assert len(set(passages)) == len(passages)
        assert {(m.passage.article_id, m.passage.index) for m in place.mentions} \
            == {(p.article_id, p.index) for p in passages}
    counts = [p.mention_count for p in seed_places]
    assert counts == sorted(counts, reverse=True)
    assert len({p.key for p in seed_places}) == len(seed_places)
    mariupol = the_place(seed_places, "Mariupol")
    assert set(mariupol.article_ids) == {seed_a.id, seed_b.id}
    assert mariupol.mention_count >= 4
    assert all(m.name == "Mariupol" for m in mariupol.mentions)


def test_grouping_adds_up_over_articles(parser: Geoparser, seed_a: Article, seed_b: Article,
                                        default_places: list[Place]) -> None:
    alone_a = the_place(places_for([seed_a], parser), "Mariupol")
    alone_b = the_place(places_for([seed_b], parser), "Mariupol")
    assert alone_a.article_ids == (seed_a.id,) and alone_b.article_ids == (seed_b.id,)
    both = the_place(default_places, "Mariupol")
    assert both.mention_count == alone_a.mention_count + alone_b.mention_count
    assert both.key == alone_a.key == alone_b.key


def test_no_articles_and_no_places(parser: Geoparser) -> None:
    assert places_for([], parser) == []
    assert places_for([article_from_text("nothing to see here, honestly.")], parser) == []


def test_same_name_different_places_stay_apart(parser: Geoparser) -> None:
    texas = article_from_text("Paris, Texas, is a quiet town.")
    france = article_from_text("Thousands marched in Paris on Saturday.")
    paris = places_called(places_for([texas, france], parser), "Paris")
    assert sorted((p.country, p.article_ids) for p in paris) == [("FR", (france.id,)), ("US", (texas.id,))]
