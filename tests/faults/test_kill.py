"""kill -9 of each long command at seeded random moments (subprocesses of the real CLI).

After each kill the project is opened as a user would open it next, and must be intact
(integrity_check ok) and equal in content either to the project before the command or to the
project after a clean run of it — never between.  An output (PDF, package) is there complete
or not at all, and nothing half-written is left beside it.  ``pytest --soak N`` kills N times
per command (bench/soak_faults.py runs that and sums up what it saw).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from fault_harness import (
    DATA,
    DEMO,
    REPO,
    Command,
    Trial,
    Workbench,
    cli,
    env,
    fingerprint,
    integrity,
    log_trials,
    open_gridmgr,
)

OFFICER = "CC0100"

COMMANDS = [
    Command("grid import", ["grid", "import", "{P}", str(DEMO / "chancheng/communities.geojson"),
                            "--level", "community", "--supersede"]),
    Command("grid generate", ["grid", "generate", "{P}", "--size", "300", "--within",
                              "community", "--supersede"]),
    Command("enterprises import", ["enterprises", "import", "{P}",
                                   str(DATA / "samples/enterprises_messy.csv"),
                                   "--coords", "gcj02"]),
    Command("cases import", ["cases", "import", "{P}", str(DATA / "samples/cases_12345.csv"), "--coords", "gcj02"]),
    Command("fieldpack export", ["fieldpack", "export", "{P}", "--officer", OFFICER,
                                 "--out", "{OUT}/pk.zip"], output="pk.zip"),
    Command("fieldpack import", ["fieldpack", "import", "{P}", "{IN}/pk.zip"],
            setup=[["cases", "import", "{P}", str(DATA / "samples/cases_12345.csv"), "--coords", "gcj02"],
                   ["fieldpack", "export", "{P}", "--officer", OFFICER, "--out", "{IN}/pk.zip"]]),
    Command("print", ["print", "{P}", "--atlas", "street", "--out", "{OUT}/map.pdf"],
            output="map.pdf", writes=False),
]


@pytest.fixture
def kills(request: pytest.FixtureRequest) -> int:
    return request.config.getoption("--soak") or 2


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_kill_leaves_the_project_before_or_after(command: Command, demo: Path, tmp_path: Path,
                                                 kills: int) -> None:
    bench = Workbench(tmp_path, demo, command)
    first, total = bench.clean_run()
    rng = random.Random(f"{command.name}-{kills}")  # seeded: a failure can be replayed
    trials = []
    for _ in range(kills):
        delay = rng.uniform(first * 0.8, total * 1.05)  # from the first progress to the end
        trials.append(bench.killed_run(delay))
    log_trials(command.name, trials)
    for t in trials:
        assert t.state in ("before", "after"), (command.name, t)
        assert t.leftovers == [], (command.name, t)
        if t.finished:  # it ran to its end before the kill: all of it landed
            assert t.state == ("after" if command.writes else "before"), (command.name, t)
            if command.output:
                assert t.output_complete, (command.name, t)


# ------------------------------------------------------------------ push and pull (the server)
# Both talk to the run's own throwaway cluster on 127.0.0.1 (``pg_server``, started when first
# needed), so they run in the files suite and with --backend postgis alike.

def server_rows(pg_server: Any, schema: str) -> dict[str, str] | None:
    """Each table of a server project as one hash of its sorted rows; None: no such schema."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user=pg_server.user,
                         password=os.environ["PGPASSWORD"], dbname="postgres",
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]
                            ).fetchone():
            return None
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' ORDER BY 1", [schema])]
        return {t: conn.execute(f'SELECT count(*) || \':\' || coalesce(md5(string_agg(r::text, '
                                f'\'|\' ORDER BY r::text)), \'\') FROM "{schema}"."{t}" r'
                                ).fetchone()[0] for t in tables}


def timed(argv: list[str]) -> float:
    t0 = time.monotonic()
    done = subprocess.run(argv, cwd=REPO, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - t0


def killed(argv: list[str], delay: float) -> bool:
    """Run ``argv``, SIGKILL it after ``delay`` s; whether it had finished by then."""
    proc = subprocess.Popen(argv, cwd=REPO, env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def test_kill_push_leaves_the_server_project_absent_or_whole(demo_file: Path, pg_server: Any,
                                                             tmp_path: Path, kills: int) -> None:
    """``gridmgr push`` is one server transaction: killed at any moment, the schema is not
    there or is what a clean push makes; the file project is not touched."""
    src = tmp_path / "p.gpkg"
    shutil.copyfile(demo_file, src)
    os.chmod(src, 0o644)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    total = timed(cli("-q", "push", src, pg_server.url("postgres", schema="kill_push_clean")))
    after = server_rows(pg_server, "kill_push_clean")
    assert after and sum(int(v.split(":")[0]) for v in after.values()) > 1000
    rng = random.Random(f"push-{kills}")
    trials = []
    for i in range(kills):
        schema = f"kill_push_{kills}_{i}"
        delay = rng.uniform(total * 0.3, total * 1.05)  # from the interpreter's start to the end
        finished = killed(cli("-q", "push", src, pg_server.url("postgres", schema=schema)), delay)
        now = server_rows(pg_server, schema)
        state = "before" if now is None else "after" if now == after else "other"
        trials.append(Trial(delay, state, finished, [], False))
        assert state in ("before", "after"), (i, delay, now)
        if finished:
            assert state == "after", (i, delay)
        assert hashlib.sha256(src.read_bytes()).hexdigest() == sha  # the file: read only
        assert integrity(src) == "ok"
    log_trials("push", trials)


def test_kill_pull_leaves_no_file_or_a_whole_one(demo_file: Path, pg_server: Any,
                                                 tmp_path: Path, kills: int) -> None:
    """``gridmgr pull`` builds the file under a hidden name and renames it: killed at any
    moment, the target is absent or equal to a clean pull (integrity ok), and what the kill
    left is swept by the next output into that folder; the server project is unchanged."""
    from gridmgr.project import push_project
    from gridmgr.staging import sweep

    url = pg_server.url("postgres", schema=f"kill_pull_{kills}")
    push_project(demo_file, url)
    server = server_rows(pg_server, f"kill_pull_{kills}")
    clean = tmp_path / "clean" / "p.gpkg"
    clean.parent.mkdir()
    total = timed(cli("-q", "pull", url, clean))
    with open_gridmgr(clean):
        pass
    after = fingerprint(clean)
    rng = random.Random(f"pull-{kills}")
    trials = []
    for i in range(kills):
        work = tmp_path / f"w{i}"
        work.mkdir()
        out = work / "p.gpkg"
        delay = rng.uniform(total * 0.3, total * 1.2)  # some runs finish: a whole file
        finished = killed(cli("-q", "pull", url, out), delay)
        if out.exists():
            with open_gridmgr(out):
                pass
            assert integrity(out) == "ok"
            state = "after" if fingerprint(out) == after else "other"
        else:
            state = "before"
        staged = sorted(p.name for p in work.iterdir() if p.name != out.name)
        sweep(work)  # what the next pull or output into this folder does first
        left = sorted(p.name for p in work.iterdir()
                      if p.name not in (out.name, out.name + "-wal", out.name + "-shm"))
        trials.append(Trial(delay, state, finished, left, False, staged))
        assert state in ("before", "after"), (i, delay)
        assert left == [], (i, delay, left)
        if finished:
            assert state == "after", (i, delay)
        assert server_rows(pg_server, f"kill_pull_{kills}") == server
    log_trials("pull", trials)
