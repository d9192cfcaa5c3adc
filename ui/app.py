"""The desktop shell: the area tree, the map and a detail panel for one project.

It holds no business rules: areas come from :class:`gridmgr.storage.Store`, details and search
from :mod:`gridmgr.outputs.details`, everything it shows is what the core returns.
``gridmgr gui PROJECT [--screenshot FILE]``.

The map is the offline Leaflet page (:class:`ui.web_map.WebMapView`).  The QPainter map
(:class:`ui.map_view.MapView`) is only the fallback when QtWebEngine cannot be imported (or
``GRIDMGR_MAP=painter``): the window still shows, selects and assigns, without layers,
measures, rectangles or a basemap.

Selection: the tree, the map (click, shift-click, rectangle), the register tables (one click)
and the links of the detail panel all end in :meth:`MainWindow.select_code`,
:meth:`~MainWindow.select_enterprise` or :meth:`~MainWindow.select_officer`, which update
the others.  ``self.selection`` holds the cells an assignment would apply to.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import (
    QElapsedTimer,
    QLibraryInfo,
    QSettings,
    QSignalBlocker,
    Qt,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QFont,
    QStandardItem,
    QStandardItemModel,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

try:  # before the QApplication exists: registers the gmtiles: scheme (see ui.tile_scheme)
    from ui.web_map import WebMapView
    WEB_MAP_ERROR: str | None = None
except ImportError as _exc:  # QtWebEngine missing: the QPainter map stands in
    WebMapView = None  # type: ignore[assignment,misc]
    WEB_MAP_ERROR = str(_exc)

from gridmgr.errors import GridmgrError, LoginRefused
from gridmgr.findings import Finding, Report
from gridmgr.grid.repair import repair_grid
from gridmgr.grid.validate import validate_file
from gridmgr.messages import LEVEL_ZH
from gridmgr.outputs import details as core_details
from gridmgr.project import (
    as_location,
    is_server_url,
    location_exists,
    open_project,
    remember_password,
    share_warning,
    summary,
)
from gridmgr.registers.enterprises import KEY_CLASSES
from maps.case_layer import OVERDUE_COLOUR as OVERDUE_RING
from maps.fonts import cjk_families
from maps.render import CLASS_COLOURS, STYLE
from ui import detail_html, i18n
from ui.area_info import AreaInfo
from ui.assign_dialog import AssignDialog
from ui.cases_panel import CasesPanel
from ui.findings_view import FindingsDialog
from ui.import_dialog import ImportDialog
from ui.map_view import MapView
from ui.new_project_dialog import NewProjectDialog
from ui.plain import error_box
from ui.register_table import RegisterView
from ui.tasks import TaskRunner
from ui.tools import Tools

try:  # the case measures appear once gridmgr offers the counts
    from gridmgr.indicators import map_counts as _cases
except ImportError:  # pragma: no cover - depends on what is installed
    _cases = None

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
PENDING_ROLE = Qt.ItemDataRole.UserRole + 2  # a community whose cells are not in the tree yet
UNASSIGNED_COLOUR = "#dc2626"
ASSIGNED_COLOUR = "#e5e7eb"
MAX_MAP_ENTERPRISES = 50_000  # above this the map draws the key enterprises only
WATCH_MS = 3000  # how often the window asks whether another process or desk changed the project
BASEMAP_KEY = "basemap"  # QSettings: path of an MBTiles file or tile folder, "" for none
GEOMETRY_KEY, SPLIT_KEY = "window/geometry", "window/split"  # QSettings: the window's layout
SIDE_MIN_WIDTH = 260  # px: the tree, search and details stay usable whatever the tabs ask


def recent_projects() -> list[str]:
    """Recently opened project files that still exist, newest first."""
    value = QSettings("gridmgr", "gridmgr").value("recent_projects") or []
    if isinstance(value, str):
        value = [value]
    return [p for p in value if location_exists(p)]


def make_map(parent: QWidget | None = None) -> QWidget:
    """The Leaflet map, or the QPainter map when QtWebEngine is not there."""
    if WebMapView is not None and os.environ.get("GRIDMGR_MAP") != "painter":
        return WebMapView(parent)
    return MapView(parent)


def case_measures_available() -> bool:
    """Open/overdue cases colour the map once gridmgr.indicators offers ``cell_case_counts``."""
    return _cases is not None and hasattr(_cases, "cell_case_counts")


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("gridmgr 网格化管理"))
        self.resize(1280, 800)
        self.project: Path | None = None
        self._overview: dict[str, dict] | None = None
        self.counts: dict[str, tuple[int, int]] = {}
        self.store = None  # read-only, for the lazily paged tables, details and search
        # another process (the CLI, a second window, another desk on the server) may write to
        # the project: the window asks the store's change token and reloads when it moved
        self._change_token: int | None = None
        self._outside_changes = 0  # how many the window has noticed (dialogs compare it)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_outside_change)
        self._watch.start()
        self.registers: dict[str, RegisterView] = {}
        self.items: dict[str, QStandardItem] = {}
        self.info: AreaInfo | dict[str, dict] = {}  # code → level, name, parent, area
        self.unit_level = "cell"
        self.current: tuple[str, str] | None = None  # ("area"|"enterprise"|"officer", key)
        self.selection: set[str] = set()  # cells chosen for an assignment
        self.cases_panel: CasesPanel | None = None
        self._measure_legend: dict | None = None  # the colouring's classes, when one is chosen
        self._case_legend: dict | None = None  # the statuses of the cases the map shows
        self._all_enterprises = True  # False: the map draws the key enterprises only

        self.system = "urban"
        self.systems = QComboBox()
        self.systems.setToolTip(self.tr("网格体系"))
        self.systems.activated.connect(self._system_chosen)
        self.search = QLineEdit(placeholderText=self.tr(
            "查找：网格/区域编码或名称、企业名称或信用代码、人员姓名或工号"))
        self.search.returnPressed.connect(self.find)
        self.hits = QListWidget()
        self.hits.setMaximumHeight(140)
        self.hits.hide()
        self.hits.itemActivated.connect(self._hit_chosen)
        self.hits.itemClicked.connect(self._hit_chosen)
        self.model = QStandardItemModel()
        self.model.setHorizontalHeaderLabels([self.tr("区域"), self.tr("编码")])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.selectionModel().currentChanged.connect(self._tree_selected)
        self.tree.expanded.connect(self._tree_expanded)
        self.detail = QLabel(self.tr("打开项目后，点击地图或左侧的区域查看详情。"))
        self.detail.setTextFormat(Qt.TextFormat.RichText)  # detail_html escapes every value
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail.linkActivated.connect(self._detail_link)
        detail_scroll = QScrollArea()
        detail_scroll.setWidget(self.detail)
        detail_scroll.setWidgetResizable(True)
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.systems)
        lay.addWidget(self.search)
        lay.addWidget(self.hits)
        lay.addWidget(self.tree, 3)
        lay.addWidget(detail_scroll, 2)

        self.map = make_map()
        self.map.areaClicked.connect(self.select_code)
        self.map.areaShiftClicked.connect(self.toggle_cell)
        self.map.pointClicked.connect(lambda key: self.select_enterprise(key, fly=False))
        self.map.boxSelected.connect(self.box_select)
        if hasattr(self.map, "caseClicked"):  # the web map (the QPainter fallback has no cases)
            self.map.caseClicked.connect(self._case_marker_clicked)
            self.map.pointPicked.connect(self._case_place_picked)
        self.map_tab = QWidget()
        map_lay = QVBoxLayout(self.map_tab)
        map_lay.setContentsMargins(0, 0, 0, 0)
        map_lay.setSpacing(0)
        map_lay.addWidget(self._map_toolbar())
        map_lay.addWidget(self.map, 1)
        split = QSplitter()
        left.setMinimumWidth(SIDE_MIN_WIDTH)
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.map_tab, self.tr("地图"))
        split.addWidget(self.tabs)
        split.setCollapsible(0, False)  # a wide tab never squeezes the side panel away
        split.setCollapsible(1, False)
        split.setStretchFactor(1, 1)  # a larger window widens the map, not the side panel
        split.setSizes([360, 920])
        self.split = split
        self.setCentralWidget(split)
        self._restore_layout()
        self._menus()
        self.tools = Tools(self)  # printing, field packages, conflicts (ui/tools.py)
        basemap = QSettings("gridmgr", "gridmgr").value(BASEMAP_KEY) or ""
        if basemap:
            self.set_basemap(str(basemap), remember=False)

    # -- building the window -----------------------------------------------------------------
    def _map_toolbar(self) -> QToolBar:
        bar = QToolBar()
        bar.addWidget(QLabel(self.tr(" 着色：")))
        self.measure = QComboBox()
        self.measure.addItem(self.tr("无"), "none")
        self.measure.addItem(self.tr("企业数"), "enterprises")
        self.measure.addItem(self.tr("重点企业数"), "key_enterprises")
        self.measure.addItem(self.tr("未落实责任人"), "unassigned")
        if case_measures_available():
            self.measure.addItem(self.tr("未结案件"), "open_cases")
            self.measure.addItem(self.tr("超期案件"), "overdue_cases")
        self.measure.currentIndexChanged.connect(lambda _i: self.apply_measure())
        bar.addWidget(self.measure)
        # which cases the map shows: the unresolved ones unless the officer asks for more
        bar.addWidget(QLabel(self.tr(" 案件：")))
        self.case_show = QComboBox()
        for label, key in ((self.tr("未办结"), "open"), (self.tr("超期"), "overdue"),
                           (self.tr("已结案"), "closed"), (self.tr("已作废"), "void"),
                           (self.tr("全部"), "all")):
            self.case_show.addItem(label, key)
        self.case_show.setToolTip(self.tr("地图上显示哪些案件（默认只显示未办结的）"))
        self.case_period = QComboBox()
        for label, key in ((self.tr("全部时间"), "all"), (self.tr("近 30 天"), "30d"),
                           (self.tr("近 90 天"), "90d"), (self.tr("今年"), "year")):
            self.case_period.addItem(label, key)
        self.case_period.setToolTip(self.tr("按上报时间筛选地图上的案件"))
        self.case_show.currentIndexChanged.connect(lambda _i: self._push_cases())
        self.case_period.currentIndexChanged.connect(lambda _i: self._push_cases())
        bar.addWidget(self.case_show)
        bar.addWidget(self.case_period)
        bar.addSeparator()
        self.box_action = QAction(self.tr("框选"), self, checkable=True)
        self.box_action.setToolTip(self.tr("拖动鼠标框选单元网格（也可按住 Shift 拖动）"))
        self.box_action.toggled.connect(self.map.set_box_mode)
        bar.addAction(self.box_action)
        bar.addAction(QAction(self.tr("清除选择"), self, triggered=self.clear_selection))
        bar.addAction(QAction(self.tr("为选中网格指定责任人…"), self,
                              triggered=self.assign_selected))
        bar.addSeparator()
        bar.addAction(QAction(self.tr("全图"), self, triggered=self.map.zoom_to_all))
        return bar

    def _menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("项目"))
        self.project_menu = menu
        menu.addAction(QAction(self.tr("新建…"), self, shortcut="Ctrl+N",
                               triggered=self.new_project))
        menu.addAction(QAction(self.tr("打开…"), self, shortcut="Ctrl+O",
                               triggered=self.choose_project))
        menu.addAction(QAction(self.tr("打开服务器项目…"), self, triggered=self.choose_server_project))
        self.recent_menu = menu.addMenu(self.tr("最近打开"))
        self._fill_recent()
        menu.addSeparator()
        for kind, title in (("grid", self.tr("导入网格（区/街道/社区/单元网格）…")),
                            ("enterprises", self.tr("导入企业名录…")),
                            ("officers", self.tr("导入人员名单…"))):
            menu.addAction(QAction(title, self, triggered=lambda _=False, k=kind:
                                   self.import_file(k)))
        menu.addSeparator()
        self.print_anchor = menu.addSeparator()  # add_print_action puts "打印…" here
        menu.addAction(QAction(self.tr("退出"), self, shortcut="Ctrl+Q", triggered=self.close))
        grid = self.menuBar().addMenu(self.tr("网格"))
        grid.addAction(QAction(self.tr("检查网格…"), self, shortcut="Ctrl+K",
                               triggered=self.validate))
        self.repair_action = QAction(self.tr("修复几何…"), self, triggered=self.repair)
        grid.addAction(self.repair_action)
        grid.addAction(QAction(self.tr("为选中的网格指定责任人…"), self, shortcut="Ctrl+R",
                               triggered=self.assign_selected))
        view = self.menuBar().addMenu(self.tr("视图"))
        view.addAction(QAction(self.tr("全图"), self, shortcut="Ctrl+0",
                               triggered=self.map.zoom_to_all))
        base = view.addMenu(self.tr("底图"))
        group = QActionGroup(self)
        self.basemap_none = QAction(self.tr("无底图"), self, checkable=True, checked=True,
                                    triggered=lambda: self.set_basemap(None))
        group.addAction(self.basemap_none)
        base.addAction(self.basemap_none)
        base.addAction(QAction(self.tr("选择 MBTiles 文件…"), self,
                               triggered=self.choose_basemap_file))
        base.addAction(QAction(self.tr("选择瓦片文件夹（{z}/{x}/{y}）…"), self,
                               triggered=self.choose_basemap_folder))
        base.setEnabled(WebMapView is not None and isinstance(self.map, WebMapView))
        app = QApplication.instance()
        if app is not None:
            i18n.add_language_menu(view, app)

    def add_tool_action(self, menu_title: str, action: QAction) -> QMenu:
        """Hook another dialog into the window: ``action`` goes into the top-level menu
        ``menu_title`` (created before 视图 if new).  Returns the menu."""
        for act in self.menuBar().actions():
            if act.menu() is not None and act.text() == menu_title:
                act.menu().addAction(action)
                return act.menu()
        menu = QMenu(menu_title, self)
        view = next((a for a in self.menuBar().actions() if a.text() == self.tr("视图")), None)
        self.menuBar().insertMenu(view, menu) if view else self.menuBar().addMenu(menu)
        menu.addAction(action)
        return menu

    def add_print_action(self, action: QAction) -> None:
        """The "打印…" slot: the printing dialog's action, in the 项目 menu above 退出."""
        self.project_menu.insertAction(self.print_anchor, action)

    def add_cases_action(self, action: QAction) -> QMenu:
        """The "案件" slot: the case dialogs' actions, in their own 案件 menu."""
        return self.add_tool_action(self.tr("案件"), action)

    def selected_cells(self) -> list[str]:
        """The cells chosen on the map (for dialogs hooked in through add_tool_action)."""
        return sorted(self.selection)

    @property
    def details(self) -> dict[str, dict]:
        """Per unit cell: who answers for it today (属地兜底 applied), computed on first use —
        for a measure or an officer — not while the project opens (seconds at 100k cells)."""
        if self._overview is None:
            if self.store is None:
                return {}
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._overview = core_details.responsibility_overview(self.store, self.system)
            finally:
                QApplication.restoreOverrideCursor()
        return self._overview

    # -- projects ------------------------------------------------------------------------------
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
                                               self.load(as_location(p))))
        self.recent_menu.setEnabled(bool(recent_projects()))

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("打开项目"), "",
                                              self.tr("gridmgr 项目 (*.gpkg)"))
        if path:
            self.load(Path(path))

    def _ask_password(self, url: str, why: str) -> bool:
        """The server wants a password this desk has not given (no PGPASSWORD, no ~/.pgpass):
        ask for it, keep it in memory for the session only; False when the user cancels."""
        user = url.split("//", 1)[1].split("@", 1)[0] if "@" in url else ""
        text, ok = QInputDialog.getText(
            self, self.tr("服务器密码"),
            self.tr("{why}\n\n请输入用户 {user} 的密码（只保存在本次运行的内存中）：").format(
                why=why, user=user),
            QLineEdit.EchoMode.Password)
        if not ok or not text:
            return False
        remember_password(url, text)
        return True

    def choose_server_project(self) -> None:
        url, ok = QInputDialog.getText(
            self, self.tr("打开服务器项目"),
            self.tr("项目地址，如 postgresql://用户@主机:5432/数据库?schema=项目\n"
                    "（密码不写在地址里：用 PGPASSWORD、~/.pgpass，或稍后在这里输入）："),
            QLineEdit.EchoMode.Normal, str(self.project) if is_server_url(self.project) else "")
        if ok and url.strip():
            self.load(url.strip())  # type: ignore[arg-type]

    def load(self, path: Path, system: str | None = None) -> bool:
        try:
            with open_project(path, readonly=True) as store:
                recovered = store.recovered  # a crash's half-done action, undone on opening
                s = summary(store)
                systems = store.grid_systems()
                codes = [x["code"] for x in systems]
                system = system if system in codes else (self.system if self.system in codes
                                                         else codes[0])
                frames = {lvl: store.map_areas(lvl, system=system).to_crs("EPSG:4490")
                          for lvl in ("district", "street", "community", "cell")}
                n_ents = store.count_enterprises()
                few = n_ents <= MAX_MAP_ENTERPRISES  # else only the key ones are drawn
                ents = store.enterprise_points(None if few else KEY_CLASSES).to_crs("EPSG:4490")
                counts = core_details.enterprise_counts(store, "cell")
        except LoginRefused as exc:
            if self._ask_password(str(path), str(exc)):
                return self.load(path, system)
            return False
        except GridmgrError as exc:
            error_box(self, exc.title, str(exc))
            return False
        if path != self.project:  # another project: nothing chosen in the old one survives
            shared = share_warning(path)
            if shared:  # once per project opened: several desks writing there lose data
                QMessageBox.warning(self, self.tr("项目在网络共享上"), shared)
            self.selection = set()
            self.current = None
            self.map.select(set())
            self.detail.setText(self.tr("点击地图或左侧的区域查看详情。"))
        # the map first: the page parses and draws (in its own process) while the tree, the
        # registers and the cases are built here
        self._all_enterprises = few
        self.map.set_frames(frames)
        self.map.set_points(ents)
        self.project, self.system = path, system
        self.unit_level = next((lv for lv in ("cell", "community", "street")
                                if len(frames[lv])), "cell")
        self._open_registers(path)
        self._change_token = self._token()
        self.systems.clear()
        for x in systems:
            self.systems.addItem(i18n.system_name(x["code"], x["name"]), x["code"])
        self.systems.setCurrentIndex(codes.index(system))
        self.setWindowTitle(self.tr("{name} — gridmgr 网格化管理 — {file}").format(
            name=s["name"], file=path.name if isinstance(path, Path) else str(path)))
        self._fill_tree(frames)
        self._overview = None  # who answers for each cell: computed when first needed
        self.counts = counts
        self._push_cases()
        self.map.select(self.selection)
        self.apply_measure()
        self.map.notify_painted()
        counts = self.tr("，").join(f"{i18n.term(LEVEL_ZH[k])} {len(v)}"
                                    for k, v in frames.items())
        if not few:
            counts += self.tr("；企业 {n} 家，地图只画国控、省控 {k} 家").format(n=n_ents, k=len(ents))
        counts = self.tr("{system}：{counts}").format(system=self.systems.currentText(),
                                                     counts=counts)
        self.statusBar().showMessage((f"{recovered}    " if recovered else "")
                                     + f"{path}    {counts}    "
                                     + self.tr("坐标系 {crs}").format(crs=s["crs"]))
        settings = QSettings("gridmgr", "gridmgr")
        settings.setValue("last_project", str(path))
        recent = [str(path)] + [p for p in recent_projects() if p != str(path)]
        settings.setValue("recent_projects", recent[:8])
        self._fill_recent()
        return True

    def _open_registers(self, path: Path) -> None:
        """Register tables read through one read-only connection kept while the project is
        shown (they page lazily, so they need it open); details and search use it too."""
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
        if self.cases_panel is not None:
            self.cases_panel.close_project()
            self.cases_panel = None
        self.store = open_project(path, readonly=True)
        self.registers = {}
        for table, title in (("enterprises", self.tr("企业")), ("officers", self.tr("人员")),
                             ("responsibilities", self.tr("责任记录"))):
            view = RegisterView(self.store, table)
            view.activated.connect(lambda row, t=table: self._register_row(t, row, fly=True))
            view.clicked.connect(lambda row, t=table: self._register_row(t, row, fly=False))
            self.registers[table] = view
            self.tabs.addTab(view, title)
        self._open_cases(path)

    def _open_cases(self, path: Path) -> None:
        """The 案件 tab: list, case page, 新建案件 and indicators (ui/cases_panel.py); its markers
        and the place of a new case go through the map."""
        panel = CasesPanel(path)
        self.cases_panel = panel
        self.tabs.addTab(panel, self.tr("案件"))
        panel.case_selected.connect(self._show_case_on_map)
        panel.new_case_requested.connect(self._pick_case_place)
        panel.cases_changed.connect(self._push_cases)

    def _push_cases(self) -> None:
        set_cases = getattr(self.map, "set_cases", None)
        self._case_legend = None
        if self.cases_panel is not None and set_cases is not None:
            payload = self.cases_panel.markers(show=self.case_show.currentData(),
                                               period=self.case_period.currentData())
            self._case_legend = payload.get("legend")
            set_cases(payload)
        if str(self.measure.currentData()).endswith("_cases"):
            self.apply_measure()
        else:
            self._refresh_legend()

    def legend(self) -> dict:
        """Everything drawn on the map, in sections: the measure's classes (when one is
        chosen), the boundary lines, the enterprise classes and the cases shown (with the
        filter in the title)."""
        sections = []
        if self._measure_legend:
            sections.append(self._measure_legend)
        lines = [("district", self.tr("区界")), ("street", self.tr("街道界")),
                 ("community", self.tr("社区界")), ("cell", self.tr("单元网格"))]
        sections.append({"title": self.tr("界线"), "entries": [
            {"colour": STYLE[lvl][0], "label": text, "kind": "line"} for lvl, text in lines]})
        classes = list(KEY_CLASSES) if not self._all_enterprises else [
            c for c in CLASS_COLOURS]
        sections.append({"title": self.tr("企业") if self._all_enterprises else
                         self.tr("企业（只画国控、省控）"), "entries": [
            {"colour": CLASS_COLOURS[c], "label": i18n.term(c), "kind": "dot"}
            for c in classes]})
        if self._case_legend:
            title = self.tr("案件：{show}，{period}").format(
                show=self.case_show.currentText(), period=self.case_period.currentText())
            entries = [dict(e, kind="diamond") for e in self._case_legend.get("entries", [])]
            for e in entries:
                if e["colour"] == OVERDUE_RING:
                    e.update(colour="#ffffff", ring=OVERDUE_RING)
            sections.append({"title": title, "entries": entries or [
                {"colour": "#ffffff", "label": self.tr("（无）"), "kind": "diamond"}]})
        return {"sections": sections}

    def _refresh_legend(self) -> None:
        set_legend = getattr(self.map, "set_legend", None)
        if set_legend is not None and self.project is not None:
            set_legend(self.legend())

    def _show_case_on_map(self, lon: float, lat: float, case_no: str) -> None:
        centre_on = getattr(self.map, "centre_on", None)
        if centre_on is not None:
            centre_on(lon, lat)
            self.statusBar().showMessage(self.tr("案件 {no}").format(no=case_no), 5000)

    def _pick_case_place(self) -> None:
        """新建案件: the next click on the map gives the place (the QPainter map cannot)."""
        pick = getattr(self.map, "pick_point", None)
        if pick is None:
            QMessageBox.information(self, self.tr("新建案件"),
                                    self.tr("此地图不能取点；请使用网页地图。"))
            return
        self.tabs.setCurrentIndex(0)
        pick(True)
        self.statusBar().showMessage(self.tr("在地图上点击案件发生的位置"))

    def _case_place_picked(self, lon: float, lat: float) -> None:
        if self.cases_panel is None:
            return
        self.statusBar().clearMessage()
        self.tabs.setCurrentWidget(self.cases_panel)
        self.cases_panel.new_case_at(lon, lat)

    def _case_marker_clicked(self, case_no: str) -> None:
        if self.cases_panel is not None and self.cases_panel.show_case(case_no):
            self.tabs.setCurrentWidget(self.cases_panel)

    def _register_row(self, table: str, row: int, *, fly: bool) -> None:
        """A click in a table selects its enterprise, officer or area everywhere; a
        double-click also shows it on the map."""
        model = self.registers[table].model
        if table == "enterprises":
            self.select_enterprise(int(model.rows[row][0]), fly=fly, from_table=True)
        elif table == "officers":
            self.select_officer(model.value(row, "staff_no"), fly=fly, from_table=True)
        else:
            code = model.value(row, "area_code")
            if code and code in self.info:
                self.select_code(code, fly=fly)
        if fly:
            self.tabs.setCurrentIndex(0)

    def _restore_layout(self) -> None:
        """The window's size and place and the side panel's width, as the user left them
        (per user: QSettings); a fresh user gets 1280 × 800 with a 360 px side panel."""
        settings = QSettings("gridmgr", "gridmgr")
        geometry = settings.value(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(geometry)
        state = settings.value(SPLIT_KEY)
        if state:
            self.split.restoreState(state)

    def save_layout(self) -> None:
        settings = QSettings("gridmgr", "gridmgr")
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(SPLIT_KEY, self.split.saveState())

    def closeEvent(self, event) -> None:
        self.save_layout()
        runner = getattr(self, "runner", None)
        if runner is not None and runner.thread.isRunning():
            runner.cancel()  # a check still running: stop it, and wait, before Qt tears down
            runner.wait()
        if self.cases_panel is not None:
            self.cases_panel.close_project()
        if self.store is not None:
            for view in self.registers.values():
                view.model.detach()
            self.store.close()
            self.store = None
        super().closeEvent(event)

    def _system_chosen(self, index: int) -> None:
        if self.project is not None:
            self.load(self.project, self.systems.itemData(index))

    # -- the tree (cells are added under a community when it is opened) ------------------------
    def _fill_tree(self, frames: dict) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.items.clear()
        self.info = AreaInfo(frames)  # level, name, parent, area of a code, made when asked
        self.cells_of: dict[str, list[str]] = {}
        root = self.model.invisibleRootItem()
        for level in ("street", "community", "cell"):
            areas = frames[level]  # Store.map_areas
            for code, name, parent in zip(areas.codes, areas.names, areas.parents):
                if level == "cell" and parent in self.items:
                    self.cells_of.setdefault(parent, []).append(code)
                    continue
                self._add_item(self.items.get(parent) or root, code, name)
        for parent in self.cells_of:  # a placeholder so that the community shows an arrow
            self.items[parent].appendRow([QStandardItem("…"), QStandardItem("")])
            self.items[parent].setData(True, PENDING_ROLE)
        self.tree.expandToDepth(0)
        self.tree.resizeColumnToContents(0)

    def _add_item(self, parent: QStandardItem, code: str, name: str | None) -> QStandardItem:
        item = QStandardItem(name or code)
        item.setData(code, CODE_ROLE)
        item.setEditable(False)
        code_item = QStandardItem(code)
        code_item.setEditable(False)
        parent.appendRow([item, code_item])
        self.items[code] = item
        return item

    def _fill_cells(self, parent_code: str) -> None:
        item = self.items.get(parent_code)
        if item is None or not item.data(PENDING_ROLE):
            return
        item.setData(False, PENDING_ROLE)
        item.removeRows(0, item.rowCount())
        for code in self.cells_of.get(parent_code, []):
            self._add_item(item, code, self.info[code]["name"])
        self.tree.resizeColumnToContents(0)

    def _tree_expanded(self, index) -> None:
        code = index.siblingAtColumn(0).data(CODE_ROLE)
        if code:
            self._fill_cells(code)

    def _item(self, code: str) -> QStandardItem | None:
        if code not in self.items and code in self.info:
            self._fill_cells(self.info[code]["parent"])
        return self.items.get(code)

    def _tree_selected(self, current, _previous) -> None:
        code = current.siblingAtColumn(0).data(CODE_ROLE)
        if code:
            self.select_code(code, fly=True, from_tree=True)

    # -- selecting -------------------------------------------------------------------------------
    def _tree_follow(self, code: str | None) -> None:
        item = self._item(code) if code else None
        if item is not None:
            blocker = QSignalBlocker(self.tree.selectionModel())
            self.tree.setCurrentIndex(item.index())
            del blocker
            self.tree.scrollTo(item.index())

    def select_code(self, code: str, fly: bool = False, *, from_tree: bool = False) -> None:
        """Select an area (map click, tree, table, detail link): the others follow.  A cell
        becomes the selection an assignment applies to."""
        if not from_tree:
            self._tree_follow(code)
        self.selection = {code} if self.info.get(code, {}).get("level") == "cell" else set()
        self.map.select({code}, fly=fly)
        self.map.select_point(None)
        self.current = ("area", code)
        self._show_area(code)

    def toggle_cell(self, code: str) -> None:
        """Shift-click: add a cell to the selection, or take it out."""
        if self.info.get(code, {}).get("level") != "cell":
            return self.select_code(code)
        self.selection ^= {code}
        self.map.select(self.selection)
        if code in self.selection:
            self._tree_follow(code)
            self.current = ("area", code)
            self._show_area(code)
        self._selection_message()
        return None

    def box_select(self, codes: list[str], additive: bool) -> None:
        """A rectangle on the map: its cells become (shift: join) the selection."""
        cells = {c for c in codes if self.info.get(c, {}).get("level") == "cell"}
        self.selection = (self.selection | cells) if additive else cells
        self.map.select(self.selection)
        self._selection_message()

    def clear_selection(self) -> None:
        self.selection = set()
        self.map.select(set())
        self.map.select_point(None)
        self._selection_message()

    def _selection_message(self) -> None:
        self.statusBar().showMessage(self.tr(
            "已选 {n} 个单元网格（Shift+点击增减，Shift+拖动框选，Ctrl+R 指定责任人）").format(
                n=len(self.selection)))

    def select_enterprise(self, key: str | int, fly: bool = True, *,
                          from_table: bool = False) -> None:
        """An enterprise (credit code, uuid or fid): its cell is selected on the map and in
        the tree, the marker ringed, the detail panel shows the enterprise."""
        if self.store is None:
            return
        e = self.store.enterprise_by_key(key)
        if e is None:
            return
        mark = e["credit_code"] or e["uuid"]
        cell = e["cell_code"]
        self.selection = {cell} if cell in self.info else set()
        self.map.select(self.selection)
        self.map.select_point(mark)
        if fly:
            self.map.fly_to([mark])
        self._tree_follow(cell)
        if not from_table:
            self.registers["enterprises"].select_key(0, e["fid"])
        self.current = ("enterprise", mark)
        level = self.info.get(cell or "", {}).get("level")
        area = (core_details.area_detail(self.store, level, cell, self.system)
                if cell and level else None)
        self.detail.setText(detail_html.enterprise_html(
            e, self.info.get(cell or "", {}).get("name"), (area or {}).get("people")))

    def select_officer(self, staff_no: str, fly: bool = True, *,
                       from_table: bool = False) -> None:
        """An officer: the cells they answer for are selected (and fitted), the detail panel
        shows their phone, role and cells."""
        if self.store is None:
            return
        o = core_details.officer_detail(self.store, staff_no, self.details)
        if o is None:
            return
        cells = [c for c in o["all_cells"] if c in self.info]
        self.selection = set(cells)
        self.map.select(self.selection)
        self.map.select_point(None)
        if fly and cells:
            self.map.fly_to(cells)
        if not from_table:
            self.registers["officers"].select_key(self.registers["officers"].model.columns
                                                  .index("staff_no") + 1, staff_no)
        self.current = ("officer", staff_no)
        names = {c: self.info[c]["name"] for c in cells}
        self.detail.setText(detail_html.officer_html(o, names))

    def detail_plain(self) -> str:
        """The detail panel as the user reads it (links as their text)."""
        return QTextDocumentFragment.fromHtml(self.detail.text()).toPlainText()

    def _detail_link(self, link: str) -> None:
        kind, _, key = link.partition(":")
        if kind in ("cell", "area"):
            self.select_code(key, fly=True)
        elif kind == "officer":
            self.select_officer(key)
        elif kind == "enterprise":
            self.select_enterprise(key)

    def _show_area(self, code: str) -> None:
        i = self.info.get(code, {})
        parent = self.info.get(i.get("parent") or "", {}).get("name")
        if self.store is not None and i:
            area = core_details.area_detail(self.store, i["level"], code, self.system)
            html = detail_html.area_html(code, i, parent or (area or {}).get("parent_name"),
                                         area=area)
        else:
            html = detail_html.area_html(code, i, parent)
        self.detail.setText(html)

    # kept for dialogs and tests that show an area
    def _show(self, code: str, *, fly: bool) -> None:
        self.select_code(code, fly=fly)

    # -- measures ------------------------------------------------------------------------------
    def apply_measure(self) -> None:
        """Colour the unit cells by the chosen measure, with its legend (texts from here)."""
        kind = self.measure.currentData()
        level = self.unit_level
        if kind in (None, "none") or self.store is None or not self.info:
            self.map.clear_measure(level)
            self._measure_legend = None
            self._refresh_legend()
            return
        units = self.info.codes_of(level)
        if kind == "unassigned":
            colours = {c: (UNASSIGNED_COLOUR if not (d["primary_name"] and d["supervisor_name"])
                           else ASSIGNED_COLOUR) for c, d in self.details.items()}
            self.map.set_colours(level, colours)
            self._measure_legend = {"title": self.tr("责任人落实情况"), "entries": [
                {"colour": UNASSIGNED_COLOUR, "label": self.tr("未落实（缺责任人或监管责任人）")},
                {"colour": ASSIGNED_COLOUR, "label": self.tr("已落实")}]}
            self._refresh_legend()
            return
        if kind in ("enterprises", "key_enterprises"):
            if level != "cell":
                self.counts = core_details.enterprise_counts(self.store, level)
            k = 0 if kind == "enterprises" else 1
            values = {c: self.counts.get(c, (0, 0))[k] for c in units}
            title = self.tr("企业数") if k == 0 else self.tr("重点企业数（国控、省控）")
        else:
            counts = self.case_counts()
            column = "open" if kind == "open_cases" else "overdue"
            values = {c: 0 for c in units}
            values.update(counts.get(column, {}))
            title = self.tr("未结案件") if kind == "open_cases" else self.tr("超期案件")
        self.map.set_measure(level, values, title)
        legend = getattr(self.map, "legend", None)
        if legend:  # "无数据" is translated here too
            legend = dict(legend, entries=[dict(e) for e in legend["entries"]])
            for e in legend["entries"]:
                if e["label"] == "无数据":
                    e["label"] = self.tr("无数据")
        self._measure_legend = legend or None
        self._refresh_legend()

    def case_counts(self) -> dict[str, dict[str, int]]:
        """{"open": {cell: n}, "overdue": {cell: n}} from gridmgr.indicators, today."""
        if not case_measures_available() or self.store is None:
            return {}
        df = _cases.cell_case_counts(self.store, None)
        return {col: {c: int(v) for c, v in zip(df["cell_code"], df[col])}
                for col in ("open", "overdue")}

    # -- basemap -------------------------------------------------------------------------------
    def set_basemap(self, path: str | None, remember: bool = True) -> bool:
        """Offline tiles under the map (an MBTiles file or an XYZ folder), or none."""
        try:
            self.map.set_basemap(path)
        except GridmgrError as exc:
            error_box(self, exc.title, str(exc))
            return False
        if remember:
            QSettings("gridmgr", "gridmgr").setValue(BASEMAP_KEY, path or "")
        self.basemap_none.setChecked(not path)
        return True

    def choose_basemap_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择底图"), "",
                                              self.tr("MBTiles 瓦片 (*.mbtiles)"))
        if path:
            self.set_basemap(path)

    def choose_basemap_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("选择瓦片文件夹"))
        if path:
            self.set_basemap(path)

    # -- actions -------------------------------------------------------------------------------
    def import_file(self, kind: str) -> ImportDialog | None:
        """The guided import (file → preview → columns → coordinates → dry run → import)."""
        if self.project is None:
            QMessageBox.information(self, self.tr("导入"), self.tr("请先打开或新建项目"))
            return None
        self.import_dialog = ImportDialog(str(self.project), kind, self)
        self.import_dialog.imported.connect(lambda _report: self.refresh())
        self.import_dialog.open()
        return self.import_dialog

    def _token(self) -> int | None:
        try:
            return None if self.store is None else self.store.change_token()
        except Exception:  # a closed connection, a server restarting: asked again later
            return None

    def _check_outside_change(self) -> None:
        """Reload when another process or desk committed to the project since it was shown
        (what this window's own dialogs write reloads it already)."""
        if self.project is None or self._change_token is None:
            return
        token = self._token()
        if token is None or token == self._change_token:
            return
        self._outside_changes += 1
        self.refresh()
        self.statusBar().showMessage(self.tr("项目已被其他程序或工位修改，已重新载入"), 15000)

    def outside_mark(self) -> int:
        """Ask now whether another process or desk changed the project (reloading if so); the
        count of such changes seen, for a dialog to compare before it writes (ui/outside.py)."""
        self._check_outside_change()
        return self._outside_changes

    def outside_changed_since(self, seen: int, parent: QWidget) -> bool:
        """True when the project changed from outside since ``seen``: the window has reloaded,
        and a box on ``parent`` says that nothing was written and what to do."""
        if self.outside_mark() == seen:
            return False
        QMessageBox.warning(parent, self.tr("项目已被修改"), self.tr(
            "打开此对话框之后，项目已被其他程序或工位修改，窗口已重新载入。\n"
            "本次未写入任何内容；请核对现在的内容后再确认一次。"))
        return True

    def refresh(self) -> None:
        """Show the project again after it changed (an import, an assignment)."""
        if self.project is None:
            return
        self.load(self.project, self.system)
        for view in self.registers.values():
            view.model.set_filter(view.filter.text())

    def assign_selected(self) -> None:
        if self.project is None or self.store is None:
            return
        cells = sorted(c for c in self.selection if self.info.get(c, {}).get("level") == "cell")
        if not cells:
            QMessageBox.information(self, self.tr("指定责任人"), self.tr(
                "请先在地图上选择单元网格（点击、Shift+点击多选、Shift+拖动框选）"))
            return
        officers = [(o["staff_no"], o["name"], o["role"])
                    for _, o in self.store.officers().iterrows()]
        if not officers:
            QMessageBox.information(self, self.tr("指定责任人"),
                                    self.tr("项目中还没有人员，请先导入人员名单"))
            return
        self.assign_dialog = AssignDialog(str(self.project), cells, officers, self)
        if self.assign_dialog.exec():
            done = self.assign_dialog.result_info or {}
            self._overview = None  # recomputed from the project file when next needed
            for view in self.registers.values():
                view.model.set_filter(view.filter.text())
            self.current = ("area", cells[0])
            self._show_area(cells[0])
            self.apply_measure()
            self.statusBar().showMessage(self.tr("已指定：新增 {n} 条责任，结束 {m} 条").format(
                n=done.get("opened", 0), m=len(done.get("closed", []))))

    def validate(self) -> TaskRunner | None:
        """Run grid validate off the GUI thread; the findings open in a table."""
        if self.project is None:
            return None
        path = self.project
        self.runner = TaskRunner(lambda: validate_file(path), self.tr("检查网格"), self)
        self.runner.finished.connect(self._show_findings)
        self.runner.start()
        return self.runner

    def repair(self) -> TaskRunner | None:
        """``grid repair`` after a confirmation, in the worker thread (one transaction: Cancel
        leaves the project as it was); its report opens in the findings table."""
        if self.project is None:
            return None
        answer = QMessageBox.question(
            self, self.tr("修复几何"),
            self.tr("把导入时保留的无效几何（自相交、蝴蝶结形等）用 make_valid 修复？\n"
                    "编码、上级、历史和责任人不变；所在企业重新定位。修复在一次事务中完成，"
                    "报告列出每个区域修复前后的面积。"))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        path = self.project

        def task():  # the connection is opened in the worker thread that uses it
            with open_project(path) as store:
                return (yield from repair_grid(store))

        self.runner = TaskRunner(task, self.tr("修复几何"), self)
        self.runner.finished.connect(self._show_repair)
        self.runner.failed.connect(lambda title, text: error_box(self, title, text))
        self.runner.start()
        return self.runner

    def _show_repair(self, report: Report) -> None:
        self.refresh()
        text = (self.tr("已修复 {n} 个无效几何").format(n=report.accepted)
                + (self.tr("，{e} 个无法自动修复").format(e=len(report.refused))
                   if report.refused else "")
                if report.findings else self.tr("没有需要修复的几何"))
        self.findings_dialog = FindingsDialog(self.tr("几何修复报告"), report.findings, text, self)
        self.findings_dialog.locate.connect(self._locate)
        self.findings_dialog.show()

    def _show_findings(self, report: Report) -> None:
        n = len(report.findings)
        text = (self.tr("检查了 {n} 个区域：").format(n=report.info["checked"]) +
                (self.tr("{e} 个错误、{w} 个警告；双击一行在地图上查看").format(
                    e=len(report.refused), w=len(report.warnings)) if n
                 else self.tr("没有发现问题")))
        self.findings_dialog = FindingsDialog(self.tr("网格检查结果"), report.findings, text, self)
        self.findings_dialog.locate.connect(self._locate)
        self.findings_dialog.show()

    def _locate(self, finding: Finding) -> None:
        if finding.code and finding.code in self.info:
            self.select_code(finding.code, fly=True)

    # -- search --------------------------------------------------------------------------------
    def find(self) -> None:
        """Find a cell/area (code or name), an officer (name or staff no) or an enterprise
        (name or credit code) and go to the best hit; the others are listed below."""
        text = self.search.text().strip()
        self.hits.clear()
        self.hits.hide()
        if not text or self.store is None:
            return
        areas = {c: (i["level"], i["name"]) for c, i in self.info.items()}
        hits = core_details.find(self.store, text, areas)
        if not hits:
            self.statusBar().showMessage(self.tr("没有找到 {t}").format(t=text), 4000)
            return
        kinds = {"area": "", "officer": self.tr("人员"), "enterprise": self.tr("企业")}
        line = self.tr("{label}　{key}　[{kind}]")  # the separators of the language
        for h in hits[:50]:
            kind = (i18n.term(LEVEL_ZH.get(h["level"] or "", "")) if h["kind"] == "area"
                    else kinds[h["kind"]])
            item = QListWidgetItem(line.format(label=h["label"], key=h["key"], kind=kind))
            item.setData(Qt.ItemDataRole.UserRole, h)
            self.hits.addItem(item)
        if len(hits) > 1:
            self.hits.show()
        self.go_to(hits[0])

    def _hit_chosen(self, item: QListWidgetItem) -> None:
        self.go_to(item.data(Qt.ItemDataRole.UserRole))

    def go_to(self, hit: dict) -> None:
        if hit["kind"] == "area":
            self.select_code(hit["key"], fly=True)
        elif hit["kind"] == "officer":
            self.select_officer(hit["key"], fly=True)
        else:
            self.select_enterprise(hit["fid"], fly=True)
        self.tabs.setCurrentIndex(0)


def install_qt_chinese(app: QApplication) -> None:
    """Qt's own texts (确定/取消 in message boxes, file dialogs) in Simplified Chinese, from the
    translations PySide6 ships."""
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", where):
        app.installTranslator(translator)


SCREENSHOT_TIMEOUT_MS = 120_000


# What Qt prints on a machine without a GPU or a real window system: not the user's business
# unless they ask (--verbose); other Qt warnings still show.  Chromium's own log (dbus/bus.cc
# …) is kept to fatal errors with --log-level=3.
QT_NOISE = ("QRhiGles2", "Failed to create RHI", "propagateSizeHints", "GPUInfo",
            "createPlatformVulkanInstance", "QVulkanInstance", "GBM is not supported",
            "QOpenGLContext", "Could not create a GL context", "Release of profile requested")
CHROMIUM_QUIET = "--log-level=3"


def is_noise(message: str) -> bool:
    return any(n in message for n in QT_NOISE)


def quiet_start() -> str | None:
    """Keep the known Qt/Chromium noise off the terminal.  Returns a message for the one
    Chromium error that hiding its log would make silent: running as root needs
    --no-sandbox (the window's map cannot start otherwise)."""
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--log-level" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} {CHROMIUM_QUIET}".strip()

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        if mode == QtMsgType.QtDebugMsg or (mode != QtMsgType.QtFatalMsg and is_noise(message)):
            return
        print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root and "--no-sandbox" not in flags and not os.environ.get(
            "QTWEBENGINE_DISABLE_SANDBOX"):
        return ("以 root 身份运行时，地图（Chromium）需要关闭沙箱：请以普通用户运行，或设置 "
                "QTWEBENGINE_DISABLE_SANDBOX=1（--verbose 显示详细信息）")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridmgr gui")
    parser.add_argument("project", nargs="?")
    parser.add_argument("--screenshot", help="打开后等地图画好，截图保存到该 PNG 文件并退出")
    parser.add_argument("--verbose", action="store_true", help="显示 Qt 和 Chromium 的诊断信息")
    args = parser.parse_args(argv)
    if not args.verbose:
        warning = quiet_start()
        if warning:
            print(warning, file=sys.stderr)
    clock = QElapsedTimer()
    clock.start()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:  # the Chinese font this computer has (maps/fonts.py), the shipped one as last resort
        app.setFont(QFont(cjk_families()[0], 10))
    except GridmgrError as exc:
        print(f"{exc.title}：{exc}", file=sys.stderr)
    i18n.install(app)  # --lang / GRIDMGR_LANG / the saved choice, else Chinese (ui/i18n.py)
    win = MainWindow()
    project = args.project or QSettings("gridmgr", "gridmgr").value("last_project")
    if args.screenshot:
        shot = {"done": False}

        def shoot() -> None:
            if shot["done"]:
                return
            shot["done"] = True
            ok = win.grab().save(args.screenshot)
            print(f"painted_ms={clock.elapsed()}", flush=True)
            app.exit(0 if ok else 1)

        # the whole window once the map has drawn what was pushed (not after a fixed pause;
        # the 0.3 s let the frame the page painted reach the widget)
        win.map.painted.connect(lambda: QTimer.singleShot(300, shoot))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, shoot)  # never hang a headless run
        if not (project and location_exists(project)):
            loaded = getattr(win.map, "loaded", None)
            if loaded is not None:
                loaded.connect(lambda: QTimer.singleShot(300, shoot))
    win.show()
    if project and location_exists(project):
        win.load(as_location(project))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
