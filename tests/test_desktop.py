"""The desktop shell on the demo project: tree, map and detail panel stay in sync."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from gridmgr.demo import build_demo
from gridmgr.progress import run
from ui.app import CODE_ROLE, MainWindow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run(build_demo(tmp_path_factory.mktemp("demo") / "demo.gpkg"))


def test_window_shows_the_demo_and_clicks_select(qtbot, demo, tmp_path):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    assert win.load(demo)
    qtbot.waitExposed(win)
    assert "禅城区" in win.windowTitle()
    top = [win.model.item(r).text() for r in range(win.model.rowCount())]
    assert sorted(top) == sorted(["祖庙街道", "石湾镇街道", "张槎街道", "南庄镇"])

    # click the map in the middle of a known cell: the tree and the detail panel follow
    layer = win.map.scene.layers["cell"]
    i = layer.index["44060401200101"]
    centre = layer.bounds[i].center()
    win.map.select({"44060401200101"}, fly=True)
    qtbot.wait(50)
    pos = win.map._view().map(centre)
    qtbot.mouseClick(win.map, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert win.tree.currentIndex().siblingAtColumn(0).data(CODE_ROLE) == "44060401200101"
    assert "44060401200101" in win.detail.text()
    assert "升平社区" in win.detail.text()

    # selecting in the tree selects on the map
    win.search.setText("福贤社区")
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.map.selected == {"440604012002"}

    shot = tmp_path / "window.png"
    assert win.grab().save(str(shot))
    assert shot.stat().st_size > 20_000


def test_bad_project_shows_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[1:]))
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a project")
    win = MainWindow()
    qtbot.addWidget(win)
    assert not win.load(bad)
    assert shown and shown[0][0] == "项目文件错误" and "不是 gridmgr 项目" in shown[0][1]


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="xvfb-run (Debian xvfb) not installed")
def test_window_opens_on_a_real_x_display(demo, tmp_path):
    """Offscreen Qt hides missing X libraries (libxcb-cursor0 …); a virtual X server does not."""
    shot = tmp_path / "x11.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    gridmgr = Path(sys.executable).with_name("gridmgr")
    cmd = [str(gridmgr)] if gridmgr.exists() else [sys.executable, "-m", "gridmgr"]
    out = subprocess.run(["xvfb-run", "-a", *cmd, "gui", str(demo), "--screenshot", str(shot)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert shot.stat().st_size > 50_000


def test_grid_system_switch_shows_the_environmental_grid(qtbot, demo, tmp_path):
    from gridmgr.cli import main

    p = tmp_path / "two.gpkg"
    p.write_bytes(demo.read_bytes())
    comms = tmp_path / "c.gpkg"
    streets = tmp_path / "s.gpkg"
    assert main(["-q", "export", str(p), "streets", "--out", str(streets)]) == 0
    assert main(["-q", "export", str(p), "communities", "--out", str(comms)]) == 0
    assert main(["-q", "grid", "import", str(p), str(streets), "--level", "street",
                 "--system", "env"]) == 0
    assert main(["-q", "grid", "import", str(p), str(comms), "--level", "community",
                 "--system", "env"]) == 0
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(p)
    assert "cell" in win.map.scene.layers and len(win.map.scene.layers["cell"].codes) > 1500
    assert [win.systems.itemData(i) for i in range(win.systems.count())] == ["urban", "env"]
    win.systems.setCurrentIndex(1)
    win.systems.activated.emit(1)
    assert win.system == "env"
    assert len(win.map.scene.layers["cell"].codes) == 0
    assert len(win.map.scene.layers["community"].codes) == 96
    assert "环保网格" in win.statusBar().currentMessage()
