"""The desktop shell: the area tree, the map and a detail panel for one project.

It holds no business rules: areas come from :class:`gridmgr.storage.Store`, everything it shows
is what the core returns.  ``gridmgr gui PROJECT [--screenshot FILE]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QSettings, QSignalBlocker, Qt, QTimer, QTranslator
from PySide6.QtGui import QAction, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.findings import Finding, Report
from gridmgr.grid_validate import validate_file
from gridmgr.messages import LEVEL_ZH
from gridmgr.project import open_project, summary
from gridmgr.responsibility import FROM_ZH, cell_details
from ui.assign_dialog import AssignDialog
from ui.findings_view import FindingsDialog
from ui.import_dialog import ImportDialog
from ui.map_view import MapView
from ui.new_project_dialog import NewProjectDialog
from ui.register_table import RegisterView
from ui.tasks import TaskRunner

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def recent_projects() -> list[str]:
    """Recently opened project files that still exist, newest first."""
    value = QSettings("gridmgr", "gridmgr").value("recent_projects") or []
    if isinstance(value, str):
        value = [value]
    return [p for p in value if Path(p).exists()]


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("gridmgr 网格化管理")
        self.resize(1280, 800)
        self.project: Path | None = None
        self.details: dict[str, dict] = {}
        self.store = None  # read-only, for the lazily paged register tables
        self.registers: dict[str, RegisterView] = {}
        self.items: dict[str, QStandardItem] = {}
        self.info: dict[str, dict] = {}

        self.system = "urban"
        self.systems = QComboBox()
        self.systems.setToolTip("网格体系")
        self.systems.activated.connect(self._system_chosen)
        self.search = QLineEdit(placeholderText="按编码或名称查找…")
        self.search.returnPressed.connect(self.find)
        self.model = QStandardItemModel()
        self.model.setHorizontalHeaderLabels(["区域", "编码"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.selectionModel().currentChanged.connect(self._tree_selected)
        self.detail = QLabel("打开项目后，点击地图或左侧的区域查看详情。")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.systems)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 3)
        lay.addWidget(self.detail, 1)
        self.map = MapView()
        self.map.areaClicked.connect(self.select_code)
        self.map.areaShiftClicked.connect(self.toggle_cell)
        self.selection: set[str] = set()  # cells chosen for an assignment (shift-click adds)
        split = QSplitter()
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.map, "地图")
        split.addWidget(self.tabs)
        split.setSizes([340, 940])
        self.setCentralWidget(split)

        menu = self.menuBar().addMenu("项目")
        menu.addAction(QAction("新建…", self, shortcut="Ctrl+N", triggered=self.new_project))
        act = QAction("打开…", self, shortcut="Ctrl+O", triggered=self.choose_project)
        menu.addAction(act)
        self.recent_menu = menu.addMenu("最近打开")
        self._fill_recent()
        menu.addSeparator()
        for kind, title in (("grid", "导入网格（区/街道/社区/单元网格）…"),
                            ("enterprises", "导入企业名录…"), ("officers", "导入人员名单…")):
            menu.addAction(QAction(title, self, triggered=lambda _=False, k=kind:
                                   self.import_file(k)))
        menu.addSeparator()
        menu.addAction(QAction("退出", self, shortcut="Ctrl+Q", triggered=self.close))
        grid = self.menuBar().addMenu("网格")
        grid.addAction(QAction("检查网格…", self, shortcut="Ctrl+K", triggered=self.validate))
        grid.addAction(QAction("为选中的网格指定责任人…", self, shortcut="Ctrl+R",
                               triggered=self.assign_selected))
        view = self.menuBar().addMenu("视图")
        view.addAction(QAction("全图", self, shortcut="Ctrl+0",
                               triggered=lambda: self.map.zoom_to(self.map.scene.extent)))

    def new_project(self) -> Path | None:
        dialog = NewProjectDialog(self)
        if dialog.exec() and dialog.created is not None:
            self.load(dialog.created)
            return dialog.created
        return None

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in recent_projects():
            self.recent_menu.addAction(QAction(p, self, triggered=lambda _=False, p=p:
                                               self.load(Path(p))))
        self.recent_menu.setEnabled(bool(recent_projects()))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开项目", "", "gridmgr 项目 (*.gpkg)")
        if path:
            self.load(Path(path))

    def load(self, path: Path, system: str | None = None) -> bool:
        try:
            with open_project(path, readonly=True) as store:
                s = summary(store)
                systems = store.grid_systems()
                codes = [x["code"] for x in systems]
                system = system if system in codes else (self.system if self.system in codes
                                                         else codes[0])
                frames = {lvl: store.areas(lvl, system=system).to_crs("EPSG:4490")
                          for lvl in ("district", "street", "community", "cell")}
                ents = store.enterprises().to_crs("EPSG:4490")
                details = cell_details(store) if system == "urban" else {}
        except GridmgrError as exc:
            QMessageBox.critical(self, exc.title, str(exc))
            return False
        if path != self.project:  # another project: nothing chosen in the old one survives
            self.selection = set()
            self.map.select(set())
            self.detail.setText("点击地图或左侧的区域查看详情。")
        self.project, self.system = path, system
        self._open_registers(path)
        self.systems.clear()
        for x in systems:
            self.systems.addItem(x["name"], x["code"])
        self.systems.setCurrentIndex(codes.index(system))
        self.setWindowTitle(f"{s['name']} — gridmgr 网格化管理 — {path.name}")
        self._fill_tree(frames)
        self.details = details
        self.map.set_frames(frames)
        self.map.scene.set_points(list(ents.geometry.x), list(ents.geometry.y),
                                  list(ents["supervision_class"]))
        counts = "，".join(f"{LEVEL_ZH[k]} {len(v)}" for k, v in frames.items())
        self.statusBar().showMessage(f"{path}    {self.systems.currentText()}：{counts}    "
                                     f"坐标系 {s['crs']}")
        settings = QSettings("gridmgr", "gridmgr")
        settings.setValue("last_project", str(path))
        recent = [str(path)] + [p for p in recent_projects() if p != str(path)]
        settings.setValue("recent_projects", recent[:8])
        self._fill_recent()
        return True

    def _open_registers(self, path: Path) -> None:
        """Register tables read through one read-only connection kept while the project is
        shown (they page lazily, so they need it open)."""
        if self.store is not None and self.store.path == path:
            return  # the registers do not depend on the grid system shown
        for view in self.registers.values():
            view.model.detach()  # nothing may page through a connection about to close
        while self.tabs.count() > 1:
            widget = self.tabs.widget(1)
            self.tabs.removeTab(1)
            widget.deleteLater()
        if self.store is not None:
            self.store.close()
        self.store = open_project(path, readonly=True)
        self.registers = {}
        for table, title in (("enterprises", "企业"), ("officers", "人员"),
                             ("responsibilities", "责任记录")):
            view = RegisterView(self.store, table)
            view.activated.connect(lambda row, t=table: self._register_row(t, row))
            self.registers[table] = view
            self.tabs.addTab(view, title)

    def _register_row(self, table: str, row: int) -> None:
        """Double-click in a table: show the enterprise's cell, or the area, on the map."""
        model = self.registers[table].model
        code = (model.value(row, "cell_code") if table == "enterprises"
                else model.value(row, "area_code") if table == "responsibilities" else None)
        if code and code in self.items:
            self.tabs.setCurrentIndex(0)
            self.select_code(code)
            self._show(code, fly=True)

    def closeEvent(self, event) -> None:
        runner = getattr(self, "runner", None)
        if runner is not None and runner.thread.isRunning():
            runner.cancel()  # a check still running: stop it, and wait, before Qt tears down
            runner.wait()
        if self.store is not None:
            self.store.close()
            self.store = None
        super().closeEvent(event)

    def _system_chosen(self, index: int) -> None:
        if self.project is not None:
            self.load(self.project, self.systems.itemData(index))

    def _fill_tree(self, frames: dict) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.items.clear()
        self.info.clear()
        root = self.model.invisibleRootItem()
        for level in ("street", "community", "cell"):
            gdf = frames[level]
            for code, name, parent, area in zip(gdf["code"], gdf["name"], gdf["parent_code"],
                                                gdf["area_m2"]):
                item = QStandardItem(name or code)
                item.setData(code, CODE_ROLE)
                item.setEditable(False)
                code_item = QStandardItem(code)
                code_item.setEditable(False)
                (self.items.get(parent) or root).appendRow([item, code_item])
                self.items[code] = item
                self.info[code] = {"level": level, "name": name, "parent": parent,
                                   "area": area}
        self.tree.expandToDepth(0)
        self.tree.resizeColumnToContents(0)

    def _tree_selected(self, current, _previous) -> None:
        code = current.siblingAtColumn(0).data(CODE_ROLE)
        if code:
            self._show(code, fly=True)

    def select_code(self, code: str) -> None:
        """Select from the map or a table: the tree follows without flying the map."""
        item = self.items.get(code)
        if item is not None:
            blocker = QSignalBlocker(self.tree.selectionModel())
            self.tree.setCurrentIndex(item.index())
            del blocker
            self.tree.scrollTo(item.index())
        self._show(code, fly=False)

    def import_file(self, kind: str) -> ImportDialog | None:
        """The guided import (file → preview → columns → coordinates → dry run → import)."""
        if self.project is None:
            QMessageBox.information(self, "导入", "请先打开或新建项目")
            return None
        self.import_dialog = ImportDialog(str(self.project), kind, self)
        self.import_dialog.imported.connect(lambda _report: self.refresh())
        self.import_dialog.open()
        return self.import_dialog

    def refresh(self) -> None:
        """Show the project again after it changed (an import, an assignment)."""
        if self.project is None:
            return
        self.load(self.project, self.system)
        for view in self.registers.values():
            view.model.set_filter(view.filter.text())

    def toggle_cell(self, code: str) -> None:
        """Shift-click: add a cell to the selection, or take it out."""
        self.selection ^= {code}
        self.map.select(self.selection)
        self.statusBar().showMessage(f"已选 {len(self.selection)} 个单元网格（Shift+点击增减，"
                                     "Ctrl+R 指定责任人）")

    def assign_selected(self) -> None:
        if self.project is None or self.store is None:
            return
        cells = sorted(c for c in self.selection if self.info.get(c, {}).get("level") == "cell")
        if not cells:
            QMessageBox.information(self, "指定责任人", "请先在地图上选择单元网格（Shift+点击可多选）")
            return
        officers = [(o["staff_no"], o["name"], o["role"])
                    for _, o in self.store.officers().iterrows()]
        if not officers:
            QMessageBox.information(self, "指定责任人", "项目中还没有人员，请先导入人员名单")
            return
        self.assign_dialog = AssignDialog(str(self.project), cells, officers, self)
        if self.assign_dialog.exec():
            done = self.assign_dialog.result_info or {}
            with open_project(self.project, readonly=True) as store:
                self.details = cell_details(store) if self.system == "urban" else {}
            for view in self.registers.values():
                view.model.set_filter(view.filter.text())
            self._show(cells[0], fly=False)
            self.statusBar().showMessage(f"已指定：新增 {done.get('opened', 0)} 条责任，结束 "
                                         f"{len(done.get('closed', []))} 条")

    def _show(self, code: str, *, fly: bool) -> None:
        # the cells an assignment would apply to are what is highlighted, nothing else
        self.selection = {code} if self.info.get(code, {}).get("level") == "cell" else set()
        self.map.select({code}, fly=fly)
        i = self.info.get(code, {})
        area = i.get("area")
        parent = self.info.get(i.get("parent") or "", {}).get("name") or i.get("parent") or "—"
        html = (f"<b>{i.get('name') or code}</b><br>{LEVEL_ZH.get(i.get('level', ''), '')}"
                f"　编码 {code}<br>上级：{parent}<br>"
                + (f"面积：{area / 10000:.2f} 公顷" if area else ""))
        d = self.details.get(code)
        if d:
            for slot, title in (("primary", "责任人"), ("supervisor", "区级监管责任人")):
                if d[f"{slot}_name"]:
                    src = FROM_ZH.get(d[f"{slot}_from"], "")
                    html += (f"<br>{title}：{d[f'{slot}_name']} {d[f'{slot}_mobile'] or ''}"
                             + (f"（{src}）" if src and src != "本网格" else ""))
                else:
                    html += f"<br>{title}：<span style='color:#b91c1c'>未落实</span>"
            ents = d["enterprises"]
            html += f"<br>企业 {len(ents)} 家，其中重点 {d['key_enterprises']} 家"
            for e in ents[:6]:
                html += f"<br>　· {e['name']}（{e['class'] or '—'}）"
            if len(ents) > 6:
                html += f"<br>　… 另有 {len(ents) - 6} 家"
        self.detail.setText(html)

    def validate(self) -> TaskRunner | None:
        """Run grid validate off the GUI thread; the findings open in a table."""
        if self.project is None:
            return None
        path = self.project
        self.runner = TaskRunner(lambda: validate_file(path), "检查网格", self)
        self.runner.finished.connect(self._show_findings)
        self.runner.start()
        return self.runner

    def _show_findings(self, report: Report) -> None:
        n = len(report.findings)
        summary = (f"检查了 {report.info['checked']} 个区域：" +
                   (f"{len(report.refused)} 个错误、{len(report.warnings)} 个警告；双击一行在地图上查看"
                    if n else "没有发现问题"))
        self.findings_dialog = FindingsDialog("网格检查结果", report.findings, summary, self)
        self.findings_dialog.locate.connect(self._locate)
        self.findings_dialog.show()

    def _locate(self, finding: Finding) -> None:
        if finding.code and finding.code in self.items:
            self.select_code(finding.code)
            self._show(finding.code, fly=True)

    def find(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        for code, i in self.info.items():
            if code.startswith(text) or text in (i.get("name") or ""):
                self.select_code(code)
                self._show(code, fly=True)
                return
        self.statusBar().showMessage(f"没有找到 {text}", 4000)


def install_qt_chinese(app: QApplication) -> None:
    """Qt's own texts (确定/取消 in message boxes, file dialogs) in Simplified Chinese, from the
    translations PySide6 ships."""
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", where):
        app.installTranslator(translator)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridmgr gui")
    parser.add_argument("project", nargs="?")
    parser.add_argument("--screenshot", help="打开后截图保存到该 PNG 文件并退出")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont("Noto Sans CJK SC", 10))
    install_qt_chinese(app)
    win = MainWindow()
    project = args.project or QSettings("gridmgr", "gridmgr").value("last_project")
    if project and Path(project).exists():
        win.load(Path(project))
    win.show()
    if args.screenshot:
        def shoot() -> None:
            win.grab().save(args.screenshot)
            app.quit()
        QTimer.singleShot(500, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
