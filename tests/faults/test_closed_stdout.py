"""An import whose standard output is closed early (``gridmgr … | head -1``) still does all
its work: the rows land, ``--report`` is written, and the exit code is the import's own (1:
rows refused), with a line on stderr saying the rest of the output was not shown.

Before, the summary's print raised BrokenPipeError half-way: no ``--report``, and exit 0
whatever the import's result.  The pipe is made one page small and the summary is ~48 KB, so
the reader closes it while the import still has most of its summary to write — every run."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fault_harness import REPO, cli, env

from gridmgr.errors import EXIT_FINDINGS
from gridmgr.project import open_project


def register(path: Path) -> Path:
    """60 enterprises with long names; every second one has unreadable coordinates."""
    rows = [["name", "address", "lon", "lat", "phone"]]
    for i in range(60):
        rows.append([f"佛山市{'禅城区季华路五金制品' * 200}{i:02d}有限公司", "祖庙路" * 300,
                     "abc" if i % 2 else "113.12", "23.02", "13800000000"])
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.mark.parametrize("lines_read", [1, 0], ids=["after_one_line", "before_any"])
def test_an_import_into_a_closed_pipe_lands_and_reports(demo, tmp_path, lines_read):
    project = tmp_path / "p.gpkg"
    shutil.copy(demo, project)
    os.chmod(project, 0o644)
    with open_project(project, readonly=True) as store:
        before = store.count_enterprises()
    src = register(tmp_path / "企业.csv")
    report = tmp_path / "r.json"
    read_fd, write_fd = os.pipe()
    fcntl.fcntl(read_fd, fcntl.F_SETPIPE_SZ, 4096)  # one page: the summary cannot fit
    proc = subprocess.Popen(cli("-q", "enterprises", "import", project, src, "--coords", "gcj02",
                                "--report", report),
                            stdout=write_fd, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env=env())
    os.close(write_fd)
    got = b""
    while got.count(b"\n") < lines_read:  # what `| head -1` reads before it exits
        chunk = os.read(read_fd, 1)
        assert chunk, "the import ended before writing a line"
        got += chunk
    os.close(read_fd)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "内部错误" not in err, err
    assert proc.returncode == EXIT_FINDINGS, err  # the import's own result: rows refused
    assert "标准输出的读取方已提前关闭" in err and f"退出码 {EXIT_FINDINGS}" in err, err
    if lines_read:
        assert got.decode().startswith("编码：utf-8")
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["accepted"] == 30
    assert len(written["refused"]) == 30
    with open_project(project, readonly=True) as store:
        assert store.count_enterprises() == before + 30
