"""The interactive map: places -> a folium map that loads nothing from outside localhost.

    >>> from geo.mapview import build_map
    >>> m = build_map(places)                          # for st_folium (assets under /app/static)
    >>> html = standalone_html(build_map(places, standalone=True))   # one file, opens offline

Leaflet, jQuery and markercluster come from `static/vendor/` (see its README); a bundled GeoJSON
basemap (country and Ukrainian oblast borders) in a pane below the tiles keeps the map readable
with no tile server, and OpenStreetMap tiles (with attribution) cover it when the network is there.
An exact place is a filled disc; an approximate one (placed at the point of the town, district,
region or country that holds it) a hollow dashed ring over a light circle of about that container's
size, in a layer of its own below the markers; a place without a point is not drawn.
A popup shows at most `POPUP_PASSAGES` passages, each cut to a window around the mention
(geo.excerpts), so a map's size grows with its places, not with how long their passages are.
All text that comes from articles is HTML-escaped here, before it reaches a popup or tooltip, and
no rendered output is ever read again as a Jinja template (folium's own elements do that: article
text with `{{ ... }}` in it would run as template code on the server).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from folium.plugins import FastMarkerCluster
from folium.template import Template as FoliumTemplate
from jinja2 import Template

from geo.attribution import attribution_for, placed_online
from geo.excerpts import CONTEXT, ELLIPSIS, excerpt
from geo.places import Place
from geo.styles import (
    APPROX_DASH,
    CREDIT,
    GROUP_ALPHA,
    GROUP_COLOUR,
    GROUP_DASH,
    GROUP_LABEL,
    KIND_GROUPS,
    PRECISION_LABEL,
    STATUS_COLOUR,
    UNCERTAINTY_DASH,
    UNCERTAINTY_FILL,
    uncertainty_m,
)

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"
STATIC_URL = "/app/static"          # Streamlit's static serving (server.enableStaticServing)
BASEMAPS = ("basemap/countries.geojson", "basemap/ukraine-oblasts.geojson")
BASEMAP_CREDIT = CREDIT
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                   "contributors")
GROUP_STYLE = {g: (GROUP_COLOUR[g], GROUP_ALPHA[g], GROUP_DASH[g]) for g in GROUP_COLOUR}
STATUS_STYLE = STATUS_COLOUR
POPUP_PASSAGES = 6
# A place the user corrected: a dark rim (CSS over the kind's colour) and a check in its tooltip.
CORRECTED_COLOUR = "#111"
CORRECTED_CSS = f"path.cm-corrected {{ stroke: {CORRECTED_COLOUR}; stroke-width: 3px; stroke-opacity: 1; }}"
CORRECTED_MARK = " ✓ corrected"


def _vendor(path: str, base: str) -> str:
    return f"{base}/vendor/{path}"


class _Text(Element):
    """Rendered output, emitted as it is. branca wraps each rendered macro in `Element(text)`,
    which compiles the text as a Jinja template: article text in a popup would run as template
    code, and compiling megabytes of marker data takes most of the render time."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Text"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _PlainOutput(MacroElement):
    """MacroElement.render, with the rendered header/html/script added as text, not as templates."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            if macros.get(part) is not None:
                target.add_child(_Text(str(macros[part](self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


# Characters written as \\uXXXX in the marker rows. <, >, & and ' keep the script inert as HTML;
# braces keep it inert as a template (rows hold no objects, so every brace is in a string, and
# streamlit-folium rewrites `{{'name'}}`); parentheses and underscores keep article text out of
# streamlit-folium's other rewrites of the script it is given: it deletes every `alert(coords);`
# and renames `drawnItems_draw_control_div_N` and `_<element id>` suffixes.
_JSON_ESCAPES = {c: f"\\u{ord(c):04x}" for c in "<>&'{}()_"}
_JSON_ESCAPE = str.maketrans(_JSON_ESCAPES)


def _rows_json(rows: Sequence[Sequence]) -> str:
    """Marker rows (numbers, strings, None) as JSON for a <script> block, inert as HTML, as a
    template and to streamlit-folium's rewriting (see `_JSON_ESCAPES`): the browser reads every
    string back exactly as it was. Outside strings the JSON has only numbers, null and , [ ]."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPE)


# folium's FastMarkerCluster template, with the rows as `_rows_json` (not `tojson`).
_CLUSTER_TEMPLATE = FoliumTemplate("""
    {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function(){
            {{ this.callback }}
            var data = {{ this.rows_json }};
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            for (var i = 0; i < data.length; i++) {
                callback(data[i]).addTo(cluster);
            }
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
    {% endmacro %}""")


def local_asset_classes(base: str = STATIC_URL) -> tuple[type[folium.Map], type[FastMarkerCluster]]:
    """folium Map and FastMarkerCluster subclasses whose JS/CSS come from `base` (not CDNs).

    Subclasses, not edits of folium's class attributes: other maps in the process are untouched.
    Bootstrap, Font Awesome and awesome-markers are dropped (no icon markers here); jQuery stays
    (folium's popups and GeoJSON loading use it)."""

    class LocalMap(folium.Map, _PlainOutput):
        default_js = [("leaflet", _vendor("leaflet/leaflet.js", base)),
                      ("jquery", _vendor("jquery/jquery.min.js", base))]
        default_css = [("leaflet_css", _vendor("leaflet/leaflet.css", base))]

    class LocalCluster(FastMarkerCluster, _PlainOutput):
        _template = _CLUSTER_TEMPLATE
        default_js = [("markerclusterjs", _vendor("leaflet.markercluster/leaflet.markercluster.js", base))]
        default_css = [("markerclustercss", _vendor("leaflet.markercluster/MarkerCluster.css", base)),
                       ("markerclusterdefaultcss",
                        _vendor("leaflet.markercluster/MarkerCluster.Default.css", base))]

        @property
        def rows_json(self) -> str:
            return _rows_json(self.data)

    return LocalMap, LocalCluster


class Basemap(_PlainOutput):
    """Country and oblast borders in a pane below the tiles: visible when tiles fail."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("basemap");
            pane.style.zIndex = 150;
            map.getContainer().style.background = "#dbe9f4";
            var styles = {{ this.styles|tojson }};
            function add(data, i) {
                L.geoJSON(data, {pane: "basemap", interactive: false,
                                 style: function () { return styles[i]; }}).addTo(map);
            }
            {%- if this.embedded %}
            var layers = {{ this.embedded|tojson }};
            layers.forEach(add);
            {%- else %}
            {{ this.urls|tojson }}.forEach(function (url, i) {
                $.ajax(url, {dataType: "json", async: false}).done(function (d) { add(d, i); });
            });
            {%- endif %}
            map.attributionControl.addAttribution({{ this.credit|tojson }});
        })();
        {% endmacro %}
    """)

    def __init__(self, base: str = STATIC_URL, embed: bool = False, credit: str = BASEMAP_CREDIT) -> None:
        super().__init__()
        self._name = "Basemap"
        self.credit = html.escape(credit)
        self.styles = [
            {"color": "#8a8a8a", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
            {"color": "#a0a0a0", "weight": 0.6, "dashArray": "3 3", "fill": False},
        ]
        self.urls = [f"{base}/{rel}" for rel in BASEMAPS]
        self.embedded = None
        if embed:
            self.embedded = [json.loads((STATIC_DIR / rel).read_text(encoding="utf-8"))
                             if (STATIC_DIR / rel).exists() else {"type": "FeatureCollection", "features": []}
                             for rel in BASEMAPS]


class Legend(_PlainOutput):
    """A fixed legend of marker styles (static text only), top right: the zoom buttons are top left,
    the scale bottom left, and the credit line, kept to the right 60% in small type, bottom right."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>.leaflet-control-attribution { max-width: 60%; font-size: 10px; line-height: 1.35; }
        {{ this.corrected_css }}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="cm-legend" style="position:absolute;top:10px;right:10px;z-index:1000;
             background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;
             font:12px/1.5 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)">
          {% for colour, label, dash in this.rows %}
          <div><svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="{{ colour }}"
               fill-opacity=".6" stroke="{{ colour }}" stroke-width="2"
               {% if dash %}stroke-dasharray="{{ dash }}"{% endif %}/></svg> {{ label|e }}</div>
          {% endfor %}
          <div style="margin-top:3px;border-top:1px solid #ddd;padding-top:3px">
            <svg width="14" height="14"><circle cx="7" cy="7" r="5" fill="#555" fill-opacity=".6"
                 stroke="#555" stroke-width="2"/></svg> exact point (filled)</div>
          <div class="cm-key-approximate"><svg width="18" height="18" style="vertical-align:middle">
               <circle cx="9" cy="9" r="8" fill="#555" fill-opacity=".08" stroke="#555" stroke-width="1"
                 stroke-dasharray="{{ this.uncertainty_dash }}"/>
               <circle cx="9" cy="9" r="4" fill="none" stroke="#555" stroke-width="1.6"
                 stroke-dasharray="2 1.5"/></svg>
            approximate (hollow ring + uncertainty circle)</div>
          {% if this.corrected %}<div class="cm-key-corrected"><svg width="14" height="14"><circle cx="7" cy="7"
               r="5" fill="#555" fill-opacity=".6" stroke="{{ this.corrected_colour }}" stroke-width="3"/></svg>
            corrected by you (dark rim, ✓ in the tooltip)</div>{% endif %}
          <div style="color:#666">size: mentions</div>
        </div>
        {% endmacro %}
    """)

    def __init__(self, rows: Sequence[tuple[str, str, str | None]], corrected: bool = False) -> None:
        super().__init__()
        self._name = "Legend"
        self.rows = list(rows)
        self.uncertainty_dash = UNCERTAINTY_DASH
        self.corrected = corrected
        self.corrected_colour = CORRECTED_COLOUR
        self.corrected_css = CORRECTED_CSS


@dataclass(frozen=True)
class MarkerStyle:
    colour: str
    fill_opacity: float
    dash: str | None
    radius: float
    hollow: bool = False          # approximate: a dashed ring with no fill
    uncertainty_m: int = 0        # ... and the radius of its uncertainty circle, in metres


def marker_radius(mentions: int) -> float:
    """Pixel radius: area grows with the mention count, within readable bounds."""
    return round(min(6 + 3.2 * math.sqrt(max(mentions, 1) - 1), 30), 1)


def marker_style(place: Place, status: str | None = None) -> MarkerStyle:
    """Colour by kind (or comparison status), area by mentions; an approximate place is a hollow
    dashed ring (its fill fully transparent: the ring stays clickable inside) with an uncertainty
    circle whose radius says how coarse its point is."""
    group = KIND_GROUPS.get(place.kind, "town")
    colour, opacity, dash = GROUP_STYLE[group]
    if status:
        colour = STATUS_STYLE.get(status, colour)
    radius = marker_radius(place.mention_count)
    if place.approximate:
        return MarkerStyle(colour, 0.0, APPROX_DASH, radius, hollow=True,
                           uncertainty_m=uncertainty_m(place.precision))
    return MarkerStyle(colour, opacity, dash, radius)


def precision_label(precision: str) -> str:
    """"region" for admin1, "district" for admin2, ...: the precision as a reader says it."""
    return PRECISION_LABEL.get(precision, precision)


def tooltip_text(place: Place) -> str:
    """The plain-text tooltip (escaped when it goes into the map); also how a click on the map is
    mapped back to its place (see `map_tooltips`). An approximate place names the place whose
    point stands in: "Stepne ≈ Donetska oblast (approximate: region)"."""
    mark = CORRECTED_MARK if place.correction is not None else ""
    if place.approximate:
        where = f" ≈ {place.container}" if place.container else ""
        return f"{place.name}{where} (approximate: {precision_label(place.precision)}){mark}"
    where = f", {place.country}" if place.country and place.kind != "country" else ""
    return f"{place.name} ({place.kind}{where}){mark}"


def map_tooltips(places: Sequence[Place]) -> dict[str, str]:
    """Each placed place's tooltip by its key, unique on the map: a tooltip two places would share
    gets " #2", " #3", ... in the order given (the dashboard and `build_map` pass the same list)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for p in places:
        if not p.resolved or p.key in out:
            continue
        text = base = tooltip_text(p)
        n = 1
        while text in taken:
            n += 1
            text = f"{base} #{n}"
        taken.add(text)
        out[p.key] = text
    return out


def precision_note(place: Place) -> str:
    """One plain sentence on how precisely the point stands for the place ("" when it is exact)."""
    if not place.approximate:
        return ""
    what = {"town": "the town it is in or near", "admin2": "the district the text names or implies",
            "admin1": "the region the text names or implies",
            "country": "the country the text names or implies"}.get(place.precision,
                                                                    "a place that holds it")
    at = f"the point of {place.container}, {what}" if place.container else f"the point of {what}"
    if place.alternatives and place.precision != "town":
        # Either none of them lies in the container the text names, or too many are alike to pick one
        # (the alternatives are the best few, not all: no count is given).
        why = f"none of the gazetteer's candidates for {place.name} is surely this one"
    else:
        why = "its own point is not in the gazetteer"
    return f"Approximate: placed at {at}; {why}."


def provenance_note(place: Place) -> str:
    """Who placed a corrected place, in one plain line ("" for the engine's own places): "✓ Corrected
    by you (correction #3)", or the online geocoder whose answer was accepted, with its credit."""
    if place.correction is None and not placed_online(place.placed_by):
        return ""
    which = f" (correction #{place.correction})" if place.correction is not None else ""
    if placed_online(place.placed_by):
        return f"✓ Placed by {place.placed_by} (online), accepted by you{which} · {attribution_for([place])}"
    return f"✓ Corrected by you{which}"


def highlight(passage_text: str, start: int, end: int) -> str:
    """The whole passage as escaped HTML with the mention in <mark> (see `passage_html` for the
    window around it that popups and panels show)."""
    return (html.escape(passage_text[:start]) + "<mark>" + html.escape(passage_text[start:end])
            + "</mark>" + html.escape(passage_text[end:]))


def passage_html(passage_text: str, spans: Sequence[tuple[int, int]], context: int = CONTEXT) -> str:
    """The passage around its first span as escaped HTML: every span inside the window in <mark>,
    and a "…" where the passage was cut (see geo.excerpts)."""
    e = excerpt(passage_text, spans, context)
    cut = f"<span class='cm-cut' title='passage shortened'>{ELLIPSIS}</span>"
    return ((cut + " " if e.cut_before else "") + highlight_all(e.text, e.spans)
            + (" " + cut if e.cut_after else ""))


def popup_html(place: Place, status: str | None = None, limit: int = POPUP_PASSAGES) -> str:
    """A place's popup: its name, then at most `limit` passages, each cut to a window around the
    mention (highlighted) with the article title under it. Every piece of article text is escaped."""
    parts = [f"<div class='cm-popup' style='font:13px/1.4 system-ui,sans-serif;max-height:300px;"
             f"overflow:auto'><b>{html.escape(place.name)}</b> "
             f"<span style='color:#666'>{html.escape(place.kind)}"
             f"{' · ' + html.escape(place.country) if place.country else ''} · "
             f"{place.mention_count} mention{'s' if place.mention_count != 1 else ''}"
             f"{' · ' + html.escape(status) if status else ''}</span>"]
    provenance = provenance_note(place)
    if provenance:      # a correction: the reader should know the point is the user's, not the engine's
        parts.append(f"<div class='cm-provenance' style='margin:4px 0 0;padding:3px 6px;background:#eef5ee;"
                     f"border-left:3px solid {CORRECTED_COLOUR};font-size:12px'>{html.escape(provenance)}</div>")
    note = precision_note(place)
    if note:
        parts.append(f"<div class='cm-precision' style='margin:4px 0 0;padding:3px 6px;background:#fff4e0;"
                     f"border-left:3px solid #e0a030;font-size:12px'>{html.escape(note)}</div>")
    shown = 0
    seen = set()
    for m in place.mentions:
        key = (m.article_id, m.passage.index)
        if key in seen:
            continue
        seen.add(key)
        if shown == limit:
            break
        shown += 1
        p = m.passage
        same = [x for x in place.mentions if (x.article_id, x.passage.index) == key]
        text = passage_html(p.text, [(x.start - p.start, x.end - p.start) for x in same])
        parts.append(f"<p style='margin:6px 0 0'>{text}<br><small style='color:#666'>— "
                     f"{html.escape(m.article_title)}</small></p>")
    more = len({(m.article_id, m.passage.index) for m in place.mentions}) - shown
    if more > 0:
        parts.append(f"<p style='color:#666;margin:6px 0 0'>+{more} more passages in the side panel</p>")
    parts.append("</div>")
    return "".join(parts)


def highlight_all(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text as escaped HTML with every (start, end) span in <mark> (overlapping or out-of-range
    spans are left unmarked)."""
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos or start < 0 or end > len(text):
            continue
        out.append(html.escape(text[pos:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


_MARKER_CALLBACK = """function (row) {
    var m = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[2], color: row[3], weight: 2, fillColor: row[3], fillOpacity: row[4],
        dashArray: row[5], className: row[8]});
    m.bindTooltip(row[6]);   // escaped HTML: the map reports its text back on a click
    m.bindPopup(row[7], {maxWidth: 380});
    return m;
}"""


def _css_class(place: Place) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", place.name.casefold()).strip("-")[:40]
    precision = f"cm-approximate cm-precision-{place.precision}" if place.approximate else "cm-exact"
    corrected = " cm-corrected" if place.correction is not None else ""
    return f"cm-place cm-{KIND_GROUPS.get(place.kind, 'town')} {precision} cm-name-{slug}{corrected}"


class Uncertainty(_PlainOutput):
    """The uncertainty circles of approximate places: real circles in metres (they grow as one
    zooms in), in a pane below the markers, never clustered and never clickable (a country-sized
    circle must not catch the clicks meant for the map or for other places). Rows as JSON, like
    the markers': [lat, lon, radius_m, colour, css class]."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.getPane("uncertainty") || map.createPane("uncertainty");
            pane.style.zIndex = 350;
            pane.style.pointerEvents = "none";
            var circles = {{ this.rows_json }};
            var layer = L.layerGroup();
            for (var i = 0; i < circles.length; i++) {
                var c = circles[i];
                L.circle([c[0], c[1]], {radius: c[2], color: c[3], weight: 1, opacity: 0.7,
                    dashArray: {{ this.dash|tojson }}, fillColor: c[3],
                    fillOpacity: {{ this.fill_opacity|tojson }}, interactive: false,
                    pane: "uncertainty", className: c[4]}).addTo(layer);
            }
            layer.addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: Sequence[Sequence]) -> None:
        super().__init__()
        self._name = "Uncertainty"
        self.rows = [list(r) for r in rows]
        self.dash = UNCERTAINTY_DASH
        self.fill_opacity = UNCERTAINTY_FILL

    @property
    def rows_json(self) -> str:
        return _rows_json(self.rows)


def build_map(places: Sequence[Place], *, status: Callable[[Place], str | None] | None = None,
              tiles: bool = True, standalone: bool = False, base: str = STATIC_URL,
              height: int = 600) -> folium.Map:
    """The map of the resolved places: one circle marker each, sized by mentions, styled by kind
    (or by comparison status), clustered only where markers would overlap, fitted to the places.
    Approximate places are hollow rings over an uncertainty circle; unplaced places are not drawn.

    `standalone` embeds the basemap (for a single-file export); `base` is where the vendor
    assets live."""
    LocalMap, LocalCluster = local_asset_classes(base)
    # maxZoom on the map itself: folium 0.20 hands max_zoom only to a tile layer it creates, and
    # without one markercluster throws "Map has no maxZoom specified".
    m = LocalMap(location=[30, 20], zoom_start=2, tiles=None, maxZoom=18, minZoom=1,
                 control_scale=True, prefer_canvas=False, height=height)
    resolved = [p for p in places if p.resolved]
    online_credit = attribution_for(resolved)     # OpenStreetMap's, when an online geocoder placed one
    Basemap(base, embed=standalone, credit=f"{BASEMAP_CREDIT} · {online_credit}" if online_credit
            else BASEMAP_CREDIT).add_to(m)
    if tiles:
        folium.TileLayer("OpenStreetMap", attr=OSM_ATTRIBUTION, name="OpenStreetMap",
                         max_zoom=19).add_to(m)
    tooltips = map_tooltips(resolved)
    rows: list[list] = []
    circles: dict[tuple, str] = {}
    for p in sorted(resolved, key=lambda p: -p.mention_count):
        st = status(p) if status else None
        style = marker_style(p, st)
        rows.append([p.lat, p.lon, style.radius, style.colour, style.fill_opacity, style.dash,
                     html.escape(tooltips[p.key]), popup_html(p, st), _css_class(p)])
        if style.uncertainty_m:     # places at one container's point share its circle
            circles.setdefault((p.lat, p.lon, style.uncertainty_m, style.colour),
                               f"cm-uncertainty cm-precision-{p.precision}")
    if circles:     # biggest first: a small circle is drawn over a large one
        Uncertainty(sorted(([*c, css] for c, css in circles.items()), key=lambda c: -c[2])).add_to(m)
    LocalCluster(rows, callback=_MARKER_CALLBACK, name="Places",
                 options={"maxClusterRadius": 18 if len(rows) < 300 else 50,
                          "spiderfyOnMaxZoom": True, "showCoverageOnHover": False,
                          "disableClusteringAtZoom": 9 if len(rows) < 300 else 12}).add_to(m)
    if status:
        Legend([(colour, label, None) for label, colour in STATUS_STYLE.items()]).add_to(m)
    else:
        Legend([(GROUP_STYLE[g][0], GROUP_LABEL[g], GROUP_STYLE[g][2]) for g in GROUP_STYLE],
               corrected=any(p.correction is not None for p in resolved)).add_to(m)
    if resolved:
        south, west, north, east = story_bounds(resolved)
        m.fit_bounds([[south, west], [north, east]], padding=(20, 20), max_zoom=9)
    return m


def story_bounds(places: Sequence[Place], margin: float = 0.0) -> tuple[float, float, float, float]:
    """Where the story happens: the bounds of its towns, regions and features. Countries and
    continents, and places known only to lie in a country (drawn at its centroid), are context
    (their centroids would stretch the view to the whole world); they decide the view only when
    nothing smaller was placed."""
    scene = [p for p in places if p.resolved and p.kind not in ("country", "continent")
             and p.precision != "country"]
    south, west, north, east = place_bounds(scene or [p for p in places if p.resolved])
    dy, dx = (north - south) * margin, (east - west) * margin
    return max(south - dy, -85.0), max(west - dx, -180.0), min(north + dy, 85.0), min(east + dx, 180.0)


def place_bounds(places: Sequence[Place], min_span: float = 1.0) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the places, at least `min_span` degrees wide."""
    lats = [p.lat for p in places if p.lat is not None]
    lons = [p.lon for p in places if p.lon is not None]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if north - south < min_span:
        mid = (north + south) / 2
        south, north = mid - min_span / 2, mid + min_span / 2
    if east - west < min_span:
        mid = (east + west) / 2
        west, east = mid - min_span / 2, mid + min_span / 2
    return max(south, -85.0), max(west, -180.0), min(north, 85.0), min(east, 180.0)


def standalone_html(m: folium.Map, base: str = STATIC_URL) -> str:
    """The map as one HTML file that opens offline: vendor JS/CSS inlined in place of links."""
    page = m.get_root().render()
    for rel in _vendor_files():
        url = _vendor(rel, base)
        path = STATIC_DIR / "vendor" / rel
        if not path.exists():
            continue
        content = path.read_text(encoding="utf-8")
        if rel.endswith(".js"):
            content = content.replace("</script", "<\\/script")
            page = re.sub(r'<script src="' + re.escape(url) + r'"></script>',
                          lambda _m, c=content: f"<script>{c}</script>", page)
        else:
            page = re.sub(r'<link rel="stylesheet" href="' + re.escape(url) + r'"\s*/>',
                          lambda _m, c=content: f"<style>{c}</style>", page)
    return page


def _vendor_files() -> list[str]:
    return ["leaflet/leaflet.js", "jquery/jquery.min.js",
            "leaflet.markercluster/leaflet.markercluster.js", "leaflet/leaflet.css",
            "leaflet.markercluster/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.Default.css"]
