/* gridmap.js — the data side of gridmgr's offline map page (maps/web_page.py builds the page).
 *
 * The page starts empty; the desktop pushes data into it:
 *   gridmap.setAreas(level, payload)   areas of one level (see maps.web_page.area_payload)
 *   gridmap.setColours(level, colours) fill colours aligned to the pushed codes (null = default)
 *   gridmap.setSelected(codes)         highlight these codes (any level)
 *   gridmap.flyTo(codes, animate)      show a code or a list of codes
 *   gridmap.fitAll()                   show everything pushed
 *   gridmap.setPoints(payload)         enterprises (see maps.web_page.point_payload)
 *   gridmap.setLegend(legend)          {title, entries: [{colour, label}]} or null
 * and clicks go back through QWebChannel: bridge.areaClicked(code), with shift
 * bridge.areaShiftClicked(code), bridge.pointClicked(code) for an enterprise.
 * Enterprises are circle markers on the same canvas, drawn above the areas (key classes
 * last, so on top); below options.keyOnlyBelow only key ones are shown.  From
 * options.labelsFrom the codes of the finest level's areas in view are shown as labels.  All levels share one canvas renderer; cells (bottom) are
 * filled, communities / streets / the district are outlines drawn above them.  Only the finest
 * level present answers clicks, so a click inside a street outline still selects the cell.
 */
(function () {
  "use strict";

  var ORDER = ["cell", "community", "street", "district"]; // bottom to top
  var STYLE = {
    district: { color: "#1f2937", weight: 2.4, fill: false },
    street: { color: "#b91c1c", weight: 1.8, fill: false },
    community: { color: "#2563eb", weight: 1.0, fill: false },
    cell: { color: "#9ca3af", weight: 0.5, fill: true, fillColor: "#f1f5f9", fillOpacity: 0.85 },
  };
  var OTHER = { color: "#6b7280", weight: 1.0, fill: false };
  var SELECTED = { color: "#f59e0b", weight: 3 };

  var map = null;
  var renderer = null;
  var bridge = null;
  var layers = {}; // level -> {codes, names, polys: [L.Polygon], group, colours}
  var byCode = {}; // code -> L.Polygon
  var selected = [];
  // the defaults; gridmap.init gets the real values from maps/web_page.py
  var opts = { keyOnlyBelow: 12, labelsFrom: 15, maxLabels: 400, keyClasses: ["国控", "省控"],
               classColours: {}, otherClassColour: "#64748b" };
  var points = null; // {codes, markers, key: L.LayerGroup, other: L.LayerGroup, byCode}
  var legend = null; // L.Control
  var labels = null; // L.LayerGroup of permanent tooltips

  function baseStyle(poly) {
    var layer = layers[poly.gmLevel];
    var s = L.extend({}, STYLE[poly.gmLevel] || OTHER);
    var c = layer && layer.colours ? layer.colours[poly.gmIndex] : null;
    if (c) {
      s.fillColor = c;
      s.fill = true;
      if (s.fillOpacity === undefined) s.fillOpacity = 0.6;
    }
    return s;
  }

  function styleOf(poly) {
    var s = baseStyle(poly);
    return poly.gmSelected ? L.extend(s, SELECTED) : s;
  }

  function finestLevel() {
    for (var i = 0; i < ORDER.length; i++) if (layers[ORDER[i]]) return ORDER[i];
    var rest = Object.keys(layers);
    return rest.length ? rest[0] : null;
  }

  function restack() {
    // interactivity and drawing order: finest level answers clicks, outlines above fills
    var finest = finestLevel();
    var levels = Object.keys(layers).sort(function (a, b) {
      return ORDER.indexOf(a) - ORDER.indexOf(b);
    });
    levels.forEach(function (level) {
      layers[level].polys.forEach(function (p) {
        p.options.interactive = level === finest;
        p.bringToFront();
      });
    });
    selected.forEach(function (p) { p.bringToFront(); });
    pointsToFront();
  }

  function pointsToFront() {
    if (!points) return;
    [points.other, points.key].forEach(function (g) {
      if (map.hasLayer(g)) g.eachLayer(function (m) { m.bringToFront(); });
    });
  }

  function showPoints() {
    // below keyOnlyBelow only key enterprises; key markers always drawn last (on top)
    if (!points || !map) return;
    var all = map.getZoom() >= opts.keyOnlyBelow;
    if (all === map.hasLayer(points.other)) return;
    if (all) {
      points.other.addTo(map);
      points.key.eachLayer(function (m) { m.bringToFront(); });
    } else {
      map.removeLayer(points.other);
    }
  }

  function onPointClick(e) {
    var m = e.propagatedFrom || e.layer;
    if (!m || m.gmCode === undefined) return;
    gridmap.lastPointClick = m.gmCode;
    if (bridge && bridge.pointClicked) bridge.pointClicked(m.gmCode);
  }

  function updateLabels() {
    if (!map) return;
    if (!labels) labels = L.layerGroup().addTo(map);
    labels.clearLayers();
    var level = finestLevel();
    if (!level || map.getZoom() < opts.labelsFrom) return;
    var view = map.getBounds(), n = 0, polys = layers[level].polys;
    for (var i = 0; i < polys.length && n < opts.maxLabels; i++) {
      var b = polys[i].getBounds();
      if (!view.intersects(b)) continue;
      labels.addLayer(L.tooltip({ permanent: true, direction: "center", interactive: false,
                                  className: "gm-label", opacity: 1 })
        .setLatLng(b.getCenter()).setContent(polys[i].gmCode));
      n++;
    }
  }

  function escapeHtml(t) {
    return String(t).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function onClick(e) {
    var poly = e.propagatedFrom || e.layer;
    if (!poly || poly.gmCode === undefined) return;
    var shift = !!(e.originalEvent && e.originalEvent.shiftKey);
    gridmap.lastClick = { code: poly.gmCode, shift: shift };
    if (bridge) {
      if (shift) bridge.areaShiftClicked(poly.gmCode);
      else bridge.areaClicked(poly.gmCode);
    }
  }

  function boundsOf(codes) {
    var b = L.latLngBounds([]);
    codes.forEach(function (c) {
      var p = byCode[c];
      if (p) b.extend(p.getBounds());
    });
    return b;
  }

  var gridmap = {
    bridgeReady: false,
    lastClick: null,
    lastPointClick: null,

    init: function (leafletMap, options) {
      map = leafletMap;
      opts = L.extend(opts, options || {});
      renderer = L.canvas({ padding: 0.3, tolerance: 0 });
      map.on("zoomend", showPoints);
      map.on("moveend", updateLabels);
      if (window.qt && window.qt.webChannelTransport && window.QWebChannel) {
        new QWebChannel(window.qt.webChannelTransport, function (channel) {
          bridge = channel.objects.bridge || null;
          gridmap.bridgeReady = !!bridge;
          if (bridge && bridge.pageReady) bridge.pageReady();
        });
      }
    },

    setAreas: function (level, d) {
      var old = layers[level];
      if (old) {
        map.removeLayer(old.group);
        old.codes.forEach(function (c) {
          if (byCode[c] && byCode[c].gmLevel === level) delete byCode[c];
        });
        selected = selected.filter(function (p) { return p.gmLevel !== level; });
      }
      var xy = d.coords, ringEnds = d.ring_ends, polyRings = d.poly_rings;
      var featurePolys = d.feature_polys;
      var polys = new Array(d.codes.length);
      var layer = { codes: d.codes, names: d.names, polys: polys, colours: null };
      layers[level] = layer;
      var ring = 0, part = 0, pt = 0;
      for (var i = 0; i < d.codes.length; i++) {
        var shapes = [];
        for (; part < featurePolys[i]; part++) {
          var rings = [];
          for (; ring < polyRings[part]; ring++) {
            var lls = [];
            for (; pt < ringEnds[ring]; pt++) lls.push([xy[2 * pt + 1], xy[2 * pt]]);
            rings.push(lls);
          }
          if (rings.length) shapes.push(rings);
        }
        var poly = L.polygon(shapes.length === 1 ? shapes[0] : shapes,
                             L.extend({ renderer: renderer }, STYLE[level] || OTHER));
        poly.gmCode = d.codes[i];
        poly.gmLevel = level;
        poly.gmIndex = i;
        polys[i] = poly;
        byCode[d.codes[i]] = poly;
      }
      layer.group = L.featureGroup(polys).on("click", onClick).addTo(map);
      restack();
      updateLabels();
      return polys.length;
    },

    clear: function () {
      Object.keys(layers).forEach(function (l) { map.removeLayer(layers[l].group); });
      layers = {};
      byCode = {};
      selected = [];
      updateLabels();
    },

    setPoints: function (d) {
      if (points) {
        map.removeLayer(points.other);
        map.removeLayer(points.key);
        points = null;
      }
      if (!d || !d.codes.length) return 0;
      var key = L.featureGroup(), other = L.featureGroup(), xy = d.coords;
      var markers = new Array(d.codes.length), byPoint = {};
      for (var i = 0; i < d.codes.length; i++) {
        var cls = d.classes[i], isKey = opts.keyClasses.indexOf(cls) >= 0;
        var m = L.circleMarker([xy[2 * i + 1], xy[2 * i]], {
          renderer: renderer, radius: isKey ? 6 : 4, color: "#ffffff", weight: 1,
          fillColor: opts.classColours[cls] || opts.otherClassColour, fillOpacity: 1,
        });
        m.gmCode = d.codes[i];
        m.gmName = d.names[i];
        m.gmClass = cls;
        m.gmKey = isKey;
        markers[i] = m;
        byPoint[d.codes[i]] = m;
        (isKey ? key : other).addLayer(m);
      }
      key.on("click", onPointClick);
      other.on("click", onPointClick);
      points = { codes: d.codes, markers: markers, key: key, other: other, byCode: byPoint };
      if (map.getZoom() >= opts.keyOnlyBelow) other.addTo(map);
      key.addTo(map); // added last: drawn on top
      return markers.length;
    },

    setLegend: function (d) {
      if (legend) {
        map.removeControl(legend);
        legend = null;
      }
      if (!d) return false;
      legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "gm-legend");
        var html = '<div class="gm-legend-title">' + escapeHtml(d.title || "") + "</div>";
        (d.entries || []).forEach(function (e) {
          html += '<div class="gm-legend-row"><i style="background:' + escapeHtml(e.colour) +
                  '"></i><span>' + escapeHtml(e.label) + "</span></div>";
        });
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        return div;
      };
      legend.addTo(map);
      return true;
    },

    legendHtml: function () {
      return legend && legend.getContainer() ? legend.getContainer().innerHTML : null;
    },

    pointStats: function () {
      var shown = {}, total = 0;
      if (points) {
        total = points.markers.length;
        points.markers.forEach(function (m) {
          if (m._map) shown[m.gmClass] = (shown[m.gmClass] || 0) + 1;
        });
      }
      return { total: total, shown: shown, zoom: map ? map.getZoom() : null };
    },

    labelStats: function () {
      var texts = [];
      if (labels) labels.eachLayer(function (t) { texts.push(t.getContent()); });
      return { count: texts.length, codes: texts.slice(0, 50), zoom: map.getZoom() };
    },

    /* the page pixel of an enterprise marker, to click at */
    pointOfMarker: function (code) {
      var m = points && points.byCode[code];
      if (!m) return null;
      var c = map.latLngToContainerPoint(m.getLatLng());
      var r = map.getContainer().getBoundingClientRect();
      return [c.x + r.left, c.y + r.top];
    },

    setView: function (lat, lon, zoom) {
      map.setView([lat, lon], zoom, { animate: false });
      return map.getZoom();
    },

    setColours: function (level, colours) {
      var layer = layers[level];
      if (!layer) return 0;
      layer.colours = colours;
      layer.polys.forEach(function (p) { p.setStyle(styleOf(p)); });
      return layer.polys.length;
    },

    setSelected: function (codes) {
      selected.forEach(function (p) {
        p.gmSelected = false;
        p.setStyle(styleOf(p));
      });
      selected = [];
      (codes || []).forEach(function (c) {
        var p = byCode[c];
        if (p && !p.gmSelected) {
          p.gmSelected = true;
          p.setStyle(styleOf(p));
          p.bringToFront();
          selected.push(p);
        }
      });
      pointsToFront();
      return selected.length;
    },

    flyTo: function (codes, animate) {
      var b = boundsOf(typeof codes === "string" ? [codes] : codes);
      if (!b.isValid()) return false;
      var opts = { maxZoom: 18, padding: [40, 40] };
      if (animate === false) map.fitBounds(b, L.extend(opts, { animate: false }));
      else map.flyToBounds(b, L.extend(opts, { duration: 0.6 }));
      return true;
    },

    fitAll: function () {
      var b = boundsOf(Object.keys(byCode));
      if (b.isValid()) map.fitBounds(b, { animate: false, padding: [10, 10] });
      return b.isValid();
    },

    /* read-back for tests and the desktop's status bar */
    stats: function () {
      var counts = {}, drawn = 0;
      Object.keys(layers).forEach(function (l) {
        counts[l] = layers[l].polys.length;
        layers[l].polys.forEach(function (p) {
          if (p._map && p._parts && p._parts.length) drawn++;
        });
      });
      return {
        levels: counts,
        drawn: drawn,
        selected: selected.map(function (p) { return p.gmCode; }),
        bridge: gridmap.bridgeReady,
        zoom: map ? map.getZoom() : null,
      };
    },

    styleOf: function (code) {
      var p = byCode[code];
      return p ? { color: p.options.color, fillColor: p.options.fillColor,
                   weight: p.options.weight, fill: p.options.fill } : null;
    },

    /* a point inside the area, in CSS pixels of the page, to click at */
    pointOf: function (code) {
      var p = byCode[code];
      if (!p) return null;
      var c = map.latLngToContainerPoint(p.getBounds().getCenter());
      var r = map.getContainer().getBoundingClientRect();
      return [c.x + r.left, c.y + r.top];
    },
  };

  window.gridmap = gridmap;
})();
