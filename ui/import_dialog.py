"""The guided import of a grid layer, the enterprise register or the staff list.

选择文件 → 预览 → 列对应 → 坐标/编码 → 试运行 → 导入.  The dialog holds no business rules: the
preview is what :func:`gridmgr.files.tables.read_table` / :func:`gridmgr.files.readers.read_vector` read, the
pre-filled columns are what :mod:`gridmgr.files.columns` recognises, and the dry run and the import are
the core's import tasks, run in a :class:`ui.tasks.TaskRunner`.  No connection to the project is
kept open: each run opens the project inside its worker thread (read-only for the dry run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEventLoop,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridmgr.coords.crs import epsg_of, parse_crs
from gridmgr.errors import GridmgrError
from gridmgr.files import columns
from gridmgr.files.readers import SUPPORTED, read_vector
from gridmgr.files.tables import read_table
from gridmgr.findings import Report
from gridmgr.grid.codes import scheme as get_scheme
from gridmgr.grid.derive import levels_to_derive
from gridmgr.grid.importer import detect_level, import_grid
from gridmgr.levels import LEVEL_ZH, LEVELS
from gridmgr.progress import Task
from gridmgr.project import as_location, open_project
from gridmgr.registers.enterprises import import_enterprises
from gridmgr.registers.officers import import_officers
from gridmgr.text import as_text
from ui.findings_view import COLUMNS as FINDING_COLUMNS
from ui.findings_view import FindingsModel
from ui.i18n import system_name, term
from ui.plain import plain_label
from ui.tasks import TaskRunner

KINDS = ("grid", "enterprises", "officers")
# module-level texts are marked for lupdate here and translated where shown (_t)
KIND_ZH = {"grid": QT_TRANSLATE_NOOP("ImportDialog", "网格"),
           "enterprises": QT_TRANSLATE_NOOP("ImportDialog", "企业名录"),
           "officers": QT_TRANSLATE_NOOP("ImportDialog", "人员名单")}
STEPS = (QT_TRANSLATE_NOOP("ImportDialog", "选择文件"), QT_TRANSLATE_NOOP("ImportDialog", "预览"),
         QT_TRANSLATE_NOOP("ImportDialog", "列对应"), QT_TRANSLATE_NOOP("ImportDialog", "坐标/编码"),
         QT_TRANSLATE_NOOP("ImportDialog", "试运行"), QT_TRANSLATE_NOOP("ImportDialog", "导入"))
PAGE_FILE, PAGE_PREVIEW, PAGE_COLUMNS, PAGE_OPTIONS, PAGE_DRY, PAGE_IMPORT = range(6)
PREVIEW_ROWS = 20
NOT_IMPORTED = QT_TRANSLATE_NOOP("ImportDialog", "（不导入）")

FIELD_ZH = {
    "grid": {"code": QT_TRANSLATE_NOOP("ImportDialog", "编码"),
             "name": QT_TRANSLATE_NOOP("ImportDialog", "名称"),
             "parent": QT_TRANSLATE_NOOP("ImportDialog", "上级（编码或名称）")},
    "enterprises": {
        "name": QT_TRANSLATE_NOOP("ImportDialog", "企业名称"),
        "credit_code": QT_TRANSLATE_NOOP("ImportDialog", "统一社会信用代码"),
        "ext_id": QT_TRANSLATE_NOOP("ImportDialog", "企业编号"),
        "industry": QT_TRANSLATE_NOOP("ImportDialog", "所属行业"),
        "supervision_class": QT_TRANSLATE_NOOP("ImportDialog", "监管类别"),
        "rating": QT_TRANSLATE_NOOP("ImportDialog", "环境行为等级"),
        "inspection_frequency": QT_TRANSLATE_NOOP("ImportDialog", "检查频次"),
        "contact": QT_TRANSLATE_NOOP("ImportDialog", "联系人"),
        "phone": QT_TRANSLATE_NOOP("ImportDialog", "联系电话"),
        "address": QT_TRANSLATE_NOOP("ImportDialog", "地址"),
        "lon": QT_TRANSLATE_NOOP("ImportDialog", "经度"),
        "lat": QT_TRANSLATE_NOOP("ImportDialog", "纬度"),
        "x": QT_TRANSLATE_NOOP("ImportDialog", "X 坐标"),
        "y": QT_TRANSLATE_NOOP("ImportDialog", "Y 坐标"),
        "last_inspection": QT_TRANSLATE_NOOP("ImportDialog", "最近检查日期")},
    "officers": {"name": QT_TRANSLATE_NOOP("ImportDialog", "姓名"),
                 "staff_no": QT_TRANSLATE_NOOP("ImportDialog", "工号"),
                 "mobile": QT_TRANSLATE_NOOP("ImportDialog", "手机"),
                 "role": QT_TRANSLATE_NOOP("ImportDialog", "角色"),
                 "unit": QT_TRANSLATE_NOOP("ImportDialog", "所属单位")},
}
FIELDS = {"grid": columns.GRID_FIELDS, "enterprises": columns.ENTERPRISE_FIELDS,
          "officers": columns.OFFICER_FIELDS}
ALIASES = {"enterprises": columns.ENTERPRISE_ALIASES, "officers": columns.OFFICER_ALIASES}

COORDS = ((None, QT_TRANSLATE_NOOP("ImportDialog", "未指定：试算各坐标系（明显不符时拒收）")),
          ("wgs84", QT_TRANSLATE_NOOP("ImportDialog", "WGS84（GPS）")),
          ("gcj02", QT_TRANSLATE_NOOP("ImportDialog", "GCJ-02（高德/腾讯）")),
          ("bd09", QT_TRANSLATE_NOOP("ImportDialog", "BD-09（百度）")),
          ("cgcs2000", "CGCS2000"),
          ("epsg", QT_TRANSLATE_NOOP("ImportDialog", "EPSG 代码（投影坐标 X/Y）…")))
ENCODINGS = ((None, QT_TRANSLATE_NOOP("ImportDialog", "自动识别")), ("UTF-8", "UTF-8"),
             ("GBK", "GBK"), ("GB18030", "GB18030"), ("Big5", "Big5"))
ENCODING_HOW = {"bom": QT_TRANSLATE_NOOP("ImportDialog", "由 BOM 确定"),
                "detected": QT_TRANSLATE_NOOP("ImportDialog", "自动识别"),
                "option": QT_TRANSLATE_NOOP("ImportDialog", "手动指定"),
                "cpg": QT_TRANSLATE_NOOP("ImportDialog", "来自 .cpg 文件")}


def _t(text: str) -> str:
    """A text marked with QT_TRANSLATE_NOOP above, in the interface language."""
    return QCoreApplication.translate("ImportDialog", text)


def _how(how: str | None) -> str:
    return _t(ENCODING_HOW[how]) if how in ENCODING_HOW else (how or "")


def report_summary(kind: str, report: Report) -> str:
    """The counts of a report, in one or two lines."""
    info = report.info
    translate = QCoreApplication.translate  # lupdate reads translate("Ctx", "literal")
    if kind == "grid":
        text = translate("ImportDialog", "接受 {accepted} 个要素，拒绝 {refused} 个要素，警告 {warnings} 条")
    else:
        text = translate("ImportDialog", "接受 {accepted} 行，拒绝 {refused} 行，警告 {warnings} 条")
    text = text.format(accepted=report.accepted, refused=len(report.refused),
                       warnings=len(report.warnings))
    if kind != "grid":
        text += "\n" + translate("ImportDialog", "新增 {inserted}，更新 {updated}，未变 {unchanged}").format(
            inserted=info.get("inserted", 0), updated=info.get("updated", 0),
            unchanged=info.get("unchanged", 0))
        if info.get("not_in_file"):
            text += translate("ImportDialog", "；项目中有 {n} 家不在此文件中（保留不动）").format(
                n=info["not_in_file"])
    else:
        used = [translate("ImportDialog", "坐标系 {crs}").format(crs=info["crs"])
                if info.get("crs") else "",
                translate("ImportDialog", "编码 {encoding}").format(encoding=info["encoding"])
                if info.get("encoding") else ""]
        if any(used):
            text += "\n" + translate("ImportDialog", "，").join(u for u in used if u)
        if info.get("enterprises_moved_count"):
            text += translate("ImportDialog", "；{n} 家企业随网格变化改变了所属网格").format(
                n=info["enterprises_moved_count"])
    return text


class RunPanel(QWidget):
    """Progress, 取消, the counts and the table of refused rows and warnings of one run."""

    def __init__(self, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = plain_label()
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.setEnabled(False)
        self.summary = plain_label()  # counts in short lines: no wrapping, so none is cut off
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = FindingsModel([], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        self.extra = QHBoxLayout()  # the import page puts its start button here
        lay.addLayout(self.extra)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)

    def started(self) -> None:
        self.progress.setRange(0, 0)  # busy until the first step says how many
        self.status.setStyleSheet("")
        self.status.setText(self.tr("正在准备…"))
        self.summary.setText("")
        self.show_findings([])
        self.cancel_button.setEnabled(True)

    def step(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.status.setText(message)

    def ended(self, message: str, *, error: bool = False) -> None:
        self.cancel_button.setEnabled(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.status.setStyleSheet("color: #b91c1c;" if error else "")
        self.status.setText(message)

    def show_findings(self, findings: list, hidden: tuple[str, ...] = ()) -> None:
        self.model.beginResetModel()
        self.model.findings = list(findings)
        self.model.endResetModel()
        for i, (key, _) in enumerate(FINDING_COLUMNS):
            self.table.setColumnHidden(i, key in hidden)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)


class ImportDialog(QDialog):
    """Import one file of ``kind`` ("grid", "enterprises" or "officers") into ``project_path``.

    Tests and the main window use: :meth:`set_file`, ``combos`` (target field → QComboBox of
    the file's columns), :meth:`run_dry` / :meth:`run_import` (return the started TaskRunner),
    ``last_report``; ``task_started(runner)`` is emitted just before a runner starts and
    ``imported(report)`` after a successful import.
    """

    task_started = Signal(object)
    imported = Signal(object)

    def __init__(self, project_path: str | Path, kind: str, parent: QWidget | None = None, *,
                 level: str = "cell", system: str = "urban") -> None:
        super().__init__(parent)
        if kind not in KINDS:
            raise ValueError(f"unknown import kind {kind!r}")
        self.project_path = as_location(project_path)
        self.kind = kind
        self.path: Path | None = None
        self.headers: list[str] = []
        self.file_crs: Any = None
        self.last_report: Report | None = None
        self.runner: TaskRunner | None = None
        self._busy = False
        self._dry_ok = False
        self._imported = False
        self._project_error = ""
        self.setWindowTitle(self.tr("导入{what}").format(what=_t(KIND_ZH[kind])))
        self.resize(960, 640)

        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._file_page(level, system))
        self.stack.addWidget(self._preview_page())
        self.stack.addWidget(self._columns_page())
        self.stack.addWidget(self._options_page())
        self.dry_panel = RunPanel(self.tr("用所选的列和设置试着导入一遍：检查每一行，列出会被拒绝"
                                          "的行和警告，但不写入项目。"))
        self.import_panel = RunPanel(self.tr("把试运行通过的行写入项目。全部在一个事务中写入：取消"
                                             "或出错时项目保持原样。"))
        self.start_button = QPushButton(self.tr("开始导入"))
        self.start_button.clicked.connect(self.run_import)
        self.import_panel.extra.addWidget(self.start_button)
        self.import_panel.extra.addStretch(1)
        for panel in (self.dry_panel, self.import_panel):
            panel.cancel_button.clicked.connect(self.cancel)
            self.stack.addWidget(panel)

        self.back_button = QPushButton(self.tr("上一步"))
        self.next_button = QPushButton(self.tr("下一步"))
        self.finish_button = QPushButton(self.tr("完成"))
        self.close_button = QPushButton(self.tr("关闭"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.finish_button.clicked.connect(self.accept)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.finish_button, self.close_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.steps)
        lay.addWidget(self.stack, 1)
        lay.addLayout(buttons)
        self._show_page(PAGE_FILE)

    # ------------------------------------------------------------------ pages
    def _file_page(self, level: str, system: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(self.tr("选择要导入的文件"))
        self.file_edit.editingFinished.connect(self._file_typed)
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("文件："), row)
        self.level = QComboBox()
        self.system = QComboBox()
        if self.kind == "grid":
            for lv in LEVELS:
                self.level.addItem(term(LEVEL_ZH[lv]), lv)
            self.level.setCurrentIndex(max(0, self.level.findData(level)))
            self.level.currentIndexChanged.connect(self._level_changed)
            form.addRow(self.tr("层级："), self.level)
            self.level_info = QLabel("")
            self.level_info.setWordWrap(True)
            form.addRow("", self.level_info)
            for s in self._grid_systems():
                self.system.addItem(self.tr("{name}（{code}）").format(
                    name=system_name(s["code"], s["name"]), code=s["code"]), s["code"])
            self.system.setCurrentIndex(max(0, self.system.findData(system)))
            form.addRow(self.tr("网格体系："), self.system)
        self.file_error = plain_label()
        self.file_error.setWordWrap(True)
        self.file_error.setStyleSheet("color: #b91c1c;")
        self.file_error.setText(self._project_error)
        form.addRow(self.file_error)
        return page

    def _grid_systems(self) -> list[dict[str, Any]]:
        self._code_scheme = "national"
        self._present: dict[str, int] = {}
        try:  # opened and closed at once: no connection is kept
            with open_project(self.project_path, readonly=True) as store:
                self._code_scheme = store.meta().get("code_scheme", "national")
                self._present = {lv: store.count_areas(lv) for lv in LEVELS}
                return store.grid_systems()
        except GridmgrError as exc:
            self._project_error = f"{exc.title}：{exc}"
            return []

    def _preview_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.preview_info = plain_label()
        self.preview_info.setWordWrap(True)
        self.preview_model = QStandardItemModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        lay.addWidget(self.preview_info)
        lay.addWidget(self.preview, 1)
        return page

    def _columns_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(self.tr("每个字段从文件的哪一列读取。已按列名自动识别；识别不对或没识别到"
                               "的，请在这里选择。"))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for field in FIELDS[self.kind]:
            combo = QComboBox()
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.combos[field] = combo
            form.addRow(self.tr("{field}：").format(field=_t(FIELD_ZH[self.kind][field])), combo)
        lay.addLayout(form)
        self.mapping_info = plain_label()
        self.mapping_info.setWordWrap(True)
        lay.addWidget(self.mapping_info)
        lay.addStretch(1)
        return page

    def _options_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.coords = QComboBox()
        for key, label in COORDS:
            self.coords.addItem(_t(label), key)
        self.coords.currentIndexChanged.connect(self._coords_changed)
        self.epsg_edit = QLineEdit()
        self.epsg_edit.setPlaceholderText(self.tr("例如 EPSG:4547（CGCS2000 3 度带 114°E）"))
        self.allow_shift = QCheckBox(self.tr("确属位置更正：允许已有企业整体移动"))
        self.strict = QCheckBox(self.tr("严格：统一社会信用代码无效（如校验位错）的行拒收"))
        self.crs_info = plain_label()
        self.crs_info.setWordWrap(True)
        self.crs_edit = QLineEdit()
        self.crs_edit.setPlaceholderText(self.tr("例如 EPSG:4547；留空则使用文件自带的坐标系"))
        self.encoding = QComboBox()
        for enc, label in ENCODINGS:
            self.encoding.addItem(_t(label), enc)
        self.encoding.currentIndexChanged.connect(self._encoding_changed)
        self.encoding_info = plain_label()
        self.options_error = plain_label()
        self.options_error.setWordWrap(True)
        self.options_error.setStyleSheet("color: #b91c1c;")
        if self.kind == "enterprises":
            form.addRow(self.tr("坐标系："), self.coords)
            form.addRow(self.tr("EPSG 代码："), self.epsg_edit)
            form.addRow("", self.allow_shift)
            form.addRow("", self.strict)
        if self.kind == "grid":
            form.addRow(self.crs_info)
            form.addRow(self.tr("指定坐标系："), self.crs_edit)
        form.addRow(self.tr("文件编码："), self.encoding)
        form.addRow("", self.encoding_info)
        form.addRow(self.options_error)
        self._coords_changed()
        return page

    # ------------------------------------------------------------------ step 1: the file
    def browse(self) -> None:
        if self.kind == "grid":
            pattern = " ".join(f"*{s}" for s in sorted(SUPPORTED))
            filt = self.tr("矢量文件 ({pattern});;所有文件 (*)").format(pattern=pattern)
        else:
            filt = self.tr("表格 (*.xlsx *.csv);;所有文件 (*)")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择文件"), "", filt)
        if path:
            self.set_file(path)

    def _file_typed(self) -> None:
        text = self.file_edit.text().strip()
        if text and (self.path is None or Path(text) != self.path):
            self.set_file(text)

    def set_file(self, path: str | Path) -> bool:
        """Choose the file and read its preview; False (and the reason shown) if unreadable."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.encoding.blockSignals(True)
        self.encoding.setCurrentIndex(0)
        self.encoding.blockSignals(False)
        self.crs_edit.clear()
        ok = self._load(keep_mapping=False)
        self._update_buttons()
        return ok

    def _encoding_choice(self) -> str | None:
        return self.encoding.currentData() if self.encoding.isEnabled() else None

    def _load(self, *, keep_mapping: bool) -> bool:
        """Read the file (again) through the core, fill the preview and the column combos."""
        assert self.path is not None
        self.headers = []
        self.file_error.setText("")
        self.options_error.setText("")
        enc = self._encoding_choice()
        try:
            if self.kind == "grid":
                data = read_vector(self.path, encoding=enc)
                gdf = data.gdf
                headers = [str(c) for c in gdf.columns if c != gdf.geometry.name]
                rows = gdf[headers].head(PREVIEW_ROWS).to_numpy().tolist()
                numbers = data.rows[:PREVIEW_ROWS]
                self.file_crs = data.crs
                if not keep_mapping:
                    self._detect_level(gdf)
                info = [self.tr("共 {n} 个要素（图层 {layer}），下面是前 {shown} 个的属性。").format(
                            n=len(gdf), layer=data.layer, shown=len(rows)),
                        self._crs_text(data.crs)]
                enc_used, how = data.encoding, data.encoding_source
            else:
                table = read_table(self.path, encoding=enc, header_aliases=ALIASES[self.kind])
                headers, rows = table.headers, table.rows[:PREVIEW_ROWS]
                numbers = table.row_numbers[:PREVIEW_ROWS]
                where = self.tr("工作表 {sheet}，").format(sheet=table.sheet) if table.sheet else ""
                info = [where + self.tr("表头在第 {header} 行，共 {n} 行数据，下面是前 {shown} 行"
                                        "（行号即表格中的行号）。").format(
                            header=table.info.get("header_row", 1), n=len(table.rows),
                            shown=len(rows))]
                enc_used, how = table.encoding, table.encoding_source
        except GridmgrError as exc:
            message = f"{exc.title}：{exc}"
            self.file_error.setText(message)
            self.options_error.setText(message)
            self.preview_model.clear()
            if not keep_mapping:  # another encoding may still work: keep what was chosen
                self._fill_combos(keep=False)
            return False
        if enc_used:
            info.append(self.tr("编码：{encoding}（{how}）").format(encoding=enc_used.upper(),
                                                                   how=_how(how)))
        self.headers = headers
        self.preview_info.setText("\n".join(info))
        self._fill_preview(headers, rows, numbers)
        self._fill_combos(keep=keep_mapping)
        self._options_for_file(enc_used, how)
        return True

    def _crs_text(self, crs: Any) -> str:
        if crs is None:
            return self.tr("坐标系：文件中没有（缺少 .prj 等），请在“坐标/编码”一步指定。")
        epsg = epsg_of(crs)
        return self.tr("坐标系：{crs}").format(
            crs=f"{'EPSG:' + str(epsg) + ' ' if epsg else ''}{crs.name}")

    def _fill_preview(self, headers: list[str], rows: list[list[Any]],
                      numbers: list[int]) -> None:
        m = self.preview_model
        m.clear()
        m.setHorizontalHeaderLabels([h or self.tr("（第 {n} 列）").format(n=i + 1)
                                     for i, h in enumerate(headers)])
        for r in rows:
            m.appendRow([QStandardItem(as_text(r[i] if i < len(r) else None) or "")
                         for i in range(len(headers))])
        m.setVerticalHeaderLabels([str(n) for n in numbers])
        self.preview.resizeColumnsToContents()
        hh = self.preview.horizontalHeader()
        for i in range(len(headers)):
            if hh.sectionSize(i) > 260:
                hh.resizeSection(i, 260)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    # ------------------------------------------------------------------ step 3: the columns
    def _recognised(self, explicit: Mapping[str, str] | None = None) -> dict[str, str]:
        if self.kind == "grid":
            return columns.recognise(self.headers, self.level.currentData(), explicit)
        return columns.match_headers(self.headers, ALIASES[self.kind], explicit)

    def _fill_combos(self, *, keep: bool) -> None:
        kept = {f: c.currentData() for f, c in self.combos.items()} if keep else {}
        found = {} if keep else self._recognised()
        for field, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_t(NOT_IMPORTED), None)
            for i, h in enumerate(self.headers):
                combo.addItem(h or self.tr("（第 {n} 列）").format(n=i + 1), i)
            if keep:
                idx = kept.get(field)
                pick = combo.findData(idx) if idx is not None else 0
            else:
                pick = combo.findData(self.headers.index(found[field])) if field in found else 0
            combo.setCurrentIndex(max(pick, 0))
            combo.blockSignals(False)
        self._mapping_changed()

    def _detect_level(self, gdf: Any) -> None:
        """Set the level from the file's codes (the core's rule); the user confirms or changes
        it.  Says when the levels above will be derived from the file."""
        try:
            level, col = detect_level(gdf, get_scheme(self._code_scheme))
        except GridmgrError:
            self._level_note = self.tr("无法从编码判断层级，请选择。")
        else:
            self.level.blockSignals(True)
            self.level.setCurrentIndex(self.level.findData(level))
            self.level.blockSignals(False)
            self._level_note = self.tr("按编码列 {col} 的长度识别为{level}；不对请改选。").format(
                col=col, level=term(LEVEL_ZH[level]))
        self._show_level_note()

    def _show_level_note(self) -> None:
        level = self.level.currentData()
        text = getattr(self, "_level_note", "")
        missing = levels_to_derive(level, self._present) if level in (
            "cell", "community") else []
        if missing:
            text += " " + self.tr("项目中还没有{levels}：将由文件派生（编码取自编码前缀或所属列，"
                                  "边界由下级合并），试运行的报告会列出。").format(
                levels="、".join(term(LEVEL_ZH[lv]) for lv in reversed(missing)))
        self.level_info.setText(text.strip())

    def _level_changed(self) -> None:
        self._show_level_note()
        if self.headers:
            self._fill_combos(keep=False)

    def mapping(self) -> dict[str, str | None]:
        """{field: source column} as chosen in the combos; None for a field set to （不导入）,
        which the core then leaves out even where it would recognise a column."""
        out: dict[str, str | None] = {}
        for field, combo in self.combos.items():
            idx = combo.currentData()
            out[field] = self.headers[idx] if idx is not None and idx < len(self.headers) \
                else None
        return out

    def _mapping_changed(self) -> None:
        if not self.headers:
            self.mapping_info.setText("")
            return
        try:
            used = self._recognised(self.mapping())
        except GridmgrError as exc:
            self.mapping_info.setText(str(exc))
            return
        names = FIELD_ZH[self.kind]
        text = self.tr("导入时将使用：") + (self.tr("；").join(
            f"{_t(names[f])} ← {used[f]}" for f in FIELDS[self.kind] if f in used)
            or self.tr("（没有可用的列）"))
        self.mapping_info.setText(text)

    # ------------------------------------------------------------------ step 4: options
    def _options_for_file(self, encoding: str | None, how: str | None) -> None:
        suffix = self.path.suffix.lower() if self.path else ""
        can_encode = suffix in (".shp", ".zip") if self.kind == "grid" else suffix in (".csv",
                                                                                          ".txt")
        self.encoding.setEnabled(can_encode)
        if can_encode:
            self.encoding_info.setText(
                self.tr("读取时用的是 {encoding}（{how}）；中文显示为乱码时请改选编码。").format(
                    encoding=encoding.upper(), how=_how(how)) if encoding else "")
        else:
            self.encoding_info.setText(self.tr("此类文件不需要指定编码。"))
        if self.kind == "grid":
            if self.file_crs is None:
                self.crs_info.setText(self.tr("文件中没有坐标系：必须指定（例如 EPSG:4547、"
                                              "EPSG:4490）。"))
            else:
                self.crs_info.setText(self._crs_text(self.file_crs) + self.tr(
                    "。只有确知文件自带的坐标系不对时才需要另行指定。"))

    def _encoding_changed(self) -> None:
        if self.path is not None:
            self._load(keep_mapping=True)
            self._update_buttons()

    def _coords_changed(self) -> None:
        self.epsg_edit.setEnabled(self.coords.currentData() == "epsg")

    def _check_options(self) -> bool:
        """Whether the options can be used, the reason shown when not (the core parses CRS)."""
        self.options_error.setText("")
        try:
            if self.kind == "grid":
                text = self.crs_edit.text().strip()
                if not text and self.file_crs is None:
                    self.options_error.setText(self.tr("文件中没有坐标系，请指定坐标系。"))
                    return False
                if text:
                    parse_crs(text)
            if self.kind == "enterprises" and self.coords.currentData() == "epsg":
                if not self.epsg_edit.text().strip():
                    self.options_error.setText(self.tr("请填写 EPSG 代码。"))
                    return False
                parse_crs(self.epsg_edit.text().strip())
        except GridmgrError as exc:
            self.options_error.setText(str(exc))
            return False
        return bool(self.headers)

    def options(self) -> dict[str, Any]:
        """The keyword arguments of the core's import task, as chosen in the dialog."""
        kw: dict[str, Any] = {"mapping": self.mapping()}
        if self.encoding.isEnabled() and self.encoding.currentData():
            kw["encoding"] = self.encoding.currentData()
        if self.kind == "grid":
            kw["level"] = self.level.currentData()
            if self.system.currentData():
                kw["system"] = self.system.currentData()
            if self.crs_edit.text().strip():
                kw["crs"] = self.crs_edit.text().strip()
        elif self.kind == "enterprises":
            key = self.coords.currentData()
            kw["coords"] = self.epsg_edit.text().strip() if key == "epsg" else key
            kw["allow_shift"] = self.allow_shift.isChecked()
            kw["strict"] = self.strict.isChecked()
        return kw

    # ------------------------------------------------------------------ running
    def _factory(self, dry_run: bool) -> Callable[[], Task[Report]]:
        func = {"grid": import_grid, "enterprises": import_enterprises,
                "officers": import_officers}[self.kind]
        project, path, kw = self.project_path, str(self.path), self.options()

        def task() -> Task[Report]:  # runs in the worker thread: the connection lives there
            with open_project(project, readonly=dry_run) as store:
                return (yield from func(store, path, dry_run=dry_run, **kw))

        return task

    def _run(self, dry_run: bool) -> TaskRunner:
        panel = self.dry_panel if dry_run else self.import_panel
        self._show_page(PAGE_DRY if dry_run else PAGE_IMPORT)
        runner = TaskRunner(self._factory(dry_run), self.tr("试运行") if dry_run else self.tr("导入"),
                            show_dialog=False)
        runner.worker.progressed.connect(panel.step)
        runner.finished.connect(lambda report: self._finished(report, dry_run))
        runner.cancelled.connect(lambda: self._stopped(panel, self.tr("已取消，项目未改变")))
        runner.failed.connect(
            lambda title, message: self._stopped(panel, f"{title}：{message}", error=True))
        self.runner = runner
        self._busy = True
        if dry_run:
            self._dry_ok = False
        panel.started()
        self._update_buttons()
        self.task_started.emit(runner)
        runner.start()
        return runner

    def run_dry(self) -> TaskRunner:
        """Start the dry run (nothing is written) and return its runner."""
        return self._run(True)

    def run_import(self) -> TaskRunner:
        """Start the real import and return its runner."""
        return self._run(False)

    def cancel(self) -> None:
        if self.runner is not None and self._busy:
            self.runner.cancel()
            for panel in (self.dry_panel, self.import_panel):
                panel.cancel_button.setEnabled(False)
            (self.dry_panel if self.stack.currentIndex() == PAGE_DRY
             else self.import_panel).status.setText(self.tr("正在取消…"))

    def _finished(self, report: Report, dry_run: bool) -> None:
        self._busy = False
        self.last_report = report
        panel = self.dry_panel if dry_run else self.import_panel
        panel.ended(self.tr("试运行完成，未写入项目。") if dry_run else self.tr("导入完成。"))
        panel.summary.setText(report_summary(self.kind, report))
        # one file: its name in every row says nothing; registers have no areas to measure
        hidden = ("file",) if self.kind == "grid" else ("file", "area_m2")
        panel.show_findings(report.findings, hidden)
        if dry_run:
            self._dry_ok = True
        else:
            self._imported = True
            self.imported.emit(report)
        self._update_buttons()

    def _stopped(self, panel: RunPanel, message: str, *, error: bool = False) -> None:
        self._busy = False
        panel.ended(message, error=error)
        self._update_buttons()

    # ------------------------------------------------------------------ navigation
    def _show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        parts = [f"<b>{i + 1}. {_t(name)}</b>" if i == index else
                 f"<span style='color:#888'>{i + 1}. {_t(name)}</span>"
                 for i, name in enumerate(STEPS)]
        self.steps.setText(" › ".join(parts))
        self._update_buttons()

    def _can_next(self, index: int) -> bool:
        if index <= PAGE_OPTIONS:  # a readable file with columns
            return bool(self.headers)
        if index == PAGE_DRY:
            return self._dry_ok
        return False

    def _update_buttons(self) -> None:
        if not hasattr(self, "finish_button"):
            return
        index = self.stack.currentIndex()
        self.back_button.setEnabled(index > 0 and not self._busy and not self._imported)
        self.next_button.setVisible(index != PAGE_IMPORT)
        self.next_button.setEnabled(not self._busy and self._can_next(index))
        self.finish_button.setVisible(index == PAGE_IMPORT)
        self.finish_button.setEnabled(self._imported and not self._busy)
        self.start_button.setEnabled(not self._busy and not self._imported)
        self.close_button.setEnabled(not self._busy)

    def go_next(self) -> None:
        index = self.stack.currentIndex()
        if not self._can_next(index):
            return
        if index == PAGE_OPTIONS:
            if self._check_options():
                self.run_dry()
            return
        self._show_page(index + 1)

    def go_back(self) -> None:
        index = self.stack.currentIndex()
        if index > 0 and not self._busy:
            self._show_page(index - 1)

    def done(self, result: int) -> None:
        """Closing while a task runs cancels it first (its transaction rolls back)."""
        runner = self.runner
        if runner is not None and self._busy:
            loop = QEventLoop()  # the runner ends through queued signals: let them arrive
            for signal in (runner.finished, runner.cancelled, runner.failed):
                signal.connect(loop.quit)
            runner.cancel()
            if self._busy:
                loop.exec()
        super().done(result)
