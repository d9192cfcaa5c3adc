"""How long ``maps.web_page.measure_style`` takes to class a city's cells (issue 17: recolour
< 0.2 s at 100k cells), against the value-by-value reference it replaced (kept in
tests/maps/test_measure_style.py), paired in one process.

    .venv/bin/python bench/bench_measure_style.py [--cells 105023] [--pairs 7] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "maps")]

from test_measure_style import reference  # noqa: E402

from maps.web_page import measure_style  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=105_023)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results_measure_style.json"))
    a = ap.parse_args()
    codes = [f"44060400{i:07d}" for i in range(a.cells)]
    rng = np.random.default_rng(1)  # enterprise counts 0–39, a tenth of the cells without one
    values = {c: int(v) for c, v in zip(codes, rng.integers(0, 40, a.cells)) if v % 10}
    times: dict[str, list[float]] = {"reference": [], "measure_style": []}
    for _ in range(a.pairs):
        t = time.perf_counter()
        want = reference(codes, values, "企业数")
        times["reference"].append(time.perf_counter() - t)
        t = time.perf_counter()
        got = measure_style(codes, values, "企业数")
        times["measure_style"].append(time.perf_counter() - t)
        assert got == want
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{a.cells:,} cells, {a.pairs} pairs: reference {med['reference']:.3f} s, "
          f"measure_style {med['measure_style']:.3f} s, "
          f"{med['reference'] / med['measure_style']:.1f}x faster (medians; answers equal)")
    Path(a.out).write_text(json.dumps({"cells": a.cells, "pairs": a.pairs, "seconds": times,
                                       "median_s": med}, indent=1))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
