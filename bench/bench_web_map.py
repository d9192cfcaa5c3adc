"""How the Leaflet map widget (ui/web_map.py) copes with many cells, offscreen.

Run from the repository root::

    .venv/bin/python bench/bench_web_map.py [--sizes 1000 10000 50000 100000] [--timeout 240]
        [--out bench/results_web_map.json]

Each size runs in its own Python process (so peak memory is per size and a size that takes too
long can be cut off by ``--timeout``).  A process builds N touching square cells of 0.001° (about
100 m) in a square, opens a ``WebMapView`` (1200×800, shown offscreen) and times:

* ``load``: the empty page until ``loadFinished``;
* ``payload``: Python building the compact payload (``maps.web_page.area_payload``; squares
  have 4 points, so no coarse geometry is built for them);
* ``push+draw``: ``set_frames`` until the page has painted it (``gridmap.whenPainted`` →
  ``painted``) at the zoom that fits everything — where, with levels of detail, cells smaller
  than 6 px are not drawn;
* ``zoom-in``: ``setView`` to the first zoom where cells are drawn, until painted; ``drawn`` is
  how many cells that view drew (the canvas layer culls by box);
* ``pan``: one 400 px pan there, timed inside the page (moveend redraws synchronously);
* ``recolour``: ``set_colours`` for every cell until the last cell has its new colour and the
  page painted.

``bench/results_web_map_before.json`` holds the numbers of the previous page (one L.polygon per
cell on Leaflet's canvas renderer) for comparison.

Peak RSS is the high-water mark (VmHWM) of this process plus every QtWebEngine process it
started (the renderer, GPU and zygote processes), read from /proc at the end: each process's own
peak, summed, so it can overstate a simultaneous peak a little.

This is a script, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

CELL = 0.001  # degrees
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def cells(n: int):
    import geopandas as gpd
    import numpy as np
    import shapely

    side = math.ceil(math.sqrt(n))
    k = np.arange(n)
    x0 = 113.0 + (k % side) * CELL
    y0 = 23.0 + (k // side) * CELL
    geoms = shapely.box(x0, y0, x0 + CELL, y0 + CELL)
    return gpd.GeoDataFrame({"code": [f"g{i}" for i in range(n)], "name": [None] * n},
                            geometry=geoms, crs="EPSG:4490")


def _kb(pid: int, field: str = "VmHWM") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_peak_mb() -> tuple[float, float]:
    """(this process's peak RSS, peak RSS summed over it and its descendants) in MB."""
    me = os.getpid()
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {me}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree and p not in tree}
        tree |= more
        grew = bool(more)
    return _kb(me) / 1024, sum(_kb(p) for p in tree) / 1024


def run_one(n: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from ui.web_map import WebMapView

    app = QApplication.instance() or QApplication([])

    def wait(pred, timeout: float = 600.0) -> None:
        end = time.perf_counter() + timeout
        while not pred():
            if time.perf_counter() > end:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.002)

    def js(view, script: str):
        box: list = []
        view.page().runJavaScript(f"JSON.stringify({script})", 0, box.append)
        wait(lambda: bool(box))
        return json.loads(box[0]) if box[0] is not None else None

    def poll(view, script: str, pred, every: float = 0.01):
        while True:
            value = js(view, script)
            if pred(value):
                return value
            t = time.perf_counter() + every
            while time.perf_counter() < t:
                app.processEvents()
                time.sleep(0.002)

    def two_frames(view) -> None:
        view.page().runJavaScript(
            "window.__frames = false; requestAnimationFrame(function () {"
            " requestAnimationFrame(function () { window.__frames = true; }); });")
        poll(view, "window.__frames", bool)

    def painted(view) -> None:
        """Until the page has drawn everything pushed so far (gridmap.whenPainted)."""
        seen = view.paint_count
        view.notify_painted()
        wait(lambda: view.paint_count > seen)

    gdf = cells(n)
    t0 = time.perf_counter()
    view = WebMapView()
    view.resize(1200, 800)
    view.show()
    wait(lambda: view.is_loaded)
    load = time.perf_counter() - t0

    t0 = time.perf_counter()
    view.set_frames({"cell": gdf})
    painted(view)
    push = time.perf_counter() - t0
    stats = js(view, "gridmap.stats()")

    # zoom in to where cells are drawn (levels of detail), then pan by a third of the view
    cx, cy = gdf.total_bounds[[0, 2]].mean(), gdf.total_bounds[[1, 3]].mean()
    zoom_cells = stats["minZoom"]["cell"]
    t0 = time.perf_counter()
    view.run_js(f"gridmap.setView({cy}, {cx}, {zoom_cells})")
    painted(view)
    zoom_in = time.perf_counter() - t0
    inside = js(view, "gridmap.stats()")
    pan_ms = js(view, "gridmap.panTiming(400)")

    colours = {c: PALETTE[i % 5] for i, c in enumerate(gdf["code"])}
    last = gdf["code"].iloc[-1]
    t0 = time.perf_counter()
    view.set_colours("cell", colours)
    poll(view, f"gridmap.styleOf('{last}').fillColor", lambda c: c == colours[last])
    painted(view)
    recolour = time.perf_counter() - t0

    own, total = tree_peak_mb()
    view.close()
    return {"cells": n, "load_s": round(load, 3), "payload_s": round(view.timings["payload"], 3),
            "push_draw_s": round(push, 3), "zoom": stats["zoom"],
            "cells_from_zoom": zoom_cells, "zoom_in_draw_s": round(zoom_in, 3),
            "cells_drawn_zoomed_in": inside["drawn"], "pan_redraw_ms": pan_ms,
            "recolour_s": round(recolour, 3), "peak_rss_python_mb": round(own),
            "peak_rss_total_mb": round(total)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000, 100000])
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per size")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results_web_map.json")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the per-size child process
    args = ap.parse_args()
    if args.one:
        print("RESULT " + json.dumps(run_one(args.one)), flush=True)
        return

    rows = []
    head = (f"{'cells':>8} {'load':>7} {'payload':>8} {'push+draw':>10} {'zoom-in':>8} "
            f"{'drawn':>6} {'pan':>7} {'recolour':>9} {'RSS py':>7} {'RSS all':>8}")
    print(head)
    for n in args.sizes:
        t0 = time.perf_counter()
        try:
            out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True,
                                 text=True, timeout=args.timeout, cwd=ROOT)
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                raise RuntimeError(out.stderr[-2000:])
            row = json.loads(line[7:])
        except subprocess.TimeoutExpired:
            row = {"cells": n, "error": f"timed out after {args.timeout:.0f} s"}
        except RuntimeError as exc:
            row = {"cells": n, "error": str(exc)}
        row["wall_s"] = round(time.perf_counter() - t0, 1)
        rows.append(row)
        if "error" in row:
            print(f"{n:>8}  {row['error'][:200]}")
        else:
            print(f"{n:>8} {row['load_s']:>6.2f}s {row['payload_s']:>7.2f}s "
                  f"{row['push_draw_s']:>9.2f}s {row['zoom_in_draw_s']:>7.2f}s "
                  f"{row['cells_drawn_zoomed_in']:>6} {row['pan_redraw_ms']:>5.0f}ms "
                  f"{row['recolour_s']:>8.2f}s "
                  f"{row['peak_rss_python_mb']:>5} MB {row['peak_rss_total_mb']:>5} MB",
                  flush=True)
    before = ROOT / "bench" / "results_web_map_before.json"
    result = {"when": datetime.now().isoformat(timespec="seconds"),
              "before": ("results_web_map_before.json: one L.polygon per cell, measured "
                         "2026-11-23 16:21" if before.exists() else None),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "rows": rows}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
