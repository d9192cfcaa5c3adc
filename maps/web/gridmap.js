/* gridmap.js — the data side of gridmgr's offline map page (maps/web_page.py builds the page).
 *
 * The page starts empty; the desktop pushes data into it:
 *   gridmap.setAreas(level, payload)   areas of one level (see maps.web_page.area_payload)
 *   gridmap.setColours(level, colours) fill colours aligned to the pushed codes (null = default)
 *   gridmap.setSelected(codes)         highlight these codes (any level)
 *   gridmap.flyTo(codes, animate)      show a code or a list of codes
 *   gridmap.fitAll()                   show everything pushed
 * and clicks go back through QWebChannel: bridge.areaClicked(code), with shift
 * bridge.areaShiftClicked(code).  All levels share one canvas renderer; cells (bottom) are
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

    init: function (leafletMap) {
      map = leafletMap;
      renderer = L.canvas({ padding: 0.3, tolerance: 0 });
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
      return polys.length;
    },

    clear: function () {
      Object.keys(layers).forEach(function (l) { map.removeLayer(layers[l].group); });
      layers = {};
      byCode = {};
      selected = [];
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
