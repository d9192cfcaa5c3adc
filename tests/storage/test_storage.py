"""The project file: a valid GeoPackage that GDAL reads, opened safely, migrated atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyogrio
import pytest
import shapely

from gridmgr import geometry, storage
from gridmgr.errors import (
    CorruptProject,
    NewerSchema,
    NotAProject,
    ProjectExists,
    ProjectNotFound,
    ReadOnlyProject,
    UsageError,
)
from gridmgr.project import init_project, open_project
from gridmgr.storage.gpkg import schema

VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def gdal_reads_every_project_back(tmp_path):
    """After each storage test, GDAL must still read every gridmgr project file it left, with
    the same number of current rows per layer as gridmgr counts."""
    yield
    for path in tmp_path.glob("*.gpkg"):
        try:
            store = open_project(path, readonly=True)
        except Exception:
            continue  # the test made a file that is deliberately not a usable project
        with store:
            counts = {lvl: store.count_areas(lvl, current=False) for lvl in storage.LEVELS}
        for level, table in storage.LEVEL_TABLES.items():
            df = pyogrio.read_dataframe(path, layer=table)
            assert len(df) == counts[level], (path, table)
            assert pyogrio.read_info(path, layer=table)["crs"] in ("EPSG:4490", "EPSG:4547")


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "禅城区.gpkg"
    with init_project(path, name="禅城区", admin_code="440604") as store:
        with store.atomic():
            store.insert_areas("street", [{"code": "440604010", "name": "石湾镇街道",
                                           "parent_code": "440604"}],
                               [shapely.box(113.08, 22.98, 113.13, 23.02)])
    return path


def test_gdal_lists_and_reads_the_layers_with_their_crs(project):
    layers = {name: kind for name, kind in pyogrio.list_layers(project)}
    assert {"districts", "streets", "communities", "cells"} <= set(layers)
    assert layers["cells"] == "MultiPolygon"
    for name in ("districts", "streets", "communities", "cells"):
        assert pyogrio.read_info(project, layer=name)["crs"] == "EPSG:4490"
    df = pyogrio.read_dataframe(project, layer="streets")
    assert list(df["name"]) == ["石湾镇街道"]
    assert df.geometry.iloc[0].equals(shapely.MultiPolygon([shapely.box(113.08, 22.98,
                                                                        113.13, 23.02)]))
    info = pyogrio.read_info(project, layer="streets")
    assert info["features"] == 1
    assert info["total_bounds"] == pytest.approx((113.08, 22.98, 113.13, 23.02))


@pytest.mark.skipif(not VALIDATOR.exists() or not Path("/usr/bin/python3").exists(),
                    reason="GDAL's validate_gpkg.py (Debian python3-gdal) not installed")
def test_gdal_geopackage_validator_finds_no_error(project):
    # an update exercises the R-tree triggers, which call the ST_* functions we register
    with open_project(project) as store, store.atomic():
        store.db.execute("UPDATE streets SET geom = geom")
    out = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(project)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_projected_project_crs(tmp_path):
    p = tmp_path / "gk.gpkg"
    init_project(p, name="t", admin_code="440604", crs="EPSG:4547").close()
    assert pyogrio.read_info(p, layer="cells")["crs"] == "EPSG:4547"
    with open_project(p) as store:
        assert store.crs.to_epsg() == 4547


def test_rtree_follows_the_envelope(project):
    with open_project(project) as store:
        with store.atomic():
            store.db.execute("UPDATE streets SET geom = ? WHERE code = '440604010'",
                             [geometry.encode([shapely.box(1, 2, 3, 4)], 4490)[0]])
        row = store.db.execute("SELECT minx, maxx, miny, maxy FROM rtree_streets_geom").fetchone()
    assert row == pytest.approx((1, 3, 2, 4))


def test_init_refuses_bad_settings_and_existing_files(tmp_path, project):
    with pytest.raises(ProjectExists):
        init_project(project, name="x", admin_code="440604")
    with pytest.raises(UsageError, match="6 位"):
        init_project(tmp_path / "a.gpkg", name="x", admin_code="4406")
    with pytest.raises(UsageError, match="坐标系"):
        init_project(tmp_path / "b.gpkg", name="x", admin_code="440604", crs="EPSG:99999")
    with pytest.raises(UsageError, match=".gpkg"):
        init_project(tmp_path / "c.sqlite", name="x", admin_code="440604")
    assert not any(tmp_path.glob("[abc].*"))


def test_own_tables_and_audit(project):
    with open_project(project, readonly=True) as store:
        meta = store.meta()
        assert meta["name"] == "禅城区" and meta["admin_code"] == "440604"
        assert meta["schema_version"] == str(storage.SCHEMA_VERSION)
        assert [s["code"] for s in store.grid_systems()] == ["urban", "env"]
        assert store.audit_log()[0]["action"] == "init"
        app_id = store.db.execute("PRAGMA application_id").fetchone()[0]
        assert app_id == storage.GPKG_APPLICATION_ID


# --------------------------------------------------------------------------- refusing files

def test_missing_file(tmp_path):
    with pytest.raises(ProjectNotFound):
        open_project(tmp_path / "nope.gpkg")


@pytest.mark.parametrize("kind", ["text", "sqlite", "plain_gpkg", "empty"])
def test_not_a_project_is_refused_untouched(tmp_path, kind):
    p = tmp_path / f"{kind}.gpkg"
    if kind == "text":
        p.write_text("网格编码,网格名称\n", encoding="utf-8")
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "sqlite":
        c = sqlite3.connect(p)
        c.execute("CREATE TABLE t (a)")
        c.commit()
        c.close()
    else:
        import geopandas as gpd

        gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)],
                         crs="EPSG:4326").to_file(p, engine="pyogrio")
    before = digest(p)
    for readonly in (True, False):
        with pytest.raises(NotAProject, match="不是 gridmgr 项目"):
            open_project(p, readonly=readonly)
    assert digest(p) == before
    assert not list(tmp_path.glob("*-journal"))


def test_newer_schema_is_refused_untouched(project):
    c = sqlite3.connect(project)
    c.execute("UPDATE gridmgr_meta SET value = '99' WHERE key = 'schema_version'")
    c.commit()
    c.close()
    before = digest(project)
    with pytest.raises(NewerSchema, match="99"):
        open_project(project)
    with pytest.raises(NewerSchema):
        open_project(project, readonly=True)
    assert digest(project) == before


def test_read_only_file(project):
    os.chmod(project, 0o444)
    try:
        before = digest(project)
        with pytest.raises(ReadOnlyProject, match="只读"):
            open_project(project)
        with open_project(project, readonly=True) as store:  # reading is fine
            assert store.count_areas("street") == 1
            with pytest.raises(ReadOnlyProject):
                with store.atomic():
                    pass
        assert digest(project) == before
    finally:
        os.chmod(project, 0o644)


def test_truncated_file_is_corrupt_and_untouched(project, tmp_path):
    broken = tmp_path / "broken.gpkg"
    data = project.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    before = digest(broken)
    with pytest.raises(CorruptProject):
        open_project(broken)
    assert digest(broken) == before


def test_damaged_pages_are_corrupt_and_untouched(project, tmp_path):
    broken = tmp_path / "damaged.gpkg"
    shutil.copy(project, broken)
    data = bytearray(broken.read_bytes())
    page = 4096
    for i in range(2 * page, len(data) - page, page):  # scribble over every page but 1st/last
        data[i + 8: i + 200] = b"\xff" * 192
    broken.write_bytes(bytes(data))
    before = digest(broken)
    with pytest.raises(CorruptProject):
        open_project(broken)
    assert digest(broken) == before


# --------------------------------------------------------------------------- transactions

def test_atomic_rolls_back_everything(project):
    with open_project(project) as store:
        with pytest.raises(RuntimeError):
            with store.atomic():
                store.insert_areas("community", [{"code": "440604010001"}],
                                   [shapely.box(113.09, 22.99, 113.1, 23.0)])
                store.audit("test", {})
                raise RuntimeError("boom")
        assert store.count_areas("community") == 0
        assert [a["action"] for a in store.audit_log()] == ["init"]


def test_migrations_are_numbered_and_run_in_one_transaction(project, monkeypatch):
    assert sorted(storage.MIGRATIONS) == list(range(1, schema.SCHEMA_VERSION + 1))

    def broken(db, settings, defaults):
        db.execute("CREATE TABLE half_done (a)")
        raise RuntimeError("migration failed")

    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION + 1, broken)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    before = digest(project)
    with pytest.raises(RuntimeError):
        open_project(project)
    assert digest(project) == before

    def works(db, settings, defaults):
        """add a table"""
        db.execute("CREATE TABLE added_later (a)")

    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION, works)
    with open_project(project) as store:
        assert "added_later" in store.db.table_names()
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        versions = [r["version"] for r in store.db["gridmgr_schema"].rows]
        assert versions == list(range(1, schema.SCHEMA_VERSION + 1))


def test_bulk_insert_fills_the_rtree_and_puts_the_trigger_back(project):
    boxes = [shapely.box(113.0 + i * 0.01, 23.0, 113.005 + i * 0.01, 23.004) for i in range(50)]
    with open_project(project) as store:
        sql = "SELECT sql FROM sqlite_master WHERE name = 'rtree_communities_geom_insert'"
        trigger = store.db.execute(sql).fetchone()[0]
        with store.atomic():
            store.insert_areas("community", [{"code": f"4406040100{i:02d}"} for i in range(50)],
                               boxes)
        assert store.db.execute(sql).fetchone()[0] == trigger
        rows = store.db.execute("SELECT c.code, r.minx, r.maxx, r.miny, r.maxy FROM communities c "
                                "JOIN rtree_communities_geom r ON r.id = c.fid "
                                "ORDER BY c.code").fetchall()
        assert len(rows) == 50
        for (_code, *env), b in zip(rows, boxes):
            x0, y0, x1, y1 = b.bounds
            # SQLite's R-tree stores float32, rounded outwards: the box still contains the area
            assert env[0] <= x0 and env[1] >= x1 and env[2] <= y0 and env[3] >= y1
            assert env == pytest.approx([x0, x1, y0, y1], abs=2e-5)
        # a plain insert, as QGIS makes one, still goes through the trigger
        blob = geometry.encode([shapely.box(114, 24, 114.1, 24.1)], 4490)[0]
        with store.atomic():
            store.db.execute("INSERT INTO communities (geom, uuid, system, code, valid_from, "
                             "created_at) VALUES (?, 'u-1', 'urban', 'x', '2024-01-01', 'now')",
                             [blob])
        n = store.db.execute("SELECT count(*) FROM rtree_communities_geom").fetchone()[0]
        assert n == 51


def test_a_version_1_project_is_upgraded_in_place(tmp_path, monkeypatch):
    p = tmp_path / "v1.gpkg"
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: schema.MIGRATIONS[1]})
    init_project(p, name="禅城区", admin_code="440604").close()
    with open_project(p, readonly=True) as store:
        assert store.meta()["schema_version"] == "1"
        assert "enterprises" not in store.db.table_names()
    monkeypatch.undo()
    with open_project(p) as store:
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        assert {"enterprises", "officers", "responsibilities"} <= set(store.db.table_names())
    assert dict(pyogrio.list_layers(p))["enterprises"] == "Point"
