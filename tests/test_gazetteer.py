"""Tests for geo.gazetteer: name lookups, entries, the curated table and the on-disk cache."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from geopy.distance import distance
from smallindex import small_packed

import geo.files.cachefile as cachefile
import geo.gazetteer.index as index_module
from geo.files.cachefile import CacheFile
from geo.gazetteer import (
    INDEX_VERSION,
    GazetteerEntry,
    PlaceIndex,
    default_cache_dir,
    default_data_dir,
    normalize_name,
)

REPO = Path(__file__).resolve().parents[1]

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
def test_a_damaged_cache_is_rebuilt(index: PlaceIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one real rebuild: a copy of the session's index with one byte flipped, in fresh folders."""
    data, cached = tmp_path / "data", tmp_path / "cache" / _default_cache_file().name
    cached.parent.mkdir()
    shutil.copyfile(_default_cache_file(), cached)
    shutil.copyfile(_session_key(), data_key(data))       # the key the session's index is signed with
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(cached.parent))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(data))
    loaded = PlaceIndex.load()
    assert len(loaded) == len(index) and loaded.rebuilt_because is None   # the copy is a valid cache

    size = cached.stat().st_size
    flip_byte(cached, size // 3)
    assert not PlaceIndex.cached()
    rebuilt = PlaceIndex.load()                   # ~25 s: builds from the packages again

    assert rebuilt.rebuilt_because == "checksum mismatch"
    assert len(rebuilt) == len(index)
    assert [rebuilt.entry(r).name for r in rebuilt.lookup("Mariupol")] == ["Mariupol"]
    again = PlaceIndex.load()
    assert PlaceIndex.cached() and again.rebuilt_because is None and len(again) == len(index)


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


# -- the cache file: verified, rebuilt when unusable, written atomically --------------------------
# These use a two-place index and a stand-in for the ~25 s build; the one real rebuild is the slow
# test above.

def data_key(data: Path) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    return data / cachefile.KEY_FILE


def _session_key() -> Path:
    return default_data_dir() / cachefile.KEY_FILE


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


@dataclass
class SmallCache:
    """Fresh cache and data folders whose index build is `small_packed` (counted)."""

    cache: Path
    data: Path
    builds: list[int] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return index_module._cache_path(self.cache, self.data)

    def files(self) -> CacheFile:
        return CacheFile(index_module.CACHE_NAME, INDEX_VERSION, self.data)

    def load(self) -> PlaceIndex:
        return PlaceIndex.load(self.cache, data_dir=self.data)

    def temps(self) -> list[str]:
        return sorted(p.name for p in self.cache.iterdir() if ".tmp" in p.name)


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SmallCache:
    small = SmallCache(tmp_path / "cache", tmp_path / "data")

    def build(progress: Callable[[str, float], None], data_dir: Path | None = None) -> dict:
        small.builds.append(1)
        return small_packed()

    monkeypatch.setattr(index_module, "build_index", build)
    return small


def test_a_missing_cache_is_built_without_a_message(small: SmallCache) -> None:
    assert not PlaceIndex.cached(small.cache, small.data)
    built = small.load()
    assert small.builds == [1] and built.rebuilt_because is None and len(built) == 2
    assert PlaceIndex.cached(small.cache, small.data)
    again = small.load()
    assert small.builds == [1] and again.rebuilt_because is None
    assert [again.entry(r).name for r in again.lookup("Kramatorsk")] == ["Kramatorsk"]
    assert small.temps() == []


def _kramatorsk_latitude_offset(path: Path) -> int:
    return path.read_bytes().index(np.float64(48.7389).tobytes())


def _signed(small: SmallCache, change: Callable[[dict], object]) -> Callable[[], None]:
    """Damage written with the user's key: only the content check can catch it."""
    def write() -> None:
        packed = small_packed()
        changed = change(packed)
        small.files().write(small.path, packed if changed is None else changed)
    return write


def _without(key: str) -> Callable[[dict], None]:
    def drop(packed: dict) -> None:
        del packed[key]
    return drop


def _set_lat(value: float) -> Callable[[dict], None]:
    return lambda packed: packed["lat"].__setitem__(0, value)


def _damages(small: SmallCache) -> dict[str, tuple[Callable[[], None], str]]:
    """How a cache file goes bad -> (do it, the reason the load gives)."""
    path = small.path
    return {
        "Kramatorsk's latitude flipped": (lambda: flip_byte(path, _kramatorsk_latitude_offset(path) + 6),
                                          "checksum mismatch"),
        "header flipped": (lambda: flip_byte(path, 5), "not a cache file of this layout"),
        "truncated": (lambda: os.truncate(path, path.stat().st_size // 2), "truncated"),
        "empty": (lambda: path.write_bytes(b""), "empty"),
        "a bare pickle of an earlier version": (lambda: path.write_bytes(pickle.dumps(small_packed())),
                                                "not a cache file of this layout"),
        "another format version": (lambda: CacheFile(index_module.CACHE_NAME, INDEX_VERSION - 1, small.data)
                                   .write(path, small_packed()), f"format version {INDEX_VERSION - 1}, "
                                                                f"expected {INDEX_VERSION}"),
        "forged (another data folder's key)": (lambda: CacheFile(index_module.CACHE_NAME, INDEX_VERSION,
                                                                 small.data.parent / "forger")
                                               .write(path, small_packed()), "checksum mismatch"),
        # Signed with the user's key (a bug, not damage): only the content check catches these.
        "a module that does not exist": (lambda: small.files().write_payload(
            path, b"\x80\x02cnonexistent_module\nThing\n)\x81."), "unreadable payload (ModuleNotFoundError)"),
        "a list, not an index": (_signed(small, lambda packed: ["not", "an", "index"]),
                                 "invalid content (a list, not an index)"),
        "no latitudes": (_signed(small, _without("lat")), "invalid content (missing 'lat')"),
        "no name keys": (_signed(small, _without("keys")), "invalid content (missing 'keys')"),
        "a NaN latitude": (_signed(small, _set_lat(float("nan"))), "invalid content (a coordinate is not a number)"),
        "a latitude of 128.7": (_signed(small, _set_lat(128.7)), "invalid content (a coordinate is out of range)"),
        "a longitude of -200": (_signed(small, lambda packed: packed["lon"].__setitem__(1, -200.0)),
                                "invalid content (a coordinate is out of range)"),
        "a short column": (_signed(small, lambda packed: packed.__setitem__("lon", packed["lon"][:1])),
                           "invalid content (column lon is not 2 numbers)"),
        "a name pointing past the end": (_signed(small, lambda packed: packed["keys"].__setitem__("x", 99)),
                                         "invalid content (names point outside the index)"),
        "another index version inside": (_signed(small, lambda packed: packed.__setitem__("version", 1)),
                                         "invalid content (index of another version)"),
    }


FILE_DAMAGES = ["Kramatorsk's latitude flipped", "header flipped", "truncated", "empty",
                "a bare pickle of an earlier version", "another format version", "forged (another data folder's key)"]
CONTENT_DAMAGES = ["a module that does not exist", "a list, not an index", "no latitudes", "no name keys",
                   "a NaN latitude", "a latitude of 128.7", "a longitude of -200", "a short column",
                   "a name pointing past the end", "another index version inside"]


@pytest.mark.parametrize("damage", FILE_DAMAGES + CONTENT_DAMAGES)
def test_an_unusable_cache_is_rebuilt_once_with_a_reason(small: SmallCache, damage: str) -> None:
    small.load()
    do, reason = _damages(small)[damage]
    do()
    # `cached()` checks the signature only: what it passes, the load's content check catches.
    assert PlaceIndex.cached(small.cache, small.data) == (damage in CONTENT_DAMAGES)
    rebuilt = small.load()
    assert small.builds == [1, 1]
    assert rebuilt.rebuilt_because == reason
    assert len(rebuilt) == 2 and float(rebuilt.lat[0]) == 48.7389
    again = small.load()                                     # repaired: no second rebuild, no message
    assert small.builds == [1, 1] and again.rebuilt_because is None
    assert PlaceIndex.cached(small.cache, small.data) and small.temps() == []


def test_the_real_index_passes_its_content_check(index: PlaceIndex) -> None:
    assert index_module._checked(index._p) is index._p


def test_temporary_files_of_killed_builds_are_removed_by_the_next_load(small: SmallCache) -> None:
    small.load()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    old = time.time() - cachefile.STALE_AFTER - 60
    left = [f".{small.path.name}.{cachefile._host()}-{dead}.x1y2z3.tmp",   # a writer of this host, gone
            f".{small.path.name}.elsewhere-1.a1b2c3.tmp",                  # another host's, an hour old
            f"{small.path.stem}.tmp{dead}"]                                # an earlier version's
    for name in left:
        (small.cache / name).write_bytes(b"half an index")
    os.utime(small.cache / left[1], (old, old))
    live = small.cache / f".{small.path.name}.{cachefile._host()}-{os.getpid()}.q1w2e3.tmp"
    live.write_bytes(b"being written")                                    # a live writer's: kept
    small.load()
    assert small.builds == [1] and small.temps() == [live.name]


KILLED_BUILD = """
import sys, time
import geo.files.cachefile as cachefile
import geo.gazetteer.index as index_module
sys.path.insert(0, "tests")
from smallindex import small_packed
def stall(fd):
    print("writing", flush=True)
    time.sleep(60)
index_module.build_index = lambda progress, data_dir=None: small_packed()
cachefile.os.fsync = stall
index_module.PlaceIndex.load(sys.argv[1], data_dir=sys.argv[2])
"""

CONCURRENT_BUILD = """
import sys, time
import geo.gazetteer.index as index_module
sys.path.insert(0, "tests")
from smallindex import small_packed
def build(progress, data_dir=None):
    time.sleep(0.3)
    return small_packed()
index_module.build_index = build
while time.time() < float(sys.argv[3]):
    time.sleep(0.001)
index = index_module.PlaceIndex.load(sys.argv[1], data_dir=sys.argv[2])
print(len(index), index.rebuilt_because)
"""


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_build_killed_while_writing_leaves_nothing_after_the_next_run(small: SmallCache) -> None:
    small.files().key   # noqa: B018 (made first: the build stalls in its first fsync, the index's)
    build = _python(KILLED_BUILD, str(small.cache), str(small.data))
    assert build.stdout.readline().strip() == "writing"
    os.kill(build.pid, signal.SIGKILL)
    build.communicate(timeout=30)
    assert len(small.temps()) == 1 and not small.path.exists()
    loaded = small.load()
    assert small.builds == [1] and loaded.rebuilt_because is None and small.temps() == []


def test_two_processes_building_at_once_both_load_it(small: SmallCache) -> None:
    small.files().key   # noqa: B018
    start = str(time.time() + 1.0)
    builds = [_python(CONCURRENT_BUILD, str(small.cache), str(small.data), start) for _ in range(2)]
    for build in builds:
        out, err = build.communicate(timeout=120)
        assert (build.returncode, out.strip(), err) == (0, "2 None", "")
    assert [p.name for p in small.cache.iterdir()] == [small.path.name]
    assert len(small.load()) == 2 and small.builds == []
