"""网格化考核 in the window: the indicators by area, officer or category for a period and a
moment, with the counts behind every ratio, a chart by group and a chart by month.

The figures are :func:`gridmgr.indicators.project_tables` — the same computation as
``gridmgr stats`` — run off the GUI thread (:class:`ui.tasks.TaskRunner`); the table shows the
core's own text (:func:`gridmgr.indicators.reports.display_frame`), so the window and the CLI cannot
disagree.  Charts are QtCharts bar charts.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QMargins,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridmgr.errors import GridmgrError
from gridmgr.indicators import compute as indicators
from gridmgr.indicators.compute import (
    COUNTS,
    GROUPING_ZH,
    INVERSE,
    LABELS,
    NO_GROUP,
    RATIOS,
    TOTAL,
    IndicatorTable,
    Period,
    percent_text,
)
from gridmgr.indicators.reports import display_frame
from gridmgr.project import open_project
from ui.plain import error_box, plain_label
from ui.tasks import TaskRunner

GROUPINGS = ("street", "community", "cell", "officer", "major", "category")
CHART_METRICS = ("close_rate", "ontime_rate", "dispose_rate", "score", "registered", "overdue")
# The core's indicator names and groupings are its data (Chinese in every export); the view shows
# them through the "Indicators" context.  tests/test_i18n.py checks that each one is listed.
INDICATOR_WORDS = (
    QT_TRANSLATE_NOOP("Indicators", "编码"), QT_TRANSLATE_NOOP("Indicators", "名称"),
    QT_TRANSLATE_NOOP("Indicators", "所属"), QT_TRANSLATE_NOOP("Indicators", "立案数"),
    QT_TRANSLATE_NOOP("Indicators", "应结案数"), QT_TRANSLATE_NOOP("Indicators", "结案数"),
    QT_TRANSLATE_NOOP("Indicators", "按期结案数"), QT_TRANSLATE_NOOP("Indicators", "应处置数"),
    QT_TRANSLATE_NOOP("Indicators", "处置数"), QT_TRANSLATE_NOOP("Indicators", "核查数"),
    QT_TRANSLATE_NOOP("Indicators", "返工数"), QT_TRANSLATE_NOOP("Indicators", "延期数"),
    QT_TRANSLATE_NOOP("Indicators", "在办数"), QT_TRANSLATE_NOOP("Indicators", "超期在办数"),
    QT_TRANSLATE_NOOP("Indicators", "挂账数"), QT_TRANSLATE_NOOP("Indicators", "作废数"),
    QT_TRANSLATE_NOOP("Indicators", "受理数"), QT_TRANSLATE_NOOP("Indicators", "待受理数"),
    QT_TRANSLATE_NOOP("Indicators", "受理口径结案数"),
    QT_TRANSLATE_NOOP("Indicators", "受理口径按期结案数"),
    QT_TRANSLATE_NOOP("Indicators", "结案率"), QT_TRANSLATE_NOOP("Indicators", "按期结案率"),
    QT_TRANSLATE_NOOP("Indicators", "处置率"), QT_TRANSLATE_NOOP("Indicators", "返工率"),
    QT_TRANSLATE_NOOP("Indicators", "延期率"), QT_TRANSLATE_NOOP("Indicators", "综合得分"),
    QT_TRANSLATE_NOOP("Indicators", "应按频次检查企业数"),
    QT_TRANSLATE_NOOP("Indicators", "按频次检查企业数"),
    QT_TRANSLATE_NOOP("Indicators", "检查频次不明企业数"),
    QT_TRANSLATE_NOOP("Indicators", "按频次检查率"),
    QT_TRANSLATE_NOOP("Indicators", "合计"), QT_TRANSLATE_NOOP("Indicators", "（未填）"),
    # groupings, as they read after "by"
    QT_TRANSLATE_NOOP("Indicators", "街道"), QT_TRANSLATE_NOOP("Indicators", "社区"),
    QT_TRANSLATE_NOOP("Indicators", "单元网格"), QT_TRANSLATE_NOOP("Indicators", "处置人员"),
    QT_TRANSLATE_NOOP("Indicators", "案件小类"), QT_TRANSLATE_NOOP("Indicators", "案件大类"),
    QT_TRANSLATE_NOOP("Indicators", "月份"), QT_TRANSLATE_NOOP("Indicators", "全区"),
)
MAX_BARS = 12  # groups in the area chart (the ones with most cases): their names fit
COLOURS = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626")


def _chart_view(title: str) -> QChartView:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    chart.setMargins(QMargins(4, 4, 4, 4))
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(240)
    return view


def indicator_name(key: str) -> str:
    """An indicator's column name (``close_rate`` → 结案率) in the interface language."""
    return QCoreApplication.translate("Indicators", LABELS[key])


def grouping(by: str) -> str:
    """What the figures are grouped by (``street`` → 街道), in the interface language."""
    return QCoreApplication.translate("Indicators", GROUPING_ZH[by])


def group_name(rec: dict[str, Any]) -> str:
    """A row's name (an area's, an officer's: data), the core's own words (（未填）, 合计) in the
    interface language."""
    text = str(rec.get("name") or rec.get("code") or "")
    return QCoreApplication.translate("Indicators", text) if text in (TOTAL, NO_GROUP) else text


def header_text(t: IndicatorTable, project: str) -> list[str]:
    """The lines above the table — what :func:`gridmgr.indicators.reports.header_lines` says
    (the exports keep it Chinese) — in the interface language."""
    first, last = t.period.first, t.period.last
    title = QCoreApplication.translate("IndicatorsHeader", "{project} 网格化考核指标（按{by}）")
    weight = QCoreApplication.translate("IndicatorsHeader", "{name} {w}")
    inverse = QCoreApplication.translate("IndicatorsHeader", "(1-{name}) {w}")
    weights = QCoreApplication.translate("IndicatorsHeader", "，").join(
        (inverse if k in INVERSE else weight).format(name=indicator_name(k), w=f"{w:g}")
        for k, w in t.weights.items() if w)
    counted = QCoreApplication.translate(
        "IndicatorsHeader", "统计口径：立案时间 {first} 至 {last}；作废案件只计作废数")
    as_of = QCoreApplication.translate(
        "IndicatorsHeader", "计算时点（as of）：{t}（此后的办理记录不计入）")
    return [title.format(project=project, by=grouping(t.by)).strip(),
            as_of.format(t=t.as_of.isoformat(sep=" ")),
            counted.format(
                first=first.isoformat() if first else QCoreApplication.translate(
                    "IndicatorsHeader", "最早"),
                last=last.isoformat() if last else QCoreApplication.translate(
                    "IndicatorsHeader", "计算时点")),
            QCoreApplication.translate("IndicatorsHeader", "结案率分母：{name}").format(
                name=denominator_name(t.denominator)),
            QCoreApplication.translate("IndicatorsHeader", "综合得分权重：{weights}").format(
                weights=weights)]


def denominator_name(key: str) -> str:
    """What 结案率 and 按期结案率 are over (:data:`gridmgr.indicators.compute.DENOMINATORS`)
    in the interface language; the exports name the source of each definition as well."""
    names = {"due": QCoreApplication.translate("IndicatorsHeader", "应结案数"),
             "registered": QCoreApplication.translate("IndicatorsHeader", "立案数（不含作废）"),
             "received": QCoreApplication.translate("IndicatorsHeader", "受理数（全部受理）")}
    return names.get(key, key)


def value_range(values: list[float], *, percent: bool) -> tuple[float, float, int]:
    """(low, high, ticks) of a chart's value axis, fitted to the values: counts from 0 to a
    round number above the largest; percentages on a round span around them (93.7 % and
    96.9 % on 90–100 %, not 0–100 % where they look alike), never past 0 or 100."""
    if not values:
        return 0.0, 100.0 if percent else 1.0, 6
    top, bottom = max(values), min(values)
    if not percent or bottom <= 0:
        hi = _nice_up(max(top, 1.0) * 1.1)
        return 0.0, (min(100.0, hi) if percent else hi), 6
    span = max(top - bottom, 1.0)
    step = next(s for s in (0.5, 1, 2, 5, 10, 20, 25) if s * 5 >= span * 1.6)
    lo = max(0.0, math.floor((bottom - span * 0.4) / step) * step)
    hi = min(100.0, math.ceil((top + span * 0.2) / step) * step)
    if hi <= top:  # room for the label at the end of the longest bar
        hi = min(100.0, hi + step)
    return lo, hi, int(round((hi - lo) / step)) + 1


def _nice_up(v: float) -> float:
    e = 10 ** math.floor(math.log10(v))
    return next(n * e for n in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if n * e >= v)


def _month_label(rec: dict[str, Any]) -> str:
    """``2026-03`` → ``3月`` (the year is in the period above the chart)."""
    code = str(rec.get("code") or "")
    if len(code) == 7 and code[4] == "-":
        # a QDate format: "M月" → 3月; its English, "MMM" → Mar
        fmt = QCoreApplication.translate("IndicatorsView", "M月")
        return QLocale().toString(QDate(int(code[:4]), int(code[5:]), 1), fmt)
    return str(rec.get("name") or code)


class IndicatorsView(QWidget):
    """``computed`` once the figures are shown; ``tables`` holds the core's tables
    (the chosen grouping, then by month)."""

    computed = Signal()

    def __init__(self, project: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.tables: list[IndicatorTable] = []
        self.runner: TaskRunner | None = None

        self.by = QComboBox()
        for g in GROUPINGS:
            self.by.addItem(self.tr("按{g}").format(g=grouping(g)), g)
        today = indicators.now_beijing().date()
        self.first = QDateEdit(QDate(today.year, 1, 1))
        self.last = QDateEdit(QDate(today))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of = QDateTimeEdit(QDateTime(indicators.now_beijing()))
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.chart_metric = QComboBox()
        for m in CHART_METRICS:
            self.chart_metric.addItem(indicator_name(m), m)
        self.chart_metric.currentIndexChanged.connect(self._draw_area_chart)
        self.go = QPushButton(self.tr("计算"))
        self.go.clicked.connect(self.compute)

        # two rows, so that the tab does not make the window (and squeeze its side panel)
        # wider than a laptop screen
        bar = QVBoxLayout()
        for items in (((None, self.by), (self.tr("立案时间"), self.first), ("—", self.last)),
                      ((self.tr("计算时点"), self.as_of), (None, self.go),
                       (self.tr("图表指标"), self.chart_metric))):
            row = QHBoxLayout()
            for label, w in items:
                if label:
                    row.addWidget(QLabel(label))
                row.addWidget(w)
            row.addStretch(1)
            bar.addLayout(row)
        self.header = plain_label(self.tr("选择分组、统计期和计算时点，然后点“计算”。"))
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.area_chart = _chart_view(self.tr("按区域"))
        self.month_chart = _chart_view(self.tr("按月"))
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.area_chart)
        charts.addWidget(self.month_chart)
        charts.setSizes([600, 400])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(charts)
        split.setSizes([260, 340])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(bar)
        lay.addWidget(self.header)
        lay.addWidget(split, 1)

    def set_project(self, project: Path | None) -> None:
        """Show ``project``: the period becomes the latest one with data
        (:func:`gridmgr.indicators.compute.latest_period`) and the figures are computed the
        first time the tab is shown."""
        self.project = project
        self.tables = []
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._pending = project is not None
        if project is not None:
            try:
                with open_project(project, readonly=True) as store:
                    first, last, as_of = indicators.latest_period(store)
            except GridmgrError:
                return
            self.first.setDate(QDate(first))
            self.last.setDate(QDate(last))
            self.as_of.setDateTime(QDateTime(as_of))
            if self.isVisible():
                self._compute_pending()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._compute_pending()

    def _compute_pending(self) -> None:
        if getattr(self, "_pending", False) and self.project is not None and \
                (self.runner is None or not self.runner.thread.isRunning()):
            self._pending = False
            self.compute()

    def set_inputs(self, by: str, first: str | None, last: str | None, as_of: str) -> None:
        """Set the grouping, the period (YYYY-MM-DD) and the moment (YYYY-MM-DDTHH:MM)."""
        self.by.setCurrentIndex(self.by.findData(by))
        if first:
            self.first.setDate(QDate.fromString(first, "yyyy-MM-dd"))
        if last:
            self.last.setDate(QDate.fromString(last, "yyyy-MM-dd"))
        self.as_of.setDateTime(QDateTime(datetime.fromisoformat(as_of)))

    def inputs(self) -> tuple[str, Period, datetime]:
        first = self.first.date().toPython()
        last = self.last.date().toPython()
        period = Period.between(first, last)
        as_of = self.as_of.dateTime().toPython().replace(second=0, microsecond=0)
        return self.by.currentData(), period, as_of

    def compute(self) -> TaskRunner | None:
        """Compute off the GUI thread; ``computed`` when shown, errors in a message box."""
        if self.project is None:
            return None
        try:
            by, period, as_of = self.inputs()
        except GridmgrError as exc:
            error_box(self, exc.title, str(exc))
            return None
        path = self.project

        def task():  # created in the worker thread: the connection belongs to it
            with open_project(path, readonly=True) as store:
                weights = indicators.resolve_weights(store.meta(), None)
                tables = yield from indicators.project_tables(
                    store, [by, "month"], as_of=as_of, period=period, weights=weights)
                name = store.meta().get("name", "")
            return name, tables

        self.go.setEnabled(False)
        self.runner = TaskRunner(task, self.tr("计算考核指标"), self)
        self.runner.finished.connect(self._show)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(lambda: self.go.setEnabled(True))
        self.runner.start()
        return self.runner

    def _failed(self, title: str, text: str) -> None:
        self.go.setEnabled(True)
        error_box(self, title, text)

    # -- showing
    def _show(self, result: tuple[str, list[IndicatorTable]]) -> None:
        self.go.setEnabled(True)
        name, self.tables = result
        t = self.tables[0]
        self.header.setText("\n".join(header_text(t, name)))
        self._fill_table(t)
        self._draw_area_chart()
        self._draw_month_chart(self.tables[1])
        self.computed.emit()

    def _fill_table(self, t: IndicatorTable) -> None:
        frame = display_frame(t)
        records = [*t.records(), t.total_record()]
        self.table.clear()
        self.table.setColumnCount(len(frame.columns))
        self.table.setRowCount(len(frame))
        self.table.setHorizontalHeaderLabels([indicator_name(k) for k in t.columns])
        bold = self.table.font()
        bold.setBold(True)
        for r, (values, rec) in enumerate(zip(frame.itertuples(index=False), records)):
            for c, (key, v) in enumerate(zip(t.columns, values)):
                text = "" if v is None else str(v)
                if key in ("code", "name") and text in (TOTAL, NO_GROUP, GROUPING_ZH["total"]):
                    text = QCoreApplication.translate("Indicators", text)
                item = QTableWidgetItem(text)
                if key in COUNTS or key in RATIOS or key == "score":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if key in RATIOS:
                    _zh, num, den = t.ratios[key]
                    item.setToolTip(f"{indicator_name(num)} {rec[num]} / "
                                    f"{indicator_name(den)} {rec[den]}"
                                    f" = {percent_text(rec[num] or 0, rec[den] or 0) or '—'}")
                if r == len(records) - 1:
                    item.setFont(bold)
                self.table.setItem(r, c, item)

    def _value(self, rec: dict[str, Any], metric: str) -> float:
        v = rec.get(metric)
        if v is None:
            return 0.0
        return 100.0 * float(v) if metric in RATIOS else float(v)

    def _draw_area_chart(self) -> None:
        if not self.tables:
            return
        t = self.tables[0]
        metric = self.chart_metric.currentData()
        recs = t.records()
        shown = sorted(recs, key=lambda r: -(r["registered"] or 0))[:MAX_BARS]
        shown.sort(key=lambda r: str(r["code"]), reverse=True)  # drawn bottom-up
        chart = self.area_chart.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        unit = "%" if metric in RATIOS else ""
        title = self.tr("{m}（按{g}）").format(m=indicator_name(metric), g=grouping(t.by))
        if len(recs) > MAX_BARS:
            title += self.tr("，立案数最多的 {n} 个").format(n=MAX_BARS)
        chart.setTitle(title)
        bars = QBarSet(indicator_name(metric) + (f"({unit})" if unit else ""))
        bars.setColor(QColor(COLOURS[0]))
        bars.append([self._value(r, metric) for r in shown])
        series = QHorizontalBarSeries()  # names read across, however many groups
        series.append(bars)
        series.setLabelsVisible(len(shown) <= 12)
        series.setLabelsFormat("@value" + unit)
        series.setLabelsPrecision(4)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([group_name(r) for r in shown] or [""])
        names.setTruncateLabels(False)
        small = names.labelsFont()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        names.setLabelsFont(small)
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names)
        values = QValueAxis()
        data = [self._value(r, metric) for r in shown if r.get(metric) is not None]
        lo, hi, ticks = value_range(data, percent=bool(unit))
        values.setRange(lo, hi)
        values.setTickCount(ticks)
        values.setLabelFormat(("%.1f" if hi - lo < 10 else "%.0f") + unit)
        if lo > 0:  # bars that do not start at zero: say so on the axis
            values.setTitleText(self.tr("（坐标从 {lo} 起）").format(lo=f"{lo:g}{unit}"))
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        chart.legend().setVisible(False)

    def _draw_month_chart(self, t: IndicatorTable) -> None:
        chart = self.month_chart.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(self.tr("按月：立案、应结案、结案、按期结案"))
        recs = t.records()
        series = QBarSeries()
        for key, colour in zip(("registered", "due", "closed", "ontime"), COLOURS):
            s = QBarSet(indicator_name(key))
            s.setColor(QColor(colour))
            s.append([float(r[key] or 0) for r in recs])
            series.append(s)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([_month_label(r) for r in recs] or [""])
        axis_x.setTruncateLabels(False)  # 10月 … 12月 whole, not "1…"
        axis_x.setLabelsAngle(-45 if len(recs) > 8 else 0)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        axis_y = QValueAxis()
        top = max([float(r["registered"] or 0) for r in recs] or [0.0])
        axis_y.setRange(0, max(1.0, top * 1.15))
        axis_y.applyNiceNumbers()
        axis_y.setLabelFormat("%.0f")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        chart.legend().setVisible(True)
