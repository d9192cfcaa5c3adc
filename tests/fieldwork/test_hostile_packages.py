"""A returned field package is untrusted.  Each case builds its own hostile package from a real
export of the demo district (zip-slip entries, symlinks, zip bombs, views and SQL where layers
and columns should be, rows outside the package's cells or in other people's names, an edited
manifest, WAL copies) and checks what the import refuses, what it says, its exit code, and
that the project file is byte-identical afterwards."""

from __future__ import annotations

import json
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest
from fieldpack_helpers import (
    OFFICER,
    add_inspections,
    add_progress,
    ago,
    dispatched_case,
    edit_enterprise,
    enterprises_of,
    sha,
)
from shapely.geometry import Point

from gridmgr import geometry
from gridmgr.cli import main
from gridmgr.errors import EXIT_FINDINGS, EXIT_INPUT, InputFileError
from gridmgr.fieldwork import importer
from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.fieldwork.importer import import_fieldpack
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.storage import connect


@pytest.fixture(autouse=True)
def _application(qapp):
    return qapp  # export prints the atlas with QtGui (see test_fieldpack.py)


@pytest.fixture
def exported(demo_copy, tmp_path):
    """The demo with a dispatched case in the officer's first cell and the officer's package;
    also a cell and an enterprise of someone else's."""
    with open_project(demo_copy) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell")
        geom = cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0]
        case = dispatched_case(store, geom, OFFICER)
        run(export_fieldpack(store, out=tmp_path / "pack", officer=OFFICER))
        other_cell = cells[~cells["code"].isin(scope.cells)].iloc[0]
        ents = store.enterprises()
        other_ent = ents[~ents["cell_code"].isin(scope.cells)].iloc[0]
        staff = store.officers()["staff_no"].tolist()
    other_staff = next(s for s in staff if s != OFFICER)
    return {"project": demo_copy, "pack": tmp_path / "pack", "case": case,
            "other_point": other_cell.geometry.representative_point(),
            "other_ent": other_ent["uuid"], "other_staff": other_staff}


def refused(project: Path, package: Path, match: str) -> None:
    """The package is refused whole with ``match`` in the message, exit 3, project unchanged."""
    before = sha(project)
    with open_project(project) as store, pytest.raises(InputFileError, match=match):
        run(import_fieldpack(store, package))
    assert main(["fieldpack", "import", str(project), str(package)]) == EXIT_INPUT
    assert sha(project) == before


def zip_of(folder: Path, out: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (),
           skip: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            if p.name not in skip:
                zf.write(p, p.name)
        for info, data in extra:
            zf.writestr(info, data)
    return out


# --------------------------------------------------------------------------- the zip itself

@pytest.mark.parametrize("entry", ["../evil.txt", "../../tmp/evil.txt", "/tmp/gridmgr-evil.txt",
                                   "C:/Windows/evil.txt", "sub/../../evil.txt"])
def test_zip_entries_that_climb_out_are_refused_before_extracting(exported, tmp_path, entry):
    z = zip_of(exported["pack"], tmp_path / "p.zip", [(entry, b"owned")])
    refused(exported["project"], z, "拒绝解压")
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/gridmgr-evil.txt").exists()


def test_symlink_entry_is_refused(exported, tmp_path):
    link = zipfile.ZipInfo("photo.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = zip_of(exported["pack"], tmp_path / "p.zip", [(link, b"/etc/passwd")])
    refused(exported["project"], z, "符号链接")


def test_symlink_in_a_folder_is_refused(exported):
    pack = exported["pack"]
    (pack / "map.kml").unlink()
    (pack / "map.kml").symlink_to("/etc/hostname")
    refused(exported["project"], pack, "符号链接")


def test_zip_bomb_stops_while_inflating(exported, tmp_path, monkeypatch):
    """A data.gpkg that inflates far past what the manifest allows: refused after reading at
    most the limit (the limits are made small here so that the test stays small)."""
    monkeypatch.setattr(importer, "DATA_SLACK", 2 << 20)
    monkeypatch.setattr(importer, "DATA_GROWTH", 1)
    bomb = b"\0" * (40 << 20)  # 40 MiB of zeros deflate to ~40 KiB
    z = zip_of(exported["pack"], tmp_path / "p.zip", [("data.gpkg", bomb)], skip=("data.gpkg",))
    assert z.stat().st_size < 1 << 20
    t0 = time.perf_counter()
    refused(exported["project"], z, "压缩炸弹|超过外业包允许")
    assert time.perf_counter() - t0 < 30


def test_a_file_bigger_than_the_manifest_says_is_refused(exported, tmp_path):
    big = (exported["pack"] / "tasks.xlsx").read_bytes() + b"\0" * 4096
    z = zip_of(exported["pack"], tmp_path / "p.zip", [("tasks.xlsx", big)],
               skip=("tasks.xlsx",))
    refused(exported["project"], z, "tasks.xlsx")


def test_manifest_is_checked_before_anything_else_is_read(exported, tmp_path, monkeypatch):
    pack = exported["pack"]
    (pack / "manifest.json").write_text('{"format": "something-else"}', encoding="utf-8")
    read: list[str] = []
    real = importer._read_bounded
    monkeypatch.setattr(importer, "_read_bounded",
                        lambda src, zf, info, limit, dest=None: read.append(info.filename)
                        or real(src, zf, info, limit, dest))
    z = zip_of(pack, tmp_path / "p.zip")
    refused(exported["project"], z, "manifest.json 不是")
    assert read == ["manifest.json", "manifest.json"]  # once by the task, once by the CLI


# --------------------------------------------------------------------------- the GeoPackage

def _sql(data: Path, *statements: str) -> None:
    db = connect(data)
    try:
        with db.atomic():
            for s in statements:
                db.execute(s)
    finally:
        db.conn.close()


def test_a_view_where_a_layer_should_be_is_not_read(exported):
    """A never-ending VIEW named like a layer: refused at once, no hang."""
    data = exported["pack"] / "data.gpkg"
    _sql(data, "ALTER TABLE inspections RENAME TO inspections_old",
         "CREATE VIEW inspections AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL "
         "SELECT i + 1 FROM r) SELECT i AS fid FROM r")
    t0 = time.perf_counter()
    refused(exported["project"], exported["pack"], "缺少图层 inspections")
    assert time.perf_counter() - t0 < 30


def test_sql_in_the_geometry_column_name_is_not_run(exported):
    data = exported["pack"] / "data.gpkg"
    _sql(data, "UPDATE gpkg_geometry_columns SET column_name = "
               "'geom\" FROM (WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r) "
               "SELECT i FROM r), \"inspections' WHERE table_name = 'inspections'")
    t0 = time.perf_counter()
    refused(exported["project"], exported["pack"], "几何列")
    assert time.perf_counter() - t0 < 30


def test_unknown_layers_views_and_columns_are_ignored_and_the_file_untouched(exported):
    """Extra tables, views and columns a hostile package adds are not read; the returned file
    is opened read-only (its bytes do not change) and the good rows import."""
    pack = exported["pack"]
    data = pack / "data.gpkg"
    e = enterprises_of(data).iloc[0]
    add_inspections(data, [{"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
                            "geometry": e.geometry}])
    _sql(data, "CREATE VIEW forever AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL "
               "SELECT i + 1 FROM r) SELECT i FROM r",
         "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES "
         "('forever', 'attributes', 'forever')",
         "ALTER TABLE inspections ADD COLUMN case_uuid TEXT DEFAULT 'x'",
         "CREATE TABLE trap (a)",
         "CREATE TRIGGER t AFTER INSERT ON trap BEGIN DELETE FROM inspections; END")
    before = sha(data)
    with open_project(exported["project"]) as store:
        report = run(import_fieldpack(store, pack))
        assert not report.refused, [f.message for f in report.refused]
        assert report.info["receipt"]["counts"]["inspections_new"] == 1
        insp = store.inspections()
        assert insp["case_uuid"].isna().all()  # the added column was not read
    assert sha(data) == before
    assert not (pack / "data.gpkg-wal").exists() and not (pack / "data.gpkg-shm").exists()


# --------------------------------------------------------------------------- scope and names

def test_rows_outside_the_package_or_in_other_names_are_refused(exported):
    pack = exported["pack"]
    data = pack / "data.gpkg"
    e = enterprises_of(data).iloc[0]
    add_inspections(data, [
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
         "geometry": e.geometry},  # fid 1: fine
        {"at": ago(days=1), "result": "发现问题", "findings": "别人的街道", "opens_case": True,
         "case_category": "SJ0102", "geometry": exported["other_point"]},  # 2: another cell
        {"enterprise_uuid": exported["other_ent"], "at": ago(days=1),
         "result": "合格", "geometry": None},  # 3: an enterprise the package did not carry
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
         "by_staff_no": "ZZ9999", "geometry": e.geometry},  # 4: nobody of that number
        {"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
         "by_staff_no": exported["other_staff"], "geometry": e.geometry},  # 5: a colleague
    ])
    add_progress(data, [{"case_uuid": exported["case"]["uuid"], "action": "处置",
                         "at": ago(hours=2), "by_staff_no": exported["other_staff"],
                         "note": "替别人处置"}])
    project = exported["project"]
    before = sha(project)
    with open_project(project) as store:
        report = run(import_fieldpack(store, pack))
    assert report.info["applied"] is False and sha(project) == before
    got = {(f.file, f.row, f.reason) for f in report.refused}
    assert got == {("inspections", 2, "field_outside_scope"),
                   ("inspections", 3, "field_enterprise_not_sent"),
                   ("inspections", 4, "field_unknown_staff"),
                   ("inspections", 5, "field_other_staff"),
                   ("case_progress", 1, "field_other_staff")}
    five = next(f for f in report.refused if f.row == 5 and f.file == "inspections")
    assert exported["other_staff"] in five.message and OFFICER in five.message
    assert main(["fieldpack", "import", str(project), str(pack)]) == EXIT_FINDINGS
    assert sha(project) == before


def test_an_edited_manifest_is_refused(exported):
    """Re-attributing the package to another officer in manifest.json changes nothing."""
    pack = exported["pack"]
    m = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    m["scope"]["staff_no"] = exported["other_staff"]
    (pack / "manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=2),
                                        encoding="utf-8")
    refused(exported["project"], pack, "manifest.json 与导出时不同")


def test_the_package_officer_comes_from_the_project_not_the_manifest(exported):
    """Even past the hash check (a package exported before the project kept it), a blank
    by_staff_no is the officer the project recorded, not the one the manifest names."""
    pack = exported["pack"]
    data = pack / "data.gpkg"
    e = enterprises_of(data).iloc[0]
    add_inspections(data, [{"enterprise_uuid": e["uuid"], "at": ago(days=1), "result": "合格",
                            "geometry": e.geometry}])
    m = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    m["scope"]["staff_no"] = exported["other_staff"]
    (pack / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with open_project(exported["project"]) as store, importer.open_package(pack) as pkg:
        pkg.manifest_sha256 = store.fieldpack_snapshot(pkg.uuid, "package")[pkg.uuid][0]
        known = importer.check_package(store, pkg)
        report, plan = importer.plan_import(store, pkg, known)
    assert known["scope"]["staff_no"] == OFFICER
    assert not report.refused and plan.inspections[0]["by_staff_no"] == OFFICER


# --------------------------------------------------------------------------- WAL copies

def _wal_edit(data: Path, enterprise: dict) -> object:
    """An inspection saved the way QGIS/QField save in WAL mode, the file still open (the
    edit is in data.gpkg-wal, not yet in data.gpkg).  Returns the open connection."""
    db = connect(data)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    srs = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = "
                     "'inspections'").fetchone()[0]
    with db.atomic():
        db.execute("INSERT INTO inspections (geom, uuid, enterprise_uuid, at, result) VALUES "
                   "(?, 'c5b7a9d8-1111-4a3b-9c2d-000000000001', ?, ?, '合格')",
                   [geometry.encode([enterprise["geometry"]], srs)[0], enterprise["uuid"],
                    ago(days=1)])
    return db


@pytest.mark.parametrize("with_wal", [True, False])
def test_wal_copies(exported, tmp_path, with_wal):
    pack = exported["pack"]
    e = enterprises_of(pack / "data.gpkg").iloc[0]
    db = _wal_edit(pack / "data.gpkg", {"uuid": e["uuid"], "geometry": e.geometry})
    try:
        assert (pack / "data.gpkg-wal").stat().st_size > 0
        copy = tmp_path / "copied"
        copy.mkdir()
        for name in ("manifest.json", "data.gpkg", *(["data.gpkg-wal"] if with_wal else [])):
            shutil.copy2(pack / name, copy / name)
    finally:
        db.conn.close()
    with open_project(exported["project"]) as store:
        report = run(import_fieldpack(store, copy, dry_run=True))
    assert not report.refused
    warned = {f.reason: f for f in report.findings if f.reason.startswith("field_wal")}
    new = report.info["receipt"]["counts"]["inspections_new"]
    if with_wal:
        assert new == 1 and "field_wal_read" in warned
    else:  # the edit is in the -wal left behind: said, with what was read last
        assert new == 0 and "field_wal_missing" in warned
        assert "data.gpkg-wal" in warned["field_wal_missing"].message
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        ["manifest.json", "data.gpkg", *(["data.gpkg-wal"] if with_wal else [])])


def test_a_zip_with_the_wal_is_read_whole(exported, tmp_path):
    pack = exported["pack"]
    e = enterprises_of(pack / "data.gpkg").iloc[0]
    db = _wal_edit(pack / "data.gpkg", {"uuid": e["uuid"], "geometry": e.geometry})
    try:
        z = zip_of(pack, tmp_path / "p.zip", skip=("data.gpkg-shm",))
    finally:
        db.conn.close()
    with open_project(exported["project"]) as store:
        report = run(import_fieldpack(store, z))
    assert report.info["applied"] and report.info["receipt"]["counts"]["inspections_new"] == 1


# --------------------------------------------------------------------------- what comes back

def test_a_folder_with_only_data_and_manifest_imports(exported, tmp_path):
    pack = exported["pack"]
    e = enterprises_of(pack / "data.gpkg").iloc[0]
    add_inspections(pack / "data.gpkg", [{"enterprise_uuid": e["uuid"], "at": ago(days=1),
                                          "result": "合格", "geometry": e.geometry}])
    back = tmp_path / "back"
    back.mkdir()
    for name in ("manifest.json", "data.gpkg"):
        shutil.copy2(pack / name, back / name)
    with open_project(exported["project"]) as store:
        report = run(import_fieldpack(store, back))
    assert report.info["applied"] and not report.refused
    assert report.info["receipt"]["counts"]["inspections_new"] == 1


def _comparable(receipt: dict) -> dict:
    """A receipt without what only the write can know (new case uuids, conflict numbers)."""
    recs = [{k: v for k, v in r.items() if not (r["kind"] == "case_opened" and k == "uuid")
             and not (r["kind"] == "conflict" and k == "id")} for r in receipt["records"]]
    conflicts = [{k: v for k, v in c.items() if k != "id"} for c in receipt["conflicts"]]
    return {"counts": receipt["counts"], "records": recs, "conflicts": conflicts}


def test_dry_run_reports_exactly_what_the_import_does(exported):
    pack = exported["pack"]
    data = pack / "data.gpkg"
    ents = enterprises_of(data)
    e0, e1, e2 = ents.iloc[0], ents.iloc[1], ents.iloc[2]
    add_inspections(data, [
        {"enterprise_uuid": e0["uuid"], "at": ago(days=1), "result": "合格",
         "geometry": e0.geometry},
        {"enterprise_uuid": e1["uuid"], "at": ago(hours=5), "result": "发现问题",
         "findings": "露天焚烧", "opens_case": True, "case_category": "SJ0102",
         "geometry": e1.geometry},
        {"at": ago(hours=4), "result": "发现问题", "findings": "路面破损", "opens_case": True,
         "case_category": "SJ0102", "geometry": Point(e2.geometry.x + 1e-5, e2.geometry.y)},
    ])
    edit_enterprise(data, e1["uuid"], phone="13900000000")
    edit_enterprise(data, e2["uuid"], phone="13700000000")
    with open_project(exported["project"]) as store, store.atomic():  # the desk too: conflict
        store.set_enterprise_field_values(e2["uuid"], {"phone": "13600000000"}, None, None)
    add_progress(data, [{"case_uuid": exported["case"]["uuid"], "action": "处置",
                         "at": ago(hours=3), "note": "已清理"}])
    project = exported["project"]
    before = sha(project)
    with open_project(project, readonly=True) as store:
        dry = run(import_fieldpack(store, pack, dry_run=True))
    assert sha(project) == before
    with open_project(project) as store:
        real = run(import_fieldpack(store, pack))
    assert not real.refused and real.info["applied"]
    assert real.info["receipt"]["counts"]["cases_opened"] == 2
    assert real.info["receipt"]["counts"]["conflicts_new"] == 1
    assert _comparable(dry.info["receipt"]) == _comparable(real.info["receipt"])
    assert ([f.reason for f in dry.findings if f.reason != "field_conflict"]
            == [f.reason for f in real.findings if f.reason != "field_conflict"])
