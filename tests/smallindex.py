"""A two-place gazetteer index, for the tests of the index cache that must not spend ~25 s building
the real one (shared by the gazetteer and CLI tests, and the subprocesses they start)."""

from __future__ import annotations

from geo.gazetteer import IndexBuilder
from geo.gazetteer.build import pack


def small_packed() -> dict:
    """What `geo.gazetteer.build.build_index` returns, for Kramatorsk and Ukraine only."""
    b = IndexBuilder()
    b.add(name="Kramatorsk", kind="city", lat=48.7389, lon=37.5848, country="UA", admin1="UA.05",
          population=150_000, geonameid=704147, source="test")
    b.add(name="Ukraine", kind="country", lat=49.0, lon=32.0, country="UA", geonameid=690791, source="test")
    return pack(b, {"ukrainian": 1}, set())
