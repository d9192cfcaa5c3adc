"""“指定责任人”: make one officer responsible for the selected cells (or an area) from a day."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from gridmgr import beijing
from gridmgr.errors import GridmgrError
from gridmgr.project import open_project
from gridmgr.registers.responsibility import assign
from gridmgr.registers.teams import roles as team_roles
from ui import outside
from ui.buttons import ok_cancel
from ui.i18n import term
from ui.plain import error_box, plain_label


class AssignDialog(QDialog):
    def __init__(self, project: str, cells: list[str], officers: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        """``officers``: (staff number, name, role) of everyone in the project."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("指定责任人"))
        self.project, self.cells = project, cells
        self.result_info: dict | None = None
        self._seen = outside.mark(self)  # another desk's change before the write is noticed
        self.officer = QComboBox()
        for staff, name, role in officers:
            self.officer.addItem(self.tr("{name}（{staff}，{role}）").format(
                name=name, staff=staff, role=term(role) if role else self.tr("未定角色")), staff)
        self.role = QComboBox()
        with open_project(project, readonly=True) as store:  # the project's own role table
            self._team = [r["name"] for r in team_roles(store)]
        for role in self._team:  # the role itself (stored as it is) is the item's data
            self.role.addItem(term(role), role)
        self.officer.currentIndexChanged.connect(self._default_role)
        self._roles = {staff: role for staff, _, role in officers}
        self._default_role()
        self.start = QDateEdit(QDate.fromString(beijing.today(), Qt.DateFormat.ISODate))
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        shown = self.tr("、").join(cells[:6]) + (
            self.tr(" 等 {n} 个").format(n=len(cells)) if len(cells) > 6 else "")
        form = QFormLayout(self)
        form.addRow(self.tr("单元网格："), plain_label(shown))
        form.addRow(self.tr("人员："), self.officer)
        form.addRow(self.tr("角色："), self.role)
        form.addRow(self.tr("起始日期："), self.start)
        form.addRow(QLabel(self.tr("该网格原有的同类责任人自起始日期起卸任，原记录保留。")))
        form.addRow(QLabel(self.tr("网格团队的其他角色（如执法队员之于网格员）不受影响。")))
        form.addRow(ok_cancel(self, self.tr("指定"), self.apply))

    def _default_role(self) -> None:
        role = self._roles.get(self.officer.currentData()) if hasattr(self, "_roles") else None
        if role in getattr(self, "_team", ()):
            self.role.setCurrentIndex(self.role.findData(role))

    def apply(self) -> None:
        if outside.changed_since(self, self._seen):  # the window reloaded and said so
            self._seen = outside.mark(self)
            return
        day = self.start.date().toPython()
        try:
            with open_project(self.project) as store:
                self.result_info = assign(store, staff_no=self.officer.currentData(),
                                          role=self.role.currentData() or self.role.currentText(),
                                          cells=self.cells,
                                          from_date=(day if isinstance(day, date)
                                                     else date.fromisoformat(beijing.today()))
                                          .isoformat())
        except GridmgrError as exc:
            error_box(self, exc.title, str(exc))
            return
        self.accept()
