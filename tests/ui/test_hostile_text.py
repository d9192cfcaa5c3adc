"""Hostile text everywhere it is shown: a register and a case export whose names, addresses and
descriptions are XSS payloads are imported through the real importers; the field package's
offline map.html and the desktop map page are opened in QtWebEngine (offscreen), every popup and
tooltip is opened, and no payload may run; the detail panel and the case title show them as
text; the KML carries them as data."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")  # must come before any QApplication exists

import geopandas as gpd
from fieldpack_helpers import OFFICER
from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWebEngineWidgets import QWebEngineView
from shapely.geometry import Point
from webpage import wait_js

from gridmgr.cases.importer import import_cases
from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.enterprises import import_enterprises
from maps.case_layer import case_payload
from maps.offline_map import page
from maps.web_page import point_payload
from ui import detail_html
from ui.web_map import WebMapView

# each payload, if it ran, adds its number to window.__xss
PAYLOADS = [
    '<img src=x onerror="(window.__xss=window.__xss||[]).push(1)">',
    "<script>(window.__xss=window.__xss||[]).push(2)</script>",
    "<!--<script>",
    '"><svg onload="(window.__xss=window.__xss||[]).push(4)">',
    "</script><script>(window.__xss=window.__xss||[]).push(5)</script>",
    "'><iframe src=\"javascript:parent.__xss=(parent.__xss||[]).concat(6)\"></iframe>",
    "<b onmouseover=\"(window.__xss=window.__xss||[]).push(7)\">粗体</b>&amp;",
]


def dispose(view) -> None:
    view.close()
    view.page().deleteLater()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def points_in(cell_geom, n: int) -> list[Point]:
    """n distinct points inside a cell (lon/lat, CGCS2000 ≈ WGS84 at this scale)."""
    minx, miny, maxx, maxy = cell_geom.bounds
    out = []
    for i in range(200):
        p = Point(minx + (maxx - minx) * ((i * 37) % 97 + 1) / 99,
                  miny + (maxy - miny) * ((i * 53) % 89 + 1) / 91)
        if cell_geom.contains(p):
            out.append(p)
        if len(out) == n:
            return out
    raise AssertionError("cell too thin for the test points")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, demo_file):
    """The demo with hostile enterprises and cases in the officer's first cell, imported from
    the files a bureau would bring, and the officer's exported package."""
    tmp = tmp_path_factory.mktemp("hostile")
    project = tmp / "hostile.gpkg"
    project.write_bytes(demo_file.read_bytes())
    with open_project(project) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell").to_crs("EPSG:4326")
        cell = cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0]
        pts = points_in(cell, 2 * len(PAYLOADS))
        ents = tmp / "企业名录.csv"
        with ents.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["企业名称", "监管类别", "检查频次", "联系人", "联系电话", "地址", "经度",
                        "纬度", "最近检查日期"])
            for i, text in enumerate(PAYLOADS):
                w.writerow([f"{text}公司{i}", "市控", "每季度1次", text, "13800000000",
                            f"祖庙路{i}号{text}", f"{pts[i].x:.7f}", f"{pts[i].y:.7f}",
                            "2026-01-05"])
        rep = run(import_enterprises(store, ents))
        assert rep.accepted == len(PAYLOADS), rep.findings
        case_file = tmp / "12345工单.csv"
        with case_file.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["工单编号", "来源", "问题类型", "诉求内容", "事发地址", "经度", "纬度",
                        "来电时间", "工单状态", "派单时间", "办结时间", "办理时限"])
            for i, text in enumerate(PAYLOADS):
                p = pts[len(PAYLOADS) + i]
                w.writerow([f"RX{i}{text}", "12345", "道路遗撒", f"描述{text}", f"地址{text}",
                            f"{p.x:.7f}", f"{p.y:.7f}", "2026-02-10 09:00", "处理中", "", "",
                            ""])
        rep = run(import_cases(store, case_file))
        assert rep.accepted == len(PAYLOADS), rep.findings
        run(export_fieldpack(store, out=tmp / "pack", officer=OFFICER))
    return project, tmp / "pack"


def run_every_popup(qtbot, view) -> dict:
    """Open every popup and tooltip of the offline map; returns their text and the XSS log."""
    script = """(function () {
      var fm = window.fieldmap, texts = [];
      ["cells", "enterprises", "cases"].forEach(function (k) {
        fm.layers[k].eachLayer(function (l) {
          if (l.getPopup()) { l.openPopup(); texts.push(l.getPopup().getElement().textContent); }
          if (l.getTooltip()) { l.openTooltip();
                                texts.push(l.getTooltip().getElement().textContent); }
        });
      });
      return { texts: texts, counts: fm.counts };
    })()"""
    opened = wait_js(qtbot, view, "window.fieldmap ? " + script + " : null", lambda v: v)
    qtbot.wait(300)  # an onerror/onload handler runs after the image or frame fails to load
    opened["xss"] = wait_js(qtbot, view, "window.__xss || []")
    return opened


def load(qtbot, view, path: Path) -> None:
    with qtbot.waitSignal(view.loadFinished, timeout=30_000) as loaded:
        view.load(QUrl.fromLocalFile(str(path)))
    assert loaded.args == [True]


def test_offline_field_map_runs_no_payload(qtbot, hostile):
    _project, pack = hostile
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    view = QWebEngineView()
    qtbot.addWidget(view)
    view.resize(900, 650)
    view.show()
    try:
        load(qtbot, view, pack / "map.html")
        got = run_every_popup(qtbot, view)
        assert got["xss"] == []
        # the page was not blanked ("<!--<script>" used to swallow the rest of it)
        assert got["counts"] == manifest["counts"]
        assert got["counts"]["enterprises"] >= len(PAYLOADS)
        assert got["counts"]["cases"] >= len(PAYLOADS)
        shown = "\n".join(got["texts"])
        for i, text in enumerate(PAYLOADS):  # each payload shown literally, as typed
            assert f"{text}公司{i}" in shown
            assert f"描述{text}" in shown
        assert view.grab().save("/tmp/hostile_offline_map.png")
    finally:
        dispose(view)


def test_offline_map_cell_names_and_keys_are_text(qtbot, tmp_path):
    """Cell tooltips, popup titles and property names (the columns of the package) too."""
    sq = [[113.10, 23.02], [113.11, 23.02], [113.11, 23.03], [113.10, 23.03], [113.10, 23.02]]
    cells = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [sq]},
              "properties": {"网格名称": text, "网格编码": "44060400100101", text: text}}
             for text in PAYLOADS]
    cases = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [113.105, 23.025]},
              "properties": {"案件编号": text}} for text in PAYLOADS]
    path = tmp_path / "map.html"
    path.write_text(page({"cells": cells, "cases": cases}, title=PAYLOADS[2] + PAYLOADS[0]),
                    encoding="utf-8")
    view = QWebEngineView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    try:
        load(qtbot, view, path)
        got = run_every_popup(qtbot, view)
        assert got["xss"] == []
        assert got["counts"] == {"cells": len(PAYLOADS), "enterprises": 0,
                                 "cases": len(PAYLOADS)}
        for text in PAYLOADS:
            assert text in got["texts"]  # the tooltip is the name, exactly
            assert any(t.startswith("案件 " + text) for t in got["texts"])
        title = wait_js(qtbot, view, "document.title")
        assert title == PAYLOADS[2] + PAYLOADS[0]
    finally:
        dispose(view)


def test_desktop_map_tooltips_run_no_payload(qtbot, hostile):
    """The window's map page: enterprises and cases pushed as the window pushes them (the
    case markers from the same store query as ui.cases_panel), every tooltip opened."""
    import pandas as pd

    from gridmgr.cases import lifecycle as cases

    project, _pack = hostile
    with open_project(project, readonly=True) as store:
        ents = store.enterprises().to_crs("EPSG:4490")
        df = store.case_markers(cases.now_local(), tuple(cases.UNRESOLVED))
        gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]), crs=store.crs,
                               geometry=gpd.points_from_xy(pd.to_numeric(df["x"]),
                                                           pd.to_numeric(df["y"])))
    v = WebMapView(autoload=False)
    qtbot.addWidget(v)
    v.resize(800, 600)
    v.show()
    try:
        with qtbot.waitSignal(v.loaded, timeout=20_000):
            v.load_page()
        v.set_points(point_payload(ents))
        v.set_cases(case_payload(gdf.to_crs("EPSG:4490")))
        texts = wait_js(qtbot, v, """(function () {
          var m = Object.keys(window).map(function (k) { return window[k]; })
                    .filter(function (x) { return x instanceof L.Map; })[0], out = [];
          m.eachLayer(function (l) {
            if (l.getTooltip && l.getTooltip()) {
              l.openTooltip(); out.push(l.getTooltip().getElement().textContent);
            }
          });
          return out;
        })()""", lambda t: len(t) >= len(PAYLOADS))
        qtbot.wait(300)
        assert wait_js(qtbot, v, "window.__xss || []") == []
        for i, text in enumerate(PAYLOADS):
            assert any(t.startswith(f"RX{i}{text}") and f"描述{text}" in t for t in texts)
    finally:
        dispose(v)


def plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def test_detail_panel_shows_payloads_as_text(qapp):
    e = {"name": PAYLOADS[0], "address": PAYLOADS[6], "contact": PAYLOADS[3],
         "credit_code": PAYLOADS[5], "cell_code": "44060400100101"}
    people = [{"slot": "primary", "name": PAYLOADS[1], "mobile": PAYLOADS[2],
               "staff_no": PAYLOADS[4], "from": "own"}]
    html = detail_html.enterprise_html(e, PAYLOADS[6], people)
    text = plain(html)
    for value in (PAYLOADS[0], PAYLOADS[6], PAYLOADS[3], PAYLOADS[1], PAYLOADS[2]):
        assert value in text
    doc = QTextDocument()
    doc.setHtml(html)
    assert "<img" not in doc.toHtml() and "<iframe" not in doc.toHtml()
    area = {"people": people, "child_level": None, "children": 0, "enterprises": 1,
            "key_enterprises": 0,
            "enterprise_list": [{"name": PAYLOADS[0], "credit_code": PAYLOADS[5],
                                 "supervision_class": PAYLOADS[6]}]}
    text = plain(detail_html.area_html("44060400100101", {"name": PAYLOADS[3], "level": "cell",
                                                          "parent": PAYLOADS[4]},
                                       PAYLOADS[1], area=area))
    for value in (PAYLOADS[3], PAYLOADS[1], PAYLOADS[0], PAYLOADS[6]):
        assert value in text
    o = {"name": PAYLOADS[0], "staff_no": PAYLOADS[1], "mobile": PAYLOADS[2], "role": "",
         "unit": PAYLOADS[6], "cells": {"primary": [PAYLOADS[3]], "supervisor": []}}
    text = plain(detail_html.officer_html(o, {PAYLOADS[3]: PAYLOADS[4]}))
    for value in (PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[6], PAYLOADS[4]):
        assert value in text


def test_case_title_and_labels_show_payloads_as_text(qtbot, hostile):
    from ui.case_detail import CaseDetail
    from ui.plain import as_shown, plain_label

    project, _pack = hostile
    with open_project(project, readonly=True) as store:
        w = CaseDetail()
        qtbot.addWidget(w)
        w.set_project(project, store)
        for i, text in enumerate(PAYLOADS):
            assert w.show_case(f"RX{i}{text}")
            assert f"RX{i}{text}" in plain(w.title.text())
            assert f"描述{text}" in w.body.toPlainText()
        w.close()
    label = plain_label(PAYLOADS[0])
    assert label.text() == PAYLOADS[0]
    assert plain(as_shown("第 3 行：" + PAYLOADS[6])) == "第 3 行：" + PAYLOADS[6]
    assert as_shown("没有标记的文字 a < b") == "没有标记的文字 a < b"


def test_kml_and_gpx_carry_payloads_as_data(hostile):
    _project, pack = hostile
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(pack / "map.kml").getroot()  # well-formed XML
    names = [n.text for n in root.iterfind(".//k:Placemark/k:name", ns)]
    # fields are typed SchemaData (ASCII names, Chinese displayName in the Schema)
    values = [n.text for n in root.iterfind(".//k:SchemaData/k:SimpleData", ns)]
    for i, text in enumerate(PAYLOADS):
        assert f"{text}公司{i}" in names
        assert f"祖庙路{i}号{text}" in values
    gpx = ET.parse(pack / "waypoints.gpx").getroot()
    assert any(f"{PAYLOADS[0]}公司0" == (n.text or "")
               for n in gpx.iter("{http://www.topografix.com/GPX/1/1}name"))
