"""Optional online geocoders (Nominatim, Photon; public or self-hosted) for the names the offline
gazetteer cannot place, or for a second opinion on request. Off by default; see README "Online
geocoders (optional)" and SECURITY.md ("Online geocoders").

    >>> from geo.online import OnlineGeocoder, second_opinions
    >>> geocoder = OnlineGeocoder.from_settings()       # None unless online.json enables it
    >>> review = second_opinions(geocoder, parser.parse(text), parser.index)

Modules: `config` (settings, user agents), `gate` (spacing and back-off per endpoint), `cache`
(answers on disk), `query` (what to ask, from the text's context), `geocoder` (the policy around a
geopy provider), `review` (which mentions to ask about).
"""

from geo.online.cache import GeoCache
from geo.online.config import (
    OnlineConfig,
    OnlineConfigError,
    check_user_agent,
    config_path,
    load_config,
    save_config,
)
from geo.online.gate import Gate, gate_for
from geo.online.geocoder import OnlineCandidate, OnlineGeocoder, OnlineResult
from geo.online.query import OnlineQuery, english_region_name, structured_query
from geo.online.review import OnlineReview, needs_second_opinion, second_opinions

__all__ = (
    "Gate", "GeoCache", "OnlineCandidate", "OnlineConfig", "OnlineConfigError", "OnlineGeocoder", "OnlineQuery",
    "OnlineResult", "OnlineReview", "check_user_agent", "config_path", "english_region_name", "gate_for",
    "load_config", "needs_second_opinion", "save_config", "second_opinions", "structured_query",
)
