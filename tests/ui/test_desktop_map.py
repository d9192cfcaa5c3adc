"""The window with the Leaflet map on the demo: selecting through the page's bridge, rectangles,
assignment, tables → map, search, levels of detail, layers and measures — and nothing leaves
the machine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEngineSettings, QWebEngineUrlRequestInterceptor
from PySide6.QtWidgets import QApplication
from webpage import wait_js

from ui.app import CODE_ROLE, MainWindow, case_measures_available

LOCAL = {"file", "qrc", "data", "gmtiles"}
SHOTS = Path("/tmp/gridmgr-desktop")


class Recorder(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []

    def interceptRequest(self, info) -> None:
        url = info.requestUrl()
        if url.scheme() not in LOCAL:
            self.remote.append(url.toString())
            info.block(True)


@pytest.fixture
def win(qtbot, demo_copy):
    """The window on a writable demo copy, every page request recorded (remote ones blocked)."""
    w = MainWindow()
    qtbot.addWidget(w)
    rec = Recorder()
    w.map.page().profile().setUrlRequestInterceptor(rec)
    w.map.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    w.recorder = rec
    w.resize(1280, 860)
    w.show()
    with qtbot.waitSignal(w.map.painted, timeout=30_000):
        assert w.load(demo_copy)
    qtbot.waitExposed(w)
    yield w
    w.map.page().profile().setUrlRequestInterceptor(None)
    assert rec.remote == []  # every request of every test stayed local
    from PySide6.QtCore import QCoreApplication

    w.close()  # delete the page now, not at exit (QtWebEngine warns when the profile goes first)
    w.map.page().deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def page(qtbot, win, script: str, pred=lambda v: True, timeout: int = 15_000):
    return wait_js(qtbot, win.map, script, pred, timeout)


def frames(project: Path) -> dict:
    from gridmgr.project import open_project

    with open_project(project, readonly=True) as store:
        return {lv: store.areas(lv).to_crs("EPSG:4490") for lv in ("community", "cell")}


def merc_v(lat: float) -> float:
    la = math.radians(lat)
    return 0.5 - math.log(math.tan(math.pi / 4 + la / 2)) / (2 * math.pi)


def shot(qtbot, win, name: str) -> Path:
    """Save the whole window once the page has painted what was pushed (a grab before that
    can show the previous frame)."""
    with qtbot.waitSignal(win.map.painted, timeout=10_000):
        win.map.notify_painted()
    qtbot.wait(200)  # the frame reaches the widget a moment after the page painted it
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / name
    assert win.grab().save(str(path))
    return path


def test_select_shift_rectangle_and_assign(qtbot, win, demo_copy, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox

    from gridmgr.project import open_project
    from gridmgr.registers.responsibility import effective
    from ui.assign_dialog import AssignDialog

    first = "44060401200101"
    with open_project(demo_copy, readonly=True) as store:
        eff = effective(store).set_index("cell_code")
    win.map.bridge.areaClicked(first)  # what the page calls on a click
    text = win.detail_plain()
    assert (f"{eff.loc[first, 'primary_role']}：{eff.loc[first, 'primary_name']} "
            f"{eff.loc[first, 'primary_mobile']}") in text
    assert eff.loc[first, "supervisor_name"] in text
    assert win.tree.currentIndex().siblingAtColumn(0).data(CODE_ROLE) == first
    assert page(qtbot, win, "gridmap.stats()", lambda s: s["selected"] == [first])

    for code in ("44060401200103", "44060401200104"):  # shift-click adds …
        win.map.bridge.areaShiftClicked(code)
    win.map.bridge.areaShiftClicked("44060401200104")  # … and takes out again
    assert win.selection == {first, "44060401200103"}

    # a rectangle around two cells of another community (the page finds the cells in it)
    cells = frames(demo_copy)["cell"].set_index("code")
    pair = ["44060401200201", "44060401200202"]
    w, s, e, n = cells.loc[pair].total_bounds
    pad = 0.0002
    box = (s - pad, w - pad, n + pad, e + pad)
    b = cells.geometry.bounds
    cu = (b.minx + b.maxx) / 2
    cv = (b.miny.map(merc_v) + b.maxy.map(merc_v)) / 2
    inside = ((cu >= box[1]) & (cu <= box[3]) & (cv <= merc_v(box[0])) & (cv >= merc_v(box[2])))
    expected = set(cells.index[inside])
    assert set(pair) <= expected
    with qtbot.waitSignal(win.map.boxSelected, timeout=10_000) as sig:
        win.map.run_js("gridmap.boxSelect({}, {}, {}, {}, true)".format(*box))
    assert set(sig.args[0]) == expected and sig.args[1] is True
    assert win.selection == {first, "44060401200103"} | expected
    selected = sorted(win.selection)
    assert sorted(page(qtbot, win, "gridmap.stats()",
                       lambda st: len(st["selected"]) == len(selected))["selected"]) == selected

    win.map.fly_to(selected, animate=False)
    page(qtbot, win, "gridmap.labelStats()", lambda st: st["zoom"] >= 14)
    path = shot(qtbot, win, "selection.png")
    img = QImage(str(path))
    orange = sum(1 for y in range(0, img.height(), 2) for x in range(360, img.width(), 2)
                 if img.pixelColor(x, y).name() == "#f59e0b")
    assert orange > 50  # the selection outlines are on screen

    def fill_and_accept(dialog: AssignDialog) -> int:
        assert dialog.cells == selected
        dialog.officer.setCurrentIndex(dialog.officer.findData("CC0013"))
        dialog.role.setCurrentText("网格员")
        dialog.start.setDate(dialog.start.date().fromString("2026-06-01", "yyyy-MM-dd"))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(AssignDialog, "exec", fill_and_accept)
    win.assign_selected()
    with open_project(demo_copy, readonly=True) as store:
        eff = effective(store).set_index("cell_code")
        rows = store.responsibilities()
    for code in selected:
        assert eff.loc[code, "primary_staff_no"] == "CC0013"
        mine = rows[(rows["area_code"] == code) & (rows["staff_no"] == "CC0013")]
        assert list(mine["valid_from"]) == ["2026-06-01"]
    assert f"新增 {len(selected)} 条责任" in win.statusBar().currentMessage()


def test_shift_drag_on_the_page_selects_a_rectangle(qtbot, win):
    """A real shift-drag with the mouse: the page draws the rectangle and reports its cells."""
    win.map.fly_to("440604012001", animate=False)  # its community: cells about 50 px wide
    page(qtbot, win, "gridmap.stats()", lambda s: s["shown"]["cell"])
    x, y = page(qtbot, win, "gridmap.pointOf('44060401200101')")
    target = win.map.focusProxy() or win.map
    shift = Qt.KeyboardModifier.ShiftModifier
    left = Qt.MouseButton.LeftButton

    def send(kind, px, py, buttons) -> None:
        ev = QMouseEvent(kind, QPointF(px, py), target.mapToGlobal(QPointF(px, py)), left,
                         buttons, shift)
        QApplication.sendEvent(target, ev)

    with qtbot.waitSignal(win.map.boxSelected, timeout=10_000) as sig:
        send(QEvent.Type.MouseButtonPress, x - 60, y - 60, left)
        for k in range(1, 7):
            send(QEvent.Type.MouseMove, x - 60 + 20 * k, y - 60 + 20 * k, left)
            qtbot.wait(20)
        send(QEvent.Type.MouseButtonRelease, x + 60, y + 60, Qt.MouseButton.NoButton)
    codes, additive = sig.args
    assert additive is True and "44060401200101" in codes and len(codes) >= 2
    assert "44060401200101" in win.selection


def test_enterprise_in_the_table_selects_on_the_map(qtbot, win):
    view = win.registers["enterprises"]
    model = view.model
    rect = view.table.visualRect(model.index(3, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    name, credit, cell = (model.value(3, c) for c in ("name", "credit_code", "cell_code"))
    assert win.current == ("enterprise", credit)
    assert win.selection == {cell} and win.map.selected == {cell}
    text = win.detail_plain()
    assert name in text and credit in text and cell in text and "网格员：" in text
    assert win.tree.currentIndex().siblingAtColumn(0).data(CODE_ROLE) == cell
    assert page(qtbot, win, "gridmap.stats()", lambda s: s["selected"] == [cell])
    # a click on the marker in the page does the same the other way round
    win.map.bridge.pointClicked(model.value(10, "credit_code"))
    assert win.current == ("enterprise", model.value(10, "credit_code"))
    assert view.table.selectionModel().selectedRows()[0].row() == 10


def test_search_an_officer_fits_their_cells(qtbot, win):
    from gridmgr.project import open_project
    from gridmgr.registers.responsibility import effective

    with open_project(win.project, readonly=True) as store:
        eff = effective(store)
        officer = store.officers().set_index("staff_no").loc["CC0093"]
    mine = sorted(set(eff.loc[(eff["primary_staff_no"] == "CC0093")
                              | (eff["supervisor_staff_no"] == "CC0093"), "cell_code"]))
    assert len(mine) > 3
    win.search.setText(officer["name"])
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.current == ("officer", "CC0093")
    assert sorted(win.selection) == mine
    text = win.detail_plain()
    assert officer["mobile"] in text and officer["role"] in text and f"{len(mine)} 个" in text
    cells = frames(win.project)["cell"].set_index("code").loc[mine]
    w, s, e, n = cells.total_bounds

    def fitted(st) -> bool:
        if not st["bounds"]:
            return False
        bw, bs, be, bn = map(float, st["bounds"].split(","))
        return bw <= w and bs <= s and be >= e and bn >= n and st["zoom"] >= 13
    page(qtbot, win, "gridmap.stats()", fitted)
    assert sorted(page(qtbot, win, "gridmap.stats()")["selected"]) == mine
    # an enterprise by its credit code, a cell by its code
    credit = win.registers["enterprises"].model.value(0, "credit_code")
    win.search.setText(credit.lower())
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.current == ("enterprise", credit)
    win.search.setText("44060401200105")
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.current == ("area", "44060401200105")


def test_levels_of_detail_layers_and_measures(qtbot, win):
    st = page(qtbot, win, "gridmap.stats()")
    z_cells = st["minZoom"]["cell"]
    win.map.run_js(f"gridmap.setView(23.02, 113.1, {z_cells - 2})")
    st = page(qtbot, win, "gridmap.stats()", lambda s: s["zoom"] == z_cells - 2)
    assert st["shown"] == {"district": True, "street": True, "community": True, "cell": False}
    assert st["drawn"] < 200  # streets and communities only
    win.map.run_js(f"gridmap.setView(23.02, 113.1, {z_cells + 2})")
    st = page(qtbot, win, "gridmap.stats()", lambda s: s["zoom"] == z_cells + 2)
    assert st["shown"]["cell"] and 0 < st["drawn"] < 1963 + 101  # the cells in view
    assert page(qtbot, win, "gridmap.controlNames()") == [
        "区界", "街道", "社区", "单元网格", "企业", "案件", "标注"]  # the demo has cases
    assert page(qtbot, win, "gridmap.showLayer('cell', false)") is False
    assert not page(qtbot, win, "gridmap.stats()")["shown"]["cell"]
    page(qtbot, win, "gridmap.showLayer('cell', true)")

    kinds = [win.measure.itemData(i) for i in range(win.measure.count())]
    assert kinds[:4] == ["none", "enterprises", "key_enterprises", "unassigned"]
    assert ("open_cases" in kinds) == case_measures_available()
    win.measure.setCurrentIndex(kinds.index("enterprises"))
    html = page(qtbot, win, "gridmap.legendHtml()", lambda h: bool(h) and "企业数" in h)
    assert "无数据" not in html or "gm-legend-row" in html
    from gridmgr.project import open_project

    with open_project(win.project, readonly=True) as store:
        per_cell = store.enterprises()["cell_code"].value_counts()
    busiest = per_cell.index[0]
    assert page(qtbot, win, f"gridmap.styleOf('{busiest}')")["fillColor"] == "#bd0026"
    win.measure.setCurrentIndex(kinds.index("unassigned"))
    html = page(qtbot, win, "gridmap.legendHtml()", lambda h: bool(h) and "未落实" in h)
    unassigned = [c for c, d in win.details.items() if not d["supervisor_name"]
                  or not d["primary_name"]]
    for c in unassigned[:3]:
        assert page(qtbot, win, f"gridmap.styleOf('{c}')")["fillColor"] == "#dc2626"
    win.measure.setCurrentIndex(0)
    # no colouring: its section goes, the legend of lines, symbols and cases stays (issue 16)
    page(qtbot, win, "gridmap.legendHtml()", lambda h: bool(h) and "未落实" not in h
         and "界线" in h)


def test_screenshots_at_district_and_community_zoom(qtbot, win):
    win.map.zoom_to_all()
    win.measure.setCurrentIndex(1)
    page(qtbot, win, "gridmap.legendHtml()", lambda h: bool(h))
    shot(qtbot, win, "district.png")
    win.select_code("440604012002", fly=False)  # 福贤社区
    win.map.fly_to("440604012002", animate=False)
    labels = page(qtbot, win, "gridmap.labelStats()", lambda s: s["count"] > 0)
    assert any(c.startswith("440604012002") for c in labels["codes"])
    cells = [c for c, i in win.info.items() if i["parent"] == "440604012002"][:3]
    for c in cells:
        win.map.bridge.areaShiftClicked(c)
    path = shot(qtbot, win, "community.png")
    assert path.stat().st_size > 50_000


def test_menu_slots_for_other_dialogs(qtbot, win):
    act = QAction("打印…", win)
    win.add_print_action(act)
    assert act in win.project_menu.actions()
    case = QAction("案件登记…", win)
    menu = win.add_cases_action(case)
    assert menu.title() == "案件" and case in menu.actions()
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles.index("案件") < titles.index("视图")
    assert win.add_cases_action(QAction("案件列表", win)) is menu


def test_gui_screenshot_waits_for_the_map(demo, tmp_path):
    """``gridmgr gui PROJECT --screenshot``: a fresh process, offscreen; the image shows the
    drawn map (street outlines in their red), not an empty page."""
    out = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    gridmgr = Path(sys.executable).with_name("gridmgr")
    cmd = [str(gridmgr)] if gridmgr.exists() else [sys.executable, "-m", "gridmgr"]
    run = subprocess.run([*cmd, "gui", str(demo), "--screenshot", str(out)], env=env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    img = QImage(str(out))
    assert img.width() >= 1000
    red = sum(1 for y in range(0, img.height(), 2) for x in range(400, img.width(), 2)
              if img.pixelColor(x, y).name() == "#b91c1c")
    assert red > 100
    assert "painted_ms=" in run.stdout


def test_clicking_through_the_real_page(qtbot, win):
    """A real mouse click on the page reaches the window (not just the bridge slot)."""
    win.map.fly_to("44060401200107", animate=False)
    page(qtbot, win, "gridmap.stats()", lambda s: s["shown"]["cell"] and s["zoom"] >= 15)
    x, y = page(qtbot, win, "gridmap.pointOf('44060401200107')")
    from PySide6.QtTest import QTest

    QTest.mouseClick(win.map.focusProxy() or win.map, Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: win.current == ("area", "44060401200107"), timeout=10_000)
    assert win.selection == {"44060401200107"}


def test_a_city_register_draws_only_key_enterprises(qtbot, demo, monkeypatch):
    """Above MAX_MAP_ENTERPRISES the map gets the 国控/省控 ones only, and says so."""
    from gridmgr.project import open_project
    from gridmgr.registers.enterprises import KEY_CLASSES

    monkeypatch.setattr("ui.app.MAX_MAP_ENTERPRISES", 1000)
    with open_project(demo, readonly=True) as store:
        ents = store.enterprises()
    key = ents[ents["supervision_class"].isin(KEY_CLASSES)]
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.load(demo)
    assert sorted(w.map.point_codes) == sorted(key["credit_code"])
    assert f"企业 3000 家，地图只画国控、省控 {len(key)} 家" in w.statusBar().currentMessage()
    w.close()


def test_box_mode_toggle_reaches_the_page(qtbot, win):
    assert page(qtbot, win, "gridmap.stats()")["boxMode"] is False
    win.box_action.setChecked(True)
    page(qtbot, win, "gridmap.stats()", lambda s: s["boxMode"] is True)
    win.box_action.setChecked(False)
    page(qtbot, win, "gridmap.stats()", lambda s: s["boxMode"] is False)


def test_the_page_writes_in_the_font_the_window_chose(qtbot, win):
    """The map's labels and legend start with the computer's own Chinese family (any one Qt
    accepts, maps/fonts.py), then the usual ones of each OS and the shipped font."""
    from maps.fonts import BUNDLED_FAMILY, cjk_families

    chosen = cjk_families()[0]
    stack = page(qtbot, win, "document.querySelector('.leaflet-container').style.fontFamily",
                 lambda v: bool(v))
    assert stack.split(",")[0].strip().strip('"') == chosen
    assert BUNDLED_FAMILY in stack and "Microsoft YaHei" in stack


def test_painter_map_is_the_fallback(qtbot, demo, monkeypatch):
    """Without QtWebEngine (here: GRIDMGR_MAP=painter) the QPainter map stands in: the window
    still shows the grid, and a click selects and fills the detail panel."""
    from ui.map_view import MapView

    monkeypatch.setenv("GRIDMGR_MAP", "painter")
    w = MainWindow()
    qtbot.addWidget(w)
    assert isinstance(w.map, MapView)
    w.resize(1200, 800)
    w.show()
    assert w.load(demo)
    assert len(w.map.scene.layers["cell"].codes) == 1963
    w.map.areaClicked.emit("44060401200101")
    assert w.selection == {"44060401200101"} and "升平社区" in w.detail_plain()
    w.measure.setCurrentIndex(1)  # measures need the web map: nothing breaks
    w.close()


def test_window_opens_on_the_district_with_streets_open_cases_and_a_legend(qtbot, win,
                                                                            demo_copy):
    """Issue 16: the map starts on the district with the streets named, shows the unresolved
    cases only (closed and voided ones behind the status/period filter), and a legend of every
    line, symbol and colour on it."""
    from gridmgr.cases.lifecycle import UNRESOLVED
    from gridmgr.project import open_project

    with open_project(demo_copy, readonly=True) as store:
        district = store.areas("district").to_crs("EPSG:4490").total_bounds
        streets = set(store.areas("street")["name"])
        df = store.cases_frame()
    st = page(qtbot, win, "gridmap.stats()", lambda s: s["bounds"] is not None)
    w, s, e, n = map(float, st["bounds"].split(","))
    dw, ds, de, dn = district
    assert w <= dw and s <= ds and e >= de and n >= dn  # the whole district is in view …
    assert (de - dw) / (e - w) > 0.4  # … and fills a good part of it
    names = page(qtbot, win, "gridmap.labelStats()", lambda x: bool(x["names"]))["names"]
    assert streets <= set(names)
    unresolved = int(df["status"].isin(UNRESOLVED).sum())
    assert 0 < unresolved < len(df)
    assert page(qtbot, win, "gridmap.caseStats()", lambda c: c["n"] == unresolved)["shown"]
    html = page(qtbot, win, "gridmap.legendHtml()", lambda h: bool(h) and "案件" in h)
    for word in ("界线", "街道界", "社区界", "单元网格", "企业", "国控", "省控",
                 "案件：未办结，全部时间", "红圈：超期"):
        assert word in html, word
    assert "结案（" not in html  # no closed case is drawn, so none is in the legend
    # the filter: every case, then only the closed ones, then those of the last 30 days
    win.case_show.setCurrentIndex(win.case_show.findData("all"))
    page(qtbot, win, "gridmap.caseStats()", lambda c: c["n"] == len(df))
    win.case_show.setCurrentIndex(win.case_show.findData("closed"))
    closed = int((df["status"] == "结案").sum())
    page(qtbot, win, "gridmap.caseStats()", lambda c: c["n"] == closed)
    assert "结案（" in page(qtbot, win, "gridmap.legendHtml()", lambda h: "已结案" in h)
    # a colouring adds its own section above the others, and goes again
    win.measure.setCurrentIndex(win.measure.findData("enterprises"))
    page(qtbot, win, "gridmap.legendHtml()", lambda h: "企业数" in h and "界线" in h)
    win.measure.setCurrentIndex(0)
    page(qtbot, win, "gridmap.legendHtml()", lambda h: "企业数" not in h and "界线" in h)
    path = shot(qtbot, win, "opening.png")
    assert path.stat().st_size > 30_000


def test_map_case_filter_by_period(demo_copy):
    from gridmgr.cases import lifecycle
    from gridmgr.errors import UsageError
    from gridmgr.project import open_project

    with open_project(demo_copy, readonly=True) as store:
        df = store.cases_frame()
        now = "2026-11-30T12:00:00"
        every = lifecycle.map_cases(store, show="all", now=now)
        recent = lifecycle.map_cases(store, show="all", period="30d", now=now)
        year = lifecycle.map_cases(store, show="all", period="year", now=now)
        void = lifecycle.map_cases(store, show="void", now=now)
        late = lifecycle.map_cases(store, show="overdue", now=now)
        with pytest.raises(UsageError):
            lifecycle.map_cases(store, show="bogus")
    assert len(every) == len(df)
    want = set(df.loc[df["reported_at"] >= "2026-10-31T12:00:00", "case_no"])
    assert set(recent["case_no"]) == want and 0 < len(want) < len(df)
    assert set(year["case_no"]) == set(df.loc[df["reported_at"] >= "2026-01-01", "case_no"])
    assert set(void["case_no"]) == set(df.loc[df["status"] == "作废", "case_no"])
    assert len(late) and late["overdue"].all()


def test_gui_starts_quietly_unless_verbose(demo, tmp_path):
    """Issue 16: Qt/Chromium noise (QRhiGles2…, dbus, propagateSizeHints) stays off the
    terminal; ``--verbose`` shows it."""
    from ui.app import QT_NOISE

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    gridmgr = Path(sys.executable).with_name("gridmgr")
    cmd = [str(gridmgr)] if gridmgr.exists() else [sys.executable, "-m", "gridmgr"]
    runs = {}
    for extra in ([], ["--verbose"]):
        runs[bool(extra)] = subprocess.run(
            [*cmd, "gui", str(demo), "--screenshot", str(tmp_path / "w.png"), *extra], env=env,
            capture_output=True, text=True, timeout=180)
        assert runs[bool(extra)].returncode == 0, runs[bool(extra)].stderr
    quiet, loud = runs[False].stderr, runs[True].stderr
    noise = (*QT_NOISE, "dbus", "bus.cc")
    assert not [line for line in quiet.splitlines() if any(n in line for n in noise)], quiet
    assert "painted_ms=" in runs[False].stdout
    if "--disable-gpu" in env.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):  # as here: no GPU
        assert any(n in loud for n in noise), loud  # the same start, told in full


def test_a_click_right_after_opening_identifies_the_cell(qtbot, demo):
    """The window paints from the binary payload before the page builds its look-ups; the
    first real click on the map still selects the cell under the mouse."""
    from gridmgr.project import open_project

    code = "44060401200107"
    with open_project(demo, readonly=True) as store:
        cells = store.areas("cell").to_crs("EPSG:4490").set_index("code")
        name = cells.loc[code, "name"]
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 860)
    w.show()
    with qtbot.waitSignal(w.map.painted, timeout=30_000):
        assert w.load(demo)
    st = page(qtbot, w, "gridmap.stats()", lambda s: s["bridge"])
    assert st["shown"]["cell"]  # the whole district in view, cells drawn
    x, y = page(qtbot, w, f"gridmap.pointOf('{code}')")
    target = w.map.focusProxy() or w.map
    with qtbot.waitSignal(w.map.areaClicked, timeout=10_000) as sig:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x), round(y)))
    assert sig.args == [code]
    assert w.selection == {code} and name in w.detail_plain()
    assert w.info[code]["level"] == "cell" and w.info[code]["parent"] == code[:12]
    w.close()
    w.map.page().deleteLater()


def test_painter_map_click_identifies_the_cell(qtbot, demo, monkeypatch):
    """The QPainter fallback (paths built from flat rings): a real click at a cell's inside
    point selects that cell; the layers hold every area of the project."""
    from gridmgr.project import open_project
    from ui.map_view import MapView

    monkeypatch.setenv("GRIDMGR_MAP", "painter")
    code = "44060401200107"
    with open_project(demo, readonly=True) as store:
        cells = store.areas("cell").to_crs("EPSG:4490").set_index("code")
    inner = cells.loc[code, "geometry"].representative_point()
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    assert w.load(demo)
    assert isinstance(w.map, MapView)
    layer = w.map.scene.layers["cell"]
    assert layer.codes == list(cells.index) and len(layer.chunks) == 1  # 1963 cells: 1 path
    b = layer.bounds(layer.index[code])
    x0, y0, x1, y1 = cells.loc[code, "geometry"].bounds
    kx = w.map.scene.kx
    assert (b.left(), b.right(), b.top(), b.bottom()) == pytest.approx((x0 * kx, x1 * kx, -y1,
                                                                         -y0))
    pt = w.map._view().map(QPointF(inner.x * kx, -inner.y))
    with qtbot.waitSignal(w.map.areaClicked, timeout=5_000) as sig:
        QTest.mouseClick(w.map, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         pt.toPoint())
    assert sig.args == [code] and w.selection == {code}
    w.close()
