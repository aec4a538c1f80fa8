"""The user's own places from a CSV file: an analyst's front-line villages, bases or checkpoints.

    $ python -m geo gazetteer add-csv frontline.csv --name frontline

    >>> from geo.gazetteer.custom import read_places_csv
    >>> read_places_csv(b"name,lat,lon,kind,country\\nCheckpoint Alpha,48.71,37.55,facility,UA\\n").places[0].kind
    'facility'

The file: UTF-8 (a byte-order mark is fine), a header row, then one place per row. Columns:

| column | required | meaning |
|---|---|---|
| `name` | yes | the name articles use |
| `lat`, `lon` | yes | decimal degrees, south and west negative |
| `kind` | yes | `city` (`town`, `village`), `facility`, `area`, `region`, `water`, `island`, `peninsula`, `mountain` |
| `country` | yes | ISO 3166-1 alpha-2 code (`UA`) |
| `admin1` | no | the first-level region: a code (`UA.07`) or a name the gazetteer knows (`Kharkiv`, `Kharkiv oblast`) |
| `alternate_names` | no | other names, separated by `|` |

Other columns (notes) are ignored and named in the result. Every row is checked and every problem
reported with its line number; if any row is bad, nothing is imported. Each place's source is
`custom: <source name>`. Unlike a GeoNames feature, a custom place always takes its names, even
where a town has them: the analyst named it on purpose.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo.gazetteer.base import GazetteerSourceError, SourcePlace
from geo.gazetteer.packages import ADMIN_TYPE_WORDS, country_codes
from geo.gazetteer.sources import SourceInfo, SourceRegistry, source_name_from, valid_source_name

if TYPE_CHECKING:
    from geo.gazetteer.index import PlaceIndex

REQUIRED = ("name", "lat", "lon", "kind", "country")
OPTIONAL = ("admin1", "alternate_names")
# Countries, continents and administrative units come complete from the built-in sources.
CSV_KINDS = ("city", "facility", "area", "region", "water", "island", "peninsula", "mountain")
KIND_SYNONYMS = {"town": "city", "village": "city", "settlement": "city"}
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
MAX_REPORTED = 50          # problems listed; the rest are counted
MAX_NAME_CHARS = 200       # a name, and each alternate name
MAX_ALTERNATES = 100       # alternate names of one place
CREDIT = "the user's own data"
_ADMIN1_CODE = re.compile(r"^[A-Za-z]{2}\.[A-Za-z0-9]{1,8}$")


class CsvImportError(GazetteerSourceError):
    """A CSV file with bad rows: `problems` holds one "line N: ..." text per problem."""

    def __init__(self, filename: str, problems: list[str]) -> None:
        self.filename = filename
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__(f"{filename}: nothing imported, {len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class CsvPlaces:
    """The places of a valid CSV file, and the columns it had that were ignored."""

    places: tuple[SourcePlace, ...]
    ignored_columns: tuple[str, ...] = ()


def read_places_csv(data: bytes | str | Path, *, filename: str = "",
                    index: PlaceIndex | Callable[[], PlaceIndex] | None = None) -> CsvPlaces:
    """Check and read a CSV of places (`data`: its bytes, or a path). `index` (or a function that
    loads it; default `PlaceIndex.load`) resolves admin1 values; it is loaded only when one is given.
    Raises CsvImportError listing every bad row."""
    if isinstance(data, (str, Path)):
        path = Path(data)
        filename = filename or path.name
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CsvImportError(filename, [f"the file is over {MAX_BYTES // 1024 // 1024} MB"])
            data = path.read_bytes()
        except OSError as exc:
            raise GazetteerSourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    filename = filename or "CSV"
    if len(data) > MAX_BYTES:
        raise CsvImportError(filename, [f"the file is over {MAX_BYTES // 1024 // 1024} MB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CsvImportError(filename, [f"line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                                        "save the file as UTF-8 CSV"]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise CsvImportError(filename, ["line 1: no header row; the first row must name the columns: "
                                        + ",".join(REQUIRED + OPTIONAL)])
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CsvImportError(filename, [f"line 1: the header lacks {', '.join(missing)}; the first row must "
                                        f"name the columns: {','.join(REQUIRED + OPTIONAL)} (the last two optional)"])
    ignored = tuple(c for c in columns if c not in REQUIRED + OPTIONAL)
    at = {c: columns.index(c) for c in REQUIRED + OPTIONAL if c in columns}
    countries = country_codes()
    resolver = _Admin1Resolver(index)
    places: list[SourcePlace] = []
    problems: list[str] = []
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:
            problems.append(f"line {reader.line_num}: not valid CSV ({exc})")
            break
        if fields is None:
            break
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(places) + len(problems) >= MAX_ROWS:
            problems.append(f"line {line}: more than {MAX_ROWS:,} rows; split the file")
            break
        row = {c: (fields[i].strip() if i < len(fields) else "") for c, i in at.items()}
        place, errors = _place(row, countries, resolver)
        problems += [f"line {line}: {e}" for e in errors]
        if place is not None:
            places.append(place)
    if problems:
        raise CsvImportError(filename, problems)
    if not places:
        raise CsvImportError(filename, ["no places: the file has a header but no rows"])
    return CsvPlaces(tuple(places), ignored)


def _place(row: dict[str, str], countries: frozenset[str], resolver: _Admin1Resolver
           ) -> tuple[SourcePlace | None, list[str]]:
    errors = []
    name = " ".join(row["name"].split())
    if not name or not any(ch.isalpha() for ch in name):
        errors.append(f"name {row['name'][:50]!r} has no letters" if name else "name is empty")
    elif len(name) > MAX_NAME_CHARS:
        errors.append(f"name is longer than {MAX_NAME_CHARS} characters")
    elif _has_control(name):
        errors.append(f"name {name[:50]!r} holds a control character (NUL, escape, ...)")
    point = []
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        value = row[column]
        try:
            number = float(value)
            if not math.isfinite(number) or abs(number) > limit:
                raise ValueError
            point.append(number)
        except ValueError:
            hint = " (use a point as decimal mark)" if "," in value else ""
            errors.append(f"{column} {value!r} is not a number between -{limit:g} and {limit:g}{hint}"
                          if value else f"{column} is empty")
    if point == [0.0, 0.0]:
        errors.append("lat 0, lon 0 is not a place (a missing point?)")
    kind = KIND_SYNONYMS.get(row["kind"].lower(), row["kind"].lower())
    if kind not in CSV_KINDS:
        errors.append(f"kind {row['kind']!r} is not one of {', '.join(CSV_KINDS)}")
    country = row["country"].upper()
    if country not in countries:
        errors.append(f"country {row['country']!r} is not an ISO 3166-1 alpha-2 country code (UA, SY, ...)"
                      if row["country"] else "country is empty (give its ISO code: UA, SY, ...)")
    admin1 = ""
    if row.get("admin1") and country in countries:
        admin1, problem = resolver.resolve(row["admin1"], country)
        if problem:
            errors.append(problem)
    alternates = tuple(dict.fromkeys(
        a for a in (" ".join(a.split()) for a in row.get("alternate_names", "").split("|")) if a and a != name))
    if len(alternates) > MAX_ALTERNATES:
        errors.append(f"{len(alternates)} alternate names, more than {MAX_ALTERNATES}")
    elif any(len(a) > MAX_NAME_CHARS for a in alternates):
        errors.append(f"an alternate name is longer than {MAX_NAME_CHARS} characters")
    elif any(_has_control(a) for a in alternates):
        errors.append("an alternate name holds a control character (NUL, escape, ...)")
    if errors:
        return None, errors
    return SourcePlace(names=(name,), kind=kind, lat=point[0], lon=point[1], country=country, admin1=admin1,
                       alternate_names=alternates), []


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


class _Admin1Resolver:
    """First-level regions by code or name, through the index (loaded on first need)."""

    def __init__(self, index: PlaceIndex | Callable[[], PlaceIndex] | None) -> None:
        self._index = index
        self._memo: dict[tuple[str, str], tuple[str, str]] = {}

    def index(self) -> PlaceIndex:
        if self._index is None:
            from geo.gazetteer.index import PlaceIndex

            self._index = PlaceIndex.load
        if callable(self._index) and not hasattr(self._index, "lookup"):
            self._index = self._index()
        return self._index

    def resolve(self, value: str, country: str) -> tuple[str, str]:
        """(the admin1 code, "") or ("", what is wrong)."""
        key = (value, country)
        if key not in self._memo:
            self._memo[key] = self._resolve(value, country)
        return self._memo[key]

    def _resolve(self, value: str, country: str) -> tuple[str, str]:
        index = self.index()
        if _ADMIN1_CODE.match(value):
            code = value[:2].upper() + value[2:]
            if code[:2] != country:
                return "", f"admin1 {value!r} is not in {country}"
            if index.admin1_row(code) is None:
                return "", f"admin1 {value!r}: no first-level region of {country} has this code"
            return code, ""
        codes = sorted({index.admin1[r] for form in dict.fromkeys([value, ADMIN_TYPE_WORDS.sub("", value)])
                        for r in index.lookup(form) if index.kind(r) == "admin1" and index.country[r] == country})
        if len(codes) == 1:
            return codes[0], ""
        if not codes:
            return "", (f"admin1 {value!r}: no first-level region of {country} is called so "
                        f"(a code like {country}.07 works too)")
        return "", f"admin1 {value!r} is ambiguous in {country}: use one of the codes {', '.join(codes)}"


def import_csv(data: bytes | str | Path, registry: SourceRegistry | None = None, *, name: str | None = None,
               filename: str = "", index: PlaceIndex | Callable[[], PlaceIndex] | None = None
               ) -> tuple[SourceInfo, CsvPlaces]:
    """Check a CSV of places and add it as a source (`name`: default the file's name); replaces a
    source of the same name. Raises CsvImportError (nothing imported) when a row is bad."""
    registry = registry or SourceRegistry()
    filename = filename or (Path(data).name if isinstance(data, (str, Path)) else "upload.csv")
    name = valid_source_name(name) if name else source_name_from(filename)
    if name.startswith("geonames-"):
        raise GazetteerSourceError(f"{name!r}: names starting with 'geonames-' are kept for GeoNames extracts")
    parsed = read_places_csv(data, filename=filename, index=index)
    origin = str(Path(data).resolve()) if isinstance(data, (str, Path)) else f"upload {filename}"
    info = registry.add(name=name, type="csv", origin=origin, places=parsed.places, credit=CREDIT,
                        label=f"custom: {name}")
    return info, parsed
