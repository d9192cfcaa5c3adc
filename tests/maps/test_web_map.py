"""The Leaflet map view (ui.web_map) offscreen: offline, drawn, clickable, selectable.

Every request the page makes goes through an interceptor that records and blocks anything that
is not file:, qrc: or data:; LocalContentCanAccessRemoteUrls is on so that a remote reference
would really be requested (and caught) instead of failing silently.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import json
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")  # must come before any QApplication exists

import geopandas as gpd
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import (
    QWebEngineSettings,
    QWebEngineUrlRequestInterceptor,
)
from shapely.geometry import MultiPolygon, Point, Polygon, box
from webpage import wait_js

from maps.web_page import (
    CLASS_COLOURS,
    KEY_ONLY_BELOW,
    LABELS_FROM,
    NO_DATA_COLOUR,
    PALETTE,
    area_payload,
    lod_zoom,
    measure_style,
    page_html,
    point_payload,
)
from ui.web_map import WebMapView

LOCAL = {"file", "qrc", "data", "gmtiles"}  # gmtiles: the offline basemap, served by Qt
RED = (0xE1, 0x1D, 0x48)
CELL_OPACITY = 0.85  # gridmap.js: cells are filled at this opacity over the white background
RED_ON_WHITE = tuple(round(CELL_OPACITY * c + (1 - CELL_OPACITY) * 255) for c in RED)
SHOT = Path("/tmp/gridmgr-web-map.png")


class Recorder(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.all: list[str] = []
        self.remote: list[str] = []

    def interceptRequest(self, info) -> None:
        url = info.requestUrl()
        self.all.append(url.toString()[:200])
        if url.scheme() not in LOCAL:
            self.remote.append(url.toString())
            info.block(True)


def squares(n: int = 4, x0: float = 113.1, y0: float = 23.0, size: float = 0.008,
            step: float = 0.01, prefix: str = "c") -> gpd.GeoDataFrame:
    geoms = [box(x0 + i * step, y0, x0 + i * step + size, y0 + size) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"{prefix}{i}" for i in range(n)],
                             "name": [f"网格{i}" for i in range(n)]},
                            geometry=geoms, crs="EPSG:4490")


def frames() -> dict[str, gpd.GeoDataFrame]:
    street = gpd.GeoDataFrame({"code": ["s1"], "name": ["祖庙街道"]},
                              geometry=[box(113.095, 22.995, 113.143, 23.013)], crs="EPSG:4490")
    return {"street": street, "cell": squares()}


def eval_js(qtbot, view: WebMapView, script: str, timeout: int = 10_000):
    qtbot.waitUntil(lambda: view.is_loaded, timeout=timeout)
    box_: list = []
    view.page().runJavaScript(f"JSON.stringify({script})", 0, box_.append)
    qtbot.waitUntil(lambda: bool(box_), timeout=timeout)
    return json.loads(box_[0]) if box_[0] is not None else None




def count_colour(img: QImage, rgb: tuple[int, ...], tol: int = 12, step: int = 3) -> int:
    n = 0
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            c = img.pixelColor(x, y)
            if (abs(c.red() - rgb[0]) <= tol and abs(c.green() - rgb[1]) <= tol
                    and abs(c.blue() - rgb[2]) <= tol):
                n += 1
    return n


def dispose(view) -> None:
    """Delete the view (and its page) now, not at interpreter exit: QtWebEngine warns, and can
    crash, when its profile goes away while a page is still alive."""
    from PySide6.QtCore import QCoreApplication, QEvent

    view.close()
    view.page().deleteLater()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def view(qtbot):
    v = WebMapView(autoload=False)
    qtbot.addWidget(v)
    rec = Recorder()
    profile = v.page().profile()
    profile.setUrlRequestInterceptor(rec)
    v.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
                              True)
    v.resize(800, 600)
    v.show()
    v.recorder = rec
    with qtbot.waitSignal(v.loaded, timeout=20_000):
        v.load_page()
    yield v
    profile.setUrlRequestInterceptor(None)
    dispose(v)


@pytest.fixture
def drawn(qtbot, view):
    """The view with a street and four cells pushed, drawn and the bridge connected."""
    t0 = time.perf_counter()
    view.set_frames(frames())
    stats = wait_js(qtbot, view, "gridmap.stats()",
                    lambda s: s["drawn"] == 5 and s["bridge"])
    view.timings["push"] = time.perf_counter() - t0
    assert stats["levels"] == {"street": 1, "cell": 4}
    return view


def test_page_references_only_local_files():
    html = page_html()
    assert "leaflet.js" in html and "qrc:///qtwebchannel/qwebchannel.js" in html
    for cdn in ("http://", "https://", "jquery", "bootstrap", "awesome"):
        assert cdn not in html


def test_payload_is_flat_and_complete():
    hole = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    multi = MultiPolygon([box(10, 0, 11, 1), box(12, 0, 13, 1)])
    gdf = gpd.GeoDataFrame({"code": ["a", "b"], "name": ["甲", None]},
                           geometry=[hole, multi], crs="EPSG:4490")
    p = area_payload(gdf)
    assert p["codes"] == ["a", "b"] and p["names"] == ["甲", ""]
    assert p["feature_polys"] == [1, 3]      # a: one polygon, b: two
    assert p["poly_rings"] == [2, 3, 4]      # a's polygon has a hole
    assert p["ring_ends"] == [4, 8, 12, 16]  # closing points dropped
    assert len(p["coords"]) == 32


def test_offline_page_draws_pushed_areas(qtbot, drawn):
    rec = drawn.recorder
    assert rec.remote == []
    assert any(u.endswith("/maps/vendor/leaflet/leaflet.js") for u in rec.all), rec.all
    assert "qrc:///qtwebchannel/qwebchannel.js" in rec.all
    print(f"\nload {drawn.timings['load']:.3f} s, push+draw 5 areas {drawn.timings['push']:.3f} s")


def test_interceptor_would_see_a_remote_request(qtbot, drawn):
    """The offline check is not vacuous: a remote reference from this page is seen."""
    drawn.page().runJavaScript(
        "var i = document.createElement('img'); i.src = 'https://example.invalid/x.png';"
        "document.body.appendChild(i);")
    qtbot.waitUntil(lambda: bool(drawn.recorder.remote), timeout=10_000)
    assert drawn.recorder.remote == ["https://example.invalid/x.png"]


def test_click_and_shift_click_reach_python(qtbot, drawn):
    x, y = eval_js(qtbot, drawn, "gridmap.pointOf('c2')")
    target = drawn.focusProxy() or drawn
    with qtbot.waitSignal(drawn.areaClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x), round(y)))
    assert sig.args == ["c2"]
    x, y = eval_js(qtbot, drawn, "gridmap.pointOf('c0')")
    with qtbot.waitSignal(drawn.areaShiftClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                         QPoint(round(x), round(y)))
    assert sig.args == ["c0"]


def test_select_and_colours_change_the_page(qtbot, drawn):
    drawn.select({"c1", "c3"})
    drawn.set_colours("cell", {"c0": "#e11d48"})
    stats = wait_js(qtbot, drawn, "gridmap.stats()", lambda s: s["selected"])
    assert sorted(stats["selected"]) == ["c1", "c3"]
    assert eval_js(qtbot, drawn, "gridmap.styleOf('c0')")["fillColor"] == "#e11d48"
    assert eval_js(qtbot, drawn, "gridmap.styleOf('c1')")["color"] == "#f59e0b"
    assert eval_js(qtbot, drawn, "gridmap.styleOf('c2')")["fillColor"] == "#f1f5f9"
    drawn.select(set())
    wait_js(qtbot, drawn, "gridmap.stats()", lambda s: s["selected"] == [])
    assert eval_js(qtbot, drawn, "gridmap.styleOf('c1')")["color"] == "#9ca3af"
    z0 = eval_js(qtbot, drawn, "gridmap.stats()")["zoom"]
    drawn.fly_to("c3", animate=False)
    wait_js(qtbot, drawn, "gridmap.stats()", lambda s: s["zoom"] > z0)


def test_grab_shows_coloured_cells(qtbot, drawn):
    drawn.set_colours("cell", {"c0": "#e11d48", "c2": "#e11d48"})
    drawn.select({"c1"})
    found: dict = {}

    def red_enough() -> bool:
        found["img"] = drawn.grab().toImage()
        found["red"] = count_colour(found["img"], RED_ON_WHITE)
        # the selection is its own canvas, pushed by a second call: it may come a frame later
        return found["red"] > 500 and count_colour(found["img"], (0xF5, 0x9E, 0x0B)) > 20

    try:
        qtbot.waitUntil(red_enough, timeout=10_000)
    except qtbot.TimeoutError:
        found["img"].save(str(SHOT))
        raise AssertionError(f"{found['red']} red samples, see {SHOT}") from None
    img = found["img"]
    assert img.save(str(SHOT))
    assert count_colour(img, (0xF5, 0x9E, 0x0B)) > 20  # the selected cell's outline


def grid(n: int, size: float = 0.001) -> gpd.GeoDataFrame:
    """n × n touching square cells, names missing."""
    geoms = [box(113.1 + i * size, 23.0 + j * size, 113.1 + (i + 1) * size, 23.0 + (j + 1) * size)
             for j in range(n) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"g{k}" for k in range(n * n)], "name": [None] * (n * n)},
                            geometry=geoms, crs="EPSG:4490")


def test_pushes_before_load_are_queued_and_replace(qtbot):
    v = WebMapView()
    v.resize(600, 400)
    v.show()
    assert not v.is_loaded  # (disposed of at the end, not by qtbot: see dispose)
    v.set_frames({"cell": squares(prefix="old")})  # queued while the page loads
    t0 = time.perf_counter()
    v.set_frames({"cell": grid(50)})
    with qtbot.waitSignal(v.painted, timeout=20_000):
        v.notify_painted()
    stats = eval_js(qtbot, v, "gridmap.stats()")
    assert stats["levels"] == {"cell": 2500} and stats["paints"] == 1
    assert eval_js(qtbot, v, "gridmap.styleOf('old0')") is None
    # levels of detail: 100 m cells fitted into 600 px are under 6 px wide, so not drawn yet
    assert stats["zoom"] < stats["minZoom"]["cell"] and stats["drawn"] == 0
    v.run_js(f"gridmap.setView(23.025, 113.125, {stats['minZoom']['cell'] + 1})")
    stats = wait_js(qtbot, v, "gridmap.stats()", lambda s: s["drawn"] > 0)
    assert stats["shown"] == {"cell": True} and stats["drawn"] < 2500  # only those in view
    print(f"\nload+push+draw 2500 cells {time.perf_counter() - t0:.3f} s")
    dispose(v)


# -- enterprises ---------------------------------------------------------------------------

def enterprises() -> gpd.GeoDataFrame:
    """Three enterprises on cells c1, c2, c3: one key (国控), two not; one has no credit code."""
    return gpd.GeoDataFrame(
        {"uuid": ["u-1", "u-2", "u-3"],
         "credit_code": ["91440600MA00000001", None, "91440600MA00000003"],
         "name": ["佛山钢铁", "南海印染", "禅城小五金"],
         "supervision_class": ["国控", "市控", "一般"]},
        geometry=[Point(113.114, 23.004), Point(113.124, 23.004), Point(113.134, 23.002)],
        crs="EPSG:4490")


def test_point_payload_codes_classes_coords():
    gdf = enterprises()
    gdf.loc[3] = ["u-4", "", "无坐标", "省控", None]  # no geometry: left out
    p = point_payload(gdf)
    assert p["codes"] == ["91440600MA00000001", "u-2", "91440600MA00000003"]
    assert p["classes"] == ["国控", "市控", "一般"]
    assert p["names"][1] == "南海印染"
    assert p["coords"] == [113.114, 23.004, 113.124, 23.004, 113.134, 23.002]


def test_class_colours_are_the_painter_maps():
    from maps.render import CLASS_COLOURS as PAINTER_COLOURS
    assert CLASS_COLOURS == PAINTER_COLOURS


def test_points_by_zoom_and_click(qtbot, drawn):
    drawn.set_points(enterprises())
    stats = wait_js(qtbot, drawn, "gridmap.pointStats()", lambda s: s["total"] == 3)
    assert stats["zoom"] >= KEY_ONLY_BELOW  # fitted to four cells: all shown
    assert stats["shown"] == {"国控": 1, "市控": 1, "一般": 1}
    drawn.run_js(f"gridmap.setView(23.004, 113.12, {KEY_ONLY_BELOW - 2})")
    stats = wait_js(qtbot, drawn, "gridmap.pointStats()", lambda s: s["zoom"] < KEY_ONLY_BELOW)
    assert stats["shown"] == {"国控": 1}  # zoomed out: key enterprises only
    drawn.zoom_to_all()
    wait_js(qtbot, drawn, "gridmap.pointStats()", lambda s: len(s["shown"]) == 3)
    # a click on the marker (on top of cell c1) is the enterprise's, not the cell's
    x, y = eval_js(qtbot, drawn, "gridmap.pointOfMarker('91440600MA00000001')")
    areas: list[str] = []
    drawn.areaClicked.connect(areas.append)
    target = drawn.focusProxy() or drawn
    with qtbot.waitSignal(drawn.pointClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x), round(y)))
    assert sig.args == ["91440600MA00000001"]
    x, y = eval_js(qtbot, drawn, "gridmap.pointOfMarker('u-2')")
    with qtbot.waitSignal(drawn.pointClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x), round(y)))
    assert sig.args == ["u-2"]
    assert areas == []


# -- measures and legend -------------------------------------------------------------------

def test_measure_style_quantiles_and_bins():
    codes = [f"c{i}" for i in range(11)]
    colours, legend = measure_style(codes, {c: i for i, c in enumerate(codes[:10])}, "企业数")
    assert [e["colour"] for e in legend["entries"]] == [*PALETTE, NO_DATA_COLOUR]
    assert legend["entries"][0]["label"] == "0 – 1.8" and legend["entries"][-1]["label"] == "无数据"
    assert colours[0] == PALETTE[0] and colours[9] == PALETTE[4] and colours[10] == NO_DATA_COLOUR
    # given bins; outside values clamp to the ends; non-numbers are missing
    colours, legend = measure_style(["a", "b", "c", "d"], {"a": -3, "b": 10, "c": "x", "d": 2},
                                    "重点企业", bins=[0, 1, 5])
    assert [e["label"] for e in legend["entries"]] == ["0 – 1", "1 – 5", "无数据"]
    assert colours == [PALETTE[0], PALETTE[4], NO_DATA_COLOUR, PALETTE[4]]
    # all equal: one class
    colours, legend = measure_style(["a", "b"], {"a": 2, "b": 2}, "x")
    assert len(legend["entries"]) == 2 and colours[0] == colours[1] != NO_DATA_COLOUR
    with pytest.raises(ValueError):
        measure_style(["a"], {"a": 1}, "x", bins=list(range(8)))


def test_measure_colours_cells_and_shows_legend(qtbot, drawn):
    legend = drawn.set_measure("cell", {"c0": 0, "c1": 2.5, "c2": 4.9}, "企业数",
                               bins=[0, 1, 2, 3, 4, 5])
    assert len(legend["entries"]) == 6
    html = wait_js(qtbot, drawn, "gridmap.legendHtml()", lambda h: bool(h))
    assert "企业数" in html and "无数据" in html
    for lo in range(5):
        assert f"{lo} – {lo + 1}" in html
    assert html.count("gm-legend-row") == 6
    fills = {c: eval_js(qtbot, drawn, f"gridmap.styleOf('{c}')")["fillColor"]
             for c in ("c0", "c1", "c2", "c3")}
    assert fills == {"c0": PALETTE[0], "c1": PALETTE[2], "c2": PALETTE[4], "c3": NO_DATA_COLOUR}
    drawn.clear_measure("cell")
    wait_js(qtbot, drawn, "gridmap.legendHtml()", lambda h: h is None)
    assert eval_js(qtbot, drawn, "gridmap.styleOf('c0')")["fillColor"] == "#f1f5f9"


# -- labels --------------------------------------------------------------------------------

def test_labels_only_when_zoomed_in(qtbot, drawn):
    stats = eval_js(qtbot, drawn, "gridmap.labelStats()")
    assert stats["zoom"] < LABELS_FROM and stats["count"] == 0
    drawn.fly_to("c2", animate=False)
    stats = wait_js(qtbot, drawn, "gridmap.labelStats()", lambda s: s["count"] > 0)
    assert stats["zoom"] >= LABELS_FROM and "c2" in stats["codes"]
    drawn.zoom_to_all()
    wait_js(qtbot, drawn, "gridmap.labelStats()", lambda s: s["count"] == 0)


SHOT_MEASURE = Path("/tmp/gridmgr-web-map-measure.png")
TOP_ON_WHITE = tuple(round(CELL_OPACITY * int(PALETTE[4][i:i + 2], 16) + (1 - CELL_OPACITY) * 255)
                     for i in (1, 3, 5))


def test_grab_shows_markers_and_legend(qtbot, drawn):
    drawn.set_measure("cell", {"c0": 1, "c1": 3, "c2": 7}, "企业数")
    drawn.set_points(enterprises())
    wait_js(qtbot, drawn, "gridmap.pointStats()", lambda s: len(s["shown"]) == 3)
    wait_js(qtbot, drawn, "gridmap.legendHtml()", lambda h: bool(h))
    found: dict = {}

    def painted() -> bool:  # (国控 shares its red with the street outline: not a sign)
        found["img"] = img = drawn.grab().toImage()
        found["city"] = count_colour(img, (0xCA, 0x8A, 0x04), tol=10, step=1)  # 市控 marker
        found["top"] = count_colour(img, TOP_ON_WHITE, tol=10, step=2)  # top class fill
        return found["city"] > 10 and found["top"] > 200

    try:
        qtbot.waitUntil(painted, timeout=10_000)
    finally:
        found["img"].save(str(SHOT_MEASURE))
    assert count_colour(found["img"], (0x64, 0x74, 0x8B), tol=10, step=1) > 10  # 一般 marker


# -- levels of detail ----------------------------------------------------------------------

def detailed(n: int = 6, size: float = 0.01) -> gpd.GeoDataFrame:
    """n × n touching squares whose edges carry a vertex every ~10 m (like surveyed outlines)."""
    import shapely

    g = grid(n, size)
    g["geometry"] = shapely.segmentize(np.asarray(g.geometry.values), size / 100)
    return g


def test_coarse_geometry_keeps_the_coverage():
    import shapely

    g = detailed()
    p = area_payload(g)
    assert "coarse" in p
    fine_pts, coarse_pts = len(p["coords"]) // 2, len(p["coarse"]["coords"]) // 2
    assert coarse_pts < 0.2 * fine_pts  # far fewer vertices where the layer is small
    assert p["coarse"]["below"] == lod_zoom(np.asarray(g.geometry.values)) + 3
    assert len(p["coarse"]["feature_polys"]) == len(g)
    # rebuilt from the coarse arrays the squares still tile: no gaps, no overlaps
    xy = np.asarray(p["coarse"]["coords"]).reshape(-1, 2)
    ends = [0, *p["coarse"]["ring_ends"]]
    polys = [shapely.Polygon(xy[a:b]) for a, b in zip(ends[:-1], ends[1:])]
    union = shapely.union_all(polys)
    assert abs(union.area - sum(x.area for x in polys)) < 1e-12
    assert abs(union.area - shapely.union_all(g.geometry.values).area) < 1e-9
    small = area_payload(g, coarse=False)
    assert "coarse" not in small and small["coords"] == p["coords"]


def test_page_draws_coarse_outlines_when_zoomed_out(qtbot, view):
    view.set_frames({"community": detailed()})
    wait_js(qtbot, view, "gridmap.stats()", lambda s: s["drawn"] == 36)
    below = area_payload(detailed())["coarse"]["below"]
    view.run_js(f"gridmap.setView(23.03, 113.13, {below - 2})")
    stats = wait_js(qtbot, view, "gridmap.stats()", lambda s: s["zoom"] == below - 2)
    assert stats["coarse"] == {"community": True} and stats["drawn"] == 36
    view.run_js(f"gridmap.setView(23.03, 113.13, {below})")
    stats = wait_js(qtbot, view, "gridmap.stats()", lambda s: s["zoom"] == below)
    assert stats["coarse"] == {"community": False}


# -- the binary payload (what the window pushes) and the page built without folium
def holed() -> gpd.GeoDataFrame:
    """A cell with a hole, a cell of two parts (the second with two holes), a plain cell."""
    x, y, d = 113.1, 23.0, 0.004
    hole = Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)],
                   [[(x + d / 4, y + d / 4), (x + 3 * d / 4, y + d / 4),
                     (x + 3 * d / 4, y + 3 * d / 4), (x + d / 4, y + 3 * d / 4)]])
    x2 = x + 1.5 * d
    part2 = Polygon([(x2 + d, y), (x2 + 3 * d, y), (x2 + 3 * d, y + d), (x2 + d, y + d)],
                    [[(x2 + 1.2 * d, y + 0.3 * d), (x2 + 1.6 * d, y + 0.3 * d),
                      (x2 + 1.6 * d, y + 0.7 * d), (x2 + 1.2 * d, y + 0.7 * d)],
                     [(x2 + 2.2 * d, y + 0.3 * d), (x2 + 2.6 * d, y + 0.3 * d),
                      (x2 + 2.6 * d, y + 0.7 * d)]])
    multi = MultiPolygon([box(x2, y, x2 + 0.8 * d, y + d), part2])
    return gpd.GeoDataFrame({"code": ["h", "m", "p"], "name": ["有洞", "两块", None]},
                            geometry=[hole, multi, box(x, y + 1.5 * d, x + d, y + 2.5 * d)],
                            crs="EPSG:4490")


def test_binary_payload_decodes_to_the_json_one():
    from gridmgr.geometry import Rings, rings_of
    from gridmgr.storage.records import MapAreas
    from maps.web_page import decode_binary

    gdf = holed()
    ref = area_payload(gdf)
    assert ref["feature_polys"] == [1, 3, 4] and ref["poly_rings"] == [2, 3, 6, 7]
    binary = area_payload(gdf, binary=True)
    assert set(binary) >= {"origin", "scale", "xy", "ring_ends", "poly_rings", "feature_polys"}
    assert "coords" not in binary
    assert {**ref, **decode_binary(binary)} == ref  # the very same numbers
    areas = MapAreas(list(gdf["code"]), list(gdf["name"]), [None] * 3, np.zeros(3),
                     rings_of(gdf.geometry.values), "EPSG:4490")
    assert isinstance(areas.rings, Rings)
    assert area_payload(areas) == ref  # the store's read gives the same payload
    assert area_payload(areas, binary=True, names=False)["names"] == []


def test_the_page_is_what_folium_renders():
    from maps.web_page import folium_page_html

    assert page_html() == folium_page_html()


def test_the_page_reads_binary_holes_and_parts(qtbot, view):
    """Pushed as binary (set_frames), a place in a hole is in no cell, each part of a
    multipolygon is its cell, and a click on a part selects that cell."""
    view.set_frames({"cell": holed()})
    wait_js(qtbot, view, "gridmap.stats()", lambda s: s["drawn"] == 3 and s["bridge"])
    x, y, d = 113.1, 23.0, 0.004
    x2 = x + 1.5 * d
    at = {(x + d / 8, y + d / 2): "h", (x + d / 2, y + d / 2): None,  # the ring, its hole
          (x2 + 0.4 * d, y + d / 2): "m", (x2 + 2 * d, y + d / 2): "m",  # both parts
          (x2 + 1.4 * d, y + d / 2): None, (x2 + 2.5 * d, y + 0.4 * d): None,  # their holes
          (x + d / 2, y + 2 * d): "p", (x + 10 * d, y): None}
    for (lon, lat), code in at.items():
        assert eval_js(qtbot, view, f"gridmap.codeAt({lon}, {lat})") == code, (lon, lat)
    px, py = eval_js(qtbot, view, "gridmap.pointOf('m')")
    target = view.focusProxy() or view
    with qtbot.waitSignal(view.areaClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(px), round(py)))
    assert sig.args == ["m"]
