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
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import (
    QWebEngineSettings,
    QWebEngineUrlRequestInterceptor,
)
from shapely.geometry import MultiPolygon, Polygon, box

from maps.web_page import area_payload, page_html
from ui.web_map import WebMapView

LOCAL = {"file", "qrc", "data"}
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


def wait_js(qtbot, view: WebMapView, script: str, pred, timeout: int = 15_000):
    """Poll ``script`` in the page until ``pred(result)``; returns the result."""
    qtbot.waitUntil(lambda: view.is_loaded, timeout=timeout)  # scripts sent earlier get lost
    state: dict = {"busy": False}

    def got(result) -> None:
        state["value"] = json.loads(result) if isinstance(result, str) else result
        state["busy"] = False

    def check() -> bool:
        if "value" in state and pred(state["value"]):
            return True
        if not state["busy"]:
            state["busy"] = True
            view.page().runJavaScript(f"JSON.stringify({script})", 0, got)
        return False

    try:
        qtbot.waitUntil(check, timeout=timeout)
    except qtbot.TimeoutError as exc:
        raise AssertionError(f"{script} → {state.get('value')!r}") from exc
    return state["value"]


def count_colour(img: QImage, rgb: tuple[int, ...], tol: int = 12, step: int = 3) -> int:
    n = 0
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            c = img.pixelColor(x, y)
            if (abs(c.red() - rgb[0]) <= tol and abs(c.green() - rgb[1]) <= tol
                    and abs(c.blue() - rgb[2]) <= tol):
                n += 1
    return n


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
        return found["red"] > 500

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
    qtbot.addWidget(v)
    v.resize(600, 400)
    v.show()
    assert not v.is_loaded
    v.set_frames({"cell": squares(prefix="old")})  # queued while the page loads
    t0 = time.perf_counter()
    v.set_frames({"cell": grid(50)})
    stats = wait_js(qtbot, v, "gridmap.stats()", lambda s: s["drawn"] == 2500)
    assert stats["levels"] == {"cell": 2500}
    assert eval_js(qtbot, v, "gridmap.styleOf('old0')") is None
    print(f"\nload+push+draw 2500 cells {time.perf_counter() - t0:.3f} s")
