"""The project and a field package as the real clients read them: QGIS 3.22 through its own
Python bindings (Debian python3-qgis, run offscreen by /usr/bin/python3 — it is not in the
venv), GDAL (system 3.6 and the venv's), and the KML read back through pyogrio."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pyogrio
import pytest
from fieldpack_helpers import OFFICER, export_with_a_case

from gridmgr.fieldwork.export import RESULTS
from gridmgr.fieldwork.files import TITLES
from gridmgr.fieldwork.importer import import_fieldpack
from gridmgr.progress import run
from gridmgr.project import open_project

PROBE = Path(__file__).parent.parent / "qgis_probe.py"
SYSTEM_PY = Path("/usr/bin/python3")


def _has_qgis() -> bool:
    if not SYSTEM_PY.exists():
        return False
    return subprocess.run([str(SYSTEM_PY), "-c", "import qgis.core"],
                          capture_output=True).returncode == 0


needs_qgis = pytest.mark.skipif(not _has_qgis(), reason="QGIS's Python bindings (Debian "
                                "python3-qgis, installed by scripts/setup.sh) are missing")


def probe(*args: str) -> object:
    """Run the probe with QGIS's profile in a private HOME (not the user's own QGIS)."""
    home = Path(tempfile.gettempdir()) / f"gridmgr-qgis-home-{os.getuid()}"
    home.mkdir(exist_ok=True)
    out = subprocess.run([str(SYSTEM_PY), str(PROBE), *args], capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                              "HOME": str(home)}, timeout=300)
    line = next((x for x in out.stdout.splitlines() if x.startswith("JSON:")), None)
    assert line, out.stdout + out.stderr
    return json.loads(line[5:])


@pytest.fixture(autouse=True)
def _application(qapp):
    yield


@pytest.fixture
def package(demo_copy, tmp_path):
    out = tmp_path / "pack"
    _, case = export_with_a_case(demo_copy, out)
    return demo_copy, out, case


@needs_qgis
def test_package_project_loads_in_qgis_with_forms_relations_and_themes(package):
    _, out, case = package
    info = probe("project", str(out / "fieldpack.qgs"))
    assert info["read"] is True and info["crs"] == "EPSG:4490"
    assert info["absolute_paths"] is False
    assert info["tree"] == ["检查记录", "案件进展", "未结案件", "企业", "单元网格", "外业包信息"]
    layers = info["layers"]
    assert all(lyr["valid"] for lyr in layers.values()), layers
    assert layers["未结案件"]["features"] >= 1 and layers["单元网格"]["features"] > 0
    ro = {n for n, lyr in layers.items() if lyr["read_only"]}
    assert ro == {"单元网格", "未结案件", "外业包信息"}
    insp = layers["检查记录"]["fields"]
    assert insp["result"]["widget"] == "ValueMap" and insp["result"]["not_null"]
    shown = [next(iter(d)) for d in insp["result"]["config"]["map"]]
    assert shown == list(RESULTS)
    assert insp["at"]["widget"] == "DateTime" and insp["at"]["type"] == "DateTime"
    assert insp["at"]["default"] == "now()"
    assert insp["by_staff_no"]["default"] == "@gridmgr_staff_no"
    assert insp["photo"]["widget"] == "ExternalResource"
    assert insp["photo"]["config"]["RelativeStorage"] == 1
    assert insp["enterprise_uuid"]["widget"] == "RelationReference"
    assert insp["uuid"]["editable"] is False and insp["result"]["alias"] == "检查结果"
    prog = layers["案件进展"]["fields"]
    assert prog["action"]["widget"] == "ValueMap" and prog["case_uuid"]["widget"] == \
        "RelationReference"
    ents = layers["企业"]["fields"]
    assert {n for n, f in ents.items() if f["editable"]} == {"contact", "phone", "address"}
    assert ents["last_inspection"]["type"] == "Date"
    assert info["variables"]["gridmgr_staff_no"] == OFFICER
    rels = {r["id"]: r for r in info["relations"]}
    assert rels["inspections_enterprise"]["valid"] and rels["inspections_enterprise"]["pairs"] \
        == [["enterprise_uuid", "uuid"]]
    assert rels["case_progress_case"]["parent"] == "未结案件"
    assert set(info["themes"]) == {"今日任务", "全部"}
    today = info["themes"]["今日任务"]["企业"]
    assert today["uses_checked"] and "{due}" in today["checked"]
    assert "{not-due}" not in today["checked"]
    assert "DCIM/inspections_" in layers["检查记录"]["custom"]["QFieldSync/attachment_naming"]


@needs_qgis
def test_package_layers_get_their_styles_from_layer_styles(package):
    _, out, _ = package
    got = {lyr["name"]: lyr for lyr in probe("layers", str(out / "data.gpkg"), "cells",
                                             "enterprises", "cases", "inspections")}
    assert got["cells"]["renderer"] == "RuleRenderer" and got["cells"]["labels"]
    assert got["cells"]["label_expression"] == 'substr("code", 13)'
    ent_rules = {r["label"]: r for r in got["enterprises"]["rules"]}
    assert ent_rules["本期应检"]["depth"] == 0 and ent_rules["检查逾期"]["colour"] == "#ffffff"
    assert {r["colour"] for r in got["enterprises"]["rules"] if r["label"] == "国控"} \
        == {"#b91c1c"}
    case_rules = {r["label"]: r for r in got["cases"]["rules"]}
    assert case_rules["派遣"]["colour"] == "#7c3aed" and "now()" in case_rules["超期"]["filter"]
    assert got["inspections"]["fields"]["result"]["alias"] == "检查结果"


@needs_qgis
def test_a_feature_added_through_qgis_comes_back_through_import(package, tmp_path):
    project, out, case = package
    photo = out / "DCIM" / "inspections_20260301.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"JFIF-test" * 50)
    with open_project(project, readonly=True) as store:
        ent = store.enterprises()
        from gridmgr.fieldwork.scope import resolve_scope

        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        ent = ent[ent["cell_code"].isin(scope.cells)].iloc[0]
    values = {"enterprise_uuid": ent["uuid"], "result": "发现问题", "findings": "废水直排",
              "photo": "DCIM/inspections_20260301.jpg",
              "_xy": [ent.geometry.x, ent.geometry.y]}
    added = probe("add", str(out / "fieldpack.qgs"), "检查记录", json.dumps(values))
    assert added["added"] and added["committed"], added
    assert added["stored"]["by_staff_no"] == OFFICER  # the default from the project variable
    assert added["stored"]["uuid"] and "{" not in added["stored"]["uuid"]
    step = {"case_uuid": case["uuid"], "action": "处置", "note": "已清理"}
    assert probe("add", str(out / "fieldpack.qgs"), "案件进展", json.dumps(step))["committed"]
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
        assert not report.refused, [f.message for f in report.refused]
        counts = report.info["receipt"]["counts"]
        assert counts["inspections_new"] == 1 and counts["case_steps_new"] == 1
        assert counts["photos"] == 1
        insp = store.inspections(enterprise_uuid=ent["uuid"])
        row = insp[insp["uuid"] == added["stored"]["uuid"]].iloc[0]
        assert row["result"] == "发现问题" and row["by_staff_no"] == OFFICER
        assert len(row["at"]) == 19 and row["at"][10] == "T"  # Beijing local, no zone
        photos = store.inspection_photos(row["uuid"])
        assert [(p["name"], p["data"]) for p in photos] == \
            [("inspections_20260301.jpg", photo.read_bytes())]
        assert store.case_row(case["case_no"])["status"] == "处置"


@needs_qgis
@pytest.mark.gpkg_only
def test_project_layers_open_in_qgis_styled_with_value_lists_and_dates(demo_file, tmp_path):
    """The project GeoPackage itself, its layers added in QGIS as a user adds them: the default
    style from layer_styles (areas by level, cells labelled with the short code, enterprises by
    supervision class, cases by status with 超期), the closed lists as dropdowns, dates as
    Date/DateTime with a calendar."""
    data = tmp_path / "project.gpkg"
    shutil.copy(demo_file, data)
    got = {lyr["name"]: lyr for lyr in probe("layers", str(data), "streets", "communities",
                                             "cells", "enterprises", "cases", "officers")}
    assert all(lyr["valid"] for lyr in got.values())
    assert got["cells"]["label_expression"] == 'substr("code", 13)'
    assert [r["label"] for r in got["streets"]["rules"]] == ["街道界"]
    assert got["streets"]["labels"] and got["communities"]["renderer"] == "RuleRenderer"
    ents = {r["label"]: r["colour"] for r in got["enterprises"]["rules"]}
    assert ents["国控"] == "#b91c1c" and "检查逾期" in ents
    cases = got["cases"]
    assert {r["label"] for r in cases["rules"]} >= {"受理", "立案", "派遣", "结案", "超期"}
    status = cases["fields"]["status"]
    assert status["widget"] == "ValueMap" and status["alias"] == "状态"
    assert [next(iter(d)) for d in status["config"]["map"]] == \
        ["受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "作废", "挂账"]
    assert cases["fields"]["due_at"]["type"] == "DateTime"
    assert cases["fields"]["due_at"]["widget"] == "DateTime"
    assert got["cells"]["fields"]["valid_from"]["type"] == "Date"
    role = got["officers"]["fields"]["role"]
    assert role["widget"] == "ValueMap" and role["alias"] == "角色"
    assert [next(iter(d)) for d in role["config"]["map"]] == \
        ["网格长", "网格员", "执法队员", "协管员", "监督员", "信息采集员", "区级监管责任人"]
    assert got["enterprises"]["fields"]["phone"]["alias"] == "联系电话"


@pytest.mark.gpkg_only
def test_the_role_value_list_follows_the_project_role_table(demo_copy):
    """A bureau's own roles (schema 10's editable table) reach QGIS's dropdown of roles."""
    def listed() -> list[str]:
        with open_project(demo_copy, readonly=True) as store:
            return [r[0] for r in store.db.execute(
                "SELECT value FROM gpkg_data_column_constraints WHERE constraint_name = "
                "'officer_role' ORDER BY rowid")]

    before = listed()
    assert before[:3] == ["网格长", "网格员", "执法队员"] and len(before) == 7
    with open_project(demo_copy) as store:
        with store.atomic():
            store.insert_team_role({"name": "楼栋长", "slot": "member", "multiple": 1,
                                    "required": 0, "sort_order": 15})
        with store.atomic():
            store.rename_team_role("协管员", "城管协管员")
        with store.atomic():
            store.delete_team_role("监督员")
    assert listed() == ["网格长", "楼栋长", "网格员", "执法队员", "城管协管员", "信息采集员",
                        "区级监管责任人"]


def test_gdal_reads_the_chinese_alias_of_the_project_fields(demo):
    """The project's own columns carry their Chinese names where GDAL (3.7+) reads them."""
    if not isinstance(demo, Path):
        pytest.skip("a GeoPackage's gpkg_data_columns: the file backend")
    from gridmgr.outputs.qgis_fields import TITLES as PROJECT_TITLES

    for layer in ("cells", "enterprises", "cases", "officers", "responsibilities"):
        got = _arrow_aliases(demo, layer)
        # GDAL keeps no alternative name that is the column's own name ("UUID" for uuid)
        want = {c: t for c, t in PROJECT_TITLES[layer].items() if t.lower() != c}
        assert {c: got.get(c) for c in want} == want, layer
        assert len(want) >= 6


def test_photos_outside_the_package_or_not_returned_are_warnings_not_imports(package):
    """QField stores ``DCIM/x.jpg`` relative to the project: a photo that did not come back,
    or a value pointing outside the package, leaves the inspection imported without it."""
    from fieldpack_helpers import add_inspections, ago, enterprises_of

    project, out, _ = package
    (out / "DCIM").mkdir()
    (out / "DCIM" / "kept.jpg").write_bytes(b"\xff\xd8\xff\xe0kept")
    (out / "outside.jpg").write_bytes(b"\xff\xd8\xff\xe0outside")
    ents = enterprises_of(out / "data.gpkg")
    rows = [{"enterprise_uuid": ents.iloc[i]["uuid"], "at": ago(hours=i + 1), "result": "合格",
             "geometry": ents.iloc[i].geometry, "photo": photo}
            for i, photo in enumerate(("DCIM/kept.jpg", "DCIM/gone.jpg", "../outside.jpg",
                                       str(out / "outside.jpg")))]
    add_inspections(out / "data.gpkg", rows)
    with open_project(project) as store:
        report = run(import_fieldpack(store, out))
        assert not report.refused, [f.message for f in report.refused]
        counts = report.info["receipt"]["counts"]
        assert counts["inspections_new"] == 4 and counts["photos"] == 1
        assert sorted(f.reason for f in report.warnings) == \
            ["field_photo_missing", "field_photo_refused", "field_photo_refused"]
        kept = store.inspections(enterprise_uuid=ents.iloc[0]["uuid"])
        assert [(p["name"], p["data"]) for p in store.inspection_photos(kept.iloc[-1]["uuid"])] \
            == [("kept.jpg", b"\xff\xd8\xff\xe0kept")]
        for i in (1, 2, 3):
            insp = store.inspections(enterprise_uuid=ents.iloc[i]["uuid"])
            assert store.inspection_photos(insp.iloc[-1]["uuid"]) == []


def test_kml_read_back_by_gdal_keeps_every_field(package):
    _, out, case = package
    layers = [name for name, _ in pyogrio.list_layers(out / "map.kml")]
    assert {"单元网格", "企业", "未结案件"} <= set(layers)
    cells = pyogrio.read_dataframe(out / "map.kml", layer="单元网格")
    assert set(TITLES["cells"]) - {"name"} <= set(cells.columns)  # name is the Placemark's
    data = pyogrio.read_dataframe(out / "data.gpkg", layer="cells")
    first = cells.sort_values("code").iloc[0]
    ref = data.sort_values("code").iloc[0]
    for col in ("code", "community_name", "street_name", "primary_name", "primary_mobile"):
        assert first[col] == ref[col], col
    assert first["Name"] == ref["name"]
    cases = pyogrio.read_dataframe(out / "map.kml", layer="未结案件")
    mine = cases[cases["case_no"] == case["case_no"]].iloc[0]
    assert mine["status"] == "派遣" and mine["description"] == "路边暴露垃圾"
    text = (out / "map.kml").read_text(encoding="utf-8")
    assert '<SimpleField name="code" type="string"><displayName>网格编码</displayName>' in text


def _arrow_aliases(path: Path, layer: str) -> dict[str, str]:
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from gdal_fields import alternative_names

    return alternative_names(path, layer)


def test_gdal_reads_the_chinese_alias_of_every_package_field(package):
    _, out, _ = package
    for layer, titles in TITLES.items():
        got = _arrow_aliases(out / "data.gpkg", layer)  # the venv's GDAL
        assert {c: got.get(c) for c in titles} == titles, layer


def _system_gdal_fields(path: Path, *layers: str) -> dict:
    """{layer: {field: [alternative name, type]}} as Debian's GDAL (python3-gdal) reads them."""
    code = ("import json,sys\nfrom osgeo import ogr,gdal\nds=ogr.Open(sys.argv[1])\n"
            "out={'version':int(gdal.VersionInfo())}\n"
            "for n in sys.argv[2:]:\n d=ds.GetLayer(n).GetLayerDefn()\n"
            " out[n]={d.GetFieldDefn(i).GetName():[d.GetFieldDefn(i).GetAlternativeName(),"
            "ogr.GetFieldTypeName(d.GetFieldDefn(i).GetType())] for i in "
            "range(d.GetFieldCount())}\nprint(json.dumps(out))")
    done = subprocess.run([str(SYSTEM_PY), "-c", code, str(path), *layers], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


needs_system_gdal = pytest.mark.skipif(not SYSTEM_PY.exists() or subprocess.run(
    [str(SYSTEM_PY), "-c", "import osgeo"], capture_output=True).returncode != 0,
    reason="Debian python3-gdal missing")


@needs_system_gdal
def test_system_gdal_reads_the_package_aliases_and_date_types(package, tmp_path):
    _, out, _ = package
    data = tmp_path / "copy.gpkg"
    shutil.copy(out / "data.gpkg", data)
    got = _system_gdal_fields(data, "enterprises", "cases")
    # GDAL reads gpkg_data_columns.name as the alternative name from 3.7 on; Debian 12 has 3.6
    alias = got["version"] >= 3070000
    assert got["enterprises"]["phone"] == ["联系电话" if alias else "", "String"]
    assert got["enterprises"]["last_inspection"][1] == "Date"
    assert got["cases"]["reported_at"][1] == "DateTime"


@needs_system_gdal
@pytest.mark.gpkg_only
def test_system_gdal_reads_the_project_aliases_and_date_types(demo_file):
    got = _system_gdal_fields(demo_file, "cases", "cells", "responsibilities")
    alias = got["version"] >= 3070000
    assert got["cases"]["due_at"] == ["本阶段截止" if alias else "", "DateTime"]
    assert got["cases"]["reported_at"][1] == "DateTime"
    assert got["cells"]["valid_from"][1] == "Date"
    assert got["responsibilities"]["valid_to"][1] == "Date"


@pytest.mark.gpkg_only
def test_migration_11_declares_dates_and_keeps_every_value(tmp_path, monkeypatch):
    """A schema-10 project (what the version before this made) opened by this version: the
    dates and times become DATE/DATETIME for GDAL, every stored value stays as it was."""
    from gridmgr.project import init_project
    from gridmgr.storage.gpkg import schema

    p = tmp_path / "v10.gpkg"
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 10)
    monkeypatch.setattr(schema, "MIGRATIONS", {k: v for k, v in schema.MIGRATIONS.items()
                                               if k <= 10})
    init_project(p, name="禅城区", admin_code="440604").close()
    conn = sqlite3.connect(p)
    assert "valid_from TEXT" in conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                                             "'responsibilities'").fetchone()[0]
    conn.execute("INSERT INTO officers (uuid, staff_no, name, role, created_at, updated_at) "
                 "VALUES ('o1', 'CC0001', '刘广', '网格员', '2026-03-01T09:30:00+08:00', "
                 "'2026-03-01T09:30:00+08:00')")
    conn.execute("INSERT INTO responsibilities (uuid, staff_no, role, slot, system, level, "
                 "area_code, valid_from, created_at) VALUES ('r1', 'CC0001', '网格员', "
                 "'primary', 'urban', 'cell', '44060401000101', '2026-03-01', "
                 "'2026-03-01T09:30:00+08:00')")
    conn.commit()
    conn.close()
    monkeypatch.undo()
    with open_project(p) as store:
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
    conn = sqlite3.connect(p)
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'responsibilities'"
                       ).fetchone()[0]
    assert "valid_from DATE NOT NULL" in ddl and "created_at DATETIME" in ddl
    assert "REFERENCES officers (staff_no)" in ddl  # constraints kept
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT valid_from, typeof(valid_from) FROM responsibilities"
                        ).fetchone() == ("2026-03-01", "text")
    assert conn.execute("SELECT count(*) FROM layer_styles WHERE useAsDefault").fetchone()[0] \
        >= 7
    enum = conn.execute("SELECT value FROM gpkg_data_column_constraints WHERE "
                        "constraint_name = 'case_status' ORDER BY rowid").fetchall()
    assert [r[0] for r in enum] == ["受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "作废",
                                    "挂账"]
    conn.close()
    info = pyogrio.read_info(p, layer="responsibilities")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["valid_from"] == "OFTDate" and types["created_at"] == "OFTDateTime"
    got = pyogrio.read_dataframe(p, layer="responsibilities")
    assert str(got["valid_from"].iloc[0])[:10] == "2026-03-01"
