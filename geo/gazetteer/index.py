"""The place index: name lookups and entries by row, loaded from its cache (built when missing).

    >>> from geo.gazetteer import PlaceIndex
    >>> index = PlaceIndex.load()            # builds and caches on first use (~30 s), then < 1 s
    >>> [index.entry(i).name for i in index.lookup("Mariupol")][:1]
    ['Mariupol']
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from geo.gazetteer.base import KIND_CODE, KINDS, GazetteerEntry, Progress, default_cache_dir, normalize_name
from geo.gazetteer.build import INDEX_VERSION, build_index, sources_fingerprint
from geo.gazetteer.spelling import SpellingIndex


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Unpickling a million small objects (or parsing a long text into them) triggers the cycle
    collector over and over, for nothing: none of them is garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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

    # -- loading ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, cache_dir: Path | None = None, progress: Progress | None = None,
             data_dir: Path | None = None) -> PlaceIndex:
        """Load the cached index, building it first when missing or stale. The user's sources
        come from `data_dir` (default `default_data_dir()`)."""
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        path = cache_dir / f"gazetteer-{sources_fingerprint(data_dir)}.pkl"
        if path.exists():
            try:
                with open(path, "rb") as f, gc_paused():
                    packed = pickle.load(f)
                if packed.get("version") == INDEX_VERSION:
                    return cls(packed)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                pass  # a damaged cache is rebuilt below
        packed = build_index(progress or (lambda stage, fraction: None), data_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as f:
            pickle.dump(packed, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
        for old in cache_dir.glob("gazetteer-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
        if progress:
            progress("done", 1.0)
        return cls(packed)

    @staticmethod
    def cached(cache_dir: Path | None = None, data_dir: Path | None = None) -> bool:
        """Whether the index of the current sources is on disk (loading it takes under a second)."""
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        return (cache_dir / f"gazetteer-{sources_fingerprint(data_dir)}.pkl").exists()

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


def build_with_timing(cache_dir: Path, progress: Progress | None = None,
                      data_dir: Path | None = None) -> tuple[PlaceIndex, float]:
    """Build (or load) the index and return it with the seconds it took; used by the benchmarks
    and after a gazetteer is added or removed."""
    start = time.perf_counter()
    index = PlaceIndex.load(cache_dir, progress, data_dir)
    return index, time.perf_counter() - start
