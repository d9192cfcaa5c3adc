"""Register tables (enterprises, officers, responsibilities) over the project, fetched lazily.

The model holds only the rows the view has scrolled to and asks the store for the next page
when Qt wants more; sorting and filtering are queries, not Python over a loaded list — so a
million enterprises open as fast as a hundred.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from gridmgr.levels import LEVEL_ZH
from gridmgr.outputs.layers import HEADERS_ZH
from gridmgr.storage import Store
from gridmgr.storage.queries import Query
from ui.i18n import system_name, term
from ui.lazy_model import LazyRowsModel

HEADERS = {**HEADERS_ZH, "level": "层级", "area_code": "区域编码", "system": "网格体系",
           "note": "备注", "valid_from": "起始日期", "valid_to": "结束日期", "name": "名称"}
# columns whose values are the tool's vocabulary (roles, supervision classes, ratings), not data
TERM_COLUMNS = ("role", "supervision_class", "rating")
# The headings the register tables show (gridmgr.storage.queries.BROWSABLE), listed for lupdate;
# tests/test_i18n.py checks every shown heading is here.
HEADER_WORDS = (
    QT_TRANSLATE_NOOP("RegisterHeaders", "名称"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "统一社会信用代码"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "信用代码标记"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "所属行业"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "监管类别"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "环境行为等级"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "检查频次"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "最近检查日期"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "联系人"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "联系电话"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "地址"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "网格编码"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "社区编码"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "街道编码"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "工号"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "手机"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "角色"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "所属单位"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "区域编码"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "层级"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "起始日期"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "结束日期"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "网格体系"),
    QT_TRANSLATE_NOOP("RegisterHeaders", "备注"),
)


def heading(column: str) -> str:
    """A register column's heading in the interface language."""
    return QCoreApplication.translate("RegisterHeaders", HEADERS.get(column, column))


class RegisterModel(LazyRowsModel):
    def __init__(self, store: Store, table: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = Query(table)
        self.systems = {sy["code"]: sy["name"] for sy in store.grid_systems()}
        self.columns = self.query.columns()
        self.total = store.browse_count(self.query)
        self.rows: list[tuple[Any, ...]] = store.browse_page(self.query, 0, self.page_size)

    # -- what Qt asks
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return heading(self.columns[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.rows[index.row()][index.column() + 1]
            column = self.columns[index.column()]
            if column == "level":
                return term(LEVEL_ZH.get(value, value))
            if column == "system":
                return system_name(value, self.systems.get(value, value))
            if column in TERM_COLUMNS and value:  # vocabulary stored in Chinese
                return term(str(value))
            return "" if value is None else str(value)
        return None

    def page(self, offset: int, limit: int) -> list[Any]:
        return self.store.browse_page(self.query, offset, limit)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._requery(Query(self.query.table, self.query.text, self.columns[column],
                            order == Qt.SortOrder.DescendingOrder))

    # -- what the window asks
    def set_filter(self, text: str) -> None:
        self._requery(Query(self.query.table, text, self.query.order_by, self.query.descending))

    def detach(self) -> None:
        """Forget the store (it is about to close): an empty table that fetches nothing."""
        self.beginResetModel()
        self.rows, self.total = [], 0
        self.endResetModel()

    def value(self, row: int, column: str) -> Any:
        return self.rows[row][self.columns.index(column) + 1]

    def _requery(self, query: Query) -> None:
        self.beginResetModel()
        self.query = query
        self.total = self.store.browse_count(query)
        self.rows = self.store.browse_page(query, 0, self.page_size)  # the first page, at once
        self.endResetModel()


class RegisterView(QWidget):
    """A filter box over a sortable table of one register."""

    activated = Signal(int)  # a row was double-clicked
    clicked = Signal(int)  # a row was clicked once (the window selects what it holds)

    def __init__(self, store: Store, table: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RegisterModel(store, table, self)
        self.filter = QLineEdit(placeholderText=self.tr("筛选：名称、编码、地址、人员…"))
        # a filter over a million rows takes up to a second: query when typing pauses
        self._typing = QTimer(self, singleShot=True, interval=300)
        self._typing.timeout.connect(lambda: self._filter(self.filter.text()))
        self.filter.textChanged.connect(self._typing.start)
        self.count = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(lambda idx: self.activated.emit(idx.row()))
        self.table.clicked.connect(lambda idx: self.clicked.emit(idx.row()))
        self.table.setColumnWidth(0, 260)  # names and area codes are the long first column
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.filter)
        lay.addWidget(self.table)
        lay.addWidget(self.count)
        self._show_count()

    def select_key(self, position: int, value: object) -> bool:
        """Highlight the loaded row whose field ``position`` (0 = the id) is ``value``, without
        emitting ``clicked``; False when it is not among the rows fetched so far."""
        for row, values in enumerate(self.model.rows):
            if values[position] == value:
                blocker = QSignalBlocker(self.table)
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                del blocker
                return True
        self.table.clearSelection()
        return False

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._show_count()

    def _show_count(self) -> None:
        self.count.setText(self.tr("共 {n} 条").format(n=f"{self.model.total:,}"))
