"""Tests for geo.mapview: the folium map loads only local assets, escapes article text, and the
standalone export is one self-contained file."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import pytest
from streamlit_folium import generate_leaflet_string

from geo.articles import Article, article_from_text
from geo.mapview import (
    STATIC_DIR,
    STATUS_STYLE,
    build_map,
    marker_radius,
    place_bounds,
    popup_html,
    standalone_html,
    tooltip_text,
)
from geo.pipeline import Geoparser
from geo.places import Place, places_for

CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "unpkg.com", "cdnjs.cloudflare.com", "bootstrapcdn.com",
             "fonts.googleapis.com", "githack.com", "rawgit.com", "googleapis.com")
OSM_URLS = {"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://www.openstreetmap.org/copyright"}
URL = re.compile(r"https?://[^\s\"'<>\\)]*")
HOSTILE_TEXT = (
    "Shelling hit Kyiv <script>alert(1)</script> on Monday.\n\n"
    "Residents of Mariupol saw <img src=x onerror=alert(1)> and \"quotes\" 'single' `backticks` near Kyiv.\n\n"
    "A reporter in Mariupol wrote </script> after the blast.\n"
)
# Jinja syntax in an article: folium's elements compile their rendered output as a template, so
# this text would run on the server (`{{ ... }}`) or crash the render (`{% if %}`).
TEMPLATE_TEXT = (
    "Shelling hit Kyiv at {{ 7*7 }} hours, {{ cycler.__init__.__globals__.os.getpid() }} said.\n\n"
    "A reporter in Mariupol saw {% if %} and {# comment #} and {{'map'}} near Kyiv.\n"
)
TEMPLATE_PIECES = ("{{ 7*7 }}", "{{ cycler.__init__.__globals__.os.getpid() }}", "{% if %}", "{# comment #}",
                   "{{&#x27;map&#x27;}}")


class Tags(HTMLParser):
    """The start tags of a page, with their attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def marker_rows(page: str) -> list[list]:
    """The FastMarkerCluster data: [lat, lon, radius, colour, opacity, dash, tooltip, popup, class]."""
    start = page.index("var data = ") + len("var data = ")
    rows, _ = json.JSONDecoder().raw_decode(page, start)
    return rows


@pytest.fixture(scope="module")
def seed_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], parser)


@pytest.fixture(scope="module")
def page(seed_places: list[Place]) -> str:
    return build_map(seed_places).get_root().render()


@pytest.fixture(scope="module")
def hostile_places(parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(HOSTILE_TEXT)], parser)
    assert {"Kyiv", "Mariupol"} <= {p.name for p in places}
    return places


def test_map_loads_only_the_bundled_vendor_files(page: str) -> None:
    tags = Tags(page).tags
    links = [a["src"] for t, a in tags if t == "script" and a.get("src")]
    links += [a["href"] for t, a in tags if t == "link" and a.get("href")]
    assert len(links) == 6                       # leaflet, jquery, markercluster: JS and CSS
    for link in links:
        assert link.startswith("/app/static/vendor/"), link
        assert (STATIC_DIR / link.removeprefix("/app/static/")).is_file(), link
    assert not any(host in page for host in CDN_HOSTS)
    assert set(URL.findall(page)) == OSM_URLS


def test_map_without_tiles_has_no_external_url(seed_places: list[Place]) -> None:
    assert URL.findall(build_map(seed_places, tiles=False).get_root().render()) == []


def test_one_marker_row_per_resolved_place(page: str, seed_places: list[Place]) -> None:
    rows = marker_rows(page)
    resolved = [p for p in seed_places if p.resolved]
    assert len(rows) == len(resolved)
    by_tooltip = {tooltip_text(p): p for p in resolved}
    for lat, lon, radius, *_rest, tooltip, _popup, _css in rows:
        place = by_tooltip[tooltip]
        assert (lat, lon) == (place.lat, place.lon)
        assert radius == marker_radius(place.mention_count)


def test_unresolved_places_get_no_marker(seed_places: list[Place]) -> None:
    place = seed_places[0]
    unplaced = Place(key="unresolved:xq", name="Xqzzyplorbville", kind="unresolved", lat=None, lon=None,
                     country="", geonameid=None, confidence=0.3, mentions=place.mentions, alternatives=(),
                     source="")
    rows = marker_rows(build_map([place, unplaced]).get_root().render())
    assert [r[6] for r in rows] == [tooltip_text(place)]


def test_tooltips_are_unique_per_place(seed_places: list[Place]) -> None:
    tooltips = [tooltip_text(p) for p in seed_places]
    assert len(set(tooltips)) == len(tooltips)
    assert "Mariupol (city, UA)" in tooltips


def test_popups_escape_article_text(hostile_places: list[Place]) -> None:
    page = build_map(hostile_places).get_root().render()
    for raw in ("<script>alert(1)", "<img src=x", "</script> after"):
        assert raw not in page
    popups = "\n".join(r[7] for r in marker_rows(page))
    for raw in ("<script>", "<img", "</script>", '"quotes"', "'single'"):
        assert raw not in popups, raw
    for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
                    "&lt;/script&gt; after", "&quot;quotes&quot;", "&#x27;single&#x27;"):
        assert escaped in popups, escaped
    assert "<mark>Kyiv</mark>" in popups and "<mark>Mariupol</mark>" in popups


@pytest.fixture(scope="module")
def template_places(parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(TEMPLATE_TEXT)], parser)
    assert {"Kyiv", "Mariupol"} <= {p.name for p in places}
    return places


def test_article_text_is_never_run_as_a_template(template_places: list[Place]) -> None:
    for page in (build_map(template_places).get_root().render(),
                 standalone_html(build_map(template_places, standalone=True))):
        popups = "\n".join(r[7] for r in marker_rows(page))
        for piece in TEMPLATE_PIECES:
            assert piece in popups, piece
        assert "49 hours" not in popups and str(os.getpid()) not in popups
        assert "{{" not in page.split("var data = ", 1)[1].split(";\n", 1)[0]   # inert for later passes too


def test_streamlit_folium_gets_the_template_text_as_text(template_places: list[Place]) -> None:
    m = build_map(template_places)
    m.get_root().render()                         # what st_folium does before it takes the script
    popups = "\n".join(r[7] for r in marker_rows(generate_leaflet_string(m)))
    for piece in TEMPLATE_PIECES:
        assert piece in popups, piece


def test_popup_escapes_the_article_title_and_marks_every_mention(hostile_places: list[Place]) -> None:
    kyiv = next(p for p in hostile_places if p.name == "Kyiv")
    popup = popup_html(kyiv)
    assert "— Shelling hit Kyiv &lt;script&gt;alert(1)&lt;/script&gt; on Monday." in popup
    assert popup.count("<mark>Kyiv</mark>") == kyiv.mention_count        # the title is not marked
    assert popup.count("<p ") == len(kyiv.passages)


def test_popup_lists_at_most_the_limit_and_counts_the_rest(seed_places: list[Place]) -> None:
    busy = max(seed_places, key=lambda p: len(p.passages))
    assert len(busy.passages) > 3
    popup = popup_html(busy, limit=3)
    assert popup.count("<p style='margin:6px 0 0'>") == 3
    assert f"+{len(busy.passages) - 3} more passages in the side panel" in popup


def test_marker_radius_grows_with_mentions_and_is_capped() -> None:
    radii = [marker_radius(n) for n in range(1, 2001)]
    assert radii[0] == marker_radius(0) == marker_radius(-5) == 6
    assert all(a <= b for a, b in zip(radii, radii[1:], strict=False))
    assert marker_radius(2) > marker_radius(1) and marker_radius(10) > marker_radius(5)
    assert max(radii) == 30 and radii[-1] == 30


def test_status_map_colours_markers_by_status(seed_places: list[Place]) -> None:
    status = {p.key: ("only A" if i % 3 == 0 else "only B" if i % 3 == 1 else "both")
              for i, p in enumerate(seed_places)}
    page = build_map(seed_places, status=lambda p: status[p.key]).get_root().render()
    colour = {r[6]: r[3] for r in marker_rows(page)}
    for p in seed_places:
        if not p.resolved:
            assert tooltip_text(p) not in colour
            continue
        assert colour[tooltip_text(p)] == STATUS_STYLE[status[p.key]]
        assert status[p.key] in popup_html(p, status[p.key])


def test_standalone_html_inlines_everything(seed_places: list[Place]) -> None:
    page = standalone_html(build_map(seed_places, standalone=True))
    assert 'src="/app/static' not in page and 'href="/app/static' not in page
    assert "/app/static" not in page                  # nor the basemap URLs
    assert not any(host in page for host in CDN_HOSTS)
    tags = Tags(page).tags
    assert not [a for t, a in tags if t == "script" and a.get("src")]
    assert not [t for t, _ in tags if t == "link"]
    assert "markerClusterGroup" in page and "jQuery" in page and ".leaflet-container" in page
    assert '"FeatureCollection"' in page                 # the basemap is embedded
    assert len(marker_rows(page)) == sum(p.resolved for p in seed_places)


def test_standalone_html_keeps_script_blocks_intact(seed_places: list[Place]) -> None:
    """Inlined library code must not close its <script> early: the parser sees the same scripts."""
    page = standalone_html(build_map(seed_places, standalone=True))
    scripts = [t for t, _ in Tags(page).tags if t == "script"]
    assert len(scripts) == page.count("</script>") == 5


def test_place_bounds_of_one_place_spans_the_minimum(seed_places: list[Place]) -> None:
    mariupol = next(p for p in seed_places if p.name == "Mariupol")
    south, west, north, east = place_bounds([mariupol])
    assert north - south == pytest.approx(1.0) and east - west == pytest.approx(1.0)
    assert (south + north) / 2 == pytest.approx(mariupol.lat)
    assert (west + east) / 2 == pytest.approx(mariupol.lon)
    assert place_bounds([mariupol], min_span=4.0)[2] - place_bounds([mariupol], min_span=4.0)[0] \
        == pytest.approx(4.0)


def test_place_bounds_stay_on_the_map(seed_places: list[Place]) -> None:
    near_pole = Place(key="x", name="X", kind="city", lat=84.9, lon=179.9, country="", geonameid=None,
                      confidence=1.0, mentions=(), alternatives=(), source="")
    south, west, north, east = place_bounds([near_pole])
    assert north <= 85.0 and east <= 180.0 and south < 84.9 and west < 179.9


def test_place_bounds_cover_all_places(seed_places: list[Place]) -> None:
    resolved = [p for p in seed_places if p.resolved]
    south, west, north, east = place_bounds(resolved)
    assert all(south <= p.lat <= north and west <= p.lon <= east for p in resolved)
