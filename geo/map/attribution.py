"""Credits that travel with results: OpenStreetMap's, for every place an online geocoder placed.

    >>> from geo.map.attribution import attribution_for
    >>> attribution_for(places)          # "" when the offline gazetteer placed them all
    '© OpenStreetMap contributors (ODbL)'
"""

from __future__ import annotations

from collections.abc import Iterable

# Nominatim and Photon (public or self-hosted) answer with OpenStreetMap data: ODbL asks for this credit.
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
# Who else places a mention (see geo.engine.resolve.ResolvedMention.placed_by); any other name is an online geocoder's.
OFFLINE_PLACERS = frozenset({"gazetteer", "correction"})


def placed_online(placed_by: str) -> bool:
    """Whether a place's point came from an online geocoder."""
    return placed_by not in OFFLINE_PLACERS


def attribution_for(places: Iterable) -> str:
    """The credit a view or export of these places (anything with `placed_by`) must show: the
    OpenStreetMap attribution when one of them was placed online, else ""."""
    return OSM_ATTRIBUTION if any(placed_online(p.placed_by) for p in places) else ""
