"""The interactive map: places -> a folium map that loads nothing from outside localhost.

    >>> from geo.map.mapview import build_map
    >>> m = build_map(places)                          # for st_folium (assets under /app/static)
    >>> html = standalone_html(build_map(places, standalone=True))   # one file, opens offline

Leaflet, jQuery and markercluster come from `static/vendor/` (see its README), the places layer
(markers, labels, clusters that name what they hold, the selected place) from `static/js/conflictmap.js`;
a bundled GeoJSON
basemap (country and Ukrainian oblast borders) in a pane below the tiles keeps the map readable
with no tile server, and OpenStreetMap tiles (with attribution) cover it when the network is there.
An exact place is a filled disc; an approximate one (placed at the point of the town, district,
region or country that holds it) a hollow dashed ring over a light circle of about that container's
size, in a layer of its own below the markers; a place without a point is not drawn.
The map opens on the story's frame (geo.map.frame: where its towns, facilities and regions concentrate);
the story's core places are never clustered, and every place is named on the map (labels laid out
in the browser without overlaps, the story first), with faint orientation names beneath.
A popup shows at most `POPUP_PASSAGES` passages, each cut to a window around the mention
(geo.map.excerpts), so a map's size grows with its places, not with how long their passages are.
All text that comes from articles is HTML-escaped here, before it reaches a popup or tooltip, and
no rendered output is ever read again as a Jinja template (folium's own elements do that: article
text with `{{ ... }}` in it would run as template code on the server).
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.map.attribution import attribution_for, placed_online
from geo.map.excerpts import CONTEXT, ELLIPSIS, excerpt
from geo.map.frame import StoryFrame, story_frame
from geo.map.places import MentionRef, Place
from geo.map.styles import (
    APPROX_DASH,
    CREDIT,
    EVENT_COLOUR,
    GROUP_ALPHA,
    GROUP_COLOUR,
    GROUP_DASH,
    GROUP_LABEL,
    KIND_GROUPS,
    NO_EVENT_COLOUR,
    NO_EVENT_LABEL,
    PRECISION_LABEL,
    STATUS_COLOUR,
    TRIGGER_CSS,
    UNCERTAINTY_DASH,
    UNCERTAINTY_FILL,
    event_slug,
    uncertainty_m,
)

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
STATIC_URL = "/app/static"          # Streamlit's static serving (server.enableStaticServing)
BASEMAPS = ("basemap/countries.geojson", "basemap/ukraine-oblasts.geojson")
BASEMAP_CREDIT = CREDIT
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                   "contributors")
GROUP_STYLE = {g: (GROUP_COLOUR[g], GROUP_ALPHA[g], GROUP_DASH[g]) for g in GROUP_COLOUR}
STATUS_STYLE = STATUS_COLOUR
POPUP_PASSAGES = 6
POPUP_EVENTS = 6            # events listed in a popup (the side panel lists them all)
LEGEND_CLEARANCE_PX = 165   # the legend's height and a margin: the story's frame opens below it
LEGEND_ROW_PX = 18          # ... and what each row past the kinds' four adds to it
# A place the user corrected: a dark rim (CSS over the kind's colour) and a check in its tooltip.
CORRECTED_COLOUR = "#111"
CORRECTED_CSS = f"path.cm-corrected {{ stroke: {CORRECTED_COLOUR}; stroke-width: 3px; stroke-opacity: 1; }}"
CORRECTED_MARK = " ✓ corrected"
ORIENTATION = "basemap/orientation.json"    # faint names for orientation (scripts/make_orientation_labels.py)
MAP_SCRIPT = "js/conflictmap.js"            # the places layer: markers, labels, clusters, selection
MAX_UNCLUSTERED = 60        # the story's core places drawn on their own, never clustered (the heaviest)
MAX_FRONT = 300             # places only in A or only in B, drawn on top and never clustered
DIFFERING = ("only A", "only B")            # geo.map.compare's statuses of places that differ
LABEL_KIND_ORDER = {"town": 0, "feature": 1, "region": 2, "country": 3}   # among equals, towns first


def _vendor(path: str, base: str) -> str:
    return f"{base}/vendor/{path}"


def _asset(path: str, base: str) -> str:
    return f"{base}/{path}"


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


class _Returns(MacroElement):
    """A comment in the map's script naming what the page asks the map to report. streamlit-folium
    names a map by its script and reads what to report only when it first draws it: a map asked for
    something new (the view once the current-view PNG is on, a clicked point for a review) must be
    a new map in the page, or it keeps reporting only what it was first asked for."""

    _template = Template("{% macro script(this, kwargs) %}\n// reports: {{ this.names }}\n{% endmacro %}")

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self._name = "Returns"
        self.names = " ".join(sorted(n for n in names if n.replace("_", "").isalnum()))


# Characters written as \\uXXXX in the marker rows. <, >, & and ' keep the script inert as HTML;
# braces keep it inert as a template (rows hold no objects, so every brace is in a string, and
# streamlit-folium rewrites `{{'name'}}`); parentheses and underscores keep article text out of
# streamlit-folium's other rewrites of the script it is given: it deletes every `alert(coords);`
# and renames `drawnItems_draw_control_div_N` and `_<element id>` suffixes.
_JSON_ESCAPES = {c: f"\\u{ord(c):04x}" for c in "<>&'{}()_"}


def _rows_json(rows: Sequence[Sequence]) -> str:
    """Marker rows (numbers, strings, None) as JSON for a <script> block, inert as HTML, as a
    template and to streamlit-folium's rewriting (see `_JSON_ESCAPES`): the browser reads every
    string back exactly as it was. Outside strings the JSON has only numbers, null and , [ ]."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    for c, escaped in _JSON_ESCAPES.items():    # str.replace: ~50x faster than str.translate on megabytes
        text = text.replace(c, escaped)
    return text


# The places layer: the rows as `_rows_json` (not `tojson`), the options as JSON of numbers, flags and
# the orientation rows (also `_rows_json`); the work is done by static/js/conflictmap.js.
_PLACES_TEMPLATE = Template("""
    {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function(){
            var data = {{ this.rows_json }};
            var orientation = {{ this.orientation_json }};
            var options = {{ this.options|tojson }};
            options.orientation = orientation;
            return ConflictMap.places({{ this._parent.get_name() }}, data, options);
        })();
    {% endmacro %}""")


def local_asset_classes(base: str = STATIC_URL) -> tuple[type[folium.Map], type[MacroElement]]:
    """A folium Map subclass and the places layer class whose JS/CSS come from `base` (not CDNs).

    Subclasses, not edits of folium's class attributes: other maps in the process are untouched.
    Bootstrap, Font Awesome and awesome-markers are dropped (no icon markers here); jQuery stays
    (folium's popups and GeoJSON loading use it)."""

    class LocalMap(folium.Map, _PlainOutput):
        default_js = [("leaflet", _vendor("leaflet/leaflet.js", base)),
                      ("jquery", _vendor("jquery/jquery.min.js", base))]
        default_css = [("leaflet_css", _vendor("leaflet/leaflet.css", base))]

    class PlaceLayer(JSCSSMixin, _PlainOutput):
        """The places: rows of marker data (see static/js/conflictmap.js for the columns)."""

        _template = _PLACES_TEMPLATE
        default_js = [("markerclusterjs", _vendor("leaflet.markercluster/leaflet.markercluster.js", base)),
                      ("conflictmapjs", _asset(MAP_SCRIPT, base))]
        default_css = [("markerclustercss", _vendor("leaflet.markercluster/MarkerCluster.css", base)),
                       ("markerclusterdefaultcss",
                        _vendor("leaflet.markercluster/MarkerCluster.Default.css", base))]

        def __init__(self, rows: Sequence[Sequence], options: dict, orientation: Sequence[Sequence] = ()) -> None:
            super().__init__()
            self._name = "Places"
            self.data = [list(r) for r in rows]
            self.options = options
            self.orientation = [list(o) for o in orientation]

        @property
        def rows_json(self) -> str:
            return _rows_json(self.data)

        @property
        def orientation_json(self) -> str:
            return _rows_json(self.orientation)

    return LocalMap, PlaceLayer


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
        .cm-legend, .cm-legend div { color: #1c1c1c; }
        {{ this.corrected_css }}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="cm-legend" style="position:absolute;top:10px;right:10px;z-index:1000;
             background:rgba(255,255,255,.95);color:#1c1c1c;padding:6px 9px;border-radius:4px;
             font:12px/1.5 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)">
          {% if this.title %}<div class="cm-key-title" style="font-weight:600">{{ this.title|e }}</div>{% endif %}
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
            corrected (dark rim, ✓ in the tooltip)</div>{% endif %}
          <div style="color:#555">size: mentions</div>
        </div>
        {% endmacro %}
    """)

    def __init__(self, rows: Sequence[tuple[str, str, str | None]], corrected: bool = False,
                 title: str = "") -> None:
        super().__init__()
        self._name = "Legend"
        self.title = title
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


def marker_style(place: Place, status: str | None = None, by_event: bool = False) -> MarkerStyle:
    """Colour by kind (or comparison status, or with `by_event` by the place's main event type, grey
    without one), area by mentions; an approximate place is a hollow dashed ring (its fill fully
    transparent: the ring stays clickable inside) with an uncertainty circle whose radius says how
    coarse its point is. The kind keeps its fill opacity and dashes in every colouring."""
    group = KIND_GROUPS.get(place.kind, "town")
    colour, opacity, dash = GROUP_STYLE[group]
    if status:
        colour = STATUS_STYLE.get(status, colour)
    elif by_event:
        colour = event_colour(place.event_type)
    radius = marker_radius(place.mention_count)
    if place.approximate:
        return MarkerStyle(colour, 0.0, APPROX_DASH, radius, hollow=True,
                           uncertainty_m=uncertainty_m(place.precision, place.uncertainty_km))
    return MarkerStyle(colour, opacity, dash, radius)


def event_colour(event_type: str | None) -> str:
    """The colour of an event type (see geo.map.styles.EVENT_COLOUR); grey for None."""
    return EVENT_COLOUR.get(event_type, NO_EVENT_COLOUR) if event_type else NO_EVENT_COLOUR


def event_legend_rows(places: Sequence[Place]) -> list[tuple[str, str, None]]:
    """The legend rows of a map coloured by event type: the types its places show (taxonomy order),
    then "No event reported" if some place has none."""
    shown = {p.event_type for p in places}
    rows = [(colour, event_type, None) for event_type, colour in EVENT_COLOUR.items() if event_type in shown]
    if None in shown:
        rows.append((NO_EVENT_COLOUR, NO_EVENT_LABEL, None))
    return rows


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
    (correction #3)", or the online geocoder whose answer was accepted, with its credit. It never says
    by whom: the corrections are the installation's, and a map is read by others (the review panel
    says "by you" for the reader's own)."""
    if place.correction is None and not placed_online(place.placed_by):
        return ""
    which = f" (correction #{place.correction})" if place.correction is not None else ""
    if placed_online(place.placed_by):
        accepted = f"accepted as correction #{place.correction}" if place.correction is not None else "accepted"
        return f"✓ Placed by {place.placed_by} (online), {accepted} · {attribution_for([place])}"
    return f"✓ Corrected{which}"


def highlight(passage_text: str, start: int, end: int) -> str:
    """The whole passage as escaped HTML with the mention in <mark> (see `passage_html` for the
    window around it that popups and panels show)."""
    return (html.escape(passage_text[:start]) + "<mark>" + html.escape(passage_text[start:end])
            + "</mark>" + html.escape(passage_text[end:]))


def passage_html(passage_text: str, spans: Sequence[tuple[int, int]], context: int = CONTEXT,
                 triggers: Sequence[tuple[int, int]] = ()) -> str:
    """The passage around its first span as escaped HTML: every span inside the window in <mark>,
    every event trigger (`triggers`, offsets into the passage) in <mark class="cm-trigger">, and a
    "…" where the passage was cut (see geo.map.excerpts)."""
    e = excerpt(passage_text, spans, context)
    inside = [(s - e.start, t - e.start) for s, t in triggers if e.start <= s and t <= e.end]
    cut = f"<span class='cm-cut' title='passage shortened'>{ELLIPSIS}</span>"
    return ((cut + " " if e.cut_before else "") + highlight_all(e.text, e.spans, inside)
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
    parts.append(events_html(place))
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
        text = passage_html(p.text, [(x.start - p.start, x.end - p.start) for x in same], triggers=trigger_spans(same))
        parts.append(f"<p style='margin:6px 0 0'>{text}<br><small style='color:#666'>— "
                     f"{html.escape(m.article_title)}</small></p>")
    more = len({(m.article_id, m.passage.index) for m in place.mentions}) - shown
    if more > 0:
        parts.append(f"<p style='color:#666;margin:6px 0 0'>+{more} more passages in the side panel</p>")
    parts.append("</div>")
    return "".join(parts)


def event_line_html(m: MentionRef) -> str:
    """One event of a place (`m.event`, reported in the passage of mention `m`): a swatch of its type's
    colour, its sub-type, type and date, and its trigger word in <mark class="cm-trigger"> (the
    passages below mark it in its sentence too). Escaped throughout."""
    e = m.event
    assert e is not None
    date = f" · {html.escape(e.date)}" if e.date else ""
    if e.corrected_by is not None:
        date += f" · ✓ corrected (event correction #{e.corrected_by})"
    colour = event_colour(e.event_type)
    swatch = (f"<span class='cm-swatch' style='display:inline-block;width:9px;height:9px;border-radius:50%;"
              f"background:{colour};margin-right:4px'></span>")
    return (f"<div class='cm-event cm-event-{event_slug(e.event_type)}' style='margin:4px 0 0;padding:2px 6px;"
            f"border-left:3px solid {colour};font-size:12px'>{swatch}<b>{html.escape(e.sub_event_type)}</b> "
            f"<span style='color:#555'>{html.escape(e.event_type)}{date}</span> · "
            f"<mark class='cm-trigger' style='{TRIGGER_CSS}'>{html.escape(e.trigger)}</mark></div>")


def trigger_spans(mentions: Sequence[MentionRef]) -> list[tuple[int, int]]:
    """The trigger words of the mentions' events, as offsets into their (common) passage."""
    return [(s - m.passage.start, t - m.passage.start) for m in mentions if m.event is not None
            for s, t in (m.event.triggers or ((m.event.start, m.event.end),))]


def events_html(place: Place, limit: int = POPUP_EVENTS) -> str:
    """The events reported at a place, at most `limit` (with how many more), or "" without events."""
    refs = [m for m in place.mentions if m.event is not None]
    if not refs:
        return ""
    more = len(refs) - limit
    tail = (f"<div style='color:#666;font-size:12px'>+{more} more event{'s' if more != 1 else ''}</div>"
            if more > 0 else "")
    return ("<div class='cm-events'><div style='margin:6px 0 0;font-weight:600;font-size:12px'>"
            f"Events ({len(refs)})</div>" + "".join(event_line_html(m) for m in refs[:limit]) + tail + "</div>")


def highlight_all(text: str, spans: Sequence[tuple[int, int]], triggers: Sequence[tuple[int, int]] = ()) -> str:
    """The text as escaped HTML with every (start, end) span in <mark> and every event trigger in
    <mark class="cm-trigger"> (overlapping or out-of-range spans are left unmarked)."""
    out, pos = [], 0
    marks = sorted({*((s, e, "") for s, e in spans), *((s, e, "t") for s, e in triggers)})
    for start, end, kind in marks:
        if start < pos or start < 0 or end > len(text) or end <= start:
            continue
        out.append(html.escape(text[pos:start]))
        tag = f"<mark class='cm-trigger' style='{TRIGGER_CSS}'>" if kind else "<mark>"
        out.append(tag + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _css_class(place: Place) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", place.name.casefold()).strip("-")[:40]
    precision = f"cm-approximate cm-precision-{place.precision}" if place.approximate else "cm-exact"
    corrected = " cm-corrected" if place.correction is not None else ""
    event = f" cm-event cm-event-{event_slug(place.event_type)}" if place.event_type else ""
    return f"cm-place cm-{KIND_GROUPS.get(place.kind, 'town')} {precision} cm-name-{slug}{corrected}{event}"


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
              height: int | str = 600, labels: bool = True, selected: str | None = None,
              frame: StoryFrame | None = None, returns: Sequence[str] = (), by_event: bool = False) -> folium.Map:
    """The map of the resolved places: one circle marker each, sized by mentions, styled by kind
    (or by comparison status, or with `by_event` coloured by the place's main event type), named on
    the map (`labels`), opened on the story's frame
    (`geo.map.frame.story_frame` unless `frame` is given). The story's core places are never clustered;
    with `status`, neither are the places only one article mentions (drawn on top); the others
    are clustered where markers would overlap. Approximate places are hollow rings over an
    uncertainty circle; unplaced places are not drawn. `selected` (a place key) is highlighted,
    and the map centres on it and opens its popup.

    `standalone` embeds the basemap (for a single-file export); `base` is where the assets live.
    `returns` names what the page asks the map to report besides marker clicks (the view, a clicked
    point); the map's script names it too (see `_Returns`)."""
    LocalMap, PlaceLayer = local_asset_classes(base)
    # maxZoom on the map itself: folium 0.20 hands max_zoom only to a tile layer it creates, and
    # without one markercluster throws "Map has no maxZoom specified".
    # zoomSnap 0.25: the frame is fitted in quarter zoom steps (whole steps would leave up to twice
    # the frame's span around it); the buttons and the wheel still step by one.
    m = LocalMap(location=[30, 20], zoom_start=2, tiles=None, maxZoom=18, minZoom=1,
                 control_scale=True, prefer_canvas=False, height=height, zoomSnap=0.25, zoomDelta=1)
    resolved = [p for p in places if p.resolved]
    online_credit = attribution_for(resolved)     # OpenStreetMap's, when an online geocoder placed one
    Basemap(base, embed=standalone, credit=f"{BASEMAP_CREDIT} · {online_credit}" if online_credit
            else BASEMAP_CREDIT).add_to(m)
    if tiles:
        folium.TileLayer("OpenStreetMap", attr=OSM_ATTRIBUTION, name="OpenStreetMap",
                         max_zoom=19).add_to(m)
    resolved = [p for p in places if p.resolved]
    if frame is None:
        frame = story_frame(resolved)
    rows, circles, chosen = map_rows(resolved, status=status, frame=frame, selected=selected, by_event=by_event)
    if circles:     # biggest first: a small circle is drawn over a large one
        Uncertainty(circles).add_to(m)
    many = len(rows) >= 300
    PlaceLayer(rows, {"clusterRadius": 50 if many else 18, "disableClusteringAt": 12 if many else 9,
                      "labels": bool(labels), "selected": chosen},
               orientation_labels(resolved) if labels else ()).add_to(m)
    legend_rows = len(GROUP_STYLE)
    if status:
        Legend([(colour, label, None) for label, colour in STATUS_STYLE.items()]).add_to(m)
    elif by_event:
        events = event_legend_rows(resolved)
        legend_rows = max(legend_rows, len(events))
        Legend(events, corrected=any(p.correction is not None for p in resolved), title="Main event").add_to(m)
    else:
        Legend([(GROUP_STYLE[g][0], GROUP_LABEL[g], GROUP_STYLE[g][2]) for g in GROUP_STYLE],
               corrected=any(p.correction is not None for p in resolved)).add_to(m)
    if returns:
        _Returns(returns).add_to(m)
    if frame is not None:
        south, west, north, east = frame.bounds
        # the frame opens below the legend (top right), so that no place of the story hides under it
        clearance = LEGEND_CLEARANCE_PX + LEGEND_ROW_PX * (legend_rows - len(GROUP_STYLE) + bool(by_event))
        m.fit_bounds([[south, west], [north, east]], padding_top_left=(20, clearance),
                     padding_bottom_right=(20, 20), max_zoom=9)
    return m


def label_size(mentions: int, core: bool) -> int:
    """A label's font size in pixels: larger with more mentions, a pixel more for the story's core."""
    return min(11 + int(math.log2(max(mentions, 1))) + (1 if core else 0), 16)


def map_rows(resolved: Sequence[Place], *, status: Callable[[Place], str | None] | None = None,
               frame: StoryFrame | None = None, selected: str | None = None, by_event: bool = False
               ) -> tuple[list[list], list[list], int]:
    """The marker rows of the places layer (columns in static/js/conflictmap.js), most-mentioned
    first; the uncertainty circles; and the row of the selected place (-1 if none).

    Each row's rank orders the labels: the selected place, then places only one compared article
    mentions, the story's core, then by mentions and kind (towns before features, regions and
    countries). The layer says where a marker is drawn: 2 on top and never clustered (places that
    differ between compared articles), 1 never clustered (the story's `MAX_UNCLUSTERED` heaviest core
    places), 0 clustered."""
    tooltips = map_tooltips(resolved)
    core = set(frame.core) if frame is not None else set()
    statuses = {p.key: status(p) if status else None for p in resolved}

    def priority(p: Place) -> tuple:
        group = KIND_GROUPS.get(p.kind, "town")
        return (p.key != selected, statuses[p.key] not in DIFFERING, p.key not in core, -p.mention_count,
                LABEL_KIND_ORDER.get(group, 0), p.name.casefold(), p.key)

    ranked = sorted({p.key: p for p in resolved}.values(), key=priority)
    rank = {p.key: i for i, p in enumerate(ranked)}
    front = [p.key for p in ranked if statuses[p.key] in DIFFERING][:MAX_FRONT]
    layer = dict.fromkeys(front, 2)
    for key in [p.key for p in ranked if p.key in core and p.key not in layer][:MAX_UNCLUSTERED]:
        layer[key] = 1
    rows: list[list] = []
    circles: dict[tuple, str] = {}
    chosen = -1
    for p in sorted(resolved, key=lambda p: -p.mention_count):
        st = statuses[p.key]
        style = marker_style(p, st, by_event)
        group = KIND_GROUPS.get(p.kind, "town")
        if p.key == selected and chosen < 0:
            chosen = len(rows)
        rows.append([p.lat, p.lon, style.radius, style.colour, style.fill_opacity, style.dash,
                     html.escape(tooltips[p.key]), popup_html(p, st), _css_class(p),
                     " ".join(p.name.split()), group, layer.get(p.key, 0), rank[p.key],
                     label_size(p.mention_count, p.key in core)])
        if style.uncertainty_m:     # places at one container's point share its circle
            circles.setdefault((p.lat, p.lon, style.uncertainty_m, style.colour),
                               f"cm-uncertainty cm-precision-{p.precision}")
    ordered = sorted(([*c, css] for c, css in circles.items()), key=lambda c: -c[2])
    return rows, ordered, chosen


@functools.lru_cache(maxsize=1)
def _orientation() -> tuple[tuple, ...]:
    path = STATIC_DIR / ORIENTATION
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["labels"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return tuple(tuple(r) for r in rows if isinstance(r, list) and len(r) == 5)


def orientation_labels(places: Sequence[Place]) -> list[list]:
    """The faint orientation names (countries, capitals, largest cities, with the zoom from which
    each shows), less those the story names itself (its own label stands there)."""
    named = {" ".join(n.split()).casefold() for p in places for n in (p.name, p.gazetteer_name) if n}
    return [list(r) for r in _orientation() if str(r[0]).casefold() not in named]


PAGE_HEAD_PX = 52       # the standalone page's heading bar


class PageHeader(_PlainOutput):
    """The standalone page's <title>, a heading bar with the story's title and date, and the list of
    its sources (titles and file names) under a "Sources" button; the map fills the rest of the
    window. Every text is escaped here; nothing rendered is read again as a template."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <title>{{ this.title|e }}</title>
        <style>
        html, body { height: 100%; margin: 0; }
        .cm-page-head { position: absolute; top: 0; left: 0; right: 0; height: {{ this.height }}px;
            box-sizing: border-box; padding: 6px 14px; background: #fff; color: #1c1c1c; z-index: 1100;
            border-bottom: 1px solid #d0d4d8; font: 13px/1.35 system-ui, -apple-system, sans-serif;
            display: flex; align-items: center; gap: 16px; }
        .cm-page-head h1 { font-size: 18px; margin: 0; flex: 1 1 auto; min-width: 0; white-space: nowrap;
            overflow: hidden; text-overflow: ellipsis; }
        .cm-page-head .cm-page-date { color: #555; white-space: nowrap; }
        .cm-page-head details { position: relative; white-space: nowrap; }
        .cm-page-head summary { cursor: pointer; color: #1f4e79; }
        .cm-page-head ol { position: absolute; right: 0; top: 24px; margin: 0; padding: 10px 14px 10px 30px;
            width: min(560px, 90vw); max-height: 60vh; overflow: auto; white-space: normal; background: #fff;
            color: #1c1c1c; border: 1px solid #d0d4d8; border-radius: 4px; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
        .cm-page-head li { margin: 2px 0; }
        .folium-map { position: absolute !important; top: {{ this.height }}px !important; bottom: 0; left: 0;
            right: 0; width: 100% !important; height: auto !important; }
        .cm-legend { top: {{ this.height + 10 }}px !important; }
        </style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <header class="cm-page-head"><h1>{{ this.title|e }}</h1>
          {% if this.subtitle %}<span class="cm-page-date">{{ this.subtitle|e }}</span>{% endif %}
          {% if this.sources %}<details class="cm-sources"><summary>Sources ({{ this.sources|length }})</summary>
            <ol>{% for title, name in this.sources %}<li>{{ title|e }}{% if name %}
              <span style="color:#555">({{ name|e }})</span>{% endif %}</li>{% endfor %}</ol></details>{% endif %}
        </header>
        {% endmacro %}
    """)

    def __init__(self, title: str, subtitle: str = "", sources: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self._name = "PageHeader"
        self.title = " ".join(title.split()) or "Conflict map"
        self.subtitle = " ".join(subtitle.split())
        self.sources = [(" ".join(t.split()), " ".join(n.split())) for t, n in sources]
        self.height = PAGE_HEAD_PX


def standalone_html(m: folium.Map, base: str = STATIC_URL, *, title: str = "", subtitle: str = "",
                    sources: Sequence[tuple[str, str]] = ()) -> str:
    """The map as one HTML file that opens offline: vendor JS/CSS inlined in place of links. With a
    `title`, the page is titled, headed by the title, `subtitle` (e.g. the story's date) and the list of
    `sources` ((title, file name) pairs), and the map fills the rest of the window."""
    if title or sources:
        PageHeader(title, subtitle, sources).add_to(m)
    page = m.get_root().render()
    for rel in _asset_files():
        url = _asset(rel, base)
        path = STATIC_DIR / rel
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


def _asset_files() -> list[str]:
    """The files a map loads from `static/` (relative to it), in the order they are linked."""
    return ["vendor/leaflet/leaflet.js", "vendor/jquery/jquery.min.js",
            "vendor/leaflet.markercluster/leaflet.markercluster.js", MAP_SCRIPT, "vendor/leaflet/leaflet.css",
            "vendor/leaflet.markercluster/MarkerCluster.css", "vendor/leaflet.markercluster/MarkerCluster.Default.css"]
