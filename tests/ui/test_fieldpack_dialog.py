"""The field package desktop parts, offscreen: export and import dialogs, the conflicts view, and
the package's offline map.html in QtWebEngine with every network request blocked."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import json
from pathlib import Path

import pytest
from project_state import fingerprint

pytest.importorskip("PySide6.QtWebEngineWidgets")  # must come before any QApplication exists

from fieldpack_helpers import (
    OFFICER,
    add_inspections,
    ago,
    dispatched_case,
    edit_enterprise,
    enterprises_of,
)
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWebEngineCore import QWebEngineSettings, QWebEngineUrlRequestInterceptor
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication
from shapely.geometry import Point

from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.fieldwork.importer import import_fieldpack
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.progress import run
from gridmgr.project import open_project
from ui.conflicts_view import ConflictsView
from ui.fieldpack_dialog import FieldpackExportDialog, FieldpackImportDialog

WAIT = 120_000
LOCAL = {"file", "qrc", "data"}


def sha(path: Path) -> str:
    """The project's state (bytes of a file, every table of a server schema)."""
    return fingerprint(path)


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown(qtbot, widget, w: int = 900, h: int = 560):
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def snapshot(widget, name: str) -> None:
    QApplication.processEvents()
    assert widget.grab().save(f"/tmp/{name}")


@pytest.fixture
def package(demo_copy, tmp_path):
    """The demo with a dispatched case, and a package exported for the officer."""
    with open_project(demo_copy) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell")
        dispatched_case(store, cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0],
                        OFFICER)
        run(export_fieldpack(store, out=tmp_path / "pack", officer=OFFICER))
    return demo_copy, tmp_path / "pack"


def test_export_dialog_writes_a_package_for_the_picked_officer(qtbot, demo_copy, tmp_path):
    dlg = shown(qtbot, FieldpackExportDialog(demo_copy), 640, 330)
    assert not dlg.export_button.isEnabled()  # no output yet
    dlg.officer.setCurrentIndex(dlg.officer.findData(OFFICER))
    assert dlg.choice() == ("officer", OFFICER)
    out = tmp_path / "外业包.zip"
    dlg.out.setText(str(out))
    with qtbot.waitSignal(dlg.exported, timeout=WAIT) as got:
        click(qtbot, dlg.export_button)
    result = got.args[0]
    assert out.exists() and result["scope"]["staff_no"] == OFFICER
    assert "已导出" in dlg.status.text() and "关凤耀" in dlg.status.text()
    assert "tasks.xlsx" in dlg.status.text()
    with open_project(demo_copy, readonly=True) as store:
        (pack,) = store.fieldpacks()
    assert pack["uuid"] == result["package_uuid"] and pack["scope_value"] == OFFICER
    # by area: the picker holds streets and communities
    dlg.by_area.setChecked(True)
    dlg.area.setCurrentIndex(dlg.area.findData("440604010001"))
    assert dlg.choice() == ("area", "440604010001")
    assert dlg.area.isEnabled() and not dlg.officer.isEnabled()
    snapshot(dlg, "fieldpack_export_dialog.png")


def test_cancelling_the_export_leaves_nothing(qtbot, demo_copy, tmp_path):
    before = sha(demo_copy)
    dlg = shown(qtbot, FieldpackExportDialog(demo_copy), 640, 330)
    dlg.officer.setCurrentIndex(dlg.officer.findData(OFFICER))
    dlg.out.setText(str(tmp_path / "pack"))
    runner = dlg.run_export()
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT):
        click(qtbot, dlg.progress.cancel_button)
    assert "已取消" in dlg.status.text() and dlg.export_button.isEnabled()
    assert not (tmp_path / "pack").exists() and sha(demo_copy) == before


def test_import_dialog_dry_run_then_import(qtbot, package):
    project, pack = package
    data = pack / "data.gpkg"
    ents = enterprises_of(data)
    e0, e1 = ents.iloc[0], ents.iloc[1]
    add_inspections(data, [{"enterprise_uuid": e0["uuid"], "at": ago(days=1), "result": "合格",
                            "geometry": e0.geometry}])
    edit_enterprise(data, e1["uuid"], point=Point(e1.geometry.x + 0.0003, e1.geometry.y))
    before = sha(project)
    dlg = shown(qtbot, FieldpackImportDialog(project))
    assert not dlg.dry_button.isEnabled() and not dlg.import_button.isEnabled()
    dlg.set_package(pack)
    click(qtbot, dlg.dry_button)
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=WAIT)
    assert sha(project) == before  # a dry run writes nothing
    assert "试运行完成" in dlg.status.text() and "检查记录 1 条" in dlg.status.text()
    assert "企业更正 1 个" in dlg.status.text()
    snapshot(dlg, "fieldpack_import_dry_run.png")
    with qtbot.waitSignal(dlg.imported, timeout=WAIT) as got:
        click(qtbot, dlg.import_button)
    assert got.args[0].info["receipt"]["counts"]["inspections_new"] == 1
    assert "导入完成" in dlg.status.text() and not dlg.import_button.isEnabled()
    with open_project(project, readonly=True) as store:
        insp = store.inspections()
    assert list(insp["enterprise_uuid"]) == [e0["uuid"]] and list(insp["result"]) == ["合格"]
    snapshot(dlg, "fieldpack_import_done.png")


def test_import_dialog_lists_invalid_rows_and_refuses(qtbot, package):
    project, pack = package
    e = enterprises_of(pack / "data.gpkg").iloc[0]
    add_inspections(pack / "data.gpkg", [
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "优秀",
         "geometry": e.geometry}])
    before = sha(project)
    dlg = shown(qtbot, FieldpackImportDialog(project))
    dlg.set_package(pack)
    runner = dlg.run_dry()
    with qtbot.waitSignal(runner.finished, timeout=WAIT):
        pass
    assert "不能导入" in dlg.status.text() and not dlg.import_button.isEnabled()
    model = dlg.findings.model()
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[0] == "错误" and row[1] == "不在值列表" and row[2] == "检查记录" and row[3] == "1"
    assert "优秀" in row[-1]
    assert sha(project) == before
    snapshot(dlg, "fieldpack_import_refused.png")


def test_conflicts_view_shows_both_versions_and_decides(qtbot, package):
    project, pack = package
    e = enterprises_of(pack / "data.gpkg").iloc[2]
    edit_enterprise(pack / "data.gpkg", e["uuid"], phone="13900000000")
    with open_project(project) as store:
        with store.atomic():
            store.set_enterprise_field_values(e["uuid"], {"phone": "0757-88888888"}, None,
                                              None)
        run(import_fieldpack(store, pack))
        (c,) = store.conflicts(status="open")
    view = shown(qtbot, ConflictsView(project), 980, 360)
    texts = [[view.table.item(r, col).text() for col in range(view.table.columnCount())]
             for r in range(view.table.rowCount())]
    assert [t[3] for t in texts] == ["联系电话"]  # the one field both sides changed
    phone = texts[0]
    assert phone[4] == (e["phone"] or "（空）") and phone[5] == "0757-88888888"
    assert phone[6] == "13900000000"
    assert texts[0][0] == str(c["id"]) and texts[0][1] == e["name"] and texts[0][7] == "待决定"
    assert not view.keep_field.isEnabled()  # nothing selected yet
    snapshot(view, "fieldpack_conflicts.png")
    view.select(c["id"])
    with qtbot.waitSignal(view.decided, timeout=WAIT) as got:
        click(qtbot, view.keep_field)
    assert got.args == [c["id"], "field"]
    with open_project(project, readonly=True) as store:
        assert store.enterprises_by_uuid([e["uuid"]])[e["uuid"]]["phone"] == "13900000000"
        assert store.conflict(c["id"])["decision"] == "field"
    assert view.table.rowCount() == 0 and "没有待决定" in view.summary.text()
    view.show_all.setChecked(True)
    assert view.table.item(0, 7).text() == "已采用外业版本"


def test_conflicts_view_shows_a_case_conflict_field_by_field(qtbot, demo_copy, tmp_path):
    """A field step the desk's later 督办 made inapplicable: the steps of both sides and why."""
    from fieldpack_helpers import add_progress

    from gridmgr.cases.lifecycle import transition

    with open_project(demo_copy) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell")
        case = dispatched_case(store, cells.loc[cells["code"] == scope.cells[0],
                                                "geometry"].iloc[0], OFFICER)
        run(export_fieldpack(store, out=tmp_path / "pack", officer=OFFICER))
    add_progress(tmp_path / "pack" / "data.gpkg", [
        {"case_uuid": case["uuid"], "action": "处置", "at": ago(days=2), "note": "已清理"}])
    with open_project(demo_copy) as store:
        transition(store, case["case_no"], "督办", by=None, at=ago(days=1), note="三日内办结")
        run(import_fieldpack(store, tmp_path / "pack"))
    view = shown(qtbot, ConflictsView(demo_copy), 1100, 300)
    texts = [[view.table.item(r, col).text() for col in range(view.table.columnCount())]
             for r in range(view.table.rowCount())]
    assert [t[3] for t in texts] == ["案件进展", "未应用的原因"]
    assert texts[0][1] == case["case_no"] and texts[0][2] == "案件"
    assert texts[0][5].startswith("督办 ") and texts[0][6].startswith("处置 ")
    assert "已清理" in texts[0][6] and "早于案件上一步" in texts[1][5]
    snapshot(view, "fieldpack_case_conflict.png")


# --------------------------------------------------------------------------- offline map

class Recorder(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.all: list[str] = []
        self.remote: list[str] = []

    def interceptRequest(self, info) -> None:
        url = info.requestUrl()
        self.all.append(url.toString()[:120])
        if url.scheme() not in LOCAL:
            self.remote.append(url.toString())
            info.block(True)


def js(qtbot, view, script: str):
    box: list = []
    view.page().runJavaScript(f"JSON.stringify({script})", 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=20_000)
    return json.loads(box[0]) if box[0] is not None else None


def test_offline_map_shows_its_markers_with_the_network_blocked(qtbot, package):
    _, pack = package
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    view = QWebEngineView()
    qtbot.addWidget(view)
    rec = Recorder()
    profile = view.page().profile()
    profile.setUrlRequestInterceptor(rec)
    view.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
                                 True)
    view.resize(900, 650)
    view.show()
    try:
        with qtbot.waitSignal(view.loadFinished, timeout=30_000) as loaded:
            view.load(QUrl.fromLocalFile(str(pack / "map.html")))
        assert loaded.args == [True]
        counts = js(qtbot, view, "window.fieldmap && window.fieldmap.counts")
        assert counts == manifest["counts"]  # every cell, enterprise and case is on the map
        drawn = js(qtbot, view, "(function(){var n=0; window.fieldmap.layers.enterprises"
                                ".eachLayer(function(l){ if (l._map) n++; }); return n;})()")
        assert drawn == manifest["counts"]["enterprises"]
        popup = js(qtbot, view, "(function(){var l = window.fieldmap.layers.cases.getLayers()[0];"
                                "l.openPopup(); return l.getPopup().getContent();})()")
        assert "案件" in popup and "处置截止" in popup
        qtbot.wait(500)  # let the canvas paint
        img = view.grab().toImage()
        assert img.save("/tmp/fieldpack_offline_map.png")
        # the canvas drew red (due) or slate (other) enterprise markers
        found = sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
                    if (lambda c: (abs(c.red() - 0xdc) < 20 and abs(c.green() - 0x26) < 20
                                   and abs(c.blue() - 0x26) < 20)
                        or (abs(c.red() - 0x47) < 12 and abs(c.green() - 0x55) < 12
                            and abs(c.blue() - 0x69) < 12))(img.pixelColor(x, y)))
        assert found > 10
        assert rec.remote == []  # nothing asked for the network
        assert rec.all and all(u.startswith("file:") for u in rec.all)
    finally:
        profile.setUrlRequestInterceptor(None)
        from PySide6.QtCore import QCoreApplication, QEvent

        view.close()
        view.page().deleteLater()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_import_dialog_offers_the_conflicts_it_queued(qtbot, package):
    project, pack = package
    e = enterprises_of(pack / "data.gpkg").iloc[3]
    edit_enterprise(pack / "data.gpkg", e["uuid"], phone="13700000000")
    with open_project(project) as store, store.atomic():
        store.set_enterprise_field_values(e["uuid"], {"phone": "0757-86666666"}, None, None)
    dlg = shown(qtbot, FieldpackImportDialog(project))
    dlg.set_package(pack)
    assert not dlg.conflicts_button.isVisible()
    with qtbot.waitSignal(dlg.run_dry().finished, timeout=WAIT):
        pass
    assert "新冲突 1 个" in dlg.status.text() and not dlg.conflicts_button.isVisible()
    with qtbot.waitSignal(dlg.imported, timeout=WAIT):
        click(qtbot, dlg.import_button)
    model = dlg.findings.model()
    assert model.index(0, 1).data() == "冲突" and "联系电话" in model.index(0, 6).data()
    assert dlg.conflicts_button.isVisible()
    conflicts = dlg.show_conflicts()
    qtbot.addWidget(conflicts)
    assert conflicts.view.table.item(0, 1).text() == e["name"]
