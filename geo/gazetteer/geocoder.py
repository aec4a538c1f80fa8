"""The offline gazetteer as a geopy geocoder, so any geopy provider can stand in for it (and it for them).

    >>> from geo.gazetteer.geocoder import OfflineGazetteer
    >>> OfflineGazetteer().geocode("Kramatorsk").raw["geonameid"]
    704508
    >>> OfflineGazetteer().geocode("Paris, Texas").address
    'Paris, Texas, United States'

It never touches the network: its geopy adapter refuses every request, and answers come from
`geo.gazetteer.PlaceIndex`. Ranking of the places a name matches (first key first):

1. a country in `bias_countries`;
2. when the query ends in a type word ("Luhansk region", "Texas County"): places named with the
   type word, then first- and second-level subdivisions;
3. the kind: country > continent > region > admin1 > the other curated kinds (water, island,
   peninsula, mountain, area, facility) > city > admin2;
4. population, largest first; a place matched only by an alternate name (a transliteration or
   former name) counts a tenth of its population.

A city that dominates the subdivision named like it (a quarter of its population or more) ranks
just above it: "Moscow" and "Kherson" give the cities, "Kherson region" the oblast.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderQueryError, GeocoderUnavailable
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer import KIND_CODE, KINDS, GazetteerEntry, PlaceIndex, normalize_name

__all__ = ("OfflineGazetteer",)

DEFAULT_LIMIT = 10
USER_AGENT = "conflictmap-offline"

# Rank of each kind when nothing else decides (lower first); see the module docstring.
_KIND_TIER = {
    "country": 0, "continent": 1, "region": 2, "admin1": 3,
    "island": 4, "peninsula": 4, "water": 4, "mountain": 4, "area": 4, "facility": 4,
    "city": 5, "admin2": 6,
}
# A place matched only by an alternate name ranks as if this many times smaller: alternate names
# hold the transliterations of big towns ("Zaporizhzhya") but also stray forms ("Parys" for Paris).
ALTERNATE_NAME_DISCOUNT = 10
_ADMIN_KINDS = frozenset({"admin1", "admin2"})
_TYPE_WORD = re.compile(
    r"\s+(region|oblast'?|province|county|governorate|state|district)$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_STRUCTURED_KEYS = ("city", "county", "state", "country")   # most specific first, as in Nominatim


class _OfflineAdapter(BaseSyncAdapter):
    """A geopy adapter that refuses every request: this geocoder has no service to call."""

    def get_json(self, url, *, timeout, headers):
        raise GeocoderUnavailable("OfflineGazetteer makes no network requests")

    def get_text(self, url, *, timeout, headers):
        raise GeocoderUnavailable("OfflineGazetteer makes no network requests")


class OfflineGazetteer(Geocoder):
    """A geopy geocoder over the offline gazetteer (GeoNames data shipped in PyPI packages).

    :param index: a loaded `PlaceIndex`; when None it is loaded (or built, ~30 s the first
        time) on the first query.
    :param cache_dir: where `PlaceIndex.load` keeps the index (default ~/.cache/conflictmap).
    """

    def __init__(self, index: PlaceIndex | None = None, *, cache_dir: Path | str | None = None) -> None:
        super().__init__(user_agent=USER_AGENT, timeout=None, proxies={},
                         adapter_factory=_OfflineAdapter)
        self._index = index
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._lock = threading.Lock()
        self._country_rows: dict[str, int] | None = None
        self._city_rows: np.ndarray | None = None

    @property
    def index(self) -> PlaceIndex:
        """The place index, loaded on first use."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = PlaceIndex.load(self._cache_dir)
        return self._index

    # -- geocoding -------------------------------------------------------------------------------
    def geocode(
        self,
        query: str | Mapping[str, str],
        *,
        exactly_one: bool = True,
        timeout=DEFAULT_SENTINEL,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
        kinds: str | Iterable[str] | None = None,
        bias_countries: Iterable[str] | None = None,
        spellings: bool = False,
    ) -> Location | list[Location] | None:
        """Places called `query`, best first.

        :param query: a name, optionally qualified by country or region: "Kramatorsk",
            "Paris, Texas", "Luhansk region", "Zaporizhzhia, Ukraine" (the qualifiers may be
            country names, ISO 3166-1 alpha-2 codes, first-level region names or US state codes;
            qualifiers that name no country or region are ignored). Or a structured query, a
            dict with any of the keys "city", "county", "state", "country".
        :param exactly_one: return the best `Location` (or None) rather than a list.
        :param timeout: ignored (nothing is fetched); accepted for geopy compatibility.
        :param limit: the most results a list holds (default 10).
        :param country_codes: only places in these countries (ISO 3166-1 alpha-2).
        :param kinds: only places of these kinds (`geo.gazetteer.KINDS`).
        :param bias_countries: places in these countries (ISO alpha-2) rank first.
        :param spellings: when no place is called the name as written, the places whose names are
            another spelling of it ("Zaporizhia", "Gorlovka": geo.gazetteer.spelling, as the engine reads
            names), ranked as places matched by an alternate name.
        :raises GeocoderQueryError: for an unknown kind or structured-query key.
        """
        place, qualifiers, prefer_admin = self._parse_query(query)
        found: list[Location] = []
        if place:
            rows = self._ranked_rows(place, qualifiers, prefer_admin=prefer_admin,
                                     country_codes=_codes(country_codes), kinds=_kinds(kinds),
                                     bias=_codes(bias_countries) or frozenset(), spellings=spellings)
            cap = 1 if exactly_one else (DEFAULT_LIMIT if limit is None else max(0, int(limit)))
            found = [self._location(row) for row in rows[:cap]]
        if exactly_one:
            return found[0] if found else None
        return found

    def _parse_query(self, query: str | Mapping[str, str]) -> tuple[str, list[str], bool]:
        """(the place's name, the qualifiers, whether the query asks for a subdivision)."""
        if isinstance(query, Mapping):
            unknown = set(query) - set(_STRUCTURED_KEYS)
            if unknown:
                raise GeocoderQueryError(
                    f"OfflineGazetteer cannot use {', '.join(sorted(unknown))} in a structured query; "
                    f"it understands {', '.join(_STRUCTURED_KEYS)}")
            parts = [str(query[key]).strip() for key in _STRUCTURED_KEYS if str(query.get(key) or "").strip()]
            if not parts:
                return "", [], False
            subdivision = not query.get("city") and bool(query.get("county") or query.get("state"))
            return parts[0], parts[1:], subdivision
        text = " ".join(str(query or "").split())
        if "," in text and self.index.lookup(text):   # a name with a comma: "Washington, D.C."
            return text, [], False
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            return "", [], False
        return parts[0], parts[1:], False

    def _ranked_rows(self, place: str, qualifiers: Sequence[str], *, prefer_admin: bool,
                     country_codes: frozenset[str] | None, kinds: frozenset[str] | None,
                     bias: frozenset[str], spellings: bool = False) -> list[int]:
        index = self.index
        place = _LEADING_THE.sub("", place)
        bare = _TYPE_WORD.sub("", place)
        typed = prefer_admin or bare != place
        named_with_type: set[int] = set(index.lookup(place)) if bare != place else set()
        alternate_only: dict[int, bool] = {}   # row -> matched by none of its primary names
        for form in dict.fromkeys([place, bare]):
            for row, alternate in index.lookup_flagged(form):
                alternate_only[row] = alternate_only.get(row, True) and alternate
        if spellings and not alternate_only:
            for form in dict.fromkeys([place, bare]):
                alternate_only.update(dict.fromkeys(index.spelling_rows(form), True))
        rows = list(alternate_only)
        areas = [self._qualifier_areas(q) for q in qualifiers]
        areas = [a for a in areas if any(a)]
        entries = [index.entry(r) for r in rows]
        kept = [e for e in entries
                if (kinds is None or e.kind in kinds)
                and (country_codes is None or e.country in country_codes)
                and all(_within(e, area) for area in areas)]

        # A city that dominates the region named like it ("Moscow", "Kherson", "Paris") is what a
        # bare name means: it ranks just above that region (the resolver uses the same rule).
        region_tier = {}
        for e in kept:
            if e.kind in _ADMIN_KINDS:
                code = e.admin1 if e.kind == "admin1" else e.admin2
                region_tier[(e.kind, code)] = (_KIND_TIER[e.kind] - 0.5, e.population)

        def tier(e: GazetteerEntry) -> float:
            own = _KIND_TIER.get(e.kind, len(_KIND_TIER))
            if e.kind == "city" and not typed:
                for key in (("admin1", e.admin1), ("admin2", e.admin2)):
                    if key[1] and key in region_tier and e.population >= 0.25 * region_tier[key][1]:
                        own = min(own, region_tier[key][0])
            return own

        def rank(e: GazetteerEntry) -> tuple:
            return (
                e.country not in bias,
                typed and e.row not in named_with_type and bool(named_with_type),
                typed and e.kind not in _ADMIN_KINDS,
                tier(e),
                -(e.population / ALTERNATE_NAME_DISCOUNT if alternate_only[e.row] else e.population),
                e.row,
            )

        return [e.row for e in sorted(kept, key=rank)]

    def _qualifier_areas(self, qualifier: str) -> tuple[set[str], set[str], set[str]]:
        """The (countries, admin1 codes, admin2 codes) a qualifier such as "Texas" or "UA" names."""
        index = self.index
        name = _LEADING_THE.sub("", qualifier.strip())
        countries: set[str] = set()
        admin1: set[str] = set()
        admin2: set[str] = set()
        for row in dict.fromkeys([*index.lookup(name), *index.lookup(_TYPE_WORD.sub("", name))]):
            kind = index.kind(row)
            if kind == "country":
                countries.add(index.country[row])
            elif kind == "admin1":
                admin1.add(index.admin1[row])
            elif kind == "admin2":
                admin2.add(index.admin2[row])
        if len(name) == 2 and name.isalpha():
            code = name.upper()
            if code in self._countries():
                countries.add(code)
            if index.admin1_row(f"US.{code}") is not None:   # US state codes: "Paris, TX"
                admin1.add(f"US.{code}")
        if countries or admin1:
            admin2 = set()   # a second-level match is only a fallback ("Texas" is also a county)
        return countries, admin1, admin2

    # -- reverse geocoding -----------------------------------------------------------------------
    def reverse(
        self,
        query: Point | str | Sequence[float],
        *,
        exactly_one: bool = True,
        timeout=DEFAULT_SENTINEL,
        limit: int | None = None,
        max_distance_km: float | None = None,
    ) -> Location | list[Location] | None:
        """The nearest towns (gazetteer kind "city") to a point, nearest first.

        :param query: a `geopy.point.Point`, a (latitude, longitude) pair or a "lat, lon" string.
        :param max_distance_km: leave out towns farther than this.
        Distances are equirectangular (good to well under 1 % at town scale) and given in
        ``raw["distance_km"]``.
        """
        point = query if isinstance(query, Point) else Point(query)
        index = self.index
        rows = self._cities()
        lat0, lon0 = np.radians(point.latitude), np.radians(point.longitude)
        lat, lon = np.radians(index.lat[rows]), np.radians(index.lon[rows])
        dlon = (lon - lon0 + np.pi) % (2 * np.pi) - np.pi
        x = dlon * np.cos((lat + lat0) / 2)
        km = 6371.0088 * np.hypot(x, lat - lat0)
        cap = 1 if exactly_one else (DEFAULT_LIMIT if limit is None else max(0, int(limit)))
        nearest = np.argsort(km, kind="stable")[:cap]
        found = [self._location(int(rows[i]), distance_km=float(km[i])) for i in nearest
                 if max_distance_km is None or km[i] <= max_distance_km]
        if exactly_one:
            return found[0] if found else None
        return found

    # -- helpers ---------------------------------------------------------------------------------
    def _location(self, row: int, **extra: float) -> Location:
        entry = self.index.entry(row)
        address = self._address(entry)
        raw = {**asdict(entry), "address": address, **extra}
        return Location(address, (entry.lat, entry.lon), raw)

    def _address(self, entry: GazetteerEntry) -> str:
        """"Kramatorsk, Donetska oblast, Ukraine": the name, its first-level region and country."""
        index = self.index
        parts = [entry.name]
        if entry.kind not in ("admin1", "country"):
            admin1 = index.admin1_row(entry.admin1)
            if admin1 is not None:
                parts.append(index.entry(admin1).name)
        if entry.kind != "country":
            country = self._countries().get(entry.country)
            if country is not None:
                parts.append(index.entry(country).name)
        keys = [normalize_name(p) for p in parts]
        return ", ".join(p for i, p in enumerate(parts) if i == 0 or keys[i] != keys[i - 1])

    def _countries(self) -> dict[str, int]:
        """Country rows by ISO alpha-2 code (`PlaceIndex.country_row` finds only codes that are names)."""
        if self._country_rows is None:
            index = self.index
            table: dict[str, int] = {}
            for row in np.flatnonzero(index.kind_codes == KIND_CODE["country"]).tolist():
                if index.country[row]:
                    table.setdefault(index.country[row], row)
            self._country_rows = table
        return self._country_rows

    def _cities(self) -> np.ndarray:
        if self._city_rows is None:
            self._city_rows = np.flatnonzero(self.index.kind_codes == KIND_CODE["city"])
        return self._city_rows


def _within(entry: GazetteerEntry, area: tuple[set[str], set[str], set[str]]) -> bool:
    countries, admin1, admin2 = area
    return entry.country in countries or entry.admin1 in admin1 or entry.admin2 in admin2


def _codes(codes: str | Iterable[str] | None) -> frozenset[str] | None:
    if codes is None:
        return None
    if isinstance(codes, str):
        codes = [codes]
    return frozenset(c.strip().upper() for c in codes if c and c.strip())


def _kinds(kinds: str | Iterable[str] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    chosen = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = chosen - set(KINDS)
    if unknown:
        raise GeocoderQueryError(
            f"unknown kind(s) {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}")
    return chosen
