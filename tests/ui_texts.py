"""What a user can read in a window, and which Chinese in it is the project's data.

:func:`visible_texts` walks a widget and everything under it — titles, labels, buttons, tool
tips, placeholders, combo items, tab names, menus and their actions, table headers and cells,
text boxes, chart titles, axes and series — and returns ``(where, text)`` pairs.
:func:`project_data` gathers the strings that are data (area, enterprise and officer names,
addresses, case descriptions, the bureau's categories …) so that :func:`leftover_chinese` can
tell interface Chinese (a missing translation) from a name shown as it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# CJK ideographs, CJK punctuation (、。「」…) and the full-width forms (，：；（）！？)
CJK = re.compile(r"[\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
                 r"\uff00-\uffef]")
FULL_WIDTH_PUNCTUATION = re.compile(r"[，。：；（）！？、【】《》“”‘’\u3000]")
MAX_ROWS = 60  # rows read per table: enough to meet every column's kinds of values


def _plain(text: str) -> str:
    if "<" in text and ">" in text:  # rich text: what is read, not the markup
        return QTextDocumentFragment.fromHtml(text).toPlainText()
    return text


def _columns(model: Any, parent: QModelIndex) -> int:
    if isinstance(model, QAbstractListModel):  # its columnCount is private in PySide
        return 1
    return model.columnCount(parent)


def _model_texts(view: QAbstractItemView, where: str) -> Iterable[tuple[str, str]]:
    model = view.model()
    if model is None:
        return
    root = QModelIndex()
    for orient, n in ((Qt.Orientation.Horizontal, _columns(model, root)),
                      (Qt.Orientation.Vertical, model.rowCount(root))):
        for i in range(min(n, MAX_ROWS)):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.headerData(i, orient, role)
                if value:
                    yield f"{where} header", str(value)
    stack = [view.rootIndex()]
    seen = 0
    while stack and seen < MAX_ROWS * 4:  # trees: the top rows and the children shown
        parent = stack.pop()
        for r in range(min(model.rowCount(parent), MAX_ROWS)):
            seen += 1
            for c in range(_columns(model, parent)):
                index = model.index(r, c, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if isinstance(value, str) and value:
                        yield f"{where} cell", _plain(value)
            first = model.index(r, 0, parent)
            if (hasattr(view, "isExpanded") and not isinstance(model, QAbstractTableModel)
                    and view.isExpanded(first) and model.rowCount(first)):
                stack.append(first)


def _chart_texts(widget: QWidget, where: str) -> Iterable[tuple[str, str]]:
    chart = widget.chart() if hasattr(widget, "chart") else None
    if chart is None:
        return
    yield f"{where} chart title", chart.title()
    for axis in chart.axes():
        yield f"{where} axis title", axis.titleText()
        for attr in ("categories", "categoriesLabels"):
            values = getattr(axis, attr, None)
            if callable(values):
                for label in values():
                    yield f"{where} axis label", str(label)
        fmt = getattr(axis, "labelFormat", None) or getattr(axis, "format", None)
        if callable(fmt):
            yield f"{where} axis format", fmt()
    for series in chart.series():
        yield f"{where} series", series.name()
        for bars in getattr(series, "barSets", lambda: [])():
            yield f"{where} bar set", bars.label()


def _action_texts(actions: Iterable[Any], where: str, seen: set[int]
                  ) -> Iterable[tuple[str, str]]:
    for action in actions:
        if id(action) in seen:
            continue
        seen.add(id(action))
        yield f"{where} action", action.text()
        yield f"{where} action tip", action.toolTip()
        yield f"{where} action status tip", action.statusTip()
        menu = action.menu()
        if menu is not None:
            yield f"{where} menu", menu.title()
            yield from _action_texts(menu.actions(), f"{where}/{menu.title()}", seen)


def visible_texts(top: QWidget) -> list[tuple[str, str]]:
    """Every text of ``top`` and its children a user can read (hidden pages included: they
    are one click away)."""
    out: list[tuple[str, str]] = []
    actions: set[int] = set()
    for w in [top, *top.findChildren(QWidget)]:
        where = f"{type(w).__name__}({w.objectName() or type(w.parent()).__name__})"
        texts: list[tuple[str, str]] = []
        if w.isWindow() or w is top:
            texts.append((f"{where} window title", w.windowTitle()))
        texts += [(f"{where} tooltip", w.toolTip()), (f"{where} status tip", w.statusTip()),
                  (f"{where} what's this", w.whatsThis())]
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append((f"{where} text", _plain(w.text())))
        if isinstance(w, QGroupBox):
            texts.append((f"{where} title", w.title()))
        if isinstance(w, QLineEdit):
            texts += [(f"{where} placeholder", w.placeholderText()), (f"{where} text", w.text())]
        if isinstance(w, (QTextEdit, QPlainTextEdit)):
            texts += [(f"{where} text", w.toPlainText()),
                      (f"{where} placeholder", w.placeholderText())]
        if isinstance(w, QAbstractSpinBox):
            texts.append((f"{where} text", w.text()))
            texts.append((f"{where} special value", w.specialValueText()))
        if isinstance(w, QComboBox):
            texts += [(f"{where} item", w.itemText(i)) for i in range(w.count())]
            texts += [(f"{where} placeholder", w.placeholderText())]
        if isinstance(w, (QTabWidget, QTabBar)):
            for i in range(w.count()):
                texts += [(f"{where} tab", w.tabText(i)), (f"{where} tab tip", w.tabToolTip(i))]
        if isinstance(w, QMenu):
            texts.append((f"{where} menu", w.title()))
        if isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView):
            texts += list(_model_texts(w, where))
        texts += list(_chart_texts(w, where))
        texts += list(_action_texts(w.actions(), where, actions))
        out += [(k, v) for k, v in texts if v]
    return out


def status_texts(window: Any) -> list[tuple[str, str]]:
    """The status bar's message and the widgets in it."""
    bar = window.statusBar()
    return [("status bar", bar.currentMessage()), *visible_texts(bar)]


def project_data(store: Any) -> set[str]:
    """Strings stored in the project that are the bureau's own data (shown as they are):
    the project's name, area names, enterprise names, industries, contacts and addresses,
    officers' names and units, case descriptions, addresses, reporters and external states,
    the category table, holiday names.  Vocabulary the tool ships (levels, roles, statuses,
    sources, supervision classes, ratings, grid-system names) is *not* data."""
    data: set[str] = {store.meta().get("name") or ""}
    for system in store.grid_systems():
        for level in ("district", "street", "community", "cell"):
            data |= set(store.areas(level, system=system["code"])["name"].dropna())
    ents = store.enterprises()
    for col in ("name", "industry", "contact", "address", "inspection_frequency"):
        data |= set(ents[col].dropna().astype(str))
    officers = store.officers()
    for col in ("name", "unit"):
        data |= set(officers[col].dropna().astype(str))
    cases = store.cases_frame()
    for col in ("description", "address", "reporter", "ext_status"):
        data |= set(cases[col].dropna().astype(str))
    steps = store.transitions_frame()
    for col in ("by_name",):
        data |= set(steps[col].dropna().astype(str))
    cats = store.categories_frame()
    for col in ("kind", "major_name", "name", "open_condition", "close_condition"):
        data |= set(cats[col].dropna().astype(str))
    data |= {r["name"] for r in store.calendar_rows() if r.get("name")}
    return {d for d in data if d and CJK.search(d)}


class DataFilter:
    """Takes the data strings out of a text; what Chinese is left is the interface's."""

    def __init__(self, data: Iterable[str]) -> None:
        self.words = set(data)
        words = sorted(self.words, key=len, reverse=True)  # longest first: 祖庙街道 before 祖庙
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def plus(self, more: Iterable[str]) -> DataFilter:
        return DataFilter([*self.words, *more])

    def residue(self, text: str) -> str:
        return self._pattern.sub(" ", text) if self._pattern else text


def leftover_chinese(texts: Iterable[tuple[str, str]], data: DataFilter) -> list[str]:
    """``where: text [the Chinese left]`` for every text with Chinese that is not data."""
    bad = set()
    for where, text in texts:
        if not CJK.search(text):
            continue
        left = [w for w in data.residue(text).split() if CJK.search(w)]
        if left:
            bad.add(f"{where}: {text[:100]!r} {left[:8]}")
    return sorted(bad)
