"""Which online geocoder to ask, if any, and how politely: read from `online.json` in the user's
data folder (or given as arguments). Off unless the user turns it on.

    {"enabled": true, "provider": "nominatim", "endpoint": "",
     "user_agent": "newsdesk-conflictmap/1.0 (maps@newsdesk.example)", "min_delay": 1.0, "timeout": 10}

`endpoint` "" means the public server of the provider (nominatim.openstreetmap.org, photon.komoot.io);
a URL ("https://geo.internal/nominatim") a self-hosted one, which may set `min_delay` below 1 s.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from geo.gazetteer import default_data_dir

PROVIDERS = ("nominatim", "photon")
PUBLIC_HOSTS = {"nominatim": "nominatim.openstreetmap.org", "photon": "photon.komoot.io"}
PUBLIC_MIN_DELAY = 1.0      # the Nominatim usage policy: at most one request per second, per application
DEFAULT_TIMEOUT = 10.0      # geopy's default (1 s) is too short for a busy public server
CONFIG_NAME = "online.json"

# geopy's own default agent and the samples of its and the providers' documentation: a server
# cannot tell their users apart, and the public servers block them.
SAMPLE_AGENTS = frozenset({
    "my-application", "my_app", "my_app/1", "my_user_agent", "my_user_agent/1.0", "myapp", "my-app",
    "specify_your_app_name_here", "test", "testing", "agent", "user_agent", "useragent", "app", "application",
    "geoapiexercises", "python", "example",
})
_SAMPLE_PREFIXES = ("geopy", "python-requests", "python-urllib", "curl/", "wget/", "mozilla/")
_PLACEHOLDER_CONTACTS = ("example.org", "example.com", "example.net", "you@", "your@", "your-email", "your_email")


class OnlineConfigError(ValueError):
    """A setting that cannot be used; the message says which and what to write instead."""


def check_user_agent(user_agent: str) -> str:
    """The user agent, stripped, if it identifies this application's user; else OnlineConfigError.
    geopy's default ("geopy/2.5.0"), documentation samples ("my-application", "test") and
    placeholders ("you@example.org") are refused: public servers block them."""
    agent = " ".join((user_agent or "").split())
    advice = ('set a user agent that names your application and how to reach you, e.g. '
              '"newsdesk-conflictmap/1.0 (maps@your-newsroom.org)"')
    if not agent:
        raise OnlineConfigError(f"the online geocoder needs a user agent: {advice}")
    low = agent.casefold()
    if low in SAMPLE_AGENTS or low.split("/")[0] in SAMPLE_AGENTS or low.startswith(_SAMPLE_PREFIXES):
        raise OnlineConfigError(f"the user agent {agent!r} is a sample or a library's default, which public "
                                f"geocoders refuse: {advice}")
    if any(p in low for p in _PLACEHOLDER_CONTACTS):
        raise OnlineConfigError(f"the user agent {agent!r} holds a placeholder address: {advice}")
    if len(agent) < 4 or not any(ch.isalpha() for ch in agent):
        raise OnlineConfigError(f"the user agent {agent!r} identifies nothing: {advice}")
    return agent


@dataclass(frozen=True)
class OnlineConfig:
    """How to reach the online geocoder. See the module docstring for the file."""

    provider: str = "nominatim"
    endpoint: str = ""
    user_agent: str = ""
    enabled: bool = False
    min_delay: float | None = None     # seconds between two requests; None: 1 s
    timeout: float = DEFAULT_TIMEOUT
    language: str = "en"
    max_retries: int = 2               # retries after HTTP 429
    error_pause: float = 60.0          # after a failure (timeout, 5xx, bad answer) no request for this long

    @property
    def url(self) -> str:
        """"https://nominatim.openstreetmap.org", or the self-hosted endpoint without a trailing /."""
        return (self.endpoint or f"https://{PUBLIC_HOSTS.get(self.provider, '')}").rstrip("/")

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def domain(self) -> str:
        """What geopy calls the domain: host, port and path prefix ("geo.internal:8080/nominatim")."""
        parts = urlsplit(self.url)
        return (parts.netloc + parts.path).rstrip("/")

    @property
    def public(self) -> bool:
        """Whether the endpoint is a public server (its usage policy applies)."""
        return (urlsplit(self.url).hostname or "") in PUBLIC_HOSTS.values()

    @property
    def local(self) -> bool:
        """Whether the endpoint is on this machine (requests to it never go through a proxy)."""
        host = urlsplit(self.url).hostname or ""
        try:
            return host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def delay(self) -> float:
        """Seconds between two requests: at least 1 s on a public server."""
        wanted = PUBLIC_MIN_DELAY if self.min_delay is None else float(self.min_delay)
        return max(wanted, PUBLIC_MIN_DELAY) if self.public else wanted

    def check(self) -> OnlineConfig:
        """The config, if usable; else OnlineConfigError saying what to change."""
        if self.provider not in PROVIDERS:
            raise OnlineConfigError(f"provider {self.provider!r} is not one of {', '.join(PROVIDERS)}")
        self.check_endpoint()
        check_user_agent(self.user_agent)
        if self.min_delay is not None and not (math.isfinite(self.min_delay) and self.min_delay >= 0):
            raise OnlineConfigError(f"min_delay {self.min_delay!r} is not a number of seconds >= 0")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise OnlineConfigError(f"timeout {self.timeout!r} is not a number of seconds > 0")
        if not (isinstance(self.max_retries, int) and 0 <= self.max_retries <= 5):
            raise OnlineConfigError(f"max_retries {self.max_retries!r} is not 0 to 5")
        return self

    def check_endpoint(self) -> None:
        """OnlineConfigError unless the endpoint is empty or an http(s) URL without a user name or
        password (the settings file and the page would show them); the message never quotes them."""
        if not self.endpoint:
            return
        try:
            parts = urlsplit(self.endpoint)
            parts.port         # noqa: B018 (raises ValueError for a port that is not a number)
        except ValueError:
            raise OnlineConfigError(f"endpoint {redact_url(self.endpoint)!r} is not an http(s) URL such as "
                                    f"https://geo.example.org/nominatim") from None
        if "@" in parts.netloc:
            raise OnlineConfigError(f"endpoint {redact_url(self.endpoint)!r} holds a user name or password "
                                    f"(user:secret@): it is not kept; use a server that needs none, or a proxy "
                                    f"on this machine that adds them")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise OnlineConfigError(f"endpoint {redact_url(self.endpoint)!r} is not an http(s) URL such as "
                                    f"https://geo.example.org/nominatim")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> OnlineConfig:
        if not isinstance(data, dict):
            raise OnlineConfigError("the online geocoder's settings are not a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise OnlineConfigError(f"unknown setting(s): {', '.join(sorted(unknown))} "
                                    f"(known: {', '.join(sorted(known))})")
        types = {"provider": str, "endpoint": str, "user_agent": str, "enabled": bool, "language": str}
        for key, kind in types.items():
            if key in data and not isinstance(data[key], kind):
                raise OnlineConfigError(f"{key} must be a {kind.__name__}")
        for key in ("min_delay", "timeout", "error_pause"):
            if key in data and data[key] is not None and (isinstance(data[key], bool)
                                                          or not isinstance(data[key], int | float)):
                raise OnlineConfigError(f"{key} must be a number of seconds")
        return cls(**data)


def redact_url(url: str) -> str:
    """`url` without a user name or password ("https://***@geo.example.org/..."), for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not a URL)"
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def config_path() -> Path:
    return default_data_dir() / CONFIG_NAME


def load_config(path: Path | str | None = None) -> OnlineConfig:
    """The settings in `path` (default: the data folder's online.json); the defaults (off) when the
    file does not exist. A file that cannot be used raises OnlineConfigError naming it."""
    path = Path(path) if path else config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return OnlineConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise OnlineConfigError(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise OnlineConfigError(f"{path} is not JSON ({exc})") from exc
    try:
        config = OnlineConfig.from_json(data)
        config.check_endpoint()          # even when off: the page shows the endpoint
        return config.check() if config.enabled else config
    except (OnlineConfigError, TypeError) as exc:
        raise OnlineConfigError(f"{path}: {exc}") from exc


def save_config(config: OnlineConfig, path: Path | str | None = None) -> Path:
    """Write the settings (checked first when enabled) atomically; returns the file."""
    if config.enabled:
        config.check()
    config.check_endpoint()
    path = Path(path) if path else config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(config.to_json(), indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
