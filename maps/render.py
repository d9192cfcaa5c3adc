"""Drawing areas with QPainter: the one renderer the desktop map view and print layouts share.

Geometry is projected to a local equirectangular plane (x scaled by cos(latitude)) so that a
lon/lat project draws without distortion at district scale.  Only QtGui is used: this module
renders into any paint device (a widget, a QImage, later a QPdfWriter) and never needs widgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF, QTransform

from gridmgr.registers.enterprises import KEY_CLASSES, SUPERVISION_CLASSES

from .fonts import cjk_families

STYLE = {  # level: (outline colour, outline width in px, fill)
    "district": ("#1f2937", 2.4, None),
    "street": ("#b91c1c", 1.8, None),
    "community": ("#2563eb", 1.0, None),
    "cell": ("#9ca3af", 0.5, "#f1f5f9"),
}
SELECTED = QColor("#f59e0b")
CLASS_COLOURS = {"国控": "#b91c1c", "省控": "#ea580c", "市控": "#ca8a04", "一般": "#64748b"}


@dataclass
class Layer:
    level: str
    codes: list[str]
    names: list[str]
    paths: list[QPainterPath]
    bounds: list[QRectF]
    index: dict[str, int] = field(default_factory=dict)


def _to_path(geom: shapely.Geometry, kx: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            pts = [QPointF(x * kx, -y) for x, y in ring.coords]
            path.addPolygon(QPolygonF(pts))
            path.closeSubpath()
    return path


class AreaScene:
    """Areas of several levels ready to paint, with hit testing for clicks."""

    def __init__(self) -> None:
        self.layers: dict[str, Layer] = {}
        self.kx = 1.0
        self.extent = QRectF()
        self.points: list[tuple[QPointF, str]] = []  # enterprises: position, supervision class

    def set_layers(self, frames: dict[str, object]) -> None:
        """``frames``: level → GeoDataFrame in lon/lat with ``code`` and ``name`` columns."""
        lat = 0.0
        for gdf in frames.values():
            if len(gdf):
                y0, y1 = gdf.total_bounds[1], gdf.total_bounds[3]
                lat = (y0 + y1) / 2
                break
        self.kx = math.cos(math.radians(lat))
        self.layers = {}
        extent = QRectF()
        for level, gdf in frames.items():
            paths = [_to_path(g, self.kx) for g in gdf.geometry]
            bounds = [p.boundingRect() for p in paths]
            for b in bounds:
                extent = extent.united(b)
            self.layers[level] = Layer(level, list(gdf["code"]),
                                       [n or "" for n in gdf["name"]], paths, bounds,
                                       {c: i for i, c in enumerate(gdf["code"])})
        self.extent = extent

    def set_points(self, xs: list[float], ys: list[float], classes: list[str | None]) -> None:
        """Enterprise locations (lon/lat), drawn as dots coloured by supervision class."""
        self.points = [(QPointF(x * self.kx, -y), c or "一般") for x, y, c in zip(xs, ys, classes)]
        # key enterprises last, so they are drawn on top
        order = {c: -i for i, c in enumerate(SUPERVISION_CLASSES)}
        self.points.sort(key=lambda p: order.get(p[1], 0))

    def hit(self, level: str, x: float, y: float) -> str | None:
        """Code of the ``level`` area under scene point (x, y)."""
        layer = self.layers.get(level)
        if layer is None:
            return None
        pt = QPointF(x, y)
        for i, b in enumerate(layer.bounds):
            if b.contains(pt) and layer.paths[i].contains(pt):
                return layer.codes[i]
        return None

    def bounds_of(self, code: str) -> QRectF | None:
        for layer in self.layers.values():
            i = layer.index.get(code)
            if i is not None:
                return layer.bounds[i]
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
            for i, path in enumerate(layer.paths):
                if not layer.bounds[i].intersects(visible):
                    continue
                painter.setBrush(QBrush(SELECTED) if layer.codes[i] in selected else brush)
                painter.drawPath(path)
        painter.resetTransform()
        self._paint_points(painter, view, visible)
        for level in ("street", "community", "cell"):
            layer = self.layers.get(level)
            if layer is None:
                continue
            size_px = view.mapRect(layer.bounds[0]).width() if layer.bounds else 0
            if level == "cell" and size_px < 60:
                continue
            if level == "community" and size_px < 40:
                continue
            font = QFont(cjk_families()[0], {"street": 13, "community": 9, "cell": 7}[level])
            font.setBold(level == "street")
            painter.setFont(font)
            painter.setPen(QColor({"street": "#7f1d1d", "community": "#1e3a8a",
                                   "cell": "#374151"}[level]))
            for i, b in enumerate(layer.bounds):
                if not b.intersects(visible):
                    continue
                r = view.mapRect(b)
                text = layer.codes[i][-2:] if level == "cell" else layer.names[i]
                painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
