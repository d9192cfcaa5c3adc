"""Shared fixtures: a fresh project and helpers that write small vector files in tmp_path.

Test geometry lives in CGCS2000 / 3-degree Gauss-Krüger CM 114°E (EPSG:4547), near Foshan
(x ≈ 398 km is about 113.0°E, y ≈ 2548 km about 23.03°N); a square is given by its lower-left
corner in metres from (X0, Y0).
"""

from __future__ import annotations

import itertools
import os
import sys
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend", choices=("gpkg", "postgis"),
        default=os.environ.get("GRIDMGR_TEST_BACKEND", "gpkg"),
        help="where the fixtures' projects live: a GeoPackage file (default) or a schema on a "
             "throwaway PostgreSQL/PostGIS cluster started for the run (127.0.0.1 only)")
    parser.addoption("--soak", type=int, default=0, metavar="N",
                     help="fault suite: kill each long command N times (default: a few, for CI)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpkg_only: checks the project file itself (bytes, "
                                       "GDAL, SQLite); skipped with --backend postgis")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--backend") != "postgis":
        return
    skip = pytest.mark.skip(reason="the project file itself: GeoPackage only")
    for item in items:
        # the fault suite kills processes writing a project file and reads its journal; its
        # races between desks (test_concurrency) and its kills of push/pull (which talk to
        # the run's own cluster, pg_server, in either suite) run on the server too
        faults = ("tests/faults/" in item.nodeid and "test_concurrency" not in item.nodeid
                  and "pg_server" not in getattr(item, "fixturenames", ()))
        if "gpkg_only" in item.keywords or faults:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--backend"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL cluster of the run's own (initdb + pg_ctl on a free loopback port, SCRAM
    password in PGPASSWORD), started when a test first needs it and stopped at the end."""
    import secrets
    import shutil
    import tempfile

    from gridmgr.storage.postgis import localserver

    base = Path(tempfile.mkdtemp(prefix="gridmgr-test-pg-"))  # pytest's tmp is root-only;
    os.chmod(base, 0o755)  # the cluster runs as postgres when the tests run as root
    folder = base / "cluster"
    password = secrets.token_hex(12)
    server = localserver.start(folder, password=password)
    old = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = password
    try:
        yield server
    finally:
        localserver.stop(folder)
        shutil.rmtree(base, ignore_errors=True)
        if old is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = old


_schemas = itertools.count(1)


@pytest.fixture
def new_location(backend: str, request: pytest.FixtureRequest, tmp_path: Path
                 ) -> Callable[[str], Any]:
    """Where a test's new project goes: ``tmp_path / name`` for files, a fresh schema for the
    server (so a test written for files runs unchanged on both)."""

    def make(name: str = "project.gpkg") -> Any:
        if backend != "postgis":
            return tmp_path / name
        pg_server = request.getfixturevalue("pg_server")
        return pg_server.url("postgres", schema=f"t{next(_schemas)}_{Path(name).stem}"[:60]
                             .replace("-", "_").lower())

    return make


@pytest.fixture
def project(new_location: Callable[[str], Any]) -> Iterator[Store]:
    """A fresh, empty project (禅城区, 440604, EPSG:4490) open for writing."""
    store = init_project(new_location("project.gpkg"), name="禅城区", admin_code="440604")
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
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project file (Chancheng: grid, enterprises, officers, assignments), built once
    per test run through the real import code and made read-only."""
    from gridmgr.demo import build_demo
    from gridmgr.progress import run

    path = run(build_demo(tmp_path_factory.mktemp("demo") / "demo.gpkg"))
    os.chmod(path, 0o444)
    return path


@pytest.fixture(scope="session")
def demo(demo_file: Path, backend: str, request: pytest.FixtureRequest) -> Any:
    """The demo project, shared by the tests that only read it (a test that writes takes
    ``demo_copy``): the read-only file, or — with ``--backend postgis`` — the file pushed once
    to the run's server."""
    if backend != "postgis":
        return demo_file
    from gridmgr.storage.postgis.transfer import push

    url = request.getfixturevalue("pg_server").url("postgres", schema="demo")
    push(demo_file, url)
    return url


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
def demo_copy(demo_file: Path, new_location: Callable[[str], Any], backend: str) -> Any:
    """A private, writable copy of the demo project."""
    target = new_location("demo-copy.gpkg")
    if backend != "postgis":
        target.write_bytes(demo_file.read_bytes())
        return target
    from gridmgr.storage.postgis.transfer import push

    push(demo_file, target)
    return target


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



@pytest.fixture(autouse=True)
def modal_boxes_never_block(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A message box no test expected would wait for a click that never comes (offscreen, in
    CI): each static QMessageBox call (and QInputDialog.getText, answered "cancel") is recorded
    and answered at once, so an unexpected error fails the test that waits for its result
    instead of hanging the run.  Tests that expect a box patch it themselves."""
    try:
        from PySide6.QtWidgets import QInputDialog, QMessageBox
    except ImportError:  # pragma: no cover - the core's tests need no Qt
        return []
    shown: list[tuple[str, str]] = []

    def answer(kind: str, default: Any) -> Any:
        def box(_parent: Any, title: str, text: str, *rest: Any, **kw: Any) -> Any:
            shown.append((kind, f"{title}: {text}"))
            print(f"[{kind} box] {title}: {text}", file=sys.stderr)
            return default
        return staticmethod(box)

    for kind, default in (("critical", QMessageBox.StandardButton.Ok),
                          ("warning", QMessageBox.StandardButton.Ok),
                          ("information", QMessageBox.StandardButton.Ok),
                          ("question", QMessageBox.StandardButton.No)):
        monkeypatch.setattr(QMessageBox, kind, answer(kind, default))

    def no_text(_parent: Any, title: str, label: str, *rest: Any, **kw: Any) -> tuple[str, bool]:
        shown.append(("input", f"{title}: {label}"))
        print(f"[input box] {title}: {label}", file=sys.stderr)
        return "", False  # as if cancelled

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(no_text))
    return shown


@pytest.fixture
def small(project, tmp_path, write_vector, gk_square):
    """The small hand-counted project (tests/small_district.py)."""
    import small_district

    return small_district.build(project, tmp_path, write_vector, gk_square)
