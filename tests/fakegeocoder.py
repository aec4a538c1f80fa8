"""A fake geocoding server on 127.0.0.1 that answers like Nominatim (`/search`) and Photon (`/api`),
and can be made slow or return 429 (with Retry-After), 403, 500 or malformed JSON, or hostile:
trickle its answer a byte at a time, send an endless or a declared-huge answer, JSON nested
100,000 deep, thousands of candidates, or a redirect (to `redirect_to`, or to itself). It counts
the requests it gets and stamps each with the test's clock (a fake one advances only when slept)."""

from __future__ import annotations

import http.server
import json
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

MODES = ("ok", "slow", "429", "403", "500", "malformed", "wrong_shape", "trickle", "trickle_headers", "endless",
         "declared_huge", "deep", "many", "redirect", "redirect_same")


class FakeClock:
    """A monotonic clock that moves only when slept on: spacing is measured, never waited for."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float                       # the test's clock when it arrived


@dataclass
class Answer:
    """A place the fake knows: served for its name (case- and accent-insensitive)."""

    name: str
    lat: float
    lon: float
    state: str = "Donetsk Oblast"
    country: str = "Ukraine"
    country_code: str = "ua"
    type: str = "village"


@dataclass
class FakeGeocoder:
    clock: Callable[[], float] = time.monotonic
    mode: str = "ok"
    failures: int | None = None     # with a failing mode: fail this many requests, then answer normally
    delay: float = 1.0              # "slow": seconds before answering
    retry_after: str | None = "2"   # "429": the Retry-After header (None: no header)
    places: dict[str, list[Answer]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)   # names answered with nothing ("not found")
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    trickle_every: float = 0.2      # "trickle": seconds between two bytes
    redirect_to: str = ""           # "redirect": the base URL of the other server
    streamed: int = 0               # bytes of the "endless" answer written before the client left
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        return len(self.requests)

    def answers_for(self, name: str) -> list[Answer]:
        key = _key(name)
        if key in self.places:
            return self.places[key]
        if key in self.unknown or key.startswith("nowhere"):
            return []
        # any other name: a village at a point derived from the name (stable across runs)
        h = zlib.crc32(key.encode())
        return [Answer(name, 47.0 + (h % 1000) / 1000, 37.0 + (h // 1000 % 1000) / 1000)]

    def add(self, *answers: Answer) -> None:
        for a in answers:
            self.places.setdefault(_key(a.name), []).append(a)

    def failing(self) -> str:
        """The mode this request gets (a failing mode turns "ok" after `failures` requests)."""
        with self._lock:
            if self.mode == "ok" or self.failures is None:
                return self.mode
            if self.failures > 0:
                self.failures -= 1
                return self.mode
            return "ok"


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def nominatim_record(a: Answer, n: int) -> dict:
    return {"place_id": 1000 + n, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
            "osm_type": "node", "osm_id": 5000 + n, "lat": f"{a.lat:.7f}", "lon": f"{a.lon:.7f}",
            "class": "place", "type": a.type, "place_rank": 19, "importance": 0.3, "addresstype": a.type,
            "name": a.name, "display_name": f"{a.name}, {a.state}, {a.country}",
            "address": {a.type: a.name, "state": a.state, "country": a.country, "country_code": a.country_code},
            "boundingbox": [str(a.lat - 0.01), str(a.lat + 0.01), str(a.lon - 0.01), str(a.lon + 0.01)]}


def photon_feature(a: Answer, n: int) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [a.lon, a.lat]},
            "properties": {"osm_id": 5000 + n, "osm_type": "N", "osm_key": "place", "osm_value": a.type,
                           "type": "city", "name": a.name, "state": a.state, "country": a.country,
                           "countrycode": a.country_code.upper()}}


def make_handler(fake: FakeGeocoder):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:      # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            fake.requests.append(Request(parts.path, params, dict(self.headers.items()), fake.clock()))
            mode = fake.failing()
            if mode == "slow":
                time.sleep(fake.delay)
            if mode == "429":
                headers = {"Retry-After": fake.retry_after} if fake.retry_after is not None else {}
                return self._send(429, b"Too Many Requests", headers)
            if mode == "403":
                return self._send(403, b"<html>Access blocked: usage policy</html>")
            if mode == "500":
                return self._send(500, b"Internal Server Error")
            if mode == "malformed":
                return self._send(200, b'[{"lat": "47.1", "lon": ', {"Content-Type": "application/json"})
            if mode in ("trickle", "trickle_headers", "endless", "declared_huge", "deep", "redirect",
                        "redirect_same"):
                return self._hostile(mode, parts)
            if parts.path.endswith("/search"):
                name = params.get("city") or params.get("q", "").split(",")[0]
                found = fake.answers_for(name)
                codes = params.get("countrycodes")
                if codes:
                    found = [a for a in found if a.country_code in codes.split(",")]
                body = [nominatim_record(a, n) for n, a in enumerate(found[: int(params.get("limit", 10))])]
                if mode == "many":          # the limit ignored: 2,000 places (1.2 MB)
                    body = [nominatim_record(found[0], n) for n in range(2000)] if found else []
                if mode == "wrong_shape":
                    body = [{"display": "no coordinates here"}]
            elif parts.path.endswith("/api"):
                found = fake.answers_for(params.get("q", "").split(",")[0])
                body = {"type": "FeatureCollection", "features": [photon_feature(a, n) for n, a in enumerate(found)]}
                if mode == "wrong_shape":
                    body = {"type": "FeatureCollection"}
            else:
                return self._send(404, b"not found")
            self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

        def _hostile(self, mode: str, parts) -> None:
            if mode in ("redirect", "redirect_same"):
                base = fake.redirect_to if mode == "redirect" else ""
                self.send_response(302)
                self.send_header("Location", f"{base}{parts.path}?{parts.query}&hop=1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                if mode == "redirect_same":
                    fake.mode = "ok"        # the second request is answered
                return None
            if mode == "trickle_headers":   # the status line and headers, a byte at a time, forever
                for byte in b"HTTP/1.0 200 OK\r\nX-Padding: " + b"a" * 100_000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fake.trickle_every)
                return None
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if mode == "declared_huge":
                self.send_header("Content-Length", str(300 * 1024 * 1024))
            self.end_headers()              # HTTP/1.0 without a length: the answer ends when the server closes
            if mode == "trickle":
                for byte in json.dumps([nominatim_record(Answer("Stepne", 47.1, 37.1), 0)]).encode():
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fake.trickle_every)
            elif mode == "deep":
                self.wfile.write(b"[" * 100_000 + b"]" * 100_000)
            else:                           # endless (and declared_huge): places until the client leaves
                record = json.dumps(nominatim_record(Answer("Stepne", 47.1, 37.1), 0)).encode() + b","
                self.wfile.write(b"[")
                for _ in range(50 * 1024 * 1024 // len(record)):      # at most 50 MB
                    self.wfile.write(record)
                    fake.streamed += len(record)
            return None

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (a timeout) is expected here: no traceback on stderr."""


def serve(fake: FakeGeocoder):
    """Start the server (a daemon thread); returns it. `fake.url` is its base URL."""
    httpd = _Server(("127.0.0.1", 0), make_handler(fake))
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd
