"""网格 → 修复几何… in the window: asks first, runs ``grid repair`` in the TaskRunner, lists the
repair in the findings table, and the project's geometry is valid afterwards."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

import shapely
from PySide6.QtWidgets import QMessageBox
from shapely.geometry import Polygon

from gridmgr.project import open_project
from ui.app import MainWindow


def _bow_tie(store) -> str:
    """Make one demo cell a bow-tie (its bounding box's corners crossed); returns its code."""
    cells = store.areas("cell")
    row = cells.iloc[0]
    x0, y0, x1, y1 = row.geometry.bounds
    bow = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    assert not bow.is_valid
    with store.atomic():
        store.set_area_geometries("cell", [int(row["fid"])], [bow], [None])
    return str(row["code"])


def test_repair_action_asks_runs_and_reports(qtbot, demo_copy, monkeypatch):
    with open_project(demo_copy) as store:
        code = _bow_tie(store)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)
    grid_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "网格")
    texts = [a.text() for a in grid_menu.actions()]
    assert texts[texts.index("检查网格…") + 1] == "修复几何…"  # next to the check

    # refused at the question: nothing runs, nothing changes
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    win.repair_action.trigger()
    with open_project(demo_copy, readonly=True) as store:
        cell = store.areas("cell").set_index("code").loc[code]
        assert not shapely.is_valid(cell.geometry)

    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[1:3]) or QMessageBox.StandardButton.Yes)
    win.repair_action.trigger()  # the menu's 网格 → 修复几何…
    assert asked and asked[0][0] == "修复几何" and "make_valid" in asked[0][1]
    qtbot.waitUntil(lambda: getattr(win, "findings_dialog", None) is not None
                    and win.findings_dialog.windowTitle() == "几何修复报告", timeout=60_000)
    dlg = win.findings_dialog
    found = [(f.reason, f.code, f.extra.get("parts")) for f in dlg.model.findings]
    assert found == [("geometry_repaired", code, 2)]  # the bow-tie's two triangles
    assert "已修复 1 个无效几何" in dlg.summary.text()
    shown = [dlg.model.data(dlg.model.index(0, c)) for c in range(dlg.model.columnCount())]
    assert "单元网格" in shown
    dlg.resize(900, 300)
    assert not dlg.grab().isNull()

    with open_project(demo_copy, readonly=True) as store:
        cells = store.areas("cell")
        cell = cells.set_index("code").loc[code]
        assert shapely.is_valid(cell.geometry)
        assert shapely.get_num_geometries(cell.geometry) == 2
        assert shapely.is_valid(cells.geometry.to_numpy()).all()
        assert store.audit_log()[-1]["action"] == "grid repair"
