"""“新建案件”: accept (受理) a case at a point the user clicked on the map.

The form asks what :func:`gridmgr.cases.create_case` takes — source, category (大类 → 小类 from
the project's category table), description, address, an enterprise (searched as the user
types), photos (copied into the project) and the reported time.  It shows where the point falls
and who answers for it, both from the core.  With “受理后立即立案、派遣” the case is also
registered and dispatched (to the cell's primary responsible on the reported day) in the same
transaction: the case lands whole, or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridmgr.cases import lifecycle as cases
from gridmgr.errors import GridmgrError
from gridmgr.project import open_project
from gridmgr.storage import Store
from ui.buttons import ok_cancel
from ui.case_detail import (
    combo_staff,
    datetime_edit,
    from_qdatetime,
    named,
    officer_combo,
    to_qdatetime,
)
from ui.cases_view import category_tree
from ui.i18n import source_term
from ui.plain import error_box, plain_label

# time-limit units as categories store them (data), shown in the interface language
UNITS = (QT_TRANSLATE_NOOP("NewCaseDialog", "工作时"), QT_TRANSLATE_NOOP("NewCaseDialog", "工作日"))


class NewCaseDialog(QDialog):
    """``created`` holds the new case's row once accepted."""

    def __init__(self, project: Path, store: Store, lon: float, lat: float, *,
                 operator: str | None = None, coords: str = "cgcs2000",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.store = project, store
        self.lon, self.lat, self.coords = lon, lat, coords
        self.created: dict[str, Any] | None = None
        self.error: tuple[str, str] | None = None
        self.setWindowTitle(self.tr("新建案件"))
        self.setMinimumWidth(520)

        self.where = plain_label()
        self.where.setWordWrap(True)
        self.source = QComboBox()
        for source in cases.SOURCES:  # shown in the interface language, stored in Chinese
            self.source.addItem(source_term(source), source)
        self.major = QComboBox()
        self.minor = QComboBox()
        self.tree = category_tree(store)
        for kind, major, _minors in self.tree:
            self.major.addItem(f"{kind} · {major}")
        self.major.currentIndexChanged.connect(self._fill_minor)
        self.condition = plain_label()
        self.condition.setWordWrap(True)
        self.condition.setStyleSheet("color: #475569;")
        self.minor.currentIndexChanged.connect(self._show_condition)
        self.categories = store.categories()
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(70)
        self.description.setPlaceholderText(self.tr("发现了什么问题（例如：人行道旁有暴露垃圾）"))
        self.address = QLineEdit(placeholderText=self.tr("路名、门牌或参照物"))
        self.enterprise_text = QLineEdit(placeholderText=self.tr("输入企业名称或统一社会信用代码搜索"))
        self.enterprise = QComboBox()
        self.enterprise.addItem(self.tr("（不关联企业）"), None)
        self._typing = QTimer(self, singleShot=True, interval=250)
        self._typing.timeout.connect(self._search_enterprises)
        self.enterprise_text.textChanged.connect(self._typing.start)
        self.photos = QListWidget()
        self.photos.setFixedHeight(70)
        add = QPushButton(self.tr("添加照片…"))
        add.clicked.connect(self.choose_photos)
        remove = QPushButton(self.tr("移除"))
        remove.clicked.connect(lambda: [self.photos.takeItem(self.photos.row(i))
                                        for i in self.photos.selectedItems()])
        self.reported = datetime_edit(None)
        self.reported.setMaximumDateTime(to_qdatetime(None).addSecs(60))
        self.reporter = QLineEdit(placeholderText=self.tr("市民、信息采集员……（可不填）"))
        officers = store.officers().to_dict("records")
        self.by = officer_combo(officers, self.tr("（不记录）"), operator)
        self.dispatch = QCheckBox(self.tr("受理后立即立案、派遣给属地责任人"))
        self.dispatch.setChecked(True)

        form = QFormLayout()
        form.addRow(self.tr("位置："), self.where)
        form.addRow(self.tr("来源："), self.source)
        form.addRow(self.tr("大类："), self.major)
        form.addRow(self.tr("小类："), self.minor)
        form.addRow("", self.condition)
        form.addRow(self.tr("问题描述："), self.description)
        form.addRow(self.tr("地址："), self.address)
        form.addRow(self.tr("关联企业："), self.enterprise_text)
        form.addRow("", self.enterprise)
        photo_buttons = QHBoxLayout()
        photo_buttons.addWidget(add)
        photo_buttons.addWidget(remove)
        photo_buttons.addStretch(1)
        form.addRow(self.tr("照片："), self.photos)
        form.addRow("", photo_buttons)
        form.addRow(self.tr("上报时间："), self.reported)
        form.addRow(self.tr("上报人："), self.reporter)
        form.addRow(self.tr("受理人："), self.by)
        form.addRow("", self.dispatch)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(ok_cancel(self, self.tr("受理"), self.apply))
        self._fill_minor()
        self._locate()
        self.reported.dateChanged.connect(self._locate)
        self.minor.currentIndexChanged.connect(self._locate)  # the category picks the role

    # -- the form
    def _locate(self) -> None:
        """Where the point falls and who answers for it on the reported day (the core's
        answer)."""
        text = self.tr("经度 {lon:.6f}，纬度 {lat:.6f}").format(lon=self.lon, lat=self.lat)
        try:
            pts = cases.to_project_points(self.store, [self.lon], [self.lat], self.coords)
            cell, community, street = (np.asarray(a)[0] for a in cases.locate(self.store, pts))
        except GridmgrError:
            cell = community = street = None
        if cell is None and community is None:
            self.where.setText(text + "\n" + self.tr("不在任何单元网格内（辖区外的位置不能受理）"))
            self.cell_code, self.expected_handler = None, None
            return
        # who answered for the cell on the reported day: the one 派遣 will choose
        # in the category's dispatch role (执法 categories: the 执法队员), else the 网格员
        staff, level = cases.Dispatcher(self.store).for_category(
            self.store, self.minor.currentData(), cell, community, street,
            from_qdatetime(self.reported))
        officer = self.store.officer_by_staff_no(staff) if staff else None
        who = (named(officer["name"], staff) if officer else staff) if staff \
            else self.tr("（无责任人）")
        if level and level != "cell":
            levels = {"community": self.tr("社区"), "street": self.tr("街道"),
                      "district": self.tr("区")}
            who += self.tr("，属地兜底：{level}").format(level=levels.get(level, level))
        self.cell_code, self.expected_handler = cell, staff
        brief = self.store.area_brief("cell", "urban", cell) if cell else None
        name = named(brief["name"], cell) if brief and brief.get("name") else cell
        self.where.setText(text + "\n" + self.tr("单元网格 {cell}；责任人 {who}").format(
            cell=name or self.tr("（无）"), who=who))

    def _fill_minor(self) -> None:
        self.minor.clear()
        i = self.major.currentIndex()
        if 0 <= i < len(self.tree):
            for code, name in self.tree[i][2]:
                self.minor.addItem(named(name, code), code)

    def _show_condition(self) -> None:
        cat = self.categories.get(self.minor.currentData() or "")
        if not cat:
            self.condition.setText("")
            return
        parts = []
        if cat.get("open_condition"):
            parts.append(self.tr("立案条件：{c}").format(c=cat["open_condition"]))
        if cat.get("dispose_limit") is not None:
            parts.append(self.tr("处置时限：{n:g} {u}").format(
                n=float(cat["dispose_limit"]), u=self._unit(cat.get("dispose_unit") or UNITS[0])))
        self.condition.setText(self.tr("；").join(parts))

    def _unit(self, unit: str) -> str:
        return self.tr(unit) if unit in UNITS else unit

    def set_category(self, code: str) -> bool:
        """Choose a 小类 by code (its 大类 first)."""
        for i, (_kind, _major, minors) in enumerate(self.tree):
            if any(c == code for c, _n in minors):
                self.major.setCurrentIndex(i)
                self.minor.setCurrentIndex(self.minor.findData(code))
                return True
        return False

    def _search_enterprises(self) -> None:
        text = self.enterprise_text.text()
        self.enterprise.clear()
        self.enterprise.addItem(self.tr("（不关联企业）"), None)
        none = self.tr("无信用代码")
        for e in self.store.find_enterprises(text, limit=20) if text.strip() else []:
            self.enterprise.addItem(named(e["name"], e["credit_code"] or none),
                                    e["credit_code"] or e["name"])
        if self.enterprise.count() > 1:
            self.enterprise.setCurrentIndex(1)

    def choose_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择照片"), "",
            self.tr("照片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.heic);;所有文件 (*)"))
        self.add_photos(files)

    def add_photos(self, files: list[str]) -> None:
        for f in files:
            self.photos.addItem(str(f))

    # -- doing it
    def apply(self) -> None:
        """Accept the case (and register and dispatch it) in one transaction."""
        photos = [self.photos.item(i).text() for i in range(self.photos.count())]
        by = combo_staff(self.by)
        try:
            with open_project(self.project) as store:
                with store.atomic():
                    row = cases.create_case(
                        store, source=self.source.currentData(),
                        category=self.minor.currentData() or "", lon=self.lon, lat=self.lat,
                        coords=self.coords, address=self.address.text().strip() or None,
                        description=self.description.toPlainText().strip() or None,
                        reported_at=from_qdatetime(self.reported),
                        reporter=self.reporter.text().strip() or None,
                        enterprise=self.enterprise.currentData(), photos=photos,
                        by_staff_no=by)
                    if self.dispatch.isChecked():
                        at = max(cases.now_local()[:16], row["reported_at"][:16])
                        cases.transition(store, row["case_no"], "立案", by=by, at=at)
                        row = cases.transition(store, row["case_no"], "派遣", by=by, at=at)
        except GridmgrError as exc:
            self.error = (exc.title, str(exc))
            error_box(self, exc.title, str(exc))
            return
        self.created = row
        self.accept()
