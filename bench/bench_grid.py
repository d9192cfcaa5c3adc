"""Throughput of gridmgr's grid import / generate / validate against plain GeoPandas/shapely.

Run from the repository root::

    .venv/bin/python bench/bench_grid.py [--sizes 10000 100000] [--out bench/results.json]

For each target cell count N this builds synthetic input in a temporary directory (a square
region in EPSG:4547 split into ~N/100 Voronoi communities under 4 quadrant streets, and a file of
~N 100 m cells), times gridmgr against a baseline that does the same core work with no checks,
prints a table and writes JSON.  See bench/README.md for what every number means.

This is a script, not a test: nothing is asserted beyond "gridmgr accepted what it was given".
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402
from shapely.errors import GEOSException  # noqa: E402

from gridmgr.grid.generate import generate_grid  # noqa: E402
from gridmgr.grid.importer import import_grid  # noqa: E402
from gridmgr.grid.validate import validate_grid  # noqa: E402
from gridmgr.progress import Progress, run  # noqa: E402
from gridmgr.project import init_project, open_project  # noqa: E402

SOURCE_CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (easting without zone)
CENTRE = (500_000.0, 2_550_000.0)
CELL = 100.0  # metres, both for the cell file and for grid generate
ADMIN = "440604"  # county code the synthetic streets hang under
SEED = 20240501


# --------------------------------------------------------------------------- measuring

def peak_rss_mb() -> float:
    """The process's peak resident set size so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Timer:
    """Wall time and process-peak RSS around one step; optionally a cProfile of the step."""

    def __init__(self, profile_to: Path | None = None) -> None:
        self.profile_to = profile_to

    def __call__(self, label: str, fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
        rss0 = peak_rss_mb()
        prof = cProfile.Profile() if self.profile_to else None
        t0 = time.perf_counter()
        if prof is not None:
            prof.enable()
        try:
            result = fn()
        finally:
            if prof is not None:
                prof.disable()
        seconds = time.perf_counter() - t0
        rss1 = peak_rss_mb()
        if prof is not None and self.profile_to is not None:
            self.profile_to.mkdir(parents=True, exist_ok=True)
            out = self.profile_to / f"{label}.prof"
            prof.dump_stats(out)
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
            print(f"\n--- cProfile {label} (cumulative, top 25; full: {out})\n{s.getvalue()}",
                  file=sys.stderr)
        return result, {"seconds": seconds, "peak_rss_mb": round(rss1, 1),
                        "peak_rss_growth_mb": round(rss1 - rss0, 1)}


class Phases:
    """Progress callback that splits a task's time by progress message.

    The time from one progress message to the next is booked to the first one, with numbers and
    area codes in the message replaced by ``#`` so that e.g. the per-parent messages of generate
    add up.  Work done after the last message (or before the first) is booked too.
    """

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.label = "(before first progress)"
        self.totals: dict[str, float] = {}

    def __call__(self, p: Progress) -> None:
        self._book()
        self.label = re.sub(r"\d+(/\d+)?", "#", p.message) or "(no message)"

    def _book(self) -> None:
        now = time.perf_counter()
        self.totals[self.label] = self.totals.get(self.label, 0.0) + now - self.last
        self.last = now

    def drive(self, task: Any) -> Any:
        self.last = time.perf_counter()
        try:
            return run(task, self)
        finally:
            self._book()

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.totals.items()}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- synthetic input

def fishnet(x0: float, y0: float, x1: float, y1: float, size: float) -> np.ndarray:
    """Squares of ``size`` covering [x0, x1] × [y0, y1], row-major from the south-west."""
    xs = np.arange(x0, x1, size)
    ys = np.arange(y0, y1, size)
    xx, yy = (a.ravel() for a in np.meshgrid(xs, ys))
    return shapely.box(xx, yy, xx + size, yy + size)


def build_input(n: int, work: Path, *, parent_column: bool = True) -> dict[str, Any]:
    """Write streets.gpkg, communities.gpkg and cells.gpkg for about ``n`` cells into ``work``."""
    rng = np.random.default_rng(SEED + n)
    side = CELL * max(2, round(math.sqrt(n)))  # a whole number of cells, so ~n squares
    half = side / 2
    # Aligned to the cell size so that gridmgr's globally aligned net matches the file's.
    x0 = math.floor((CENTRE[0] - half) / CELL) * CELL
    y0 = math.floor((CENTRE[1] - half) / CELL) * CELL
    x1, y1 = x0 + side, y0 + side
    xm, ym = x0 + half, y0 + half
    region = shapely.box(x0, y0, x1, y1)

    # Streets: the four quadrants, numbered NW, NE, SW, SE.
    quads = [(x0, ym, xm, y1), (xm, ym, x1, y1), (x0, y0, xm, ym), (xm, y0, x1, ym)]
    street_codes = [f"{ADMIN}{k + 1:03d}" for k in range(4)]
    streets = gpd.GeoDataFrame(
        {"街道编码": street_codes, "街道名称": [f"第{k + 1}街道" for k in range(4)]},
        geometry=[shapely.box(*q) for q in quads], crs=SOURCE_CRS)

    # Communities: a Voronoi tessellation of random seeds inside each quadrant, clipped to it,
    # so that every community lies in exactly one street.
    per_street = max(1, round(n / 100 / 4))
    c_codes, c_names, c_parent, c_geoms = [], [], [], []
    for sc, q in zip(street_codes, quads):
        quad = shapely.box(*q)
        pts = np.column_stack([rng.uniform(q[0], q[2], per_street),
                               rng.uniform(q[1], q[3], per_street)])
        if per_street == 1:
            cells = np.array([quad], dtype=object)
        else:
            vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=quad,
                                           ordered=True)
            cells = shapely.intersection(shapely.get_parts(vor), quad)
        for k, g in enumerate(cells, start=1):
            c_codes.append(f"{sc}{k:03d}")
            c_names.append(f"{sc[-3:]}-{k}社区")
            c_parent.append(sc)
            c_geoms.append(g)
    communities = gpd.GeoDataFrame(
        {"社区编码": c_codes, "社区名称": c_names, "所属街道编码": c_parent},
        geometry=c_geoms, crs=SOURCE_CRS)

    # Cells: a plain fishnet clipped to the region, each square filed under the community that
    # holds its representative point, numbered north → south, west → east inside it.
    squares = shapely.intersection(fishnet(x0, y0, x1, y1, CELL), region)
    squares = squares[~shapely.is_empty(squares)]
    rep = shapely.point_on_surface(squares)
    tree = shapely.STRtree(np.asarray(c_geoms, dtype=object))
    _, owner = tree.query_nearest(rep, all_matches=False)  # distance 0 = the one holding it
    order = np.lexsort((shapely.get_x(rep), -shapely.get_y(rep), owner))
    owner_sorted = owner[order]
    starts = np.r_[0, np.flatnonzero(np.diff(owner_sorted)) + 1]
    counts = np.diff(np.r_[starts, len(order)])
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(len(order)) - np.repeat(starts, counts) + 1
    max_per_community = int(counts.max())
    if max_per_community <= 99:
        scheme, width = "national", 2
    elif max_per_community <= 999:
        scheme, width = "db11", 3
    else:
        raise SystemExit(f"a community would get {max_per_community} cells: more than 999")
    codes_arr = np.asarray(c_codes, dtype=object)
    cell_codes = [f"{c}{s:0{width}d}" for c, s in zip(codes_arr[owner], seq)]
    cols: dict[str, Any] = {"网格编码": cell_codes,
                            "网格名称": [f"{c}号网格" for c in cell_codes]}
    if parent_column:
        cols["所属社区编码"] = codes_arr[owner]
    cells_gdf = gpd.GeoDataFrame(cols, geometry=squares, crs=SOURCE_CRS)

    paths = {"streets": work / "streets.gpkg", "communities": work / "communities.gpkg",
             "cells": work / "cells.gpkg"}
    pyogrio.write_dataframe(streets, paths["streets"], layer="streets")
    pyogrio.write_dataframe(communities, paths["communities"], layer="communities")
    pyogrio.write_dataframe(cells_gdf, paths["cells"], layer="cells")
    return {"paths": paths, "region": region, "bounds": (x0, y0, x1, y1),
            "streets": len(streets), "communities": len(communities),
            "cells": len(cells_gdf), "max_cells_per_community": max_per_community,
            "code_scheme": scheme}


def new_project(path: Path, data: dict[str, Any], crs: str) -> Any:
    """A project with the synthetic streets and communities imported (not timed)."""
    store = init_project(path, name="基准测试", admin_code=ADMIN, crs=crs,
                         code_scheme=data["code_scheme"])
    for level, key in (("street", "streets"), ("community", "communities")):
        report = run(import_grid(store, data["paths"][key], level=level))
        if report.refused or report.accepted != data[key]:
            raise SystemExit(f"setup: {key} import refused {len(report.refused)}: "
                             f"{report.refused[:1]}")
    return store


# --------------------------------------------------------------------------- one size

def bench_size(n: int, work: Path, *, project_crs: str, parent_column: bool,
               timer: Timer) -> dict[str, Any]:
    log(f"N={n}: building synthetic input in {work}")
    t0 = time.perf_counter()
    data = build_input(n, work, parent_column=parent_column)
    setup_s = time.perf_counter() - t0
    log(f"N={n}: {data['cells']} cells, {data['communities']} communities, "
        f"max {data['max_cells_per_community']} cells/community → scheme {data['code_scheme']} "
        f"({setup_s:.1f} s)")
    ops: list[dict[str, Any]] = []

    # --- import -----------------------------------------------------------------------------
    store = new_project(work / "import.gpkg", data, project_crs)
    cells_path = data["paths"]["cells"]
    log(f"N={n}: gridmgr grid import --level cell")
    phases = Phases()
    report, m = timer(f"import_{n}",
                      lambda: phases.drive(import_grid(store, cells_path, level="cell")))
    store.close()
    if report.refused or report.accepted != data["cells"]:
        raise SystemExit(f"import refused {len(report.refused)} of {data['cells']}: "
                         f"{report.refused[:1]}")
    imp = {"operation": "import", "items": report.accepted, "unit": "features",
           "warnings": len(report.warnings), **m, "phases": phases.rounded()}

    def baseline_import() -> int:
        gdf = pyogrio.read_dataframe(cells_path)
        gdf = gdf.to_crs(project_crs)
        pyogrio.write_dataframe(gdf, work / "baseline_import.gpkg", layer="cells")
        return len(gdf)

    log(f"N={n}: baseline read_dataframe + to_crs + write_dataframe")
    count, bm = timer(f"baseline_import_{n}", baseline_import)
    imp["baseline"] = {"what": "pyogrio.read_dataframe + to_crs + pyogrio.write_dataframe",
                       "items": count, **bm}
    ops.append(imp)

    # --- generate ---------------------------------------------------------------------------
    store = new_project(work / "generate.gpkg", data, project_crs)
    log(f"N={n}: gridmgr grid generate --size {CELL:g}")
    phases = Phases()
    report, m = timer(f"generate_{n}", lambda: phases.drive(generate_grid(store, size=CELL)))
    store.close()
    if report.refused or not report.accepted:
        raise SystemExit(f"generate failed: {report.refused[:1]}")
    gen = {"operation": "generate", "items": report.accepted, "unit": "cells",
           "warnings": len(report.warnings), **m, "phases": phases.rounded()}

    def baseline_generate() -> int:
        x0, y0, x1, y1 = data["bounds"]
        region = data["region"]
        shapely.prepare(region)
        boxes = fishnet(x0, y0, x1, y1, CELL)
        cells = shapely.intersection(boxes, region)
        return int((~shapely.is_empty(cells)).sum())

    log(f"N={n}: baseline shapely.box + shapely.intersection(region)")
    count, bm = timer(f"baseline_generate_{n}", baseline_generate)
    gen["baseline"] = {"what": "shapely.box fishnet + shapely.intersection with the region",
                       "items": count, **bm}
    ops.append(gen)

    # --- validate ---------------------------------------------------------------------------
    project = work / "generate.gpkg"
    log(f"N={n}: gridmgr grid validate")

    phases = Phases()

    def gridmgr_validate() -> Any:
        with open_project(project, readonly=True) as st:
            return phases.drive(validate_grid(st))

    report, m = timer(f"validate_{n}", gridmgr_validate)
    val = {"operation": "validate", "items": report.accepted, "unit": "areas",
           "findings": len(report.findings), **m, "phases": phases.rounded()}
    reasons: dict[str, int] = {}
    for f in report.findings:
        reasons[f.reason] = reasons.get(f.reason, 0) + 1
    val["finding_reasons"] = reasons
    log(f"N={n}: validate found {len(report.findings)} findings {reasons}")

    union_retries: list[int] = []

    def baseline_validate() -> int:
        gdf = pyogrio.read_dataframe(project, layer="cells").to_crs(SOURCE_CRS)
        geoms = gdf.geometry.to_numpy()
        # union_all fails on invalid input; repair what is invalid, as any check has to.
        bad = ~shapely.is_valid(geoms)
        geoms[bad] = shapely.make_valid(geoms[bad])
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
        try:
            shapely.union_all(geoms)
        except GEOSException:
            # Cells that went 4547 → project CRS → 4547 no longer meet exactly; retry at the
            # millimetre grid, as gridmgr's own union does.  The time of both attempts counts.
            union_retries.append(n)
            shapely.union_all(geoms, grid_size=1e-3)
        return len(geoms)

    log(f"N={n}: baseline read + STRtree intersects + intersection area + union_all")
    count, bm = timer(f"baseline_validate_{n}", baseline_validate)
    val["baseline"] = {"what": "read cells + to_crs + make_valid(invalid) + STRtree.query("
                               "intersects) + intersection area of pairs + union_all",
                       "items": count,
                       "union_all_retried_at_1mm": bool(union_retries), **bm}
    ops.append(val)

    for op in ops:
        op["throughput_per_s"] = op["items"] / op["seconds"]
        b = op["baseline"]
        b["throughput_per_s"] = b["items"] / b["seconds"]
        op["ratio"] = op["seconds"] / b["seconds"]
    return {"n": n, "input": {k: v for k, v in data.items()
                              if k not in ("paths", "region", "bounds")},
            "setup_seconds": round(setup_s, 2), "project_crs": project_crs,
            "parent_column": parent_column, "operations": ops}


# --------------------------------------------------------------------------- output

HEADER = (f"{'N':>7}  {'operation':<9} {'items':>7} {'seconds':>8} {'throughput':>16}  "
          f"{'baseline s':>10} {'base items/s':>12} {'ratio':>7}  {'peak RSS MB (step +)':>20}")


def table_rows(result: dict[str, Any]) -> list[str]:
    rows = []
    for op in result["operations"]:
        b = op["baseline"]
        thr = f"{op['throughput_per_s']:,.0f} {op['unit'][:4]}/s"
        rss = f"{op['peak_rss_mb']:,.0f} (+{op['peak_rss_growth_mb']:,.0f})"
        rows.append(f"{result['n']:>7}  {op['operation']:<9} {op['items']:>7} "
                    f"{op['seconds']:>8.2f} {thr:>16}  {b['seconds']:>10.2f} "
                    f"{b['throughput_per_s']:>12,.0f} {op['ratio']:>6.1f}x  {rss:>20}")
    return rows


def machine_info() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "gdal": pyogrio.__gdal_version_string__,
        "pyogrio": pyogrio.__version__,
        "geopandas": gpd.__version__,
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                    help="target cell counts (default: 10000 100000)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json",
                    help="JSON results file (default: bench/results.json)")
    ap.add_argument("--project-crs", default="EPSG:4490",
                    help="CRS of the gridmgr projects (default EPSG:4490, gridmgr's default; "
                         "the input files are always EPSG:4547)")
    ap.add_argument("--no-parent-column", action="store_true",
                    help="cell file without 所属社区编码, so import finds parents by location")
    ap.add_argument("--workdir", type=Path,
                    help="keep the synthetic files and projects here instead of a temp dir")
    ap.add_argument("--profile", type=Path, metavar="DIR",
                    help="cProfile every step into DIR/<step>.prof and print the top functions "
                         "(slows the timed steps; do not compare these timings)")
    args = ap.parse_args(argv)
    if any(n < 4 for n in args.sizes):
        ap.error("--sizes must be at least 4")

    timer = Timer(args.profile)
    info = machine_info()
    print(f"# {info['platform']}, {info['cpu_count']} CPUs, Python {info['python']}, "
          f"shapely {info['shapely']} (GEOS {info['geos']}), GDAL {info['gdal']}")
    results = []
    for n in args.sizes:
        if args.workdir:
            work = args.workdir / f"n{n}"
            work.mkdir(parents=True, exist_ok=True)
            for f in work.glob("*.gpkg"):
                f.unlink()
            res = bench_size(n, work, project_crs=args.project_crs,
                             parent_column=not args.no_parent_column, timer=timer)
        else:
            with tempfile.TemporaryDirectory(prefix=f"gridmgr-bench-{n}-") as tmp:
                res = bench_size(n, Path(tmp), project_crs=args.project_crs,
                                 parent_column=not args.no_parent_column, timer=timer)
        results.append(res)
        print("\n".join(table_rows(res) if len(results) > 1 else [HEADER, *table_rows(res)]),
              flush=True)

    out = {"generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
           "machine": info, "profiled": bool(args.profile), "cell_size_m": CELL,
           "source_crs": SOURCE_CRS, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"# wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
