/* gridmap.js — the data side of gridmgr's offline map page (maps/web_page.py builds the page).
 *
 * The page starts empty; the desktop pushes data into it:
 *   gridmap.setAreas(level, payload)   areas of one level (see maps.web_page.area_payload)
 *   gridmap.setColours(level, colours) fill colours aligned to the pushed codes (null = default)
 *   gridmap.setSelected(codes)         highlight these codes (any level)
 *   gridmap.setSelectedPoint(code)     ring around one enterprise (or null)
 *   gridmap.flyTo(codes, animate)      show a code or a list of codes
 *   gridmap.fitAll()                   show everything pushed
 *   gridmap.setPoints(payload)         enterprises (see maps.web_page.point_payload)
 *   gridmap.setLegend(legend)          {title, entries: [{colour, label, kind}]}, or
 *                                      {sections: [{title, entries}]}, or null
 *   gridmap.setTexts(texts)            the layer control's names (translated in Python)
 *   gridmap.setBasemap(url, maxZoom)   an offline tile layer ("gmtiles:" scheme) or null
 *   gridmap.setBoxMode(on)             a plain drag draws a selection rectangle
 *   gridmap.whenPainted()              call bridge.painted() once what came before is drawn
 * and events go back through QWebChannel (object "bridge"): areaClicked(code),
 * areaShiftClicked(code), pointClicked(code), boxSelected(codesJson, additive), painted().
 *
 * Each level of areas is ONE canvas layer (AreaLayer) drawing packed coordinate arrays — not an
 * L.Polygon per area, which takes seconds for 100k cells.  Coordinates are projected once to
 * Web Mercator in [0, 1] (u, v); a redraw only scales them.  Levels of detail: a level is drawn
 * from the zoom at which its median area is MIN_PX pixels wide (streets and communities at low
 * zoom, cells when zoomed in); a payload may carry a coarser geometry (coverage-simplified in
 * Python) used below its "below" zoom.  Clicks are hit-tested here: a grid index over the areas'
 * boxes gives the candidates, then point-in-polygon (even-odd over all rings).
 */
(function () {
  "use strict";
  // Chinese on every OS (Windows, macOS, Linux, the font gridmgr ships): never one family only;
  // the desktop puts the family it chose first (setFont)
  var CJK_FONTS = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", ' +
    '"WenQuanYi Micro Hei", "gridmgr Sans SC", sans-serif';

  var ORDER = ["cell", "community", "street", "district"]; // bottom to top
  var PANE_Z = { cell: 410, community: 420, street: 430, district: 440 };
  var STYLE = {
    district: { color: "#1f2937", weight: 2.4, fill: false },
    street: { color: "#b91c1c", weight: 1.8, fill: false },
    community: { color: "#2563eb", weight: 1.0, fill: false },
    cell: { color: "#9ca3af", weight: 0.5, fill: true, fillColor: "#f1f5f9", fillOpacity: 0.85 },
  };
  var OTHER = { color: "#6b7280", weight: 1.0, fill: false };
  var SELECTED = { color: "#f59e0b", weight: 3 };
  var MIN_PX = 6; // a level is drawn once its median area is this many pixels wide
  var CHUNK = 64; // areas per path when drawing
  var R = 6378137, MAX_LAT = 85.0511287798;

  var map = null;
  var bridge = null;
  var pointRenderer = null;
  var caseRenderer = null, cases = null, pickMode = false; // case markers, 新建案件 pick
  var layers = {}; // level -> AreaLayer
  var where = null; // code -> {level, i} (the finest level wins), see whereOf
  var selected = []; // codes
  var selectedPoint = null;
  var opts = { keyOnlyBelow: 12, labelsFrom: 15, maxLabels: 400, keyClasses: ["国控", "省控"],
               classColours: {}, otherClassColour: "#64748b" };
  var texts = { district: "区界", street: "街道", community: "社区", cell: "单元网格",
                enterprises: "企业", labels: "标注", basemap: "底图" };
  var points = null; // {codes, markers, key, other, byCode}
  var pointsGroup = null; // the "enterprises" entry of the layer control
  var labelsOn = true;
  var labelsToggle = null; // a dummy layer whose presence switches labels
  var legend = null;
  var control = null;
  var basemap = null;
  var boxMode = false;
  var pendingFit = null; // bounds asked for while the map had no size
  var paintWanted = false;
  var paints = 0;

  // ------------------------------------------------------------------ geometry helpers
  function project(lon, lat) {
    var la = Math.max(Math.min(lat, MAX_LAT), -MAX_LAT) * Math.PI / 180;
    return [lon / 360 + 0.5, 0.5 - Math.log(Math.tan(Math.PI / 4 + la / 2)) / (2 * Math.PI)];
  }

  function unproject(u, v) {
    var lat = (2 * Math.atan(Math.exp((0.5 - v) * 2 * Math.PI)) - Math.PI / 2) * 180 / Math.PI;
    return L.latLng(lat, (u - 0.5) * 360);
  }

  // a base64 string of little-endian int32 (maps/web_page.py _binary) as an Int32Array
  function int32s(text) {
    var bin = atob(text), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
    return new Int32Array(bytes.buffer);
  }

  function geomOf(d) {
    var uv, k, n;
    if (d.xy !== undefined) { // binary: (origin + xy) / scale is the rounded lon/lat
      var q = int32s(d.xy), ox = d.origin[0], oy = d.origin[1], sc = d.scale;
      var W = 2 * Math.PI;  // the same arithmetic as project(), so the same numbers
      n = q.length / 2;
      uv = new Float64Array(2 * n);
      for (k = 0; k < n; k++) {
        var lat = Math.max(Math.min((oy + q[2 * k + 1]) / sc, MAX_LAT), -MAX_LAT) * Math.PI / 180;
        uv[2 * k] = (ox + q[2 * k]) / sc / 360 + 0.5;
        uv[2 * k + 1] = 0.5 - Math.log(Math.tan(Math.PI / 4 + lat / 2)) / W;
      }
      return { uv: uv, ringEnds: int32s(d.ring_ends), polyRings: int32s(d.poly_rings),
               featurePolys: int32s(d.feature_polys) };
    }
    n = d.coords.length / 2;
    uv = new Float64Array(2 * n);
    for (k = 0; k < n; k++) {
      var p = project(d.coords[2 * k], d.coords[2 * k + 1]);
      uv[2 * k] = p[0];
      uv[2 * k + 1] = p[1];
    }
    return { uv: uv, ringEnds: d.ring_ends, polyRings: d.poly_rings,
             featurePolys: d.feature_polys };
  }

  function boxesOf(g, count) {
    // per feature [minU, minV, maxU, maxV]
    var b = new Float64Array(4 * count), ring = 0, part = 0, pt = 0;
    for (var i = 0; i < count; i++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (; part < g.featurePolys[i]; part++) {
        for (; ring < g.polyRings[part]; ring++) {
          for (; pt < g.ringEnds[ring]; pt++) {
            var u = g.uv[2 * pt], v = g.uv[2 * pt + 1];
            if (u < x0) x0 = u;
            if (u > x1) x1 = u;
            if (v < y0) y0 = v;
            if (v > y1) y1 = v;
          }
        }
      }
      b[4 * i] = x0; b[4 * i + 1] = y0; b[4 * i + 2] = x1; b[4 * i + 3] = y1;
    }
    return b;
  }

  // ring/point offsets of feature i, for drawing and hit tests
  function ringsOf(g, starts, i) {
    var p0 = i ? g.featurePolys[i - 1] : 0, p1 = g.featurePolys[i];
    var r0 = p0 ? g.polyRings[p0 - 1] : 0, r1 = p1 ? g.polyRings[p1 - 1] : 0;
    return [r0, r1];
  }

  function inside(g, i, u, v) {
    var rr = ringsOf(g, null, i), inside = false;
    for (var r = rr[0]; r < rr[1]; r++) {
      var a = r ? g.ringEnds[r - 1] : 0, b = g.ringEnds[r], j = b - 1;
      for (var k = a; k < b; j = k++) {
        var xi = g.uv[2 * k], yi = g.uv[2 * k + 1], xj = g.uv[2 * j], yj = g.uv[2 * j + 1];
        if ((yi > v) !== (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  }

  // ------------------------------------------------------------------ one level on one canvas
  var AreaLayer = L.Renderer.extend({
    options: { padding: 0.2 },

    initialize: function (level, d) {
      L.Renderer.prototype.initialize.call(this, { pane: "gm-" + level });
      this.level = level;
      this.codes = d.codes;
      this.names = d.names;
      this.n = d.codes.length;
      this.fine = geomOf(d);
      this.coarse = d.coarse ? geomOf(d.coarse) : null;
      this.coarseBelow = d.coarse ? d.coarse.below : -1;
      this.boxes = boxesOf(this.fine, this.n);
      this.colours = null;
      this.drawn = 0;
      var widths = new Float64Array(this.n);
      for (var i = 0; i < this.n; i++) widths[i] = this.boxes[4 * i + 2] - this.boxes[4 * i];
      widths.sort(); // numeric (a typed array): no comparator calls for 100k areas
      this.medianWidth = widths.length ? widths[widths.length >> 1] : 0;
      this.extent = [Infinity, Infinity, -Infinity, -Infinity];
      for (i = 0; i < this.n; i++) {
        this.extent[0] = Math.min(this.extent[0], this.boxes[4 * i]);
        this.extent[1] = Math.min(this.extent[1], this.boxes[4 * i + 1]);
        this.extent[2] = Math.max(this.extent[2], this.boxes[4 * i + 2]);
        this.extent[3] = Math.max(this.extent[3], this.boxes[4 * i + 3]);
      }
      this.buckets = null; // the click index: built on the first click (not before a paint)
    },

    _buildIndex: function () {
      var e = this.extent, g = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(this.n / 2))));
      this.grid = g;
      this.cellW = Math.max((e[2] - e[0]) / g, 1e-12);
      this.cellH = Math.max((e[3] - e[1]) / g, 1e-12);
      var buckets = new Array(g * g);
      for (var i = 0; i < this.n; i++) {
        var b = this.boxes, gx0 = this._gx(b[4 * i]), gx1 = this._gx(b[4 * i + 2]);
        var gy0 = this._gy(b[4 * i + 1]), gy1 = this._gy(b[4 * i + 3]);
        for (var y = gy0; y <= gy1; y++) {
          for (var x = gx0; x <= gx1; x++) {
            var k = y * g + x;
            (buckets[k] || (buckets[k] = [])).push(i);
          }
        }
      }
      this.buckets = buckets;
    },

    _gx: function (u) {
      return Math.max(0, Math.min(this.grid - 1, Math.floor((u - this.extent[0]) / this.cellW)));
    },

    _gy: function (v) {
      return Math.max(0, Math.min(this.grid - 1, Math.floor((v - this.extent[1]) / this.cellH)));
    },

    minZoom: function () {
      // the zoom from which the median area is MIN_PX wide (districts and streets: always)
      if (this.level === "district" || this.level === "street" || !this.medianWidth) return 0;
      return Math.max(0, Math.ceil(Math.log2(MIN_PX / (256 * this.medianWidth))));
    },

    shown: function () {
      return !!this._map && this._map.getZoom() >= this.minZoom();
    },

    hit: function (u, v) {
      if (u < this.extent[0] || u > this.extent[2] || v < this.extent[1] || v > this.extent[3]) {
        return -1;
      }
      if (!this.buckets) this._buildIndex();
      var list = this.buckets[this._gy(v) * this.grid + this._gx(u)] || [], b = this.boxes;
      for (var k = list.length - 1; k >= 0; k--) {
        var i = list[k];
        if (u >= b[4 * i] && u <= b[4 * i + 2] && v >= b[4 * i + 1] && v <= b[4 * i + 3] &&
            inside(this.fine, i, u, v)) return i;
      }
      return -1;
    },

    inBox: function (u0, v0, u1, v1) {
      // features whose box centre lies inside the rectangle
      var out = [], b = this.boxes;
      for (var i = 0; i < this.n; i++) {
        var cu = (b[4 * i] + b[4 * i + 2]) / 2, cv = (b[4 * i + 1] + b[4 * i + 3]) / 2;
        if (cu >= u0 && cu <= u1 && cv >= v0 && cv <= v1) out.push(i);
      }
      return out;
    },

    styleOf: function (i) {
      var s = L.extend({}, STYLE[this.level] || OTHER);
      var c = this.colours ? this.colours[i] : null;
      if (c) {
        s.fillColor = c;
        s.fill = true;
        if (s.fillOpacity === undefined) s.fillOpacity = 0.6;
      }
      return s;
    },

    _initContainer: function () {
      var c = (this._container = document.createElement("canvas"));
      c.style.pointerEvents = "none"; // clicks reach the markers below, then the map (hit())
      this._ctx = c.getContext("2d");
    },

    onRemove: function () {
      this.off("update", this._updatePaths, this);
      L.DomUtil.remove(this._container);
    },

    _updatePaths: function () {},

    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, size = b.getSize(), c = this._container;
      L.DomUtil.setPosition(c, b.min);
      c.width = size.x;
      c.height = size.y;
      c.style.width = size.x + "px";
      c.style.height = size.y + "px";
      this.redraw();
    },

    _trace: function (ctx, g, i, s, ox, oy) {
      var p0 = i ? g.featurePolys[i - 1] : 0, p1 = g.featurePolys[i];
      var r0 = p0 ? g.polyRings[p0 - 1] : 0, r1 = p1 ? g.polyRings[p1 - 1] : 0, uv = g.uv;
      for (var r = r0; r < r1; r++) {
        var a = r ? g.ringEnds[r - 1] : 0, e = g.ringEnds[r];
        if (e - a < 2) continue;
        ctx.moveTo(uv[2 * a] * s - ox, uv[2 * a + 1] * s - oy);
        for (var k = a + 1; k < e; k++) ctx.lineTo(uv[2 * k] * s - ox, uv[2 * k + 1] * s - oy);
        ctx.closePath();
      }
    },

    redraw: function () {
      if (!this._map || !this._bounds) return;
      var ctx = this._ctx, b = this._bounds, map = this._map;
      var c = this._container;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, c.width, c.height);
      this.drawn = 0;
      this.labels = [];
      if (!this.shown()) {
        requestPaint();
        return;
      }
      var zoom = map.getZoom(), s = 256 * Math.pow(2, zoom), po = map.getPixelOrigin();
      var ox = po.x + b.min.x, oy = po.y + b.min.y; // canvas pixel = uv * s - o
      var g = this.coarse && zoom < this.coarseBelow ? this.coarse : this.fine;
      var u0 = ox / s, v0 = oy / s, u1 = (ox + c.width) / s, v1 = (oy + c.height) / s;
      var st = STYLE[this.level] || OTHER, bx = this.boxes, visible = [];
      for (var i = 0; i < this.n; i++) {
        if (bx[4 * i + 2] < u0 || bx[4 * i] > u1 || bx[4 * i + 3] < v0 || bx[4 * i + 1] > v1) {
          continue;
        }
        visible.push(i);
      }
      // in chunks: one huge path with thousands of subpaths makes the software rasteriser
      // (and its stroker) slow far beyond linear
      var alpha = st.fillOpacity !== undefined ? st.fillOpacity : 0.6;
      ctx.lineJoin = "round";
      for (var k0 = 0; k0 < visible.length; k0 += CHUNK) {
        var fills = {}, order = [], outline = new Path2D();
        for (var k = k0; k < Math.min(k0 + CHUNK, visible.length); k++) {
          var j = visible[k];
          var fill = (this.colours && this.colours[j]) || (st.fill ? st.fillColor : null);
          if (fill) {
            if (!fills[fill]) {
              fills[fill] = new Path2D();
              order.push(fill);
            }
            this._trace(fills[fill], g, j, s, ox, oy);
          }
          this._trace(outline, g, j, s, ox, oy);
        }
        ctx.globalAlpha = alpha;
        for (var f = 0; f < order.length; f++) {
          ctx.fillStyle = order[f];
          ctx.fill(fills[order[f]], "evenodd");
        }
        ctx.globalAlpha = 1;
        ctx.strokeStyle = st.color;
        ctx.lineWidth = st.weight;
        ctx.stroke(outline);
      }
      this.drawn = visible.length;
      if (labelsOn) this._labels(ctx, visible, s, ox, oy, zoom);
      requestPaint();
    },

    _labels: function (ctx, visible, s, ox, oy, zoom) {
      var px = this.medianWidth * s, text = null, font = null, colour = "#111827";
      var codesShown = layers.cell && layers.cell.shown() && zoom >= opts.labelsFrom &&
                       layers.cell.medianWidth * s >= 40;
      if (this.level === "cell") {
        if (!codesShown) return;
        text = this.codes;
        font = "11px " + CJK_FONTS;
      } else if (this.level === "community") {
        if (codesShown || px < 70) return;
        text = this.names;
        font = "12px " + CJK_FONTS;
        colour = "#1e40af";
      } else if (this.level === "street") {
        var comm = layers.community;
        if (codesShown || (comm && comm.shown() && comm.medianWidth * s >= 70)) return;
        text = this.names;
        font = "bold 14px " + CJK_FONTS;
        colour = "#991b1b";
      } else {
        return;
      }
      ctx.font = font;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.fillStyle = colour;
      var bx = this.boxes, n = 0, view = this._map.getSize(), b = this._bounds;
      var cp = this._map.containerPointToLayerPoint([0, 0]);
      for (var k = 0; k < visible.length && n < opts.maxLabels; k++) {
        var i = visible[k], t = text[i] || (this.level === "cell" ? "" : this.codes[i]);
        if (!t) continue;
        // a label wider than its area would run into the neighbours' labels: left out
        if ((bx[4 * i + 2] - bx[4 * i]) * s < ctx.measureText(t).width + 4) continue;
        var x = (bx[4 * i] + bx[4 * i + 2]) / 2 * s - ox;
        var y = (bx[4 * i + 1] + bx[4 * i + 3]) / 2 * s - oy;
        // only labels whose centre is in the visible part (the canvas has a margin)
        var cx = x + b.min.x - cp.x, cy = y + b.min.y - cp.y;
        if (cx < 0 || cy < 0 || cx > view.x || cy > view.y) continue;
        ctx.strokeText(t, x, y);
        ctx.fillText(t, x, y);
        this.labels.push(t);
        n++;
      }
    },
  });

  // the selection: outlines of the selected areas of any level, above every level
  var SelectionLayer = L.Renderer.extend({
    options: { padding: 0.2, pane: "gm-selection" },
    _initContainer: AreaLayer.prototype._initContainer,
    onRemove: AreaLayer.prototype.onRemove,
    _updatePaths: function () {},
    _update: AreaLayer.prototype._update,
    redraw: function () {
      if (!this._map || !this._bounds) return;
      var ctx = this._ctx, b = this._bounds, c = this._container, map = this._map;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, c.width, c.height);
      var s = 256 * Math.pow(2, map.getZoom()), po = map.getPixelOrigin();
      var ox = po.x + b.min.x, oy = po.y + b.min.y, path = new Path2D();
      selected.forEach(function (code) {
        var w = whereOf(code), layer = w && layers[w.level];
        if (layer) AreaLayer.prototype._trace(path, layer.fine, w.i, s, ox, oy);
      });
      ctx.strokeStyle = SELECTED.color;
      ctx.lineWidth = SELECTED.weight;
      ctx.lineJoin = "round";
      ctx.stroke(path);
      if (selectedPoint && points && points.byCode[selectedPoint]) {
        var ll = points.byCode[selectedPoint].getLatLng(), p = project(ll.lng, ll.lat);
        ctx.beginPath();
        ctx.arc(p[0] * s - ox, p[1] * s - oy, 11, 0, 2 * Math.PI);
        ctx.lineWidth = 3;
        ctx.stroke();
      }
    },
  });
  var selectionLayer = null;

  // ------------------------------------------------------------------ painted notification
  function requestPaint() {
    if (!paintWanted) return;
    paintWanted = false;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        paints++;
        if (bridge && bridge.painted) bridge.painted();
      });
    });
  }

  function redrawAll() {
    Object.keys(layers).forEach(function (l) { if (layers[l]._map) layers[l].redraw(); });
    if (selectionLayer) selectionLayer.redraw();
  }

  // ------------------------------------------------------------------ enterprises
  function showPoints() {
    // below keyOnlyBelow only key enterprises; key markers always drawn last (on top)
    if (!points || !map || !map.hasLayer(pointsGroup)) return;
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
    L.DomEvent.stopPropagation(e); // the enterprise's click, not the cell's under it
    gridmap.lastPointClick = m.gmCode;
    if (bridge && bridge.pointClicked) bridge.pointClicked(m.gmCode);
  }

  function escapeHtml(t) {
    return String(t).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  // ------------------------------------------------------------------ clicks and rectangles
  function finestShown() {
    for (var k = 0; k < ORDER.length; k++) {
      var l = layers[ORDER[k]];
      if (l && l._map && l.shown()) return l;
    }
    return null;
  }

  function finestLevel() {
    for (var i = 0; i < ORDER.length; i++) if (layers[ORDER[i]]) return ORDER[i];
    return null;
  }

  function codeAt(latlng) {
    var p = project(latlng.lng, latlng.lat);
    for (var k = 0; k < ORDER.length; k++) {
      var l = layers[ORDER[k]];
      if (!l || !l._map || !l.shown()) continue;
      var i = l.hit(p[0], p[1]);
      if (i >= 0) return l.codes[i];
    }
    return null;
  }

  var suppressClick = false;

  function onMapClick(e) {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    if (pickMode) { // 新建案件: the next click gives a place, not a selection
      pickMode = false;
      map.getContainer().style.cursor = "";
      gridmap.lastPick = [e.latlng.lng, e.latlng.lat];
      if (bridge && bridge.pointPicked) bridge.pointPicked(e.latlng.lng, e.latlng.lat);
      return;
    }
    var code = codeAt(e.latlng);
    if (code === null) return;
    var shift = !!(e.originalEvent && e.originalEvent.shiftKey);
    gridmap.lastClick = { code: code, shift: shift };
    if (bridge) {
      if (shift) bridge.areaShiftClicked(code);
      else bridge.areaClicked(code);
    }
  }

  function boxSelect(a, b, additive) {
    var level = finestLevel();
    if (!level) return [];
    var p = project(a.lng, a.lat), q = project(b.lng, b.lat), layer = layers[level];
    var found = layer.inBox(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]),
                            Math.max(p[1], q[1])).map(function (i) { return layer.codes[i]; });
    gridmap.lastBox = { codes: found.length, additive: additive };
    if (bridge && bridge.boxSelected) bridge.boxSelected(JSON.stringify(found), additive);
    return found;
  }

  function installBox() {
    var start = null, rect = null, container = map.getContainer();
    map.boxZoom.disable(); // shift-drag selects instead of zooming
    L.DomEvent.on(container, "mousedown", function (ev) {
      if (ev.button !== 0 || !(ev.shiftKey || boxMode)) return;
      if (ev.target.closest && ev.target.closest(".leaflet-control")) return;
      start = map.mouseEventToContainerPoint(ev);
      start.shift = ev.shiftKey;
      map.dragging.disable();
      L.DomEvent.preventDefault(ev);
    });
    L.DomEvent.on(document, "mousemove", function (ev) {
      if (!start) return;
      var p = map.mouseEventToContainerPoint(ev);
      if (!rect && start.distanceTo(p) < 5) return;
      if (!rect) rect = L.DomUtil.create("div", "gm-box", container);
      var x0 = Math.min(p.x, start.x), y0 = Math.min(p.y, start.y);
      rect.style.left = x0 + "px";
      rect.style.top = y0 + "px";
      rect.style.width = Math.abs(p.x - start.x) + "px";
      rect.style.height = Math.abs(p.y - start.y) + "px";
    });
    L.DomEvent.on(document, "mouseup", function (ev) {
      if (!start) return;
      var s = start;
      start = null;
      map.dragging.enable();
      if (!rect) return; // a click: handled as one
      L.DomUtil.remove(rect);
      rect = null;
      suppressClick = true;
      setTimeout(function () { suppressClick = false; }, 50);
      var p = map.mouseEventToContainerPoint(ev);
      boxSelect(map.containerPointToLatLng(s), map.containerPointToLatLng(p), s.shift);
    });
  }

  // ------------------------------------------------------------------ layer control
  function rebuildControl() {
    if (!map) return;
    if (control) map.removeControl(control);
    var overlays = {};
    ORDER.slice().reverse().forEach(function (level) {
      if (layers[level]) overlays[texts[level] || level] = layers[level];
    });
    if (pointsGroup) overlays[texts.enterprises] = pointsGroup;
    if (cases) overlays[texts.cases || "案件"] = cases.group;
    overlays[texts.labels] = labelsToggle;
    if (basemap) overlays[texts.basemap] = basemap;
    control = L.control.layers(null, overlays, { collapsed: false, position: "topright" });
    control.addTo(map);
  }

  function boundsOf(codes) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, any = false;
    codes.forEach(function (c) {
      var w = whereOf(c);
      if (w) {
        var b = layers[w.level].boxes, i = w.i;
        x0 = Math.min(x0, b[4 * i]); y0 = Math.min(y0, b[4 * i + 1]);
        x1 = Math.max(x1, b[4 * i + 2]); y1 = Math.max(y1, b[4 * i + 3]);
        any = true;
      } else if (points && points.byCode[c]) {
        var ll = points.byCode[c].getLatLng(), p = project(ll.lng, ll.lat);
        x0 = Math.min(x0, p[0]); y0 = Math.min(y0, p[1]);
        x1 = Math.max(x1, p[0]); y1 = Math.max(y1, p[1]);
        any = true;
      }
    });
    if (!any) return L.latLngBounds([]);
    return L.latLngBounds(unproject(x0, y1), unproject(x1, y0));
  }

  // the union of every area pushed (what boundsOf(every code) gives, without 100k look-ups)
  function allBounds() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    Object.keys(layers).forEach(function (level) {
      var e = layers[level].extent;
      x0 = Math.min(x0, e[0]); y0 = Math.min(y0, e[1]);
      x1 = Math.max(x1, e[2]); y1 = Math.max(y1, e[3]);
    });
    if (!(x0 <= x1 && y0 <= y1)) return L.latLngBounds([]);
    return L.latLngBounds(unproject(x0, y1), unproject(x1, y0));
  }

  // code -> {level, i}: built when first asked after a push (a push does not wait for it)
  function reindex() {
    where = null;
  }

  function whereOf(code) {
    if (where === null) buildWhere();
    return where.get(code);
  }

  function buildWhere() {
    where = new Map();
    ORDER.slice().reverse().forEach(function (level) { // finest level last: it wins
      var l = layers[level];
      if (!l) return;
      for (var i = 0; i < l.n; i++) where.set(l.codes[i], { level: level, i: i });
    });
    Object.keys(layers).forEach(function (level) {
      if (ORDER.indexOf(level) >= 0) return;
      var l = layers[level];
      for (var i = 0; i < l.n; i++) {
        if (!where.has(l.codes[i])) where.set(l.codes[i], { level: level, i: i });
      }
    });
  }

  // ------------------------------------------------------------------ the API
  /* a case is a diamond, so that it is not taken for an enterprise (a circle) */
  var CaseMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var r = this._renderer;
      if (!r._drawing || this._empty()) return;
      var p = this._point, s = Math.max(Math.round(this._radius), 1), ctx = r._ctx;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y - s);
      ctx.lineTo(p.x + s, p.y);
      ctx.lineTo(p.x, p.y + s);
      ctx.lineTo(p.x - s, p.y);
      ctx.closePath();
      r._fillStroke(ctx, this);
    },
  });

  var gridmap = {
    bridgeReady: false,
    lastClick: null,
    lastPointClick: null,
    lastBox: null,

    init: function (leafletMap, options) {
      map = leafletMap;
      opts = L.extend(opts, options || {});
      ORDER.forEach(function (level) {
        map.createPane("gm-" + level).style.zIndex = PANE_Z[level];
      });
      map.createPane("gm-selection").style.zIndex = 445;
      // markers above the cell fills, below the outlines and names of communities and streets
      map.createPane("gm-points").style.zIndex = 415;
      pointRenderer = L.canvas({ padding: 0.3, tolerance: 2, pane: "gm-points" });
      map.createPane("gm-cases").style.zIndex = 418; // above enterprises, below outlines
      caseRenderer = L.canvas({ padding: 0.3, tolerance: 3, pane: "gm-cases" });
      selectionLayer = new SelectionLayer().addTo(map);
      labelsToggle = L.layerGroup();
      labelsToggle.on("add", function () { labelsOn = true; redrawAll(); });
      labelsToggle.on("remove", function () { labelsOn = false; redrawAll(); });
      labelsToggle.addTo(map);
      // the shipped font (gridmap.css @font-face) loads only on a computer with no Chinese
      // font, once a label asks for it: the canvas labels are drawn again when it arrives
      if (document.fonts) document.fonts.addEventListener("loadingdone", redrawAll);
      pointsGroup = L.layerGroup();
      pointsGroup.on("add", function () {
        if (points) {
          points.key.addTo(map);
          if (map.getZoom() >= opts.keyOnlyBelow) points.other.addTo(map);
        }
      });
      pointsGroup.on("remove", function () {
        if (points) {
          map.removeLayer(points.key);
          map.removeLayer(points.other);
        }
      });
      pointsGroup.addTo(map);
      map.on("zoomend", showPoints);
      map.on("resize", function () {
        if (pendingFit && map.getSize().x && map.getSize().y) {
          map.fitBounds(pendingFit, { animate: false, padding: [10, 10] });
          pendingFit = null;
        }
      });
      map.on("click", onMapClick);
      installBox();
      rebuildControl();
      if (window.qt && window.qt.webChannelTransport && window.QWebChannel) {
        new QWebChannel(window.qt.webChannelTransport, function (channel) {
          bridge = channel.objects.bridge || null;
          gridmap.bridgeReady = !!bridge;
          if (bridge && bridge.pageReady) bridge.pageReady();
        });
      }
    },

    /* bridge.painted() once everything pushed before this call is on screen: calls run in
       order, Leaflet draws added layers on the next animation frame, so two frames later
       the areas, markers and selection sent earlier have been painted */
    whenPainted: function () {
      paintWanted = true;
      requestPaint();
      return true;
    },

    /** The font stack of this computer's Chinese font (maps/fonts.py), for the labels drawn
     *  on canvas and the legend and controls. */
    setFont: function (stack) {
      CJK_FONTS = stack;
      map.getContainer().style.fontFamily = stack;
      redrawAll();
      return true;
    },

    setTexts: function (t) {
      texts = L.extend(texts, t || {});
      rebuildControl();
      return true;
    },

    setAreas: function (level, d) {
      var t0 = performance.now();
      if (layers[level]) map.removeLayer(layers[level]);
      if (!map.getPane("gm-" + level)) map.createPane("gm-" + level).style.zIndex = 405;
      var layer = new AreaLayer(level, d);
      layers[level] = layer;
      reindex();
      layer.addTo(map);
      if (selectionLayer) selectionLayer.redraw();
      rebuildControl();
      gridmap.lastPushMs = performance.now() - t0;
      return layer.n;
    },

    clear: function () {
      Object.keys(layers).forEach(function (l) { map.removeLayer(layers[l]); });
      layers = {};
      where = null;
      selected = [];
      rebuildControl();
      if (selectionLayer) selectionLayer.redraw();
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
          renderer: pointRenderer, radius: isKey ? 6 : 4, color: "#ffffff", weight: 1,
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
      if (map.hasLayer(pointsGroup)) {
        if (map.getZoom() >= opts.keyOnlyBelow) other.addTo(map);
        key.addTo(map); // added last: drawn on top
      }
      return markers.length;
    },

    /* cases as markers coloured by status (maps/case_layer.py case_payload); an overdue
       case gets a thick red ring; a click tells Python which case */
    setCases: function (d) {
      if (cases) {
        map.removeLayer(cases.group);
        cases = null;
      }
      if (d && d.codes.length) {
        var group = L.featureGroup(), xy = d.coords;
        for (var i = 0; i < d.codes.length; i++) {
          var late = d.overdue && d.overdue[i];
          var m = new CaseMarker([xy[2 * i + 1], xy[2 * i]], {
            renderer: caseRenderer, radius: 6, weight: late ? 3 : 1,
            color: late ? d.overdue_colour : "#ffffff",
            fillColor: d.class_colours[d.classes[i]] || d.other_colour, fillOpacity: 1,
          });
          m.gmCode = d.codes[i];
          m.bindTooltip(escapeHtml(d.codes[i] + " " + (d.classes[i] || "") +
                                   (d.names[i] ? " · " + d.names[i] : "")));
          group.addLayer(m);
        }
        group.on("click", function (e) {
          var m = e.propagatedFrom || e.layer;
          L.DomEvent.stopPropagation(e);
          gridmap.lastCaseClick = m.gmCode;
          if (bridge && bridge.caseClicked) bridge.caseClicked(m.gmCode);
        });
        cases = { group: group, n: d.codes.length };
        group.addTo(map);
      }
      rebuildControl();
      return cases ? cases.n : 0;
    },

    caseStats: function () {
      return { n: cases ? cases.n : 0, shown: !!(cases && map.hasLayer(cases.group)) };
    },

    setPickMode: function (on) {
      pickMode = !!on;
      map.getContainer().style.cursor = pickMode ? "crosshair" : "";
      return pickMode;
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
        // one block ({title, entries}) or several ({sections: [{title, entries}]}); an entry's
        // kind draws its key as the map does: line (an outline), dot (an enterprise), diamond (a
        // case), else a fill
        var html = "";
        (d.sections || [d]).forEach(function (sec) {
          html += '<div class="gm-legend-title">' + escapeHtml(sec.title || "") + "</div>";
          (sec.entries || []).forEach(function (e) {
            var kind = ["line", "dot", "diamond"].indexOf(e.kind) >= 0 ? e.kind : "fill";
            var style = kind === "line" ? "border-color:" + escapeHtml(e.colour)
                                        : "background:" + escapeHtml(e.colour);
            if (e.ring) style += ";border-color:" + escapeHtml(e.ring);
            html += '<div class="gm-legend-row"><i class="gm-key-' + kind + '" style="' +
                    style + '"></i><span>' + escapeHtml(e.label) + "</span></div>";
          });
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

    setBasemap: function (url, maxZoom) {
      if (basemap) map.removeLayer(basemap);
      basemap = null;
      if (url) {
        basemap = L.tileLayer(url, { maxZoom: 20, maxNativeZoom: maxZoom || 18, minZoom: 0,
                                     attribution: "" }).addTo(map);
        basemap.bringToBack();
      }
      rebuildControl();
      return !!basemap;
    },

    basemapStats: function () {
      var loaded = 0;
      if (basemap) {
        var imgs = basemap.getContainer() ? basemap.getContainer().querySelectorAll("img") : [];
        imgs.forEach(function (img) { if (img.complete && img.naturalWidth > 0) loaded++; });
      }
      return { on: !!basemap && map.hasLayer(basemap), loaded: loaded };
    },

    setBoxMode: function (on) {
      boxMode = !!on;
      map.getContainer().style.cursor = boxMode ? "crosshair" : "";
      return boxMode;
    },

    boxSelect: function (south, west, north, east, additive) {
      return boxSelect(L.latLng(south, west), L.latLng(north, east), !!additive).length;
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
      // count/codes: the codes written on cells; names: street and community names written
      var codes = layers.cell && layers.cell.labels ? layers.cell.labels : [], names = [];
      ["community", "street"].forEach(function (l) {
        if (layers[l] && layers[l].labels) names = names.concat(layers[l].labels);
      });
      return { count: codes.length, codes: codes.slice(0, 50), names: names.slice(0, 50),
               zoom: map.getZoom() };
    },

    /* the page pixel of an enterprise marker, to click at */
    pointOfMarker: function (code) {
      var m = points && points.byCode[code];
      if (!m) return null;
      var c = map.latLngToContainerPoint(m.getLatLng());
      var r = map.getContainer().getBoundingClientRect();
      return [c.x + r.left, c.y + r.top];
    },

    /* milliseconds to pan by px (no animation): moveend redraws every layer synchronously */
    panTiming: function (px) {
      var t = performance.now();
      map.panBy([px, 0], { animate: false });
      return Math.round((performance.now() - t) * 10) / 10;
    },

    setView: function (lat, lon, zoom) {
      map.setView([lat, lon], zoom, { animate: false });
      return map.getZoom();
    },

    setColours: function (level, colours) {
      var layer = layers[level];
      if (!layer) return 0;
      layer.colours = colours && colours.length ? colours : null;
      layer.redraw();
      return layer.n;
    },

    setSelected: function (codes) {
      selected = (codes || []).filter(function (c) { return !!whereOf(c); });
      if (selectionLayer) selectionLayer.redraw();
      return selected.length;
    },

    setSelectedPoint: function (code) {
      selectedPoint = code || null;
      if (selectionLayer) selectionLayer.redraw();
      return !!selectedPoint;
    },

    flyTo: function (codes, animate) {
      var b = boundsOf(typeof codes === "string" ? [codes] : codes);
      if (!b.isValid()) return false;
      var o = { maxZoom: 18, padding: [40, 40] };
      if (!map.getSize().x || !map.getSize().y) {
        pendingFit = b;
        return true;
      }
      if (animate === false) map.fitBounds(b, L.extend(o, { animate: false }));
      else map.flyToBounds(b, L.extend(o, { duration: 0.6 }));
      return true;
    },

    /* the code of the finest shown area at lon/lat (what a click there selects), or null */
    codeAt: function (lon, lat) {
      return codeAt(L.latLng(lat, lon));
    },

    fitAll: function () {
      var b = allBounds();
      if (!b.isValid()) return false;
      if (!map.getSize().x || !map.getSize().y) { // not shown yet: fit once it has a size
        pendingFit = b;
        return true;
      }
      map.fitBounds(b, { animate: false, padding: [10, 10] });
      return true;
    },

    /* read-back for tests, benchmarks and the desktop's status bar */
    stats: function () {
      var counts = {}, drawn = 0, shown = {};
      Object.keys(layers).forEach(function (l) {
        counts[l] = layers[l].n;
        drawn += layers[l].drawn;
        shown[l] = !!layers[l]._map && layers[l].shown();
      });
      return {
        levels: counts,
        drawn: drawn,
        shown: shown,
        coarse: Object.keys(layers).reduce(function (o, l) {
          o[l] = !!layers[l].coarse && !!map && map.getZoom() < layers[l].coarseBelow;
          return o;
        }, {}),
        minZoom: Object.keys(layers).reduce(function (o, l) {
          o[l] = layers[l].minZoom();
          return o;
        }, {}),
        selected: selected.slice(),
        bridge: gridmap.bridgeReady,
        zoom: map && map._loaded ? map.getZoom() : null,
        paints: paints,
        labels: labelsOn,
        boxMode: boxMode,
        enterprises: !!pointsGroup && map.hasLayer(pointsGroup),
        bounds: map && map._loaded && map.getSize().x ? map.getBounds().toBBoxString() : null,
      };
    },

    controlNames: function () {
      if (!control) return [];
      var out = [];
      control.getContainer().querySelectorAll(".leaflet-control-layers-overlays label")
        .forEach(function (s) { out.push(s.textContent.trim()); });
      return out;
    },

    /* switch a layer of the control ("cell", "enterprises", "labels", "basemap" …) */
    showLayer: function (name, on) {
      var l = name === "enterprises" ? pointsGroup : name === "labels" ? labelsToggle
        : name === "basemap" ? basemap : layers[name];
      if (!l) return false;
      if (on && !map.hasLayer(l)) l.addTo(map);
      if (!on && map.hasLayer(l)) map.removeLayer(l);
      return map.hasLayer(l);
    },

    styleOf: function (code) {
      var w = whereOf(code);
      if (!w) return null;
      var s = layers[w.level].styleOf(w.i);
      if (selected.indexOf(code) >= 0) s = L.extend(s, SELECTED);
      return { color: s.color, fillColor: s.fillColor, weight: s.weight, fill: s.fill };
    },

    /* a point inside the area, in CSS pixels of the page, to click at */
    pointOf: function (code) {
      var w = whereOf(code);
      if (!w) return null;
      var l = layers[w.level], b = l.boxes, i = w.i;
      var u = (b[4 * i] + b[4 * i + 2]) / 2, v = (b[4 * i + 1] + b[4 * i + 3]) / 2;
      if (!inside(l.fine, i, u, v)) { // a concave area: scan its box for an inside point
        for (var t = 1; t < 20; t++) {
          var uu = b[4 * i] + (b[4 * i + 2] - b[4 * i]) * t / 20;
          if (inside(l.fine, i, uu, v)) { u = uu; break; }
        }
      }
      var c = map.latLngToContainerPoint(unproject(u, v));
      var r = map.getContainer().getBoundingClientRect();
      return [c.x + r.left, c.y + r.top];
    },
  };

  window.gridmap = gridmap;
})();
