"""“打印责任区域图”: scope, atlas, paper, orientation, title; live preview; printer; PDF/PNG.

The dialog only collects options: the data come from :mod:`gridmgr.outputs.sheets` and the pages
are drawn by :mod:`maps.print_layout`, the same code ``gridmgr print`` runs.  Long work runs in
TaskRunners: gathering the data for the preview (the preview says it is preparing; changing the
options again cancels the stale run), printing to a printer (page by page in a worker thread,
progress, Cancel) and exporting (a cancelled export leaves no file).  The preview itself
paints its first pages on the GUI thread, as QPrintPreviewWidget asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.outputs.sheets import PAPERS, PrintJob, prepare, print_map
from gridmgr.progress import Task
from gridmgr.project import as_location, open_project
from maps.print_layout import PAPER_ID, paint_document, paint_pages
from maps.print_text import fix_tounicode, radical_map
from ui.plain import plain_label
from ui.tasks import TaskRunner

PREVIEW_PAGES = 30  # an atlas of 1,000 pages is printed whole, previewed by its first pages
ATLAS_CHOICES = [(QT_TRANSLATE_NOOP("PrintDialog", "不分幅"), None),
                 (QT_TRANSLATE_NOOP("PrintDialog", "按街道分幅"), "street"),
                 (QT_TRANSLATE_NOOP("PrintDialog", "按社区分幅"), "community"),
                 (QT_TRANSLATE_NOOP("PrintDialog", "按单元网格分幅"), "cell"),
                 (QT_TRANSLATE_NOOP("PrintDialog", "按责任人分幅"), "officer")]


class PrintDialog(QDialog):
    """Print or export the responsibility map of ``store_path`` for a scope."""

    exported = Signal(object)  # the print task's summary
    prepared = Signal(object)  # the data for the preview are ready (a PrintJob, or None)
    printed = Signal(object)  # a print run ended: pages painted, the layout

    def __init__(self, store_path: Path, scope: str = "district",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打印责任区域图"))
        self.store_path = as_location(store_path)
        self.view_bounds: tuple[float, float, float, float] | None = None
        self.runner: TaskRunner | None = None
        self._job: PrintJob | None = None
        self._job_key: tuple[Any, ...] | None = None
        self._preparing: tuple[tuple[Any, ...], TaskRunner] | None = None
        self._runners: list[TaskRunner] = []  # preparations still running (kept alive)
        self._error: str | None = None
        self.pages = 0  # pages of the document last painted (preview or printer)

        self.scope = QComboBox()
        self.scope.setEditable(True)  # an officer:工号 or any area code can be typed
        self._fill_scopes()
        self.set_scope(scope)
        self.atlas = QComboBox()
        for text, key in ATLAS_CHOICES:
            self.atlas.addItem(self.tr(text), key)
        self.paper = QComboBox()
        self.paper.addItems(list(PAPERS))
        self.paper.setCurrentText("A3")
        self.orientation = QComboBox()
        self.orientation.addItems([self.tr("纵向"), self.tr("横向")])
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("默认：项目名 + 范围名 + 网格化管理责任区域图"))
        self.title.setToolTip(self.title.placeholderText())
        self.title.setMinimumWidth(  # the hint shows whole, in either language
            self.title.fontMetrics().horizontalAdvance(self.title.placeholderText()) + 16)
        self.message = plain_label()
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("出图范围："), self.scope)
        form.addRow(self.tr("分幅："), self.atlas)
        form.addRow(self.tr("纸张："), self.paper)
        form.addRow(self.tr("方向："), self.orientation)
        form.addRow(self.tr("标题："), self.title)
        form.addRow(self.message)
        refresh = QPushButton(self.tr("刷新预览"))
        refresh.clicked.connect(self.refresh)
        to_printer = QPushButton(self.tr("打印…"))
        to_printer.clicked.connect(self.print_to_printer)
        export = QPushButton(self.tr("导出 PDF/PNG…"))
        export.clicked.connect(self._ask_export)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        buttons = QVBoxLayout()
        for b in (refresh, to_printer, export, close):
            buttons.addWidget(b)
        buttons.addStretch(1)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addLayout(buttons)

        self.printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        self.printer.setFullPage(True)
        self.preview = QPrintPreviewWidget(self.printer, self)
        self.preview.paintRequested.connect(self._paint)
        self.preview.setMinimumSize(520, 600)
        main = QHBoxLayout(self)
        main.addLayout(side, 0)
        main.addWidget(self.preview, 1)
        for combo in (self.atlas, self.paper, self.orientation):
            combo.currentIndexChanged.connect(self.refresh)
        self.scope.activated.connect(self.refresh)
        self.title.editingFinished.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ options
    def _fill_scopes(self) -> None:
        self.scope.addItem(self.tr("全区"), "district")
        try:
            with open_project(self.store_path, readonly=True) as store:
                item = self.tr("{name}（{code}）")
                # communities indented by an em space (U+3000 is a full-width character)
                for level, prefix in (("street", ""), ("community", "\u2003")):
                    areas = store.areas(level).sort_values("code")
                    for code, name in zip(areas["code"], areas["name"]):
                        self.scope.addItem(prefix + item.format(name=name, code=code), code)
                officers = store.officers().sort_values("staff_no")
                for staff, name in zip(officers["staff_no"], officers["name"]):
                    self.scope.addItem(self.tr("责任人 {name}（{staff}）").format(
                        name=name, staff=staff), f"officer:{staff}")
        except GridmgrError:
            pass  # refresh() shows the reason when the project cannot be read

    def set_scope(self, scope: str) -> None:
        i = self.scope.findData(scope)
        if i >= 0:
            self.scope.setCurrentIndex(i)
        else:
            self.scope.setEditText(scope)

    def scope_value(self) -> str:
        text = self.scope.currentText()
        i = self.scope.findText(text)
        return str(self.scope.itemData(i)) if i >= 0 else text.strip()

    def options(self) -> dict[str, Any]:
        return {"scope": self.scope_value(), "atlas": self.atlas.currentData(),
                "paper": self.paper.currentText(),
                "landscape": self.orientation.currentIndex() == 1,
                "title": self.title.text().strip() or None}

    @Slot()
    def print_view(self, bounds: tuple[float, float, float, float] | None = None) -> None:
        """"Print this view": the map extent (lon/lat west, south, east, north) of the
        desktop's map; ``None`` goes back to fitting the scope."""
        self.view_bounds = tuple(bounds) if bounds else None  # type: ignore[assignment]
        self.atlas.setCurrentIndex(0)
        self.refresh()

    # ------------------------------------------------------------------ preview and printer
    def _key(self) -> tuple[Any, ...]:
        o = self.options()
        return (o["scope"], o["atlas"], o["title"], self.view_bounds)

    def job(self) -> PrintJob | None:
        """The data for the current options; None while they are being prepared, or when
        the options name nothing (the message says why)."""
        return self._job if self._job_key == self._key() else None

    def preparing(self) -> bool:
        return self._preparing is not None

    def _prepare(self) -> None:
        """Gather the data for the current options in a worker thread (seconds for a large
        district): the dialog stays usable, the preview says it is preparing, and a run for
        options changed since is cancelled and its result dropped."""
        key = self._key()
        if key == self._job_key or (self._preparing and self._preparing[0] == key):
            return
        if self._preparing is not None:
            self._preparing[1].cancel()
        self._runners = [r for r in self._runners if not r.thread.isFinished()]
        o, project, view = self.options(), self.store_path, self.view_bounds
        runner = TaskRunner(lambda: prepare(project, scope=o["scope"], atlas=o["atlas"],
                                            title=o["title"], view=view),
                            self.tr("正在准备预览…"), None, show_dialog=False)
        runner.finished.connect(lambda job, r=runner: self._prepared(r, job, None))
        runner.failed.connect(lambda _title, text, r=runner: self._prepared(r, None, text))
        runner.cancelled.connect(lambda r=runner: self._prepared(r, None, None))
        self._preparing = (key, runner)
        self._runners.append(runner)
        self._job, self._job_key, self._error = None, None, None
        self.message.setText(self.tr("正在准备预览…"))
        runner.start()

    def _prepared(self, runner: TaskRunner, job: PrintJob | None, error: str | None) -> None:
        if self._preparing is None or self._preparing[1] is not runner:
            return  # a stale run (cancelled or not): its options are no longer asked for
        key, self._preparing = self._preparing[0], None
        if job is None and error is None:
            return  # cancelled
        self._job, self._job_key, self._error = job, key, error  # an error is not retried
        if job is None:
            self.message.setText(error or "")
        else:
            self._summary(job)
        self.preview.updatePreview()
        self.prepared.emit(job)

    def _summary(self, job: PrintJob) -> None:
        text = self.tr("{title}：{n} 个单元网格").format(title=job.title,
                                                       n=len(job.scope_cells))
        if job.units:
            text += self.tr("，{n} 幅").format(n=len(job.units))
        self.message.setText(text)

    def _setup_printer(self, printer: QPrinter) -> None:
        o = self.options()
        printer.setFullPage(True)
        printer.setPageLayout(QPageLayout(
            QPageSize(PAPER_ID[o["paper"]]),
            QPageLayout.Orientation.Landscape if o["landscape"]
            else QPageLayout.Orientation.Portrait, printer.pageLayout().margins()))

    @Slot()
    def refresh(self) -> None:
        self._setup_printer(self.printer)
        self._prepare()
        job = self.job()
        if job is not None:
            self._summary(job)
        elif self._error:
            self.message.setText(self._error)
        self.preview.updatePreview()

    def _paint(self, printer: QPrinter, max_pages: int | None = PREVIEW_PAGES) -> None:
        """The preview (QPrintPreviewWidget's paintRequested, on the GUI thread): the first
        ``max_pages`` pages, or a note while the data are being prepared."""
        job = self.job()
        painter = QPainter(printer)
        try:
            if job is None:
                if self.preparing():
                    rect = QRectF(0, 0, printer.width(), printer.height() / 3)
                    font = painter.font()
                    font.setPointSizeF(20)
                    painter.setFont(font)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("正在准备预览…"))
                return
            layout = paint_document(job, painter, printer.newPage, paper=self.paper.currentText(),
                                    landscape=self.orientation.currentIndex() == 1,
                                    max_pages=max_pages)
        finally:
            painter.end()
        self.pages = len(layout.pages)
        if max_pages and self.pages > max_pages:
            self.message.setText(self.tr("{title}：共 {pages} 页，预览只显示前 {shown} 页；"
                                         "打印和导出包括全部页面").format(
                title=job.title, pages=self.pages, shown=max_pages))

    @Slot()
    def print_to_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._setup_printer(printer)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> TaskRunner:
        """Paint every page on ``printer`` in a worker thread (Qt allows painting a QPrinter
        outside the GUI thread), one page per step with progress and Cancel.  Cancel stops
        before the next page and aborts the job where the platform can; a cancelled print to
        a file leaves no file.  ``printed`` with the summary on success."""
        o, job = self.options(), self.job()
        project, view = self.store_path, self.view_bounds
        out = printer.outputFileName() \
            if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat else ""

        def task() -> Task[dict[str, Any]]:
            ready = job
            if ready is None:  # asked to print before the preview was ready
                ready = yield from prepare(project, scope=o["scope"], atlas=o["atlas"],
                                           title=o["title"], view=view)
            try:
                layout = yield from paint_pages(ready, printer, paper=o["paper"],
                                                landscape=o["landscape"])
            except BaseException:
                if out:
                    Path(out).unlink(missing_ok=True)
                raise
            if out:  # "print to file": searchable like an export
                fix_tounicode(Path(out), radical_map((layout.sans, layout.serif), layout.drawn))
            return {"pages": layout.painted, "file": out or None, "layout": layout}

        self.runner = TaskRunner(task, self.tr("正在打印责任区域图"), self)
        self.runner.finished.connect(self._printed)
        self.runner.start()
        return self.runner

    def _printed(self, result: dict[str, Any]) -> None:
        self.pages = result["pages"]
        self.message.setText(self.tr("已送打印 {pages} 页").format(pages=result["pages"]))
        self.printed.emit(result)

    # ------------------------------------------------------------------ export
    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出责任区域图"), str(
            self.store_path.with_suffix(".pdf")), "PDF (*.pdf);;PNG (*.png)")
        if path:
            self.export_to(Path(path))

    def export_to(self, out: Path, dpi: int = 200) -> TaskRunner:
        """Write the map to ``out`` (.pdf/.png) in a worker thread; ``exported`` on success."""
        o = self.options()
        project, view = self.store_path, self.view_bounds
        self.runner = TaskRunner(lambda: print_map(project, out, dpi=dpi, view=view, **o),
                                 self.tr("正在输出责任区域图"), self)
        self.runner.finished.connect(self._exported)
        self.runner.start()
        return self.runner

    def _exported(self, result: dict[str, Any]) -> None:
        files = result["files"]
        text = self.tr("已输出 {pages} 页：{file}").format(pages=result["pages"], file=files[0])
        if len(files) > 1:
            text += self.tr(" 等 {n} 个文件").format(n=len(files))
        self.message.setText(text)
        self.exported.emit(result)

    def _stop(self) -> None:
        """Cancel what runs (export, printing, preparations) and wait for the threads."""
        for runner in ([self.runner] if self.runner else []) + self._runners:
            runner.cancel()
        for runner in ([self.runner] if self.runner else []) + self._runners:
            runner.wait()
        for runner in self._runners:  # their queued results must not reach a closed dialog
            for signal in (runner.finished, runner.failed, runner.cancelled):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass
        self._runners = [r for r in self._runners if not r.thread.isFinished()]
        self._preparing = None

    def done(self, result: int) -> None:  # 关闭 (reject) does not go through closeEvent
        self._stop()
        super().done(result)

    def closeEvent(self, event: Any) -> None:
        self._stop()
        super().closeEvent(event)
