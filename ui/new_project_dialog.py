"""“新建项目”: name, division code, CRS and code scheme of a new project file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.grid.codes import SCHEMES
from gridmgr.project import init_project
from ui.buttons import ok_cancel
from ui.i18n import term
from ui.plain import error_box

CRS_CHOICES = [("EPSG:4490", QT_TRANSLATE_NOOP("NewProjectDialog",
                                              "CGCS2000 经纬度（EPSG:4490，推荐）")),
               ("EPSG:4547", QT_TRANSLATE_NOOP("NewProjectDialog",
                                              "CGCS2000 3度带 114°E（EPSG:4547，广东中部）")),
               ("EPSG:4326", QT_TRANSLATE_NOOP("NewProjectDialog", "WGS84 经纬度（EPSG:4326）"))]


class NewProjectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建项目"))
        self.created: Path | None = None
        self.path = QLineEdit(placeholderText=self.tr("例如 D:/网格/禅城区.gpkg"))
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.name = QLineEdit(placeholderText=self.tr("例如 禅城区"))
        self.admin = QLineEdit(placeholderText=self.tr("6 位县级区划代码，例如 440604"))
        self.crs = QComboBox()
        for code, label in CRS_CHOICES:
            self.crs.addItem(self.tr(label), code)
        self.crs.setEditable(True)
        self.scheme = QComboBox()
        for key, scheme in SCHEMES.items():
            self.scheme.addItem(term(scheme.title), key)
        form = QFormLayout(self)
        form.addRow(self.tr("项目文件："), row)
        form.addRow(self.tr("名称："), self.name)
        form.addRow(self.tr("区划代码："), self.admin)
        form.addRow(self.tr("存储坐标系："), self.crs)
        form.addRow(self.tr("单元网格编码规则："), self.scheme)
        form.addRow(ok_cancel(self, self.tr("创建"), self.create))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("新建项目"), "",
                                              self.tr("gridmgr 项目 (*.gpkg)"))
        if path:
            self.path.setText(path if path.lower().endswith(".gpkg") else path + ".gpkg")

    def create(self) -> None:
        # a listed choice gives its EPSG code; anything typed is passed on (pyproj judges it)
        typed = self.crs.currentText().strip()
        listed = self.crs.findText(typed)
        crs = self.crs.itemData(listed) if listed >= 0 else typed
        try:
            init_project(self.path.text().strip(), name=self.name.text(),
                         admin_code=self.admin.text().strip(), crs=crs or "EPSG:4490",
                         code_scheme=self.scheme.currentData()).close()
        except GridmgrError as exc:
            error_box(self, exc.title, str(exc))
            return
        self.created = Path(self.path.text().strip())
        self.accept()
