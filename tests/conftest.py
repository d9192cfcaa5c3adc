"""Shared fixtures: a fresh project and helpers that write small vector files in tmp_path.

Test geometry lives in CGCS2000 / 3-degree Gauss-Krüger CM 114°E (EPSG:4547), near Foshan
(x ≈ 398 km is about 113.0°E, y ≈ 2548 km about 23.03°N); a square is given by its lower-left
corner in metres from (X0, Y0).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Polygon, box

from gridmgr.project import init_project
from gridmgr.storage import Store

GK_CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
X0, Y0 = 398_000.0, 2_548_000.0


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty project (禅城区, 440604, EPSG:4490) open for writing."""
    store = init_project(tmp_path / "project.gpkg", name="禅城区", admin_code="440604")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def gk_square() -> Callable[..., Polygon]:
    """``gk_square(x, y, w=100, h=None)``: a w×h box, lower-left (x, y) metres from (X0, Y0)."""

    def make(x: float, y: float, w: float = 100.0, h: float | None = None) -> Polygon:
        return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + (w if h is None else h))

    return make


def hide_dbf_encoding(shp: Path) -> None:
    """Leave nothing in a Shapefile that names its DBF encoding: no .cpg, LDID byte 0."""
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        cpg.unlink(missing_ok=True)
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # language driver id
    dbf.write_bytes(bytes(data))


@pytest.fixture
def write_vector(tmp_path: Path) -> Callable[..., Path]:
    """``write_vector(name, columns, geoms, crs=GK_CRS, …)`` → path of a file written by GDAL.

    The driver follows the suffix of ``name``.  ``encoding`` is passed to pyogrio (Shapefile
    DBF encoding); ``hide_encoding`` removes every trace of it (see :func:`hide_dbf_encoding`);
    ``drop_prj`` deletes the Shapefile's .prj so that the file has no CRS.
    """

    def write(name: str, columns: dict[str, Sequence[Any]], geoms: Sequence[Any], *,
              crs: str | None = GK_CRS, encoding: str | None = None,
              hide_encoding: bool = False, drop_prj: bool = False, **kw: Any) -> Path:
        path = tmp_path / name
        gdf = gpd.GeoDataFrame(dict(columns), geometry=list(geoms), crs=crs)
        if encoding:
            kw["encoding"] = encoding
        with warnings.catch_warnings():  # GDAL cutting long DBF field names is expected
            warnings.filterwarnings("ignore", ".*laundered", RuntimeWarning)
            pyogrio.write_dataframe(gdf, path, **kw)
        if hide_encoding:
            hide_dbf_encoding(path)
        if drop_prj:
            path.with_suffix(".prj").unlink()
        return path

    return write


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project (Chancheng: grid, enterprises, officers, assignments), built once per
    test run through the real import code and made read-only, so that no test can change
    what the others read; a test that writes takes ``demo_copy``."""
    import os

    from gridmgr.demo import build_demo
    from gridmgr.progress import run

    path = run(build_demo(tmp_path_factory.mktemp("demo") / "demo.gpkg"))
    os.chmod(path, 0o444)
    return path


@pytest.fixture(scope="session")
def mixed_district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A large rural town beside four small urban streets (issue 16; tests/mixed_district.py),
    built from GBK Shapefiles and an Amap-coordinate CSV, read-only like ``demo``."""
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import mixed_district as md

    work = tmp_path_factory.mktemp("mixed")
    path = md.build(work / "mixed.gpkg", work / "files")
    os.chmod(path, 0o444)
    return path


@pytest.fixture
def demo_copy(demo: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo project."""
    path = tmp_path / "demo-copy.gpkg"
    path.write_bytes(demo.read_bytes())
    return path


@pytest.fixture(autouse=True, scope="session")
def private_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Recent projects and the last project go to a temporary place, not the user's own."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:
        return
    path = str(tmp_path_factory.mktemp("qtsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, path)


@pytest.fixture(autouse=True, scope="session")
def web_pages_go_before_qt() -> Iterator[None]:
    """At the end of the session, delete the windows left over (and their QtWebEngine pages)
    while Qt is still up: a page that outlives its profile at exit crashes the interpreter
    ("Release of profile requested but WebEnginePage still not deleted")."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
