"""The dialogs beside the window (ui/tools.py) are reachable from its menus and get what the
window shows: the chosen area as the print scope, the map's extent for "print this view"."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import Qt
from test_desktop import shown_window

from ui.conflicts_view import ConflictsDialog
from ui.fieldpack_dialog import FieldpackExportDialog, FieldpackImportDialog
from ui.print_dialog import PrintDialog


def menu_action(win, menu_title: str, text: str):
    for top in win.menuBar().actions():
        if top.menu() is not None and top.text() == menu_title:
            for act in top.menu().actions():
                if act.text() == text:
                    return act
    raise AssertionError(f"no {menu_title} → {text}")


def test_print_menu_prints_the_chosen_area_and_the_current_view(qtbot, demo):
    win = shown_window(qtbot, demo)
    win.search.setText("福贤社区")
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.map.selected == {"440604012002"}

    menu_action(win, "项目", "打印责任区域图…").trigger()
    dialog = win.tools.open["print"]
    assert isinstance(dialog, PrintDialog)
    assert dialog.scope_value() == "440604012002"
    assert dialog.store_path == demo
    dialog.close()

    menu_action(win, "项目", "打印当前视图…").trigger()
    dialog = win.tools.open["print"]
    qtbot.waitUntil(lambda: dialog.view_bounds is not None, timeout=15_000)
    west, south, east, north = dialog.view_bounds
    # the view is around Chancheng (113.0–113.2°E, 22.9–23.1°N), west before east
    assert 112.5 < west < east < 113.7 and 22.5 < south < north < 23.5
    dialog.close()


def test_field_menu_opens_export_import_and_conflicts_for_the_project(qtbot, demo):
    win = shown_window(qtbot, demo)
    menu_action(win, "外业", "导出外业包…").trigger()
    assert isinstance(win.tools.open["fieldpack_export"], FieldpackExportDialog)
    menu_action(win, "外业", "导入外业包…").trigger()
    assert isinstance(win.tools.open["fieldpack_import"], FieldpackImportDialog)
    menu_action(win, "外业", "处理冲突…").trigger()
    assert isinstance(win.tools.open["conflicts"], ConflictsDialog)
    for dialog in win.tools.open.values():
        dialog.close()


def test_cases_tab_markers_and_a_new_case_placed_on_the_map(qtbot, demo_copy, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox
    from test_desktop import page

    from gridmgr.cases import lifecycle as cases
    from gridmgr.project import open_project

    monkeypatch.setattr(cases, "now_local", lambda: "2026-11-01T10:00:00")
    win = shown_window(qtbot, demo_copy)
    panel = win.cases_panel
    assert win.tabs.tabText(win.tabs.indexOf(panel)) == "案件"
    with open_project(demo_copy, readonly=True) as store:
        frame = store.cases_frame()
        unresolved = frame[frame["status"].isin(cases.UNRESOLVED)]
        cells = store.areas("cell", system="urban").to_crs("EPSG:4490")
    # the unresolved cases are on the map, in the layer control as 案件
    page(qtbot, win, "gridmap.caseStats()", lambda s: s["n"] == len(unresolved) and s["shown"])
    assert "案件" in page(qtbot, win, "gridmap.controlNames()")

    # a marker click opens that case in the 案件 tab
    no = unresolved["case_no"].iloc[0]
    win.map.bridge.caseClicked(no)
    assert win.tabs.currentWidget() is panel and panel.detail.case_no == no

    # 新建案件: the map waits for a place, the click opens the form there, the case lands
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert win.tabs.currentIndex() == 0
    cell = cells.iloc[len(cells) // 2]
    pt = cell.geometry.representative_point()
    win.map.bridge.pointPicked(pt.x, pt.y)
    dialog = panel.dialog
    assert win.tabs.currentWidget() is panel and cell["code"] in dialog.where.text()
    dialog.source.setCurrentText("巡查上报")
    assert dialog.set_category("SJ0102")
    dialog.description.setPlainText("人行道旁有暴露垃圾")
    with qtbot.waitSignal(panel.cases_changed):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    created = dialog.created["case_no"]
    with open_project(demo_copy, readonly=True) as store:
        assert store.case_row(created)["cell_code"] == cell["code"]
    # and the map shows one more unresolved case
    page(qtbot, win, "gridmap.caseStats()", lambda s: s["n"] == len(unresolved) + 1)
