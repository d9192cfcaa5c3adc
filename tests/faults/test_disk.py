"""Outputs onto a full disk or a read-only folder: one line (exit 6), nothing half-written under
any name, the project as it was.

The full disk is a 256 KiB tmpfs and the read-only folder a tmpfs remounted read-only (both need
mount rights; without them those cases are skipped).  A file-size limit (RLIMIT_FSIZE: writes
past it fail with EFBIG, as on a full disk) needs no rights and always runs.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_harness import REPO, cli, env, fingerprint, run

OFFICER = "CC0100"

OUTPUTS = {
    "print": lambda p, d: ["print", p, "--atlas", "street", "--out", d / "map.pdf"],
    "fieldpack export": lambda p, d: ["fieldpack", "export", p, "--officer", OFFICER,
                                      "--out", d / "pk.zip"],
    "export gpkg": lambda p, d: ["export", p, "cells", "--out", d / "cells.gpkg"],
    "export xlsx": lambda p, d: ["export", p, "enterprises", "--out", d / "enterprises.xlsx"],
    "backup": lambda p, d: ["backup", p, d / "backup.gpkg"],
}


def _mount(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "full"
    if shutil.which("mount") is None or not _mount(folder, "size=256k"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    if shutil.which("mount") is None or not _mount(folder, "size=1m,ro"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def check_refused(r: subprocess.CompletedProcess[str], folder: Path, why: str) -> None:
    assert r.returncode == 6, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr, r.stderr
    lines = [x for x in r.stderr.splitlines() if not x.startswith(("…", "QPainter"))]
    assert len(lines) == 1 and why in lines[0] and "没有留下不完整的文件" in lines[0], r.stderr
    assert list(folder.iterdir()) == []  # not the output, not a staging file


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_an_output_onto_a_full_disk(name: str, demo_copy: Path, full_disk: Path) -> None:
    before = fingerprint(demo_copy)
    r = run("-q", *map(str, OUTPUTS[name](demo_copy, full_disk)))
    check_refused(r, full_disk, "磁盘空间不足")
    assert fingerprint(demo_copy) == before  # a package that never landed is not recorded


@pytest.mark.parametrize("name", ["backup", "fieldpack export", "print"])
def test_an_output_into_a_read_only_folder(name: str, demo_copy: Path, read_only: Path) -> None:
    before = fingerprint(demo_copy)
    r = run("-q", *map(str, OUTPUTS[name](demo_copy, read_only)))
    check_refused(r, read_only, "只读")
    assert fingerprint(demo_copy) == before


@pytest.mark.parametrize("name", ["print", "export xlsx"])
def test_an_output_past_the_file_size_limit(name: str, demo: Path, tmp_path: Path) -> None:
    """No mount rights needed: the process may not write a file past 100 KiB (the demo
    project is only read, so nothing else it writes comes near that)."""
    out = tmp_path / "out"
    out.mkdir()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))

    r = subprocess.run(cli("-q", *map(str, OUTPUTS[name](demo, out))), cwd=REPO, env=env(),
                       capture_output=True, text=True, preexec_fn=limit, timeout=120)
    check_refused(r, out, "磁盘空间不足")


def test_the_next_output_sweeps_what_a_killed_one_left(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs, as a killed print's
    stale_pdf = out / f".map.pdf.{gone.pid}.partial"
    stale_pdf.write_bytes(b"%PDF-1.4 half")
    stale_pack = out / f".gridmgr-fieldpack.{gone.pid}-abc123"
    (stale_pack / "package").mkdir(parents=True)
    mine = subprocess.Popen(["sleep", "30"])  # a live process's staging stays
    try:
        live = out / f".map.pdf.{mine.pid}.partial"
        live.write_bytes(b"%PDF-1.4 in progress")
        users = out / "notes.partial.txt"
        users.write_text("the user's own file")
        r = run("-q", "print", demo, "--out", out / "map.pdf")
        assert r.returncode == 0, r.stderr
        assert sorted(p.name for p in out.iterdir()) == sorted(["map.pdf", live.name,
                                                                 users.name])
    finally:
        mine.kill()
        mine.wait()
