"""The optional offline basemap: tiles from an MBTiles file (or an XYZ folder) reach the map page
through the gmtiles: scheme — served by Qt, with no HTTP server and no request leaving the
machine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtWebEngineCore import QWebEngineSettings
from test_web_map import Recorder, dispose, frames, wait_js

from gridmgr.errors import InputFileError
from gridmgr.storage.tiles import TileSource
from ui.web_map import WebMapView

GREEN = "#22c55e"


def png(colour: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data)


def xyz(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    la = math.radians(lat)
    y = int((1 - math.log(math.tan(la) + 1 / math.cos(la)) / math.pi) / 2 * n)
    return x, y


def mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes]) -> Path:
    """A minimal MBTiles file; ``tiles`` keyed by XYZ (stored TMS, y flipped)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                "tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)",
                    [("name", "test"), ("format", "png"), ("minzoom", "10"), ("maxzoom", "14")])
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    con.commit()
    con.close()
    return path


def test_tile_source_flips_y_for_mbtiles_not_for_folders(tmp_path):
    a, b = png("#ff0000"), png("#0000ff")
    src = TileSource(mbtiles(tmp_path / "t.mbtiles", {(3, 6, 1): a, (3, 6, 6): b}))
    assert src.tile(3, 6, 1) == a and src.tile(3, 6, 6) == b  # XYZ in, TMS rows inside
    assert src.tile(3, 6, 2) is None and src.tile(3, 8, 1) is None  # none there / outside
    assert (src.format, src.mime, src.minzoom, src.maxzoom) == ("png", "image/png", 10, 14)
    folder = tmp_path / "xyz"
    (folder / "3" / "6").mkdir(parents=True)
    (folder / "3" / "6" / "1.png").write_bytes(a)
    src = TileSource(folder)
    assert src.tile(3, 6, 1) == a and src.tile(3, 6, 6) is None and src.maxzoom == 3
    bad = tmp_path / "bad.mbtiles"
    bad.write_text("not sqlite")
    with pytest.raises(InputFileError, match="MBTiles"):
        TileSource(bad)
    with pytest.raises(InputFileError, match="找不到底图"):
        TileSource(tmp_path / "missing.mbtiles")


def test_page_gets_tiles_from_the_mbtiles_and_nothing_else(qtbot, tmp_path):
    z = 14
    x0, y0 = xyz(113.12, 23.004, z)
    tiles = {(z, x, y): png(GREEN) for x in range(x0 - 3, x0 + 4) for y in range(y0 - 3, y0 + 4)}
    path = mbtiles(tmp_path / "basemap.mbtiles", tiles)

    v = WebMapView(autoload=False)
    qtbot.addWidget(v)
    rec = Recorder()
    v.page().profile().setUrlRequestInterceptor(rec)
    v.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
                              True)
    v.resize(800, 600)
    v.show()
    with qtbot.waitSignal(v.loaded, timeout=20_000):
        v.load_page()
    try:
        v.set_frames(frames())
        v.set_basemap(str(path))
        wait_js(qtbot, v, "gridmap.stats()", lambda s: s["drawn"] == 5)
        v.run_js(f"gridmap.setView(23.004, 113.12, {z})")
        stats = wait_js(qtbot, v, "gridmap.basemapStats()", lambda s: s["loaded"] >= 4)
        assert stats["on"]
        assert v.tiles.served >= 4  # answered from the file
        tile_urls = [u for u in rec.all if u.startswith("gmtiles:")]
        assert tile_urls and all(u.startswith(f"gmtiles:/{v.tiles.version}/{z}/") for u in
                                 tile_urls)
        assert rec.remote == []  # the only non-file requests were our own scheme
        assert "底图" in wait_js(qtbot, v, "gridmap.controlNames()", lambda n: "底图" in n)

        def green_seen() -> bool:
            img = v.grab().toImage()
            return sum(1 for yy in range(0, img.height(), 8) for xx in range(0, img.width(), 8)
                       if img.pixelColor(xx, yy).name() == GREEN) > 100
        qtbot.waitUntil(green_seen, timeout=10_000)
        v.grab().save("/tmp/gridmgr-basemap.png")
        # none again: the layer goes, nothing more is asked for
        v.set_basemap(None)
        assert wait_js(qtbot, v, "gridmap.basemapStats()", lambda s: not s["on"])["loaded"] == 0
    finally:
        v.page().profile().setUrlRequestInterceptor(None)
        dispose(v)
