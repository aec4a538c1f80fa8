"""An online geocoder (Nominatim or Photon, public or self-hosted, through geopy) asked politely: one
process-wide gate per endpoint (spacing, Retry-After, a pause after failures, a stop after 403), a
10 s deadline per request and answers of at most 2 MB (see geo.online.transport), a persistent cache
of answers and of "not found", and errors kept apart from "not found".

    >>> from geo.online import OnlineConfig, OnlineGeocoder, OnlineQuery
    >>> geocoder = OnlineGeocoder(OnlineConfig(enabled=True, user_agent="newsdesk-map/1.0 (maps@newsdesk.org)"))
    >>> result = geocoder.lookup(OnlineQuery("Stepne", state="Donetsk Oblast", country="Ukraine", country_code="UA"))
    >>> result.status, [c.display_name for c in result.candidates]
    ('found', ['Stepne, Pokrovsk Raion, Donetsk Oblast, Ukraine', ...])
    >>> geocoder.messages()          # what went wrong, each kind of failure said once ([] here)

The candidates are for review: a public server has returned vandalised names for Ukrainian places,
so each candidate keeps the provider's raw answer and warns when its name, region or country differ
from the query's. Nothing here replaces the engine's results.
"""

from __future__ import annotations

import json
import math
import re
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.geocoders import Nominatim, Photon
from geopy.location import Location

from geo.gazetteer.spelling import spelling_key
from geo.map.attribution import OSM_ATTRIBUTION
from geo.online.cache import GeoCache
from geo.online.config import OnlineConfig, load_config
from geo.online.gate import Clock, Sleep, gate_for
from geo.online.query import OnlineQuery
from geo.online.transport import AnswerRefused, bounded_adapter
from geo.store.corrections import Target

RESULT_LIMIT = 5            # candidates asked for per query
MAX_NAME_CHARS = 200        # a candidate's name, and its display name (x 2), are cut there
MAX_RAW_CHARS = 16 * 1024   # a candidate's raw answer past this keeps only the fields of _RAW_KEPT
_RAW_KEPT = ("place_id", "osm_type", "osm_id", "lat", "lon", "class", "type", "addresstype", "name", "display_name",
             "licence", "geometry", "properties")
MAX_RETRY_AFTER = 30.0      # a 429 asking for a longer wait is not waited for: the endpoint is paused instead
_FAILURES = frozenset({"unavailable", "service", "malformed", "rate_limited"})
STATUSES = ("found", "not_found", "error")
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)   # an answer geopy cannot read

# OpenStreetMap place types -> gazetteer kinds (see geo.gazetteer.KINDS)
_SETTLEMENTS = {"city", "town", "village", "hamlet", "suburb", "neighbourhood", "locality", "isolated_dwelling",
                "quarter", "borough", "municipality", "city_district", "farm", "allotments"}
_KIND_OF_TYPE = {"state": "admin1", "region": "admin1", "province": "admin1", "county": "admin2",
                 "district": "admin2", "country": "country", "island": "island", "islet": "island",
                 "peak": "mountain", "mountain_range": "mountain", "river": "water", "lake": "water",
                 "reservoir": "water", "canal": "water", "bay": "water", "sea": "water", "peninsula": "peninsula"}
_FACILITY_CLASSES = {"amenity", "building", "man_made", "aeroway", "railway", "military", "industrial",
                     "landuse", "power", "office", "shop", "tourism", "historic", "leisure", "highway", "bridge"}


@dataclass(frozen=True)
class OnlineCandidate:
    """One place an online geocoder offered, for a user to review. `raw` is the provider's answer
    for it (JSON text, `geopy.location.Location.raw`); `warnings` what to check before accepting it."""

    name: str
    display_name: str
    lat: float
    lon: float
    kind: str
    country_code: str
    state: str
    provider: str
    raw: str
    attribution: str = OSM_ATTRIBUTION
    public: bool = True
    warnings: tuple[str, ...] = ()

    def target(self, *, precision: str = "exact") -> Target:
        """What a correction accepting this candidate stores (see geo.store.corrections, action "online")."""
        return Target(lat=self.lat, lon=self.lon, name=self.name, kind=self.kind,
                      country=self.country_code.upper(), precision=precision, provider=self.provider,
                      display_name=self.display_name, attribution=self.attribution, raw=self.raw)

    def to_json(self) -> dict:
        return {**asdict(self), "warnings": list(self.warnings)}

    @classmethod
    def from_json(cls, data: dict) -> OnlineCandidate:
        return cls(**{**data, "warnings": tuple(data.get("warnings", ()))})


@dataclass(frozen=True)
class OnlineResult:
    """The answer to one query: `status` "found" (with candidates), "not_found", or "error" (with
    `message`, and `problem`: "blocked", "rate_limited", "unavailable", "service", "malformed",
    "query" or "paused"). An error is never cached and never reads as "not found"."""

    status: str
    query: OnlineQuery
    candidates: tuple[OnlineCandidate, ...] = ()
    message: str = ""
    problem: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return self.status != "error"


class OnlineGeocoder:
    """A geopy provider wrapped in this project's policy (see the module docstring).

    `clock`/`sleep` drive the spacing (tests inject a fake clock that advances when slept);
    `adapter_factory` is geopy's (tests may pass one); `cache` defaults to the data folder's."""

    def __init__(self, config: OnlineConfig, *, cache: GeoCache | None = None, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep, adapter_factory=None, limit: int = RESULT_LIMIT) -> None:
        self.config = config.check()
        public = config.public or not config.endpoint
        self.name = config.provider if public else f"{config.provider}@{config.domain}"
        self.endpoint = f"{config.provider} {config.url}"
        self.cache = cache if cache is not None else GeoCache()
        self.gate = gate_for(self.endpoint, config.delay, clock=clock, sleep=sleep)
        self.limit = limit
        self.requests = 0            # requests this geocoder sent
        self.cache_hits = 0
        self._pending: list[str] = []
        self._said: set[str] = set()
        if self.cache.problem:
            self._notice("cache", self.cache.problem)
        kwargs = {"domain": config.domain, "scheme": config.scheme, "user_agent": config.user_agent,
                  "timeout": config.timeout}
        if config.local:
            kwargs["proxies"] = {}      # a server on this machine is never reached through a proxy
        # geopy's own adapters time out per read, follow redirects anywhere and read answers of any size
        kwargs["adapter_factory"] = adapter_factory or bounded_adapter(max_items=2 * limit)
        self._geopy = (Nominatim if config.provider == "nominatim" else Photon)(**kwargs)

    @classmethod
    def from_settings(cls, path: Path | str | None = None, **kwargs) -> OnlineGeocoder | None:
        """The geocoder the settings file (default: the data folder's online.json) enables, or None
        when it is off. A file that cannot be used raises OnlineConfigError saying why."""
        config = load_config(path)
        return cls(config, **kwargs) if config.enabled else None

    # -- asking ----------------------------------------------------------------------------------
    def search(self, name: str, *, country_code: str = "", state: str = "", country: str = "") -> OnlineResult:
        """Look a name up (the review panel's search box): a settlement, in the country if given."""
        return self.lookup(OnlineQuery(" ".join(name.split()), state=state, country=country,
                                       country_code=country_code))

    def lookup(self, query: OnlineQuery) -> OnlineResult:
        """The answer to `query`: from the cache, from a request already in flight for it, or from
        one request (retried after a 429). Never raises for what the service or network does."""
        key = query.key()
        cached = self._cached(query, key)
        if cached is not None:
            return cached
        gate = self.gate
        with gate.inflight_lock:
            future = gate.inflight.get(key)
            owner = future is None
            if owner:
                future = gate.inflight[key] = Future()
        if not owner:
            return future.result()          # the same question is being asked: wait for its answer
        try:
            result = self._cached(query, key) or self._ask(query, key)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with gate.inflight_lock:
                gate.inflight.pop(key, None)

    def messages(self) -> list[str]:
        """What went wrong since the last call, each kind of failure said once per geocoder."""
        out, self._pending = self._pending, []
        return out

    # -- internals -------------------------------------------------------------------------------
    def _cached(self, query: OnlineQuery, key: str) -> OnlineResult | None:
        hit = self.cache.get(self.endpoint, key)
        if hit is None:
            return None
        self.cache_hits += 1
        status, candidates = hit
        return OnlineResult(status, query, tuple(OnlineCandidate.from_json(c) for c in candidates), from_cache=True)

    def _notice(self, problem: str, message: str) -> None:
        if problem not in self._said:
            self._said.add(problem)
            self._pending.append(message)

    def _error(self, query: OnlineQuery, problem: str, message: str, *, pause: bool = False) -> OnlineResult:
        if pause:
            self.gate.pause(self.config.error_pause)
            message += f"; no request goes to it for the next {self.config.error_pause:g} s"
        message += "; the offline results are kept"
        self._notice(problem, message)
        return OnlineResult("error", query, message=message, problem=problem)

    def _ask(self, query: OnlineQuery, key: str) -> OnlineResult:
        gate = self.gate
        if gate.blocked:
            return self._error(query, "blocked", gate.blocked)
        if gate.paused_for() > 0:
            message = (f"{self.name} was not asked: it failed or asked us to wait shortly before (asking again "
                       f"in {math.ceil(gate.paused_for())} s); the offline results are kept")
            if not self._said & _FAILURES:        # this session has not heard why yet
                self._notice("paused", message)
            return OnlineResult("error", query, message=message, problem="paused")
        for attempt in range(self.config.max_retries + 1):
            gate.wait()
            self.requests += 1
            try:
                locations = self._geocode(query)
            except GeocoderRateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else min(60.0, 2.0 * 2 ** attempt)
                if wait > MAX_RETRY_AFTER or attempt == self.config.max_retries:
                    # nobody waits that long in a request: callers skip the endpoint until then
                    gate.pause(wait)
                    return self._error(query, "rate_limited",
                                       f"{self.name} asks us to slow down (HTTP 429, retry after {wait:g} s); "
                                       f"gave up on {query.name!r} after {attempt + 1} "
                                       f"request{'s' if attempt else ''}; no request goes to it for {wait:g} s")
                gate.hold(wait)          # the next request (this retry, or anyone's) waits that long
                continue
            except (GeocoderInsufficientPrivileges, GeocoderAuthenticationFailure) as exc:
                gate.blocked = (f"{self.name} refused our requests ({_http(exc) or 'access denied'}); no more "
                                f"requests go to it in this session. Its usage policy may have been broken or "
                                f"the user agent {self.config.user_agent!r} blocked: check the settings")
                return self._error(query, "blocked", gate.blocked)
            except (GeocoderTimedOut, GeocoderUnavailable) as exc:
                reason = (f"did not answer within {self.config.timeout:g} s" if isinstance(exc, GeocoderTimedOut)
                          else f"cannot be reached ({exc})")
                return self._error(query, "unavailable", f"{self.name} {reason}", pause=True)
            except AnswerRefused as exc:
                return self._error(query, "malformed", f"{self.name} sent an answer this program does not read: "
                                   f"{exc}", pause=True)
            except GeocoderParseError:
                return self._error(query, "malformed", f"{self.name} sent an answer that is not valid JSON",
                                   pause=True)
            except GeocoderQueryError as exc:
                return self._error(query, "query", f"{self.name} rejected the query for {query.name!r} ({exc})")
            except GeocoderServiceError as exc:
                return self._error(query, "service", f"{self.name} failed ({_http(exc) or exc})", pause=True)
            except _MALFORMED as exc:
                return self._error(query, "malformed",
                                   f"{self.name} sent an answer this program cannot read ({type(exc).__name__})",
                                   pause=True)
            try:
                candidates = self._candidates(query, locations or [])
            except _MALFORMED as exc:
                return self._error(query, "malformed",
                                   f"{self.name} sent an answer this program cannot read ({type(exc).__name__})",
                                   pause=True)
            status = "found" if candidates else "not_found"
            self.cache.put(self.endpoint, key, status, [c.to_json() for c in candidates])
            return OnlineResult(status, query, tuple(candidates))
        raise AssertionError("unreachable: the last attempt returns")

    def _geocode(self, query: OnlineQuery) -> list[Location] | None:
        if self.config.provider == "nominatim":
            q, kwargs = query.nominatim()
            found = self._geopy.geocode(q, exactly_one=False, limit=self.limit, addressdetails=True,
                                        language=self.config.language, **kwargs)
            return (found or [])[: self.limit]
        q, kwargs = query.photon()
        found = self._geopy.geocode(q, exactly_one=False, limit=self.limit * 2, language=self.config.language,
                                    **kwargs)
        if found and query.country_code:      # Photon cannot filter by country: keep the query's
            found = [loc for loc in found
                     if str(loc.raw["properties"].get("countrycode", "")).upper() == query.country_code.upper()]
        return (found or [])[: self.limit]

    def _candidates(self, query: OnlineQuery, locations: list[Location]) -> list[OnlineCandidate]:
        out = []
        for loc in locations:
            raw = loc.raw
            lat, lon = float(loc.latitude), float(loc.longitude)
            if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
                continue
            if self.config.provider == "nominatim":
                address = raw.get("address") or {}
                name = raw.get("name") or str(loc.address).split(",")[0]
                kind = _kind(raw.get("addresstype") or raw.get("type", ""), raw.get("class", ""))
                country, state = str(address.get("country_code", "")), str(address.get("state", ""))
                display = str(raw.get("display_name") or loc.address)
            else:
                props = raw["properties"]
                name = props.get("name") or str(loc.address).split(",")[0]
                kind = _kind(props.get("osm_value", ""), props.get("osm_key", ""))
                country, state = str(props.get("countrycode", "")), str(props.get("state", ""))
                display = str(loc.address)
            candidate = OnlineCandidate(
                name=str(name)[:MAX_NAME_CHARS], display_name=display[: 2 * MAX_NAME_CHARS], lat=lat, lon=lon,
                kind=kind, country_code=country.upper()[:3], state=state[:MAX_NAME_CHARS], provider=self.name,
                raw=_raw_text(raw), public=self.config.public)
            out.append(replace(candidate, warnings=_warnings(query, candidate)))
        return out


def _raw_text(raw: object) -> str:
    """The provider's answer for one candidate as JSON text, reduced to its main fields when large."""
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_RAW_CHARS and isinstance(raw, dict):
        text = json.dumps({k: raw[k] for k in _RAW_KEPT if k in raw}, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_RAW_CHARS:
        text = json.dumps({"note": "the provider's answer was too large to keep"})
    return text


def _http(exc: Exception) -> str:
    status = getattr(exc.__cause__, "status_code", None)
    return f"HTTP {status}" if status else ""


def _kind(place_type: str, place_class: str) -> str:
    place_type, place_class = str(place_type), str(place_class)
    if place_type in _SETTLEMENTS:
        return "city"
    if place_type in _KIND_OF_TYPE:
        return _KIND_OF_TYPE[place_type]
    if place_class in ("waterway", "water"):
        return "water"
    if place_class in _FACILITY_CLASSES:
        return "facility"
    return "area"


_TYPE_WORDS = re.compile(r"\b(village|town|city|settlement|hamlet|raion|rayon|district|oblast|region|province|"
                         r"governorate|municipality|selo|urban-type)\b", re.IGNORECASE)


def _bare(name: str) -> str:
    """A name without type words, spelling-insensitive: "Stepne village" reads as "Stepne"."""
    return spelling_key(" ".join(_TYPE_WORDS.sub(" ", name).split()))


def _warnings(query: OnlineQuery, c: OnlineCandidate) -> tuple[str, ...]:
    """What a reviewer should check: a public server's answer, a name or region that differ."""
    found = []
    if c.public:
        found.append("from a public server: check it before accepting (public data has been vandalised)")
    if _bare(c.name) != _bare(query.name):
        found.append(f"named {c.name!r}, not {query.name!r}")
    if query.state and c.state and spelling_key(c.state) != spelling_key(query.state):
        found.append(f"in {c.state}, not in {query.state}")
    if query.country_code and c.country_code and c.country_code.upper() != query.country_code.upper():
        found.append(f"in country {c.country_code}, not {query.country_code.upper()}")
    return tuple(found)

