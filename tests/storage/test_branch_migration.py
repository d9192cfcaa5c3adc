"""Schema 8 on a project made before it: the enterprises table loses the UNIQUE on credit_code
(rebuilt with every row, fid and point), keeps its indexes, triggers and R-tree, gains the
credit_code_flag column, and a second site under one code can be stored."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest
import shapely

from gridmgr.project import init_project, open_project
from gridmgr.storage.gpkg import schema


def _insert(store, code: str, name: str, x: float) -> None:
    """An enterprise written as a schema-7 project has it (no columns of later schemas)."""
    from gridmgr import geometry

    blob = geometry.encode([shapely.Point(x, 23.02)], 4490)[0]
    with store.atomic():
        store.db.execute("INSERT INTO enterprises (geom, uuid, credit_code, name, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, 'now', 'now')",
                         [blob, f"u-{name}", code, name])


def test_schema_8_drops_the_unique_credit_code_safely(tmp_path, monkeypatch):
    p = tmp_path / "v7.gpkg"
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 7)
    monkeypatch.setattr(schema, "MIGRATIONS", {v: m for v, m in schema.MIGRATIONS.items()
                                               if v <= 7})
    init_project(p, name="禅城区", admin_code="440604").close()
    with open_project(p) as store:
        assert store.meta()["schema_version"] == "7"
        _insert(store, "91440604MA4X001A1H", "甲", 113.10)
        _insert(store, "91440604MA4X002B2B", "乙", 113.11)
        with pytest.raises(sqlite3.IntegrityError):
            _insert(store, "91440604MA4X001A1H", "甲分公司", 113.12)
        before = [tuple(r) for r in store.db.execute(
            "SELECT fid, uuid, credit_code, name, geom FROM enterprises ORDER BY fid")]
        indexes = {r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enterprises' "
            "AND sql IS NOT NULL")}
        triggers = {r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'enterprises'")}
    monkeypatch.undo()
    with open_project(p) as store:  # a read-write open migrates
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        ddl = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'enterprises'"
                               ).fetchone()[0]
        assert '"credit_code" TEXT,' in ddl and '"ext_id" TEXT UNIQUE' in ddl
        after = [tuple(r) for r in store.db.execute(
            "SELECT fid, uuid, credit_code, name, geom FROM enterprises ORDER BY fid")]
        assert after == before  # every row, fid and point as it was
        now = {r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enterprises' "
            "AND sql IS NOT NULL")}
        assert now == indexes | {"idx_enterprises_credit_code"}
        assert {r[0] for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'enterprises'")} == triggers and len(triggers) == 6  # the R-tree's
        _insert(store, "91440604MA4X001A1H", "甲分公司", 113.12)  # a branch site now fits
        assert store.db.execute("SELECT count(*) FROM rtree_enterprises_geom").fetchone()[0] == 3
        ents = store.enterprises()
        assert list(ents["credit_code"]) == ["91440604MA4X001A1H", "91440604MA4X002B2B",
                                             "91440604MA4X001A1H"]
        assert "credit_code_flag" in ents
        plan = " ".join(str(r) for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT fid FROM enterprises WHERE credit_code = ?", ["x"]))
        assert "idx_enterprises_credit_code" in plan
        # the migration marks codes already shared; a project before 8 cannot have any
        assert ents["credit_code_flag"].isna().all()
    assert dict(pyogrio.list_layers(p))["enterprises"] == "Point"  # GDAL still reads it
    assert len(pyogrio.read_dataframe(p, layer="enterprises")) == 3


def test_migration_8_marks_codes_already_shared(tmp_path):
    """Run again on a table that holds a shared code (idempotent: no rebuild the second time),
    it flags both rows."""
    p = tmp_path / "p.gpkg"
    init_project(p, name="禅城区", admin_code="440604").close()
    with open_project(p) as store:
        _insert(store, "91440604MA4X001A1H", "甲", 113.10)
        _insert(store, "91440604MA4X001A1H", "甲分公司", 113.12)
        with store.atomic():
            schema.MIGRATIONS[8](store.db, store.meta(), None)
        flags = list(store.enterprises()["credit_code_flag"])
    from gridmgr.registers.enterprises import SHARED_FLAG

    assert flags == [SHARED_FLAG, SHARED_FLAG]
