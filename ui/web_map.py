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

from gridmgr.errors import GridmgrError
from gridmgr.storage.tiles import TileSource
from maps.fonts import cjk_families, css_stack
from maps.web_page import (
    LEVELS,
    WEB,
    area_payload,
    colour_array,
    measure_style,
    page_html,
    point_payload,
)
from ui.tile_scheme import SCHEME, TileSchemeHandler

log = logging.getLogger(__name__)
LOCAL_SCHEMES = {"file", "qrc", "data", "about", SCHEME.decode()}


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

    boxSignal = Signal(list, bool)
    paintedSignal = Signal()

    @Slot(str, bool)
    def boxSelected(self, codes_json: str, additive: bool) -> None:
        """A rectangle drawn on the map (shift-drag, or a drag in box mode): the cells in it."""
        self.boxSignal.emit([str(c) for c in json.loads(codes_json)], bool(additive))

    @Slot()
    def painted(self) -> None:
        """The page drew what was pushed last (two animation frames after the canvas paint)."""
        self.paintedSignal.emit()

    @Slot()
    def pageReady(self) -> None:
        self.ready.emit()

    caseClickedSignal = Signal(str)
    pickedSignal = Signal(float, float)

    @Slot(str)
    def caseClicked(self, case_no: str) -> None:
        self.caseClickedSignal.emit(case_no)

    @Slot(float, float)
    def pointPicked(self, lon: float, lat: float) -> None:
        """The place clicked while picking (新建案件), longitude/latitude."""
        self.pickedSignal.emit(lon, lat)


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
    boxSelected = Signal(list, bool)  # codes, additive (shift held)
    painted = Signal()
    caseClicked = Signal(str)  # a case marker: its case number
    pointPicked = Signal(float, float)  # lon, lat clicked in pick mode
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
        self.bridge.caseClickedSignal.connect(self.caseClicked)
        self.bridge.pickedSignal.connect(self.pointPicked)
        self.bridge.ready.connect(self.bridgeReady)
        self.bridge.boxSignal.connect(self.boxSelected)
        self.bridge.paintedSignal.connect(self._painted)
        self.paint_count = 0
        self.tiles = _tile_handler(self.page().profile())
        self.basemap: str | None = None
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
        self.run_js(self._call("setTexts", self.layer_texts()))
        try:  # the family the window uses first, then the usual ones of each OS
            self.run_js(self._call("setFont", css_stack(cjk_families()[0])))
        except GridmgrError:  # no Chinese font at all: the page keeps its own stack
            pass
        self.loaded.emit()

    def _painted(self) -> None:
        self.paint_count += 1
        self.painted.emit()

    def layer_texts(self) -> dict[str, str]:
        """The layer control's names (and the legend's "no data"), translated here, not in JS."""
        return {"district": self.tr("区界"), "street": self.tr("街道"),
                "community": self.tr("社区"), "cell": self.tr("单元网格"),
                "enterprises": self.tr("企业"), "cases": self.tr("案件"),
                "labels": self.tr("标注"),
                "basemap": self.tr("底图")}

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
        """``frames``: level → GeoDataFrame in EPSG:4490 with ``code``, ``name``, geometry, or
        the level's ``Store.map_areas`` in EPSG:4490; pushed as binary payloads."""
        self.run_js("window.gridmap.clear()")
        self.codes = {}
        ordered = sorted(frames, key=lambda lv: LEVELS.index(lv) if lv in LEVELS else -1)
        t0 = time.perf_counter()
        for level in ordered:
            # cells are labelled with their codes: their names stay in Python (100k of them
            # would double what the page has to read)
            payload = area_payload(frames[level], binary=True, names=level != "cell")
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

    def set_legend(self, legend: dict | None) -> None:
        """Show ``{title, entries: [{colour, label}]}`` as the legend (None: no legend)."""
        self.legend = legend
        self.run_js(self._call("setLegend", legend))

    def clear_measure(self, level: str) -> None:
        self.legend = None
        self.run_js(self._call("setColours", level, []))
        self.run_js("window.gridmap.setLegend(null)")

    def notify_painted(self) -> None:
        """Emit ``painted`` once everything pushed so far has been drawn in the page."""
        self.run_js("window.gridmap.whenPainted()")

    def select_point(self, code: str | None) -> None:
        """Ring one enterprise (credit code or uuid, as pushed), or none."""
        self.run_js(self._call("setSelectedPoint", code))

    def set_cases(self, payload: Mapping[str, object] | None) -> None:
        """Case markers (``maps.case_layer.case_payload``); None removes them."""
        self.run_js(self._call("setCases", payload))

    def pick_point(self, on: bool = True) -> None:
        """The next click on the map reports a place (``pointPicked``) instead of selecting."""
        self.run_js(self._call("setPickMode", bool(on)))

    def centre_on(self, lon: float, lat: float, zoom: int = 17) -> None:
        self.run_js(self._call("setView", lat, lon, zoom))

    def set_box_mode(self, on: bool) -> None:
        """A plain drag draws a selection rectangle (otherwise shift-drag does)."""
        self.run_js(self._call("setBoxMode", bool(on)))

    def set_basemap(self, path: str | None) -> None:
        """Show the MBTiles file or XYZ folder ``path`` under the areas, or no basemap (None).
        Raises :class:`gridmgr.errors.InputFileError` for a file that is not a tile source."""
        source = TileSource(path) if path else None
        self.tiles.set_source(source)
        self.basemap = str(path) if path else None
        if source is None:
            self.run_js("window.gridmap.setBasemap(null)")
        else:
            self.run_js(self._call("setBasemap", self.tiles.url_template(), source.maxzoom))


_HANDLERS: list[TileSchemeHandler] = []  # Python references to the installed handlers


def _tile_handler(profile) -> TileSchemeHandler:
    """One ``gmtiles:`` handler per web profile (the default profile is shared by every view)."""
    existing = profile.urlSchemeHandler(SCHEME)
    for handler in _HANDLERS:
        if handler is existing or isinstance(existing, TileSchemeHandler):
            return existing if isinstance(existing, TileSchemeHandler) else handler
    handler = TileSchemeHandler(profile)
    profile.installUrlSchemeHandler(SCHEME, handler)
    _HANDLERS.append(handler)
    return handler
