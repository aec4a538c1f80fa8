"""Tests for geo.map.frame: the map opens on the story's core, side mentions are listed."""

from __future__ import annotations

import pytest

from geo.engine.pipeline import Geoparser
from geo.engine.resolve import haversine_km
from geo.files.articles import article_from_text
from geo.map.frame import story_frame
from geo.map.places import Place, places_for

FRONT = ("Kramatorsk", "Sloviansk", "Bakhmut", "Avdiivka", "Pokrovsk", "Kostiantynivka")
STORY = (
    "Russian forces shelled Kramatorsk and Sloviansk overnight, officials said. Fighting continued near "
    "Bakhmut and Avdiivka, while Pokrovsk and Kostiantynivka came under rocket fire. "
    "In Washington, officials promised more air defence, and NATO ministers met in Brussels. "
    "Kramatorsk and Bakhmut were hit again on Tuesday."
)


@pytest.fixture(scope="module", params=["parser", "fast_parser"])
def story(request: pytest.FixtureRequest) -> list[Place]:
    parser: Geoparser = request.getfixturevalue(request.param)
    return places_for([article_from_text(STORY, title="Front")], parser)


def test_the_frame_holds_the_front_and_lists_the_side_mentions(story: list[Place]) -> None:
    frame = story_frame(story)
    towns = {p.name: p for p in story if p.name in FRONT}
    assert set(towns) == set(FRONT)
    south, west, north, east = frame.bounds
    for p in towns.values():
        assert frame.contains(p.lat, p.lon) and p.key in frame.core
    # every corner of the frame lies within 600 km of the towns
    for lat, lon in ((south, west), (south, east), (north, west), (north, east)):
        assert min(haversine_km(p.lat, p.lon, lat, lon) for p in towns.values()) < 600
    assert {p.name for p in frame.off_frame} >= {"Washington", "Brussels"}
    assert not {p.name for p in frame.off_frame} & set(FRONT)


def test_countries_are_context_not_off_frame_places(story: list[Place]) -> None:
    frame = story_frame(story)
    assert all(p.kind not in ("country", "continent") for p in frame.off_frame)


def test_a_story_of_one_place_and_of_none() -> None:
    one = Place("gn:1", "Kyiv", "city", 50.45, 30.52, "UA", 1, 1.0, (), (), "")
    frame = story_frame([one])
    assert frame.contains(50.45, 30.52) and frame.off_frame == ()
    south, west, north, east = frame.bounds
    assert north - south >= 0.6 and east - west >= 0.6
    assert story_frame([]) is None
    assert story_frame([Place("unresolved:x", "X", "unresolved", None, None, "", None, 0.0, (), (), "")]) is None


def test_the_heaviest_cluster_wins_over_a_single_heavy_outlier() -> None:
    # three front-line towns mentioned twice each against one far city mentioned four times
    def place(name: str, lat: float, lon: float, n: int) -> Place:
        return Place(f"k:{name}", name, "city", lat, lon, "UA", None, 1.0, (None,) * n, (), "")
    places = [place("A", 48.7, 37.6, 2), place("B", 48.6, 38.0, 2), place("C", 48.1, 37.7, 2),
              place("Far", 38.9, -77.0, 4)]
    frame = story_frame(places)
    assert set(frame.core) == {"k:A", "k:B", "k:C"} and [p.name for p in frame.off_frame] == ["Far"]


def place(name: str, lat: float, lon: float, country: str, n: int = 1, kind: str = "city") -> Place:
    return Place(f"k:{name}", name, kind, lat, lon, country, None, 1.0, (None,) * n, (), "")


def test_a_capital_abroad_within_reach_is_a_side_mention() -> None:
    # a story of a strip of land 40 km long that also names a capital 350 km away, in another country
    strip = [place("North", 31.55, 34.50, "PS", 2), place("Middle", 31.42, 34.35, "PS", 2),
             place("South", 31.30, 34.25, "PS", 3)]
    across = place("Border town", 31.25, 34.55, "IL")      # 25 km over the border: part of the scene
    capital = place("Capital", 30.06, 31.25, "EG")
    frame = story_frame([*strip, across, capital])
    assert set(frame.core) == {p.key for p in [*strip, across]}
    assert [p.name for p in frame.off_frame] == ["Capital"]
    south, west, north, east = frame.bounds
    assert east - west < 2.0 and north - south < 2.0


def test_a_war_across_a_large_country_is_framed_whole() -> None:
    # two theatres 800 km apart in one country, each a fair share of the story; one mention of a place
    # 1,100 km away in the same country is not
    east = [place("E1", 15.6, 32.5, "SD", 2), place("E2", 13.6, 33.6, "SD", 2), place("E3", 14.0, 35.4, "SD", 2),
            place("Port", 19.6, 37.2, "SD", 2)]
    west = [place("W1", 13.6, 25.3, "SD", 2), place("W2", 13.5, 25.2, "SD")]
    sea = place("Sea", 22.0, 38.0, "", kind="water")
    frame = story_frame([*east, *west, sea])
    assert set(frame.core) == {p.key for p in [*east, *west]}
    front = [place(f"F{n}", 48.6 + n / 10, 37.8, "UA", 3) for n in range(4)]
    far = place("Far west", 49.8, 24.0, "UA")
    assert far.key not in story_frame([*front, far]).core


# -- several stories far apart (issue 16, item 2) --------------------------------------------------------
def test_stories_far_apart_are_all_in_the_frame() -> None:
    # three short reports pasted together: Mali, Somalia, Myanmar; one far city named twice is no scene
    mali = [place("Mopti", 14.48, -4.18, "ML", 2), place("Bamako", 12.64, -8.0, "ML"), place("Gao", 16.27, -0.04, "ML")]
    somalia = [place("Mogadishu", 2.04, 45.34, "SO", 2), place("Baidoa", 3.11, 43.65, "SO")]
    myanmar = [place("Mandalay", 21.97, 96.08, "MM", 3), place("Monywa", 22.11, 95.14, "MM"),
               place("Shwebo", 22.57, 95.70, "MM")]
    lone = place("Washington", 38.9, -77.0, "US", 2)
    frame = story_frame([*mali, *somalia, *myanmar, lone])
    assert set(frame.core) == {p.key for p in [*mali, *somalia, *myanmar]}
    assert [s.country for s in frame.scenes] == ["MM", "ML", "SO"]          # heaviest first
    assert all(frame.contains(p.lat, p.lon) for p in [*mali, *somalia, *myanmar])
    assert [p.name for p in frame.off_frame] == ["Washington"]
    # a light second group (a fifth of the story) stays a side mention
    side = [place("Moscow", 55.75, 37.62, "RU"), place("Tver", 56.86, 35.9, "RU")]
    front = [place(f"F{n}", 48.6 + n / 10, 37.8, "UA", 3) for n in range(3)]
    frame = story_frame([*front, *side])
    assert len(frame.scenes) == 1 and {p.name for p in frame.off_frame} == {"Moscow", "Tver"}


def test_three_pasted_reports_are_framed_together(fast_parser: Geoparser) -> None:
    from stories import SCENES, THREE_REPORTS

    places = places_for([article_from_text(THREE_REPORTS)], fast_parser)
    frame = story_frame(places)
    assert {s.country for s in frame.scenes} == set(SCENES)
    by_name = {p.name: p for p in places}
    for names in SCENES.values():
        for name in names:
            assert frame.contains(by_name[name].lat, by_name[name].lon), name
    assert frame.off_frame == ()
