"""Tests for geo.gazetteer: name lookups, entries, the curated table and the on-disk cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from geopy.distance import distance

from geo.gazetteer import GazetteerEntry, PlaceIndex, default_cache_dir, normalize_name

# Real points (GeoNames / Wikipedia) of the towns the seed articles are about.
TOWNS = {
    "Mariupol": (47.0971, 37.5434),
    "Kramatorsk": (48.7389, 37.5848),
    "Kreminna": (49.0469, 38.2178),
    "Rubizhne": (49.0128, 38.3789),
    "Popasna": (48.6333, 38.3833),
    "Zaporizhzhia": (47.8388, 35.1396),   # GeoNames spells it Zaporizhzhya; this is an alternate name
}


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return distance((lat1, lon1), (lat2, lon2)).km


def entries(index: PlaceIndex, name: str) -> list[GazetteerEntry]:
    return [index.entry(r) for r in index.lookup(name)]


def first(index: PlaceIndex, name: str) -> GazetteerEntry:
    rows = index.lookup(name)
    assert rows, f"{name!r} is not in the gazetteer"
    return index.entry(rows[0])


@pytest.mark.parametrize("name", list(TOWNS))
def test_town_lookup_gives_the_ukrainian_city(index: PlaceIndex, name: str) -> None:
    cities = [e for e in entries(index, name) if e.kind == "city" and e.country == "UA"]
    assert cities, f"no Ukrainian city called {name!r}: {entries(index, name)}"
    # The town itself, not a village of the same name: the most populous match.
    town = max(cities, key=lambda e: e.population)
    assert km_between(town.lat, town.lon, *TOWNS[name]) < 10, town


@pytest.mark.parametrize("name", ["mariupol", "MARIUPOL", "MariuPol"])
def test_lookup_ignores_case(index: PlaceIndex, name: str) -> None:
    assert index.lookup(name) == index.lookup("Mariupol") != ()


@pytest.mark.parametrize("name", ["Crimean  Peninsula", "Crimean\nPeninsula", "crimean\tpeninsula"])
def test_lookup_collapses_inner_whitespace(index: PlaceIndex, name: str) -> None:
    assert index.lookup(name) == index.lookup("Crimean Peninsula") != ()


def test_lookup_of_accented_and_curly_forms(index: PlaceIndex) -> None:
    assert normalize_name("Côte d\u2019Ivoire") == normalize_name("Côte d'Ivoire")
    assert normalize_name("Kyiv\u00a0Oblast") == normalize_name("Kyiv Oblast")
    ivory = [e for e in entries(index, "Côte d\u2019Ivoire") if e.kind == "country"]
    assert [e.country for e in ivory] == ["CI"]


@pytest.mark.parametrize(("name", "code"), [
    ("Ukraine", "UA"), ("Spain", "ES"), ("U.S.", "US"), ("UK", "GB"),
    ("United States", "US"), ("Britain", "GB"), ("Russia", "RU"),
])
def test_country_names(index: PlaceIndex, name: str, code: str) -> None:
    e = first(index, name)
    assert (e.kind, e.country) == ("country", code)


def test_lookup_code_and_country_row(index: PlaceIndex) -> None:
    row = index.country_row("UA")
    assert row is not None
    assert index.entry(row).name == "Ukraine"
    assert index.country_row("XX") is None


@pytest.mark.parametrize(("name", "country", "admin1"), [
    ("Luhansk Oblast", "UA", "UA.14"),
    ("Texas", "US", "US.TX"),
    ("Ga.", "US", "US.GA"),
])
def test_first_level_regions(index: PlaceIndex, name: str, country: str, admin1: str) -> None:
    e = first(index, name)
    assert (e.kind, e.country, e.admin1) == ("admin1", country, admin1)


def test_ga_is_georgia(index: PlaceIndex) -> None:
    assert first(index, "Ga.").name == "Georgia"


@pytest.mark.parametrize(("name", "kind", "point", "within_km"), [
    ("Donbas", "region", (48.0, 38.0), 150),
    ("Crimean Peninsula", "peninsula", (45.3, 34.4), 150),
    ("Azovstal steel plant", "facility", (47.098, 37.61), 10),
])
def test_curated_places(index: PlaceIndex, name: str, kind: str, point: tuple[float, float],
                        within_km: float) -> None:
    e = first(index, name)
    assert e.source.startswith("curated"), e
    assert e.kind == kind
    assert e.country == "UA"
    assert km_between(e.lat, e.lon, *point) < within_km


def test_europe_is_a_continent(index: PlaceIndex) -> None:
    e = first(index, "Europe")
    assert e.kind == "continent"
    assert km_between(e.lat, e.lon, 50.0, 10.0) < 2000


def test_unknown_names(index: PlaceIndex) -> None:
    assert index.lookup("Xqzzyplorbville") == ()
    assert index.lookup("") == ()
    assert not index.has_name("xqzzyplorbville")


def test_alternate_names_are_flagged(index: PlaceIndex) -> None:
    flagged = dict(index.lookup_flagged("Zaporizhzhia"))
    zaporizhzhya = [r for r in flagged if index.kind(r) == "city" and index.population[r] > 500_000]
    assert zaporizhzhya and all(flagged[r] for r in zaporizhzhya)   # "Zaporizhzhya" is the main name
    assert not any(flagged for _, flagged in index.lookup_flagged("Mariupol"))
    assert index.lookup("Zaporizhzhia", alternates=False) == tuple(r for r, a in flagged.items() if not a)


def test_every_entry_has_a_finite_point_in_range(index: PlaceIndex) -> None:
    lat, lon = np.asarray(index.lat), np.asarray(index.lon)
    assert len(lat) == len(lon) == len(index) > 100_000
    assert np.isfinite(lat).all() and np.isfinite(lon).all()
    assert (np.abs(lat) <= 90).all() and (np.abs(lon) <= 180).all()


def _named_rows_at_null_island(index: PlaceIndex) -> list[GazetteerEntry]:
    """Rows found by their own name whose point is the placeholder (0, 0)."""
    at_zero = np.flatnonzero((np.asarray(index.lat) == 0.0) & (np.asarray(index.lon) == 0.0)).tolist()
    return [index.entry(r) for r in at_zero if r in index.lookup(index.name_of[r])]


def test_no_named_subdivision_sits_at_null_island(index: PlaceIndex) -> None:
    """Unplaced subdivisions keep (0, 0); they must not be found by name (Dublin, Male, ...)."""
    assert [e.name for e in _named_rows_at_null_island(index) if e.kind != "country"] == []
    for name in ("Dublin", "Male", "Galway City"):
        assert index.lookup(name)
        assert all((index.lat[r], index.lon[r]) != (0.0, 0.0) for r in index.lookup(name)), name


def test_every_country_has_a_point(index: PlaceIndex) -> None:
    assert [e.name for e in _named_rows_at_null_island(index) if e.kind == "country"] == []


def test_entry_fields(index: PlaceIndex) -> None:
    row = index.lookup("Mariupol")[0]
    e = index.entry(row)
    assert e.row == row
    assert e.name == "Mariupol"
    assert e.kind == index.kind(row) == "city"
    assert e.geonameid and index.row_of_geonameid(e.geonameid) == row
    assert e.population > 100_000
    assert e.admin1 == "UA.05"   # Donetsk Oblast


def test_first_words_cover_multiword_names(index: PlaceIndex) -> None:
    assert index.first_words["crimean"] >= 2
    assert index.first_words["azovstal"] >= 3


def test_demonyms_point_at_countries(index: PlaceIndex) -> None:
    for word, code in (("ukrainian", "UA"), ("russians", "RU"), ("british", "GB")):
        row = index.demonyms[word]
        assert (index.kind(row), index.country[row]) == ("country", code)


def test_member_points_of_a_region(index: PlaceIndex) -> None:
    luhansk = first(index, "Luhansk Oblast")
    points = index.member_points(luhansk.row)
    assert len(points) > 20
    assert (np.abs(points[:, 0] - 48.9) < 2).all() and (np.abs(points[:, 1] - 38.9) < 2).all()
    assert index.member_points(index.lookup("Mariupol")[0]).shape == (0, 2)   # a town has none


def test_a_second_load_reads_the_same_index(index: PlaceIndex) -> None:
    again = PlaceIndex.load()
    assert len(again) == len(index)
    assert again.lookup("Kramatorsk") == index.lookup("Kramatorsk")
    assert PlaceIndex.cached()


def _default_cache_file() -> Path:
    found = sorted(default_cache_dir().glob("gazetteer-*.pkl"))
    if not found:
        pytest.skip(f"no cached index in {default_cache_dir()}")
    return found[-1]


@pytest.mark.slow
def test_a_damaged_cache_is_rebuilt(index: PlaceIndex, tmp_path: Path) -> None:
    cached = tmp_path / _default_cache_file().name
    shutil.copyfile(_default_cache_file(), cached)
    assert len(PlaceIndex.load(tmp_path)) == len(index)   # the copy is a valid cache

    size = cached.stat().st_size
    with open(cached, "r+b") as f:
        f.truncate(size // 3)
    rebuilt = PlaceIndex.load(tmp_path)                   # ~30 s: builds from the packages again

    assert len(rebuilt) == len(index)
    assert [rebuilt.entry(r).name for r in rebuilt.lookup("Mariupol")] == ["Mariupol"]
    assert cached.stat().st_size > size // 3              # the damaged file was replaced
    assert len(PlaceIndex.load(tmp_path)) == len(index)


def test_only_the_capital_itself_is_flagged_as_capital(index: PlaceIndex) -> None:
    washingtons = [r for r in index.lookup("Washington", alternates=False)
                   if index.kind(r) == "city" and index.country[r] == "US"]
    assert len(washingtons) > 5
    assert [index.name_of[r] for r in washingtons if index.capital[r]] == ["Washington"]
    assert sum(bool(index.capital[r]) for r in washingtons) == 1


@pytest.mark.parametrize(("everyday", "official"), [("West Africa", "Western Africa"),
                                                    ("South Asia", "Southern Asia"),
                                                    ("East Africa", "Eastern Africa")])
def test_un_regions_answer_to_their_everyday_names(index: PlaceIndex, everyday: str, official: str) -> None:
    rows = index.lookup(everyday)
    assert [(index.name_of[r], index.kind(r)) for r in rows] == [(official, "region")]
    assert [index.kind(r) for r in index.lookup("South Africa")][0] == "country"
