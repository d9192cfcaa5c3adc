"""The Leaflet map view: the offline page of :mod:`maps.web_page` in a QWebEngineView.

Same public API as :class:`ui.map_view.MapView` where it makes sense — ``set_frames(frames)``,
``select(codes, fly=False)``, signal ``areaClicked(str)`` — plus ``areaShiftClicked(str)``,
``set_colours(level, {code: "#rrggbb"})``, ``fly_to(codes)``, ``zoom_to_all()`` and a ``loaded``
signal / ``is_loaded`` flag.  Enterprises: ``set_points(gdf_or_payload)`` and signal
``pointClicked(str)`` (credit code, else uuid).  A measure: ``set_measure(level, {code: number},
title, bins=None)`` colours the areas in 5 classes and shows a legend; ``clear_measure(level)``.
Data are pushed into the loaded page with ``runJavaScript``; calls
made before the page has loaded are queued and sent in order on ``loadFinished``.  Clicks come
back through QWebChannel (object ``bridge``).

The page only ever loads local files (``file:`` and ``qrc:``); navigation anywhere else is
refused, so a stray link cannot take the view online.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from maps.web_page import (
    LEVELS,
    WEB,
    area_payload,
    colour_array,
    measure_style,
    page_html,
    point_payload,
)

log = logging.getLogger(__name__)
LOCAL_SCHEMES = {"file", "qrc", "data", "about"}


class MapBridge(QObject):
    """The object the page sees as ``bridge``: its slots are called from JavaScript."""

    clicked = Signal(str)
    shiftClicked = Signal(str)
    pointClickedSignal = Signal(str)
    ready = Signal()

    @Slot(str)
    def areaClicked(self, code: str) -> None:  # name seen by JavaScript
        self.clicked.emit(code)

    @Slot(str)
    def areaShiftClicked(self, code: str) -> None:
        self.shiftClicked.emit(code)

    @Slot(str)
    def pointClicked(self, code: str) -> None:
        self.pointClickedSignal.emit(code)

    @Slot()
    def pageReady(self) -> None:
        self.ready.emit()


class _MapPage(QWebEnginePage):
    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:
        if url.scheme() in LOCAL_SCHEMES:
            return True
        log.warning("map page: refused to navigate to %s", url.toString())
        return False

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:
        log.debug("map page js %s:%s: %s", source, line, message)


class WebMapView(QWebEngineView):
    areaClicked = Signal(str)
    areaShiftClicked = Signal(str)
    pointClicked = Signal(str)
    loaded = Signal()
    bridgeReady = Signal()

    def __init__(self, parent: QWidget | None = None, autoload: bool = True) -> None:
        super().__init__(parent)
        self.setPage(_MapPage(self))
        self.is_loaded = False
        self.codes: dict[str, list[str]] = {}  # level -> codes in pushed order
        self.point_codes: list[str] = []  # enterprises in pushed order
        self.legend: dict | None = None  # the legend last pushed by set_measure
        self.selected: set[str] = set()
        self.timings: dict[str, float] = {}  # seconds: "load", "payload", "push"
        self._pending: list[tuple[str, Callable | None]] = []
        self.bridge = MapBridge(self)
        self.bridge.clicked.connect(self.areaClicked)
        self.bridge.shiftClicked.connect(self.areaShiftClicked)
        self.bridge.pointClickedSignal.connect(self.pointClicked)
        self.bridge.ready.connect(self.bridgeReady)
        self.channel = QWebChannel(self)
        self.channel.registerObject("bridge", self.bridge)
        self.page().setWebChannel(self.channel)
        self.loadFinished.connect(self._on_load_finished)
        self.setMinimumSize(400, 300)
        self._t0 = time.perf_counter()
        if autoload:
            self.load_page()

    def load_page(self) -> None:
        """(Re)load the empty map page; ``autoload=False`` leaves time to set up the profile."""
        self.is_loaded = False
        self._t0 = time.perf_counter()
        # the page is small (data come later); the base URL makes it a local file page
        self.setHtml(page_html(), QUrl.fromLocalFile(str(WEB / "gridmap.html")))

    # -- plumbing ---------------------------------------------------------------------------
    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.error("map page failed to load")
            return
        self.timings["load"] = time.perf_counter() - self._t0
        self.is_loaded = True
        pending, self._pending = self._pending, []
        for script, callback in pending:
            self._run(script, callback)
        self.loaded.emit()

    def _run(self, script: str, callback: Callable | None = None) -> None:
        if callback is None:
            self.page().runJavaScript(script)
        else:
            self.page().runJavaScript(script, 0, callback)

    def run_js(self, script: str, callback: Callable | None = None) -> None:
        """Run ``script`` in the page now, or once it has loaded."""
        if self.is_loaded:
            self._run(script, callback)
        else:
            self._pending.append((script, callback))

    @staticmethod
    def _call(fn: str, *args: object) -> str:
        body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args)
        return f"window.gridmap.{fn}({body})"

    # -- public API (as ui.map_view.MapView) ------------------------------------------------
    def set_frames(self, frames: Mapping[str, object], fit: bool = True) -> None:
        """``frames``: level → GeoDataFrame in EPSG:4490 with ``code``, ``name``, geometry."""
        self.run_js("window.gridmap.clear()")
        self.codes = {}
        ordered = sorted(frames, key=lambda lv: LEVELS.index(lv) if lv in LEVELS else -1)
        t0 = time.perf_counter()
        for level in ordered:
            payload = area_payload(frames[level])
            self.codes[level] = payload["codes"]
            self.run_js(self._call("setAreas", level, payload))
        self.timings["payload"] = time.perf_counter() - t0
        if self.selected:
            self.run_js(self._call("setSelected", sorted(self.selected)))
        if fit:
            self.zoom_to_all()

    def set_colours(self, level: str, colours: Mapping[str, str | None]) -> None:
        """Fill the areas of ``level`` with ``{code: "#rrggbb"}``; codes left out get the default."""
        codes = self.codes.get(level, [])
        self.run_js(self._call("setColours", level, colour_array(codes, colours)))

    def select(self, codes: Iterable[str], fly: bool = False) -> None:
        self.selected = set(codes)
        self.run_js(self._call("setSelected", sorted(self.selected)))
        if fly and self.selected:
            self.fly_to(self.selected)

    def fly_to(self, codes: str | Iterable[str], animate: bool = True) -> None:
        codes = [codes] if isinstance(codes, str) else sorted(codes)
        self.run_js(self._call("flyTo", codes, animate))

    def zoom_to_all(self) -> None:
        self.run_js("window.gridmap.fitAll()")

    def set_points(self, points: object) -> None:
        """Show enterprises: a GeoDataFrame (lon/lat points with ``credit_code``/``uuid``,
        ``name``, ``supervision_class``) or a :func:`maps.web_page.point_payload` dict."""
        payload = points if isinstance(points, Mapping) else point_payload(points)
        self.point_codes = list(payload["codes"])
        self.run_js(self._call("setPoints", payload))

    def set_measure(self, level: str, values: Mapping[str, float], title: str,
                    bins: list[float] | None = None) -> dict:
        """Colour ``level`` by ``{code: number}`` in up to 5 classes (quantiles, or the class
        edges ``bins``) and show the legend titled ``title``; returns the legend pushed."""
        colours, legend = measure_style(self.codes.get(level, []), values, title, bins)
        self.legend = legend
        self.run_js(self._call("setColours", level, colours))
        self.run_js(self._call("setLegend", legend))
        return legend

    def clear_measure(self, level: str) -> None:
        self.legend = None
        self.run_js(self._call("setColours", level, []))
        self.run_js("window.gridmap.setLegend(null)")
