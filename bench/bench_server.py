"""Several desks on one server project: throughput, latency and lost updates of 8 desks working
one PostGIS project at once, beside the same single-desk operations on the file project.

Run from the repository root::

    .venv/bin/python bench/bench_server.py [--cells 100000] [--cases 1000000] [--desks 8]
        [--duration 120] [--out bench/results_server.json]

Steps (see bench/README.md for what every number means):

1. **build** (not a result): ``bench_cases.py``'s synthetic district (4 streets, 16 × 16-cell
   communities, 300 officers, ``--cases`` cases with their whole transition logs) as a file
   project; ``--cache DIR`` keeps it there for the next run.
2. **server**: a throwaway PostgreSQL cluster of its own (``localserver.start`` in a temporary
   folder on a free loopback port), the project copied to it with ``push_project`` (timed).
3. **indicators**: ``stats --by street`` over every case (``indicators.project_tables``) on the
   file and on the server, alternately, ``--stats-repeats`` times each; both tables must be equal.
4. **one desk**: the same operations, one at a time, on the file and on the server, alternately:
   case transitions, responsibility assignments, opening the case list, a case's page.
5. **desks**: ``--desks`` processes on the server for ``--duration`` seconds, all started at
   once; ``--stats-desks`` of them are the supervision centre (``stats --by street`` and the
   case list), the others are workflow desks (transitions, assignments, the case list, case
   pages).  Some transitions go to a few "hot" cases every desk works on, so that desks really
   collide.
6. **verify**: every successful transition is in ``case_transitions`` exactly once (each step
   carries a unique note), no refused one is; each touched case's ``seq`` runs 1…n, each step
   starts from the status the previous one left, and the case's status is its last step's;
   every assignment that opened a row has exactly one row and no cell has two current primaries.

Progress goes to stderr; the table and the JSON path to stdout.  The cluster is stopped and its
folder removed at the end, also on an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import numpy as np  # noqa: E402
from bench_grid import log, machine_info  # noqa: E402

from gridmgr.errors import GridmgrError, ProjectBusy, UsageError  # noqa: E402
from gridmgr.project import open_project  # noqa: E402

KINDS = ("transition", "assign", "list", "page", "stats")
KIND_WHAT = {
    "transition": "case transition (cases.lifecycle.transition)",
    "assign": "responsibility assignment of one cell (registers.responsibility.assign)",
    "list": "open the case list: count, overdue count, first page of 500",
    "page": "a case's page (cases.lifecycle.timeline)",
    "stats": "stats --by street over every case (indicators.project_tables)",
}
WORKFLOW_MIX = {"transition": 60, "assign": 10, "list": 15, "page": 15}
CENTRE_MIX = {"stats": 50, "list": 50}
POOL_STATUSES = ("派遣", "处置", "反馈")
STAFF = [f"ST{i:04d}" for i in range(1, 301)]  # bench_cases.build_project's officers
TOKEN = "bench:"


# --------------------------------------------------------------------------- the operations

def next_action(status: str, rng: np.random.Generator, hot: bool) -> str | None:
    """The step a desk takes from ``status``: forward, with 返工 from 反馈 (always for a hot
    case, so that the hot cases never close)."""
    if status == "反馈":
        return "返工" if hot or rng.random() < 0.3 else "核查通过"
    return {"立案": "派遣", "挂账": "派遣", "派遣": "处置", "处置": "反馈",
            "核查": "结案"}.get(status)


class Desk:
    """One desk's operations on one open project; every call returns a record of the op."""

    def __init__(self, store: Any, name: str, seed: int, pool: list[str], hot: list[str],
                 cells: list[str], hot_share: float) -> None:
        self.store, self.name = store, name
        self.rng = np.random.default_rng(seed)
        self.pool, self.hot, self.cells = list(pool), list(hot), cells
        self.hot_share = hot_share
        self.n = 0

    def token(self) -> str:
        self.n += 1
        return f"{TOKEN}{self.name}:{self.n}"

    def transition(self) -> dict[str, Any]:
        from gridmgr.cases.lifecycle import transition

        for _ in range(50):  # skip the cases that closed meanwhile (not an operation)
            hot = bool(self.hot) and self.rng.random() < self.hot_share
            cases = self.hot if hot else self.pool
            if not cases:
                break
            case_no = cases[int(self.rng.integers(len(cases)))]
            row = self.store.case_row(case_no)  # what the desk shows before the click: not timed
            action = next_action(row["status"], self.rng, hot) if row else None
            if action is not None:
                break
            cases.remove(case_no)
        else:
            raise RuntimeError("no open case left in the pool")
        if action is None:
            raise RuntimeError("no open case left in the pool")
        tok = self.token()
        rec = {"kind": "transition", "token": tok, "case_no": case_no, "action": action,
               "from": row["status"], "hot": hot}
        extra = {"handler": STAFF[int(self.rng.integers(len(STAFF)))]} if action == "派遣" else {}
        by = STAFF[int(self.rng.integers(len(STAFF)))]
        return self._timed(rec, lambda: transition(self.store, case_no, action, by=by,
                                                   note=f"{action} {tok}", **extra))

    def assign(self) -> dict[str, Any]:
        from gridmgr.registers.responsibility import assign

        cell = self.cells[int(self.rng.integers(len(self.cells)))]
        staff = STAFF[int(self.rng.integers(len(STAFF)))]
        tok = self.token()
        rec = {"kind": "assign", "token": tok, "cell": cell, "staff_no": staff}

        def go() -> Any:
            done = assign(self.store, staff_no=staff, role="网格员", cells=[cell], note=tok)
            rec["opened"] = int(done["opened"])
            return done

        return self._timed(rec, go)

    def list(self) -> dict[str, Any]:
        from gridmgr.cases.lifecycle import now_local
        from gridmgr.storage.queries import CaseQuery

        def go() -> int:
            q = CaseQuery(as_of=now_local())
            total, _ = self.store.case_list_count(q)
            self.store.case_list_page(q, 0, 500)
            return int(total)

        return self._timed({"kind": "list"}, go)

    def page(self) -> dict[str, Any]:
        from gridmgr.cases.lifecycle import timeline

        cases = self.pool or self.hot
        case_no = cases[int(self.rng.integers(len(cases)))]
        return self._timed({"kind": "page", "case_no": case_no},
                           lambda: timeline(self.store, case_no))

    def stats(self) -> dict[str, Any]:
        return self._timed({"kind": "stats"}, lambda: street_table(self.store))

    def _timed(self, rec: dict[str, Any], fn: Callable[[], Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            fn()
            rec["outcome"] = "ok"
        except ProjectBusy as exc:  # the lock timeout: another desk held the project too long
            rec["outcome"], rec["message"] = "busy", str(exc)
        except UsageError as exc:  # refused: the case moved on at another desk meanwhile
            rec["outcome"], rec["message"] = "refused", str(exc)
        rec["t0"], rec["seconds"] = t0, time.perf_counter() - t0
        return rec

    def op(self, kind: str) -> dict[str, Any]:
        return getattr(self, kind)()


def street_table(store: Any, as_of: Any = None) -> Any:
    """``gridmgr stats --by street`` (no period: every case) as the command computes it."""
    from gridmgr.indicators import compute as ind
    from gridmgr.progress import run

    weights = ind.resolve_weights(store.meta(), None)
    (table,) = run(ind.project_tables(store, ["street"], as_of=as_of or ind.now_beijing(),
                                      period=ind.Period(), weights=weights))
    return table


# --------------------------------------------------------------------------- one desk process

def desk_main(index: int, url: str, mix: dict[str, int], seed: int, pool: list[str],
              hot: list[str], cells: list[str], hot_share: float, barrier: Any,
              deadline_after: float, out: str) -> None:
    """A desk in its own process: open the project, wait for the others, work until the
    deadline, write the op records to ``out``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent cleans up
    records: list[dict[str, Any]] = []
    error, start = None, None
    try:
        with open_project(url) as store:
            desk = Desk(store, f"d{index}", seed, pool, hot, cells, hot_share)
            kinds = list(mix)
            p = np.array([mix[k] for k in kinds], dtype=float)
            p /= p.sum()
            barrier.wait(timeout=600)
            start = time.perf_counter()
            deadline = start + deadline_after
            while time.perf_counter() < deadline:
                records.append(desk.op(kinds[int(desk.rng.choice(len(kinds), p=p))]))
    except Exception:  # reported by the parent: the desk's records so far are kept
        error = traceback.format_exc()
        try:
            barrier.abort()
        except Exception:
            pass
    Path(out).write_text(json.dumps({"desk": index, "mix": mix, "start": start, "records": records, "error": error,
                                     "peak_rss_mb": vm_hwm_mb()},
                                    ensure_ascii=False), encoding="utf-8")


def vm_hwm_mb() -> float | None:
    """This process's peak RSS since its exec (``ru_maxrss`` of a spawned child starts from
    the parent's at the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


# --------------------------------------------------------------------------- the cluster

@contextmanager
def local_cluster(base: Path) -> Iterator[Any]:
    """A PostgreSQL cluster of this run (PGPASSWORD set for it), stopped and removed at the end,
    whatever happens — SIGTERM/SIGHUP are turned into an exception so that this runs too."""
    from gridmgr.storage.postgis import localserver

    def die(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    old = {s: signal.signal(s, die) for s in (signal.SIGTERM, signal.SIGHUP)}
    folder = base / "cluster"
    password = secrets.token_hex(12)
    os.environ["PGPASSWORD"] = password
    try:
        server = localserver.start(folder, password=password)
        log(f"PostgreSQL on 127.0.0.1:{server.port} (superuser {localserver.SUPERUSER})")
        yield server
    finally:
        log("stopping the cluster")
        localserver.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
        for s, h in old.items():
            signal.signal(s, h)


# --------------------------------------------------------------------------- verification

def verify(store: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Lost updates and phantoms among ``records`` (ops done on ``store``'s project)."""
    trans = [r for r in records if r["kind"] == "transition"]
    touched = sorted({r["case_no"] for r in trans})
    rows = {c: store.case_row(c) for c in touched}
    uuids = [rows[c]["uuid"] for c in touched]
    steps = store.transitions_frame(case_uuid=uuids) if uuids else None
    problems: list[str] = []
    ok_tokens = {r["token"]: r for r in trans if r["outcome"] == "ok"}
    other_tokens = {r["token"] for r in trans if r["outcome"] != "ok"}
    seen: dict[str, int] = {}
    if steps is not None:
        by_uuid = {u: c for c, u in zip(touched, uuids)}
        for u, g in steps.groupby("case_uuid", sort=False):
            g = g.sort_values("seq")
            c = by_uuid[u]
            if list(g["seq"]) != list(range(1, len(g) + 1)):
                problems.append(f"{c}: seq {list(g['seq'])} not 1…{len(g)}")
            prev = list(g["to_status"])[:-1]
            if [f for f in g["from_status"]][1:] != prev:
                problems.append(f"{c}: a step does not start where the previous one ended")
            if g["to_status"].iloc[-1] != rows[c]["status"]:
                problems.append(f"{c}: status {rows[c]['status']} but last step "
                                f"{g['to_status'].iloc[-1]}")
            for note, action in zip(g["note"], g["action"]):
                if note and TOKEN in note:
                    tok = note.split()[-1]
                    seen[tok] = seen.get(tok, 0) + 1
                    r = ok_tokens.get(tok)
                    if r is not None and (r["case_no"] != c or r["action"] != action):
                        problems.append(f"{tok}: recorded as {c} {action}, done as "
                                        f"{r['case_no']} {r['action']}")
    lost = [t for t in ok_tokens if seen.get(t, 0) == 0]
    doubled = [t for t, n in seen.items() if n > 1]
    phantom = [t for t in seen if t in other_tokens]
    # assignments: each one that opened a row has exactly one, and one primary per cell
    assigns = [r for r in records if r["kind"] == "assign"]
    resp = store.responsibilities(system="urban")
    resp = resp[resp["note"].fillna("").str.startswith(TOKEN)]
    counts = resp["note"].value_counts().to_dict()
    a_lost = [r["token"] for r in assigns if r["outcome"] == "ok" and r.get("opened")
              and counts.get(r["token"], 0) != 1]
    a_phantom = [r["token"] for r in assigns if (r["outcome"] != "ok" or not r.get("opened"))
                 and counts.get(r["token"], 0)]
    current = store.responsibilities(system="urban", current_only=True)
    current = current[current["slot"] == "primary"]
    two = current.groupby("area_code").size()
    two_primaries = int((two > 1).sum())
    return {"transitions_ok": len(ok_tokens),
            "transitions_refused": sum(r["outcome"] == "refused" for r in trans),
            "transitions_busy": sum(r["outcome"] == "busy" for r in trans),
            "cases_touched": len(touched), "steps_checked": 0 if steps is None else len(steps),
            "lost_updates": len(lost), "doubled_steps": len(doubled),
            "phantom_steps": len(phantom), "inconsistent_cases": len(problems),
            "assignments_ok": sum(r["outcome"] == "ok" for r in assigns),
            "assignments_opened": sum(bool(r.get("opened")) for r in assigns
                                      if r["outcome"] == "ok"),
            "assignments_lost": len(a_lost), "assignments_phantom": len(a_phantom),
            "cells_with_two_primaries": two_primaries,
            "examples": (problems + [f"lost {t}" for t in lost] + [f"doubled {t}" for t in doubled]
                         + [f"phantom {t}" for t in phantom] + a_lost + a_phantom)[:10]}


# --------------------------------------------------------------------------- numbers

def pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def summary(records: list[dict[str, Any]], wall: float | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in KINDS:
        rs = [r for r in records if r["kind"] == kind]
        if not rs:
            continue
        ok = [r["seconds"] for r in rs if r["outcome"] == "ok"]
        out[kind] = {"ops": len(rs), "ok": len(ok),
                     "refused": sum(r["outcome"] == "refused" for r in rs),
                     "busy": sum(r["outcome"] == "busy" for r in rs),
                     "ops_per_s": len(ok) / wall if wall else None,
                     "p50_ms": None if not ok else pct(ok, 50) * 1000,
                     "p95_ms": None if not ok else pct(ok, 95) * 1000,
                     "max_ms": None if not ok else max(ok) * 1000}
    return out


def fmt(v: float | None, spec: str = ",.0f") -> str:
    return "" if v is None else format(v, spec)


def print_table(res: dict[str, Any]) -> None:
    d, one_f, one_s = res["desks"]["by_kind"], res["one_desk"]["file"], res["one_desk"]["server"]
    n = res["desks"]["count"]
    print(f"# {res['scale']['cells']:,} cells, {res['scale']['cases']:,} cases, "
          f"{res['scale']['steps']:,} steps; {n} desks for {res['desks']['wall_s']:.0f} s; "
          f"{res['machine']['cpu_count']} CPUs")
    print(f"{'operation':<11} {'ops':>6} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'refused':>7} "
          f"{'busy':>4} | {'1 desk file p50':>15} {'server p50':>10} {'server/file':>11} "
          f"{f'{n} desks/file':>12}")
    for kind in KINDS:
        k = d.get(kind, {})
        f, s = one_f.get(kind, {}), one_s.get(kind, {})
        ratio = (s["p50_ms"] / f["p50_ms"]) if f.get("p50_ms") and s.get("p50_ms") else None
        many = (k["p50_ms"] / f["p50_ms"]) if f.get("p50_ms") and k.get("p50_ms") else None
        print(f"{kind:<11} {fmt(k.get('ok')):>6} {fmt(k.get('ops_per_s'), ',.2f'):>7} "
              f"{fmt(k.get('p50_ms')):>8} {fmt(k.get('p95_ms')):>8} {fmt(k.get('refused')):>7} "
              f"{fmt(k.get('busy')):>4} | {fmt(f.get('p50_ms')):>15} {fmt(s.get('p50_ms')):>10} "
              f"{fmt(ratio, '.2f') + ('x' if ratio else ''):>11} "
              f"{fmt(many, '.2f') + ('x' if many else ''):>12}")
    t = res["desks"]["total"]
    print(f"{'all':<11} {t['ok']:>6,} {t['ops_per_s']:>7.2f}")
    ind = res["indicators"]
    print(f"stats --by street, all {res['scale']['cases']:,} cases: file {ind['file_median_s']:.2f} s,"
          f" server {ind['server_median_s']:.2f} s (medians of {len(ind['file_s'])}), "
          f"server/file {ind['ratio']:.2f}x; tables equal: {ind['tables_equal']}")
    v = res["verify"]["desks"]
    print(f"lost updates {v['lost_updates']}, doubled {v['doubled_steps']}, phantom "
          f"{v['phantom_steps']}, inconsistent cases {v['inconsistent_cases']} "
          f"({v['transitions_ok']:,} transitions on {v['cases_touched']:,} cases, "
          f"{v['transitions_refused']} refused, {v['transitions_busy']} busy); assignments lost "
          f"{v['assignments_lost']}, phantom {v['assignments_phantom']}, cells with two "
          f"primaries {v['cells_with_two_primaries']}")
    print(f"push {res['push']['seconds']:.1f} s; results: {res['out']}")


# --------------------------------------------------------------------------- main

def build(path: Path, n_cells: int, n_cases: int, seed: int) -> tuple[int, list[str]]:
    """The file project; returns (steps written, cell codes)."""
    from bench_cases import build_project, grid, insert_all, synthesize

    rng = np.random.default_rng(seed)
    g = grid(n_cells)
    build_project(path, g)
    with open_project(path, readonly=True) as store:
        categories = list(store.categories_frame()["code"])
    cases, trans = synthesize(n_cases, g, categories, rng)
    with open_project(path) as store:
        steps = insert_all(store, cases, trans, g, rng)
    return steps, [str(c) for c in g["cell"]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--desks", type=int, default=8)
    ap.add_argument("--stats-desks", type=int, default=2,
                    help="desks of the supervision centre (stats and the list; default 2)")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds the desks work")
    ap.add_argument("--pool", type=int, default=3000, help="open cases the desks work on")
    ap.add_argument("--hot", type=int, default=8, help="cases every desk keeps working on")
    ap.add_argument("--hot-share", type=float, default=0.2,
                    help="share of a desk's transitions that go to the hot cases")
    ap.add_argument("--single-ops", type=int, default=30,
                    help="one-desk operations of each kind per backend (default 30)")
    ap.add_argument("--stats-repeats", type=int, default=3)
    ap.add_argument("--cache", type=Path, help="keep/reuse the built file project in this folder")
    ap.add_argument("--seed", type=int, default=20260401)
    ap.add_argument("--out", type=Path, default=BENCH / "results_server.json")
    args = ap.parse_args(argv)
    if not 0 <= args.stats_desks <= args.desks:
        ap.error("--stats-desks must be between 0 and --desks")
    base = Path(tempfile.mkdtemp(prefix="bench_server_"))
    os.chmod(base, 0o755)  # the cluster runs as the postgres user when we are root
    t_all = time.perf_counter()
    try:
        return run_bench(args, base, t_all)
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'Ctrl-C'}); nothing written to {args.out}")
        return 130
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_bench(args: argparse.Namespace, base: Path, t_all: float) -> int:
    from gridmgr.indicators import compute as ind
    from gridmgr.indicators import reports
    from gridmgr.project import push_project
    from gridmgr.storage.queries import CaseQuery

    # 1. the file project
    name = f"server_c{args.cells}_n{args.cases}_s{args.seed}.gpkg"
    path = base / "project.gpkg"
    cached = args.cache / name if args.cache else None
    t = time.perf_counter()
    if cached is not None and cached.exists():
        log(f"reusing {cached}")
        shutil.copy(cached, path)
    else:
        log(f"building {args.cases:,} cases on ~{args.cells:,} cells")
        build(path, args.cells, args.cases, args.seed)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, cached)
    build_s = time.perf_counter() - t
    with open_project(path, readonly=True) as store:
        n_cases, cells = store.count_cases(), sorted(store.existing_codes("cell", "urban"))
        q = CaseQuery(statuses=POOL_STATUSES)
        open_cases = [r[1] for r in store.case_list_page(q, 0, args.pool + args.hot
                                                         + args.single_ops)]
    log(f"  {n_cases:,} cases, {len(cells):,} cells, {len(open_cases):,} open cases drawn; "
        f"{build_s:.0f} s")
    rng = np.random.default_rng(args.seed)
    rng.shuffle(open_cases)
    single = open_cases[:args.single_ops]
    hot = open_cases[args.single_ops:args.single_ops + args.hot]
    pool = open_cases[args.single_ops + args.hot:]
    if not pool:
        raise SystemExit("no open cases for the desks: use more --cases")

    with local_cluster(base) as server:
        url = server.url("postgres", schema="bench")
        t = time.perf_counter()
        counts = push_project(path, url)
        push_s = time.perf_counter() - t
        n_steps = int(counts.get("case_transitions", 0))
        log(f"push: {sum(counts.values()):,} rows in {push_s:.1f} s")

        with open_project(path) as fstore, open_project(url) as sstore:
            # 3. indicators, both backends, alternately, on the same data
            as_of = ind.now_beijing()
            file_s, server_s, equal = [], [], True
            for _ in range(args.stats_repeats):
                for label, store, times in (("file", fstore, file_s), ("server", sstore, server_s)):
                    t = time.perf_counter()
                    table = street_table(store, as_of)
                    times.append(time.perf_counter() - t)
                    log(f"stats --by street on the {label}: {times[-1]:.2f} s")
                    if label == "file":
                        ftab = reports.to_json(table)
                    else:
                        equal &= reports.to_json(table) == ftab
            indicators = {"file_s": file_s, "server_s": server_s,
                          "file_median_s": statistics.median(file_s),
                          "server_median_s": statistics.median(server_s),
                          "ratio": statistics.median(server_s) / statistics.median(file_s),
                          "tables_equal": bool(equal), "as_of": as_of.isoformat()}

            # 4. one desk, the same operations on both, alternately
            one: dict[str, list[dict[str, Any]]] = {"file": [], "server": []}
            desks = {label: Desk(store, f"one-{label}", args.seed, single, [], cells, 0.0)
                     for label, store in (("file", fstore), ("server", sstore))}
            for kind in ("transition", "assign", "list", "page"):
                for _ in range(args.single_ops):
                    for label in ("file", "server"):
                        one[label].append(desks[label].op(kind))
                log(f"one desk, {kind}: file p50 "
                    f"{pct([r['seconds'] for r in one['file'] if r['kind'] == kind], 50) * 1e3:.0f}"
                    f" ms, server p50 "
                    f"{pct([r['seconds'] for r in one['server'] if r['kind'] == kind], 50) * 1e3:.0f}"
                    " ms")
            one_verify = {label: verify(store, one[label])
                          for label, store in (("file", fstore), ("server", sstore))}
            one["file"] += [{"kind": "stats", "outcome": "ok", "seconds": s} for s in file_s]
            one["server"] += [{"kind": "stats", "outcome": "ok", "seconds": s} for s in server_s]

        # 5. the desks
        desks_res = run_desks(args, url, pool, hot, cells, base)
        records = [r for d in desks_res for r in d["records"]]
        errors = [d["error"] for d in desks_res if d["error"]]
        for e in errors:
            log(f"a desk failed:\n{e}")
        start = min(d["start"] for d in desks_res if d["start"] is not None)
        wall = max(r["t0"] + r["seconds"] for r in records) - start
        log(f"desks: {len(records):,} operations in {wall:.1f} s")
        with open_project(url, readonly=True) as sstore:
            t = time.perf_counter()
            desks_verify = verify(sstore, records)
            log(f"verified in {time.perf_counter() - t:.1f} s: {desks_verify}")

    by_kind = summary(records, wall)
    ok_all = sum(v["ok"] for v in by_kind.values())
    res = {
        "machine": machine_info() | {"commit": commit()},
        "scale": {"cells": len(cells), "cases": n_cases, "steps": n_steps,
                  "build_s": round(build_s, 1)},
        "push": {"seconds": round(push_s, 2), "rows": counts},
        "indicators": indicators,
        "one_desk": {"ops_per_kind": args.single_ops,
                     "file": summary(one["file"], None), "server": summary(one["server"], None)},
        "desks": {"count": args.desks, "stats_desks": args.stats_desks,
                  "mix": {"workflow": WORKFLOW_MIX, "centre": CENTRE_MIX},
                  "duration_s": args.duration, "wall_s": round(wall, 2), "pool": len(pool),
                  "hot": len(hot), "hot_share": args.hot_share, "by_kind": by_kind,
                  "total": {"ok": ok_all, "ops_per_s": ok_all / wall},
                  "peak_rss_mb": [d["peak_rss_mb"] for d in desks_res], "errors": errors},
        "verify": {"desks": desks_verify, "one_desk": one_verify},
        "what": KIND_WHAT,
        "seconds": round(time.perf_counter() - t_all, 1),
        "out": str(args.out),
    }
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2, default=str),
                        encoding="utf-8")
    print_table(res)
    bad = (desks_verify["lost_updates"] + desks_verify["doubled_steps"]
           + desks_verify["phantom_steps"] + desks_verify["inconsistent_cases"]
           + desks_verify["assignments_lost"] + desks_verify["assignments_phantom"]
           + desks_verify["cells_with_two_primaries"])
    return 1 if bad or errors or not indicators["tables_equal"] else 0


def run_desks(args: argparse.Namespace, url: str, pool: list[str], hot: list[str],
              cells: list[str], base: Path) -> list[dict[str, Any]]:
    """``--desks`` processes (spawned: nothing of this process's connections is shared)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(args.desks + 1)
    procs, outs = [], []
    for i in range(args.desks):
        mix = CENTRE_MIX if i < args.stats_desks else WORKFLOW_MIX
        out = base / f"desk{i}.json"
        outs.append(out)
        p = ctx.Process(target=desk_main, name=f"desk{i}", args=(
            i, url, mix, args.seed + 1 + i, pool, hot, cells, args.hot_share, barrier,
            args.duration, str(out)))
        p.start()
        procs.append(p)
    try:
        log(f"{args.desks} desks opening the project")
        barrier.wait(timeout=600)
        log(f"desks working for {args.duration:.0f} s")
        for p in procs:
            p.join()
    finally:
        for p in procs:  # only on an error or Ctrl-C: the desks end by themselves
            if p.is_alive():
                p.terminate()
                p.join(10)
    for p in procs:
        if p.exitcode and p.exitcode < 0:
            raise KeyboardInterrupt(f"{p.name} was stopped by signal {-p.exitcode}")
    results = []
    for out in outs:
        if not out.exists():
            raise GridmgrError(f"{out.name}: the desk wrote no results")
        results.append(json.loads(out.read_text(encoding="utf-8")))
    return results


def commit() -> str | None:
    import subprocess

    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
