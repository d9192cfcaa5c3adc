"""Cases at city scale: insertion and import throughput, indicators by street and by cell, and the
map's per-cell open/overdue counts — each beside a plain pandas (or SQL) baseline.

Run from the repository root::

    .venv/bin/python bench/bench_cases.py [--cases 1000000] [--cells 100000]
        [--import-rows 20000] [--workdir DIR] [--out bench/results_cases.json]

Steps (see docs/readme-indicators.md for what every number means):

1. **setup** (not timed as a result): a project (EPSG:4490) with 4 streets, ~400 communities and
   ~``--cells`` square cells of 0.001° (~100 m), 300 officers; ``--cases`` synthetic cases made
   with numpy (uniform over the cells and over 2025-01-01 … 2026-03-31; 3 % voided, 2 % parked,
   ~8 % still open at some stage, 5 % reworked once, 3 % extended, deadlines of 1–5 days and
   disposal times that miss some of them), each with its whole transition log.
2. **insert** — ``Store.insert_cases`` + ``Store.insert_transitions`` in chunks of 100k cases,
   all in one ``store.atomic()`` (the storage layer's bulk path, R-tree included).
3. **import** — ``gridmgr.cases.importer.import_cases`` (cases-core's row-checking import) of a
   ``--import-rows`` CSV in the hotline-export shape, into a copy of the grid-only project.
   Floor (issue 17): ``pandas.read_csv`` of the same file + ``shapely.points`` of its lon/lat +
   ``pyogrio.write_dataframe`` of every column to a new GeoPackage, median of ``--repeat``
   paired runs (floor, then product).  ``--import-only`` stops after this step.
4. **indicators** — ``indicators.load`` (narrow reads, transitions compacted per chunk; baseline:
   reading the cases alone), then per grouping the replay of the log to 2026-04-01 plus the
   table by street and by cell, for 2026-03 (March) and for all 15 months.  Baseline: a plain
   pandas ``groupby`` of the same cases' current columns (counts of registered / closed /
   overdue) — what the numbers would cost without the log replay and the definitions.  The
   registered totals of both are checked to be equal.
4b. **stats against its floor** (issue 17) — in fresh processes (each prints its own wall time
   and peak RSS): ``stats --by street`` over every case and for one month (2026-03), i.e.
   opening the project and ``indicators.project_tables``; floor: opening it, reading the cases'
   current columns (``Store.case_stat_frame``; for the month only the cases reported in it, by
   the ``reported_at`` index) and a plain ``groupby`` (``baseline_groupby``).  ``--repeat N``
   pairs (floor, then product), medians kept.  ``--stats-only`` stops after this step.
5. **map colouring** — per-cell open and overdue counts for every cell, now: the grouped SQL
   scan (``Store.cell_open_overdue``) and ``indicators.map_counts.cell_case_counts``; baseline:
   pandas groupby on an already-loaded frame.  At 2026-04-01 (a past moment, history
   replayed): ``map_counts.cell_case_counts`` and ``indicators.cell_counts`` from the replayed
   states.  Each pair is checked to give identical counts for every cell.

Progress goes to stderr; the table and the JSON path to stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from bench_grid import Timer, log, machine_info  # noqa: E402

from gridmgr.indicators import compute as ind  # noqa: E402
from gridmgr.progress import run  # noqa: E402
from gridmgr.project import init_project, open_project  # noqa: E402

SEED = 20260401
CELL_DEG = 0.001
X0, Y0 = 113.0, 23.0
START = np.datetime64("2025-01-01T00:00:00", "s")
SPAN_S = int((np.datetime64("2026-04-01T00:00:00", "s") - START).astype(int))
AS_OF = "2026-04-01T00:00:00"
SOURCES = ("市民投诉", "12345热线", "巡查上报", "视频抓拍", "巡检发现", "信访", "上级交办")
HOUR, DAY = 3600, 86400


# --------------------------------------------------------------------------- the grid

def grid(n_cells: int) -> dict[str, Any]:
    """Cells as a side × side fishnet; streets are the quadrants, communities 16 × 16 blocks."""
    side = int(round(np.sqrt(n_cells)))
    ix, iy = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    half = side / 2
    street = 1 + (ix >= half).astype(int) + 2 * (iy >= half).astype(int)
    bx, by = ix // 16, iy // 16
    block = bx * ((side + 15) // 16) + by
    street_code = np.char.add("440604", np.char.zfill(street.astype(str), 3))
    comm_code = np.char.add(street_code, np.char.zfill(block.astype(str), 3))
    seq = (ix % 16) * 16 + iy % 16 + 1
    cell_code = np.char.add(comm_code, np.char.zfill(seq.astype(str), 3))
    x = X0 + ix * CELL_DEG
    y = Y0 + iy * CELL_DEG
    return {"side": side, "x": x, "y": y, "street": street_code.astype(object),
            "community": comm_code.astype(object), "cell": cell_code.astype(object)}


def build_project(path: Path, g: dict[str, Any], n_officers: int = 300) -> None:
    side = g["side"]
    with init_project(path, name="基准市", admin_code="440604") as store, store.atomic():
        half = side / 2 * CELL_DEG
        streets = sorted(set(g["street"]))
        boxes = [shapely.box(X0 + half * ((i - 1) % 2), Y0 + half * ((i - 1) // 2),
                             X0 + half * ((i - 1) % 2 + 1), Y0 + half * ((i - 1) // 2 + 1))
                 for i in range(1, len(streets) + 1)]
        store.insert_areas("street", [{"code": s, "name": f"第{i + 1}街道", "parent_code": "440604"}
                                      for i, s in enumerate(streets)], boxes)
        comms = pd.DataFrame({"code": g["community"], "parent": g["street"], "x": g["x"],
                              "y": g["y"]}).groupby(["code", "parent"]).agg(
            x0=("x", "min"), y0=("y", "min"), x1=("x", "max"), y1=("y", "max")).reset_index()
        store.insert_areas("community", [{"code": c, "name": f"社区{c[-3:]}", "parent_code": p}
                                         for c, p in zip(comms["code"], comms["parent"])],
                           shapely.box(comms["x0"], comms["y0"], comms["x1"] + CELL_DEG,
                                       comms["y1"] + CELL_DEG))
        store.insert_areas("cell", [{"code": c, "name": f"网格{c[-6:]}", "parent_code": m}
                                    for c, m in zip(g["cell"], g["community"])],
                           shapely.box(g["x"], g["y"], g["x"] + CELL_DEG, g["y"] + CELL_DEG))
        store.upsert_officers([{"staff_no": f"ST{i:04d}", "name": f"执法员{i}",
                                "unit": f"第{i % 4 + 1}中队"} for i in range(1, n_officers + 1)])


# --------------------------------------------------------------------------- synthetic cases

def synthesize(n: int, g: dict[str, Any], categories: list[str], rng: np.random.Generator
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``n`` cases and their steps as column arrays (times as seconds since START)."""
    n_cells = len(g["cell"])
    cell = rng.integers(0, n_cells, n)
    t0 = rng.integers(0, SPAN_S, n)
    kind = rng.random(n)
    void = kind < 0.03
    parked = (kind >= 0.03) & (kind < 0.05)
    live = ~void & ~parked
    stop = rng.random(n)  # where open cases stop
    limit = rng.choice([1, 2, 3, 5], n) * DAY
    steps: dict[str, list[np.ndarray]] = {k: [] for k in ("c", "seq", "action", "from", "to",
                                                          "at", "due")}
    seq = np.zeros(n, dtype=np.int64)
    status = np.full(n, None, dtype=object)
    due_now = np.full(n, -1, dtype=np.int64)  # -1 = no deadline
    NONE = -1

    def step(mask: np.ndarray, action: str, to: str | None, at: np.ndarray,
             due: np.ndarray | int | None) -> None:
        idx = np.flatnonzero(mask)
        seq[idx] += 1
        steps["c"].append(idx)
        steps["seq"].append(seq[idx].copy())
        steps["action"].append(np.full(len(idx), action, dtype=object))
        steps["from"].append(status[idx].copy())
        new = status[idx] if to is None else np.full(len(idx), to, dtype=object)
        steps["to"].append(new)
        status[idx] = new
        if due is not None:
            due_now[idx] = due[idx] if isinstance(due, np.ndarray) else due
        steps["at"].append(at[idx])
        steps["due"].append(due_now[idx].copy())

    every = np.ones(n, dtype=bool)
    step(every, "受理", "受理", t0, t0 + 4 * HOUR)
    reg = t0 + 600
    step(every, "立案", "立案", reg, reg + 2 * HOUR)
    step(void, "作废", "作废", reg + 600, NONE)
    disp = reg + 1200
    dispose_due = disp + limit
    step(~void, "派遣", "派遣", disp, dispose_due)
    step(parked, "挂账", "挂账", disp + HOUR, NONE)
    open_at_dispatch = live & (stop < 0.02)
    ext = live & ~open_at_dispatch & (rng.random(n) < 0.03)
    dispose_due = np.where(ext, dispose_due + 3 * DAY, dispose_due)
    step(ext, "延期", None, disp + 2 * HOUR, dispose_due)
    go = live & ~open_at_dispatch
    step(go, "处置", "处置", disp + 3 * HOUR, dispose_due)
    go &= stop >= 0.05
    took = (rng.exponential(0.8, n) * (dispose_due - disp)).astype(np.int64) + HOUR
    fb = disp + 3 * HOUR + took
    step(go, "反馈", "反馈", fb, fb + DAY)
    rework = go & (rng.random(n) < 0.05)
    step(rework, "返工", "处置", fb + 2 * HOUR, dispose_due)
    fb2 = np.where(rework, fb + DAY, fb)
    step(rework, "反馈", "反馈", fb2, fb2 + DAY)
    go &= stop >= 0.08
    step(go, "核查通过", "核查", fb2 + 2 * HOUR, NONE)
    step(go, "结案", "结案", fb2 + 3 * HOUR, NONE)

    trans = {k: np.concatenate(v) for k, v in steps.items()}
    at_of = {a: None for a in ("立案", "派遣", "结案")}
    for a in at_of:
        m = trans["action"] == a
        col = np.full(n, -1, dtype=np.int64)
        col[trans["c"][m]] = trans["at"][m]
        at_of[a] = col
    cases = {
        "cell": cell, "t0": t0, "status": status, "registered_at": at_of["立案"],
        "dispatched_at": at_of["派遣"], "closed_at": at_of["结案"],
        "dispose_due_at": np.where(void | ~(at_of["派遣"] >= 0), -1, dispose_due),
        "due_at": due_now, "rework_count": rework.astype(np.int64),
        "extension_count": ext.astype(np.int64),
        "category": rng.choice(np.array(categories, dtype=object), n),
        "source": rng.choice(np.array(SOURCES, dtype=object), n),
    }
    return cases, trans


def iso(seconds: np.ndarray) -> np.ndarray:
    """Seconds since START (−1 = none) → ISO text / None, vectorised."""
    text = np.datetime_as_string(START + seconds.astype("timedelta64[s]"), unit="s")
    return np.where(seconds >= 0, text, None).astype(object)


def uuids4(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, ~10× faster than ``str(uuid.uuid4())``."""
    h = os.urandom(16 * n).hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-4{h[i + 13:i + 16]}-a{h[i + 17:i + 20]}-"
            f"{h[i + 20:i + 32]}" for i in range(0, 32 * n, 32)]


def insert_all(store: Any, cases: dict[str, np.ndarray], trans: dict[str, np.ndarray],
               g: dict[str, Any], rng: np.random.Generator, chunk: int = 100_000) -> int:
    """Through the storage layer, in one transaction; returns the number of steps written."""
    n = len(cases["t0"])
    uuids = np.array([str(uuid.uuid4()) for _ in range(n)], dtype=object)
    cell = cases["cell"]
    x = g["x"][cell] + rng.random(n) * CELL_DEG
    y = g["y"][cell] + rng.random(n) * CELL_DEG
    handler = np.char.add("ST", np.char.zfill(((cell // 16) % 300 + 1).astype(str), 4))
    handler = np.where(cases["dispatched_at"] >= 0, handler.astype(object), None)
    text = {k: iso(cases[k]) for k in ("registered_at", "dispatched_at", "closed_at",
                                       "dispose_due_at", "due_at")}
    reported = iso(cases["t0"])
    order = np.argsort(trans["c"], kind="stable")
    tc = trans["c"][order]
    bounds = np.searchsorted(tc, np.arange(0, n + chunk, chunk))
    t_at, t_due = iso(trans["at"][order]), iso(trans["due"][order])
    written = 0
    with store.atomic():
        for k, start in enumerate(range(0, n, chunk)):
            sl = slice(start, min(n, start + chunk))
            recs = [{"uuid": uuids[i], "case_no": f"AJ{i:08d}", "source": cases["source"][i],
                     "category_code": cases["category"][i], "reported_at": reported[i],
                     "status": cases["status"][i], "system": "urban",
                     "cell_code": g["cell"][cell[i]], "community_code": g["community"][cell[i]],
                     "street_code": g["street"][cell[i]], "handler_staff_no": handler[i],
                     "registered_at": text["registered_at"][i],
                     "dispatched_at": text["dispatched_at"][i],
                     "dispose_due_at": text["dispose_due_at"][i], "due_at": text["due_at"][i],
                     "closed_at": text["closed_at"][i],
                     "rework_count": int(cases["rework_count"][i]),
                     "extension_count": int(cases["extension_count"][i])}
                    for i in range(sl.start, sl.stop)]
            store.insert_cases(recs, shapely.points(x[sl], y[sl]), refresh_extent=False)
            a, b = bounds[k], bounds[k + 1]
            # the steps' own uuids are given: Store.insert_transitions would otherwise draw
            # one uuid4 per column of every row (see docs/readme-indicators.md)
            step_ids = uuids4(b - a)
            rows = [{"uuid": step_ids[j - a], "case_uuid": uuids[tc[j]],
                     "seq": int(trans["seq"][order[j]]),
                     "action": trans["action"][order[j]], "from_status": trans["from"][order[j]],
                     "to_status": trans["to"][order[j]], "at": t_at[j], "due_at": t_due[j]}
                    for j in range(a, b)]
            store.insert_transitions(rows)
            written += len(rows)
            log(f"  inserted {sl.stop:,} cases, {written:,} steps")
        store.refresh_cases_extent()
    return written


def import_csv(path: Path, cases: dict[str, np.ndarray], g: dict[str, Any], rows: int,
               rng: np.random.Generator) -> None:
    """The first ``rows`` cases as a hotline-export CSV (Chinese headers, foreign statuses)."""
    foreign = {"结案": "已办结", "处置": "处理中", "派遣": "已派遣", "反馈": "已处置",
               "核查": "待结案", "作废": "已作废", "挂账": "暂缓", "立案": "待派遣"}
    cell = cases["cell"][:rows]
    x = g["x"][cell] + (0.2 + 0.6 * rng.random(rows)) * CELL_DEG
    y = g["y"][cell] + (0.2 + 0.6 * rng.random(rows)) * CELL_DEG
    cols = {k: iso(cases[k][:rows]) for k in ("t0", "registered_at", "dispatched_at",
                                              "closed_at")}
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["案件编号", "案件来源", "小类编码", "问题描述", "经度", "纬度", "上报时间",
                    "案件状态", "立案时间", "派遣时间", "结案时间"])
        for i in range(rows):
            w.writerow([f"RX{i:08d}", cases["source"][i], cases["category"][i], "路面垃圾堆放",
                        f"{x[i]:.6f}", f"{y[i]:.6f}", cols["t0"][i],
                        foreign[cases["status"][i]], cols["registered_at"][i] or "",
                        cols["dispatched_at"][i] or "", cols["closed_at"][i] or ""])


# --------------------------------------------------------------------------- baselines

def import_floor(path: Path, out: Path) -> int:
    """The core work of an import with the same libraries and no checks: read the CSV as text,
    make the points, write them with every column to a GeoPackage."""
    import geopandas as gpd
    import pyogrio

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pts = shapely.points(df["经度"].astype(float).to_numpy(), df["纬度"].astype(float).to_numpy())
    out.unlink(missing_ok=True)
    pyogrio.write_dataframe(gpd.GeoDataFrame(df, geometry=pts, crs="EPSG:4490"), out,
                            layer="cases")
    return len(df)


def baseline_groupby(frame: pd.DataFrame, key: str, as_of: str, start: str | None,
                     end: str | None) -> pd.DataFrame:
    """Counts from the cases' current columns with a plain groupby (no log, no definitions)."""
    reg = frame["registered_at"]
    m = reg.notna() & (reg <= as_of)
    if start:
        m &= reg >= start
    if end:
        m &= reg < end
    f = frame[m]
    f = f[f["status"] != "作废"]
    open_ = ~f["status"].isin(["结案", "挂账"])
    return pd.DataFrame({"k": f[key], "registered": 1, "closed": f["closed_at"].notna(),
                         "overdue": open_ & (f["due_at"].fillna("9999") < as_of)}
                        ).groupby("k").sum()


# --------------------------------------------------------------------------- stats vs floor

MONTH = ("2026-03-01", "2026-04-01")


def stats_child(path: str, kind: str, scope: str) -> dict[str, Any]:
    """One measurement in this (fresh) process: the product or the floor, all or one month."""
    import resource

    t0 = time.perf_counter()
    with open_project(path, readonly=True) as store:
        if kind == "product":
            period = ind.Period.parse("2026-03") if scope == "month" else ind.Period()
            (tab,) = run(ind.project_tables(store, ["street"], as_of=ind.parse_as_of(AS_OF),
                                            period=period, weights=dict(ind.DEFAULT_WEIGHTS)))
            registered = int(tab.total["registered"])
            rows = len(tab.rows)
        else:
            if scope == "month":
                from gridmgr.storage.records import STAT_CASE_COLUMNS

                cur = store.db.execute(f"SELECT {', '.join(STAT_CASE_COLUMNS)} FROM cases WHERE "
                                       "reported_at >= ? AND reported_at < ?", list(MONTH))
                frame = pd.DataFrame(cur.fetchall(), columns=list(STAT_CASE_COLUMNS),
                                     dtype=object)
                base = baseline_groupby(frame, "street_code", AS_OF, *MONTH)
            else:
                frame = store.case_stat_frame()
                base = baseline_groupby(frame, "street_code", AS_OF, None, None)
            registered = int(base["registered"].sum())
            rows = len(base)
    seconds = time.perf_counter() - t0
    # VmHWM: this process image's peak (ru_maxrss would carry the parent's across fork + exec)
    hwm = [ln for ln in Path("/proc/self/status").read_text().splitlines()
           if ln.startswith("VmHWM:")]
    peak = int(hwm[0].split()[1]) / 1024 if hwm else (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"seconds": seconds, "peak_rss_mb": round(peak, 1), "registered": registered,
            "rows": rows}


def stats_pairs(path: Path, repeat: int) -> list[dict[str, Any]]:
    """Floor then product, ``repeat`` times, for all cases and for one month (fresh processes)."""
    import subprocess

    def child(kind: str, scope: str) -> dict[str, Any]:
        out = subprocess.run([sys.executable, __file__, "--stats-child", str(path), kind, scope],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    ops = []
    for scope in ("all", "month"):
        prods, floors = [], []
        for k in range(max(1, repeat)):
            floors.append(child("floor", scope))
            prods.append(child("product", scope))
            log(f"  stats {scope} run {k + 1}: product {prods[-1]['seconds']:.2f} s "
                f"({prods[-1]['peak_rss_mb']:.0f} MB), floor {floors[-1]['seconds']:.2f} s "
                f"({floors[-1]['peak_rss_mb']:.0f} MB)")
        p = sorted(prods, key=lambda r: r["seconds"])[len(prods) // 2]
        f = sorted(floors, key=lambda r: r["seconds"])[len(floors) // 2]
        # the floor's 立案 count is of the cases' columns: over every case it must agree with
        # the product's (for the month the floor reads only the cases reported in it, so it
        # misses those reported the month before and registered in it: both are noted)
        if scope == "all":
            assert p["registered"] == f["registered"], (p["registered"], f["registered"])
        label = "all cases" if scope == "all" else f"one month ({MONTH[0][:7]})"
        ops.append({"operation": f"stats --by street, {label}", "items": p["registered"],
                    "unit": "cases", "seconds": round(p["seconds"], 3),
                    "throughput_per_s": p["registered"] / p["seconds"],
                    "baseline_seconds": round(f["seconds"], 3),
                    "ratio": round(p["seconds"] / f["seconds"], 2),
                    "peak_rss_mb": p["peak_rss_mb"], "floor_peak_rss_mb": f["peak_rss_mb"],
                    "runs_seconds": [round(r["seconds"], 3) for r in prods],
                    "floor_runs_seconds": [round(r["seconds"], 3) for r in floors],
                    "floor_registered": f["registered"],
                    "note": f"fresh processes; floor: open + cases' columns + groupby; "
                            f"{p['rows']} streets, {p['registered']:,} registered "
                            f"(floor {f['registered']:,})"})
        log(f"{ops[-1]['operation']}: product {p['seconds']:.2f} s, floor {f['seconds']:.2f} s, "
            f"{ops[-1]['ratio']}x; peak {p['peak_rss_mb']:.0f} / {f['peak_rss_mb']:.0f} MB")
    return ops


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--stats-child"]:
        print(json.dumps(stats_child(*argv[1:4])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--import-rows", type=int, default=20_000)
    ap.add_argument("--import-only", action="store_true",
                    help="stop after the import step (its floor included)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="paired runs of the import and its floor (the median is kept)")
    ap.add_argument("--stats-only", action="store_true",
                    help="after inserting the cases, only stats against its floor (step 4b)")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--out", type=Path, default=BENCH / "results_cases.json")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_cases_"))
    work.mkdir(parents=True, exist_ok=True)
    timer = Timer()
    rng = np.random.default_rng(SEED)
    ops: list[dict[str, Any]] = []

    def record(name: str, items: int, unit: str, m: dict[str, float],
               base: dict[str, float] | None = None, note: str = "") -> None:
        op = {"operation": name, "items": items, "unit": unit, "seconds": round(m["seconds"], 3),
              "throughput_per_s": items / m["seconds"] if m["seconds"] else None,
              "peak_rss_mb": m["peak_rss_mb"], "note": note}
        if base is not None:
            op["baseline_seconds"] = round(base["seconds"], 3)
            op["ratio"] = round(m["seconds"] / base["seconds"], 1) if base["seconds"] else None
        ops.append(op)
        log(f"{name}: {items:,} {unit} in {m['seconds']:.2f} s")

    log(f"grid of ~{args.cells:,} cells")
    g = grid(args.cells)
    base_path = work / "grid.gpkg"
    base_path.unlink(missing_ok=True)
    build_project(base_path, g)
    with open_project(base_path, readonly=True) as store:
        categories = list(store.categories_frame()["code"])
    log(f"synthesizing {args.cases:,} cases")
    t = time.perf_counter()
    cases, trans = synthesize(args.cases, g, categories, rng)
    log(f"  {len(trans['c']):,} steps in {time.perf_counter() - t:.1f} s")

    # 3. import through cases-core's importer (on a copy of the grid-only project)
    if args.import_rows:
        csv_path = work / "hotline.csv"
        import_csv(csv_path, cases, g, args.import_rows, rng)
        from gridmgr.cases.importer import import_cases

        runs, floors = [], []
        for k in range(max(1, args.repeat)):
            _, mb = timer("import-floor", lambda: import_floor(csv_path, work / "floor.gpkg"))
            floors.append(mb)
            imp_path = work / "import.gpkg"
            shutil.copy(base_path, imp_path)
            with open_project(imp_path) as store:
                report, m = timer("import", lambda: run(import_cases(store, csv_path)))
            runs.append(m)
            log(f"  run {k + 1}: import {m['seconds']:.2f} s, floor {mb['seconds']:.2f} s")
        base_rss = floors[0]["peak_rss_mb"] - floors[0]["peak_rss_growth_mb"]
        m = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        mb = sorted(floors, key=lambda r: r["seconds"])[len(floors) // 2]
        shown = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        record("import (case_import)", report.accepted, "cases", m, mb,
               note=f"{len(report.refused)} refused, {len(report.warnings)} warnings; "
                    f"runs {shown} s; floor read_csv + points + GPKG write")
        ops[-1].update(steps_added=report.info.get("steps_added"),
                       runs_seconds=[round(r["seconds"], 3) for r in runs],
                       floor_runs_seconds=[round(r["seconds"], 3) for r in floors],
                       floor_peak_rss_mb=mb["peak_rss_mb"],
                       # the first runs' growth of the process peak: the floor runs first, so
                       # the product's is what it needed beyond the floor's peak
                       rss_growth_mb_first_run=runs[0]["peak_rss_growth_mb"],
                       floor_rss_growth_mb_first_run=floors[0]["peak_rss_growth_mb"],
                       # peaks above the process peak before the first floor run (the setup)
                       peak_above_setup_mb=round(runs[0]["peak_rss_mb"] - base_rss, 1),
                       floor_peak_above_setup_mb=round(floors[0]["peak_rss_mb"] - base_rss, 1))

    if args.import_only:
        return finish(args, g, ops, work, None)

    # 2. insert through the storage layer
    big = work / "cases.gpkg"
    shutil.copy(base_path, big)
    with open_project(big) as store:
        written, m = timer("insert", lambda: insert_all(store, cases, trans, g, rng))
    record("insert cases+steps (store)", args.cases, "cases", m,
           note=f"{written:,} steps; {written / m['seconds']:,.0f} steps/s")
    cases = trans = {}  # free the synthetic arrays
    ops.extend(stats_pairs(big, args.repeat))
    if args.stats_only:
        return finish(args, g, ops, work, big)

    # 4. indicators
    as_of = ind.parse_as_of(AS_OF)
    march = ind.Period.parse("2026-03")
    whole = ind.Period()
    w = dict(ind.DEFAULT_WEIGHTS)
    with open_project(big, readonly=True) as store:
        data, m = timer("load", lambda: run(ind.load(store)))
        n = len(data.cases)
        record("load cases+log (indicators.load)", n, "cases", m,
               note=f"{len(data.transitions):,} steps")
        frame, mb = timer("frame", lambda: store.case_stat_frame())
        ops[-1]["baseline_seconds"] = round(mb["seconds"], 3)
        ops[-1]["ratio"] = round(m["seconds"] / mb["seconds"], 1)
        ops[-1]["note"] += " (baseline: the cases alone, no log)"
        states, m = timer("states", lambda: ind.case_states(data.cases, data.transitions, as_of))
        record("state as of (log replay)", n, "cases", m)
        for by, key in (("street", "street_code"), ("cell", "cell_code")):
            for label, period, (s, e) in (("2026-03", march, ("2026-03-01", "2026-04-01")),
                                          ("all", whole, (None, None))):
                names = ind.names_for(store, by, "urban")
                ents = store.enterprise_inspection_frame()
                # timed from the loaded log: the replay to as_of, then the grouping
                tab, m = timer(f"{by}-{label}", lambda by=by, period=period, names=names,
                               ents=ents: ind.table_from_states(
                                   ind.case_states(data.cases, data.transitions, as_of),
                                   data.cases, by=by, as_of=as_of, period=period,
                                   weights=w, names=names, enterprises=ents))
                base, mb = timer("base", lambda key=key, s=s, e=e: baseline_groupby(
                    frame, key, AS_OF, s, e))
                assert int(tab.total["registered"]) == int(base["registered"].sum()), \
                    (tab.total["registered"], int(base["registered"].sum()))
                record(f"indicators by {by} ({label})", len(tab.rows), "groups", m, mb,
                       note=f"{tab.total['registered']:,} registered, "
                            f"结案率 {ind.percent_text(tab.total['closed'], tab.total['due'])}")
        # the whole command: load + states + by cell
        full, m = timer("end-to-end", lambda: run(ind.project_tables(
            store, ["cell"], as_of=as_of, period=march, weights=w)))
        record("stats --by cell end to end", len(full[0].rows), "groups", m)

        # 5. map colouring: now (current columns) and at AS_OF (history replayed)
        now = ind.now_beijing().isoformat()
        sql, m = timer("colour-sql", lambda: store.cell_open_overdue(now))
        from gridmgr.indicators.map_counts import cell_case_counts

        core, m2 = timer("colour-core", lambda: cell_case_counts(store, now))
        past, m3 = timer("colour-core-past", lambda: cell_case_counts(store, AS_OF))
        mine, m4 = timer("colour-states", lambda: ind.cell_counts(states, data.cases, as_of))
        loaded = frame[["cell_code", "status", "due_at"]]

        def pandas_colour() -> pd.DataFrame:
            o = loaded[~loaded["status"].isin(["结案", "作废"]) & loaded["cell_code"].notna()]
            late = (o["status"] != "挂账") & (o["due_at"].fillna("9999") < now)
            return pd.DataFrame({"cell_code": o["cell_code"], "open": 1, "overdue": late}
                                ).groupby("cell_code").sum().reset_index()

        pdc, mb = timer("colour-pandas", pandas_colour)

        def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
            cols = ["open", "overdue"]
            return a.set_index("cell_code")[cols].sort_index().astype("int64").equals(
                b.set_index("cell_code")[cols].sort_index().astype("int64"))

        assert same(sql, core), "the SQL and the cases-core colouring disagree (now)"
        assert same(pdc, sql), "the SQL and the pandas colouring disagree (now)"
        assert same(mine, past), f"log replay and cases-core disagree at {AS_OF}"
        record("map colouring now (SQL group by)", len(sql), "cells", m, mb,
               note=f"{int(sql['open'].sum()):,} open, {int(sql['overdue'].sum()):,} overdue")
        record("map colouring now (map_counts.cell_case_counts)", len(core), "cells", m2, mb)
        record(f"map colouring {AS_OF[:10]} (map_counts.cell_case_counts)", len(past), "cells", m3,
               note="reads the cases and their log, then the indicators replay")
        record(f"map colouring {AS_OF[:10]} (indicators.cell_counts)", len(mine), "cells", m4,
               note=f"from the states above; {int(mine['overdue'].sum()):,} overdue")

    return finish(args, g, ops, work, big)


def finish(args: argparse.Namespace, g: dict[str, Any], ops: list[dict[str, Any]], work: Path,
           big: Path | None) -> int:
    """Write the JSON, print the table, remove the temporary work directory."""
    result = {"cases": args.cases, "cells": len(g["cell"]), "as_of": AS_OF,
              "import_rows": args.import_rows, "machine": machine_info(), "operations": ops,
              "file_mb": round(big.stat().st_size / 1e6, 1) if big else None}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{'operation':<42} {'items':>9} {'unit':<7} {'s':>8} {'items/s':>12} "
          f"{'baseline s':>10} {'ratio':>7}  note")
    for op in ops:
        thr = f"{op['throughput_per_s']:,.0f}" if op["throughput_per_s"] else ""
        base = f"{op['baseline_seconds']:.3f}" if "baseline_seconds" in op else ""
        ratio = f"{op['ratio']}x" if op.get("ratio") is not None else ""
        print(f"{op['operation']:<42} {op['items']:>9,} {op['unit']:<7} {op['seconds']:>8.2f} "
              f"{thr:>12} {base:>10} {ratio:>7}  {op['note']}")
    print(f"results: {args.out}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
