"""Throughput of enterprise cell assignment and register import against plain shapely/GeoPandas.

Run from the repository root::

    .venv/bin/python bench/bench_enterprises.py [--cells 100000] [--points 1000000]
        [--import-rows 100000] [--large-csv-rows 1000000] [--out bench/results_enterprises.json]

Two parts, in one process, each gridmgr step timed beside a baseline doing the core work with no
checks (see bench/README.md for what every number means):

1. **assign** — a fishnet of ~``--cells`` 100 m squares in EPSG:4547 and ``--points`` random
   points (some exactly on cell borders and corners, some outside the grid):
   ``gridmgr.registers.cell_assignment.locate`` and ``Hierarchy.assign`` beside a bare
   ``shapely.STRtree(cells).query(points, predicate="intersects")`` and
   ``geopandas.sjoin(points, cells, predicate="intersects")``.  gridmgr's answer is checked
   against the sjoin answer with ties broken by the lowest cell code.
2. **import** — ``gridmgr.registers.enterprises.import_enterprises`` of a synthetic register (Chinese
   headers, valid credit codes, GCJ-02 coordinates) as CSV and XLSX into a project with a ~10k
   cell grid, first as inserts and then again unchanged, beside pandas/openpyxl + GeoPandas +
   pyogrio.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (ROOT, BENCH):  # run as a plain script from a checkout; bench_grid is a sibling
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402
from bench_grid import (  # noqa: E402
    ADMIN,
    SOURCE_CRS,
    Phases,
    Timer,
    build_input,
    fishnet,
    log,
    machine_info,
    new_project,
)
from pyproj import Transformer  # noqa: E402

from gridmgr.coords import chinacoords  # noqa: E402
from gridmgr.grid.importer import import_grid  # noqa: E402
from gridmgr.progress import run  # noqa: E402
from gridmgr.project import open_project  # noqa: E402
from gridmgr.registers.cell_assignment import Hierarchy, locate  # noqa: E402
from gridmgr.registers.creditcode import ALPHABET, check_character  # noqa: E402
from gridmgr.registers.enterprises import import_enterprises  # noqa: E402

SEED = 20240502
CELL = 100.0
PROJECT_CRS = "EPSG:4490"  # gridmgr's default project CRS
HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属行业", "监管类别", "环境行为等级",
           "检查频次", "联系人", "联系电话", "地址", "经度", "纬度", "最近检查日期"]
INDUSTRIES = ["陶瓷", "化工", "电镀", "印染", "医药制造", "餐饮", "印刷", "汽车维修", "家具制造",
              "金属制品", "塑料制品", "食品加工"]
PREFIXES = ["盈丰", "志成", "顺发", "粤华", "宏达", "金盛", "永兴", "华美", "新明", "恒泰", "鸿运",
            "嘉诚", "瑞丰", "佳美", "利源", "广信"]
STREETS = ["祖庙", "石湾镇", "张槎", "南庄"]
ROADS = ["亲仁路", "公园路", "南风路", "福贤路", "季华路", "汾江路", "岭南大道", "绿景路"]
SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = ["荣华", "浩", "晓秀", "勇欣", "志强", "丽华", "建国", "美玲", "国华", "秀英", "伟",
         "静", "敏", "军", "洁", "婷"]
CLASSES = (["国控", "省控", "市控", "一般"], [0.01, 0.04, 0.15, 0.80])
RATINGS = (["绿", "蓝", "黄", "红", "黑"], [0.45, 0.35, 0.12, 0.06, 0.02])
FREQS = ["每年1次", "每半年1次", "每季度1次", "每月1次"]


# --------------------------------------------------------------------------- helpers

def step(part: str, name: str, items: int, unit: str, m: dict[str, float], *,
         kind: str = "gridmgr", **extra: Any) -> dict[str, Any]:
    return {"part": part, "step": name, "kind": kind, "items": items, "unit": unit, **m,
            "throughput_per_s": items / m["seconds"] if m["seconds"] else None, **extra}


# --------------------------------------------------------------------------- part 1: assign

def cell_code(rank: np.ndarray) -> list[str]:
    """DB11-style 15-digit codes (street 3, community 3, sequence 3 digits) from a rank:
    999 cells per community, 25 communities per street."""
    comm, seq = np.divmod(rank, 999)
    street, comm_in = np.divmod(comm, 25)
    return [f"{ADMIN}{s + 1:03d}{c + 1:03d}{q + 1:03d}" for s, c, q in zip(street, comm_in, seq)]


def assignment_input(n_cells: int, n_points: int) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    side_n = max(2, round(math.sqrt(n_cells)))
    side = CELL * side_n
    x0 = math.floor((500_000.0 - side / 2) / CELL) * CELL
    y0 = math.floor((2_550_000.0 - side / 2) / CELL) * CELL
    x1, y1 = x0 + side, y0 + side
    boxes = fishnet(x0, y0, x1, y1, CELL)
    # What Hierarchy.load hands to locate: the project stores cells as MultiPolygons.
    cells = shapely.multipolygons(boxes.reshape(-1, 1))
    # Codes in a random order, so "lowest code wins" is not "first cell in the array wins".
    rank = rng.permutation(len(cells))
    codes = np.asarray(cell_code(rank), dtype=object)

    n = n_points
    kind = rng.choice(5, size=n, p=[0.96, 0.01, 0.01, 0.01, 0.01])
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    lines_x = x0 + CELL * rng.integers(0, side_n + 1, n)  # exact: 100 m steps are exact floats
    lines_y = y0 + CELL * rng.integers(0, side_n + 1, n)
    on_v = kind == 1  # on a vertical border (2 cells, 1 on the outer edge)
    on_h = kind == 2  # on a horizontal border
    corner = kind == 3  # on a corner (up to 4 cells)
    outside = kind == 4  # in a 1 km band around the grid: no cell
    x[on_v | corner] = lines_x[on_v | corner]
    y[on_h | corner] = lines_y[on_h | corner]
    ang = rng.uniform(0, 2 * np.pi, outside.sum())
    r = side / 2 * math.sqrt(2) + rng.uniform(10, 1000, outside.sum())
    x[outside] = (x0 + x1) / 2 + r * np.cos(ang)
    y[outside] = (y0 + y1) / 2 + r * np.sin(ang)
    points = shapely.points(x, y)
    return {"cells": cells, "codes": codes, "points": points,
            "input": {"cells": len(cells), "grid": f"{side_n}x{side_n}", "cell_size_m": CELL,
                      "crs": SOURCE_CRS, "points": n,
                      "on_vertical_border": int(on_v.sum()), "on_horizontal_border":
                          int(on_h.sum()), "on_corner": int(corner.sum()),
                      "outside_grid": int(outside.sum())}}


def bench_assign(n_cells: int, n_points: int, timer: Timer) -> list[dict[str, Any]]:
    log(f"assign: building {n_cells} cells and {n_points} points")
    t0 = time.perf_counter()
    data = assignment_input(n_cells, n_points)
    cells, codes, points = data["cells"], data["codes"], data["points"]
    hierarchy = Hierarchy(cells, codes,
                          {c: c[:12] for c in codes},
                          {c[:12]: c[:9] for c in codes},
                          {c: f"{c}号网格" for c in codes})
    cells_gdf = gpd.GeoDataFrame({"code": codes}, geometry=cells, crs=SOURCE_CRS)
    points_gdf = gpd.GeoDataFrame(geometry=points, crs=SOURCE_CRS)
    log(f"assign: input ready ({time.perf_counter() - t0:.1f} s): {data['input']}")
    n = len(points)
    steps = []

    log("assign: gridmgr locate")
    got, m = timer("locate", lambda: locate(points, cells, codes))
    steps.append(step("assign", "gridmgr locate", n, "points", m,
                      what="cell_assignment.locate(points, cells, codes): STRtree query + "
                           "lowest code per point"))

    log("assign: gridmgr Hierarchy.assign")
    (h_cells, h_comms, h_streets), m = timer("hierarchy_assign",
                                                lambda: hierarchy.assign(points))
    steps.append(step("assign", "gridmgr Hierarchy.assign", n, "points", m,
                      what="Hierarchy.assign: locate + community and street of each cell"))
    del h_comms, h_streets

    log("assign: baseline STRtree.query")

    def strtree() -> int:
        p, _ = shapely.STRtree(cells).query(points, predicate="intersects")
        return len(p)

    pairs, m = timer("baseline_strtree", strtree)
    steps.append(step("assign", "STRtree.query", n, "points", m, kind="baseline",
                      what="shapely.STRtree(cells).query(points, predicate='intersects') "
                           "(pairs only: no tie-breaking, no codes)", pairs=pairs))

    log("assign: baseline geopandas.sjoin")
    joined, m = timer("baseline_sjoin",
                         lambda: gpd.sjoin(points_gdf, cells_gdf, predicate="intersects"))
    steps.append(step("assign", "geopandas.sjoin", n, "points", m, kind="baseline",
                      what="geopandas.sjoin(points, cells, predicate='intersects') "
                           "(inner join, all pairs)", pairs=len(joined)))

    # The check (not timed): lowest code among the sjoin pairs of each point, None if none.
    df = pd.DataFrame({"p": joined.index.to_numpy(), "code": joined["code"].to_numpy(dtype=object)})
    df = df.sort_values(["p", "code"], kind="stable").drop_duplicates("p")
    want = np.full(n, None, dtype=object)
    want[df["p"].to_numpy()] = df["code"].to_numpy(dtype=object)
    multi = int((np.bincount(joined.index.to_numpy(), minlength=n) > 1).sum())
    bad = np.flatnonzero(want != got)
    assert len(bad) == 0, (f"locate disagrees with sjoin+lowest code at {len(bad)} points, "
                           f"e.g. point {bad[0]}: {got[bad[0]]} vs {want[bad[0]]}")
    bad = np.flatnonzero(h_cells != got)
    assert len(bad) == 0, f"Hierarchy.assign disagrees with locate at {len(bad)} points"
    print(f"# assign: answers agree ({n:,} points: {multi:,} on a border of 2+ cells, "
          f"{int((want == None).sum()):,} in no cell)", flush=True)  # noqa: E711
    check = {"answers_agree": True, "points_in_several_cells": multi,
             "points_in_no_cell": int((want == None).sum())}  # noqa: E711
    for s in steps:
        s["input"] = data["input"]
        s["check"] = check
    for s in steps[:2]:
        s["vs"] = {b["step"]: s["seconds"] / b["seconds"] for b in steps[2:]}
    del joined, df, got, want
    return steps


# --------------------------------------------------------------------------- part 2: import

def _base31(i: int, width: int) -> str:
    out = []
    for _ in range(width):
        i, d = divmod(i, 31)
        out.append(ALPHABET[d])
    return "".join(reversed(out))


def credit_code(i: int) -> str:
    """A valid, unique credit code for row ``i``: companies (91…) and individual businesses
    (92…) registered in 440604, with the GB 32100 check character."""
    first17 = ("92" if i % 5 == 4 else "91") + ADMIN + "MA" + _base31(i, 7)
    return first17 + check_character(first17)


def register_chunks(n: int, region: tuple[float, float, float, float], *,
                    chunk: int = 100_000) -> Iterator[list[list[Any]]]:
    """Rows of a synthetic enterprise register (values as Python objects, dates as ``date``)
    in chunks; coordinates GCJ-02, 6 decimals, inside ``region`` (EPSG:4547) by 5 m."""
    rng = np.random.default_rng(SEED + n)
    to_ll = Transformer.from_crs(SOURCE_CRS, "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = region
    base = date(2024, 1, 1)
    for start in range(0, n, chunk):
        k = min(chunk, n - start)
        x = rng.uniform(x0 + 5, x1 - 5, k)
        y = rng.uniform(y0 + 5, y1 - 5, k)
        lon, lat = to_ll.transform(x, y)
        glon, glat = chinacoords.wgs84_to_gcj02(lon, lat)
        glon, glat = np.round(glon, 6), np.round(glat, 6)
        ind = rng.integers(0, len(INDUSTRIES), k)
        pre = rng.integers(0, len(PREFIXES), k)
        st = rng.integers(0, len(STREETS), k)
        road = rng.integers(0, len(ROADS), k)
        num = rng.integers(1, 400, k)
        cls = rng.choice(len(CLASSES[0]), size=k, p=CLASSES[1])
        rat = rng.choice(len(RATINGS[0]), size=k, p=RATINGS[1])
        freq = rng.integers(0, len(FREQS), k)
        sur = rng.integers(0, len(SURNAMES), k)
        giv = rng.integers(0, len(GIVEN), k)
        mobile = rng.integers(13_000_000_000, 19_999_999_999, k)
        landline = rng.integers(80_000_000, 89_999_999, k)
        is_land = rng.random(k) < 0.2
        days = rng.integers(0, 900, k)
        rows = []
        for j in range(k):
            i = start + j
            phone = f"0757-{landline[j]}" if is_land[j] else str(mobile[j])
            rows.append([
                i + 1,
                f"佛山市禅城区{PREFIXES[pre[j]]}{INDUSTRIES[ind[j]]}有限公司{i + 1}",
                credit_code(i),
                INDUSTRIES[ind[j]],
                CLASSES[0][cls[j]],
                RATINGS[0][rat[j]],
                FREQS[freq[j]],
                SURNAMES[sur[j]] + GIVEN[giv[j]],
                phone,
                f"佛山市禅城区{STREETS[st[j]]}街道{ROADS[road[j]]}{num[j]}号",
                float(glon[j]),
                float(glat[j]),
                base + timedelta(days=int(days[j])),
            ])
        yield rows


def write_csv(path: Path, n: int, region: tuple[float, float, float, float]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for rows in register_chunks(n, region):
            for r in rows:
                r[10], r[11], r[12] = f"{r[10]:.6f}", f"{r[11]:.6f}", r[12].isoformat()
            w.writerows(rows)


def write_xlsx(path: Path, n: int, region: tuple[float, float, float, float]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(HEADERS)
    for rows in register_chunks(n, region):
        for r in rows:
            r[12] = datetime(r[12].year, r[12].month, r[12].day)
            ws.append(r)
    wb.save(path)


def read_plain(path: Path) -> pd.DataFrame:
    """The register as a DataFrame of text (codes and phones stay text) with float lon/lat."""
    if path.suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows)
        df = pd.DataFrame(list(rows), columns=list(header))
        wb.close()
        df["最近检查日期"] = pd.to_datetime(df["最近检查日期"]).dt.strftime("%Y-%m-%d")
        df["联系电话"] = df["联系电话"].astype(str)
    df["经度"] = df["经度"].astype(float)
    df["纬度"] = df["纬度"].astype(float)
    return df


def baseline_first(path: Path, out: Path) -> int:
    df = read_plain(path)
    lon, lat = chinacoords.gcj02_to_wgs84(df["经度"].to_numpy(), df["纬度"].to_numpy())
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=PROJECT_CRS)
    pyogrio.write_dataframe(gdf, out, layer="enterprises")
    return len(gdf)


COMPARED = {"企业名称": "name", "所属行业": "industry", "监管类别": "supervision_class",
            "环境行为等级": "rating", "检查频次": "inspection_frequency", "联系人": "contact",
            "联系电话": "phone", "地址": "address", "最近检查日期": "last_inspection"}


def baseline_again(path: Path, project: Path) -> int:
    """Match the file's rows to the project's enterprises by credit code and count those with
    no field and no location (> ~1 m) changed."""
    df = read_plain(path)
    old = pyogrio.read_dataframe(project, layer="enterprises",
                                 columns=["credit_code", *COMPARED.values()])
    m = df.merge(old, left_on="统一社会信用代码", right_on="credit_code", how="left",
                 indicator=True)
    same = (m["_merge"] == "both").to_numpy().copy()
    for src, dst in COMPARED.items():
        same &= (m[src].astype(str) == m[dst].astype(str)).to_numpy()
    lon, lat = chinacoords.gcj02_to_wgs84(m["经度"].to_numpy(), m["纬度"].to_numpy())
    g = gpd.GeoSeries(m["geometry"]).to_numpy()
    same &= (np.abs(shapely.get_x(g) - lon) < 1e-5) & (np.abs(shapely.get_y(g) - lat) < 1e-5)
    return int(same.sum())


def import_project(work: Path, cells: int) -> tuple[Path, dict[str, Any]]:
    """A project (EPSG:4490) with the synthetic streets, communities and cells of bench_grid."""
    grid = work / "grid"
    grid.mkdir(exist_ok=True)
    data = build_input(cells, grid)
    project = work / "base.gpkg"
    store = new_project(project, data, PROJECT_CRS)
    report = run(import_grid(store, data["paths"]["cells"], level="cell"))
    store.close()
    if report.refused:
        raise SystemExit(f"setup: cell import refused {report.refused[:1]}")
    return project, data


def bench_import(work: Path, base: Path, region: tuple[float, float, float, float], fmt: str,
                 rows: int, timer: Timer, *, again: bool = True) -> list[dict[str, Any]]:
    tag = f"{fmt}_{rows}"
    path = work / f"enterprises_{rows}.{fmt}"
    log(f"import {fmt} {rows}: writing {path.name}")
    t0 = time.perf_counter()
    (write_csv if fmt == "csv" else write_xlsx)(path, rows, region)
    made = time.perf_counter() - t0
    log(f"import {fmt} {rows}: {path.stat().st_size / 1e6:.1f} MB in {made:.1f} s")
    project = work / f"project_{tag}.gpkg"
    shutil.copyfile(base, project)
    info = {"file_mb": round(path.stat().st_size / 1e6, 1), "write_file_seconds": round(made, 1)}
    steps = []

    def gridmgr_import(kind: str) -> dict[str, Any]:
        phases = Phases()

        def go() -> Any:
            with open_project(project) as store:
                return phases.drive(import_enterprises(store, path, coords="gcj02"))

        log(f"import {fmt} {rows}: gridmgr import_enterprises ({kind})")
        report, m = timer(f"import_{kind}_{tag}", go)
        counts = {k: report.info.get(k) for k in ("inserted", "updated", "unchanged")}
        reasons: dict[str, int] = {}
        for f in report.findings:
            reasons[f.reason] = reasons.get(f.reason, 0) + 1
        log(f"import {fmt} {rows}: {kind}: accepted {report.accepted}, {counts}, "
            f"findings {reasons}")
        return step("import", f"gridmgr {fmt} {kind}", rows, "rows", m, fmt=fmt, rows=rows,
                    accepted=report.accepted, **counts, findings=reasons,
                    phases=phases.rounded(), **info)

    first = gridmgr_import("first")
    steps.append(first)
    log(f"import {fmt} {rows}: baseline read + points + write")
    count, m = timer(f"baseline_first_{tag}",
                        lambda: baseline_first(path, work / f"baseline_{tag}.gpkg"))
    reader = "pandas.read_csv(dtype=str)" if fmt == "csv" else \
        "openpyxl read_only iter_rows → DataFrame"
    steps.append(step("import", f"plain {fmt} read+write", count, "rows", m, kind="baseline",
                      fmt=fmt, rows=rows,
                      what=f"{reader} + chinacoords.gcj02_to_wgs84 + points_from_xy + "
                           "pyogrio.write_dataframe to a new GeoPackage"))
    first["vs"] = {"plain": first["seconds"] / m["seconds"]}
    if again:
        second = gridmgr_import("again")
        steps.append(second)
        log(f"import {fmt} {rows}: baseline read + diff")
        count, m = timer(f"baseline_again_{tag}", lambda: baseline_again(path, project))
        steps.append(step("import", f"plain {fmt} read+diff", rows, "rows", m, kind="baseline",
                          fmt=fmt, rows=rows, unchanged=count,
                          what=f"{reader} + pyogrio.read_dataframe(project enterprises) + "
                               "merge on credit code + compare 9 fields and the location"))
        second["vs"] = {"plain": second["seconds"] / m["seconds"]}
    path.unlink()
    project.unlink()
    return steps


# --------------------------------------------------------------------------- output

def git_state() -> dict[str, Any]:
    """The commit measured and whether gridmgr/ had uncommitted changes (read-only git calls)."""
    def git(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "--no-optional-locks", *a], cwd=ROOT, text=True,
                              capture_output=True, check=False)
    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("diff", "--quiet", "HEAD", "--", "gridmgr")
    except OSError:
        return {}
    return {"commit": head.stdout.strip() or None, "gridmgr_dirty": dirty.returncode == 1}


HEADER = (f"{'part':<7} {'step':<26} {'items':>8} {'seconds':>8} {'throughput':>17}  "
          f"{'gridmgr ÷ baseline':<24} {'peak RSS MB (step +)':>20}")
UNIT = {"points": "pt", "rows": "row"}
SHORT = {"STRtree.query": "STRtree", "geopandas.sjoin": "sjoin", "plain": "plain"}


def table_row(s: dict[str, Any]) -> str:
    thr = f"{s['throughput_per_s']:,.0f} {UNIT[s['unit']]}/s"
    vs = "  ".join(f"{r:.1f}x {SHORT.get(k, k)}" for k, r in s.get("vs", {}).items())
    rss = f"{s['peak_rss_mb']:,.0f} (+{s['peak_rss_growth_mb']:,.0f})"
    return (f"{s['part']:<7} {s['step']:<26} {s['items']:>8} {s['seconds']:>8.2f} {thr:>17}  "
            f"{vs:<24} {rss:>20}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=100_000,
                    help="cells of the assignment grid (default 100000: 316×316)")
    ap.add_argument("--points", type=int, default=1_000_000,
                    help="points to assign (default 1000000)")
    ap.add_argument("--import-rows", type=int, default=100_000,
                    help="rows of the CSV and XLSX registers (default 100000)")
    ap.add_argument("--large-csv-rows", type=int, default=1_000_000,
                    help="also import a CSV of this many rows, last (default 1000000; 0 = skip)")
    ap.add_argument("--large-again", action=argparse.BooleanOptionalAction, default=True,
                    help="re-import the large CSV too (default yes)")
    ap.add_argument("--import-cells", type=int, default=10_000,
                    help="cells of the import project's grid (default 10000)")
    ap.add_argument("--skip-assign", action="store_true", help="only the import part")
    ap.add_argument("--skip-import", action="store_true", help="only the assignment part")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results_enterprises.json",
                    help="JSON results file (default: bench/results_enterprises.json)")
    ap.add_argument("--workdir", type=Path,
                    help="work here instead of a temporary directory (the grid files and the "
                         "base project stay; each register and its project are deleted after "
                         "their steps)")
    ap.add_argument("--profile", type=Path, metavar="DIR",
                    help="cProfile every step into DIR/<step>.prof and print the top functions "
                         "(slows the timed steps; do not compare these timings)")
    args = ap.parse_args(argv)

    timer = Timer(args.profile)
    info = machine_info()
    info["openpyxl"] = __import__("openpyxl").__version__
    info["pandas"] = pd.__version__
    info.update(git_state())
    print(f"# {info['platform']}, {info['cpu_count']} CPUs, Python {info['python']}, "
          f"shapely {info['shapely']} (GEOS {info['geos']}), GDAL {info['gdal']}, "
          f"geopandas {info['geopandas']}, pandas {info['pandas']}, commit {info.get('commit')}"
          + (" + uncommitted gridmgr changes" if info.get("gridmgr_dirty") else ""), flush=True)
    steps: list[dict[str, Any]] = []
    setup: dict[str, Any] = {}
    printed_header = False

    def show(new: list[dict[str, Any]]) -> None:
        nonlocal printed_header
        lines = [table_row(s) for s in new]
        if not printed_header:
            lines.insert(0, HEADER)
            printed_header = True
        print("\n".join(lines), flush=True)
        steps.extend(new)

    with tempfile.TemporaryDirectory(prefix="gridmgr-bench-ent-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        base = region = None
        if not args.skip_import:
            log(f"import: building a project with ~{args.import_cells} cells")
            t0 = time.perf_counter()
            base, data = import_project(work, args.import_cells)
            region = data["bounds"]
            setup["import_project"] = {
                "cells": data["cells"], "communities": data["communities"],
                "streets": data["streets"], "code_scheme": data["code_scheme"],
                "crs": PROJECT_CRS, "seconds": round(time.perf_counter() - t0, 1)}
            log(f"import: project ready: {setup['import_project']}")
            # small registers first, so their memory shows before the 1M-point assignment
            show(bench_import(work, base, region, "csv", args.import_rows, timer))
            show(bench_import(work, base, region, "xlsx", args.import_rows, timer))
        if not args.skip_assign:
            show(bench_assign(args.cells, args.points, timer))
        if not args.skip_import and args.large_csv_rows:
            show(bench_import(work, base, region, "csv", args.large_csv_rows, timer,
                              again=args.large_again))

    out = {"generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
           "machine": info, "profiled": bool(args.profile), "project_crs": PROJECT_CRS,
           "setup": setup, "steps": steps}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n",
                        encoding="utf-8")
    print(f"# wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
