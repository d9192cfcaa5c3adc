"""The cases panel the window docks: the case list, the case page, “新建案件” and the indicators.

The window connects two signals to its map: ``case_selected(lon, lat, case_no)`` (a case was
chosen: show it) and ``new_case_requested()`` (the user wants a new case: let them click the
map, then call :meth:`CasesPanel.new_case_at` with the point).  ``cases_changed()`` says the
project's cases changed (the window recolours cells and markers); :meth:`markers` gives the
marker payload (:mod:`maps.case_layer`).

The panel reads through one read-only connection it keeps while the project is shown (the list
pages lazily); every write opens the project for writing, in one transaction, and closes it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import workflow
from gridmgr.errors import GridmgrError
from gridmgr.project import as_location, open_project
from gridmgr.storage import Store
from maps.case_layer import case_payload
from ui.case_detail import CaseDetail, combo_staff, named, officer_combo
from ui.cases_view import CasesView
from ui.i18n import status_term
from ui.indicators_view import IndicatorsView
from ui.new_case_dialog import NewCaseDialog
from ui.plain import plain_label

OPERATOR_KEY = "case_operator"  # QSettings: the staff number acting at this desk


DETAIL_MIN_WIDTH = 400  # px


class CasesPanel(QWidget):
    case_selected = Signal(float, float, str)  # lon, lat (EPSG:4490), case number
    new_case_requested = Signal()
    cases_changed = Signal()

    def __init__(self, project: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Path | None = None
        self.store: Store | None = None
        self.list: CasesView | None = None
        self.dialog: NewCaseDialog | None = None

        self.new_button = QPushButton(self.tr("新建案件"))
        self.new_button.setToolTip(self.tr("点击后在地图上点选案件位置"))
        self.new_button.clicked.connect(self._request_new)
        self.operator = officer_combo([], self.tr("（未指定）"))
        self.operator.currentIndexChanged.connect(self._operator_chosen)
        self.hint = plain_label()
        self.hint.setStyleSheet("color: #1d4ed8;")
        refresh = QPushButton(self.tr("刷新"))
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(QLabel(self.tr("操作人：")))
        top.addWidget(self.operator, 1)
        top.addWidget(refresh)
        top.addWidget(self.hint, 2)

        self.detail = CaseDetail()
        self.detail.changed.connect(self._case_changed)
        self.detail.locate.connect(self.locate_case)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.list_holder = QWidget()
        QVBoxLayout(self.list_holder).setContentsMargins(0, 0, 0, 0)
        self.split.addWidget(self.list_holder)
        self.split.addWidget(self.detail)
        # the case page keeps room for its timeline (时间, 操作, 操作人 and 说明 side by side)
        self.detail.setMinimumWidth(DETAIL_MIN_WIDTH)
        self.split.setCollapsible(1, False)
        self.split.setSizes([640, 520])
        self.indicators = IndicatorsView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.split, self.tr("案件"))
        self.tabs.addTab(self.indicators, self.tr("考核指标"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        if project is not None:
            self.set_project(project)

    # -- the project
    def set_project(self, project: Path | None) -> None:
        """Show a project's cases (None: nothing)."""
        self.close_project()
        self.project = as_location(project) if project is not None else None
        if self.project is None:
            return
        if not self._open_store():
            return
        self.list = CasesView(self.store)
        self.list.case_clicked.connect(self.show_case)
        self.list.case_activated.connect(self.locate_case)
        self.list_holder.layout().addWidget(self.list)
        self.detail.set_project(self.project, self.store)
        self.indicators.set_project(self.project)
        self._fill_operators()

    def _open_store(self) -> bool:
        """The read-only connection; a project from before the cases schema is upgraded first
        (opening it for writing applies the migrations, in one transaction)."""
        assert self.project is not None
        try:
            store = open_project(self.project, readonly=True)
            if not store.has_table("cases"):
                store.close()
                open_project(self.project).close()
                store = open_project(self.project, readonly=True)
        except GridmgrError as exc:
            self.hint.setText(self.tr("无法显示案件：{e}").format(e=exc))
            self.project = None
            return False
        self.store = store
        return True

    def close_project(self) -> None:
        if self.list is not None:
            self.list.model.detach()
            self.list_holder.layout().removeWidget(self.list)
            self.list.deleteLater()
            self.list = None
        self.detail.set_project(None, None)
        self.indicators.set_project(None)
        if self.store is not None:
            self.store.close()
            self.store = None
        self.project = None

    def closeEvent(self, event: Any) -> None:
        self.close_project()
        super().closeEvent(event)

    def _fill_operators(self) -> None:
        assert self.store is not None
        saved = QSettings("gridmgr", "gridmgr").value(OPERATOR_KEY) or None
        self.operator.blockSignals(True)
        self.operator.clear()
        self.operator.addItem(self.tr("（未指定）"), None)
        for o in self.store.officers().to_dict("records"):
            self.operator.addItem(named(o["name"], o["staff_no"]), o["staff_no"])
        i = self.operator.findData(saved) if saved else 0
        self.operator.setCurrentIndex(max(i, 0))
        self.operator.blockSignals(False)
        self.detail.operator = combo_staff(self.operator)

    def set_operator(self, staff_no: str | None) -> None:
        i = self.operator.findData(staff_no) if staff_no else 0
        self.operator.setCurrentIndex(max(i, 0))
        self._operator_chosen()

    def _operator_chosen(self) -> None:
        staff = combo_staff(self.operator)
        self.detail.operator = staff
        QSettings("gridmgr", "gridmgr").setValue(OPERATOR_KEY, staff or "")

    # -- cases
    def show_case(self, case_no: str) -> bool:
        """Show a case's page, highlight it in the list and tell the window where it is."""
        if not self.detail.show_case(case_no):
            return False
        if self.list is not None:
            self.list.select_case(case_no)
        self.tabs.setCurrentWidget(self.split)
        lonlat = self.lonlat(case_no)
        if lonlat is not None:
            self.case_selected.emit(lonlat[0], lonlat[1], case_no)
        return True

    def locate_case(self, case_no: str) -> None:
        lonlat = self.lonlat(case_no)
        if lonlat is not None:
            self.case_selected.emit(lonlat[0], lonlat[1], case_no)

    def lonlat(self, case_no: str) -> tuple[float, float] | None:
        """The case's point in EPSG:4490 longitude/latitude."""
        if self.store is None:
            return None
        gdf = self.store.cases_gdf(case_nos=[case_no])
        if not len(gdf) or gdf.geometry.iloc[0] is None or gdf.geometry.iloc[0].is_empty:
            return None
        pt = gdf.to_crs("EPSG:4490").geometry.iloc[0]
        return float(pt.x), float(pt.y)

    def markers(self, every: bool = False, *, show: str = "open",
                period: str = "all") -> dict[str, Any]:
        """The cases the map shows (``gridmgr.cases.lifecycle.map_cases``: by default the
        unresolved ones, 受理 … 核查 and 挂账; ``every``: all cases) as markers coloured by
        status, overdue as of now ringed red.  Years of closed cases would bury the map (and a
        million markers take ten seconds to read)."""
        if self.store is None:
            return case_payload(_empty_points())
        df = cases.map_cases(self.store, show="all" if every else show, period=period)
        pts = gpd.points_from_xy(pd.to_numeric(df["x"]), pd.to_numeric(df["y"]))
        gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=pts, crs=self.store.crs)
        return self._legend_in_language(case_payload(gdf.to_crs("EPSG:4490")))

    def _legend_in_language(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The map legend of :func:`maps.case_layer.legend` (statuses in workflow order, each
        with its count; others; overdue), its words in the interface language."""
        counts = Counter(payload["classes"])
        colours = payload["class_colours"]
        entries = [{"colour": colours[s], "label": self.tr("{status}（{n}）").format(
            status=status_term(s), n=counts[s])}
            for s in workflow.STATUSES if s in colours and counts.get(s)]
        others = sum(n for s, n in counts.items() if s not in colours)
        if others:
            entries.append({"colour": payload["other_colour"],
                            "label": self.tr("其他状态（{n}）").format(n=others)})
        late = sum(payload["overdue"])
        if late:
            entries.append({"colour": payload["overdue_colour"],
                            "label": self.tr("红圈：超期（{n}）").format(n=late)})
        payload["legend"] = {"title": self.tr("案件状态"), "entries": entries}
        return payload

    def refresh(self) -> None:
        if self.list is not None:
            self.list.model.reload_names()
            self.list.refresh()
        if self.detail.case_no:
            self.detail.show_case(self.detail.case_no)

    def _case_changed(self, case_no: str) -> None:
        if self.list is not None:
            self.list.refresh()
        self.cases_changed.emit()

    # -- new cases
    def _request_new(self) -> None:
        self.hint.setText(self.tr("请在地图上点击案件位置"))
        self.new_case_requested.emit()

    def new_case_at(self, lon: float, lat: float) -> NewCaseDialog | None:
        """Open the new-case form at a point (EPSG:4490 lon/lat from the map)."""
        self.hint.setText("")
        if self.project is None or self.store is None:
            return None
        self.dialog = NewCaseDialog(self.project, self.store, lon, lat,
                                    operator=combo_staff(self.operator), parent=self)
        self.dialog.accepted.connect(self._created)
        self.dialog.open()
        return self.dialog

    def _created(self) -> None:
        row = self.dialog.created if self.dialog else None
        if self.list is not None:
            self.list.refresh()
        self.cases_changed.emit()
        if row:
            self.show_case(row["case_no"])


def _empty_points() -> Any:
    return gpd.GeoDataFrame({"case_no": []}, geometry=gpd.GeoSeries([], crs="EPSG:4490"))
