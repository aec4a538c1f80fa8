"""Tests for geo.gazetteer.geocoder: the offline gazetteer behind geopy's geocoder interface (real gazetteer)."""

from __future__ import annotations

import pytest
from geopy.distance import distance
from geopy.exc import GeocoderQueryError, GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer import PlaceIndex
from geo.gazetteer.geocoder import OfflineGazetteer


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex.load()


@pytest.fixture(scope="module")
def geocoder(index: PlaceIndex) -> OfflineGazetteer:
    return OfflineGazetteer(index)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return distance((lat1, lon1), (lat2, lon2)).km


def test_is_a_geopy_geocoder(geocoder: OfflineGazetteer) -> None:
    assert isinstance(geocoder, Geocoder)
    assert geocoder.headers["User-Agent"] == "conflictmap-offline"


def test_never_uses_the_network(geocoder: OfflineGazetteer) -> None:
    with pytest.raises(GeocoderUnavailable):
        geocoder.adapter.get_json("https://example.org", timeout=1, headers={})


def test_kramatorsk(geocoder: OfflineGazetteer) -> None:
    place = geocoder.geocode("Kramatorsk")
    assert isinstance(place, Location)
    assert km_between(place.latitude, place.longitude, 48.72, 37.56) < 10
    assert place.address == "Kramatorsk, Donetska oblast, Ukraine"
    for field in ("geonameid", "name", "kind", "country", "admin1", "population", "source", "row"):
        assert field in place.raw
    assert place.raw["geonameid"] == 704508
    assert place.raw["kind"] == "city"
    assert place.raw["country"] == "UA"
    assert place.raw["admin1"] == "UA.05"
    assert place.raw["population"] > 100_000
    assert isinstance(place.point, Point)
    address, (lat, lon) = place   # geopy's tuple protocol
    assert (address, lat, lon) == (place.address, place.latitude, place.longitude)


def test_qualifier_picks_the_country_or_region(geocoder: OfflineGazetteer) -> None:
    texas = geocoder.geocode("Paris, Texas")
    assert texas.raw["country"] == "US"
    assert texas.raw["admin1"] == "US.TX"
    assert geocoder.geocode("Paris, TX").raw["row"] == texas.raw["row"]
    assert geocoder.geocode("Paris, Germany") is None


def test_bare_paris_is_in_france(geocoder: OfflineGazetteer) -> None:
    paris = geocoder.geocode("Paris")
    assert paris.raw["country"] == "FR"
    assert paris.raw["kind"] == "city"
    assert km_between(paris.latitude, paris.longitude, 48.857, 2.352) < 10


def test_type_word_asks_for_a_subdivision(geocoder: OfflineGazetteer) -> None:
    region = geocoder.geocode("Luhansk region")
    assert region.raw["kind"] == "admin1"
    assert region.raw["country"] == "UA"
    assert region.raw["admin1"] == "UA.14"
    assert geocoder.geocode("the Luhansk oblast").raw["row"] == region.raw["row"]


def test_georgia_state_and_country(geocoder: OfflineGazetteer) -> None:
    state = geocoder.geocode("Georgia, US")
    assert (state.raw["kind"], state.raw["country"], state.raw["admin1"]) == ("admin1", "US", "US.GA")
    country = geocoder.geocode("Georgia")
    assert (country.raw["kind"], country.raw["country"]) == ("country", "GE")
    assert geocoder.geocode("Georgia", bias_countries=["us"]).raw["admin1"] == "US.GA"
    assert geocoder.geocode({"state": "Georgia"}).raw["admin1"] == "US.GA"
    assert geocoder.geocode({"country": "Georgia"}).raw["country"] == "GE"


def test_country_qualifier_and_filters(geocoder: OfflineGazetteer) -> None:
    assert geocoder.geocode("Zaporizhzhia, Ukraine").raw["country"] == "UA"
    city = geocoder.geocode("Zaporizhzhia", kinds=["city"])
    assert city.raw["kind"] == "city"
    assert city.raw["population"] > 500_000
    assert geocoder.geocode("Paris", country_codes="us").raw["country"] == "US"
    with pytest.raises(GeocoderQueryError):
        geocoder.geocode("Paris", kinds=["town"])


def test_structured_query(geocoder: OfflineGazetteer) -> None:
    assert geocoder.geocode({"city": "Paris", "state": "Texas"}).raw["admin1"] == "US.TX"
    with pytest.raises(GeocoderQueryError):
        geocoder.geocode({"street": "1 Main St", "city": "Paris"})


def test_many_results(geocoder: OfflineGazetteer) -> None:
    places = geocoder.geocode("Paris", exactly_one=False)
    assert isinstance(places, list)
    assert 1 < len(places) <= 10
    assert all(isinstance(p, Location) for p in places)
    assert places[0].raw["country"] == "FR"
    assert {p.raw["country"] for p in places} >= {"FR", "US"}
    assert len(geocoder.geocode("Paris", exactly_one=False, limit=3)) == 3


@pytest.mark.parametrize("query", ["", "   ", ",", None])
def test_empty_query(geocoder: OfflineGazetteer, query) -> None:
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) == []


def test_unknown_name(geocoder: OfflineGazetteer) -> None:
    assert geocoder.geocode("Qxzvbnmplk") is None
    assert geocoder.geocode("Qxzvbnmplk", exactly_one=False) == []


def test_rate_limiter_wraps_geocode(geocoder: OfflineGazetteer) -> None:
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    place = geocode("Kramatorsk")
    assert isinstance(place, Location)
    assert place.raw["geonameid"] == 704508


def test_reverse_gives_the_nearest_town(geocoder: OfflineGazetteer) -> None:
    place = geocoder.reverse((48.72, 37.56))
    assert isinstance(place, Location)
    assert place.raw["kind"] == "city"
    assert place.raw["distance_km"] < 10
    towns = geocoder.reverse("48.72, 37.56", exactly_one=False, limit=5)
    assert len(towns) == 5
    distances = [t.raw["distance_km"] for t in towns]
    assert distances == sorted(distances)
    assert geocoder.reverse(Point(0, -150), max_distance_km=50) is None


def test_loads_the_index_lazily(index: PlaceIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def load(cache_dir=None, progress=None):
        calls.append(cache_dir)
        return index

    monkeypatch.setattr(PlaceIndex, "load", staticmethod(load))
    lazy = OfflineGazetteer(cache_dir="/nonexistent/cache")
    assert calls == []
    assert lazy.geocode("Kramatorsk").raw["geonameid"] == 704508
    lazy.geocode("Paris")
    assert len(calls) == 1


def test_other_spellings_only_when_asked(geocoder: OfflineGazetteer) -> None:
    """As the engine reads a name the gazetteer lacks as written ("Chuguiev", "Zaporizhia"): by its
    spelling-insensitive key, and only when no place is called it as written."""
    assert geocoder.geocode("Chuguiev") is None
    assert geocoder.geocode("Chuguiev", spellings=True).raw["name"] == "Chuhuyiv"
    assert geocoder.geocode("Zaporizhia, Ukraine", spellings=True).raw["country"] == "UA"
    kramatorsk = geocoder.geocode("Kramatorsk", exactly_one=False, spellings=True)
    assert [loc.raw["name"] for loc in kramatorsk] == ["Kramatorsk"]      # as written: no other spellings
