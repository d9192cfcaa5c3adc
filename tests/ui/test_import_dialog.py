"""The import dialog driven offscreen: preview, column mapping, dry run, import and cancel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from project_state import fingerprint

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gridmgr.files.tables import read_table
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run
from gridmgr.project import init_project, open_project
from ui.import_dialog import (
    NOT_IMPORTED,
    PAGE_COLUMNS,
    PAGE_DRY,
    PAGE_IMPORT,
    PAGE_OPTIONS,
    PAGE_PREVIEW,
    ImportDialog,
)

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo"
MESSY = DATA / "samples" / "enterprises_messy.csv"
SHOTS = Path("/tmp")
WAIT = 60_000


def sha(path: Path) -> str:
    """The project's state (bytes of a file, every table of a server schema)."""
    return fingerprint(path)


def headers(model) -> list[str]:
    return [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]


def table_rows(view) -> list[list[str]]:
    m = view.model()
    return [[m.index(r, c).data() or "" for c in range(m.columnCount())]
            for r in range(m.rowCount())]


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown(qtbot, dlg: ImportDialog) -> ImportDialog:
    qtbot.addWidget(dlg)
    dlg.resize(1000, 640)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def snapshot(dlg: ImportDialog, name: str) -> None:
    """Save what the dialog looks like, once pending layout requests have been handled."""
    QApplication.processEvents()
    assert dlg.grab().save(str(SHOTS / name))


def fresh_project(path: Path) -> Path:
    init_project(path, name="禅城区", admin_code="440604").close()
    return path


def test_enterprises_preview_mapping_dry_run_and_import(qtbot, demo_copy):
    before = sha(demo_copy)
    dlg = shown(qtbot, ImportDialog(demo_copy, "enterprises"))
    assert not dlg.next_button.isEnabled()  # no file yet
    assert dlg.set_file(MESSY)

    # 预览: the GBK file read right, spreadsheet row numbers, the encoding and how it was found
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_PREVIEW
    assert headers(dlg.preview_model) == [
        "序号", "企业名称", "统一社会信用代码", "所属行业", "监管类别", "环境行为等级", "检查频次",
        "联系人", "联系电话", "地址", "经度", "纬度", "最近检查日期"]
    assert dlg.preview_model.rowCount() == 20
    assert dlg.preview_model.headerData(0, Qt.Orientation.Vertical) == "2"
    first = [dlg.preview_model.item(0, c).text() for c in range(13)]
    assert first[0] == "1" and first[1].startswith("佛山市") and first[10] == "113.123828"
    assert "GB18030（自动识别）" in dlg.preview_info.text()
    assert "共 30 行" in dlg.preview_info.text()
    snapshot(dlg, "import_dialog_preview.png")

    # 列对应: pre-filled from the recognised headers
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_COLUMNS
    chosen = {f: c.currentText() for f, c in dlg.combos.items()}
    assert chosen["name"] == "企业名称" and chosen["lon"] == "经度" and chosen["lat"] == "纬度"
    assert chosen["credit_code"] == "统一社会信用代码" and chosen["phone"] == "联系电话"
    assert chosen["x"] == chosen["y"] == NOT_IMPORTED
    assert dlg.mapping()["last_inspection"] == "最近检查日期"

    # 坐标/编码: the register's points were copied from Amap
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_OPTIONS
    assert dlg.encoding.isEnabled()  # a CSV may need its encoding named
    labels = [dlg.coords.itemText(i) for i in range(dlg.coords.count())]
    assert labels[:5] == ["未指定：试算各坐标系（明显不符时拒收）", "WGS84（GPS）",
                          "GCJ-02（高德/腾讯）", "BD-09（百度）", "CGCS2000"]
    assert dlg.options()["coords"] is None  # the default: the core tries every system
    dlg.coords.setCurrentIndex(dlg.coords.findData("gcj02"))
    assert dlg.options()["coords"] == "gcj02"
    assert dlg.options()["strict"] is False  # bad credit codes are kept, flagged

    # 试运行: 下一步 starts it; the table lists exactly the refused rows of data/README.md
    click(qtbot, dlg.next_button)
    runner = dlg.runner
    with qtbot.waitSignal(runner.finished, timeout=WAIT):
        pass
    assert dlg.stack.currentIndex() == PAGE_DRY
    rows = table_rows(dlg.dry_panel.table)
    # (row 4 has no coordinates but its credit code is known: an update; row 21's bad check
    # character is imported with a warning)
    assert sorted(int(r[3]) for r in rows if r[0] == "错误") == [7, 13, 26, 28]
    assert {int(r[3]) for r in rows if r[0] == "警告"} == {10, 16, 18, 21, 30}
    summary = dlg.dry_panel.summary.text()
    assert "接受 26 行，拒绝 4 行" in summary and "更新 3" in summary and "未变 22" in summary
    assert dlg.last_report.info["dry_run"] is True
    assert "未写入" in dlg.dry_panel.status.text()
    assert sha(demo_copy) == before  # a dry run writes nothing
    snapshot(dlg, "import_dialog_dry_run.png")

    # 导入
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_IMPORT
    assert not dlg.finish_button.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=WAIT) as got:
        click(qtbot, dlg.start_button)
    assert got.args[0].info["updated"] == 3 and got.args[0].info["dry_run"] is False
    assert "导入完成" in dlg.import_panel.status.text()
    assert "更新 3" in dlg.import_panel.summary.text()
    assert dlg.finish_button.isEnabled() and not dlg.back_button.isEnabled()
    snapshot(dlg, "import_dialog_done.png")
    table = read_table(MESSY)
    row9 = table.rows[table.row_numbers.index(9)]
    credit = row9[table.headers.index("统一社会信用代码")]
    with open_project(demo_copy, readonly=True) as store:
        ents = store.enterprises()
    assert len(ents) == 3001  # updated, not duplicated; row 21's code, kept as given, is new
    assert ents.set_index("credit_code").loc[credit, "phone"] == "15019042408"
    click(qtbot, dlg.finish_button)
    assert dlg.result() == ImportDialog.DialogCode.Accepted


def test_grid_gbk_shapefile_without_prj_with_a_hand_mapped_column(
        qtbot, tmp_path, write_vector, gk_square):
    proj = fresh_project(tmp_path / "fresh.gpkg")
    shp = write_vector(
        "jd.shp",
        {"BH": ["440604010", "440604011"], "名称": ["旧名一", "旧名二"],
         "JDM": ["石湾镇街道", "张槎街道"]},
        [gk_square(0, 0, 1000), gk_square(1000, 0, 1000)],
        encoding="GBK", hide_encoding=True, drop_prj=True)
    dlg = shown(qtbot, ImportDialog(proj, "grid"))
    assert [dlg.level.itemText(i) for i in range(dlg.level.count())] == [
        "区", "街道", "社区", "单元网格"]
    assert dlg.system.currentData() == "urban"
    dlg.level.setCurrentIndex(dlg.level.findData("street"))
    assert dlg.set_file(shp)

    # only the attribute columns, GBK found without a .cpg, no CRS in the file
    assert headers(dlg.preview_model) == ["BH", "名称", "JDM"]
    assert dlg.preview_model.item(0, 2).text() == "石湾镇街道"
    assert "GB18030（自动识别）" in dlg.preview_info.text()
    assert "没有" in dlg.preview_info.text()

    # 名称 is recognised as the name, but the names are in JDM; BH is nobody's alias
    assert dlg.combos["name"].currentText() == "名称"
    assert dlg.combos["code"].currentText() == NOT_IMPORTED
    dlg.combos["code"].setCurrentText("BH")
    dlg.combos["name"].setCurrentText("JDM")
    assert dlg.mapping() == {"code": "BH", "name": "JDM", "parent": None}
    assert "编码 ← BH" in dlg.mapping_info.text()

    # a file with no CRS: the dialog will not go on until one is named
    for _ in range(2):
        click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_COLUMNS
    snapshot(dlg, "import_dialog_columns.png")
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_OPTIONS
    assert dlg.encoding.isEnabled()
    click(qtbot, dlg.next_button)
    assert dlg.stack.currentIndex() == PAGE_OPTIONS and dlg.runner is None
    assert "坐标系" in dlg.options_error.text()
    snapshot(dlg, "import_dialog_options.png")
    # another encoding re-reads the file; the columns chosen by hand stay chosen
    dlg.encoding.setCurrentIndex(dlg.encoding.findData("UTF-8"))
    assert "UTF-8" in dlg.options_error.text() and not dlg.next_button.isEnabled()
    dlg.encoding.setCurrentIndex(dlg.encoding.findData("GBK"))
    assert "GBK（手动指定）" in dlg.preview_info.text()
    assert dlg.preview_model.item(1, 2).text() == "张槎街道"
    assert dlg.mapping() == {"code": "BH", "name": "JDM", "parent": None}
    dlg.crs_edit.setText("EPSG:4547")
    click(qtbot, dlg.next_button)
    with qtbot.waitSignal(dlg.runner.finished, timeout=WAIT):
        pass
    assert dlg.last_report.accepted == 2 and not dlg.last_report.refused
    assert "坐标系 EPSG:4547" in dlg.dry_panel.summary.text()

    with qtbot.waitSignal(dlg.run_import().finished, timeout=WAIT):
        pass
    with open_project(proj, readonly=True) as store:
        streets = store.areas("street")
    assert dict(zip(streets["code"], streets["name"])) == {
        "440604010": "石湾镇街道", "440604011": "张槎街道"}


def test_cancelling_the_import_leaves_the_project_as_it_was(qtbot, tmp_path):
    proj = fresh_project(tmp_path / "cancel.gpkg")
    with open_project(proj) as store:
        run(import_grid(store, DEMO / "chancheng" / "streets.geojson", level="street"))
    before = sha(proj)

    dlg = shown(qtbot, ImportDialog(proj, "grid", level="community"))
    assert dlg.set_file(DEMO / "chancheng" / "communities.geojson")
    assert dlg.combos["parent"].currentText() == "所属街道编码"

    # hold the worker inside the write transaction (the batch is inserted, not committed)
    # until 取消 has been clicked: deterministic, whatever the machine's speed
    in_transaction, clicked = threading.Event(), threading.Event()

    def on_progress(done: int, total: int, message: str) -> None:  # in the worker thread
        if message.startswith("写入") and "/" in message:
            in_transaction.set()
            clicked.wait(30)

    dlg.task_started.connect(lambda runner: runner.worker.progressed.connect(
        on_progress, Qt.ConnectionType.DirectConnection))
    runner = dlg.run_import()
    assert not dlg.back_button.isEnabled() and not dlg.close_button.isEnabled()
    qtbot.waitUntil(in_transaction.is_set, timeout=WAIT)
    click(qtbot, dlg.import_panel.cancel_button)
    clicked.set()
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        pass
    assert dlg.import_panel.status.text() == "已取消，项目未改变"
    assert sha(proj) == before
    with open_project(proj, readonly=True) as store:
        assert store.count_areas("community") == 0
    assert dlg.start_button.isEnabled() and not dlg.finish_button.isEnabled()


def test_an_unreadable_file_is_explained_not_raised(qtbot, demo_copy, tmp_path):
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    dlg = shown(qtbot, ImportDialog(demo_copy, "officers"))
    assert not dlg.set_file(bad)
    assert ".xlsx" in dlg.file_error.text() and "输入文件错误" in dlg.file_error.text()
    assert not dlg.next_button.isEnabled()
    assert dlg.set_file(DEMO / "chancheng" / "officers.csv")
    assert dlg.combos["staff_no"].currentText() == "工号"
    assert "UTF-8" in dlg.preview_info.text() and "BOM" in dlg.preview_info.text()
    with qtbot.waitSignal(dlg.run_dry().finished, timeout=WAIT):
        pass
    assert "未变 148" in dlg.dry_panel.summary.text()


def test_closing_the_dialog_during_the_import_cancels_it(qtbot, tmp_path):
    proj = fresh_project(tmp_path / "close.gpkg")
    with open_project(proj) as store:
        run(import_grid(store, DEMO / "chancheng" / "streets.geojson", level="street"))
    before = sha(proj)
    dlg = shown(qtbot, ImportDialog(proj, "grid", level="community"))
    assert dlg.set_file(DEMO / "chancheng" / "communities.geojson")
    in_transaction = threading.Event()

    def on_progress(done: int, total: int, message: str) -> None:  # in the worker thread
        if message.startswith("写入") and "/" in message:
            in_transaction.set()
            dlg.runner.worker.stop.wait(30)  # until the dialog asks the task to stop

    dlg.task_started.connect(lambda runner: runner.worker.progressed.connect(
        on_progress, Qt.ConnectionType.DirectConnection))
    runner = dlg.run_import()
    qtbot.waitUntil(in_transaction.is_set, timeout=WAIT)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        dlg.reject()  # returns once the task has ended
    assert not runner.thread.isRunning()
    assert dlg.result() == ImportDialog.DialogCode.Rejected
    assert sha(proj) == before


def test_a_column_set_to_not_imported_is_left_out(qtbot, demo_copy):
    """（不导入） on 联系电话: the row-9 phone change of the messy sample does not land."""
    table = read_table(MESSY)
    row9 = table.rows[table.row_numbers.index(9)]
    credit = row9[table.headers.index("统一社会信用代码")]
    with open_project(demo_copy, readonly=True) as store:
        old_phone = store.enterprises().set_index("credit_code").loc[credit, "phone"]
    dlg = shown(qtbot, ImportDialog(demo_copy, "enterprises"))
    assert dlg.set_file(MESSY)
    click(qtbot, dlg.next_button)
    click(qtbot, dlg.next_button)
    dlg.combos["phone"].setCurrentIndex(dlg.combos["phone"].findText(NOT_IMPORTED))
    assert dlg.mapping()["phone"] is None
    assert "联系电话" not in dlg.mapping_info.text()
    click(qtbot, dlg.next_button)
    dlg.coords.setCurrentIndex(dlg.coords.findData("gcj02"))
    click(qtbot, dlg.next_button)
    with qtbot.waitSignal(dlg.runner.finished, timeout=WAIT):
        pass
    click(qtbot, dlg.next_button)
    with qtbot.waitSignal(dlg.imported, timeout=WAIT):
        click(qtbot, dlg.start_button)
    with open_project(demo_copy, readonly=True) as store:
        assert store.enterprises().set_index("credit_code").loc[credit, "phone"] == old_phone


def test_a_bare_cell_layer_is_recognised_and_its_hierarchy_derived(
        qtbot, tmp_path, write_vector, gk_square):
    """The window does what ``grid import cells.shp`` does: the level comes from the codes,
    the dialog says the streets and communities will be derived, and the import brings them."""
    proj = fresh_project(tmp_path / "bare.gpkg")
    names = {"440604010001": ("升平社区", "祖庙街道"), "440604010002": ("兴华社区", "祖庙街道"),
             "440604011001": ("石湾社区", "石湾镇街道"), "440604011002": ("东风社区", "石湾镇街道")}
    codes = [f"{comm}{k:02d}" for comm in names for k in (1, 2)]
    shp = write_vector(
        "单元网格.shp",
        {"网格编码": codes, "社区": [names[c[:12]][0] for c in codes],
         "街道": [names[c[:12]][1] for c in codes]},
        [gk_square(i * 100, 0) for i in range(len(codes))], encoding="GBK", hide_encoding=True)
    dlg = shown(qtbot, ImportDialog(proj, "grid"))
    dlg.level.setCurrentIndex(dlg.level.findData("street"))  # a wrong guess is corrected
    assert dlg.set_file(shp)
    assert dlg.level.currentData() == "cell"
    note = dlg.level_info.text()
    assert "按编码列 网格编码 的长度识别为单元网格" in note
    assert "项目中还没有街道、社区：将由文件派生" in note
    snapshot(dlg, "import_dialog_cells_level.png")
    assert dlg.options()["level"] == "cell"
    with qtbot.waitSignal(dlg.run_dry().finished, timeout=WAIT):
        pass
    reasons = [f.reason for f in dlg.last_report.warnings]
    assert reasons.count("hierarchy_derived") == 2
    with qtbot.waitSignal(dlg.run_import().finished, timeout=WAIT):
        pass
    with open_project(proj, readonly=True) as store:
        comms = store.areas("community")
        assert dict(zip(comms["code"], comms["name"])) == {
            "440604010001": "升平社区", "440604010002": "兴华社区",
            "440604011001": "石湾社区", "440604011002": "东风社区"}
        assert store.count_areas("street") == 2 and store.count_areas("cell") == 8
