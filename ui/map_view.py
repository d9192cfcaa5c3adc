"""The fallback map view: pans, zooms and selects areas drawn by :mod:`maps.render`.

The window's map is the Leaflet page (:mod:`ui.web_map`).  This QPainter view is kept for one
case only: a machine where QtWebEngine cannot be imported (PySide6-Addons missing, or its
system libraries) — the window then still shows the grid, selects and assigns, without layers,
measures, rectangles or a basemap.  It offers the same methods and signals as
:class:`ui.web_map.WebMapView` so the window does not care which one it has; those it cannot
honour do nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QWidget

from maps.render import AreaScene


class MapView(QWidget):
    areaClicked = Signal(str)
    areaShiftClicked = Signal(str)  # add or remove a cell from the selection
    pointClicked = Signal(str)  # never emitted: enterprises are drawn, not clickable, here
    boxSelected = Signal(list, bool)  # never emitted: no rectangle selection here
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene = AreaScene()
        self.selected: set[str] = set()
        self.scale = 1.0
        self.center = QPointF()
        self._drag: QPointF | None = None
        self._moved = False
        self._auto_fit = True  # keep fitting the whole extent until the user pans or zooms
        self.setMinimumSize(400, 300)
        self.setMouseTracking(False)

    def set_frames(self, frames: dict) -> None:
        self.scene.set_layers(frames)
        self._auto_fit = True
        self.zoom_to(self.scene.extent)

    def zoom_to(self, rect: QRectF | None, margin: float = 1.1) -> None:
        if rect is None or rect.isEmpty():
            return
        self.center = rect.center()
        w, h = max(self.width(), 1), max(self.height(), 1)
        self.scale = min(w / (rect.width() * margin), h / (rect.height() * margin))
        self.update()

    def _view(self) -> QTransform:
        t = QTransform()
        t.translate(self.width() / 2, self.height() / 2)
        t.scale(self.scale, self.scale)
        t.translate(-self.center.x(), -self.center.y())
        return t

    def select(self, codes: set[str], fly: bool = False) -> None:
        self.selected = set(codes)
        if fly and codes:
            rect = QRectF()
            for c in codes:
                b = self.scene.bounds_of(c)
                if b is not None:
                    rect = rect.united(b)
            if not rect.isEmpty():
                self._auto_fit = False
                self.zoom_to(rect, margin=3.0)
        self.update()

    # -- the rest of WebMapView's API ------------------------------------------------------
    def zoom_to_all(self) -> None:
        self._auto_fit = True
        self.zoom_to(self.scene.extent)

    def fly_to(self, codes, animate: bool = True) -> None:
        self.select(self.selected, fly=False)
        rect = QRectF()
        for c in ([codes] if isinstance(codes, str) else codes):
            b = self.scene.bounds_of(c)
            if b is not None:
                rect = rect.united(b)
        if not rect.isEmpty():
            self._auto_fit = False
            self.zoom_to(rect, margin=3.0)

    def set_points(self, gdf) -> None:
        self.scene.set_points(list(gdf.geometry.x), list(gdf.geometry.y),
                              list(gdf["supervision_class"]))
        self.update()

    def set_measure(self, level: str, values, title: str, bins=None) -> None:
        return None

    def set_colours(self, level: str, colours) -> None:
        return None

    def set_legend(self, legend) -> None:
        return None

    def clear_measure(self, level: str) -> None:
        return None

    def select_point(self, code) -> None:
        return None

    def set_box_mode(self, on: bool) -> None:
        return None

    def set_basemap(self, path) -> None:
        return None

    def notify_painted(self) -> None:
        self.update()  # paintEvent emits painted

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        view = self._view()
        visible = view.inverted()[0].mapRect(QRectF(self.rect()))
        self.scene.paint(p, view, visible, self.selected)
        p.end()
        self.painted.emit()

    def resizeEvent(self, event) -> None:
        if self._auto_fit:
            self.zoom_to(self.scene.extent)
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale *= factor
        self._auto_fit = False
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag = event.position()
        self._moved = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        d = event.position() - self._drag
        if abs(d.x()) + abs(d.y()) > 3:
            self._moved = True
            self._auto_fit = False
            self.center -= QPointF(d.x() / self.scale, d.y() / self.scale)
            self._drag = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self._moved and event.button() == Qt.MouseButton.LeftButton:
            pt = self._view().inverted()[0].map(event.position())
            for level in ("cell", "community", "street"):
                code = self.scene.hit(level, pt.x(), pt.y())
                if code:
                    shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                    if shift and level == "cell":
                        self.areaShiftClicked.emit(code)
                    else:
                        self.areaClicked.emit(code)
                    break
        self._drag = None
