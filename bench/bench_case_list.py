"""How the desktop's case list, case page and case markers behave with a city's cases.

Builds (or reuses, ``--project``) a project with N synthetic cases and their whole transition
logs — the same synthetic city as ``bench/bench_cases.py`` — then times what a user waits for
in the cases panel: opening the list (count, overdue count and the first page), each filter,
sorting, scrolling ten pages, opening one case's page, and the status markers for the map.
Baseline: what a model that loads every case into pandas and filters/sorts in memory pays
(``Store.cases_frame()`` once, then a pandas filter and sort).

    .venv/bin/python bench/bench_case_list.py [--cases 1000000] [--cells 100000]
        [--project FILE | --workdir DIR] [--out bench/results_case_list.json]

``--csv-only`` times ``gridmgr cases list PROJECT --format csv --out F`` instead (issue 17), in
fresh processes paired with two floors doing the core work — the listing's 10 stored columns
SELECTed and written as CSV: ``sqlite3`` cursor → ``csv.writer`` (streamed), and
``pandas.read_sql_query`` → ``DataFrame.to_csv``; ``--repeat`` pairs, medians kept, peak RSS
per child.  ``--before-root DIR`` also runs the command from another source tree (e.g. ``git
archive main``) in the same pairs, and the CSVs of both are compared byte for byte.
``--replay-as-of T`` adds product runs with ``--as-of T`` (a moment inside the log: the
history is replayed).

    .venv/bin/python bench/bench_case_list.py --csv-only --workdir /tmp/bcl --repeat 3 \
        [--before-root /tmp/before] --out bench/results_case_list_csv.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import numpy as np  # noqa: E402
from bench_cases import SEED, build_project, grid, insert_all, synthesize  # noqa: E402
from bench_grid import Timer, log, machine_info  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gridmgr.cases import lifecycle as core  # noqa: E402
from gridmgr.project import open_project  # noqa: E402
from gridmgr.storage.queries import CaseQuery  # noqa: E402
from ui.case_detail import CaseDetail  # noqa: E402
from ui.cases_view import CaseListModel  # noqa: E402

AS_OF = "2026-04-01T09:00:00"  # the synthetic cases end in March 2026
REPLAY_UP_TO = 200_000  # cases: above this the replay baseline is skipped (memory)


def build(path: Path, n_cases: int, n_cells: int) -> None:
    rng = np.random.default_rng(SEED)
    g = grid(n_cells)
    build_project(path, g)
    with open_project(path, readonly=True) as store:
        categories = list(store.categories_frame()["code"])
    cases, trans = synthesize(n_cases, g, categories, rng)
    with open_project(path) as store:
        insert_all(store, cases, trans, g, rng)


# the listing's stored columns (overdue is computed), as `cases list` shows them
LIST_COLUMNS = ("case_no", "status", "source", "category_code", "reported_at", "cell_code",
                "handler_staff_no", "due_at", "supervised", "address")
FLOOR_CSV = """
import csv, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
cur = con.execute("SELECT {} FROM cases ORDER BY fid")
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as fh:
    w = csv.writer(fh, lineterminator="\\n")
    w.writerow([d[0] for d in cur.description])
    while rows := cur.fetchmany(20000):
        w.writerows(rows)
""".format(", ".join(LIST_COLUMNS))
FLOOR_PANDAS = """
import sqlite3, sys
import pandas as pd
con = sqlite3.connect(sys.argv[1])
df = pd.read_sql_query("SELECT {} FROM cases ORDER BY fid", con)
df.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
""".format(", ".join(LIST_COLUMNS))
# Linux counts a forked child's peak from the parent's memory at the fork: each command runs
# under this launcher, which reports its own child's wall time and peak on stderr's last line
LAUNCH = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - t0
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


def run_timed(cmd: list[str], root: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one fresh process; ``root``: run gridmgr from there."""
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = str(root)
    proc = subprocess.run([sys.executable, "-c", LAUNCH, *cmd], capture_output=True,
                          text=True, env=env, cwd=str(root or ROOT))
    *err, last = proc.stderr.rstrip("\n").split("\n")
    rc, wall, kib = last.split()
    if int(rc) != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} failed ({rc}): {chr(10).join(err)[-2000:]}")
    return float(wall), int(kib) / 1024


def sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def csv_only(path: Path, args: argparse.Namespace) -> int:
    """Product against its floors, paired, in fresh processes (``--csv-only``)."""
    out_dir = Path(tempfile.mkdtemp(prefix="bench_case_list_csv_"))
    py = sys.executable
    kinds: dict[str, tuple[list[str], Path | None]] = {
        "floor: sqlite3 -> csv.writer": ([py, "-c", FLOOR_CSV, str(path)], None),
        "floor: read_sql_query -> to_csv": ([py, "-c", FLOOR_PANDAS, str(path)], None),
        "product: cases list --format csv": (
            [py, "-m", "gridmgr", "cases", "list", str(path), "--format", "csv", "--out"], None)}
    if args.before_root:
        kinds["before: cases list --format csv"] = (
            [py, "-m", "gridmgr", "cases", "list", str(path), "--format", "csv", "--out"],
            args.before_root)
    for t in args.replay_as_of or []:
        kinds[f"product: --as-of {t} (replay)"] = (
            [py, "-m", "gridmgr", "cases", "list", str(path), "--format", "csv", "--as-of", t,
             "--out"], None)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    digests: dict[str, str] = {}
    for i in range(args.repeat):
        for k, (cmd, root) in kinds.items():
            target = out_dir / f"{len(digests)}.csv"
            wall, mb = run_timed([*cmd, str(target)], root)
            runs[k].append((wall, mb))
            log(f"run {i + 1}: {k}: {wall:.2f} s, {mb:,.0f} MB")
            digests[k] = sha(target)
            rows = sum(1 for _ in target.open("rb")) - 1
            target.unlink()
    product = "product: cases list --format csv"
    if args.before_root:
        assert digests[product] == digests["before: cases list --format csv"], "CSV differs"
    floor = statistics.median(w for w, _ in runs["floor: sqlite3 -> csv.writer"])
    floor_pd = statistics.median(w for w, _ in runs["floor: read_sql_query -> to_csv"])
    ops = []
    for k, rs in runs.items():
        med = statistics.median(w for w, _ in rs)
        ops.append({"operation": k, "seconds": round(med, 3),
                    "runs_seconds": [round(w, 3) for w, _ in rs],
                    "peak_rss_mb": round(max(m for _, m in rs), 1),
                    "ratio_to_csv_floor": round(med / floor, 3),
                    "ratio_to_pandas_floor": round(med / floor_pd, 3)})
    with open_project(path, readonly=True) as store:
        n = store.count_cases()
    doc = {"machine": machine_info(), "cases": n, "lines_last_csv": rows,
           "load_average": os.getloadavg(), "repeat": args.repeat,
           "same_csv_before_after": bool(args.before_root) and
           digests[product] == digests["before: cases list --format csv"],
           "operations": ops}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{'':44} {'median s':>9} {'peak MB':>8} {'/csv floor':>10} {'/pandas floor':>13}")
    for op in ops:
        print(f"{op['operation']:44} {op['seconds']:9.2f} {op['peak_rss_mb']:8,.0f} "
              f"{op['ratio_to_csv_floor']:10.2f} {op['ratio_to_pandas_floor']:13.2f}")
    print(args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--project", type=Path, help="reuse a project built by an earlier run")
    ap.add_argument("--workdir", type=Path,
                    help="keep the project in DIR/cases.gpkg: built once, reused by later runs")
    ap.add_argument("--csv-only", action="store_true",
                    help="time `cases list --format csv` against its floors instead")
    ap.add_argument("--repeat", type=int, default=3, help="--csv-only: paired runs")
    ap.add_argument("--before-root", type=Path, help="--csv-only: also run this source tree")
    ap.add_argument("--replay-as-of", action="append", metavar="T",
                    help="--csv-only: also time the product with --as-of T")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.out is None:
        args.out = BENCH / ("results_case_list_csv.json" if args.csv_only
                            else "results_case_list.json")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.project or ((args.workdir or Path(tempfile.mkdtemp(prefix="bench_case_list_")))
                            / "cases.gpkg")
    if not path.exists():
        log(f"building {args.cases:,} cases on ~{args.cells:,} cells in {path}")
        t = time.perf_counter()
        build(path, args.cases, args.cells)
        log(f"  built in {time.perf_counter() - t:.0f} s")
    if args.csv_only:
        return csv_only(path, args)
    app = QApplication.instance() or QApplication([])
    timer = Timer()
    ops: list[dict[str, Any]] = []

    def record(name: str, m: dict[str, float], rows: int, base: dict[str, float] | None = None,
               note: str = "") -> None:
        op = {"operation": name, "seconds": round(m["seconds"], 3), "rows": rows,
              "peak_rss_mb": m["peak_rss_mb"], "note": note}
        if base is not None:
            op["baseline_seconds"] = round(base["seconds"], 3)
            op["ratio"] = round(m["seconds"] / base["seconds"], 3) if base["seconds"] else None
        ops.append(op)
        log(f"{name}: {m['seconds']:.3f} s ({rows:,} rows)")

    with open_project(path, readonly=True) as store:
        n = store.count_cases()
        model, m = timer("open", lambda: CaseListModel(store))
        model.query = CaseQuery(as_of=AS_OF)
        record("open list (names, count, overdue count, first page)", m, model.total)
        frame, base = timer("baseline", lambda: store.cases_frame())
        record("baseline: load every case (cases_frame)", base, len(frame))

        def pandas_filter(mask: Any, by: str = "reported_at") -> Any:
            """The baseline: filter, sort, take the first page; returns the mask."""
            frame[mask].sort_values(by, ascending=False).head(500)
            return mask

        street = frame["street_code"].iloc[0]
        handler = frame["handler_staff_no"].dropna().iloc[0]
        cat = frame["category_code"].iloc[0]
        def late() -> Any:
            return (frame["status"].isin(["受理", "立案", "派遣", "处置", "反馈", "核查"])
                    & frame["due_at"].notna() & (frame["due_at"].fillna("9999") < AS_OF))

        def words(w: str) -> Any:
            return (frame["description"].fillna("").str.contains(w)
                    | frame["address"].fillna("").str.contains(w))

        # (name, the query's filters, the same filter in pandas — computed inside the timing)
        filters = [
            ("status 处置", {"statuses": ("处置",)}, lambda: frame["status"] == "处置"),
            ("overdue as of", {"overdue_at": AS_OF}, late),
            ("street", {"street_code": street}, lambda: frame["street_code"] == street),
            ("handler", {"handler_staff_no": handler},
             lambda: frame["handler_staff_no"] == handler),
            ("category", {"category_codes": (cat,)}, lambda: frame["category_code"] == cat),
            ("street + status 结案", {"street_code": street, "statuses": ("结案",)},
             lambda: (frame["street_code"] == street) & (frame["status"] == "结案")),
            ("text: case number prefix", {"text": "AJ0000123"},
             lambda: frame["case_no"].str.startswith("AJ0000123")),
            ("text: a word in description/address", {"text": "井盖"}, lambda: words("井盖")),
        ]
        for name, q, make_mask in filters:
            _, m = timer(name, lambda q=q: model.set_query(**q))
            mask, b = timer(name + " (pandas)", lambda f=make_mask: pandas_filter(f()))
            assert model.total == int(mask.sum()), (name, model.total, int(mask.sum()))
            record(f"filter: {name}", m, model.total, b)
        model.set_query()
        for column, label in ((1, "status"), (11, "reported_at"), (12, "due_at"),
                              (2, "overdue")):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                _, m = timer("sort", lambda c=column, o=order: model.sort(c, o))
                record(f"sort: {label} {'desc' if order == Qt.SortOrder.DescendingOrder else 'asc'}", m, model.total)
        model.sort(-1)

        def scroll() -> int:
            for _ in range(10):
                model.fetchMore()
            return model.rowCount()

        rows, m = timer("scroll", scroll)
        record("scroll: 10 more pages of 500", m, rows)
        detail = CaseDetail()
        detail.set_project(path, store)
        no = model.value(0, "case_no")
        ok, m = timer("detail", lambda: detail.show_case(no))
        assert ok
        record("open one case's page (fields, photos, timeline, state now)", m, 1)
        now = core.now_local()  # after every synthetic step: replay and columns agree
        frame = frame.iloc[0:0]  # free the baseline's million rows
        unresolved = tuple(core.UNRESOLVED)
        open_ones, m = timer("markers", lambda: store.case_markers(now, unresolved))
        record("markers: unresolved cases (what CasesPanel.markers pushes)", m, len(open_ones))
        markers, m = timer("markers", lambda: store.case_markers(now))
        record("markers: every case with overdue flag (case_markers)", m, len(markers))
        import geopandas as gpd

        from maps.case_layer import case_payload

        def payload() -> dict[str, Any]:
            pts = gpd.points_from_xy(markers["x"].astype(float), markers["y"].astype(float))
            gdf = gpd.GeoDataFrame(markers.drop(columns=["x", "y"]), geometry=pts,
                                   crs=store.crs)
            return case_payload(gdf)

        p, m = timer("payload", payload)
        record("markers: payload for the map (case_payload)", m, len(p["codes"]))
        if n <= REPLAY_UP_TO:  # the replay holds every step as Python strings: 11 GB at 1M
            states, b = timer("state_as_of", lambda: core.state_as_of(store, now))
            assert int(states["overdue"].sum()) == int(markers["overdue"].sum())
            ops[-2]["baseline_seconds"] = round(b["seconds"], 3)
            ops[-2]["note"] = ("baseline: cases.state_as_of (history replay); same overdue "
                               f"count {int(markers['overdue'].sum()):,}")
    del app
    doc = {"machine": machine_info(), "cases": n, "as_of": AS_OF, "operations": ops}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{'operation':60} {'s':>8} {'baseline s':>11} {'rows':>10}")
    for op in ops:
        print(f"{op['operation']:60} {op['seconds']:8.3f} "
              f"{op.get('baseline_seconds', ''):>11} {op['rows']:>10,}")
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
