"""“指定责任人”: make one officer responsible for the selected cells (or an area) from a day."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.officers import ROLES
from gridmgr.project import open_project
from gridmgr.responsibility import assign
from ui.buttons import ok_cancel


class AssignDialog(QDialog):
    def __init__(self, project: str, cells: list[str], officers: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        """``officers``: (staff number, name, role) of everyone in the project."""
        super().__init__(parent)
        self.setWindowTitle("指定责任人")
        self.project, self.cells = project, cells
        self.result_info: dict | None = None
        self.officer = QComboBox()
        for staff, name, role in officers:
            self.officer.addItem(f"{name}（{staff}，{role or '未定角色'}）", staff)
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.officer.currentIndexChanged.connect(self._default_role)
        self._roles = {staff: role for staff, _, role in officers}
        self._default_role()
        self.start = QDateEdit(QDate.currentDate())
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        shown = "、".join(cells[:6]) + (f" 等 {len(cells)} 个" if len(cells) > 6 else "")
        form = QFormLayout(self)
        form.addRow("单元网格：", QLabel(shown))
        form.addRow("人员：", self.officer)
        form.addRow("角色：", self.role)
        form.addRow("起始日期：", self.start)
        form.addRow(QLabel("该网格原有的同类责任人自起始日期起卸任，原记录保留。"))
        form.addRow(ok_cancel(self, "指定", self.apply))

    def _default_role(self) -> None:
        role = self._roles.get(self.officer.currentData()) if hasattr(self, "_roles") else None
        if role in ROLES:
            self.role.setCurrentText(role)

    def apply(self) -> None:
        day = self.start.date().toPython()
        try:
            with open_project(self.project) as store:
                self.result_info = assign(store, staff_no=self.officer.currentData(),
                                          role=self.role.currentText(), cells=self.cells,
                                          from_date=(day if isinstance(day, date)
                                                     else date.today()).isoformat())
        except GridmgrError as exc:
            QMessageBox.critical(self, exc.title, str(exc))
            return
        self.accept()
