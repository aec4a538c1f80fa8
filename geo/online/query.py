"""What to ask an online geocoder for a mention, from the text's context: the name, the region and
country that hold it (those the text names, else those the engine placed it in), and a point to
bias towards.

    >>> r = next(r for r in parser.parse("Russian forces shelled Stepne, Donetsk.") if r.mention.name == "Stepne")
    >>> structured_query(r, resolved, index).nominatim()
    ({'city': 'Stepne', 'state': 'Donetsk Oblast', 'country': 'Ukraine'}, {'country_codes': ['ua']})
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo.engine.resolve import Candidate, ResolvedMention
from geo.gazetteer import PlaceIndex, normalize_name

# The English type word of first-level regions, as OpenStreetMap's English names write them.
_REGION_WORDS = ("Oblast", "Region", "Province", "Governorate", "State", "Krai", "County", "District")
_TYPE_SUFFIX = re.compile(r"\s+(oblast'?|region|province|governorate|state|krai|county|district|raion|rayon)$",
                          re.IGNORECASE)
# Ukrainian and Russian adjectival forms ("Donetska", "Kharkivska", "Luhans'ka") and their stems
_ADJECTIVE_ENDINGS = ("s'ka", "'ka", "ska", "ka", "skaya", "aya", "a")
_NOT_SETTLEMENTS = ("facility", "feature", "admin1", "admin2")


@dataclass(frozen=True)
class OnlineQuery:
    """A query for one name. `state`/`country` are English names ("Donetsk Oblast", "Ukraine"),
    `country_code` ISO alpha-2; `near` a point to bias towards (the container's); `town` the town
    the text puts it in or near; `settlement` False for facilities and features (asked as free text)."""

    name: str
    state: str = ""
    country: str = ""
    country_code: str = ""
    town: str = ""
    near: tuple[float, float] | None = None
    settlement: bool = True

    def key(self) -> str:
        """The normalised query: equal keys are the same question (the cache's key)."""
        fields = {"name": self.name, "state": self.state, "country": self.country, "cc": self.country_code.lower(),
                  "town": self.town, "settlement": self.settlement,
                  "near": [round(self.near[0], 2), round(self.near[1], 2)] if self.near else None}
        return json.dumps({k: normalize_name(v) if isinstance(v, str) else v for k, v in fields.items()},
                          sort_keys=True, ensure_ascii=False)

    def text(self) -> str:
        """As free text: "Stepne, Donetsk Oblast, Ukraine"."""
        return ", ".join(p for p in (self.name, self.town, self.state, self.country) if p)

    def nominatim(self) -> tuple[dict | str, dict]:
        """(query, keyword arguments) for geopy's Nominatim.geocode: structured for a settlement,
        free text for a facility or feature; limited to the country when it is known."""
        kwargs = {"country_codes": [self.country_code.lower()]} if self.country_code else {}
        if self.settlement:
            query = {"city": self.name}
            if self.state:
                query["state"] = self.state
            if self.country:
                query["country"] = self.country
            return query, kwargs
        return ", ".join(p for p in (self.name, self.town or self.state) if p), kwargs

    def photon(self) -> tuple[str, dict]:
        """(query, keyword arguments) for geopy's Photon.geocode: free text biased to the container's
        point; settlements only when a settlement is asked for."""
        kwargs: dict = {}
        if self.near:
            kwargs["location_bias"] = self.near
        if self.settlement:
            kwargs["osm_tag"] = "place"
        return self.text(), kwargs


def structured_query(r: ResolvedMention, resolved: Sequence[ResolvedMention], index: PlaceIndex) -> OnlineQuery:
    """The query for mention `r` of an article whose resolved mentions are `resolved`: its name, in
    the region and country the text names for it ("Stepne, Donetsk": Donetsk Oblast, Ukraine), else
    those of the container the engine placed it at, else those of the engine's own pick (a second
    opinion on a placed name)."""
    by_start = {x.mention.start: x for x in resolved}
    containers: list[tuple[Candidate, str]] = []        # (candidate, how the text writes it)
    for start, _ in r.mention.within:
        other = by_start.get(start)
        if other is not None and other is not r and (other.place or other.container):
            containers.append((other.place or other.container, other.mention.name))
    if r.container is not None:
        containers.append((r.container, ""))
    if r.place is not None and r.precision == "exact":
        containers.append((r.place, r.mention.name))
    state_row, state_text, town, near, country_code = None, "", "", None, ""
    for c, written in containers:
        if c.kind == "city" and not town and c is not r.place:
            town, near = c.name, (c.lat, c.lon)
        if c.kind != "city" and near is None and c.kind in ("admin1", "admin2"):
            near = (c.lat, c.lon)
        if state_row is None:
            if c.kind == "admin1":
                state_row, state_text = index.admin1_row(c.admin1), written
            elif c.admin1 and c.kind != "country":
                state_row = index.admin1_row(c.admin1)
        country_code = country_code or c.country
    state = english_region_name(index, state_row, state_text) if state_row is not None else ""
    country_row = index.country_row(country_code) if country_code else None
    country = index.entry(country_row).name if country_row is not None else ""
    settlement = r.mention.cue not in _NOT_SETTLEMENTS and (r.place is None or r.place.kind == "city"
                                                             or r.precision != "exact")
    return OnlineQuery(name=" ".join(r.mention.name.split()), state=state, country=country,
                       country_code=country_code, town=town, near=near, settlement=settlement)


def english_region_name(index: PlaceIndex, row: int, written: str = "") -> str:
    """The English name of a first-level region as OpenStreetMap writes it ("Donetsk Oblast" for the
    gazetteer's "Donetska oblast"): a form "<name> <Type>" the gazetteer knows for that very row,
    built from how the text writes it, or from the gazetteer's name and its adjectival stems; else
    the gazetteer's name."""
    entry = index.entry(row)
    bases: list[str] = []
    if written:
        bases.append(_TYPE_SUFFIX.sub("", written.strip()))
    own = _TYPE_SUFFIX.sub("", entry.name)
    stems = [own[: -len(e)] for e in _ADJECTIVE_ENDINGS if own.lower().endswith(e) and len(own) > len(e) + 2]
    bases += sorted(stems, key=len, reverse=True) + [own]      # "Donetsk" before "Donets" and "Donetska"
    for base in dict.fromkeys(b for b in bases if b):
        for word in _REGION_WORDS:
            form = f"{base} {word}"
            if row in index.lookup(form):
                return form
    return entry.name
