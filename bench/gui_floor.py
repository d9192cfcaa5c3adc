"""The floor of ``gridmgr gui``'s first paint: the least a program can do to show a project's
areas with the same libraries — read every level's current geometry with sqlite3, turn it into
flat coordinate arrays with shapely (``to_ragged_array``), hand them to one Leaflet page as
base64 typed arrays and draw every ring of every level on one canvas (cells filled).  No
window around it, no tree, no registers, no labels, no legend, no click index.

    python bench/gui_floor.py PROJECT --screenshot FILE [--recolour]

Prints ``painted_ms=`` (from the start of this script, after the same 300 ms settle and
grab as ``gridmgr gui --screenshot``) and with ``--recolour`` ``recolour_ms=``: a colour per
cell (5 classes) sent to the page and drawn.  Run by bench_gui_start.py; nothing is asserted.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from PySide6.QtCore import QTimer, QUrl  # noqa: E402
from PySide6.QtWebEngineCore import QWebEnginePage  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEAFLET = ROOT / "maps" / "vendor" / "leaflet"
TABLES = {"district": "districts", "street": "streets", "community": "communities",
          "cell": "cells"}
ENV = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="%(css)s"><script src="%(js)s"></script>
<style>html,body,#map{width:100%%;height:100%%;margin:0}</style></head>
<body><div id="map"></div><script>
var map = L.map("map", {zoomControl: false}), layers = [], colours = null;
var canvas = document.createElement("canvas");
canvas.style.position = "absolute"; canvas.style.zIndex = 400; canvas.style.pointerEvents = "none";
map.getContainer().appendChild(canvas);
function ints(t, T) { var b = atob(t), u = new Uint8Array(b.length);
  for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return new T(u.buffer); }
function push(d) {
  var xy = ints(d.xy, Float64Array), n = xy.length / 2, uv = new Float64Array(2 * n);
  for (var k = 0; k < n; k++) {
    var la = xy[2 * k + 1] * Math.PI / 180;
    uv[2 * k] = xy[2 * k] / 360 + 0.5;
    uv[2 * k + 1] = 0.5 - Math.log(Math.tan(Math.PI / 4 + la / 2)) / (2 * Math.PI);
  }
  layers.push({uv: uv, rings: ints(d.rings, Int32Array), feats: ints(d.feats, Int32Array),
               fill: d.fill, colour: d.colour, width: d.width});
}
function draw() {
  var size = map.getSize(), z = map.getZoom(), s = 256 * Math.pow(2, z);
  var o = map.getPixelBounds().min, ctx = canvas.getContext("2d");
  canvas.width = size.x; canvas.height = size.y;
  layers.forEach(function (l) {
    var uv = l.uv, r = l.rings, f = l.feats;
    function trace(p, a, b) { // rings a..b
      for (var j = a; j < b; j++) {
        var k0 = r[j], k1 = r[j + 1];
        p.moveTo(uv[2 * k0] * s - o.x, uv[2 * k0 + 1] * s - o.y);
        for (var k = k0 + 1; k < k1; k++) p.lineTo(uv[2 * k] * s - o.x, uv[2 * k + 1] * s - o.y);
      }
    }
    if (l.fill && colours) { // one path per colour
      var by = {};
      for (var i = 0; i + 1 < f.length; i++) {
        var c = colours[i] || l.fill;
        (by[c] || (by[c] = new Path2D()));
        trace(by[c], f[i], f[i + 1]);
      }
      for (var c in by) { ctx.fillStyle = c; ctx.fill(by[c], "evenodd"); }
    }
    var all = new Path2D();
    trace(all, 0, r.length - 1);
    if (l.fill && !colours) { ctx.fillStyle = l.fill; ctx.fill(all, "evenodd"); }
    ctx.strokeStyle = l.colour; ctx.lineWidth = l.width; ctx.stroke(all);
  });
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    console.log("painted"); }); });
}
function fit(b) { map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false}); draw(); }
function setColours(c) { colours = c; draw(); }
</script></body></html>"""

STYLE = {"cell": ("#9ca3af", 0.5, "#f1f5f9"), "community": ("#2563eb", 1.0, None),
         "street": ("#b91c1c", 1.8, None), "district": ("#1f2937", 2.4, None)}


def read(path: str) -> tuple[list[dict], list[float], int]:
    """Every level's current areas as base64 typed arrays (coordinates in lon/lat)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out, bounds, cells = [], [np.inf, np.inf, -np.inf, -np.inf], 0
    for level in ("cell", "community", "street", "district"):
        blobs = [r[0] for r in db.execute(f"SELECT geom FROM {TABLES[level]} "
                                          "WHERE valid_to IS NULL ORDER BY fid")]
        geoms = shapely.from_wkb([b[8 + ENV[(b[3] >> 1) & 7]:] for b in blobs])
        if level == "cell":
            cells = len(geoms)
        _, xy, (rings, polys, feats) = shapely.to_ragged_array(geoms)
        b = shapely.total_bounds(geoms)
        bounds = [min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]),
                  max(bounds[3], b[3])]
        colour, width, fill = STYLE[level]
        out.append({"xy": base64.b64encode(np.ascontiguousarray(xy).tobytes()).decode(),
                    "rings": base64.b64encode(rings.astype("<i4").tobytes()).decode(),
                    "feats": base64.b64encode(polys[feats].astype("<i4").tobytes()).decode(),
                    "fill": fill, "colour": colour, "width": width})
    return out, bounds, cells


class Page(QWebEnginePage):
    def __init__(self, on_paint) -> None:
        super().__init__()
        self.on_paint = on_paint

    def javaScriptConsoleMessage(self, level, message, line, source) -> None:
        if message == "painted":
            self.on_paint()
        else:
            print(f"page: {message} ({source}:{line})", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--recolour", action="store_true")
    args = ap.parse_args()
    app = QApplication(sys.argv[:1])
    state = {"stage": "load", "t": 0.0}
    view = QWebEngineView()

    def painted() -> None:
        if state["stage"] == "first":
            state["stage"] = "shot"
            QTimer.singleShot(300, shot)
        elif state["stage"] == "recolour":
            print(f"recolour_ms={(time.perf_counter() - state['t']) * 1000:.0f}", flush=True)
            os._exit(0)  # a QtWebEngine teardown is not part of the floor (and may crash)

    def shot() -> None:
        view.grab().save(args.screenshot)
        print(f"painted_ms={(time.perf_counter() - T0) * 1000:.0f}", flush=True)
        if not args.recolour:
            os._exit(0)
        palette = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
        state["stage"], state["t"] = "recolour", time.perf_counter()
        colours = [palette[i % 5] for i in range(cells)]
        view.page().runJavaScript(f"setColours({json.dumps(colours)})")

    page = Page(painted)  # kept referenced: the view does not own it
    view.setPage(page)
    view.resize(1280, 800)
    view.show()
    layers, bounds, cells = read(args.project)

    def loaded(ok: bool) -> None:
        for d in layers:
            view.page().runJavaScript(f"push({json.dumps(d)})")
        state["stage"] = "first"
        view.page().runJavaScript(f"fit({json.dumps(bounds)})")

    view.loadFinished.connect(loaded)
    view.setHtml(PAGE % {"css": (LEAFLET / "leaflet.css").as_uri(),
                         "js": (LEAFLET / "leaflet.js").as_uri()},
                 QUrl.fromLocalFile(str(LEAFLET / "floor.html")))
    QTimer.singleShot(60_000, lambda: app.exit(1))
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
