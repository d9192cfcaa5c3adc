"""Printing throughput: A0 district maps with 10k and 100k cells, and a 1,000-page atlas.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_print.py [--cells 10000 100000]
        [--atlas 1000] [--out bench/results_print.json]

Each case runs in its own process (so that peak memory, ``ru_maxrss``, is that case's).  The
print job is built synthetically — a square district in EPSG:4547 of 100 m cells (with
the 14-digit codes), 10×10-cell communities, 4 streets, officers and key enterprises — and
drawn by the same ``maps.print_layout.print_job`` the CLI uses; the time to gather a job from a
project (``gridmgr.outputs.sheets.gather``) is not included (it is dominated by
``responsibility.effective``).  Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def synthetic_job(n_cells: int, atlas: int = 0) -> Any:
    """A district of ~n_cells 100 m cells; with ``atlas`` > 0, that many cell-level units."""
    import numpy as np
    import shapely

    from gridmgr.outputs.sheets import PrintJob, Row, Shapes, Unit, short_digits

    side = int(math.ceil(math.sqrt(n_cells)))
    side = int(math.ceil(side / 10) * 10)
    x0, y0, size = 398_000.0, 2_548_000.0, 100.0
    codes, names, geoms, comm_of = [], [], [], []
    comm_geoms: dict[str, Any] = {}
    comm_names: dict[str, str] = {}
    streets: dict[str, list[Any]] = {}
    for ci in range(side // 10):
        for cj in range(side // 10):
            s = (ci * 2 // (side // 10)) * 2 + (cj * 2 // (side // 10)) + 1
            street = f"440604{s:03d}"
            comm = f"{street}{ci * (side // 10) + cj + 1:03d}"[-12:]
            comm_names[comm] = f"第{ci * (side // 10) + cj + 1}社区"
            box = shapely.box(x0 + ci * 1000, y0 + cj * 1000, x0 + ci * 1000 + 1000,
                              y0 + cj * 1000 + 1000)
            comm_geoms[comm] = box
            streets.setdefault(street, []).append(box)
            for k in range(100):
                i, j = ci * 10 + k % 10, cj * 10 + k // 10
                if len(codes) >= n_cells:
                    break
                codes.append(f"{comm}{k + 1:02d}")
                names.append(f"{comm_names[comm]}{k + 1:02d}号网格")
                comm_of.append(comm)
                geoms.append(shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size,
                                         y0 + (j + 1) * size))
    geoms_a = np.array(geoms, dtype=object)
    rows = [Row(c, n, comm_names[m], f"网格员{k % 997}", f"138{k % 100_000_000:08d}", None,
                f"监管员{k % 97}", "13900000000", "street" if k % 5 == 0 else None)
            for k, (c, n, m) in enumerate(zip(codes, names, comm_of))]
    rng = np.random.default_rng(1)
    centres = shapely.get_coordinates(shapely.centroid(geoms_a))
    pick = rng.choice(len(centres), size=max(10, n_cells // 20), replace=False)
    pts = centres[pick] + rng.uniform(-40, 40, size=(len(pick), 2))
    ents = [(float(x), float(y), ("国控", "省控", "市控")[k % 3], f"企业{k}")
            for k, (x, y) in enumerate(pts)]
    scope = shapely.union_all(geoms_a)
    layers = {
        "cell": Shapes("cell", codes, names, geoms_a),
        "community": Shapes("community", list(comm_geoms), [comm_names[c] for c in comm_geoms],
                            np.array(list(comm_geoms.values()), dtype=object)),
        "street": Shapes("street", list(streets), [f"第{i + 1}街道" for i in range(len(streets))],
                         np.array([shapely.union_all(v) for v in streets.values()],
                                  dtype=object)),
    }
    job = PrintJob(title="演示区网格化管理责任区域图", scope="district", scope_name="演示区",
                   issuer="演示区网格化管理办公室", date="2026年11月23日", crs_epsg=4547,
                   crs_name="CGCS2000 / 3-degree Gauss-Kruger CM 114E", true_north_deg=-0.4,
                   layers=layers, scope_cells=set(codes), scope_geom=scope, enterprises=ents,
                   rows=rows, short_digits=short_digits(codes),
                   atlas="cell" if atlas else None)
    if atlas:
        job.units = [Unit(c, n, "cell", [c], g) for c, n, g in
                     list(zip(codes, names, geoms))[:atlas]]
    return job


def run_case(kind: str, n: int, paper: str, out_dir: Path) -> dict[str, Any]:
    """One case in this process: build, print, measure."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gridmgr.progress import run
    from maps.print_layout import print_job

    t0 = time.perf_counter()
    # an atlas: n cell pages out of a district of at least 2,000 cells
    job = synthetic_job(max(2000, n), atlas=n) if kind == "atlas" else synthetic_job(n)
    built = time.perf_counter() - t0
    out = out_dir / f"{kind}-{n}.pdf"
    t0 = time.perf_counter()
    marks: dict[int, float] = {}

    def mark(p: Any) -> None:
        marks.setdefault(p.done, time.perf_counter() - t0)

    result = run(print_job(job, out, paper=paper, landscape=kind == "map"), mark)
    took = time.perf_counter() - t0
    labels = sum(len(p.labels) for p in result["layout"].pages)
    return {"case": kind, "cells": len(job.scope_cells), "units": len(job.units), "paper": paper,
            "pages": result["pages"], "labels_placed": labels, "build_s": round(built, 2),
            "plan_s": round(marks.get(0, 0.0), 2),
            "first_page_s": round(marks.get(1, 0.0) - marks.get(0, 0.0), 2),
            "print_s": round(took, 2), "pages_per_s": round(result["pages"] / took, 1),
            "size_mb": round(out.stat().st_size / 1e6, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--atlas", type=int, default=1000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results_print.json"))
    ap.add_argument("--case", nargs=3, metavar=("KIND", "N", "PAPER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:  # child process: one case, JSON on stdout
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run_case(args.case[0], int(args.case[1]), args.case[2],
                                      Path(tmp))))
        return
    cases = [("map", n, "A0") for n in args.cells] + ([("atlas", args.atlas, "A4")]
                                                       if args.atlas else [])
    results = []
    load_before = os.getloadavg()
    for kind, n, paper in cases:
        done = subprocess.run([sys.executable, __file__, "--case", kind, str(n), paper],
                              capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"{r['case']:<6} {r['cells']:>7} cells {r['units']:>5} units {r['paper']}: "
              f"{r['pages']:>5} pages in {r['print_s']:>7.2f} s ({r['pages_per_s']} pages/s; "
              f"plan {r['plan_s']} s, first page {r['first_page_s']} s), "
              f"{r['size_mb']:>7.2f} MB, peak {r['peak_rss_mb']:>7.1f} MB, "
              f"{r['labels_placed']} labels", flush=True)
    Path(args.out).write_text(json.dumps({
        "when": datetime.now().isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(), "results": results}, ensure_ascii=False, indent=2),
        encoding="utf-8")
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
