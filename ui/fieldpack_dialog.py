"""Field package dialogs: export a package for an officer or an area; import one back.

Both run the core's tasks (:func:`gridmgr.fieldwork.export.export_fieldpack`,
:func:`gridmgr.fieldwork.importer.import_fieldpack`) in a :class:`ui.tasks.TaskRunner` with a
progress bar and 取消; the project is opened inside the worker thread and closed after.  Import is
two steps: 试运行 (read-only: the receipt and every refused row, nothing written), then 导入.
The dialogs take the project path; the main window adds them to its menu.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridmgr import beijing
from gridmgr.fieldwork.batch import export_all_officers
from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.fieldwork.importer import import_fieldpack
from gridmgr.findings import Report
from gridmgr.progress import Task
from gridmgr.project import as_location, open_project
from ui.findings_view import COLUMNS as FINDING_COLUMNS
from ui.findings_view import FindingsModel
from ui.i18n import term
from ui.plain import plain_label
from ui.tasks import TaskRunner

HIDDEN_FINDING_COLUMNS = [i for i, (key, _) in enumerate(FINDING_COLUMNS)
                          if key in ("code", "area_m2")]
KIND_ZH = {"inspection": QT_TRANSLATE_NOOP("FieldpackImportDialog", "检查记录"),
           "enterprise_updated": QT_TRANSLATE_NOOP("FieldpackImportDialog", "企业更正"),
           "case_step": QT_TRANSLATE_NOOP("FieldpackImportDialog", "案件进展"),
           "case_opened": QT_TRANSLATE_NOOP("FieldpackImportDialog", "新立案件"),
           "conflict": QT_TRANSLATE_NOOP("FieldpackImportDialog", "冲突")}
STAFF_IN_TEXT = re.compile(r"[（(]\s*([^（()）,，\s]+)")  # "张三（CC0013）…" or "张三 (CC0013, …)"


class _Progress(QWidget):
    """A progress bar, its message and a 取消 button for one running task."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.label = plain_label()
        self.cancel_button = QPushButton(QCoreApplication.translate("FieldpackDialog", "取消"))
        self.cancel_button.setEnabled(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 2)
        row.addWidget(self.label, 3)
        row.addWidget(self.cancel_button)

    def step(self, done: int, total: int, message: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self.label.setText(message)


class _Runs(QDialog):
    """What both dialogs share: one task at a time, with progress and 取消."""

    def __init__(self, project: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_path = as_location(project)
        self.runner: TaskRunner | None = None
        self.progress = _Progress()
        self.progress.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel("")
        self.status.setWordWrap(True)

    @property
    def busy(self) -> bool:
        return self.runner is not None and self.runner.thread.isRunning()

    def _start(self, factory: Callable[[], Task[Any]], title: str,
               done: Callable[[Any], None]) -> TaskRunner:
        runner = TaskRunner(factory, title, self, show_dialog=False)
        runner.worker.progressed.connect(self.progress.step)
        runner.finished.connect(lambda result: self._ended(done, result))
        runner.cancelled.connect(lambda: self._stopped(
            QCoreApplication.translate("FieldpackDialog", "已取消，项目未改变")))
        runner.failed.connect(lambda t, m: self._stopped(QCoreApplication.translate(
            "FieldpackDialog", "{title}：{message}").format(title=t, message=m), error=True))
        self.runner = runner
        self.progress.cancel_button.setEnabled(True)
        self.status.setText("")
        self._update()
        runner.start()
        return runner

    def cancel(self) -> None:
        if self.busy and self.runner is not None:
            self.runner.cancel()
            self.progress.cancel_button.setEnabled(False)
            self.progress.label.setText(QCoreApplication.translate("FieldpackDialog", "正在取消…"))

    def _ended(self, done: Callable[[Any], None], result: Any) -> None:
        self.progress.cancel_button.setEnabled(False)
        self.progress.step(1, 1, QCoreApplication.translate("FieldpackDialog", "完成"))
        done(result)
        self._update()

    def _stopped(self, message: str, *, error: bool = False) -> None:
        self.progress.cancel_button.setEnabled(False)
        colour = "#b91c1c" if error else "#374151"
        self.status.setText(f"<span style='color:{colour}'>{escape(message)}</span>")
        self._update()

    def _update(self) -> None:  # the subclass enables its buttons
        pass

    def reject(self) -> None:  # closing while a task runs cancels it first
        if self.busy and self.runner is not None:
            self.runner.cancel()
            self.runner.wait()
        super().reject()


# --------------------------------------------------------------------------- export

class FieldpackExportDialog(_Runs):
    """导出外业包: for an officer (their cells today) or an area, to a folder or a .zip."""

    exported = Signal(object)  # the manifest returned by export_fieldpack
    batch_exported = Signal(object)  # the summary of export_all_officers

    def __init__(self, project: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(project, parent)
        self.setWindowTitle(self.tr("导出外业包"))
        self.resize(640, 330)
        self.result_data: dict[str, Any] | None = None
        self.by_officer = QRadioButton(self.tr("按人员"))
        self.by_area = QRadioButton(self.tr("按区域"))
        self.all_officers = QRadioButton(self.tr("全部人员：当日负责网格的每人一个 .zip（输出为文件夹）"))
        self.by_officer.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_officer)
        group.addButton(self.by_area)
        group.addButton(self.all_officers)
        self.officer = QComboBox()
        self.officer.setEditable(True)  # type to find a name or a staff number
        self.area = QComboBox()
        self.area.setEditable(True)
        self._fill_pickers()
        self.as_of = QDateEdit(QDate.fromString(beijing.today(), Qt.DateFormat.ISODate))
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setCalendarPopup(True)
        self.out = QLineEdit()
        self.out.setPlaceholderText(self.tr("新文件夹，或以 .zip 结尾的文件"))
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out)
        out_row.addWidget(browse)
        form = QFormLayout()
        who = QHBoxLayout()
        who.addWidget(self.by_officer)
        who.addWidget(self.officer, 1)
        where = QHBoxLayout()
        where.addWidget(self.by_area)
        where.addWidget(self.area, 1)
        form.addRow(self.tr("范围："), who)
        form.addRow("", where)
        form.addRow("", self.all_officers)
        form.addRow(self.tr("日期："), self.as_of)
        form.addRow(self.tr("输出："), out_row)
        self.export_button = QPushButton(self.tr("导出"))
        self.export_button.clicked.connect(self.run_export)
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status, 1)
        lay.addLayout(buttons)
        for w in (self.by_officer, self.by_area, self.all_officers):
            w.toggled.connect(self._update)
        self.out.textChanged.connect(self._update)
        self._update()

    def _fill_pickers(self) -> None:
        with open_project(self.project_path, readonly=True) as store:
            people = store.officers()
            areas = [(lvl, store.areas(lvl, system="urban")) for lvl in ("street", "community")]
        for r in people.to_dict("records"):
            role = term(r["role"]) if r["role"] else ""
            self.officer.addItem(self.tr("{name}（{staff}）{role}").format(
                name=r["name"], staff=r["staff_no"], role=role).strip(), r["staff_no"])
        for lvl, frame in areas:
            level = term("街道" if lvl == "street" else "社区")
            for code, name in zip(frame["code"], frame["name"]):
                self.area.addItem(self.tr("{level} {name}（{code}）").format(
                    level=level, name=name, code=code), code)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("选择外业包的上级文件夹"))
        if path and self.all_officers.isChecked():
            self.out.setText(str(Path(path) / self.tr("外业包-全部人员-{day}").format(
                day=beijing.today().replace("-", ""))))
        elif path:
            label = self.choice()[1] or self.tr("外业包")
            name = self.tr("外业包-{label}-{day}").format(label=label,
                                                        day=beijing.today().replace("-", ""))
            self.out.setText(str(Path(path) / name))

    def choice(self) -> tuple[str, str | None]:
        """('officer' | 'area', staff number or area code) as picked (or typed)."""
        combo = self.officer if self.by_officer.isChecked() else self.area
        kind = "officer" if combo is self.officer else "area"
        data = combo.currentData()
        if data is None or combo.currentText() != combo.itemText(combo.currentIndex()):
            text = combo.currentText().strip()
            found = STAFF_IN_TEXT.findall(text)
            data = found[-1] if found else text
        return kind, data or None

    def _update(self) -> None:
        self.officer.setEnabled(self.by_officer.isChecked() and not self.busy)
        self.out.setPlaceholderText(self.tr("新文件夹（放各人的 .zip）") if
                                    self.all_officers.isChecked() else
                                    self.tr("新文件夹，或以 .zip 结尾的文件"))
        self.area.setEnabled(self.by_area.isChecked() and not self.busy)
        self.export_button.setEnabled(bool(self.out.text().strip()) and not self.busy)

    def run_export(self) -> TaskRunner:
        kind, value = self.choice()
        project, out = self.project_path, self.out.text().strip()
        day = self.as_of.date().toString("yyyy-MM-dd")
        if self.all_officers.isChecked():
            def batch() -> Task[dict[str, Any]]:
                with open_project(project) as store:
                    return (yield from export_all_officers(store, out, as_of=day))

            return self._start(batch, self.tr("导出外业包"), self._batch_done)
        kw = {"officer": value} if kind == "officer" else {"area": value}

        def task() -> Task[dict[str, Any]]:
            with open_project(project) as store:
                return (yield from export_fieldpack(store, out=out, as_of=day, **kw))

        return self._start(task, self.tr("导出外业包"), self._done)

    def _batch_done(self, summary: dict[str, Any]) -> None:
        self.result_data = summary
        made, failed = summary["packages"], summary["failed"]
        head = self.tr("<b>已导出</b> {n} 个外业包（{day} 的责任），共 {mb} MB").format(
            n=len(made), day=summary["as_of"], mb=f"{sum(p['bytes'] for p in made) / 1e6:.1f}")
        lines = [self.tr("未生成：{name}（{staff}）：{reason}").format(
            name=escape(f["name"] or ""), staff=escape(f["staff_no"]), reason=escape(f["reason"]))
            for f in failed]
        self.status.setText("<br>".join([head, escape(summary["out"]), *lines]))
        self.batch_exported.emit(summary)

    def _done(self, result: dict[str, Any]) -> None:
        self.result_data = result
        c = result["counts"]
        files = escape(self.tr("、").join(f["name"] for f in result["files"]))
        left = "".join("<br>" + self.tr("未包含：{what}").format(what=escape(x))
                       for x in result["left_out"])
        head = self.tr("<b>已导出</b> {scope}：单元网格 {cells} 个，企业 {enterprises} 个，"
                       "未结案件 {cases} 件").format(scope=escape(result["scope"]["label"]),
                                                  cells=c["cells"], enterprises=c["enterprises"],
                                                  cases=c["cases"])
        self.status.setText(f"{head}<br>{escape(str(result['out']))}<br>{files}{left}")
        self.exported.emit(result)


# --------------------------------------------------------------------------- import

class FieldpackImportDialog(_Runs):
    """导入外业包: choose the package → 试运行 (receipt, refused rows) → 导入."""

    imported = Signal(object)  # the Report (its info["receipt"] is the receipt)

    def __init__(self, project: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(project, parent)
        self.setWindowTitle(self.tr("导入外业包"))
        self.resize(900, 560)
        self.last_report: Report | None = None
        self._dry_ok = False
        self.package = QLineEdit()
        self.package.setPlaceholderText(self.tr("外业包文件夹或 .zip"))
        self.package.textChanged.connect(self._changed)
        pick_dir = QPushButton(self.tr("文件夹…"))
        pick_dir.clicked.connect(self._browse_dir)
        pick_zip = QPushButton(".zip…")
        pick_zip.clicked.connect(self._browse_zip)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("外业包：")))
        row.addWidget(self.package, 1)
        row.addWidget(pick_dir)
        row.addWidget(pick_zip)
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.findings = QTableView()
        self.findings.horizontalHeader().setStretchLastSection(True)
        self.findings.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.dry_button = QPushButton(self.tr("试运行"))
        self.dry_button.clicked.connect(self.run_dry)
        self.import_button = QPushButton(self.tr("导入"))
        self.import_button.clicked.connect(self.run_import)
        self.conflicts_button = QPushButton(self.tr("处理冲突…"))
        self.conflicts_button.clicked.connect(self.show_conflicts)
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.conflicts_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dry_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.summary)
        lay.addWidget(self.findings, 1)
        lay.addLayout(buttons)
        self._update()

    def set_package(self, path: str | Path) -> None:
        self.package.setText(str(path))

    def _browse_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("选择外业包文件夹"))
        if path:
            self.set_package(path)

    def _browse_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择外业包"), "",
                                              self.tr("外业包 (*.zip)"))
        if path:
            self.set_package(path)

    def _changed(self) -> None:
        self._dry_ok = False
        self._update()

    def _update(self) -> None:
        has = bool(self.package.text().strip())
        self.dry_button.setEnabled(has and not self.busy)
        self.import_button.setEnabled(self._dry_ok and not self.busy)
        conflicts = bool(self.last_report and not self.last_report.info.get("dry_run")
                         and self.last_report.info.get("receipt", {}).get("conflicts"))
        self.conflicts_button.setVisible(conflicts)

    def _task(self, dry_run: bool) -> Callable[[], Task[Report]]:
        project, package = self.project_path, self.package.text().strip()

        def task() -> Task[Report]:
            with open_project(project, readonly=dry_run) as store:
                return (yield from import_fieldpack(store, package, dry_run=dry_run))

        return task

    def run_dry(self) -> TaskRunner:
        self._dry_ok = False
        return self._start(self._task(True), self.tr("试运行"), lambda r: self._done(r, True))

    def run_import(self) -> TaskRunner:
        return self._start(self._task(False), self.tr("导入外业包"),
                           lambda r: self._done(r, False))

    def _done(self, report: Report, dry_run: bool) -> None:
        self.last_report = report
        info = report.info
        c = info.get("receipt", {}).get("counts", {})
        text = self.tr("检查记录 {inspections} 条，企业更正 {enterprises} 个，案件进展 {steps} 步，"
                       "新冲突 {conflicts} 个").format(
            inspections=c.get("inspections_new", 0), enterprises=c.get("enterprises_updated", 0),
            steps=c.get("case_steps_new", 0), conflicts=c.get("conflicts_new", 0))
        if report.refused:
            self.status.setText("<span style='color:#b91c1c'>" + self.tr(
                "<b>不能导入</b>：{n} 处数据无效（见下表：图层和要素编号），项目未改变").format(
                n=len(report.refused)) + "</span>")
        elif info.get("already_imported"):
            self.status.setText(self.tr("这个外业包已经导入过，没有新内容：项目未改变"))
        elif dry_run:
            self.status.setText(self.tr("<b>试运行完成</b>，未写入项目。将导入：") + text)
            self._dry_ok = True
        else:
            self.status.setText(self.tr("<b>导入完成</b>：") + text)
            self._dry_ok = False
        lines = []
        for r in info.get("receipt", {}).get("records", [])[:200]:
            kind = self.tr(KIND_ZH[r["kind"]]) if r["kind"] in KIND_ZH else r["kind"]
            lines.append(f"{kind} {r.get('label') or ''}")
        self.summary.setText(self.tr("；").join(lines[:12]) + ("…" if len(lines) > 12 else ""))
        self.findings.setModel(FindingsModel(report.findings, self))
        for col in HIDDEN_FINDING_COLUMNS:  # a package row has no area code and no area
            self.findings.setColumnHidden(col, True)
        self.findings.resizeColumnsToContents()
        if not dry_run:
            self.imported.emit(report)

    def show_conflicts(self) -> QDialog:
        from ui.conflicts_view import ConflictsDialog

        dlg = ConflictsDialog(self.project_path, self)
        dlg.show()
        return dlg
