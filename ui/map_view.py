"""The map view: pans, zooms and selects areas drawn by :mod:`maps.render`.

A stop-gap until the Leaflet map page of the desktop issue: it already shows the whole hierarchy
offline, with Chinese labels, and reports clicks as area codes.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QWidget

from maps.render import AreaScene


class MapView(QWidget):
    areaClicked = Signal(str)
    areaShiftClicked = Signal(str)  # add or remove a cell from the selection

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

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        view = self._view()
        visible = view.inverted()[0].mapRect(QRectF(self.rect()))
        self.scene.paint(p, view, visible, self.selected)
        p.end()

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
