"""Drawing areas with QPainter: the one renderer the desktop map view and print layouts share.

Geometry is projected to a local equirectangular plane (x scaled by cos(latitude)) so that a
lon/lat project draws without distortion at district scale.  Only QtGui is used: this module
renders into any paint device (a widget, a QImage, later a QPdfWriter) and never needs widgets.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QTransform

from gridmgr.geometry import Rings
from gridmgr.registers.enterprises import KEY_CLASSES, SUPERVISION_CLASSES

from .fonts import cjk_families
from .web_page import area_features

STYLE = {  # level: (outline colour, outline width in px, fill)
    "district": ("#1f2937", 2.4, None),
    "street": ("#b91c1c", 1.8, None),
    "community": ("#2563eb", 1.0, None),
    "cell": ("#9ca3af", 0.5, "#f1f5f9"),
}
SELECTED = QColor("#f59e0b")
CLASS_COLOURS = {"国控": "#b91c1c", "省控": "#ea580c", "市控": "#ca8a04", "一般": "#64748b"}


CHUNK = 2048  # areas per painter path (a path per area made 100k Python objects: 4 s)


def _path_bytes(xy: np.ndarray, starts: np.ndarray, rule: Qt.FillRule) -> bytes:
    """A QPainterPath in QDataStream's format: element count, (type, x, y) per point (moveTo
    at each ring's first point, lineTo after), the last subpath's start and the fill rule."""
    n = len(xy)
    el = np.empty(n, dtype=[("t", ">i4"), ("x", ">f8"), ("y", ">f8")])
    el["t"] = 1  # LineToElement
    el["t"][starts] = 0  # MoveToElement
    el["x"], el["y"] = xy[:, 0], xy[:, 1]
    last = int(starts[-1]) if len(starts) else 0
    return (struct.pack(">i", n) + el.tobytes()
            + struct.pack(">ii", last, rule.value))


def _path(xy: np.ndarray, starts: np.ndarray,
          rule: Qt.FillRule = Qt.FillRule.OddEvenFill) -> QPainterPath:
    """One path of many rings (``starts``: each ring's first point) built in one call."""
    path = QPainterPath()
    if len(xy):
        QDataStream(QByteArray(_path_bytes(xy, starts, rule))) >> path
    path.setFillRule(rule)
    return path


def _oriented(rings: Rings) -> np.ndarray:
    """The coordinates with every shell counter-clockwise and every hole clockwise, so that
    a winding fill of many areas in one path leaves holes open and fills overlaps (an even-odd
    fill of one path would open where two areas overlap)."""
    xy, ro = rings.coords, rings.ring_offsets
    n = np.diff(ro)
    if not len(xy):
        return xy
    ring_of = np.repeat(np.arange(len(n)), n)
    nxt = np.arange(len(xy)) + 1
    nxt[ro[1:][n > 0] - 1] = ro[:-1][n > 0]  # the last point's next is the first
    cross = xy[:, 0] * xy[nxt, 1] - xy[nxt, 0] * xy[:, 1]
    area = np.bincount(ring_of, weights=cross, minlength=len(n))
    shell = np.zeros(len(n), dtype=bool)
    shell[rings.poly_offsets[:-1][np.diff(rings.poly_offsets) > 0]] = True
    flip = np.where(shell, area < 0, area > 0)
    idx = np.arange(len(xy))
    f = flip[ring_of]
    idx[f] = ro[:-1][ring_of[f]] + ro[1:][ring_of[f]] - 1 - idx[f]
    return xy[idx]


@dataclass
class Layer:
    """One level ready to paint: its areas' codes and names, scene coordinates as flat rings,
    boxes (x0, y0, x1, y1) and painter paths of :data:`CHUNK` areas each."""

    level: str
    codes: list[str]
    names: list[str]
    rings: Rings
    box: np.ndarray
    chunks: list[tuple[QRectF, QPainterPath]] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def bounds(self, i: int) -> QRectF:
        x0, y0, x1, y1 = self.box[i]
        return QRectF(x0, y0, x1 - x0, y1 - y0) if np.isfinite(x0) else QRectF()

    def path(self, i: int) -> QPainterPath:
        """Area ``i`` alone (hit tests and the selection)."""
        r = self.rings
        p0, p1 = r.geom_offsets[i], r.geom_offsets[i + 1]
        ro = r.ring_offsets[r.poly_offsets[p0]:r.poly_offsets[p1] + 1]
        return _path(r.coords[ro[0]:ro[-1]], ro[:-1][np.diff(ro) > 0] - ro[0])


def _layer(level: str, data: object, kx: float) -> Layer:
    codes, names, rings, _ = area_features(data)
    scene = rings.transformed(lambda x, y: (x * kx, -y))
    box = scene.bounds()
    xy = _oriented(scene)
    layer = Layer(level, codes, ["" if n is None or n != n else str(n) for n in names], scene, box,
                  index={c: i for i, c in enumerate(codes)})
    starts = scene.point_offsets()
    ro = scene.ring_offsets
    ring_start = ro[:-1][np.diff(ro) > 0]
    for c0 in range(0, len(codes), CHUNK):
        c1 = min(c0 + CHUNK, len(codes))
        a, b = int(starts[c0]), int(starts[c1])
        if a == b:
            continue
        sub = ring_start[(ring_start >= a) & (ring_start < b)] - a
        bx = box[c0:c1]
        rect = QRectF(np.nanmin(bx[:, 0]), np.nanmin(bx[:, 1]),
                      np.nanmax(bx[:, 2]) - np.nanmin(bx[:, 0]),
                      np.nanmax(bx[:, 3]) - np.nanmin(bx[:, 1]))
        layer.chunks.append((rect, _path(xy[a:b], sub, Qt.FillRule.WindingFill)))
    return layer


class AreaScene:
    """Areas of several levels ready to paint, with hit testing for clicks."""

    def __init__(self) -> None:
        self.layers: dict[str, Layer] = {}
        self.kx = 1.0
        self.extent = QRectF()
        self.points: list[tuple[QPointF, str]] = []  # enterprises: position, supervision class

    def set_layers(self, frames: dict[str, object]) -> None:
        """``frames``: level → GeoDataFrame in lon/lat with ``code`` and ``name`` columns, or
        the level's ``Store.map_areas`` in lon/lat."""
        lat = 0.0
        for data in frames.values():
            if len(data):
                _, _, rings, _ = area_features(data)
                b = rings.bounds()
                if np.isfinite(b[:, 1]).any():
                    lat = (np.nanmin(b[:, 1]) + np.nanmax(b[:, 3])) / 2
                break
        self.kx = math.cos(math.radians(lat))
        self.layers = {level: _layer(level, data, self.kx) for level, data in frames.items()}
        boxes = [layer.box for layer in self.layers.values() if len(layer.box)]
        allbox = np.vstack(boxes) if boxes else np.zeros((0, 4))
        ok = np.isfinite(allbox[:, 0]) if len(allbox) else np.zeros(0, bool)
        if ok.any():
            x0, y0 = allbox[ok, 0].min(), allbox[ok, 1].min()
            self.extent = QRectF(x0, y0, allbox[ok, 2].max() - x0, allbox[ok, 3].max() - y0)
        else:
            self.extent = QRectF()

    def set_points(self, xs: list[float], ys: list[float], classes: list[str | None]) -> None:
        """Enterprise locations (lon/lat), drawn as dots coloured by supervision class."""
        self.points = [(QPointF(x * self.kx, -y), c or "一般") for x, y, c in zip(xs, ys, classes)]
        # key enterprises last, so they are drawn on top
        order = {c: -i for i, c in enumerate(SUPERVISION_CLASSES)}
        self.points.sort(key=lambda p: order.get(p[1], 0))

    def hit(self, level: str, x: float, y: float) -> str | None:
        """Code of the ``level`` area under scene point (x, y)."""
        layer = self.layers.get(level)
        if layer is None or not len(layer.box):
            return None
        b = layer.box
        pt = QPointF(x, y)
        for i in np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])):
            if layer.path(int(i)).contains(pt):
                return layer.codes[i]
        return None

    def bounds_of(self, code: str) -> QRectF | None:
        for layer in self.layers.values():
            i = layer.index.get(code)
            if i is not None:
                return layer.bounds(i)
        return None

    def _paint_points(self, painter: QPainter, view: QTransform, visible: QRectF) -> None:
        if not self.points:
            return
        scale = view.m11()
        # below ~20,000 px per degree (a 300 m cell under ~60 px) only key enterprises: at
        # district scale 3,000 dots would hide the grid
        key_only = scale < 20_000
        painter.setPen(QPen(QColor("#ffffff"), 0.8))
        for pt, cls in self.points:
            if key_only and cls not in KEY_CLASSES:
                continue
            if not visible.contains(pt):
                continue
            painter.setBrush(QBrush(QColor(CLASS_COLOURS.get(cls, "#64748b"))))
            r = 4.5 if cls in KEY_CLASSES else 3.0
            painter.drawEllipse(view.map(pt), r, r)

    def paint(self, painter: QPainter, view: QTransform, visible: QRectF,
              selected: set[str] | None = None, label_level: str | None = "cell") -> None:
        """Paint all layers, cells first, outlines of higher levels on top, then labels."""
        selected = selected or set()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        order = ["cell", "community", "street", "district"]
        for level in order:
            layer = self.layers.get(level)
            if layer is None:
                continue
            colour, width, fill = STYLE[level]
            pen = QPen(QColor(colour), width)
            pen.setCosmetic(True)
            painter.setPen(pen)
            brush = QBrush(QColor(fill)) if fill else QBrush(Qt.BrushStyle.NoBrush)
            painter.setTransform(view)
            painter.setBrush(brush)
            for rect, path in layer.chunks:
                if rect.intersects(visible):
                    painter.drawPath(path)
            painter.setBrush(QBrush(SELECTED))
            for code in selected:
                i = layer.index.get(code)
                if i is not None and layer.bounds(i).intersects(visible):
                    painter.drawPath(layer.path(i))
        painter.resetTransform()
        self._paint_points(painter, view, visible)
        for level in ("street", "community", "cell"):
            layer = self.layers.get(level)
            if layer is None:
                continue
            size_px = view.mapRect(layer.bounds(0)).width() if len(layer.box) else 0
            if level == "cell" and size_px < 60:
                continue
            if level == "community" and size_px < 40:
                continue
            font = QFont(cjk_families()[0], {"street": 13, "community": 9, "cell": 7}[level])
            font.setBold(level == "street")
            painter.setFont(font)
            painter.setPen(QColor({"street": "#7f1d1d", "community": "#1e3a8a",
                                   "cell": "#374151"}[level]))
            bx = layer.box
            seen = ((bx[:, 0] <= visible.right()) & (bx[:, 2] >= visible.left())
                    & (bx[:, 1] <= visible.bottom()) & (bx[:, 3] >= visible.top()))
            for i in np.flatnonzero(seen):
                r = view.mapRect(layer.bounds(i))
                text = layer.codes[i][-2:] if level == "cell" else layer.names[i]
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
