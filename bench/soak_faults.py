"""The fault suite's long run: kill each long command N times, run each race N times, and sum
up what was seen (states after a kill, exit codes of the racers).

    .venv/bin/python bench/soak_faults.py            # N = 25 (about 15 minutes on 2 cores)
    .venv/bin/python bench/soak_faults.py --n 5 --out /tmp/faults.json

It runs ``pytest tests/faults/test_kill.py tests/faults/test_concurrency.py --soak N`` with
GRIDMGR_FAULT_LOG pointing at a temporary file, then prints one table per suite and writes the
counts to ``bench/results_faults.json``.  A failing assertion fails the run (exit 1).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=25, help="kills per command and trials per race")
    ap.add_argument("--out", default=str(REPO / "bench/results_faults.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "faults.jsonl"
        env = dict(os.environ, GRIDMGR_FAULT_LOG=str(log), QT_QPA_PLATFORM="offscreen")
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests/faults/test_kill.py", "tests/faults/test_concurrency.py",
                               "--soak", str(args.n)], cwd=REPO, env=env)
        seconds = time.monotonic() - t0
        rows = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] \
            if log.exists() else []
    kills: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    races: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in rows:
        if "race" in r:
            races[r["race"]][r["outcome"]] += 1
            continue
        c = kills[r["command"]]
        c["kills"] += 1
        c[f"state {r['state']}"] += 1
        c["finished before the kill"] += r["finished"]
        c["interruption said on open"] += r["notice"]
        c["staging left, swept next time"] += r["staged"]
        c["left over after the sweep"] += bool(r["leftovers"])
    print(f"\nkill -9, {args.n} per command ({seconds:.0f} s in all)")
    for cmd, c in kills.items():
        print(f"  {cmd:<20} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    print("\nraces (exit codes of the racers)")
    for race, c in races.items():
        print(f"  {race:<32} " + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))
    Path(args.out).write_text(json.dumps({"n": args.n, "seconds": round(seconds),
                                          "kills": kills, "races": races}, ensure_ascii=False,
                                         indent=2), encoding="utf-8")
    print(f"\n{args.out}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
