"""What the fault suite shares: running the real CLI as a subprocess, killing it, and comparing
projects by content (the rows a user sees, not the random UUIDs and clocks a run stamps)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
DEMO = REPO / "gridmgr" / "data" / "demo"

# columns a clean run fills differently each time: identities and clocks (timestamp:
# gpkg_metadata_reference's)
VOLATILE = re.compile(r"uuid|(^|_)at$|^last_change$|^since$|^detail$|^out_path$|^timestamp$")


def cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "gridmgr", *map(str, args)]


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1", **extra})
    return e


def run(*args: str | Path, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=timeout,
                          env=env(**extra), cwd=REPO)


def fingerprint(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (sorted, volatile columns left out), read through a read-only
    connection — after gridmgr has opened the file once, so a crash's journal is undone."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out: dict[str, list[tuple[Any, ...]]] = {}
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " ORDER BY name")]
        for name in names:
            if name.startswith("sqlite_") or name.endswith(("_node", "_parent", "_rowid")):
                continue
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            keep = [c for c in cols if not VOLATILE.search(c)]
            if not keep:
                continue
            sel = ", ".join(f'"{c}"' for c in keep)
            rows = conn.execute(f'SELECT {sel} FROM "{name}"').fetchall()
            if name == "fieldpack_records":  # a package's own record holds its manifest's
                # sha256, and the manifest carries the package uuid and time: volatile too
                vol = {keep.index("version_hash"), keep.index("version")}
                rows = [tuple(None if i in vol else v for i, v in enumerate(r))
                        if r[keep.index("table_name")] == "package" else r for r in rows]
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def open_gridmgr(path: Path) -> Any:
    """Open as the window does (read-only): any interrupted action is undone first."""
    from gridmgr.project import open_project

    return open_project(path, readonly=True)


def complete_output(p: Path) -> bool:
    """A finished output: a PDF with its trailer, a zip whose members all check."""
    if p.suffix == ".pdf":
        data = p.read_bytes()
        return data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    if p.suffix == ".zip":
        try:
            with zipfile.ZipFile(p) as zf:
                return zf.testzip() is None and "manifest.json" in zf.namelist()
        except zipfile.BadZipFile:
            return False
    return p.stat().st_size > 0


@dataclass
class Command:
    """One long command: its arguments (``{P}`` the project, ``{OUT}`` the output folder,
    ``{IN}`` what the setup steps made) and the output file it makes, if any."""

    name: str
    args: list[str]
    output: str | None = None
    writes: bool = True  # False: only the output is checked (print reads the project)
    setup: list[list[str]] = field(default_factory=list)  # run once on the base first

    def argv(self, project: Path, out: Path, inputs: Path, args: list[str] | None = None
             ) -> list[str]:
        return [a.replace("{P}", str(project)).replace("{OUT}", str(out))
                .replace("{IN}", str(inputs)) for a in (args or self.args)]


@dataclass
class Trial:
    delay: float
    state: str  # "before", "after" (equal to a clean run) or what else was seen
    finished: bool
    leftovers: list[str]  # what is still there once the next output's sweep has run
    notice: bool
    staged: list[str] = field(default_factory=list)  # hidden files the kill left behind
    output_complete: bool = False  # the command's output is there, whole


class Workbench:
    """A folder where one command is run clean once, then again and again killed."""

    def __init__(self, root: Path, base: Path, command: Command) -> None:
        self.root, self.command = root, command
        self.work = root / "work"
        self.project = self.work / "p.gpkg"
        self.out = self.work / "out"
        self.inputs = root / "inputs"
        self.inputs.mkdir()
        self.base = root / "base.gpkg"
        shutil.copyfile(base, self.base)
        os.chmod(self.base, 0o644)
        for step in command.setup:  # e.g. export a package for the import to bring back
            self.reset()
            done = run("-q", *command.argv(self.project, self.inputs, self.inputs, step))
            assert done.returncode in (0, 1), done.stderr
            with open_gridmgr(self.project):
                pass
            shutil.copyfile(self.project, self.base)
        self.before = fingerprint(self.base)

    def reset(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        self.out.mkdir(parents=True)
        shutil.copyfile(self.base, self.project)

    def argv(self) -> list[str]:
        return cli(*self.command.argv(self.project, self.out, self.inputs))

    def clean_run(self) -> tuple[float, float]:
        """Run to the end; returns (seconds to the first progress line, seconds in all)."""
        self.reset()
        t0 = time.monotonic()
        proc = subprocess.Popen(self.argv(), cwd=REPO, env=env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        first = None
        assert proc.stderr is not None
        for line in proc.stderr:
            if first is None and line.startswith("…"):
                first = time.monotonic() - t0
        rc = proc.wait()
        total = time.monotonic() - t0
        assert rc in (0, 1), f"{self.command.name} failed in a clean run: rc {rc}"
        self.after = fingerprint(self.project)
        assert (self.after != self.before) == self.command.writes, self.command.name
        return (first if first is not None else total / 2), total

    def killed_run(self, delay: float) -> Trial:
        self.reset()
        proc = subprocess.Popen(self.argv(), cwd=REPO, env=env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL: no handler, no finally, no atexit
            proc.wait()
            finished = False
        with open_gridmgr(self.project) as store:  # what a user does next: open it
            notice = bool(store.recovered)
        assert integrity(self.project) == "ok"
        now = fingerprint(self.project)
        state = "before" if now == self.before else "after" if now == self.after else "other"
        if state == "other":
            diff = sorted(t for t in set(now) | set(self.before)
                          if now.get(t) != self.before.get(t) and now.get(t) != self.after.get(t))
            state = f"other: {diff}"
        staged = self._leftovers()
        from gridmgr.staging import sweep

        sweep(self.out)  # what the next print or export into this folder does first
        leftovers = self._leftovers()
        if self.command.output and self.command.writes and state == "before" \
                and (self.out / self.command.output).exists() \
                and complete_output(self.out / self.command.output):
            leftovers.append(f"{self.command.output} (complete, but the project has no record)")
        target = self.out / self.command.output if self.command.output else None
        whole = bool(target and target.exists() and complete_output(target))
        return Trial(delay, state, finished, leftovers, notice, staged, whole)

    def _leftovers(self) -> list[str]:
        return sorted(str(p.relative_to(self.work)) for p in self.work.rglob("*")
                      if p != self.project and p != self.out
                      and p.name not in ("p.gpkg-wal", "p.gpkg-shm")
                      and not (self.command.output and p == self.out / self.command.output
                               and complete_output(p)))


def log_trials(command: str, trials: list[Trial]) -> None:
    """Append the trials to GRIDMGR_FAULT_LOG (bench/soak_faults.py sums them up)."""
    path = os.environ.get("GRIDMGR_FAULT_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for t in trials:
            fh.write(json.dumps({"command": command, "delay": round(t.delay, 3),
                                 "state": t.state, "finished": t.finished,
                                 "leftovers": t.leftovers, "staged": bool(t.staged),
                                 "notice": t.notice},
                                ensure_ascii=False) + "\n")


def log_race(race: str, outcome: str) -> None:
    """One concurrency trial's outcome (e.g. "0+2": first exit code 0, second 2)."""
    path = os.environ.get("GRIDMGR_FAULT_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"race": race, "outcome": outcome}, ensure_ascii=False) + "\n")
