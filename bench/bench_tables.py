"""How the desktop's register tables behave with a city-sized register (1M enterprises).

Builds a project with N synthetic enterprises (no grid needed), then times what a user waits
for in the table view: opening it (count + first page), sorting by name both ways, filtering
by a word, and scrolling ten pages.  Usage::

    .venv/bin/python bench/bench_tables.py [--rows 1000000] [--out bench/results_tables.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gridmgr.project import init_project, open_project
from gridmgr.registers import creditcode
from ui.register_table import RegisterModel

WORDS = ["恒泰", "新明", "金辉", "华盛", "粤兴", "宏达", "顺成", "美达", "永安", "鸿运"]
TRADES = ["陶瓷", "化工", "电镀", "印染", "五金", "餐饮", "家具", "塑料"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, n: int) -> float:
    rng = np.random.default_rng(7)
    t = time.perf_counter()
    with init_project(path, name="测试区", admin_code="440604") as store:
        batch = 50_000
        for start in range(0, n, batch):
            k = min(batch, n - start)
            recs = []
            for i in range(start, start + k):
                first17 = f"91440604{i:09d}"
                recs.append({"name": f"佛山市{WORDS[i % 10]}{TRADES[(i // 10) % 8]}有限公司{i}",
                             "credit_code": first17 + creditcode.check_character(first17),
                             "industry": TRADES[(i // 10) % 8],
                             "supervision_class": "一般", "address": f"季华路{i % 999}号"})
            pts = shapely.points(rng.uniform(113.0, 113.2, k), rng.uniform(22.9, 23.1, k))
            with store.atomic():
                store.insert_enterprises(recs, pts, refresh_extent=False)
        with store.atomic():
            store.refresh_extent("enterprises")
    return time.perf_counter() - t


def timed(label: str, fn, results: list) -> object:
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    results.append({"step": label, "seconds": round(dt, 4), "peak_rss_mb": round(rss_mb())})
    print(f"{label:<32} {dt:8.3f} s   peak RSS {rss_mb():7.0f} MB")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results_tables.json")))
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.gpkg"
        build_s = build(path, args.rows)
        print(f"# built {args.rows:,} enterprises in {build_s:.1f} s (not part of the table)")
        results: list = []
        with open_project(path, readonly=True) as store:
            model = timed("open table (count + page 1)",
                          lambda: RegisterModel(store, "enterprises"), results)
            timed("scroll 10 pages", lambda: [model.fetchMore() for _ in range(10)], results)
            name = model.columns.index("name")
            timed("sort by name, descending",
                  lambda: model.sort(name, Qt.SortOrder.DescendingOrder), results)
            timed("sort by name, ascending",
                  lambda: model.sort(name, Qt.SortOrder.AscendingOrder), results)
            timed("filter '陶瓷' (count + page 1)", lambda: model.set_filter("陶瓷"), results)
            timed("filter '季华路12号'", lambda: model.set_filter("季华路12号"), results)
            timed("clear filter", lambda: model.set_filter(""), results)
            assert model.total == args.rows
        Path(args.out).write_text(json.dumps({"rows": args.rows, "build_seconds": round(build_s),
                                              "steps": results}, ensure_ascii=False, indent=2))
    del app


if __name__ == "__main__":
    main()
