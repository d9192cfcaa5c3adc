"""How long the desktop takes to show a project's map, from a fresh process; its peak memory;
and how long a recolour of 10k cells takes to reach the screen.

Run from the repository root::

    .venv/bin/python bench/bench_gui_start.py [--cells 1000 10000 100000] [--runs 2]
        [--out bench/results_gui_start.json]

Projects: the demo district (its real district/street/community outlines, 3000 enterprises,
148 officers) with cells generated at the size that gives about 1k and 10k cells (DB11
codes); for 100k a synthetic city (a 31.6 km square, 10 streets, 400 communities, 100 m cells:
the demo's 96 communities cannot number 100k cells).  Built once into ``--work`` (default
/tmp/gridmgr-bench-gui) and reused.

For each project, ``--runs`` times: ``gridmgr gui PROJECT --screenshot`` in a new process
(offscreen); ``start→painted`` is the wall time from starting the process to the line the gui
prints once the page reported the map painted (``gridmap.whenPainted`` after every push),
``in-process`` the same from the start of ``ui.app.main`` (so without Python's imports).  The
peak memory is the largest sum of RSS over the process and its QtWebEngine children, sampled
every 50 ms.  The best run is reported (the machine is shared).

``recolour``: in one process, the window on the project with ~10k cells; the time from choosing
the measure 企业数 (values, classes, colours pushed) until the page has painted it, and the
time for a bare ``set_colours`` of every cell until painted.

``search``: the search box's enterprise look-ups (``Store.find_enterprises``) on a register of
``--search-rows`` enterprises (default 1M, built once with bench_tables.build).

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
for _p in (ROOT, ROOT / "bench"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
       "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu"}
ENV.pop("DISPLAY", None)
DEMO_CELLS_AT_300M = 1963  # the demo district at the default 300 m


def project(work: Path, cells: int) -> Path:
    """The demo district with about ``cells`` cells (built once): its district, streets and
    communities, cells generated at the size that gives that many, the demo's enterprises
    and officers.  Beijing's DB11 codes (3-digit cell numbers): a community of the national
    scheme holds at most 99 cells, too few at 100k."""
    from gridmgr.demo import data_dir
    from gridmgr.grid.generate import generate_grid
    from gridmgr.grid.importer import import_grid
    from gridmgr.progress import run
    from gridmgr.project import init_project
    from gridmgr.registers.enterprises import import_enterprises
    from gridmgr.registers.officers import import_officers

    size = round(300 * math.sqrt(DEMO_CELLS_AT_300M / cells))
    path = work / f"district_{size}m.gpkg"
    if path.exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    src = data_dir() / "chancheng"
    tmp = path.with_suffix(".building.gpkg")
    tmp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with init_project(tmp, name="禅城区", admin_code="440604", code_scheme="db11") as store:
        for level, name in (("district", "district"), ("street", "streets"),
                            ("community", "communities")):
            run(import_grid(store, src / f"{name}.geojson", level=level))
        run(generate_grid(store, size=size))
        run(import_enterprises(store, src / "enterprises.xlsx", coords="gcj02"))
        run(import_officers(store, src / "officers.csv"))
    tmp.rename(path)
    print(f"  built {path.name} ({count_cells(path)} cells) in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return path


def city(work: Path, side_km: float = 31.6, streets: int = 10, communities: int = 20) -> Path:
    """A synthetic city-sized project for 100k cells (the demo district has too few
    communities for 100k numbered cells): a square district of ``side_km``, ``streets`` strips,
    ``communities``² square communities, 100 m cells generated inside them."""
    import geopandas as gpd
    import shapely

    from gridmgr.grid.generate import generate_grid
    from gridmgr.grid.importer import import_grid
    from gridmgr.progress import run
    from gridmgr.project import init_project

    path = work / "city_100m.gpkg"
    if path.exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    x0, y0 = 112.95, 22.90
    dx = side_km / (111.32 * math.cos(math.radians(y0 + 0.15)))
    dy = side_km / 110.57
    files = {}
    box = shapely.box(x0, y0, x0 + dx, y0 + dy)
    files["district"] = gpd.GeoDataFrame({"区划代码": ["440604"], "名称": ["示例市"]},
                                         geometry=[box], crs="EPSG:4490")
    sw = dx / streets
    files["street"] = gpd.GeoDataFrame(
        {"街道编码": [f"440604{i + 1:03d}" for i in range(streets)],
         "街道名称": [f"第{i + 1}街道" for i in range(streets)]},
        geometry=[shapely.box(x0 + i * sw, y0, x0 + (i + 1) * sw, y0 + dy)
                  for i in range(streets)], crs="EPSG:4490")
    per = communities // streets  # community columns per street
    cw, ch = sw / per, dy / communities
    rows = []
    for i in range(streets):
        for c in range(per):
            for r in range(communities):
                n = c * communities + r + 1
                rows.append((f"440604{i + 1:03d}{n:03d}", f"第{i + 1}街道{n}社区",
                             f"440604{i + 1:03d}",
                             shapely.box(x0 + i * sw + c * cw, y0 + r * ch,
                                         x0 + i * sw + (c + 1) * cw, y0 + (r + 1) * ch)))
    files["community"] = gpd.GeoDataFrame(
        {"社区编码": [r[0] for r in rows], "社区名称": [r[1] for r in rows],
         "所属街道编码": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs="EPSG:4490")
    tmp = path.with_suffix(".building.gpkg")
    tmp.unlink(missing_ok=True)
    with init_project(tmp, name="示例市", admin_code="440604", code_scheme="db11") as store:
        for level, gdf in files.items():
            f = work / f"city_{level}.geojson"
            gdf.to_file(f, driver="GeoJSON")
            run(import_grid(store, f, level=level))
        run(generate_grid(store, size=100))
    tmp.rename(path)
    print(f"  built {path.name} ({count_cells(path)} cells) in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return path


def count_cells(path: Path) -> int:
    from gridmgr.project import open_project

    with open_project(path, readonly=True) as store:
        return store.count_areas("cell")


def _tree(pid: int) -> list[int]:
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree and p not in tree}
        tree |= more
        grew = bool(more)
    return sorted(tree)


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start_once(path: Path, shot: Path, kind: str = "web") -> dict:
    """One fresh process: ``web`` (the window, Leaflet map), ``painter`` (the window with the
    QPainter fallback map) or ``floor`` (bench/gui_floor.py, which also recolours)."""
    exe = Path(sys.executable).with_name("gridmgr")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "gridmgr"]
    env = dict(ENV)
    if kind == "floor":
        argv = [sys.executable, str(ROOT / "bench" / "gui_floor.py"), str(path),
                "--screenshot", str(shot), "--recolour"]
    else:
        argv = [*cmd, "gui", str(path), "--screenshot", str(shot)]
        if kind == "painter":
            env["GRIDMGR_MAP"] = "painter"
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak, painted, inproc = 0.0, None, None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    buf = b""

    def read() -> bytes:
        try:
            return os.read(fd, 65536)
        except BlockingIOError:
            return b""

    while proc.poll() is None:
        peak = max(peak, _rss_mb(_tree(proc.pid)))
        buf += read()
        if painted is None and b"painted_ms=" in buf:
            painted = time.perf_counter() - t0
        time.sleep(0.05)
    buf += read()
    if painted is None and b"painted_ms=" in buf:
        painted = time.perf_counter() - t0
    recol = None
    for line in buf.decode(errors="replace").splitlines():
        if line.startswith("painted_ms="):
            inproc = int(line.split("=")[1]) / 1000
        if line.startswith("recolour_ms="):
            recol = int(line.split("=")[1]) / 1000
    out = {"start_to_painted_s": None if painted is None else round(painted, 2),
           "in_process_s": inproc, "exit_code": proc.returncode,
           "peak_rss_total_mb": round(peak)}
    if kind == "floor":
        out["recolour_s"] = recol
    return out


def _median(values: list) -> float | None:
    vals = sorted(v for v in values if v is not None)
    return round(vals[len(vals) // 2] if len(vals) % 2 else
                 (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2, 3) if vals else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def recolour(path: Path) -> dict:
    """In this process: the window on ``path``; time a measure and a bare recolour."""
    os.environ.update({k: ENV[k] for k in ("QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS")})
    from PySide6.QtWidgets import QApplication

    from ui.app import MainWindow

    app = QApplication.instance() or QApplication([])

    def wait(pred, timeout: float = 300.0) -> None:
        end = time.perf_counter() + timeout
        while not pred():
            if time.perf_counter() > end:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.002)

    win = MainWindow()
    win.resize(1280, 860)
    win.show()
    win.load(path)
    wait(lambda: win.map.paint_count > 0)

    def painted() -> None:
        seen = win.map.paint_count
        win.map.notify_painted()
        wait(lambda: win.map.paint_count > seen)

    t0 = time.perf_counter()
    win.measure.setCurrentIndex(win.measure.findData("enterprises"))
    painted()
    measure = time.perf_counter() - t0
    palette = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
    codes = win.map.codes["cell"]
    colours = {c: palette[i % 5] for i, c in enumerate(codes)}
    t0 = time.perf_counter()
    win.map.set_colours("cell", colours)
    painted()
    bare = time.perf_counter() - t0
    win.close()
    return {"cells": len(codes), "measure_to_painted_s": round(measure, 3),
            "set_colours_to_painted_s": round(bare, 3)}


def search(work: Path, n: int) -> list[dict]:
    """The search box's enterprise and officer look-ups on a register of ``n`` enterprises
    (built with bench_tables.build, names 佛山市<word><trade>有限公司<i>)."""
    from bench_tables import build

    from gridmgr.project import open_project

    path = work / f"enterprises_{n}.gpkg"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        print(f"  building {n:,} enterprises: {build(path, n):.0f} s", flush=True)
    from gridmgr.registers import creditcode

    i = n - 7
    first17 = f"91440604{i:09d}"
    credit = first17 + creditcode.check_character(first17)
    cases = [("credit code (exact)", credit), ("credit code (prefix)", credit[:14]),
             ("name prefix", "佛山市恒泰陶瓷"), ("name contains, common", "陶瓷有限公司"),
             ("name contains, rare", f"有限公司{i}"), ("nothing matches", "无此企业名称")]
    out = []
    with open_project(path, readonly=True) as store:
        for label, text in cases:
            t0 = time.perf_counter()
            hits = store.find_enterprises(text, 20)
            dt = time.perf_counter() - t0
            out.append({"query": label, "text": text, "hits": len(hits),
                        "ms": round(dt * 1000, 1)})
            print(f"  {label:<24} {len(hits):>3} hits {dt * 1000:8.1f} ms", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/gridmgr-bench-gui"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results_gui_start.json")
    ap.add_argument("--search-rows", type=int, default=1_000_000,
                    help="enterprises for the search timing (0: skip)")
    ap.add_argument("--recolour", type=Path, help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    if args.recolour:
        print("RESULT " + json.dumps(recolour(args.recolour)), flush=True)
        return

    rows = []
    kinds = ("web", "painter", "floor")
    print("first paint, start of the process → painted (median of the runs, paired: the three "
          "kinds alternate)", flush=True)
    print(f"{'cells':>8} {'web':>7} {'painter':>8} {'floor':>7} {'web/floor':>10} "
          f"{'painter/floor':>14} {'RSS web':>8}", flush=True)
    paths = {}
    for n in args.cells:
        path = project(args.work, n) if n < 50_000 else city(args.work)
        paths[n] = path
        runs: dict[str, list[dict]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            for k in kinds:
                runs[k].append(start_once(path, args.work / f"shot_{n}_{k}.png", k))
        row: dict = {"cells_asked": n, "cells": count_cells(path)}
        for k in kinds:
            ok = [r for r in runs[k] if r["start_to_painted_s"] is not None
                  and r["exit_code"] == 0]
            row[k] = {"start_to_painted_s": _median([r["start_to_painted_s"] for r in ok]),
                      "in_process_s": _median([r["in_process_s"] for r in ok]),
                      "peak_rss_total_mb": max((r["peak_rss_total_mb"] for r in runs[k]),
                                               default=None),
                      "runs": runs[k]}
        row["floor"]["recolour_s"] = _median([r.get("recolour_s") for r in runs["floor"]])
        web, painter, floor = (row[k]["start_to_painted_s"] for k in kinds)
        row["ratio_web"], row["ratio_painter"] = _ratio(web, floor), _ratio(painter, floor)
        rows.append(row)
        print(f"{row['cells']:>8} {web or float('nan'):>6.2f}s {painter or float('nan'):>7.2f}s "
              f"{floor or float('nan'):>6.2f}s {row['ratio_web'] or float('nan'):>9.2f}x "
              f"{row['ratio_painter'] or float('nan'):>13.2f}x "
              f"{row['web']['peak_rss_total_mb']:>5} MB", flush=True)
    recols = []
    for n, row in zip(args.cells, rows):
        out = subprocess.run([sys.executable, __file__, "--recolour", str(paths[n])], env=ENV,
                             capture_output=True, text=True, cwd=ROOT, timeout=900)
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        recol = json.loads(line[7:]) if line else {"error": out.stderr[-1500:]}
        recol["floor_recolour_s"] = row["floor"]["recolour_s"]
        recol["ratio"] = _ratio(recol.get("set_colours_to_painted_s"), recol["floor_recolour_s"])
        recols.append(recol)
        print(f"recolour of {recol.get('cells')} cells: measure→painted "
              f"{recol.get('measure_to_painted_s')} s, set_colours→painted "
              f"{recol.get('set_colours_to_painted_s')} s, floor {recol['floor_recolour_s']} s, "
              f"ratio {recol['ratio']}", flush=True)
    found = search(args.work, args.search_rows) if args.search_rows else []
    result = {"when": datetime.now().isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform(),
                          "load_avg_at_start": os.getloadavg()[0]},
              "rows": rows, "recolour": recols, "search_enterprises": found}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
