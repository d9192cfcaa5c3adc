"""`enterprises assign-cells` of a city-scale register against its floor (issue 17).

Run from the repository root::

    .venv/bin/python bench/bench_assign_cells.py [--cells 100000] [--enterprises 1000000]
        [--repeat 3] [--workdir DIR] [--out bench/results_assign_cells.json]

Builds a project of a side × side fishnet of 0.001° cells (``bench_cases.build_project``:
streets are the quadrants, communities 16 × 16 blocks) and ``--enterprises`` points: 96 % uniform
over the grid, 1 % exactly on a vertical cell border, 1 % on a horizontal one, 1 % on a corner
(the same arithmetic as the cells' corners, so they really touch 2 or 4 cells) and 1 % outside the
grid.  None has a cell yet.  Then, each ``--repeat`` times and in pairs:

* **product, first** — ``gridmgr enterprises assign-cells`` as a user runs it (a new process) on
  a fresh copy of that project: every enterprise gets a cell, community and street;
* **product, again** — the same command on the project it just wrote: nothing moves;
* **floor** — a new process doing the core work with the same libraries and no checks:
  ``pyogrio.read_dataframe`` of the enterprises' points and of the cells with their codes, and
  ``geopandas.sjoin(points, cells, predicate="intersects")`` (all pairs; no tie-breaking, no
  parents, nothing written).

Each prints seconds, the floor's seconds, the ratio and the peak memory of both processes
(``ru_maxrss`` of the child).  The product's answer is checked against the floor's pairs with
ties broken by the lowest cell code (not timed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from bench_cases import CELL_DEG, X0, Y0, build_project, grid  # noqa: E402
from bench_grid import machine_info  # noqa: E402

from gridmgr.project import open_project  # noqa: E402

SEED = 20261207

FLOOR = """
import sys, time
import geopandas as gpd, pyogrio
t0 = time.perf_counter()
pts = pyogrio.read_dataframe(sys.argv[1], layer="enterprises", columns=[], fid_as_index=True)
cells = pyogrio.read_dataframe(sys.argv[1], layer="cells", columns=["code"],
                               where="valid_to IS NULL")
j = gpd.sjoin(pts, cells, predicate="intersects")
print(len(j), time.perf_counter() - t0)
if len(sys.argv) > 2:
    j[["code"]].reset_index().to_csv(sys.argv[2], index=False)
"""


def points(g: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    side = g["side"]
    kind = rng.choice(5, size=n, p=[0.96, 0.01, 0.01, 0.01, 0.01])
    x = X0 + rng.uniform(0, side, n) * CELL_DEG
    y = Y0 + rng.uniform(0, side, n) * CELL_DEG
    lx = X0 + rng.integers(0, side + 1, n) * CELL_DEG  # as the cells' corners are computed
    ly = Y0 + rng.integers(0, side + 1, n) * CELL_DEG
    on_v, on_h, corner, outside = kind == 1, kind == 2, kind == 3, kind == 4
    x[on_v | corner] = lx[on_v | corner]
    y[on_h | corner] = ly[on_h | corner]
    x[outside] = X0 - rng.uniform(0.001, 0.01, int(outside.sum()))
    return shapely.points(x, y)


def build(path: Path, n_cells: int, n_ents: int) -> dict[str, Any]:
    g = grid(n_cells)
    build_project(path, g)
    pts = points(g, n_ents, np.random.default_rng(SEED))
    with open_project(path) as store, store.atomic():
        batch = 100_000
        for s in range(0, n_ents, batch):
            recs = [{"name": f"企业{i}", "credit_code": None, "ext_id": f"E{i:07d}",
                     "industry": "餐饮", "address": f"第{i % 97}路{i}号"}
                    for i in range(s, min(s + batch, n_ents))]
            store.insert_enterprises(recs, pts[s:s + batch], refresh_extent=False)
        store.refresh_extent("enterprises")
    return {"cells": len(g["cell"]), "enterprises": n_ents}


# Linux counts a forked child's peak from the parent's memory at the fork: the command runs
# under this small launcher, which reports its own child's peak on the last line of stderr.
LAUNCH = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - t0
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


def run_timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, the command's own peak RSS in MB, its stdout) of one child process."""
    proc = subprocess.run([sys.executable, "-c", LAUNCH, *cmd], capture_output=True, text=True)
    *err, last = proc.stderr.rstrip("\n").split("\n")
    rc, wall, kib = last.split()
    if int(rc) != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({rc}): {chr(10).join(err)[-2000:]}")
    return float(wall), int(kib) / 1024, proc.stdout


def check(project: Path, pairs_csv: Path) -> dict[str, int]:
    """The product's cells against the floor's pairs, lowest code on borders."""
    j = pd.read_csv(pairs_csv, dtype={"code": str})
    j = j.sort_values(["fid", "code"], kind="stable").drop_duplicates("fid")
    want = dict(zip(j["fid"], j["code"]))
    with open_project(project) as store:
        ents = store.enterprises()
    got = ents["cell_code"].to_numpy(dtype=object)
    exp = np.array([want.get(f) for f in ents["fid"]], dtype=object)
    bad = np.flatnonzero(got != exp)
    if len(bad):
        raise SystemExit(f"assign-cells disagrees with sjoin + lowest code at {len(bad)} "
                         f"enterprises, e.g. fid {ents['fid'].iloc[bad[0]]}: {got[bad[0]]} vs "
                         f"{exp[bad[0]]}")
    return {"enterprises": len(ents), "in_no_cell": int(sum(e is None for e in exp)),
            "with_cell": len(want)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--enterprises", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--out", type=Path, default=BENCH / "results_assign_cells.json")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-assign-"))
    work.mkdir(parents=True, exist_ok=True)
    base = work / f"base-{args.cells}-{args.enterprises}.gpkg"
    if not base.exists():
        t0 = time.perf_counter()
        print(f"# building {base} ({args.cells:,} cells, {args.enterprises:,} enterprises)",
              flush=True)
        tmp = base.with_suffix(".part.gpkg")
        tmp.unlink(missing_ok=True)
        build(tmp, args.cells, args.enterprises)
        tmp.rename(base)
        print(f"# built in {time.perf_counter() - t0:.1f} s", flush=True)
    gridmgr = [sys.executable, "-m", "gridmgr", "-q"]
    floor_cmd = [sys.executable, "-c", FLOOR]
    runs: dict[str, list[tuple[float, float]]] = {"floor": [], "first": [], "again": []}
    project = work / "run.gpkg"
    checked: dict[str, int] = {}
    for k in range(args.repeat):
        shutil.copyfile(base, project)
        pairs = work / "pairs.csv"
        wall, mem, out = run_timed([*floor_cmd, str(project), *([str(pairs)] if k == 0 else [])])
        runs["floor"].append((wall, mem))
        for label in ("first", "again"):
            w, m, out = run_timed([*gridmgr, "enterprises", "assign-cells", str(project)])
            runs[label].append((w, m))
            print(f"# run {k + 1}: {label} {w:.2f} s ({m:.0f} MB); floor {wall:.2f} s "
                  f"({mem:.0f} MB); {out.strip().splitlines()[-1]}", flush=True)
        if k == 0:
            checked = check(project, pairs)
            print(f"# answers agree: {checked}", flush=True)
    floor_s = median(w for w, _ in runs["floor"])
    floor_mb = median(m for _, m in runs["floor"])
    result: dict[str, Any] = {"machine": machine_info(), "cells": args.cells,
                              "enterprises": args.enterprises, "check": checked,
                              "floor": {"seconds": floor_s, "peak_mb": floor_mb,
                                        "runs": runs["floor"]}}
    print(f"{'step':<8} {'product s':>10} {'floor s':>8} {'ratio':>7} {'peak MB':>8} "
          f"{'floor MB':>9} {'mem ratio':>9}")
    for label in ("first", "again"):
        s = median(w for w, _ in runs[label])
        mb = median(m for _, m in runs[label])
        result[label] = {"seconds": s, "peak_mb": mb, "runs": runs[label],
                         "ratio": s / floor_s, "memory_ratio": mb / floor_mb}
        print(f"{label:<8} {s:>10.2f} {floor_s:>8.2f} {s / floor_s:>6.2f}× {mb:>8.0f} "
              f"{floor_mb:>9.0f} {mb / floor_mb:>8.2f}×")
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
