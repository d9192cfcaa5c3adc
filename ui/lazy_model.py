"""A table model that holds only the rows scrolled to so far and asks for the next page when Qt
wants more — the register tables and the case list over a million rows share it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex

PAGE = 500


class LazyRowsModel(QAbstractTableModel):
    """Subclasses set ``rows`` (fetched so far) and ``total`` (all that match) and implement
    :meth:`page`; sorting and filtering are theirs (queries, not Python over loaded rows)."""

    rows: list[Any]
    total: int
    page_size = PAGE

    def page(self, offset: int, limit: int) -> list[Any]:
        raise NotImplementedError  # each model reads its own query

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:
        if parent.isValid():
            return
        more = self.page(len(self.rows), self.page_size)
        if not more:
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()
