"""The dialogs beside the main window — printing, field packages and their conflicts — hooked into
its menus through ``MainWindow.add_print_action`` / ``add_tool_action``.

Kept out of ``app.py`` so that the window stays the window; each dialog opens its own connection
to the project file and the window reloads after a dialog wrote to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction

from ui.conflicts_view import ConflictsDialog
from ui.fieldpack_dialog import FieldpackExportDialog, FieldpackImportDialog
from ui.print_dialog import PrintDialog


class ToolHost(Protocol):
    """What the dialogs need of the main window (:class:`ui.app.MainWindow` is one); named here
    so this module does not import the window that imports it."""

    project: Path | None
    map: Any
    current: Any

    def add_print_action(self, action: QAction) -> None: ...
    def add_tool_action(self, menu_title: str, action: QAction) -> Any: ...
    def refresh(self) -> None: ...


def _bounds_of(stats_json: Any) -> tuple[float, float, float, float] | None:
    """The page's ``bounds``, Leaflet's ``toBBoxString`` ("west,south,east,north"), as numbers."""
    stats = json.loads(stats_json) if isinstance(stats_json, str) else None
    text = stats.get("bounds") if isinstance(stats, dict) else None
    if not text:
        return None
    west, south, east, north = (float(v) for v in str(text).split(","))
    return west, south, east, north


class Tools:
    """Opens the dialogs for ``win``'s current project; keeps a reference so they stay alive."""

    def __init__(self, win: ToolHost) -> None:
        self.win = win
        self.open: dict[str, Any] = {}
        # QCoreApplication.translate by its own name: lupdate does not see through a helper
        win.add_print_action(QAction(
            QCoreApplication.translate("Tools", "打印责任区域图…"), win, shortcut="Ctrl+P",
            triggered=lambda: self.print_map()))
        win.add_print_action(QAction(
            QCoreApplication.translate("Tools", "打印当前视图…"), win,
            triggered=lambda: self.print_view()))
        title = QCoreApplication.translate("Tools", "外业")
        win.add_tool_action(title, QAction(
            QCoreApplication.translate("Tools", "导出外业包…"), win,
            triggered=lambda: self.export_fieldpack()))
        win.add_tool_action(title, QAction(
            QCoreApplication.translate("Tools", "导入外业包…"), win,
            triggered=lambda: self.import_fieldpack()))
        win.add_tool_action(title, QAction(
            QCoreApplication.translate("Tools", "处理冲突…"), win,
            triggered=lambda: self.conflicts()))

    def _show(self, key: str, dialog: Any) -> Any:
        self.open[key] = dialog
        dialog.show()
        return dialog

    def _scope(self) -> str:
        """The area shown in the detail panel (street, community or cell), else the district."""
        current = getattr(self.win, "current", None)
        if current and current[0] == "area":
            return str(current[1])
        return "district"

    def print_map(self) -> PrintDialog | None:
        if self.win.project is None:
            return None
        return self._show("print", PrintDialog(self.win.project, self._scope(), self.win))

    def print_view(self) -> PrintDialog | None:
        """The print dialog fitted to what the map shows now."""
        dialog = self.print_map()
        if dialog is None:
            return None
        run_js = getattr(self.win.map, "run_js", None)
        if run_js is None:  # the QPainter fallback map: print the scope
            return dialog
        run_js("JSON.stringify(window.gridmap.stats())",
               lambda stats: dialog.print_view(_bounds_of(stats)))
        return dialog

    def export_fieldpack(self) -> FieldpackExportDialog | None:
        if self.win.project is None:
            return None
        return self._show("fieldpack_export", FieldpackExportDialog(self.win.project, self.win))

    def import_fieldpack(self) -> FieldpackImportDialog | None:
        if self.win.project is None:
            return None
        dialog = FieldpackImportDialog(self.win.project, self.win)
        dialog.imported.connect(lambda _report: self.win.refresh())
        return self._show("fieldpack_import", dialog)

    def conflicts(self) -> ConflictsDialog | None:
        if self.win.project is None:
            return None
        dialog = ConflictsDialog(self.win.project, self.win)
        dialog.finished.connect(lambda _code: self.win.refresh())
        return self._show("conflicts", dialog)
