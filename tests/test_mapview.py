"""Tests for geo.map.mapview: the folium map loads only local assets, escapes article text, and the
standalone export is one self-contained file."""

from __future__ import annotations

import html
import os
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from mapdata import circle_rows, marker_rows
from streamlit_folium import generate_leaflet_string

from geo.engine.events import EVENT_TYPES
from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text
from geo.map.frame import MIN_SPAN_DEG, place_bounds, story_frame
from geo.map.mapview import (
    POPUP_EVENTS,
    STATIC_DIR,
    STATUS_STYLE,
    build_map,
    highlight_all,
    map_tooltips,
    marker_radius,
    marker_style,
    popup_html,
    precision_note,
    provenance_note,
    standalone_html,
    tooltip_text,
)
from geo.map.places import Place, places_for
from geo.map.styles import (
    APPROX_DASH,
    EVENT_COLOUR,
    GROUP_ALPHA,
    GROUP_COLOUR,
    GROUP_DASH,
    NO_EVENT_COLOUR,
    NO_EVENT_LABEL,
    TRIGGER_CSS,
    UNCERTAINTY_M,
)

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
    assert len(links) == 7                       # leaflet, jquery, markercluster: JS and CSS; the places layer
    for link in links:
        assert link.startswith(("/app/static/vendor/", "/app/static/js/")), link
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
    for lat, lon, radius, *_rest in rows:
        place = by_tooltip[_rest[3]]
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
    assert len(scripts) == page.count("</script>") == 6


def test_place_bounds_of_one_place_spans_the_minimum(seed_places: list[Place]) -> None:
    mariupol = next(p for p in seed_places if p.name == "Mariupol")
    south, west, north, east = place_bounds([mariupol])
    assert north - south == pytest.approx(MIN_SPAN_DEG) and east - west == pytest.approx(MIN_SPAN_DEG)
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


# -- precision: approximate places are hollow rings over an uncertainty circle ------------------------
APPROX_TEXT = (
    "Russian forces shelled Stepne, Donetsk.\n\n"
    "Patients were trapped in Kamal Adwan Hospital in Beit Lahia.\n\n"
    "Veterans of the Soviet Union gathered in Kyiv on Monday.\n"
)
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def by_name(places: list[Place], name: str) -> Place:
    return next(p for p in places if p.name == name)


@pytest.fixture(scope="module")
def approx_places(parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(APPROX_TEXT)], parser)
    stepne, hospital = by_name(places, "Stepne"), by_name(places, "Kamal Adwan Hospital")
    # what the engine gives for these sentences (geo.engine.resolve): a village the gazetteer lacks in the
    # region the text names, and a hospital at the point of the town it is in
    assert (stepne.precision, stepne.container, stepne.approximate) == ("admin1", "Donetska oblast", True)
    assert (hospital.precision, hospital.approximate) == ("town", True) and hospital.container
    assert by_name(places, "Beit Lahia").precision == "exact" and by_name(places, "Kyiv").precision == "exact"
    return places


@pytest.fixture(scope="module")
def approx_page(approx_places: list[Place]) -> str:
    return build_map(approx_places).get_root().render()


def test_approximate_places_are_hollow_dashed_rings(approx_page: str, approx_places: list[Place]) -> None:
    rows = {r[6]: r for r in marker_rows(approx_page)}
    stepne = rows["Stepne ≈ Donetska oblast (approximate: region)"]
    lat, lon, radius, colour, opacity, dash, _tooltip, popup, css = stepne[:9]
    place = by_name(approx_places, "Stepne")
    assert (lat, lon, radius) == (place.lat, place.lon, marker_radius(place.mention_count))
    assert colour == GROUP_COLOUR["town"]                       # the kind's colour
    assert opacity == 0 and dash == APPROX_DASH                 # no fill, a dashed ring
    assert "cm-approximate" in css.split() and "cm-precision-admin1" in css.split()
    hospital = rows[tooltip_text(by_name(approx_places, "Kamal Adwan Hospital"))]
    assert hospital[6].startswith("Kamal Adwan Hospital ≈ ") and hospital[6].endswith(" (approximate: town)")
    assert hospital[3] == GROUP_COLOUR["feature"] and hospital[4] == 0 and hospital[5] == APPROX_DASH


def test_exact_places_are_unchanged(approx_page: str, approx_places: list[Place]) -> None:
    rows = {r[6]: r for r in marker_rows(approx_page)}
    for name, group in (("Beit Lahia", "town"), ("Kyiv", "town"), ("Donetsk", "region")):
        row = rows[tooltip_text(by_name(approx_places, name))]
        assert row[3:6] == [GROUP_COLOUR[group], GROUP_ALPHA[group], GROUP_DASH[group]], name
        assert "cm-exact" in row[8].split()
        assert "Approximate" not in row[7]
    assert "Beit Lahia (city, PS)" in rows


def test_approximate_places_get_an_uncertainty_circle_of_their_precision(approx_page: str,
                                                                         approx_places: list[Place]) -> None:
    circles = circle_rows(approx_page)
    approximate = [p for p in approx_places if p.approximate]
    assert len(circles) == len(approximate) == 2
    for place in approximate:
        [circle] = [c for c in circles if (c[0], c[1]) == (place.lat, place.lon)]
        # metres, for L.circle: how far the region's towns lie from its point, else the precision's default
        assert circle[2] == (round(place.uncertainty_km * 1000) or UNCERTAINTY_M[place.precision])
        assert circle[3] == marker_style(place).colour
        assert f"cm-precision-{place.precision}" in circle[4]
    assert UNCERTAINTY_M["town"] < UNCERTAINTY_M["admin2"] < UNCERTAINTY_M["admin1"] < UNCERTAINTY_M["country"]
    stepne = by_name(approx_places, "Stepne")
    assert stepne.precision == "admin1" and 60 < stepne.uncertainty_km < 200      # an oblast: about 100 km
    # a layer of its own, below the markers, not clustered, not clickable
    script = approx_page.split("var circles = ", 1)[1].split("})();", 1)[0]
    assert "L.circle(" in script and "interactive: false" in script and 'pane: "uncertainty"' in script
    assert "markerClusterGroup" not in script
    assert approx_page.index("var circles = ") < approx_page.index("var data = ")


def test_places_at_one_point_share_one_circle(approx_places: list[Place]) -> None:
    stepne = by_name(approx_places, "Stepne")
    twin = replace(stepne, key="approx:stepne-2", name="Stepove")
    assert len(circle_rows(build_map([stepne, twin]).get_root().render())) == 1


def test_a_map_of_exact_places_has_no_circles(page: str) -> None:
    assert circle_rows(page) == [] and "var circles" not in page


def test_unplaced_places_are_never_drawn(approx_page: str, approx_places: list[Place]) -> None:
    unplaced = [p for p in approx_places if not p.resolved]
    assert [(p.name, p.precision, p.kind) for p in unplaced] in ([], [("Soviet Union", "unplaced", "unresolved")])
    rows = marker_rows(approx_page)
    assert len(rows) == sum(p.resolved for p in approx_places)
    assert not any("Soviet Union" in r[6] for r in rows)
    assert len(circle_rows(approx_page)) == sum(p.approximate for p in approx_places)


def test_popup_states_the_precision(approx_places: list[Place]) -> None:
    stepne = popup_html(by_name(approx_places, "Stepne"))
    assert ("Approximate: placed at the point of Donetska oblast, the region the text names or implies; "
            "none of the gazetteer's candidates for Stepne is surely this one.").replace("'", "&#x27;") in stepne
    hospital = by_name(approx_places, "Kamal Adwan Hospital")
    assert (f"Approximate: placed at the point of {html.escape(hospital.container)}, the town it is in or near; "
            "its own point is not in the gazetteer.") in popup_html(hospital)
    assert "Approximate" not in popup_html(by_name(approx_places, "Kyiv"))
    assert precision_note(by_name(approx_places, "Kyiv")) == ""


def test_legend_explains_filled_and_hollow(approx_page: str, page: str) -> None:
    for p in (approx_page, page):
        assert "exact point (filled)" in p
        assert "approximate (hollow ring + uncertainty circle)" in p


def test_a_hostile_container_or_name_stays_text(approx_places: list[Place]) -> None:
    stepne = by_name(approx_places, "Stepne")
    hostile = replace(stepne, name=HOSTILE_NAME, container=HOSTILE_NAME + " oblast {{ 7*7 }}")
    page = build_map([hostile]).get_root().render()
    assert HOSTILE_NAME not in page
    [row] = marker_rows(page)
    escaped = html.escape(HOSTILE_NAME)
    assert row[6] == html.escape(tooltip_text(hostile))          # the tooltip is set as HTML
    assert row[6].startswith(f"{escaped} ≈ {escaped} oblast {{{{ 7*7 }}}}")
    assert f"Approximate: placed at the point of {escaped} oblast {{{{ 7*7 }}}}, the region" in row[7]
    assert "49" not in row[7]


def test_map_tooltips_are_unique(approx_places: list[Place]) -> None:
    kyiv = by_name(approx_places, "Kyiv")
    other = replace(kyiv, key="gn:1", lat=kyiv.lat + 1)       # another place the text names alike
    tooltips = map_tooltips([kyiv, other, *approx_places])
    assert tooltips[kyiv.key] == "Kyiv (city, UA)" and tooltips["gn:1"] == "Kyiv (city, UA) #2"
    assert len(set(tooltips.values())) == len(tooltips) == sum(p.resolved for p in approx_places) + 1
    rows = marker_rows(build_map([kyiv, other]).get_root().render())
    assert sorted(r[6] for r in rows) == ["Kyiv (city, UA)", "Kyiv (city, UA) #2"]


def test_the_frame_leaves_out_places_known_only_by_their_country(approx_places: list[Place]) -> None:
    stepne = by_name(approx_places, "Stepne")
    in_russia = replace(stepne, key="approx:x:ru", name="Xville", precision="country", container="Russia",
                        lat=61.7, lon=99.2)
    frame = story_frame([stepne, in_russia])
    assert frame.bounds == story_frame([stepne]).bounds and frame.core == (stepne.key,)
    assert [p.name for p in frame.off_frame] == ["Xville"]       # still named: "also mentioned"


# -- long passages and what streamlit-folium does to the script ---------------------------------------
def test_a_popup_does_not_grow_with_the_passage() -> None:
    from longtext import long_article, long_places

    small, large = (long_places(long_article(kb)) for kb in (20, 300))
    for place in large:
        popup = popup_html(place)
        assert len(popup) < 3_000, len(popup)          # one window of ~480 characters, marks, title
        assert "<mark>" + place.name + "</mark>" in popup and "class='cm-cut'" in popup
    for a, b in zip(small, large, strict=True):
        assert abs(len(popup_html(a)) - len(popup_html(b))) < 200


def test_a_map_does_not_grow_with_the_passage() -> None:
    from longtext import long_article, long_places

    sizes = [len(build_map(long_places(long_article(kb))).get_root().render()) for kb in (20, 300)]
    assert sizes[1] - sizes[0] < 2_000, sizes


STRIPPED_TEXT = ("Officials in Kyiv typed alert(coords); into the console and drawnItems_draw_control_div_1 "
                 "and _div_0 and (a) [b] {c} in Mariupol.\n")


def test_text_streamlit_folium_would_rewrite_arrives_as_written(parser: Geoparser) -> None:
    """streamlit-folium deletes every `alert(coords);` from the script it is given and renames
    `drawnItems_draw_control_div_N` and `_<element id>`: article text must not contain them."""
    from streamlit_folium import _get_map_string

    places = places_for([article_from_text(STRIPPED_TEXT, source="pasted text")], parser)
    m = build_map(places)
    m.get_root().render()
    script = _get_map_string(m)                      # the script st_folium hands to the browser
    data = script.split("var data = ", 1)[1].split(";\n", 1)[0]
    for char in "()_<>&'{}":
        assert char not in data, char
    popups = "\n".join(html.unescape(r[7]) for r in marker_rows(script))
    for piece in ("alert(coords);", "drawnItems_draw_control_div_1", "_div_0", "(a) [b] {c}"):
        assert piece in popups, piece


# -- corrections -------------------------------------------------------------------------------------
def test_a_corrected_place_is_marked_on_the_map(approx_places: list[Place]) -> None:
    kyiv = by_name(approx_places, "Kyiv")
    corrected = replace(kyiv, key="corrected:3", placed_by="correction", correction=3)
    assert tooltip_text(corrected) == tooltip_text(kyiv) + " ✓ corrected"
    page = build_map([corrected, by_name(approx_places, "Beit Lahia")]).get_root().render()
    rows = {r[6]: r for r in marker_rows(page)}
    row = rows[html.escape(tooltip_text(corrected))]
    assert row[8].split()[-1] == "cm-corrected"
    assert "✓ Corrected (correction #3)" in row[7] and "by you" not in row[7] and "cm-provenance" in row[7]
    assert "cm-corrected" not in rows["Beit Lahia (city, PS)"][8]
    assert "path.cm-corrected { stroke: #111" in page and "corrected (dark rim" in page
    assert "corrected (dark rim" not in build_map([kyiv]).get_root().render()          # no legend row then
    assert "OpenStreetMap contributors (ODbL)" not in page


def test_an_online_result_is_credited_on_the_map_and_the_standalone_page(approx_places: list[Place]) -> None:
    kyiv = by_name(approx_places, "Kyiv")
    online = replace(kyiv, key="corrected:4", placed_by="nominatim", correction=4)
    assert provenance_note(online) == ("✓ Placed by nominatim (online), accepted as correction #4 · "
                                       "© OpenStreetMap contributors (ODbL)")
    assert provenance_note(kyiv) == ""
    for page in (build_map([online], tiles=False).get_root().render(),
                 standalone_html(build_map([online], tiles=False, standalone=True))):
        assert "\\u00b7 \\u00a9 OpenStreetMap contributors (ODbL)\");" in page       # the map's credit line
    assert "(ODbL)" not in build_map([kyiv], tiles=False).get_root().render()


# -- labels, the story's core, compare layers, the selected place --------------------------------------------
def map_options(page: str) -> dict:
    import json

    return json.loads(page.split("var options = ", 1)[1].split(";", 1)[0])


def test_rows_carry_a_label_a_layer_and_a_rank(page: str, seed_places: list[Place]) -> None:
    frame = story_frame([p for p in seed_places if p.resolved])
    rows = marker_rows(page)
    by_name = {r[9]: r for r in rows}
    assert set(by_name) == {p.name for p in seed_places if p.resolved}
    assert sorted(r[12] for r in rows) == list(range(len(rows)))          # one rank each
    core = {p.name for p in seed_places if p.key in frame.core}
    assert {"Mariupol", "Kramatorsk", "Kreminna", "Rubizhne", "Popasna", "Zaporizhzhia"} <= core
    assert {name for name, r in by_name.items() if r[11] == 1} == core     # never clustered
    assert max(by_name[n][12] for n in core) < min(r[12] for n, r in by_name.items() if n not in core)
    assert by_name["Mariupol"][12] == 0 and by_name["Mariupol"][13] > by_name["Kreminna"][13]   # size by mentions
    assert by_name["Russia"][10] == "country" and by_name["Donbas"][10] == "region"


def test_orientation_names_are_bundled_and_give_way_to_the_story(page: str) -> None:
    names = [o[0] for o in map_options_orientation(page)]
    assert 200 < len(names) < 500 and "Warsaw" in names and "Belarus" in names
    assert "Kyiv" not in names and "Moscow" not in names and "Ukraine" not in names   # the story names them
    assert map_options(page)["labels"] is True and map_options(page)["selected"] == -1


def map_options_orientation(page: str) -> list[list]:
    import json

    return json.loads(page.split("var orientation = ", 1)[1].split(";", 1)[0])


def test_without_labels_no_orientation_names_are_sent(seed_places: list[Place]) -> None:
    page = build_map(seed_places, labels=False).get_root().render()
    assert map_options(page)["labels"] is False and map_options_orientation(page) == []


def test_the_core_drawn_on_its_own_is_capped(seed_places: list[Place]) -> None:
    import sys
    from pathlib import Path

    import geo.map.mapview as mapview

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from map_speed import synthetic_places

    places = synthetic_places(2000)
    rows = marker_rows(build_map(places, tiles=False).get_root().render())
    assert 0 < sum(r[11] == 1 for r in rows) <= mapview.MAX_UNCLUSTERED
    assert map_options(build_map(places, tiles=False).get_root().render())["clusterRadius"] == 50


def test_a_comparison_draws_the_differing_places_on_top(seed_places: list[Place]) -> None:
    status = {p.key: ("only A" if p.name == "Zaporizhzhia" else "only B" if p.name in ("Kreminna", "Rubizhne")
                      else "both") for p in seed_places}
    rows = marker_rows(build_map(seed_places, status=lambda p: status[p.key]).get_root().render())
    front = sorted((r for r in rows if r[11] == 2), key=lambda r: r[12])
    assert {r[9] for r in front} == {"Zaporizhzhia", "Kreminna", "Rubizhne"}
    assert all(r[12] < 3 for r in front)


def test_the_selected_place_is_named_to_the_map(seed_places: list[Place]) -> None:
    kramatorsk = next(p for p in seed_places if p.name == "Kramatorsk")
    page = build_map(seed_places, selected=kramatorsk.key).get_root().render()
    rows = marker_rows(page)
    chosen = map_options(page)["selected"]
    assert rows[chosen][9] == "Kramatorsk" and rows[chosen][12] == 0
    assert map_options(build_map(seed_places, selected="gn:0").get_root().render())["selected"] == -1


def test_label_text_is_data_not_markup(approx_places: list[Place]) -> None:
    hostile = replace(by_name(approx_places, "Kyiv"), name=HOSTILE_NAME + " {{ 7*7 }} alert(coords);")
    page = build_map([hostile]).get_root().render()
    [row] = marker_rows(page)
    assert row[9] == HOSTILE_NAME + " {{ 7*7 }} alert(coords);"          # set with textContent in the browser
    data = page.split("var data = ", 1)[1].split(";\n", 1)[0]
    for char in "<>&'{}()_":
        assert char not in data, char
    assert "textContent" in (STATIC_DIR / "js" / "conflictmap.js").read_text(encoding="utf-8")
    assert "innerHTML" not in (STATIC_DIR / "js" / "conflictmap.js").read_text(encoding="utf-8")


def test_the_standalone_page_is_titled_headed_and_lists_its_sources(seed_places: list[Place]) -> None:
    title = "Azovstal <script>alert(1)</script> {{ 7*7 }}"
    page = standalone_html(build_map(seed_places, standalone=True, height="100%"), title=title,
                           subtitle="21 April 2022", sources=[("Version A <b>", "a.txt"), ("Version B", "b <i>.txt")])
    escaped = html.escape(title)
    assert f"<title>{escaped}</title>" in page and f"<h1>{escaped}</h1>" in page
    assert "<script>alert(1)" not in page and "49" not in page.split("<h1>", 1)[1][:80]
    assert "Sources (2)" in page and "Version A &lt;b&gt;" in page and "(b &lt;i&gt;.txt)" in page
    assert "21 April 2022" in page and ".folium-map { position: absolute !important" in page
    assert page.count("<title>") == 1


def test_what_the_page_asks_the_map_to_report_is_named_in_its_script(seed_places: list[Place]) -> None:
    """streamlit-folium names a map by its script and reads what to report only when it first draws it:
    a map asked to report its view (or a clicked point) must have another script than one that is not."""
    plain, tracked, picking = (generate_leaflet_string(build_map(seed_places, returns=r))
                               for r in ((), ["bounds"], ["bounds", "last_clicked"]))
    assert "// reports" not in plain
    assert "// reports: bounds\n" in tracked
    assert "// reports: bounds last_clicked\n" in picking
    assert len({plain, tracked, picking}) == 3


# -- events: markers coloured by event type, popups that list them --------------------------------

EVENT_TEXT = ("Kharkiv, 10 March 2022\n\n"
              "Russian forces shelled Kharkiv <b>again</b> on Tuesday.\n\n"
              "Police arrested two men in Odesa.\n\n"
              "Officials met in Lviv.\n")


@pytest.fixture(scope="module")
def event_places(fast_parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(EVENT_TEXT, "story.txt")], fast_parser)
    assert by_name(places, "Kharkiv").event_type == "Explosions/Remote violence"
    assert by_name(places, "Odesa").event_type == "Strategic developments"
    assert by_name(places, "Lviv").event_type is None            # a meeting is no event
    return places


def test_a_map_coloured_by_event_type(event_places: list[Place]) -> None:
    page = build_map(event_places, by_event=True).get_root().render()
    rows = {r[9]: r for r in marker_rows(page)}
    assert rows["Kharkiv"][3] == EVENT_COLOUR["Explosions/Remote violence"]
    assert rows["Odesa"][3] == EVENT_COLOUR["Strategic developments"]
    assert rows["Lviv"][3] == NO_EVENT_COLOUR
    assert {"cm-event", "cm-event-explosions-remote-violence"} <= set(rows["Kharkiv"][8].split())
    assert "cm-event" not in rows["Lviv"][8].split()
    # the legend names the types shown (and only them), with their colours, and the places without one
    legend = page[page.index('class="cm-legend"'):]
    legend = legend[:legend.index("size: mentions")]
    for label, colour in (("Explosions/Remote violence", EVENT_COLOUR["Explosions/Remote violence"]),
                          ("Strategic developments", EVENT_COLOUR["Strategic developments"]),
                          (NO_EVENT_LABEL, NO_EVENT_COLOUR)):
        assert f'fill="{colour}"' in legend and html.escape(label) in legend
    assert "Battles" not in legend and "City / town" not in legend
    # without by_event, the kinds colour the markers as before (and the classes still say the event)
    plain = {r[9]: r for r in marker_rows(build_map(event_places).get_root().render())}
    assert plain["Kharkiv"][3] == GROUP_COLOUR["town"] and "cm-event" in plain["Kharkiv"][8].split()


def test_event_colours_are_distinct_and_dark_enough_for_a_light_map() -> None:
    colours = [*EVENT_COLOUR.values(), NO_EVENT_COLOUR]
    assert len(set(colours)) == len(colours) and set(EVENT_COLOUR) == set(EVENT_TYPES)

    def luminance(hex_colour: str) -> float:      # WCAG relative luminance
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    land = luminance("#f4f1ea")      # the basemap's land; the legend is white
    for colour in EVENT_COLOUR.values():          # at least 3:1 against the land (WCAG, graphics)
        assert (land + 0.05) / (luminance(colour) + 0.05) >= 3.0, colour


def test_popups_list_the_events_with_their_trigger_words_escaped(event_places: list[Place]) -> None:
    kharkiv = by_name(event_places, "Kharkiv")
    popup = popup_html(kharkiv)
    assert "Events (1)" in popup and "Shelling/artillery/missile attack" in popup and "2022-03-08" in popup
    # the trigger word in the event's line and in its sentence, marked apart from the place
    assert popup.count(f"<mark class='cm-trigger' style='{TRIGGER_CSS}'>shelled</mark>") == 2
    assert popup.count("<mark>Kharkiv</mark>") == kharkiv.mention_count
    assert "&lt;b&gt;again&lt;/b&gt;" in popup and "<b>again</b>" not in popup     # article text escaped
    assert "cm-event-explosions-remote-violence" in popup
    assert EVENT_COLOUR["Explosions/Remote violence"] in popup
    parsed = Tags(popup)
    assert all(tag in ("div", "b", "span", "mark", "br", "p", "small") for tag, _ in parsed.tags)
    assert "cm-events" not in popup_html(by_name(event_places, "Lviv"))


def test_popups_list_at_most_a_few_events(event_places: list[Place]) -> None:
    kharkiv = by_name(event_places, "Kharkiv")
    (ref,) = [m for m in kharkiv.mentions if m.event]
    many = replace(kharkiv, mentions=(ref,) * (POPUP_EVENTS + 3))
    popup = popup_html(many)
    assert popup.count("class='cm-event ") == POPUP_EVENTS and "+3 more events" in popup


def test_highlight_all_marks_triggers_apart_from_mentions() -> None:
    text = "Troops <shelled> Kyiv."
    out = highlight_all(text, [(17, 21)], [(7, 16)])
    assert out == ("Troops <mark class='cm-trigger' style='" + TRIGGER_CSS + "'>&lt;shelled&gt;</mark> "
                   "<mark>Kyiv</mark>.")
    assert highlight_all(text, [(7, 21)], [(8, 12)]) == "Troops <mark>&lt;shelled&gt; Kyiv</mark>."   # overlap
