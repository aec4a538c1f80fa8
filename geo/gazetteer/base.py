"""What every gazetteer source shares: the kinds of place, name keys, the value types, the row
builder the sources write into, and the folders the index and the user's sources live in.

    >>> from geo.gazetteer.base import IndexBuilder, normalize_name
    >>> b = IndexBuilder()
    >>> b.add(name="Kreminna", kind="city", lat=49.05, lon=38.22, source="example")
    0
    >>> b.names[normalize_name("KREMINNA")]
    [0]
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Kinds of place, from the broadest to the most specific. Views group them further.
KINDS = (
    "continent", "region", "country", "admin1", "admin2", "city",
    "island", "peninsula", "water", "mountain", "area", "facility",
)
KIND_CODE = {kind: i for i, kind in enumerate(KINDS)}

Progress = Callable[[str, float], None]


def normalize_name(name: str) -> str:
    """The lookup key of a name: NFKC, curly quotes straightened, spaces collapsed, case folded."""
    if name.isascii() and "  " not in name and "\n" not in name and "\t" not in name:
        return name.lower()  # the common case, and a hot path
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(name.split()).casefold()


def strip_accents(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF0-9 .,'\u2019()\-&/]+$")


def is_latin_name(name: str) -> bool:
    """True for names an English article could contain as written (Latin script, no odd symbols)."""
    return bool(_LATIN.match(name)) and any(ch.isalpha() for ch in name)


@dataclass(frozen=True)
class GazetteerEntry:
    """One place of the gazetteer."""

    row: int
    geonameid: int | None
    name: str
    kind: str
    lat: float
    lon: float
    country: str        # ISO 3166-1 alpha-2, "" where none (oceans, continents)
    admin1: str         # GeoNames admin1 code "UA.14", "" where unknown
    admin2: str         # GeoNames admin2 code "US.LA.079", "" where unknown
    population: int
    source: str


@dataclass(frozen=True)
class SourcePlace:
    """One place of a user-added source, as stored (see `geo.gazetteer.sources`): `names` are its
    primary names (the first is shown), `alternate_names` rank lower; `feature` is the GeoNames
    feature class and code ("P.PPL", "S.PSN"), "" for the user's own places."""

    names: tuple[str, ...]
    kind: str
    lat: float
    lon: float
    country: str
    admin1: str = ""
    admin2: str = ""
    population: int = 0
    geonameid: int = 0
    alternate_names: tuple[str, ...] = ()
    feature: str = ""

    @property
    def name(self) -> str:
        return self.names[0]


class GazetteerSourceError(ValueError):
    """A source the user asked to add cannot be used as it is; the message says why and what to do."""


class IndexBuilder:
    """Accumulates places and names while the index is being built."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {k: [] for k in (
            "geonameid", "name", "kind", "lat", "lon", "country", "admin1", "admin2",
            "population", "source")}
        self.names: dict[str, list[int]] = {}
        self.alt_names: dict[str, list[int]] = {}
        self.acronyms: set[str] = set()   # keys written in capitals in the source ("UK", "NSW")

    def add(self, *, name: str, kind: str, lat: float, lon: float, geonameid: int | None = None,
            country: str = "", admin1: str = "", admin2: str = "", population: int = 0,
            source: str, index_name: bool = True) -> int:
        """Add a place and return its row; its name is indexed unless `index_name` is false."""
        row = len(self.cols["name"])
        for key, value in (("geonameid", geonameid or 0), ("name", name), ("kind", KIND_CODE[kind]),
                           ("lat", lat), ("lon", lon), ("country", country), ("admin1", admin1),
                           ("admin2", admin2), ("population", population), ("source", source)):
            self.cols[key].append(value)
        if index_name:
            self.name(row, name)
        return row

    def name(self, row: int, name: str, *, alternate: bool = False) -> None:
        """Index `name` (and its accent-free form) for `row`; alternate names rank lower."""
        letters = name.replace(".", "").replace(" ", "")
        if letters.isupper() and not alternate:
            self.acronyms.add(normalize_name(name))
        for form in {name, strip_accents(name)}:
            key = normalize_name(form)
            if len(key) < 2:
                continue
            rows = (self.alt_names if alternate else self.names).setdefault(key, [])
            if row not in rows:
                rows.append(row)


def default_cache_dir() -> Path:
    """Where the built index is cached: $CONFLICTMAP_CACHE, else $XDG_CACHE_HOME/conflictmap or
    ~/.cache/conflictmap. It can be deleted at any time (it is rebuilt)."""
    env = os.environ.get("CONFLICTMAP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "conflictmap"


def default_data_dir() -> Path:
    """Where the user's own data lives (the gazetteers they added): $CONFLICTMAP_DATA, else
    $XDG_DATA_HOME/conflictmap or ~/.local/share/conflictmap. Unlike the cache, it is not rebuilt."""
    env = os.environ.get("CONFLICTMAP_DATA")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "conflictmap"
