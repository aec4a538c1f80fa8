/* Conflict map: the places layer of a map built by geo/mapview.py.
 *
 *   ConflictMap.places(map, rows, options)
 *
 * One circle marker per row; the rows whose layer is 1 (the story's core) or 2 (places that differ
 * between two compared articles, drawn on top) are never clustered, the others are clustered where
 * they would overlap. Place names are drawn on the map as labels, laid out again after every move
 * and zoom: greedily by rank (the selected place, the differing ones, the story's core, then by
 * mentions and kind), each at the first of 24 positions around its marker that stays in the view and
 * overlaps no label placed before it, no map control and, if possible, no other marker; a label
 * with no free position is hidden (the lower-ranked one, never both). A cluster is labelled with
 * its top names and a count, and names up to 8 of its places on hover. Faint orientation names
 * (countries, capitals, large cities) take what room is left. Every name is set as text
 * (textContent), never as HTML; tooltips and popups arrive escaped from the server.
 *
 * Row columns: 0 lat, 1 lon, 2 radius (px), 3 colour, 4 fill opacity, 5 dash, 6 tooltip (escaped
 * HTML), 7 popup (escaped HTML), 8 CSS classes, 9 label (text), 10 kind group, 11 layer (0 clustered,
 * 1 core, 2 front), 12 rank (0 first), 13 label size (px).
 */
(function () {
    "use strict";

    var CSS = [
        ".cm-label{position:absolute;left:0;top:0;white-space:nowrap;pointer-events:none;",
        "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;",
        "font-size:12px;line-height:1.2;color:#1c1c1c;",
        "text-shadow:-1px -1px 0 #fff,1px -1px 0 #fff,-1px 1px 0 #fff,1px 1px 0 #fff,0 0 3px #fff,0 0 4px #fff}",
        ".cm-label-core{font-weight:600}",
        ".cm-label-region{color:#5b2c6f;font-style:italic}",
        ".cm-label-country{color:#1f2d3a;font-weight:700}",
        ".cm-label-feature{color:#0b5345;font-style:italic}",
        ".cm-label-cluster{color:#30363b;font-size:11px;font-style:normal;font-weight:500}",
        ".cm-label-selected{background:#fff3a3;border-radius:3px;padding:0 3px;font-weight:700;",
        "box-shadow:0 0 0 1px rgba(0,0,0,.25)}",
        ".cm-orientation{color:#737b84;font-size:11px;font-style:italic;font-weight:400}",
        ".cm-orientation-country{font-size:11px;font-style:normal;letter-spacing:.08em;",
        "text-transform:uppercase;color:#8a929b}",
        "path.cm-selected{stroke:#111;stroke-width:4px}"
    ].join("");
    var POSITIONS = [[1, 0], [0.7071, -0.7071], [0.7071, 0.7071], [-1, 0],
                     [-0.7071, -0.7071], [-0.7071, 0.7071], [0, -1], [0, 1]];
    var GAPS = [3, 9, 18];
    var MAX_ITEMS = 600;      // labels tried per layout (the rest are hidden): the cost stays bounded

    function injectCss() {
        if (document.getElementById("cm-label-css")) return;
        var style = document.createElement("style");
        style.id = "cm-label-css";
        style.textContent = CSS;
        document.head.appendChild(style);
    }

    function pane(map, name, z, events) {
        var p = map.getPane(name) || map.createPane(name);
        p.style.zIndex = z;
        if (!events) p.style.pointerEvents = "none";
        return p;
    }

    /* The legend's box in the map's container pixels (null when there is none). */
    function legendBox(map) {
        var el = document.querySelector(".cm-legend");
        if (!el) return null;
        var r = el.getBoundingClientRect(), o = map.getContainer().getBoundingClientRect();
        if (!r.width || !r.height) return null;
        return {left: r.left - o.left, top: r.top - o.top, right: r.right - o.left, bottom: r.bottom - o.top};
    }

    /* A popup that never opens under the legend (which lies above the map's panes: a popup under it
     * would hide its text and its close button). Leaflet's autoPan keeps a popup inside the map; this
     * one also pans it clear of the legend, below or to the left of it, whichever moves the map
     * less and keeps the popup in view, and is never taller than the room under the legend. */
    var LEGEND_GAP = 8;
    var ClearPopup = L.Popup.extend({
        _updateLayout: function () {
            var map = this._map, legend = map && legendBox(map);
            this.options.maxHeight = legend ? Math.max(120, map.getSize().y - legend.bottom - 90) : null;
            L.Popup.prototype._updateLayout.call(this);
        },
        _adjustPan: function () {
            if (!this.options.autoPan || !this._map) return;
            var map = this._map;
            if (map._panAnim) map._panAnim.stop();
            var o = map.getContainer().getBoundingClientRect(), r = this._container.getBoundingClientRect();
            var size = map.getSize(), pad = L.point(this.options.autoPanPadding);
            var x = r.left - o.left, y = r.top - o.top, w = r.width, h = r.height, dx = 0, dy = 0;
            if (x + w + pad.x > size.x) dx = x + w + pad.x - size.x;      // Leaflet's own rules first
            if (x - dx - pad.x < 0) dx = x - pad.x;
            if (y + h + pad.y > size.y) dy = y + h + pad.y - size.y;
            if (y - dy - pad.y < 0) dy = y - pad.y;
            var lg = legendBox(map), g = LEGEND_GAP;
            var under = function (d) {
                return lg && x - d[0] < lg.right + g && x - d[0] + w > lg.left - g
                    && y - d[1] < lg.bottom + g && y - d[1] + h > lg.top - g;
            };
            if (under([dx, dy])) {
                var below = [dx, y - (lg.bottom + g)], left = [x + w - (lg.left - g), dy];
                var fits = function (d) {
                    return x - d[0] >= pad.x && x - d[0] + w <= size.x - pad.x
                        && y - d[1] >= pad.y && y - d[1] + h <= size.y - pad.y;
                };
                var cost = function (d) { return Math.abs(d[0]) + Math.abs(d[1]) + (fits(d) ? 0 : 1e6); };
                var best = cost(left) < cost(below) ? left : below;
                dx = best[0];
                dy = best[1];
            }
            if (dx || dy) map.fire("autopanstart").panBy([dx, dy]);
        }
    });

    /* The pane of a marker: one per size (whole pixels of radius), the smaller above the larger, so
     * that a marker drawn over another (a facility inside its town) never covers it whole: both stay
     * clickable, whether clustered, of the story's core or differing between compared articles (the
     * layer orders markers of one size: differing ones on top). Below markercluster's icons (600). */
    function sizePane(map, row) {
        var r = Math.min(31, Math.max(0, Math.round(row[2])));
        var name = "cmPlaces" + r + "x" + row[11];
        if (!map.getPane(name)) pane(map, name, 401 + (31 - r) * 3 + row[11], true);
        return name;
    }

    function makeMarker(map, row, index) {
        var options = {radius: row[2], color: row[3], weight: 2, fillColor: row[3], fillOpacity: row[4],
                       dashArray: row[5], className: row[8]};
        options.pane = sizePane(map, row);
        var m = L.circleMarker([row[0], row[1]], options);
        m.bindTooltip(row[6]);      // escaped HTML: the map reports its text back on a click
        m.bindPopup(new ClearPopup({maxWidth: 380}).setContent(row[7]));
        m.cmIndex = index;
        return m;
    }

    /* A small uniform grid of boxes [x0, y0, x1, y1] for overlap queries. */
    function Grid(cell) {
        this.cell = cell;
        this.cells = {};
    }
    Grid.prototype.each = function (b, fn) {
        var c = this.cell;
        for (var i = Math.floor(b[0] / c); i <= Math.floor(b[2] / c); i++) {
            for (var j = Math.floor(b[1] / c); j <= Math.floor(b[3] / c); j++) {
                if (fn(i + ":" + j) === true) return true;
            }
        }
        return false;
    };
    Grid.prototype.add = function (b, owner) {
        var cells = this.cells;
        this.each(b, function (k) { (cells[k] = cells[k] || []).push([b, owner]); });
    };
    Grid.prototype.hits = function (b, except) {
        var cells = this.cells;
        return this.each(b, function (k) {
            var list = cells[k];
            if (!list) return false;
            for (var n = 0; n < list.length; n++) {
                var o = list[n][0];
                if (list[n][1] !== except && b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
            }
            return false;
        });
    };

    function overlapsAny(b, boxes) {
        for (var i = 0; i < boxes.length; i++) {
            var o = boxes[i];
            if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
        }
        return false;
    }

    function byRank(state) {
        return function (a, b) { return state.rows[a.cmIndex][12] - state.rows[b.cmIndex][12]; };
    }

    function clusterNames(state, cluster, n) {
        var kids = cluster.getAllChildMarkers().slice().sort(byRank(state));
        return {names: kids.slice(0, n).map(function (k) { return state.rows[k.cmIndex][9]; }),
                rank: kids.length ? state.rows[kids[0].cmIndex][12] : 1e9, count: kids.length};
    }

    function clusterText(state, cluster) {
        var info = clusterNames(state, cluster, 2);
        var more = info.count - info.names.length;
        return {text: info.names.join(", ") + (more > 0 ? " +" + more : ""), rank: info.rank};
    }

    function clusterTooltip(state, cluster) {
        var info = clusterNames(state, cluster, 8);
        var box = document.createElement("div");
        box.className = "cm-cluster-names";
        var head = document.createElement("b");
        head.textContent = info.count + " places";
        box.appendChild(head);
        info.names.forEach(function (name) {
            var line = document.createElement("div");
            line.textContent = name;
            box.appendChild(line);
        });
        if (info.count > info.names.length) {
            var more = document.createElement("div");
            more.style.color = "#666";
            more.textContent = "+" + (info.count - info.names.length) + " more";
            box.appendChild(more);
        }
        return box;
    }

    function labelLayer(state) {
        var map = state.map;
        var labelPane = pane(map, "cmLabels", 620);
        var faintPane = pane(map, "cmOrientation", 390);
        labelPane.classList.add("leaflet-zoom-hide");
        faintPane.classList.add("leaflet-zoom-hide");
        var cache = {};
        var pending = false;
        state.layouts = 0;

        function element(key, text, cls, size, where) {
            var e = cache[key];
            if (!e) {
                var el = L.DomUtil.create("div", "cm-label " + cls, where);
                el.textContent = text;
                if (size) el.style.fontSize = size + "px";
                el.style.display = "none";
                e = cache[key] = {el: el, w: 0, h: 0, measured: false};
            }
            e.used = true;
            return e;
        }

        function controls(origin) {
            var boxes = [];
            var found = map.getContainer().querySelectorAll(".leaflet-control");
            var legends = document.querySelectorAll(".cm-legend");
            [found, legends].forEach(function (list) {
                for (var i = 0; i < list.length; i++) {
                    var r = list[i].getBoundingClientRect();
                    if (r.width > 0 && r.height > 0) {
                        boxes.push([r.left - origin.left - 2, r.top - origin.top - 2,
                                    r.right - origin.left + 2, r.bottom - origin.top + 2]);
                    }
                }
            });
            return boxes;
        }

        function layout() {
            pending = false;
            if (!map._loaded) return;
            var started = window.performance ? performance.now() : 0;
            if (!state.home) state.home = {center: map.getCenter(), zoom: map.getZoom()};   // the view it opened on
            var size = map.getSize(), W = size.x, H = size.y;
            var origin = map.getContainer().getBoundingClientRect();
            var hard = controls(origin);
            var items = [], soft = new Grid(64);
            var rows = state.rows;
            for (var k in cache) cache[k].used = false;

            function pushMarker(m) {
                var row = rows[m.cmIndex];
                var p = map.latLngToContainerPoint(m.getLatLng());
                var r = row[2];
                if (p.x < -r || p.y < -r || p.x > W + r || p.y > H + r) return;
                soft.add([p.x - r, p.y - r, p.x + r, p.y + r], "m" + m.cmIndex);
                if (!state.labels || p.x < 0 || p.y < 0 || p.x > W || p.y > H) return;
                var cls = "cm-label-" + row[10] + (row[11] ? " cm-label-core" : "")
                    + (m.cmIndex === state.selected ? " cm-label-selected" : "");
                items.push({key: "m" + m.cmIndex, text: row[9], cls: cls, size: row[13], rank: row[12],
                            x: p.x, y: p.y, r: r, where: labelPane, index: m.cmIndex});
            }

            state.core.eachLayer(pushMarker);
            state.cluster._featureGroup.eachLayer(function (layer) {
                if (layer instanceof L.MarkerCluster) {
                    var p = map.latLngToContainerPoint(layer.getLatLng());
                    if (p.x < -20 || p.y < -20 || p.x > W + 20 || p.y > H + 20) return;
                    var key = "c" + L.stamp(layer);
                    soft.add([p.x - 20, p.y - 20, p.x + 20, p.y + 20], key);
                    if (!state.labels || p.x < 0 || p.y < 0 || p.x > W || p.y > H) return;
                    var named = clusterText(state, layer);
                    items.push({key: key, text: named.text, cls: "cm-label-cluster", size: 0,
                                rank: named.rank + 0.5, x: p.x, y: p.y, r: 20, where: labelPane});
                } else if (layer.cmIndex !== undefined) {
                    pushMarker(layer);
                }
            });
            var zoom = map.getZoom();
            (state.labels ? state.orientation : []).forEach(function (o, i) {
                if (o[4] > zoom) return;
                var p = map.latLngToContainerPoint([o[1], o[2]]);
                if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) return;
                items.push({key: "o" + i, text: o[0], cls: "cm-orientation cm-orientation-" + o[3], size: 0,
                            rank: 1e7 + i, x: p.x, y: p.y, r: 0, where: faintPane, faint: true});
            });
            items.sort(function (a, b) { return a.rank - b.rank; });
            if (items.length > MAX_ITEMS) items.length = MAX_ITEMS;

            // Create and measure what is new, in one pass (one layout for all of them).
            var fresh = [];
            items.forEach(function (it) {
                it.e = element(it.key, it.text, it.cls, it.size, it.where);
                if (!it.e.measured) {
                    it.e.el.style.visibility = "hidden";
                    it.e.el.style.display = "block";
                    fresh.push(it.e);
                }
            });
            fresh.forEach(function (e) {
                var r = e.el.getBoundingClientRect();
                e.w = r.width;
                e.h = r.height;
                e.measured = true;
            });

            var placed = new Grid(64);
            var shown = [];
            items.forEach(function (it) {
                var w = it.e.w + 1, h = it.e.h + 1, box = null;
                var candidates = [];
                if (it.faint) {
                    candidates.push([it.x - w / 2, it.y - h / 2]);
                } else {
                    GAPS.forEach(function (gap) {
                        POSITIONS.forEach(function (d) {
                            var reach = it.r + gap, cx = it.x + d[0] * reach, cy = it.y + d[1] * reach;
                            var x0 = d[0] > 0.1 ? cx : d[0] < -0.1 ? cx - w : cx - w / 2;
                            var y0 = d[1] > 0.1 ? cy : d[1] < -0.1 ? cy - h : cy - h / 2;
                            candidates.push([x0, y0]);
                        });
                    });
                }
                var passes = it.faint ? [true] : [true, false];
                for (var pass = 0; pass < passes.length && !box; pass++) {
                    for (var c = 0; c < candidates.length; c++) {
                        var b = [candidates[c][0], candidates[c][1], candidates[c][0] + w, candidates[c][1] + h];
                        if (b[0] < 1 || b[1] < 1 || b[2] > W - 1 || b[3] > H - 1) continue;
                        if (overlapsAny(b, hard) || placed.hits(b, null)) continue;
                        if (passes[pass] && soft.hits(b, it.key)) continue;
                        box = b;
                        break;
                    }
                }
                var el = it.e.el;
                if (!box) {
                    el.style.display = "none";
                    return;
                }
                placed.add(box, it.key);
                // left/top, not L.DomUtil.setPosition's translate3d: hundreds of composited layers
                // exhaust Chromium's tile memory without a GPU, and parts of the map go unpainted
                var at = map.containerPointToLayerPoint([box[0], box[1]]).round();
                el.style.left = at.x + "px";
                el.style.top = at.y + "px";
                el.style.visibility = "";
                el.style.display = "block";
                shown.push(it.key);
            });
            for (var key in cache) {
                var e = cache[key];
                if (!e.used) {
                    if (key.charAt(0) === "c") {         // a cluster of another zoom: gone for good
                        L.DomUtil.remove(e.el);
                        delete cache[key];
                    } else {
                        e.el.style.display = "none";
                    }
                }
            }
            state.shownLabels = shown;
            state.layouts += 1;
            state.layoutMs = window.performance ? performance.now() - started : 0;   // for bench/map_speed.py
        }

        function schedule() {
            if (pending) return;
            pending = true;
            setTimeout(layout, 0);
        }

        map.on("zoomend moveend resize viewreset", schedule);
        state.cluster.on("animationend spiderfied unspiderfied", schedule);
        map.whenReady(schedule);
        state.layout = layout;
        state.setLabels = function (on) {
            state.labels = !!on;
            layout();
        };
    }

    var SELECTED_KEY = "conflictmap-selected-shown";

    function select(state, index) {
        var m = state.markers[index];
        if (!m) return;
        var map = state.map;
        var mark = function () {
            if (m._path) L.DomUtil.addClass(m._path, "cm-selected");
            if (m._map) m.bringToFront();
        };
        m.on("add", mark);
        mark();
        // A map drawn again for a place this tab has shown already (back from another view, labels
        // switched, the view tracked) keeps it highlighted without taking the reader's view over again.
        var row = state.rows[index], shownKey = row[9] + "@" + row[0] + "," + row[1];
        try {
            if (window.sessionStorage.getItem(SELECTED_KEY) === shownKey) return;
            window.sessionStorage.setItem(SELECTED_KEY, shownKey);
        } catch (e) { /* storage refused: every map shows it */ }
        // Leaflet ends a zoom animation by moving the map to the animation's target (a view set while
        // one runs is undone), and markercluster ignores a move while it splits or merges clusters
        // (a place outside the frame would be left undrawn): wait until both are idle
        var idle = function (go) {
            var again = function () { setTimeout(function () { idle(go); }, 0); };
            if (map._animatingZoom) map.once("zoomend", again);
            else if (state.cluster._inZoomAnimation) state.cluster.once("animationend", again);
            else go();
        };
        var show = function () {
            var zoom = map.getZoom();
            var clustered = state.cluster.hasLayer(m);
            if (clustered && m.__parent && m.__parent._zoom !== undefined) {
                // shown on its own from one zoom past the deepest cluster holding it
                zoom = Math.max(zoom, m.__parent._zoom + 1);
                var off = state.cluster.options.disableClusteringAtZoom;
                if (off) zoom = Math.min(zoom, off);
            }
            var spider = zoom > map.getMaxZoom();
            map.setView(m.getLatLng(), Math.min(zoom, map.getMaxZoom()), {animate: false});
            var tries = 0;
            var open = function () {
                if (m._map) {
                    mark();
                    m.openPopup();
                    return;
                }
                if (spider && m.__parent && m.__parent._icon && tries === 5) m.__parent.spiderfy();
                if (++tries < 60) setTimeout(open, 100);
            };
            setTimeout(open, 50);
        };
        map.whenReady(function () {
            setTimeout(function () { idle(show); }, 0);
        });
    }

    function places(map, rows, options) {
        injectCss();
        var cluster = L.markerClusterGroup({maxClusterRadius: options.clusterRadius, spiderfyOnMaxZoom: true,
                                            showCoverageOnHover: false,
                                            disableClusteringAtZoom: options.disableClusteringAt});
        var core = L.featureGroup();
        var markers = [];
        for (var i = 0; i < rows.length; i++) {
            var m = makeMarker(map, rows[i], i);
            markers.push(m);
            (rows[i][11] ? core : cluster).addLayer(m);
        }
        var state = {map: map, rows: rows, markers: markers, cluster: cluster, core: core,
                     labels: !!options.labels, selected: options.selected, orientation: options.orientation || [],
                     shownLabels: []};
        cluster.on("clustermouseover", function (e) {
            var c = e.layer;
            if (!c.getTooltip()) c.bindTooltip(clusterTooltip(state, c), {direction: "top", offset: [0, -14]});
            c.openTooltip();
        });
        cluster.addTo(map);
        core.addTo(map);
        map.cmPlaces = state;
        labelLayer(state);
        if (options.selected >= 0) select(state, options.selected);
        return cluster;
    }

    /* OpenStreetMap tiles, when they load. One tile (the world's) is asked for first: when it fails,
     * no tile layer is added (no failed request for every tile of every view: the bundled basemap
     * shows), a quiet line on the map says so, and the tab remembers it for OFFLINE_MS, so that the maps
     * drawn meanwhile ask for nothing. Tiles that fail later, before any has loaded, are handled alike. */
    var OFFLINE_KEY = "conflictmap-tiles-offline", OFFLINE_MS = 5 * 60 * 1000;

    function remembered() {
        try { return Number(window.sessionStorage.getItem(OFFLINE_KEY)) || 0; } catch (e) { return 0; }
    }

    function remember(when) {
        try {
            if (when) window.sessionStorage.setItem(OFFLINE_KEY, String(when));
            else window.sessionStorage.removeItem(OFFLINE_KEY);
        } catch (e) { /* storage refused: the next map asks again */ }
    }

    function tiles(map, url, options, note) {
        var said = false;
        var offline = function () {
            if (said) return;
            said = true;
            var line = L.control({position: "bottomleft"});
            line.onAdd = function () {
                var el = L.DomUtil.create("div", "cm-tiles-note");
                el.style.cssText = "background:rgba(255,255,255,.85);color:#555;font:11px/1.3 system-ui,sans-serif;"
                    + "padding:1px 5px;border-radius:3px;margin-bottom:2px";
                el.textContent = note;
                return el;
            };
            line.addTo(map);
        };
        var layer = L.tileLayer(url, options), loaded = 0, failed = 0;
        layer.on("tileload", function () { loaded += 1; });
        layer.on("tileerror", function () {
            failed += 1;
            if (!loaded && failed >= 3 && map.hasLayer(layer)) {
                map.removeLayer(layer);
                remember(Date.now());
                offline();
            }
        });
        if (Date.now() - remembered() < OFFLINE_MS) {
            offline();
            return layer;
        }
        var probe = new Image();
        probe.onload = function () {
            remember(0);
            layer.addTo(map);
        };
        probe.onerror = function () {
            remember(Date.now());
            offline();
        };
        probe.src = L.Util.template(url, {s: "a", z: 0, x: 0, y: 0, r: ""});
        map.cmTiles = layer;
        return layer;
    }

    window.ConflictMap = {places: places, tiles: tiles};
})();
