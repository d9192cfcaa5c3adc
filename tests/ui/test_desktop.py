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
from webpage import wait_js

from ui.app import CODE_ROLE, MainWindow


def shown_window(qtbot, project) -> MainWindow:
    """The main window, shown at a fixed size, with ``project`` loaded and its map drawn."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    with qtbot.waitSignal(win.map.painted, timeout=30_000):
        assert win.load(project)
    qtbot.waitExposed(win)
    return win


def page(qtbot, win: MainWindow, script: str, pred=lambda v: True, timeout: int = 15_000):
    """Poll ``script`` in the map page until ``pred(result)``; returns the result."""
    return wait_js(qtbot, win.map, script, pred, timeout)


def test_window_shows_the_demo_and_clicks_select(qtbot, demo, tmp_path):
    win = shown_window(qtbot, demo)
    assert "禅城区" in win.windowTitle()
    top = [win.model.item(r).text() for r in range(win.model.rowCount())]
    assert sorted(top) == sorted(["祖庙街道", "石湾镇街道", "张槎街道", "南庄镇"])

    # click the map in the middle of a known cell: the tree and the detail panel follow
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    win.map.fly_to("44060401200101", animate=False)
    page(qtbot, win, "gridmap.stats()", lambda s: s["shown"]["cell"])
    x, y = page(qtbot, win, "gridmap.pointOf('44060401200101')")
    with qtbot.waitSignal(win.map.areaClicked, timeout=10_000):
        QTest.mouseClick(win.map.focusProxy() or win.map, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, QPoint(round(x), round(y)))
    assert win.tree.currentIndex().siblingAtColumn(0).data(CODE_ROLE) == "44060401200101"
    assert "44060401200101" in win.detail_plain()
    assert "升平社区" in win.detail_plain()
    # who answers for the cell, from the core's effective responsibility
    from gridmgr.project import open_project
    from gridmgr.registers.responsibility import effective

    with open_project(demo, readonly=True) as store:
        eff = effective(store).set_index("cell_code").loc["44060401200101"]
        n_ents = int((store.enterprises()["cell_code"] == "44060401200101").sum())
    # the primary is shown under its role in the team (网格员, or 执法队员 where that is all)
    assert f"{eff['primary_role']}：{eff['primary_name']} {eff['primary_mobile']}" \
        in win.detail_plain()
    assert f"企业 {n_ents} 家" in win.detail_plain()
    assert len(win.map.point_codes) == 3000

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


def test_grid_system_switch_shows_the_environmental_grid(qtbot, demo_file, tmp_path):
    from gridmgr.cli import main

    p = tmp_path / "two.gpkg"
    p.write_bytes(demo_file.read_bytes())
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
    assert len(win.map.codes["cell"]) > 1500
    assert [win.systems.itemData(i) for i in range(win.systems.count())] == ["urban", "env"]
    win.systems.setCurrentIndex(1)
    win.systems.activated.emit(1)
    assert win.system == "env"
    assert len(win.map.codes["cell"]) == 0
    assert len(win.map.codes["community"]) == 96
    stats = page(qtbot, win, "gridmap.stats()", lambda s: s["levels"].get("cell") == 0)
    assert stats["levels"]["community"] == 96
    assert "环保网格" in win.statusBar().currentMessage()


def test_validate_runs_in_a_thread_and_lists_findings(qtbot, demo_file, tmp_path):
    """Break the demo (one cell moved onto its neighbour), check it from the menu, read the
    table, and double-click a finding to see the cell on the map."""
    import shapely

    from gridmgr.project import open_project

    p = tmp_path / "broken.gpkg"
    p.write_bytes(demo_file.read_bytes())
    with open_project(p) as store, store.atomic():
        cells = store.areas("cell")
        moved = shapely.affinity.translate(cells.geometry.iloc[0], xoff=0.001)
        store.close_areas("cell", "urban", codes=[cells["code"].iloc[0]], valid_to="2099-01-01")
        store.insert_areas("cell", [{"code": cells["code"].iloc[0],
                                     "parent_code": cells["parent_code"].iloc[0]}], [moved])
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(p)
    runner = win.validate()
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        pass
    dlg = win.findings_dialog
    reasons = {f.reason for f in dlg.model.findings}
    assert {"overlap", "gap"} <= reasons
    assert dlg.model.rowCount() == len(dlg.model.findings) > 0
    assert "个错误" in dlg.summary.text()
    row = next(i for i, f in enumerate(dlg.model.findings) if f.reason == "overlap")
    shown = [dlg.model.data(dlg.model.index(row, c)) for c in range(dlg.model.columnCount())]
    assert shown[:3] == ["错误", "重叠", "单元网格"]  # people read names, not reason codes
    target = dlg.model.findings[row].code
    dlg.locate.emit(dlg.model.findings[row])
    assert win.map.selected == {target}
    dlg.grab().save(str(tmp_path / "findings.png"))


def test_cancelled_task_leaves_the_project_as_it_was(qtbot, demo_file, tmp_path):
    """Cancel an import running in the worker thread: nothing lands."""
    from gridmgr.grid.generate import generate_grid
    from gridmgr.project import open_project
    from ui.tasks import TaskRunner

    p = tmp_path / "cancel.gpkg"
    p.write_bytes(demo_file.read_bytes())
    before = p.read_bytes()

    def regenerate():
        with open_project(p) as store:
            return (yield from generate_grid(store, size=300, supersede=True))

    runner = TaskRunner(regenerate, "生成", show_dialog=False)
    seen = []

    def on_progress(done, total, message):
        seen.append(message)
        if message.startswith("写入"):  # the cells are in the open transaction: cancel now
            runner.cancel()

    runner.worker.progressed.connect(on_progress)
    with qtbot.waitSignal(runner.cancelled, timeout=60_000):
        runner.start()
    assert any(m.startswith("写入") for m in seen)
    assert p.read_bytes() == before


def test_register_tables_page_lazily_sort_filter_and_lead_to_the_map(qtbot, demo):
    """The enterprise table holds only what was scrolled to, sorts and filters by query, and a
    double-click shows the enterprise's cell on the map."""
    from PySide6.QtCore import Qt as QtNS

    from gridmgr.project import open_project

    with open_project(demo, readonly=True) as store:
        ents = store.enterprises()
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo)
    view = win.registers["enterprises"]
    model = view.model
    assert model.total == len(ents) == 3000
    n0 = model.rowCount()
    assert n0 <= 500 < model.total  # lazily: at most the page the view asked for
    model.fetchMore()
    assert model.rowCount() == n0 + 500

    model.sort(model.columns.index("name"), QtNS.SortOrder.DescendingOrder)
    assert model.value(0, "name") == sorted(ents["name"])[-1]

    view.filter.setText("陶瓷")
    qtbot.waitUntil(lambda: model.query.text == "陶瓷", timeout=3000)  # after the typing pause
    expected = ents[ents["name"].str.contains("陶瓷") | ents["industry"].str.contains("陶瓷")
                    | ents["address"].fillna("").str.contains("陶瓷")]
    assert model.total == len(expected)
    assert f"共 {len(expected):,} 条" == view.count.text()

    view.activated.emit(0)
    cell = model.value(0, "cell_code")
    assert win.tabs.currentIndex() == 0 and win.map.selected == {cell}
    assert cell in win.detail_plain()
    assert win.registers["officers"].model.total == 148


def test_assign_an_officer_to_cells_chosen_on_the_map(qtbot, demo_copy, monkeypatch, tmp_path):
    """Shift-click two cells, 网格 → 指定责任人, choose a person and a day: the project records
    it, the old primary's period ends that day, and the detail panel shows the new person."""
    from PySide6.QtWidgets import QDialogButtonBox

    from gridmgr.project import open_project
    from gridmgr.registers.responsibility import effective
    from ui.assign_dialog import AssignDialog

    win = shown_window(qtbot, demo_copy)
    cells = ["44060401200101", "44060401200102"]
    for code in cells:  # what the page calls on a shift-click
        win.map.bridge.areaShiftClicked(code)
    assert win.selection == set(cells)
    assert sorted(page(qtbot, win, "gridmap.stats()", lambda s: len(s["selected"]) == 2)
                  ["selected"]) == cells

    def fill_and_accept(dialog: AssignDialog) -> int:
        dialog.officer.setCurrentIndex(dialog.officer.findData("CC0013"))
        dialog.role.setCurrentText("网格员")
        dialog.start.setDate(dialog.start.date().fromString("2026-06-01", "yyyy-MM-dd"))
        dialog.show()
        dialog.grab().save(str(tmp_path / "assign.png"))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.text() == "指定"
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(AssignDialog, "exec", fill_and_accept)
    win.assign_selected()
    with open_project(demo_copy, readonly=True) as store:
        eff = effective(store).set_index("cell_code")
        before = effective(store, as_of="2026-05-31").set_index("cell_code")
        rows = store.responsibilities()
    for code in cells:
        assert eff.loc[code, "primary_staff_no"] == "CC0013"
        assert eff.loc[code, "primary_from"] == "cell"
        assert before.loc[code, "primary_staff_no"] != "CC0013"  # history kept
        mine = rows[(rows["area_code"] == code) & (rows["staff_no"] == "CC0013")]
        assert list(mine["valid_from"]) == ["2026-06-01"]
    assert "已指定：新增 2 条责任" in win.statusBar().currentMessage()
    assert "CC0013" not in win.detail_plain()  # names are shown, not staff numbers
    name, role = eff.loc[cells[0], "primary_name"], eff.loc[cells[0], "primary_role"]
    assert f"{role}：{name}" in win.detail_plain()


def test_the_import_menu_opens_the_guided_import_and_the_window_follows(qtbot, demo_copy,
                                                                         tmp_path):
    """Officers imported through the window's menu appear in the window's table."""
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)
    dialog = win.import_file("officers")
    assert dialog is not None and dialog.isVisible()
    csv = tmp_path / "more.csv"
    csv.write_text("姓名,工号,手机,角色,所属单位\n新同事,CC9001,13900000001,网格员,祖庙街道城管办\n",
                   encoding="utf-8-sig")
    assert dialog.set_file(csv)
    runner = dialog.run_import()
    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        pass
    assert runner is not None
    qtbot.waitUntil(lambda: win.registers["officers"].model.total == 149, timeout=5_000)


def test_new_project_dialog_creates_the_file_and_it_becomes_recent(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox

    from gridmgr.project import open_project
    from ui.app import recent_projects
    from ui.new_project_dialog import NewProjectDialog

    target = tmp_path / "南海区.gpkg"

    def fill(dialog: NewProjectDialog) -> int:
        dialog.path.setText(str(target))
        dialog.name.setText("南海区")
        dialog.admin.setText("4406")  # too short: refused with a message, nothing created
        shown = []
        monkeypatch.setattr("ui.plain.QMessageBox.critical",  # error boxes go through ui.plain
                            lambda *a: shown.append(a[2]))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        assert shown and "6 位" in shown[0] and not target.exists()
        dialog.admin.setText("440605")
        dialog.crs.setCurrentIndex(dialog.crs.findData("EPSG:4547"))
        dialog.scheme.setCurrentIndex(dialog.scheme.findData("db11"))
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(NewProjectDialog, "exec", fill)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.new_project() == target
    with open_project(target, readonly=True) as store:
        meta = store.meta()
    assert (meta["name"], meta["admin_code"], meta["crs"], meta["code_scheme"]) == (
        "南海区", "440605", "EPSG:4547", "db11")
    assert recent_projects()[0] == str(target)
    assert [a.text() for a in win.recent_menu.actions()][0] == str(target)
    assert "南海区" in win.windowTitle()


def test_clicking_the_map_selects_without_flying_and_a_new_project_clears_it(qtbot, demo,
                                                                           tmp_path):
    win = shown_window(qtbot, demo)
    before = page(qtbot, win, "gridmap.stats()")
    code = "44060401200101"
    win.map.bridge.areaClicked(code)  # what the page calls on a click
    assert win.map.selected == {code} and win.selection == {code}
    after = page(qtbot, win, "gridmap.stats()", lambda s: s["selected"] == [code])
    # a click selects; it does not zoom the map away
    assert (after["zoom"], after["bounds"]) == (before["zoom"], before["bounds"])
    assert win.tree.currentIndex().siblingAtColumn(0).data(CODE_ROLE) == code
    win.select_code("440604012002")  # a community: nothing left for an assignment
    assert win.selection == set()

    from gridmgr.project import init_project

    empty = tmp_path / "empty.gpkg"
    init_project(empty, name="南海区", admin_code="440605").close()
    win.map.select({code})
    win.selection = {code}
    assert win.load(empty)
    assert win.selection == set() and win.map.selected == set()
    assert code not in win.detail_plain()


def test_closing_the_window_during_a_check_stops_it_first(qtbot, demo, monkeypatch):
    import threading

    from gridmgr.progress import Progress

    release = threading.Event()

    def slow_check(path, **kw):
        for i in range(1000):
            yield Progress(i, 1000, "检查")
            release.wait(0.01)
        return None

    monkeypatch.setattr("ui.app.validate_file", slow_check)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo)
    runner = win.validate()
    qtbot.waitUntil(lambda: runner.thread.isRunning(), timeout=5000)
    win.close()
    assert not runner.thread.isRunning()  # cancelled and joined, not destroyed while running


def test_window_layout_is_remembered_and_the_side_panel_keeps_its_width(qtbot, demo):
    """Issue 16: size, place and the side panel's width come back in the next session
    (QSettings, per user); no tab squeezes the side panel below a usable width."""
    from PySide6.QtCore import QSettings

    from ui.app import GEOMETRY_KEY, SIDE_MIN_WIDTH, SPLIT_KEY

    settings = QSettings("gridmgr", "gridmgr")
    settings.remove(GEOMETRY_KEY)
    settings.remove(SPLIT_KEY)
    win = shown_window(qtbot, demo)
    win.split.setSizes([40, 2000])  # dragged hard to the left: it stops at the minimum
    assert win.split.sizes()[0] >= SIDE_MIN_WIDTH
    win.resize(1280, 760)  # the default width: every tab fits beside a 420 px side panel
    win.split.setSizes([420, 860])
    qtbot.wait(50)
    left = win.split.sizes()[0]
    assert abs(left - 420) <= 2
    for i in range(win.tabs.count()):  # the cases tab, with its wide list, included
        win.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        assert win.split.sizes()[0] >= SIDE_MIN_WIDTH, win.tabs.tabText(i)
    win.tabs.setCurrentIndex(0)
    size = (win.width(), win.height())
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    # Qt fits a restored window on the screen (the offscreen test screen is 800 px wide)
    screen = again.screen().availableGeometry()
    assert abs(again.width() - min(size[0], screen.width())) <= 4  # a frame's margin
    assert abs(again.height() - min(size[1], screen.height())) <= 4
    again.resize(*size)
    qtbot.wait(50)
    assert abs(again.split.sizes()[0] - left) <= 2  # the side panel as it was left
    again.close()
    settings.remove(GEOMETRY_KEY)
    settings.remove(SPLIT_KEY)


def test_timeline_headings_never_break_and_the_case_page_keeps_room(qtbot, demo):
    from gridmgr.project import open_project
    from ui.case_detail import CaseDetail
    from ui.cases_panel import DETAIL_MIN_WIDTH, CasesPanel

    panel = CasesPanel(demo)
    qtbot.addWidget(panel)
    assert panel.detail.minimumWidth() == DETAIL_MIN_WIDTH
    assert not panel.split.isCollapsible(1)
    with open_project(demo, readonly=True) as store:
        df = store.cases_frame()
    no = df.loc[df["rework_count"] > 0, "case_no"].iloc[0]
    detail: CaseDetail = panel.detail
    assert panel.show_case(no)
    html = detail._steps_html(detail.steps)
    heads = html.split("</tr>")[0]
    assert heads.count("white-space:nowrap") == 4  # 时间, 操作, 操作人, 说明
    assert '→ ' in html and html.count('<td style="white-space:nowrap;">') >= 2 * len(detail.steps)
