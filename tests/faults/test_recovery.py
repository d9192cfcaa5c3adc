"""Opening a project after a crash: undone, said, never called damaged; damage only after
integrity_check, then with the way out (backup, repair); backups through SQLite's backup API.

The crashed writer here is a plain sqlite3 process killed with SIGKILL in the middle of a big
transaction on a project in rollback-journal mode (as every project made before WAL is, and as
QGIS may leave one): the file then holds half-written pages and a hot ``-journal`` that only a
read-write open can roll back.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pyogrio
import pytest
from fault_harness import REPO, env, fingerprint, integrity, run

from gridmgr.project import open_project
from ui.app import MainWindow  # before any QApplication: it brings QtWebEngine

VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def crash_mid_write(project: Path) -> Path:
    """Leave ``project`` as a killed writer leaves it: pages of an uncommitted transaction in
    the file and the hot journal that undoes them.  Returns the journal."""
    conn = sqlite3.connect(project)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    conn.close()
    code = textwrap.dedent(f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(project)!r}, isolation_level=None)
        conn.execute("PRAGMA cache_size = 2")  # spill: the file itself gets the new pages
        conn.execute("BEGIN")
        conn.execute("UPDATE officers SET name = name || '（已调离）', mobile = NULL")
        for i in range(300):
            conn.execute("INSERT INTO gridmgr_audit (at, action, detail) VALUES "
                         "('2026-01-01', 'crash', ?)", ["x" * 8000])
        print("written", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "written"
    proc.kill()
    proc.wait()
    journal = project.with_name(project.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    with pytest.raises(sqlite3.DatabaseError):  # what made gridmgr say 已损坏 before
        ro = sqlite3.connect(f"{project.as_uri()}?mode=ro", uri=True)
        try:
            ro.execute("SELECT count(*) FROM officers").fetchone()
        finally:
            ro.close()
    return journal


@pytest.fixture
def crashed(demo_copy: Path) -> tuple[Path, dict, Path]:
    before = fingerprint(demo_copy)
    journal = crash_mid_write(demo_copy)
    return demo_copy, before, journal


def test_info_after_a_crash_undoes_it_and_says_so(crashed) -> None:
    project, before, journal = crashed
    r = run("info", project)
    assert r.returncode == 0, r.stderr
    assert "已损坏" not in r.stderr and "Traceback" not in r.stderr
    assert "注意" in r.stderr and "已撤销" in r.stderr, r.stderr
    assert not journal.exists()
    assert integrity(project) == "ok"
    assert fingerprint(project) == before  # byte for byte the rows it had before the crash
    with open_project(project, readonly=True) as store:  # said once: the next open is quiet
        assert store.recovered is None
        assert "（已调离）" not in "".join(store.officers()["name"])


def test_a_read_only_crashed_project_says_what_to_do_and_is_left_alone(crashed) -> None:
    project, before, journal = crashed
    os.chmod(project, 0o444)
    try:
        was = digest(project), digest(journal)
        r = run("info", project)
        assert r.returncode == 4, r.stderr
        assert "已损坏" not in r.stderr and "Traceback" not in r.stderr
        assert "请不要删除" in r.stderr and journal.name in r.stderr, r.stderr
        assert "设为可写" in r.stderr
        assert (digest(project), digest(journal)) == was  # nothing touched
    finally:
        os.chmod(project, 0o644)
    r = run("info", project)  # done as told: it opens, and the crash is undone
    assert r.returncode == 0 and "已撤销" in r.stderr, r.stderr
    assert fingerprint(project) == before


def test_the_window_opens_a_crashed_project_and_says_it_was_undone(qtbot, crashed) -> None:
    project, before, journal = crashed
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.load(project)  # no modal error: the window shows the project
    assert "已撤销" in win.statusBar().currentMessage()
    assert not journal.exists()
    assert fingerprint(project) == before


def test_damage_is_reported_only_after_integrity_check_with_the_way_out(demo_copy: Path,
                                                                         tmp_path: Path) -> None:
    conn = sqlite3.connect(demo_copy)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'enterprises'"
                        ).fetchone()[0]
    cells = conn.execute("SELECT count(*) FROM cells").fetchone()[0]
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    with open(demo_copy, "r+b") as fh:  # a bad sector in the middle of the enterprises
        fh.seek((root - 1) * page)
        fh.write(os.urandom(page))
    r = run("workload", demo_copy)  # reads every enterprise
    assert r.returncode == 4, r.stdout + r.stderr
    assert "已损坏" in r.stderr and "gridmgr repair" in r.stderr and "备份" in r.stderr
    assert "Traceback" not in r.stderr
    fixed = tmp_path / "fixed.gpkg"
    r = run("repair", demo_copy, fixed)
    assert r.returncode == 1, r.stdout + r.stderr  # something could not be read: said
    assert "enterprises" in r.stdout and fixed.exists()
    info = run("info", fixed, "--json")
    assert info.returncode == 0, info.stderr
    assert f'"cell": {cells}' in info.stdout  # what was intact came across whole
    assert integrity(fixed) == "ok"


def test_a_backup_while_another_process_writes_is_consistent_and_valid(demo_copy: Path,
                                                                        tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import time
        from gridmgr.project import open_project
        with open_project({str(demo_copy)!r}) as store, store.atomic():
            store.set_meta("holder", "uncommitted")
            print("holding", flush=True)
            time.sleep(30)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env(),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        dest = tmp_path / "backup.gpkg"
        r = run("backup", demo_copy, dest)
        assert r.returncode == 0, r.stderr
    finally:
        holder.kill()
        holder.wait()
    assert not list(tmp_path.glob("backup.gpkg?*"))  # one file: no -wal, no .part
    assert integrity(dest) == "ok"
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    with open_project(dest, readonly=True) as b, open_project(demo_copy, readonly=True) as p:
        assert "holder" not in b.meta()
        assert b.count_areas("cell") == p.count_areas("cell")
        assert b.count_enterprises() == p.count_enterprises()
    again = run("backup", demo_copy, dest)
    assert again.returncode == 4 and "不会覆盖" in again.stderr
    if VALIDATOR.exists():
        out = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(dest)],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_gdal_reads_and_validates_a_project_in_wal_while_it_is_open(demo_copy: Path) -> None:
    with open_project(demo_copy) as store:  # the window holds it open; a write goes to -wal
        with store.atomic():
            store.set_meta("note", "written while open")
        wal = demo_copy.with_name(demo_copy.name + "-wal")
        assert wal.exists()
        cells = pyogrio.read_dataframe(demo_copy, layer="cells")
        assert len(cells) == store.count_areas("cell", current=False)
        if VALIDATOR.exists():
            out = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(demo_copy)],
                                 capture_output=True, text=True)
            assert out.returncode == 0, out.stdout + out.stderr
    shutil.copyfile(demo_copy, demo_copy.with_name("copied-alone.gpkg"))
    with open_project(demo_copy.with_name("copied-alone.gpkg"), readonly=True) as copy:
        assert copy.meta()["note"] == "written while open"  # checkpointed: the file has it
