"""kill -9 of each long command at seeded random moments (subprocesses of the real CLI).

After each kill the project is opened as a user would open it next, and must be intact
(integrity_check ok) and equal in content either to the project before the command or to the
project after a clean run of it — never between.  An output (PDF, package) is there complete
or not at all, and nothing half-written is left beside it.  ``pytest --soak N`` kills N times
per command (bench/soak_faults.py runs that and sums up what it saw).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fault_harness import DATA, DEMO, Command, Workbench, log_trials

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
