"""The place index: name lookups and entries by row, loaded from its cache (built when missing or unusable).

    >>> from geo.gazetteer import PlaceIndex
    >>> index = PlaceIndex.load()            # builds and caches on first use (~30 s), then < 1 s
    >>> [index.entry(i).name for i in index.lookup("Mariupol")][:1]
    ['Mariupol']
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

from geo.files.cachefile import CacheError, CacheFile, remove_stale_temps
from geo.gazetteer.base import KIND_CODE, KINDS, GazetteerEntry, Progress, default_cache_dir, normalize_name
from geo.gazetteer.build import INDEX_VERSION, build_index, sources_fingerprint
from geo.gazetteer.spelling import SpellingIndex

CACHE_NAME = "gazetteer-index"   # the kind of cache file (see geo.files.cachefile); its version is INDEX_VERSION


class PlaceIndex:
    """Read-only access to the packed gazetteer: lookups by name and entries by row."""

    def __init__(self, packed: dict) -> None:
        self._p = packed
        self.keys: dict[str, int] = packed["keys"]   # see geo.gazetteer.build.pack
        self._multi_rows: np.ndarray = packed["multi_rows"]
        self._multi_start: np.ndarray = packed["multi_start"]
        self.first_words: dict[str, int] = packed["first_words"]
        self.demonyms: dict[str, int] = packed["demonyms"]
        self.acronyms: set[str] = packed["acronyms"]
        self.kind_codes: np.ndarray = packed["kind"]
        self.kinds: list[str] = [KINDS[c] for c in packed["kind"].tolist()]   # fast per-row access
        self.name_of: list[str] = packed["name"]
        self.population: np.ndarray = packed["population"]
        self.lat: np.ndarray = packed["lat"]
        self.lon: np.ndarray = packed["lon"]
        self.country: list[str] = packed["country"]
        self.admin1: list[str] = packed["admin1"]
        self.admin2: list[str] = packed["admin2"]
        self.geonameid: np.ndarray = packed["geonameid"]
        capital_sources = np.asarray(["national capital" in src for src in packed["source"]])
        self.capital: np.ndarray = capital_sources[packed["source_id"]]
        # Rows from the user's sources (GeoNames extracts, their own CSV) come after the built-in ones.
        self.first_user_row: int = packed.get("first_user_row", len(packed["name"]))
        self.row_by_geonameid: dict[int, int] | None = None
        self.spelling = SpellingIndex(packed["spelling_hashes"], packed["spelling_rows"])
        # Set by `load` when a cached index was there but could not be used, so this one was built.
        self.rebuilt_because: str | None = None

    # -- loading ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, cache_dir: Path | None = None, progress: Progress | None = None,
             data_dir: Path | None = None) -> PlaceIndex:
        """Load the cached index, building it first when missing, stale or unusable. The user's
        sources come from `data_dir` (default `default_data_dir()`), as does the key that signs the
        cache file (see geo.files.cachefile). When a cache file was there but failed verification (damaged,
        of another version, not signed with the user's key, or holding an unusable index), the
        index is rebuilt and its `rebuilt_because` says why in a few words ("checksum mismatch");
        callers tell the user once. Temporary files of killed builds are removed first."""
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        path = _cache_path(cache_dir, data_dir)
        files = CacheFile(CACHE_NAME, INDEX_VERSION, data_dir)
        remove_stale_temps(cache_dir, legacy=True)
        problem = _not_a_file(path)
        try:
            return files.read(path, validate=lambda packed: cls(_checked(packed)))
        except FileNotFoundError:
            pass
        except CacheError as exc:
            problem = exc.reason
        packed = build_index(progress or (lambda stage, fraction: None), data_dir)
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        files.write(path, packed)   # atomic, under a name of its own: concurrent builds both succeed
        for old in cache_dir.glob("gazetteer-*.pkl"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
        if progress:
            progress("done", 1.0)
        index = cls(packed)
        index.rebuilt_because = problem
        return index

    @staticmethod
    def cached(cache_dir: Path | None = None, data_dir: Path | None = None) -> bool:
        """Whether the index of the current sources is on disk and verifies (loading it then takes
        under a second). The first call for a file reads it (~0.05 s); later calls, while the file
        is unchanged, cost a stat."""
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        try:
            return CacheFile(CACHE_NAME, INDEX_VERSION, data_dir).intact(_cache_path(cache_dir, data_dir))
        except OSError:   # no key and none can be made: nothing verifies
            return False

    @property
    def user_sources(self) -> dict[str, dict]:
        """Per added source, what the build made of it (see `geo.gazetteer.build.add_user_places`)."""
        return self._p.get("user_sources", {})

    def rows_by_source(self) -> dict[str, int]:
        """How many rows each source string labels."""
        counts = np.bincount(self._p["source_id"], minlength=len(self._p["source"]))
        return {source: int(n) for source, n in zip(self._p["source"], counts.tolist(), strict=True)}

    # -- queries ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._p["name"])

    def lookup(self, name: str, *, alternates: bool = True) -> tuple[int, ...]:
        """Rows called `name` (and, with `alternates`, rows with it as an alternate name)."""
        return tuple(row for row, _ in self.lookup_flagged(name, alternates=alternates))

    def lookup_flagged(self, name: str, *, alternates: bool = True) -> list[tuple[int, bool]]:
        """(row, matched only by an alternate name) for every row called `name`."""
        return self.flagged_key(normalize_name(name), alternates=alternates)

    def flagged_key(self, key: str, *, alternates: bool = True) -> list[tuple[int, bool]]:
        """As `lookup_flagged`, for an already normalised key."""
        hit = self.keys.get(key)
        if hit is None:
            return []
        if hit >= 0:
            return [(hit, False)]
        return [(r, False) if r >= 0 else (-r - 1, True) for r in self._run(hit) if r >= 0 or alternates]

    def _run(self, hit: int) -> list[int]:
        i = -hit - 1
        return self._multi_rows[self._multi_start[i]:self._multi_start[i + 1]].tolist()

    def user_added(self, row: int) -> bool:
        """Whether the row comes from a source the user added (not from the built-in gazetteer)."""
        return row >= self.first_user_row

    def spelling_rows(self, name: str) -> tuple[int, ...]:
        """Rows whose names are another spelling of `name` ("Zaporizhia" -> Zaporizhzhia; see
        geo.gazetteer.spelling)."""
        return self.spelling.rows(name)

    def has_name(self, key: str) -> bool:
        """Whether a normalised key names any place."""
        return key in self.keys

    def has_primary_name(self, key: str) -> bool:
        """Whether a normalised key is the main name (not only an alternate) of some place."""
        hit = self.keys.get(key)
        return hit is not None and (hit >= 0 or int(self._multi_rows[self._multi_start[-hit - 1]]) >= 0)

    def kind(self, row: int) -> str:
        return self.kinds[row]

    def entry(self, row: int) -> GazetteerEntry:
        p = self._p
        gid = int(p["geonameid"][row])
        return GazetteerEntry(
            row=row, geonameid=gid or None, name=p["name"][row], kind=KINDS[int(p["kind"][row])],
            lat=float(p["lat"][row]), lon=float(p["lon"][row]), country=p["country"][row],
            admin1=p["admin1"][row], admin2=p["admin2"][row], population=int(p["population"][row]),
            source=p["source"][int(p["source_id"][row])],
        )

    def row_of_geonameid(self, geonameid: int) -> int | None:
        if self.row_by_geonameid is None:
            self.row_by_geonameid = {int(g): r for r, g in enumerate(self.geonameid) if g}
        return self.row_by_geonameid.get(int(geonameid))

    def country_row(self, alpha2: str) -> int | None:
        """The row of the country with this ISO 3166-1 alpha-2 code."""
        table = self._p.get("_country_rows")
        if table is None:
            table = {self.country[r]: r
                     for r in np.flatnonzero(self.kind_codes == KIND_CODE["country"]).tolist()}
            self._p["_country_rows"] = table
        return table.get(alpha2.upper())

    def admin1_row(self, code: str) -> int | None:
        if not code:
            return None
        table = self._p.get("_admin1_rows")
        if table is None:
            kinds = self.kind_codes
            table = {self.admin1[r]: r for r in np.flatnonzero(kinds == KIND_CODE["admin1"]).tolist()}
            self._p["_admin1_rows"] = table
        return table.get(code)

    def member_points(self, row: int) -> np.ndarray:
        """Points of the towns inside a country or first-level region (for "northern X")."""
        kind = self.kind(row)
        if kind not in ("country", "admin1"):
            return np.empty((0, 2))
        rows, spans = self._p["towns_by"][kind]
        start, end = spans.get(self.country[row] if kind == "country" else self.admin1[row], (0, 0))
        members = rows[start:end]
        return np.column_stack([self.lat[members], self.lon[members]])


def _not_a_file(path: Path) -> str | None:
    """Move a folder (or anything else that is not a file) standing where the index file goes out of
    the way, before a build that could not be saved there; says so. It is renamed, never deleted."""
    if not path.exists() or path.is_file():
        return None
    aside = path.with_name(f"{path.name}.not-a-file-{int(time.time())}")
    try:
        path.rename(aside)
    except OSError as exc:
        raise OSError(f"{path} is not a file, and cannot be moved away ({exc.strerror}): remove it") from None
    return f"its place was taken by a folder, moved to {aside.name}"


def _cache_path(cache_dir: Path, data_dir: Path | None) -> Path:
    return cache_dir / f"gazetteer-{sources_fingerprint(data_dir)}.pkl"


_ROW_ARRAYS = {"geonameid": "iu", "kind": "iu", "lat": "f", "lon": "f", "population": "iu", "source_id": "iu"}
_ROW_LISTS = ("name", "country", "admin1", "admin2")


def _checked(packed: dict) -> dict:
    """`packed` if it holds what `PlaceIndex` needs, with plausible values; else raises (ValueError,
    KeyError or TypeError, saying what is wrong). Costs ~20 ms: numpy checks over the arrays."""
    if not isinstance(packed, dict):
        raise TypeError(f"a {type(packed).__name__}, not an index")
    if packed.get("version") != INDEX_VERSION:
        raise ValueError("index of another version")
    n = len(packed["name"])
    for key, kinds in _ROW_ARRAYS.items():
        column = packed[key]
        if not isinstance(column, np.ndarray) or column.shape != (n,) or column.dtype.kind not in kinds:
            raise TypeError(f"column {key} is not {n} numbers")
    for key in _ROW_LISTS:
        if not isinstance(packed[key], list) or len(packed[key]) != n:
            raise TypeError(f"column {key} is not {n} values")
    lat, lon = packed["lat"], packed["lon"]
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        raise ValueError("a coordinate is not a number")
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any():
        raise ValueError("a coordinate is out of range")
    if n and (packed["kind"].min() < 0 or packed["kind"].max() >= len(KINDS)):
        raise ValueError("unknown kind code")
    if not isinstance(packed["source"], list) or \
            (n and (packed["source_id"].min() < 0 or packed["source_id"].max() >= len(packed["source"]))):
        raise ValueError("source ids out of range")
    runs, starts = packed["multi_rows"], packed["multi_start"]
    if not (isinstance(runs, np.ndarray) and isinstance(starts, np.ndarray) and runs.ndim == starts.ndim == 1
            and len(starts) and starts[0] == 0 and starts[-1] == len(runs) and (np.diff(starts) >= 0).all()):
        raise ValueError("name runs are inconsistent")
    if len(runs) and (runs.min() < -n or runs.max() >= n):
        raise ValueError("name runs point outside the index")
    keys = packed["keys"]
    if not isinstance(keys, dict):
        raise TypeError("keys is not a dict")
    hits = np.fromiter(keys.values(), dtype=np.int64, count=len(keys))
    if len(hits) and (hits.min() < -(len(starts) - 1) or hits.max() >= n):
        raise ValueError("names point outside the index")
    hashes, spelled = packed["spelling_hashes"], packed["spelling_rows"]
    if not (isinstance(hashes, np.ndarray) and isinstance(spelled, np.ndarray) and hashes.shape == spelled.shape):
        raise ValueError("spelling index is inconsistent")
    if len(spelled) and (spelled.min() < 0 or spelled.max() >= n):
        raise ValueError("spelling index points outside the index")
    for key, kind in (("first_words", dict), ("demonyms", dict), ("acronyms", set), ("towns_by", dict)):
        if not isinstance(packed[key], kind):
            raise TypeError(f"{key} is not a {kind.__name__}")
    for level in ("country", "admin1"):
        towns, spans = packed["towns_by"][level]
        if not isinstance(towns, np.ndarray) or not isinstance(spans, dict) or \
                (len(towns) and (towns.min() < 0 or towns.max() >= n)):
            raise ValueError(f"towns by {level} are inconsistent")
    first_user_row = packed.get("first_user_row", n)
    if not isinstance(first_user_row, int) or not 0 <= first_user_row <= n:
        raise ValueError("first user row out of range")
    return packed


def build_with_timing(cache_dir: Path, progress: Progress | None = None,
                      data_dir: Path | None = None) -> tuple[PlaceIndex, float]:
    """Build (or load) the index and return it with the seconds it took; used by the benchmarks
    and after a gazetteer is added or removed."""
    start = time.perf_counter()
    index = PlaceIndex.load(cache_dir, progress, data_dir)
    return index, time.perf_counter() - start
