"""Reading the data rows a rendered map carries (shared by the map and dashboard tests)."""

from __future__ import annotations

import json


def _rows_after(script: str, marker: str) -> list[list]:
    if marker not in script:
        return []
    rows, _ = json.JSONDecoder().raw_decode(script, script.index(marker) + len(marker))
    return rows


def marker_rows(script: str) -> list[list]:
    """The FastMarkerCluster data: [lat, lon, radius, colour, opacity, dash, tooltip, popup, class]."""
    assert "var data = " in script, "no marker data in the map"
    return _rows_after(script, "var data = ")


def circle_rows(script: str) -> list[list]:
    """The uncertainty circles: [lat, lon, radius in metres, colour, class]; [] when there are none."""
    return _rows_after(script, "var circles = ")
