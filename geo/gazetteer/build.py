"""Builds the packed index: the built-in sources, then the sources the user added, then the keys.

    >>> from geo.gazetteer.build import build_index, sources_fingerprint
    >>> packed = build_index(lambda stage, fraction: None)        # ~15-30 s; PlaceIndex.load caches it
    >>> packed["name"][packed["keys"]["azovstal steel plant"]]
    'Azovstal steel plant'

Row order: the package places (`packages.py`), the curated table (`curated.py`), then each source
the user added (`sources.py`), by name. With no user source the index is exactly the built-in one.
`sources_fingerprint()` names an index: it changes with the packages' versions, the curated table,
this package's code and the user's sources, and keys both the index cache and the parse cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from geo.files.cachefile import LAYOUT
from geo.gazetteer.base import (
    KIND_CODE,
    KINDS,
    GazetteerSourceError,
    IndexBuilder,
    Progress,
    SourcePlace,
    is_latin_name,
    normalize_name,
    strip_accents,
)
from geo.gazetteer.curated import CURATED_CSV, add_curated_places
from geo.gazetteer.geonames import TYPE_WORDS
from geo.gazetteer.packages import add_package_places, package_versions
from geo.gazetteer.sources import SourceInfo, SourceRegistry
from geo.gazetteer.spelling import SpellingIndex

INDEX_VERSION = 10


_SETTLEMENT_KINDS = frozenset({"city", "admin1", "admin2"})


def build_index(progress: Progress, data_dir: Path | str | None = None) -> dict:
    """Build the packed index (see `pack`) from every source; the user's from `data_dir`."""
    b = IndexBuilder()
    demonyms, unplaced = add_package_places(b, progress)
    add_curated_places(b)
    registry = SourceRegistry(data_dir)
    built_in = len(b.cols["name"])
    stats = add_user_places(b, registry, progress) if registry.sources() else {}
    progress("packing", 0.93)
    packed = pack(b, demonyms, unplaced)
    if stats:   # only then: with no user source the index is exactly the built-in one
        packed["user_sources"] = stats
        packed["first_user_row"] = built_in
    return packed


def add_user_places(b: IndexBuilder, registry: SourceRegistry, progress: Progress) -> dict[str, dict]:
    """Append the places of the user's sources; returns, per source, the rows it added, the places
    already in the index that got its names instead ("merged", by geonameid), the GeoNames features
    left out because a town or region has every name they have ("unnamed"), and an "error" for a
    source that could not be read (it is left out; the index still builds)."""
    progress("your gazetteers", 0.9)
    stats: dict[str, dict] = {}
    loaded: list[tuple[SourceInfo, list[SourcePlace]]] = []
    for info in registry.sources():
        try:
            loaded.append((info, list(registry.places(info))))
        except (GazetteerSourceError, ValueError, TypeError, KeyError) as exc:
            stats[info.name] = {"rows": 0, "merged": 0, "unnamed": 0, "error": str(exc)}
    row_of_gid: dict[int, int] = {}
    for row, gid in enumerate(b.cols["geonameid"]):
        if gid:
            row_of_gid.setdefault(gid, row)

    def merged(place: SourcePlace, counts: dict) -> bool:
        """A place the index has (same geonameid) gets the names, not a second row."""
        row = row_of_gid.get(place.geonameid) if place.geonameid else None
        if row is None:
            return False
        for name in (*place.names, *place.alternate_names):
            if is_latin_name(name):
                b.name(row, name, alternate=True)
        counts["merged"] += 1
        return True

    def add(info: SourceInfo, place: SourcePlace, display: str, index_name: bool = True) -> int:
        row = b.add(name=display, kind=place.kind, lat=place.lat, lon=place.lon, geonameid=place.geonameid,
                    country=place.country, admin1=place.admin1, admin2=place.admin2,
                    population=place.population, source=info.label, index_name=index_name)
        if place.geonameid:
            row_of_gid[place.geonameid] = row
        stats[info.name]["rows"] += 1
        return row

    # First the towns, the administrative units and the user's own places, with all their names;
    # then the GeoNames features, which take no name the index already gives another place.
    features: list[tuple[SourceInfo, SourcePlace]] = []
    for info, places in loaded:
        stats[info.name] = counts = {"rows": 0, "merged": 0, "unnamed": 0}
        for place in places:
            if info.type == "geonames" and place.kind not in _SETTLEMENT_KINDS:
                features.append((info, place))
            elif not merged(place, counts):
                row = add(info, place, place.name)
                for name in place.names[1:]:
                    b.name(row, name)
                for name in place.alternate_names:
                    b.name(row, name, alternate=True)
    first_feature = len(b.cols["name"])
    for info, place in features:
        counts = stats[info.name]
        if merged(place, counts):
            continue
        forms = [*place.names, *_typed_forms(place)]
        free = [form for form in dict.fromkeys(forms) if not _taken(b, form, first_feature)]
        alternates = [name for name in place.alternate_names if not _taken(b, name, first_feature)]
        if not free and not alternates:
            counts["unnamed"] += 1
            continue
        row = add(info, place, free[0] if free else place.name, index_name=False)
        for form in free:
            b.name(row, form)
        for name in alternates:
            b.name(row, name, alternate=True)
    return stats


def _typed_forms(place: SourcePlace) -> list[str]:
    """"Oskil River", "Kramatorsk railway station": how English names a feature by its type."""
    template = TYPE_WORDS.get(place.feature.partition(".")[2])
    if template is None:
        return []
    word = template.replace("{}", "").strip().lower()
    return [template.format(name) for name in place.names if word not in name.lower()]


def _taken(b: IndexBuilder, name: str, first_feature: int) -> bool:
    """Whether a place added before the GeoNames features already has `name` (as any kind of name)."""
    for form in {name, strip_accents(name)}:
        key = normalize_name(form)
        if any(r < first_feature for r in b.names.get(key, ())) or \
                any(r < first_feature for r in b.alt_names.get(key, ())):
            return True
    return False


def pack(b: IndexBuilder, demonyms: dict[str, int], unplaced: set[int]) -> dict:
    """The columns as arrays and lists, and every name key -> its rows (see `keys` below)."""
    cols = b.cols
    packed = {
        "version": INDEX_VERSION,
        "geonameid": np.asarray(cols["geonameid"], dtype=np.int64),
        "kind": np.asarray(cols["kind"], dtype=np.int8),
        "lat": np.asarray(cols["lat"], dtype=np.float64),
        "lon": np.asarray(cols["lon"], dtype=np.float64),
        "population": np.asarray(cols["population"], dtype=np.int64),
        "name": cols["name"],
        "country": cols["country"],
        "admin1": cols["admin1"],
        "admin2": cols["admin2"],
        "source": sorted(set(cols["source"])),
        "demonyms": demonyms,
        "acronyms": b.acronyms,
    }
    source_ids = {s: i for i, s in enumerate(packed["source"])}
    packed["source_id"] = np.asarray([source_ids[s] for s in cols["source"]], dtype=np.int16)
    pop = packed["population"]
    kind = packed["kind"]

    def ranked(rows: Iterable[int]) -> list[int]:
        return sorted(rows, key=lambda r: (-_kind_weight(int(kind[r])), -int(pop[r])))

    # One dict for every name, of plain ints (they load several times faster than tuples): a lone
    # primary row is stored as itself (most names); otherwise -(i + 1) points at run i of
    # `multi_rows` (delimited by `multi_start`): primary rows first, then the rows that only have
    # the name as an alternate, stored as -(row + 1).
    keys: dict[str, int] = {}
    runs: list[int] = []
    starts: list[int] = [0]
    for key in b.names.keys() | b.alt_names.keys():
        primary = ranked(r for r in b.names.get(key, ()) if r not in unplaced)
        alternate = ranked(r for r in b.alt_names.get(key, ()) if r not in unplaced and r not in primary)
        encoded = primary + [-(r + 1) for r in alternate]
        if len(encoded) == 1 and encoded[0] >= 0:
            keys[key] = encoded[0]
        elif encoded:
            keys[key] = -len(starts)
            runs += encoded
            starts.append(len(runs))
    packed["keys"] = keys
    packed["towns_by"] = _towns_by(kind, cols)
    packed["multi_rows"] = np.asarray(runs, dtype=np.int32)
    packed["multi_start"] = np.asarray(starts, dtype=np.int64)
    packed["first_words"] = _first_word_lengths(keys)
    spelling = SpellingIndex.build(
        (key, [r for r in rows if r not in unplaced])
        for names in (b.names, b.alt_names) for key, rows in names.items())
    packed["spelling_hashes"], packed["spelling_rows"] = spelling.hashes, spelling.row_ids
    return packed


def _towns_by(kind: np.ndarray, cols: dict[str, list]) -> dict[str, tuple[np.ndarray, dict[str, tuple[int, int]]]]:
    """The town rows of each country and first-level region ("northern X" needs their points):
    per level, the rows sorted by code and each code's (start, end) in them."""
    towns = np.flatnonzero(kind == KIND_CODE["city"]).tolist()
    out = {}
    for level in ("country", "admin1"):
        codes = cols[level]
        ordered = sorted(towns, key=lambda r: codes[r])
        spans: dict[str, tuple[int, int]] = {}
        for i, r in enumerate(ordered):
            code = codes[r]
            start = spans[code][0] if code in spans else i
            spans[code] = (start, i + 1)
        out[level] = (np.asarray(ordered, dtype=np.int32), spans)
    return out


def _kind_weight(kind_code: int) -> int:
    return {"country": 5, "continent": 4, "admin1": 3, "region": 3}.get(KINDS[kind_code], 0)


def _first_word_lengths(keys: Iterable[str]) -> dict[str, int]:
    """For each first word of a multi-word name, the most words any name starting with it has."""
    out: dict[str, int] = {}
    for key in keys:
        words = key.split()
        if len(words) > 1:
            out[words[0]] = max(out.get(words[0], 1), len(words))
    return out


# The code that builds the index, as imported: a process running older code must not write its
# index under the name of the code now on disk. Every module of this package takes part.
_BUILDER_FINGERPRINT = hashlib.sha1(b"".join(
    path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()[:12]


def sources_fingerprint(data_dir: Path | str | None = None) -> str:
    """A short hash naming the index the sources and the code now on disk build (the user's
    sources from `data_dir`, default `default_data_dir()`)."""
    parts = [f"v{INDEX_VERSION}", LAYOUT.decode()]   # and the layout of the cache file
    parts += [f"{dist}={version}" for dist, version in package_versions().items()]
    if CURATED_CSV.exists():
        parts.append(hashlib.sha1(CURATED_CSV.read_bytes()).hexdigest()[:12])
    parts.append(_BUILDER_FINGERPRINT)
    parts += SourceRegistry(data_dir).fingerprint_parts()   # none: the built-in fingerprint
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
