"""The open field conflicts, both versions side by side, and the buttons that decide them.

A conflict is a record changed both at the desk and in the field since the package was
exported (:mod:`gridmgr.fieldwork.importer`).  Each row shows what was sent, the desk's version
and the field's version, field by field; the differing fields are highlighted.  保留桌面版本 and
采用外业版本 call :func:`gridmgr.fieldwork.conflicts.resolve_conflict`; both versions stay stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.fieldwork.conflicts import conflict_fields, resolve_conflict
from gridmgr.project import as_location, open_project
from ui import outside
from ui.i18n import action_term, step_note
from ui.plain import plain_label

TABLE_ZH = {"enterprises": QT_TRANSLATE_NOOP("ConflictsView", "企业"),
            "cases": QT_TRANSLATE_NOOP("ConflictsView", "案件")}
FIELD_ZH = {"contact": QT_TRANSLATE_NOOP("ConflictsView", "联系人"),
            "phone": QT_TRANSLATE_NOOP("ConflictsView", "联系电话"),
            "address": QT_TRANSLATE_NOOP("ConflictsView", "地址"),
            "x": QT_TRANSLATE_NOOP("ConflictsView", "经度/X"),
            "y": QT_TRANSLATE_NOOP("ConflictsView", "纬度/Y"),
            "case_no": QT_TRANSLATE_NOOP("ConflictsView", "案件编号"),
            "status": QT_TRANSLATE_NOOP("ConflictsView", "状态"),
            "handler_staff_no": QT_TRANSLATE_NOOP("ConflictsView", "处置人"),
            "dispose_due_at": QT_TRANSLATE_NOOP("ConflictsView", "处置截止"),
            "steps": QT_TRANSLATE_NOOP("ConflictsView", "案件进展"),
            "why": QT_TRANSLATE_NOOP("ConflictsView", "未应用的原因")}
COLUMNS = (QT_TRANSLATE_NOOP("ConflictsView", "编号"), QT_TRANSLATE_NOOP("ConflictsView", "记录"),
           QT_TRANSLATE_NOOP("ConflictsView", "类型"), QT_TRANSLATE_NOOP("ConflictsView", "字段"),
           QT_TRANSLATE_NOOP("ConflictsView", "导出时"),
           QT_TRANSLATE_NOOP("ConflictsView", "桌面版本"),
           QT_TRANSLATE_NOOP("ConflictsView", "外业版本"), QT_TRANSLATE_NOOP("ConflictsView", "状态"))
DIFF = QColor("#fef3c7")


def _value(key: str, v: Any) -> str:
    if v is None:
        return "" if key == "why" else QCoreApplication.translate("ConflictsView", "（空）")
    if key == "steps":  # the field's steps: action, time (note), in the interface's words
        step = QCoreApplication.translate("ConflictsView", "{action} {at}")
        noted = QCoreApplication.translate("ConflictsView", "{step}（{note}）")
        shown = [step.format(action=action_term(s["action"]), at=str(s["at"]).replace("T", " "))
                 for s in v]
        return QCoreApplication.translate("ConflictsView", "；").join(
            noted.format(step=text, note=step_note(s["note"])) if s.get("note") else text
            for text, s in zip(shown, v))
    return str(v)


class ConflictsView(QWidget):
    """A table with one line per field of each conflict: sent / desk / field."""

    decided = Signal(int, str)  # conflict id, 'desk' | 'field'

    def __init__(self, project: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_path = as_location(project)
        self.conflicts: list[dict[str, Any]] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.show_all = QCheckBox(self.tr("包括已决定的"))
        self.show_all.toggled.connect(self.reload)
        self.summary = plain_label()
        self.keep_desk = QPushButton(self.tr("保留桌面版本"))
        self.keep_field = QPushButton(self.tr("采用外业版本"))
        self.keep_desk.clicked.connect(lambda: self.decide("desk"))
        self.keep_field.clicked.connect(lambda: self.decide("field"))
        self.table.itemSelectionChanged.connect(self._update)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_all)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_desk)
        buttons.addWidget(self.keep_field)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self._seen = outside.mark(self)  # what a decision is made on, checked before it writes
        with open_project(self.project_path, readonly=True) as store:
            self.conflicts = store.conflicts(status=None if self.show_all.isChecked()
                                             else "open")
        self.table.setRowCount(0)
        for c in self.conflicts:
            for i, (key, sent, desk, field) in enumerate(conflict_fields(c)):
                state = self.tr("待决定") if c["status"] == "open" else (
                    self.tr("已保留桌面版本") if c["decision"] == "desk"
                    else self.tr("已采用外业版本"))
                cells = [str(c["id"]) if i == 0 else "", c["label"] or "" if i == 0 else "",
                         self._name(TABLE_ZH, c["table_name"]) if i == 0 else "",
                         self._name(FIELD_ZH, key), _value(key, sent), _value(key, desk),
                         _value(key, field), state if i == 0 else ""]
                row = self.table.rowCount()
                self.table.insertRow(row)
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, c["id"])
                    if col in (5, 6) and desk != field and key != "why":
                        item.setBackground(DIFF)
                    self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        n = sum(1 for c in self.conflicts if c["status"] == "open")
        self.summary.setText(self.tr("待决定的冲突 {n} 个：桌面和外业都改过的记录，两个版本都已保留")
                             .format(n=n) if n else self.tr("没有待决定的冲突"))
        self._update()

    def _name(self, names: dict[str, str], key: str) -> str:
        return self.tr(names[key]) if key in names else key

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def select(self, conflict_id: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == conflict_id:
                self.table.selectRow(row)
                return

    def _update(self) -> None:
        cid = self.selected_id()
        open_ = any(c["id"] == cid and c["status"] == "open" for c in self.conflicts)
        self.keep_desk.setEnabled(open_)
        self.keep_field.setEnabled(open_)

    def decide(self, keep: str) -> None:
        cid = self.selected_id()
        if cid is None:
            return
        if outside.changed_since(self, self._seen):  # the window reloaded and said so
            self.reload()  # the conflicts as they are now
            return
        try:
            with open_project(self.project_path) as store:
                resolve_conflict(store, cid, keep)
        except GridmgrError as exc:
            QMessageBox.warning(self, self.tr("不能这样决定"), str(exc))
            return
        self.reload()
        self.decided.emit(cid, keep)


class ConflictsDialog(QDialog):
    def __init__(self, project: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("外业冲突"))
        self.resize(980, 420)
        self.view = ConflictsView(project, self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
