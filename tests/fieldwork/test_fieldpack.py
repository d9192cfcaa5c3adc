"""Offline field packages on the demo district: export, edit as a field app would, import back.

The returned ``data.gpkg`` is edited with pyogrio (appending inspections and case progress, as
QField does through GDAL) and with sqlite (moving an enterprise's point, changing a phone).
Every refusal is checked to leave the project file byte-identical.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from fieldpack_helpers import (
    OFFICER,
    add_inspections,
    add_progress,
    ago,
    edit_enterprise,
    enterprises_of,
    export_with_a_case,
    sha,
)
from shapely.geometry import Point

from gridmgr import geometry
from gridmgr.beijing import BEIJING
from gridmgr.cases.lifecycle import transition
from gridmgr.cases.workflow import OPEN_STATUSES
from gridmgr.cli import main
from gridmgr.errors import InputFileError, UsageError
from gridmgr.fieldwork.conflicts import resolve_conflict
from gridmgr.fieldwork.export import RESULTS, export_fieldpack
from gridmgr.fieldwork.importer import derived_uuid, import_fieldpack, parse_time
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.progress import run
from gridmgr.project import init_project, open_project
from gridmgr.storage import connect


@pytest.fixture(autouse=True)
def _application(qapp):
    """Export prints the atlas with QtGui, which would otherwise create a bare
    QGuiApplication; a QApplication made first lets widget tests run later in this process."""
    return qapp


@pytest.fixture
def exported(demo_copy, tmp_path):
    """The demo with one dispatched case in the officer's cells, and a package exported."""
    out = tmp_path / "pack"
    result, case = export_with_a_case(demo_copy, out)
    return demo_copy, out, result, case


# --------------------------------------------------------------------------- export

def test_export_writes_every_file_and_a_manifest_with_hashes(exported):
    project, out, result, case = exported
    names = {p.name for p in out.iterdir()}
    assert {"manifest.json", "data.gpkg", "tasks.xlsx", "map.kml", "waypoints.gpx",
            "map.html", "atlas.pdf", "fieldpack.qgs"} <= names
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with open_project(project, readonly=True) as store:
        assert manifest["project_uuid"] == store.project_uuid() != ""
        pack = store.fieldpack(manifest["package_uuid"])
        sent = store.fieldpack_snapshot(manifest["package_uuid"], "enterprises")
        scope, eff = resolve_scope(store, officer=OFFICER, area=None)
        ents = store.enterprises()
    for f in manifest["files"]:
        assert sha(out / f["name"]) == f["sha256"]
        assert f["editable"] == (f["name"] in ("data.gpkg", "fieldpack.qgs"))
    mine = ents[ents["cell_code"].isin(scope.cells)]
    with open_project(project, readonly=True) as store:
        cases = store.cases_frame(status=list(OPEN_STATUSES))
    open_here = cases[cases["cell_code"].isin(scope.cells)]
    assert case["uuid"] in set(open_here["uuid"])
    assert manifest["counts"] == {"cells": len(scope.cells), "enterprises": len(mine),
                                  "cases": len(open_here)}
    assert pack["scope_kind"] == "officer" and pack["staff_no"] == OFFICER
    assert set(sent) == set(mine["uuid"])
    # the officer is the primary of every cell or its supervisor or a collector
    assert all(OFFICER in (r["primary_staff_no"], r["supervisor_staff_no"])
               or OFFICER in (r["collectors"] or "") for r in eff.to_dict("records"))


def test_data_gpkg_opens_in_gdal_with_value_lists(exported):
    _, out, _, case = exported
    data = out / "data.gpkg"
    layers = dict(pyogrio.list_layers(data))
    assert layers["cells"] == "MultiPolygon" and layers["enterprises"] == "Point"
    assert layers["cases"] == "Point" and layers["inspections"] == "Point"
    assert pyogrio.read_info(data, layer="inspections")["features"] == 0
    cases = pyogrio.read_dataframe(data, layer="cases").set_index("uuid")
    assert cases.loc[case["uuid"], "status"] == "派遣"
    assert cases.loc[case["uuid"], "case_no"] == case["case_no"]
    with sqlite3.connect(data) as conn:
        enum = [r[0] for r in conn.execute(
            "SELECT value FROM gpkg_data_column_constraints WHERE constraint_name = "
            "'inspection_result' ORDER BY rowid")]
        bound = conn.execute("SELECT constraint_name, title FROM gpkg_data_columns WHERE "
                             "table_name = 'inspections' AND column_name = 'result'").fetchone()
    assert tuple(enum) == RESULTS and bound == ("inspection_result", "检查结果")
    validator = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
    if validator.exists():  # GDAL's GeoPackage validator (Debian python3-gdal) finds nothing
        check = subprocess.run(["/usr/bin/python3", str(validator), str(data)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    if shutil.which("ogrinfo"):  # GDAL itself sees the value list as a coded field domain
        info = subprocess.run(["ogrinfo", "-so", str(data), "inspections"], capture_output=True,
                              text=True).stdout
        assert "result: String (0.0), domain name=inspection_result" in info
        assert "opens_case: Integer(Boolean)" in info and "at: DateTime" in info
        dom = subprocess.run(["ogrinfo", str(data), "-fielddomain", "inspection_result"],
                             capture_output=True, text=True).stdout
        assert "Type: coded" in dom and "未遇（未开门）" in dom


def test_kml_gpx_and_task_list(exported):
    project, out, result, case = exported
    counts = result["counts"]
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    kml = ET.parse(out / "map.kml").getroot()
    folders = {f.find("k:name", ns).text: f for f in kml.iter(f"{{{ns['k']}}}Folder")}
    assert len(folders["单元网格"].findall("k:Placemark", ns)) == counts["cells"]
    assert len(folders["企业"].findall("k:Placemark", ns)) == counts["enterprises"]
    placemarks = folders["未结案件"].findall("k:Placemark", ns)
    assert len(placemarks) == counts["cases"]
    placemark = next(p for p in placemarks
                     if p.find("k:name", ns).text.startswith(case["case_no"]))
    lon, lat = map(float, placemark.find(".//k:coordinates", ns).text.split(","))
    assert (lon, lat) == pytest.approx((case["x"], case["y"]), abs=1e-6)  # WGS84 ≈ CGCS2000
    gpx = ET.parse(out / "waypoints.gpx").getroot()
    wpts = gpx.findall("{http://www.topografix.com/GPX/1/1}wpt")
    assert len(wpts) == counts["enterprises"] + counts["cases"]
    wb = openpyxl.load_workbook(out / "tasks.xlsx")
    assert wb.sheetnames == ["待检查企业", "未结案件", "联系人"]
    ents = enterprises_of(out / "data.gpkg")
    due = ents[ents["due"]]
    sheet = wb["待检查企业"]
    assert [c.value for c in sheet[2]][:5] == ["网格", "企业名称", "地址", "联系人", "联系电话"]
    assert sorted(r[1] for r in sheet.iter_rows(min_row=3, values_only=True)) == \
        sorted(due["name"])
    cases = list(wb["未结案件"].iter_rows(min_row=3, values_only=True))
    assert len(cases) == counts["cases"]
    mine = next(r for r in cases if r[0] == case["case_no"])
    assert mine[7] == case["dispose_due_at"] and mine[2] == "派遣"
    contacts = list(wb["联系人"].iter_rows(min_row=3, values_only=True))
    assert len(contacts) == counts["cells"]
    assert any(r[3] for r in contacts)  # the primary's name is filled


def test_offline_map_carries_leaflet_and_the_data(exported):
    _, out, result, case = exported
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page  # nothing to fetch
    assert "http://" not in page.split("var FIELD_DATA")[1].split("</script>")[0]
    assert case["case_no"] in page and "单元网格" in page
    assert "L.map(" in page and "window.fieldmap" in page


def test_export_to_zip_and_bad_scopes(demo_copy, tmp_path):
    with open_project(demo_copy) as store:
        with pytest.raises(UsageError, match="没有工号"):
            run(export_fieldpack(store, out=tmp_path / "x", officer="NOPE"))
        with pytest.raises(UsageError, match="找不到区域"):
            run(export_fieldpack(store, out=tmp_path / "x", area="999"))
        with pytest.raises(UsageError, match="二选一"):
            run(export_fieldpack(store, out=tmp_path / "x"))
        res = run(export_fieldpack(store, out=tmp_path / "p.zip", area="440604010001"))
        assert len(store.fieldpacks()) == 1
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        assert {"manifest.json", "data.gpkg", "map.html"} <= set(zf.namelist())
    assert res["scope"]["kind"] == "area" and res["counts"]["cells"] > 0
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a.txt").write_text("x")
    with open_project(demo_copy) as store, pytest.raises(UsageError, match="不会覆盖"):
        run(export_fieldpack(store, out=tmp_path / "full", officer=OFFICER))


# --------------------------------------------------------------------------- round trip

def test_round_trip(exported):
    project, out, result, case = exported
    data = out / "data.gpkg"
    ents = enterprises_of(data)
    e0, e1 = ents.iloc[0], ents.iloc[1]
    moved = Point(e1.geometry.x + 0.0004, e1.geometry.y + 0.0002)
    add_inspections(data, [
        {"enterprise_uuid": e0["uuid"], "by_staff_no": OFFICER, "at": ago(days=1),
         "result": "合格", "geometry": e0.geometry},
        {"enterprise_uuid": e1["uuid"], "at": ago(hours=5), "result": "发现问题",
         "findings": "门前堆放垃圾", "opens_case": True, "case_category": "SJ0102",
         "geometry": moved},
    ])
    edit_enterprise(data, e1["uuid"], point=moved)
    step = "8d0a61a4-8a7e-4a35-9d83-7d3d8f0d2b51"
    add_progress(data, [{"uuid": step, "case_uuid": case["uuid"], "action": "处置",
                         "at": ago(days=1, hours=3), "by_staff_no": OFFICER,
                         "note": "已清理"}])
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
    assert not report.refused, [f.message for f in report.refused]
    counts = report.info["receipt"]["counts"]
    assert counts["inspections_new"] == 2 and counts["enterprises_updated"] == 1
    assert counts["case_steps_new"] == 1 and counts["cases_opened"] == 1
    assert counts["conflicts_new"] == 0 and report.info["already_imported"] is False
    kinds = sorted(r["kind"] for r in report.info["receipt"]["records"])
    assert kinds == ["case_opened", "case_step", "enterprise_updated", "inspection",
                     "inspection"]
    with open_project(project, readonly=True) as store:
        insp = store.inspections()
        assert len(insp) == 2
        first = insp[insp["enterprise_uuid"] == e0["uuid"]].iloc[0]
        assert first["result"] == "合格" and first["by_staff_no"] == OFFICER
        assert first["uuid"] == derived_uuid(result["package_uuid"], "inspections", 1)
        second = insp[insp["enterprise_uuid"] == e1["uuid"]].iloc[0]
        assert second["by_staff_no"] == OFFICER  # the package's officer when left blank
        assert second["cell_code"] is not None
        # the finding opened a case (巡检发现) at the inspection's place, linked both ways
        new_case = store.cases_frame(with_location=True)
        new_case = new_case[new_case["uuid"] == second["case_uuid"]].iloc[0]
        assert new_case["source"] == "巡检发现" and new_case["status"] == "受理"
        assert new_case["enterprise_uuid"] == e1["uuid"]
        assert "门前堆放垃圾" in new_case["description"]
        assert (new_case["x"], new_case["y"]) == pytest.approx((moved.x, moved.y))
        # the corrected location, with its cell recomputed
        now = store.enterprises_by_uuid([e1["uuid"]])[e1["uuid"]]
        assert now["geometry"].equals_exact(moved, 1e-9)
        cells = store.areas("cell")
        holder = cells[cells.geometry.covers(moved)]["code"].min()
        assert now["cell_code"] == holder
        # the last inspection date follows the newest inspection
        last = store.enterprises_by_uuid([e0["uuid"]])[e0["uuid"]]["last_inspection"]
        assert last == ago(days=1)[:10]
        # the case progressed through the workflow, keeping the field's step uuid
        steps = store.transitions_frame(case_uuid=case["uuid"])
        assert list(steps["action"]) == ["受理", "立案", "派遣", "处置"]
        assert steps["uuid"].iloc[-1] == step and steps["note"].iloc[-1] == "已清理"
        assert store.case_row(case["case_no"])["status"] == "处置"
        assert store.fieldpack(result["package_uuid"])["import_count"] == 1


def test_reimport_changes_nothing(exported):
    project, out, result, case = exported
    data = out / "data.gpkg"
    e0 = enterprises_of(data).iloc[0]
    add_inspections(data, [{"enterprise_uuid": e0["uuid"], "at": ago(days=1),
                            "result": "合格", "geometry": e0.geometry}])
    edit_enterprise(data, e0["uuid"], phone="13800138000")
    with open_project(project) as store:
        first = run(import_fieldpack(store, out))
    assert first.info["receipt"]["counts"]["enterprises_updated"] == 1
    before = sha(project)
    with open_project(project) as store:
        again = run(import_fieldpack(store, out))
    assert sha(project) == before  # byte-identical: nothing was written
    assert again.info["already_imported"] is True and again.info["applied"] is False
    c = again.info["receipt"]["counts"]
    assert (c["inspections_new"], c["inspections_known"]) == (0, 1)
    assert (c["enterprises_updated"], c["enterprises_already"]) == (0, 1)


def test_dry_run_reports_and_writes_nothing(exported):
    project, out, _, _ = exported
    e0 = enterprises_of(out / "data.gpkg").iloc[0]
    add_inspections(out / "data.gpkg", [{"enterprise_uuid": e0["uuid"], "at": ago(days=1),
                                         "result": "合格", "geometry": e0.geometry}])
    before = sha(project)
    with open_project(project, readonly=True) as store:
        report = run(import_fieldpack(store, out, dry_run=True))
    assert sha(project) == before
    assert report.info["receipt"]["counts"]["inspections_new"] == 1
    assert report.info["receipt"]["records"][0]["kind"] == "inspection"


# --------------------------------------------------------------------------- conflicts

def test_conflicts_are_per_field_and_resolving_keeps_the_other_fields(exported, capsys):
    """Review finding 2: only a field changed on both sides to different values conflicts;
    the field's other changes are applied, the desk's other changes are kept, and 采用外业版本
    changes the conflicting field only."""
    project, out, _, _ = exported
    data = out / "data.gpkg"
    ents = enterprises_of(data)
    e, other = ents.iloc[2], ents.iloc[4]
    field_point = Point(e.geometry.x + 0.0003, e.geometry.y)
    edit_enterprise(data, e["uuid"], point=field_point, phone="13800000001")
    edit_enterprise(data, other["uuid"], phone="13800000002")  # the desk edits its address
    with open_project(project) as store, store.atomic():  # the desk: phone and address
        store.set_enterprise_field_values(e["uuid"], {"phone": "0757-82345678",
                                                      "address": "桌面改的地址 1 号"}, None, None)
        store.set_enterprise_field_values(other["uuid"], {"address": "桌面改的地址 2 号"},
                                          None, None)
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
        desk_now = store.enterprises_by_uuid([e["uuid"], other["uuid"]])
        conflicts = store.conflicts(status="open")
    counts = report.info["receipt"]["counts"]
    assert counts["conflicts_new"] == 1 and counts["enterprises_updated"] == 2
    assert [f.reason for f in report.warnings] == ["field_conflict"]
    assert "联系电话" in report.warnings[0].message
    assert "位置" not in report.warnings[0].message and "地址" not in report.warnings[0].message
    changed = {r["uuid"]: r["changed"] for r in report.info["receipt"]["records"]
               if r["kind"] == "enterprise_updated"}
    assert changed == {e["uuid"]: ["location"], other["uuid"]: ["phone"]}
    # the field's location is applied, the desk keeps its phone (in conflict) and its address
    now = desk_now[e["uuid"]]
    assert now["geometry"].equals_exact(field_point, 1e-7)
    assert now["phone"] == "0757-82345678" and now["address"] == "桌面改的地址 1 号"
    # edits to different fields are no conflict: both land
    assert desk_now[other["uuid"]]["phone"] == "13800000002"
    assert desk_now[other["uuid"]]["address"] == "桌面改的地址 2 号"
    (c,) = conflicts
    assert c["record_uuid"] == e["uuid"] and c["table_name"] == "enterprises"
    assert c["sent_version"] == {"phone": e["phone"]}
    assert c["desk_version"] == {"phone": "0757-82345678"}
    assert c["field_version"] == {"phone": "13800000001"}
    # importing again writes nothing and does not queue it twice
    before = sha(project)
    with open_project(project) as store:
        again = run(import_fieldpack(store, out))
        assert len(store.conflicts()) == 1
    assert sha(project) == before and again.info["already_imported"] is True
    assert again.info["receipt"]["counts"]["conflicts_known"] == 1
    # the CLI lists it field by field, and decides it
    assert main(["fieldpack", "conflicts", str(project)]) == 0
    listing = capsys.readouterr().out
    assert f"[{c['id']}]" in listing and "待决定" in listing
    assert (f"联系电话：导出时 {e['phone'] or '（空）'} | 桌面 0757-82345678 | 外业 13800000001"
            in listing)
    assert "地址" not in listing and "经度" not in listing
    assert main(["fieldpack", "conflicts", str(project), "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["fields"] == [{"field": "phone", "sent": e["phone"], "desk": "0757-82345678",
                                 "field_app": "13800000001"}]
    assert main(["fieldpack", "resolve", str(project), str(c["id"]), "--keep", "field",
                 "--by", OFFICER]) == 0
    with open_project(project, readonly=True) as store:
        now = store.enterprises_by_uuid([e["uuid"]])[e["uuid"]]
        decided = store.conflict(c["id"])
    assert now["phone"] == "13800000001"
    assert now["address"] == "桌面改的地址 1 号"  # the desk's other edit survives
    assert now["geometry"].equals_exact(field_point, 1e-7)
    assert decided["status"] == "decided" and decided["decision"] == "field"
    assert decided["decided_by"] == OFFICER
    assert decided["desk_version"]["phone"] == "0757-82345678"  # the losing version is kept
    with open_project(project) as store, pytest.raises(UsageError, match="已于"):
        resolve_conflict(store, c["id"], "desk")


def test_a_desk_step_after_export_queues_the_field_step_and_applies_the_rest(exported, capsys):
    """Review finding 3: a field step that the desk's later history makes inapplicable is a
    conflict (both kept, listed); the rest of the package is imported."""
    project, out, _, case = exported
    data = out / "data.gpkg"
    e0 = enterprises_of(data).iloc[0]
    add_inspections(data, [{"enterprise_uuid": e0["uuid"], "at": ago(days=1),
                            "result": "合格", "geometry": e0.geometry}])
    add_progress(data, [{"case_uuid": case["uuid"], "action": "处置", "at": ago(days=2),
                         "note": "已清理"}])
    with open_project(project) as store:  # the desk supervises the case after the field step
        transition(store, case["case_no"], "督办", by=None, at=ago(days=1, hours=2),
                   note="三日内办结")
        before = list(store.transitions_frame(case_uuid=case["uuid"])["action"])
        report = run(import_fieldpack(store, out))
        (c,) = store.conflicts(status="open")
        steps = list(store.transitions_frame(case_uuid=case["uuid"])["action"])
        insp = store.inspections()
    assert not report.refused, [f.message for f in report.refused]
    assert report.info["applied"] is True
    counts = report.info["receipt"]["counts"]
    assert (counts["inspections_new"], counts["case_steps_new"], counts["conflicts_new"]) == \
        (1, 0, 1)
    assert list(insp["enterprise_uuid"]) == [e0["uuid"]]  # the valid inspection landed
    assert steps == before == ["受理", "立案", "派遣", "督办"]  # the desk's history untouched
    assert c["table_name"] == "cases" and c["label"] == case["case_no"]
    assert [s["action"] for s in c["field_version"]["steps"]] == ["处置"]
    assert [s["action"] for s in c["desk_version"]["steps"]] == ["督办"]
    assert "早于案件上一步" in c["desk_version"]["why"]
    assert main(["fieldpack", "conflicts", str(project)]) == 0
    listing = capsys.readouterr().out
    assert "案件进展：导出时 （空） | 桌面 督办" in listing and "| 外业 处置" in listing
    before = sha(project)
    with open_project(project) as store:  # re-import: recognised, nothing written
        again = run(import_fieldpack(store, out))
    assert sha(project) == before and again.info["already_imported"] is True
    assert again.info["receipt"]["counts"]["conflicts_known"] == 1
    with open_project(project) as store:
        with pytest.raises(UsageError, match="不能按案件现在的状态"):
            resolve_conflict(store, c["id"], "field")
        resolve_conflict(store, c["id"], "desk")
        assert store.conflict(c["id"])["decision"] == "desk"


def test_a_desk_step_before_the_field_step_does_not_block_it(exported):
    project, out, _, case = exported
    add_progress(out / "data.gpkg", [{"case_uuid": case["uuid"], "action": "处置",
                                      "at": ago(days=1), "note": "已清理"}])
    with open_project(project) as store:
        transition(store, case["case_no"], "督办", by=None, at=ago(days=2), note="尽快")
        report = run(import_fieldpack(store, out))
        steps = list(store.transitions_frame(case_uuid=case["uuid"])["action"])
        assert store.conflicts() == []
    assert report.info["receipt"]["counts"]["case_steps_new"] == 1
    assert steps == ["受理", "立案", "派遣", "督办", "处置"]


@pytest.mark.gpkg_only  # edits the project file with SQLite
def test_a_finding_that_cannot_open_its_case_refuses_the_package(exported):
    """Review finding 11: the inspection is never stored without the case its finding should
    open; the package is refused with the row, and imports once the cause is fixed."""
    project, out, _, _ = exported
    data = out / "data.gpkg"
    e0 = enterprises_of(data).iloc[0]
    add_inspections(data, [
        {"enterprise_uuid": e0["uuid"], "at": ago(days=1), "result": "合格",
         "geometry": e0.geometry},
        {"enterprise_uuid": e0["uuid"], "at": ago(hours=3), "result": "发现问题",
         "findings": "占道经营", "opens_case": True, "case_category": "SJ0102",
         "geometry": e0.geometry}])
    conn = sqlite3.connect(project)  # a time limit no calendar can count: create_case fails
    with conn:
        old = conn.execute("SELECT verify_limit, verify_unit FROM case_categories WHERE code = "
                           "'SJ0102'").fetchone()
        conn.execute("UPDATE case_categories SET verify_limit = 100000, verify_unit = '工作日' "
                     "WHERE code = 'SJ0102'")
    conn.close()
    before = sha(project)
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
    assert sha(project) == before and report.info["applied"] is False
    (f,) = report.refused
    assert (f.file, f.row, f.reason) == ("inspections", 2, "field_case_refused")
    assert "不能立案" in f.message
    assert main(["fieldpack", "import", str(project), str(out)]) == 1
    assert sha(project) == before
    conn = sqlite3.connect(project)  # the desk fixes the category table; the package imports
    with conn:
        conn.execute("UPDATE case_categories SET verify_limit = ?, verify_unit = ? WHERE code = "
                     "'SJ0102'", old)
    conn.close()
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
        insp = store.inspections()
    assert not report.refused and report.info["receipt"]["counts"]["cases_opened"] == 1
    finding = insp[insp["opens_case"] == 1].iloc[0]
    assert finding["case_uuid"]


@pytest.mark.gpkg_only  # edits the project file with SQLite
def test_a_finding_in_a_project_without_categories_is_refused_at_the_dry_run(exported):
    project, out, _, _ = exported
    e0 = enterprises_of(out / "data.gpkg").iloc[0]
    add_inspections(out / "data.gpkg", [
        {"enterprise_uuid": e0["uuid"], "at": ago(hours=3), "result": "发现问题",
         "findings": "占道经营", "opens_case": True, "case_category": "SJ0102",
         "geometry": e0.geometry}])
    conn = sqlite3.connect(project)
    with conn:
        conn.execute("DELETE FROM case_categories")
    conn.close()
    with open_project(project, readonly=True) as store:
        report = run(import_fieldpack(store, out, dry_run=True))
    assert [(f.row, f.reason) for f in report.refused] == [(1, "field_bad_value")]


def test_case_changed_at_the_desk_makes_field_progress_a_conflict(exported):
    project, out, _, case = exported
    add_progress(out / "data.gpkg", [{"case_uuid": case["uuid"], "action": "处置",
                                      "at": ago(days=2), "note": "处理中"}])
    with open_project(project) as store:  # meanwhile the desk returned the case (回退)
        transition(store, case["case_no"], "回退", by=None, at=ago(days=2, hours=1),
                   note="不属于本单位")
        report = run(import_fieldpack(store, out))
        (c,) = store.conflicts(status="open")
        steps = store.transitions_frame(case_uuid=case["uuid"])
    assert c["table_name"] == "cases" and c["desk_version"]["status"] == "立案"
    assert c["field_version"]["steps"][0]["action"] == "处置"
    assert list(steps["action"])[-1] == "回退"  # the field's step was not applied
    assert report.info["receipt"]["counts"]["case_steps_new"] == 0
    with open_project(project) as store:
        with pytest.raises(UsageError, match="不能按案件现在的状态"):
            resolve_conflict(store, c["id"], "field")
        resolve_conflict(store, c["id"], "desk")
        assert store.conflict(c["id"])["decision"] == "desk"


# --------------------------------------------------------------------------- refusals

def test_package_of_another_project_is_refused(exported, tmp_path):
    _, out, _, _ = exported
    other = tmp_path / "other.gpkg"
    init_project(other, name="南海区", admin_code="440605").close()
    before = sha(other)
    with open_project(other) as store, pytest.raises(InputFileError, match="另一个项目"):
        run(import_fieldpack(store, out))
    assert sha(other) == before
    assert main(["fieldpack", "import", str(other), str(out)]) == 3


@pytest.mark.parametrize("damage", ["edited_kml", "edited_xlsx", "truncated_gpkg",
                                    "no_manifest", "foreign_gpkg", "bad_zip"])
def test_damaged_package_is_refused(exported, tmp_path, damage):
    project, out, _, _ = exported
    target = out
    if damage == "edited_kml":
        (out / "map.kml").write_text((out / "map.kml").read_text() + " ", encoding="utf-8")
    elif damage == "edited_xlsx":  # a file may stay with the officer, not come back changed
        (out / "tasks.xlsx").write_bytes((out / "tasks.xlsx").read_bytes() + b"\0")
    elif damage == "truncated_gpkg":
        raw = (out / "data.gpkg").read_bytes()
        (out / "data.gpkg").write_bytes(raw[: len(raw) // 3])
    elif damage == "no_manifest":
        (out / "manifest.json").unlink()
    elif damage == "foreign_gpkg":  # a data.gpkg of another package put in its place
        with open_project(project) as store:
            run(export_fieldpack(store, out=tmp_path / "second", officer=OFFICER))
        shutil.copy(tmp_path / "second" / "data.gpkg", out / "data.gpkg")
    else:
        target = tmp_path / "pack.zip"
        target.write_bytes(b"PK\x03\x04 not really a zip")
    before = sha(project)
    with open_project(project) as store, pytest.raises(InputFileError) as err:
        run(import_fieldpack(store, target))
    assert sha(project) == before
    assert "项目未改变" in str(err.value) or "不是外业包" in str(err.value)


def test_invalid_values_are_refused_row_by_row(exported, tmp_path, capsys):
    project, out, _, case = exported
    data = out / "data.gpkg"
    e = enterprises_of(data).iloc[0]
    future = (datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
              + timedelta(days=2)).isoformat()
    add_inspections(data, [
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
         "geometry": e.geometry},  # fid 1: fine
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "优秀",
         "geometry": e.geometry},  # fid 2: not in the value list
        {"enterprise_uuid": e["uuid"], "at": future, "result": "合格",
         "geometry": e.geometry},  # fid 3: in the future
        {"at": ago(days=1), "result": "合格", "geometry": Point(100.0, 30.0)},  # fid 4: outside
    ])
    db = connect(data)  # fid 5: a date typed by hand that means nothing
    with db.atomic():
        db.execute("INSERT INTO inspections (geom, at, result, enterprise_uuid) VALUES "
                   "(?, '下周二', '合格', ?)", [geometry.encode([e.geometry], 4490)[0], e["uuid"]])
    db.conn.close()
    edit_enterprise(data, e["uuid"], point=Point(120.0, 30.0))  # moved out of the district
    add_progress(data, [{"case_uuid": case["uuid"], "action": "结案", "at": ago(days=1)},
                        # before the 派遣 the package carried: the field's own mistake
                        {"case_uuid": case["uuid"], "action": "处置", "at": ago(days=4)}])
    before = sha(project)
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
    assert sha(project) == before and report.info["applied"] is False
    got = {(f.file, f.row, f.reason) for f in report.refused}
    assert got == {("inspections", 2, "field_bad_value"),
                   ("inspections", 3, "field_future_time"),
                   ("inspections", 4, "field_outside_district"),
                   ("inspections", 5, "field_bad_time"),
                   ("enterprises", int(e["fid"]), "field_outside_district"),
                   ("case_progress", 1, "field_bad_value"),
                   ("case_progress", 2, "field_step_refused")}
    bad = next(f for f in report.refused if f.row == 2)
    assert "优秀" in bad.message and "合格" in bad.message and bad.extra["layer"] == "inspections"
    report_path = tmp_path / "r.json"
    assert main(["fieldpack", "import", str(project), str(out), "--report",
                 str(report_path)]) == 1
    assert sha(project) == before
    saved = json.loads(report_path.read_text(encoding="utf-8"))
    assert {(r["file"], r["row"]) for r in saved["refused"]} >= {("inspections", 2)}
    assert "拒绝导入" in capsys.readouterr().out


def test_times_from_field_apps():
    assert parse_time("2026-03-01 09:30") == "2026-03-01T09:30:00"
    assert parse_time("2026/03/01 09:30:15.250") == "2026-03-01T09:30:15"
    assert parse_time("2026-03-01T01:30:00Z") == "2026-03-01T09:30:00"  # UTC → Beijing
    assert parse_time("2026-03-01T09:30:00+08:00") == "2026-03-01T09:30:00"
    assert parse_time("  ") is None
    for bad in ("下周二", "2026-13-01", "1900-01-01"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_cli_round_trip_through_a_zip(demo_copy, tmp_path, capsys):
    pack = tmp_path / "p.zip"
    assert main(["-q", "fieldpack", "export", str(demo_copy), "--officer", OFFICER,
                 "--out", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "外业包已写入" in out and "data.gpkg" in out
    work = tmp_path / "unzipped"
    with zipfile.ZipFile(pack) as zf:
        zf.extractall(work)
    e = enterprises_of(work / "data.gpkg").iloc[0]
    add_inspections(work / "data.gpkg", [{"enterprise_uuid": e["uuid"], "at": ago(days=1),
                                          "result": "合格", "geometry": e.geometry}])
    returned = tmp_path / "returned.zip"
    with zipfile.ZipFile(returned, "w") as zf:
        for p in work.iterdir():
            zf.write(p, p.name)
    rpath = tmp_path / "receipt.json"
    assert main(["-q", "fieldpack", "import", str(demo_copy), str(returned), "--report",
                 str(rpath)]) == 0
    receipt = json.loads(rpath.read_text(encoding="utf-8"))
    assert receipt["receipt"]["counts"]["inspections_new"] == 1
    assert receipt["receipt"]["records"][0]["label"] == e["name"]
    assert "已导入：检查记录 1 条" in capsys.readouterr().out
    assert main(["-q", "fieldpack", "import", str(demo_copy), str(returned)]) == 0
    assert "已经导入过" in capsys.readouterr().out


@pytest.mark.gpkg_only  # edits the project file with SQLite
def test_projects_have_their_own_uuid_and_the_fieldwork_tables(tmp_path, demo):
    with init_project(tmp_path / "a.gpkg", name="a", admin_code="440604") as a, \
            init_project(tmp_path / "b.gpkg", name="b", admin_code="440604") as b:
        assert a.project_uuid() and a.project_uuid() != b.project_uuid()
    with sqlite3.connect(demo) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    assert {"inspections", "fieldpacks", "field_conflicts", "fieldpack_records"} <= tables


def test_cancelled_export_leaves_nothing(demo_copy, tmp_path):
    from gridmgr.errors import Cancelled

    before = sha(demo_copy)
    with open_project(demo_copy) as store, pytest.raises(Cancelled):
        steps = iter(range(3))
        run(export_fieldpack(store, out=tmp_path / "pack", officer=OFFICER),
            should_cancel=lambda: next(steps, 3) >= 2)  # cancel at the third step
    assert sha(demo_copy) == before and not (tmp_path / "pack").exists()
    assert [p.name for p in tmp_path.iterdir()] == (
        ["demo-copy.gpkg"] if isinstance(demo_copy, Path) else [])  # a server project: none


def test_a_project_of_schema_4_gets_the_fieldwork_tables_and_a_uuid(tmp_path):
    path = tmp_path / "old.gpkg"
    init_project(path, name="禅城区", admin_code="440604").close()
    conn = sqlite3.connect(path)  # take schema 5 out again, as a project made before it
    with conn:
        for t in ("inspections", "rtree_inspections_geom", "fieldpacks", "fieldpack_records",
                  "field_conflicts"):
            conn.execute(f'DROP TABLE "{t}"')
        conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'inspections'")
        conn.execute("DELETE FROM gpkg_extensions WHERE table_name = 'inspections'")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name IN ('inspections', "
                     "'fieldpacks', 'fieldpack_records', 'field_conflicts')")
        conn.execute("DELETE FROM gridmgr_meta WHERE key = 'project_uuid'")
        conn.execute("UPDATE gridmgr_meta SET value = '4' WHERE key = 'schema_version'")
        conn.execute("DELETE FROM gridmgr_schema WHERE version = 5")
    conn.close()
    with open_project(path, readonly=True) as store:
        assert store.project_uuid() == ""
    with open_project(path) as store:  # opened for writing: migrated
        uid = store.project_uuid()
        assert uid and int(store.meta()["schema_version"]) >= 5
        assert len(store.inspections()) == 0 and store.fieldpacks() == []
    with open_project(path) as store:
        assert store.project_uuid() == uid  # kept, not made again
