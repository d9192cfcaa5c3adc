"""One table for findings of any checker (validate today; enterprise and case checks later)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QTableView, QVBoxLayout, QWidget

from gridmgr.findings import NOTICE, WARNING, Finding
from gridmgr.messages import layer_title, title
from ui.plain import plain_label

# headers marked for lupdate, translated when shown (the finding texts come from
# gridmgr.messages, which follows the same language through ui.i18n.set_language)
COLUMNS = [("severity", QT_TRANSLATE_NOOP("FindingsModel", "级别")),
           ("reason", QT_TRANSLATE_NOOP("FindingsModel", "类型")),
           ("file", QT_TRANSLATE_NOOP("FindingsModel", "图层/文件")),
           ("row", QT_TRANSLATE_NOOP("FindingsModel", "行")),
           ("code", QT_TRANSLATE_NOOP("FindingsModel", "编码")),
           ("area_m2", QT_TRANSLATE_NOOP("FindingsModel", "面积(平方米)")),
           ("message", QT_TRANSLATE_NOOP("FindingsModel", "说明"))]


class FindingsModel(QAbstractTableModel):
    def __init__(self, findings: list[Finding], parent: Any = None) -> None:
        super().__init__(parent)
        self.findings = findings

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        f = self.findings[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "severity":
                if f.severity == NOTICE:
                    return self.tr("提示")
                return self.tr("警告") if f.severity == WARNING else self.tr("错误")
            if key == "reason":
                return title(f.reason)
            if key == "file":
                return layer_title(f.file)
            value = getattr(f, key)
            if key == "area_m2" and value is not None:
                return f"{value:,.1f}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and key == "severity":
            if f.severity == NOTICE:
                return QColor("#475569")
            return QColor("#b45309") if f.severity == WARNING else QColor("#b91c1c")
        if role == Qt.ItemDataRole.UserRole:
            return f
        return None


class FindingsDialog(QDialog):
    """The findings of one check; double-click a row to show it on the map."""

    locate = Signal(object)  # the Finding

    def __init__(self, title: str, findings: list[Finding], summary: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 420)
        self.model = FindingsModel(findings, self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        self.table.doubleClicked.connect(
            lambda idx: self.locate.emit(idx.data(Qt.ItemDataRole.UserRole)))
        self.summary = plain_label(summary)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table)
