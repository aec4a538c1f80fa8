"""The HTTP client the online geocoders use (a geopy adapter): one GET with a total deadline (not
per read, so a server that trickles bytes times out as well), an answer read in pieces and
refused past a size cap (2 MB), JSON refused past a nesting depth, at most `max_items` results
kept, and redirects followed only on the same scheme, host and port (never, with our user agent,
to another server). No compression is asked for, so the cap counts what is parsed.

    >>> from geopy.geocoders import Nominatim
    >>> geopy_geocoder = Nominatim(user_agent="newsdesk-map/1.0 (maps@newsdesk.org)",
    ...                            adapter_factory=bounded_adapter(max_items=10))

A refused answer raises `AnswerRefused` (a `GeocoderServiceError`) whose message says why in the
program's own words: nothing the server sent is quoted.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import json
import socket
import ssl
import threading
import time
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import getproxies, proxy_bypass

from geopy.adapters import AdapterHTTPError, BaseSyncAdapter, _normalize_proxies
from geopy.exc import GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable

MAX_ANSWER_BYTES = 2 * 1024 * 1024      # an answer of five places is a few KB
MAX_ERROR_BYTES = 64 * 1024             # the body of an HTTP error, kept for geopy's message
MAX_JSON_DEPTH = 32                     # Nominatim's and Photon's answers nest 3 to 6 levels
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


class AnswerRefused(GeocoderServiceError):
    """An answer this program does not read: too large, nested too deep, not JSON, redirected
    elsewhere. The message says which (no text from the server)."""


def bounded_adapter(*, max_items: int, max_bytes: int = MAX_ANSWER_BYTES):
    """An `adapter_factory` for geopy geocoders (see the module docstring)."""
    return functools.partial(BoundedAdapter, max_items=max_items, max_bytes=max_bytes)


class BoundedAdapter(BaseSyncAdapter):
    """geopy's adapter interface over `http.client`, with the bounds of the module docstring.
    `timeout` (geopy's) is the deadline for the whole request: connecting, redirects, headers, body."""

    def __init__(self, *, proxies, ssl_context, max_items: int = 10, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.proxies = getproxies() if proxies is None else _normalize_proxies(proxies)
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.max_items = max_items
        self.max_bytes = max_bytes

    def get_json(self, url, *, timeout, headers):
        return parse_answer(self.get_bytes(url, timeout=timeout, headers=headers), self.max_items)

    def get_text(self, url, *, timeout, headers):
        return self.get_bytes(url, timeout=timeout, headers=headers).decode("utf-8", errors="replace")

    def get_bytes(self, url: str, *, timeout: float, headers: dict) -> bytes:
        deadline = time.monotonic() + float(timeout)
        for _ in range(MAX_REDIRECTS + 1):
            status, answer_headers, body = self._get_once(url, deadline, headers)
            if status in _REDIRECTS:
                url = self._same_server(url, answer_headers.get("Location") or "")
                continue
            if status >= 400:
                raise AdapterHTTPError(f"Non-successful status code {status}", status_code=status,
                                       headers=answer_headers, text=body.decode("utf-8", errors="replace"))
            if status != 200:
                raise AnswerRefused(f"the server answered with HTTP {status}, not with places")
            return body
        raise AnswerRefused(f"the server redirected more than {MAX_REDIRECTS} times")

    @staticmethod
    def _same_server(url: str, location: str) -> str:
        target = urljoin(url, location.strip())
        old, new = urlsplit(url), urlsplit(target)
        if not location.strip() or (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port) \
                or new.username or new.password:
            raise AnswerRefused("the server redirected to another address, which is not followed (a request "
                                "goes only to the configured server)")
        return target

    def _connection(self, url: str, remaining: float) -> tuple[http.client.HTTPConnection, str, dict]:
        """The connection for `url` (through the proxy for its scheme, if any), the path to ask
        for, and the proxy's headers."""
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy = self.proxies.get(parts.scheme) if not proxy_bypass(host) else None
        secure = parts.scheme == "https"
        if not proxy:
            cls = http.client.HTTPSConnection if secure else http.client.HTTPConnection
            extra = {"context": self.ssl_context} if secure else {}
            return cls(host, port, timeout=remaining, **extra), path, {}
        p = urlsplit(proxy)
        auth = {}
        if p.username is not None:
            token = base64.b64encode(f"{unquote(p.username)}:{unquote(p.password or '')}".encode()).decode()
            auth = {"Proxy-Authorization": f"Basic {token}"}
        if secure:       # a tunnel through the proxy
            con = http.client.HTTPSConnection(p.hostname, p.port or 8080, timeout=remaining,
                                              context=self.ssl_context)
            con.set_tunnel(host, port or 443, headers=auth)
            return con, path, {}
        con = http.client.HTTPConnection(p.hostname, p.port or 8080, timeout=remaining)
        return con, parts._replace(fragment="").geturl(), auth

    def _get_once(self, url: str, deadline: float, headers: dict) -> tuple[int, http.client.HTTPMessage, bytes]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise GeocoderTimedOut("Service timed out")
        con, path, proxy_headers = self._connection(url, remaining)
        expired = threading.Event()
        sockets: list[socket.socket] = []      # the connection forgets its socket once the answer starts

        def expire() -> None:          # wakes a read blocked on a server that trickles
            expired.set()
            for sock in sockets + ([con.sock] if con.sock is not None else []):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(remaining, expire)
        timer.daemon = True
        timer.start()
        try:
            con.connect()
            sockets.append(con.sock)
            con.request("GET", path, headers={**headers, **proxy_headers, "Accept-Encoding": "identity",
                                              "Connection": "close"})
            answer = con.getresponse()
            cap = self.max_bytes if answer.status < 300 else MAX_ERROR_BYTES
            declared = answer.getheader("Content-Length") or ""
            if answer.status < 300 and declared.isdigit() and int(declared) > cap:
                raise AnswerRefused(f"the answer is larger than {cap // 1024 ** 2} MB; it was not read")
            body = _read_capped(answer, cap, refuse=answer.status < 300, expired=expired)
            return answer.status, answer.msg, body
        except AnswerRefused:
            raise
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise GeocoderTimedOut("Service timed out") from None
            if isinstance(exc, ssl.SSLError | http.client.HTTPException):
                raise GeocoderServiceError(f"the connection failed ({type(exc).__name__})") from None
            raise GeocoderUnavailable(exc.strerror or type(exc).__name__) from None
        finally:
            timer.cancel()
            con.close()


def _read_capped(answer: http.client.HTTPResponse, cap: int, *, refuse: bool, expired: threading.Event) -> bytes:
    """The body, read a piece at a time until the deadline: past `cap` bytes, refused (or, for an
    error's body, cut)."""
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = answer.read1(_CHUNK)
        if expired.is_set():
            raise GeocoderTimedOut("Service timed out")
        if not piece:
            return b"".join(pieces)
        size += len(piece)
        if size > cap:
            if refuse:
                raise AnswerRefused(f"the answer is larger than {cap // 1024 ** 2} MB; it was not read further")
            return b"".join(pieces)
        pieces.append(piece)


def parse_answer(body: bytes, max_items: int) -> object:
    """The JSON of an answer, with at most `max_items` results (a list, or a GeoJSON collection's
    features); AnswerRefused when it is not UTF-8 JSON or nests deeper than MAX_JSON_DEPTH."""
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise AnswerRefused(f"the answer nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:                   # UnicodeDecodeError included
        raise AnswerRefused("the answer is not valid JSON") from None
    if _depth_over(data, MAX_JSON_DEPTH):
        raise AnswerRefused(f"the answer nests deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(data, list):
        return data[:max_items]
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        return {**data, "features": data["features"][:max_items]}
    return data


def _depth_over(data: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return False
