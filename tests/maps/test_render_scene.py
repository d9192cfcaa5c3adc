"""The QPainter map's scene (maps/render.py) built from flat rings: the same boxes, extent
and hits as shapely says, holes left open, and the same from a GeoDataFrame as from the
store's ``map_areas``."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from shapely.geometry import MultiPolygon, Point, Polygon, box

from gridmgr.geometry import rings_of
from gridmgr.storage.records import MapAreas
from maps.render import AreaScene


def frame() -> gpd.GeoDataFrame:
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    inner = box(1.5, 1.5, 2.5, 2.5)  # an island inside the hole
    parts = MultiPolygon([box(5, 0, 6, 1), box(7, 0, 8, 1)])
    cw = Polygon([(9, 0), (9, 1), (10, 1), (10, 0)])  # clockwise shell
    return gpd.GeoDataFrame({"code": ["ring", "inner", "parts", "cw"],
                             "name": ["环", "岛", None, "顺"]},
                            geometry=[ring, inner, parts, cw], crs="EPSG:4490")


def test_hits_follow_shapely_with_holes_parts_and_orientation(qtbot):
    gdf = frame()
    scene = AreaScene()
    scene.set_layers({"cell": gdf})
    layer = scene.layers["cell"]
    assert layer.names == ["环", "岛", "", "顺"]
    rng = np.random.default_rng(3)
    for x, y in rng.random((400, 2)) * [10.5, 4.5] - [0.25, 0.25]:
        want = [c for c, g in zip(gdf["code"], gdf.geometry) if g.contains(Point(x, y))]
        got = scene.hit("cell", x * scene.kx, -y)
        if len(want) == 1:  # points exactly on a border are left out (either side is right)
            assert got == want[0], (x, y)
        elif not any(g.boundary.distance(Point(x, y)) < 1e-9 for g in gdf.geometry):
            assert got is None, (x, y)
    b = shapely.bounds(gdf.geometry.values)
    for i in range(len(gdf)):
        r = layer.bounds(i)
        assert (r.left(), r.right(), r.top(), r.bottom()) == (
            b[i, 0] * scene.kx, b[i, 2] * scene.kx, -b[i, 3], -b[i, 1])
    assert scene.extent == QRectF(0, -4, 10 * scene.kx, 4)


def test_the_hole_is_painted_open_and_the_island_filled(qtbot):
    scene = AreaScene()
    scene.set_layers({"cell": frame()})
    img = QImage(420, 200, QImage.Format.Format_RGB32)
    img.fill(QColor("#ffffff"))
    p = QPainter(img)
    view = QTransform()
    view.translate(10, 190)
    view.scale(40, 40)
    # scene y = -lat: lat 0..4 → pixels 190..30
    scene.paint(p, view, view.inverted()[0].mapRect(QRectF(0, 0, 420, 200)), {"parts"})
    p.end()

    def at(x: float, y: float) -> str:
        pt = view.map(QRectF(x * scene.kx, -y, 0, 0).topLeft())
        return img.pixelColor(round(pt.x()), round(pt.y())).name()

    assert at(0.5, 0.5) == "#f1f5f9"  # the ring
    assert at(1.2, 2.0) == "#ffffff"  # its hole, outside the island
    assert at(1.6, 1.6) == "#f1f5f9"  # the island (its centre has the ring's label)
    assert at(5.2, 0.2) == at(7.2, 0.2) == "#f59e0b"  # both parts selected (off the labels)
    assert at(9.2, 0.2) == "#f1f5f9"  # a clockwise shell is filled too


def test_the_stores_rings_give_the_same_scene(qtbot):
    gdf = frame()
    areas = MapAreas(list(gdf["code"]), list(gdf["name"]), [None] * 4, np.zeros(4),
                     rings_of(gdf.geometry.values), "EPSG:4490")
    a, b = AreaScene(), AreaScene()
    a.set_layers({"cell": gdf})
    b.set_layers({"cell": areas})
    assert a.extent == b.extent and a.kx == b.kx
    la, lb = a.layers["cell"], b.layers["cell"]
    assert la.codes == lb.codes and np.array_equal(la.box, lb.box)
    assert [c[1].elementCount() for c in la.chunks] == [c[1].elementCount() for c in lb.chunks]
