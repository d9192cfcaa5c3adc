"""The case list: a lazily paged, sortable table over the project with the usual filters.

Filters are status, overdue (as of now), source, category (大类 or 小类), area (street →
community → cell), handler and a free text over number, description and address.  Every filter
and every sort is a query (:mod:`gridmgr.storage.gpkg.case_browse`); the model holds only the rows
scrolled to, so a million cases open as fast as a hundred.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import workflow
from gridmgr.storage import Store
from gridmgr.storage.queries import CASE_LIST_COLUMNS, CaseQuery
from maps.case_layer import status_colour
from ui.case_detail import named
from ui.i18n import source_term, status_term
from ui.lazy_model import LazyRowsModel

# the columns shown, in order (keys of a row from case_list_page, plus "overdue")
INDENT = "\u2003\u2003"  # em spaces: a 小类 under its 大类 (U+3000 is full-width, not English)
SHOWN = ("case_no", "status", "overdue", "source", "category_code", "description", "address",
         "street_code", "community_code", "cell_code", "handler_staff_no", "reported_at",
         "due_at")
OVERDUE_BACKGROUND = "#fee2e2"


def category_tree(store: Store) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The category table as (kind, 大类 name, [(小类 code, 小类 name)]) in code order."""
    groups: dict[tuple[str, str], tuple[str, str, list[tuple[str, str]]]] = {}
    for r in store.categories_frame().to_dict("records"):
        key = (r["kind"] or "", r["major_code"] or "")
        groups.setdefault(key, (r["kind"] or "", r["major_name"] or r["major_code"] or "", []))
        groups[key][2].append((r["code"], r["name"] or r["code"]))
    return list(groups.values())


class CaseListModel(LazyRowsModel):
    """Rows of :meth:`Store.case_list_page`, fetched ``page_size`` at a time."""

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = CaseQuery(as_of=cases.now_local())
        self.headers = {
            "case_no": self.tr("案件编号"), "status": self.tr("状态"), "overdue": self.tr("超期"),
            "source": self.tr("来源"), "category_code": self.tr("类别"),
            "description": self.tr("问题描述"), "address": self.tr("地址"),
            "street_code": self.tr("街道"), "community_code": self.tr("社区"),
            "cell_code": self.tr("单元网格"), "handler_staff_no": self.tr("处置人"),
            "reported_at": self.tr("上报时间"), "due_at": self.tr("当前截止")}
        self.reload_names()
        self.total, self.overdue = 0, 0
        self.rows: list[tuple[Any, ...]] = []
        self._requery(self.query)

    def reload_names(self) -> None:
        """Names for codes (categories, areas, officers): small tables, read once."""
        cats = self.store.categories()
        self.category_names = {c: r["name"] for c, r in cats.items()}
        self.street_names = self.store.area_names("street")
        self.community_names = self.store.area_names("community")
        self.officer_names = {s: n for s, (n, _u) in self.store.officer_names().items()}

    # -- what Qt asks
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(SHOWN)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[SHOWN[section]]
        return None

    def value(self, row: int, column: str) -> Any:
        r = self.rows[row]
        if column == "fid":
            return r[0]
        if column == "overdue":
            return bool(r[-1])
        return r[CASE_LIST_COLUMNS.index(column) + 1]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = SHOWN[index.column()]
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == "status":
                return QBrush(QColor(status_colour(self.value(row, "status"))))
            if self.value(row, "overdue"):
                return QBrush(QColor(OVERDUE_BACKGROUND))
        if role == Qt.ItemDataRole.ForegroundRole and column == "status":
            return QBrush(QColor("#ffffff"))
        if role == Qt.ItemDataRole.ToolTipRole and column in ("description", "address"):
            return self.display(row, column)
        return None

    def display(self, row: int, column: str) -> str:
        v = self.value(row, column)
        if column == "overdue":
            return self.tr("超期") if v else ""
        if v is None:
            return ""
        if column == "category_code":
            return self.category_names.get(v, v)
        if column == "street_code":
            return self.street_names.get(v, v)
        if column == "community_code":
            return self.community_names.get(v, v)
        if column == "handler_staff_no":
            return self.officer_names.get(v, v)
        if column in ("reported_at", "due_at"):
            return str(v).replace("T", " ")[:16]
        if column == "status" and self.value(row, "supervised"):
            return self.tr("{s}·督").format(s=status_term(v))  # 挂牌督办
        if column == "status":
            return status_term(v)
        if column == "source":
            return source_term(v)
        return str(v)

    def page(self, offset: int, limit: int) -> list[Any]:
        return self.store.case_list_page(self.query, offset, limit)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:  # no sort column: newest reported first
            self._requery(replace(self.query, order_by=None, descending=False), count=False)
            return
        self._requery(replace(self.query, order_by=SHOWN[column],
                              descending=order == Qt.SortOrder.DescendingOrder), count=False)

    # -- what the view asks
    def set_query(self, **filters: Any) -> None:
        """New filters (sorting kept); overdue is always computed as of now."""
        q = self.query
        self._requery(CaseQuery(**filters, as_of=cases.now_local(), order_by=q.order_by,
                                descending=q.descending))

    def refresh(self) -> None:
        self._requery(replace(self.query, as_of=cases.now_local()))

    def detach(self) -> None:
        """Forget the store (it is about to close)."""
        self.beginResetModel()
        self.rows, self.total = [], 0
        self.endResetModel()

    def _requery(self, query: CaseQuery, count: bool = True) -> None:
        """Read the first page again; ``count=False`` when only the order changed (the count
        scans every matching case: a second on a million)."""
        self.beginResetModel()
        self.query = query
        if count:
            self.total, self.overdue = self.store.case_list_count(query)
        self.rows = self.store.case_list_page(query, 0, self.page_size)
        self.endResetModel()


class CasesView(QWidget):
    """Filters over a sortable case table; ``case_clicked(case_no)`` on a click,
    ``case_activated(case_no)`` on a double-click."""

    case_clicked = Signal(str)
    case_activated = Signal(str)

    def __init__(self, store: Store, system: str = "urban", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.system = store, system
        self.model = CaseListModel(store, self)

        self.status = QComboBox()
        self.status.addItem(self.tr("全部状态"), ())
        self.status.addItem(self.tr("在办（受理至核查）"), tuple(workflow.OPEN_STATUSES))
        for s in workflow.STATUSES:
            self.status.addItem(status_term(s), (s,))
        self.overdue = QCheckBox(self.tr("只看超期（截至现在）"))
        self.source = QComboBox()
        self.source.addItem(self.tr("全部来源"), None)
        for s in dict.fromkeys([*cases.SOURCES, *store.case_sources_used()]):
            self.source.addItem(source_term(s), s)
        self.category = QComboBox()
        self._fill_categories()
        self.street = QComboBox()
        self.community = QComboBox()
        self.cell = QComboBox()
        self.street.addItem(self.tr("全部街道"), None)
        for code, name in store.area_list("street", system):
            self.street.addItem(name or code, code)
        self._fill_children()
        self.handler = QComboBox()
        self.handler.addItem(self.tr("全部处置人"), None)
        names = self.model.officer_names
        for staff in store.case_handlers():
            self.handler.addItem(named(names.get(staff, staff), staff), staff)
        self.text = QLineEdit(placeholderText=self.tr("搜索：案件编号（开头几位）或描述、地址中的文字"))
        self._typing = QTimer(self, singleShot=True, interval=300)
        self._typing.timeout.connect(self.apply_filters)
        self.text.textChanged.connect(self._typing.start)
        for box in (self.status, self.source, self.category, self.cell, self.handler):
            box.currentIndexChanged.connect(self.apply_filters)
        self.street.currentIndexChanged.connect(self._street_chosen)
        self.community.currentIndexChanged.connect(self._community_chosen)
        self.overdue.toggled.connect(self.apply_filters)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.clicked.connect(lambda i: self.case_clicked.emit(self.model.value(i.row(),
                                                                                     "case_no")))
        self.table.doubleClicked.connect(
            lambda i: self.case_activated.emit(self.model.value(i.row(), "case_no")))
        header = self.table.horizontalHeader()
        for col, width in (("case_no", 120), ("status", 56), ("overdue", 40),
                           ("description", 200), ("address", 110), ("reported_at", 120)):
            i = SHOWN.index(col)  # at least as wide as the heading in either language
            self.table.setColumnWidth(i, max(width, header.sectionSizeFromContents(i).width()))
        longest = max(self.table.fontMetrics().horizontalAdvance(status_term(s))
                      for s in workflow.STATUSES)
        status = SHOWN.index("status")
        self.table.setColumnWidth(status, max(self.table.columnWidth(status), longest + 16))
        self.count = QLabel()
        self.count.setWordWrap(True)  # its length must not set the list's minimum width

        filters = QGridLayout()
        for combo in (self.status, self.source, self.category, self.handler, self.street,
                      self.community, self.cell):  # long names must not widen the window
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
        filters.addWidget(self.status, 0, 0)
        filters.addWidget(self.source, 0, 1)
        filters.addWidget(self.category, 0, 2)
        filters.addWidget(self.handler, 0, 3)
        filters.addWidget(self.street, 1, 0)
        filters.addWidget(self.community, 1, 1)
        filters.addWidget(self.cell, 1, 2)
        filters.addWidget(self.overdue, 1, 3)
        filters.addWidget(self.text, 2, 0, 1, 4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count)
        self._show_count()

    def _fill_categories(self) -> None:
        """大类 entries (all their 小类) and, indented under each, its 小类."""
        self.category.addItem(self.tr("全部类别"), ())
        for kind, major, minors in category_tree(self.store):
            self.category.addItem(f"{kind}·{major}", tuple(c for c, _n in minors))
            for code, name in minors:
                self.category.addItem(INDENT + named(name, code), (code,))

    def _fill_children(self) -> None:
        street = self.street.currentData()
        blocker = QSignalBlocker(self.community)
        self.community.clear()
        self.community.addItem(self.tr("全部社区"), None)
        if street:
            for code, name in self.store.area_list("community", self.system, street):
                self.community.addItem(name or code, code)
        del blocker
        self._fill_cells()

    def _fill_cells(self) -> None:
        community = self.community.currentData()
        blocker = QSignalBlocker(self.cell)
        self.cell.clear()
        self.cell.addItem(self.tr("全部网格"), None)
        if community:
            for code, _name in self.store.area_list("cell", self.system, community):
                self.cell.addItem(code, code)
        del blocker

    def _street_chosen(self) -> None:
        self._fill_children()
        self.apply_filters()

    def _community_chosen(self) -> None:
        self._fill_cells()
        self.apply_filters()

    def filters(self) -> dict[str, Any]:
        """The filters as :class:`CaseQuery` fields."""
        return {"statuses": self.status.currentData() or (),
                "overdue_at": cases.now_local() if self.overdue.isChecked() else None,
                "source": self.source.currentData(),
                "category_codes": self.category.currentData() or (),
                "street_code": self.street.currentData(),
                "community_code": self.community.currentData(),
                "cell_code": self.cell.currentData(),
                "handler_staff_no": self.handler.currentData(),
                "text": self.text.text()}

    def apply_filters(self) -> None:
        self.model.set_query(**self.filters())
        self._show_count()

    def refresh(self) -> None:
        """Read again (after a case changed), keeping filters, sorting and the selection."""
        chosen = self.selected_case()
        self.model.refresh()
        self._show_count()
        if chosen:
            self.select_case(chosen)

    def selected_case(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.value(rows[0].row(), "case_no") if rows else None

    def select_case(self, case_no: str) -> bool:
        """Highlight a case among the rows fetched so far (no signal)."""
        for row in range(len(self.model.rows)):
            if self.model.value(row, "case_no") == case_no:
                blocker = QSignalBlocker(self.table)
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                del blocker
                return True
        self.table.clearSelection()
        return False

    def _show_count(self) -> None:
        self.count.setText(self.tr("共 {n} 件，其中超期 {m} 件（截至 {t}）").format(
            n=f"{self.model.total:,}", m=f"{self.model.overdue:,}",
            t=(self.model.query.as_of or "").replace("T", " ")[:16]))
