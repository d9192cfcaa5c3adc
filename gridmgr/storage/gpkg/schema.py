"""The project's schema: GeoPackage core tables, gridmgr's tables, numbered migrations.

Layout:

* GeoPackage core tables (``gpkg_spatial_ref_sys``, ``gpkg_contents``, ``gpkg_geometry_columns``,
  ``gpkg_extensions``), written with the DDL GDAL uses (GeoPackage 1.3), so GDAL, QGIS and
  QField open the file as it is.
* Feature tables ``districts``, ``streets``, ``communities``, ``cells`` — one per hierarchy
  level, each a MULTIPOLYGON layer in the project CRS with an R-tree (``gpkg_rtree_index``).
  Rows carry the grid ``system`` they belong to and a validity period (``valid_from``/
  ``valid_to``; a NULL ``valid_to`` is the current grid), so a redrawn grid closes old rows
  instead of rewriting them.
* gridmgr's own tables: ``gridmgr_meta`` (settings), ``gridmgr_schema`` (applied migrations),
  ``gridmgr_audit`` (one row per user action), ``grid_systems`` (registered as an attributes
  table so that QGIS shows it).

A migration is a function that takes the database inside the transaction that applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils
from pyproj import CRS

from ...levels import LEVEL_TABLES
from .connection import now_iso
from .schema_cases import migration_4 as _migration_4_cases
from .schema_fieldwork import migration_5 as _migration_5_fieldwork

_GPKG_CORE = [
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY "
    "KEY,organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT "
    "NOT NULL,description TEXT)",
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,"
    "identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y "
    "DOUBLE,srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,"
    "geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT "
    "NULL,CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT "
    "uk_gc_table_name UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) "
    "REFERENCES gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys (srs_id))",
    "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,"
    "definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, "
    "column_name, extension_name))",
]

_RTREE_TRIGGERS = """
CREATE TRIGGER "rtree_{t}_geom_insert" AFTER INSERT ON "{t}" WHEN (new."geom" NOT NULL AND NOT
 ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO "rtree_{t}_geom" VALUES (NEW."fid",
 ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END;
CREATE TRIGGER "rtree_{t}_geom_update1" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" =
 NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO
 "rtree_{t}_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),
 ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END;
CREATE TRIGGER "rtree_{t}_geom_update2" AFTER UPDATE OF "geom" ON "{t}" WHEN OLD."fid" =
 NEW."fid" AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom"
 WHERE id = OLD."fid"; END;
CREATE TRIGGER "rtree_{t}_geom_update3" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND
 (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom" WHERE id
 = OLD."fid"; INSERT OR REPLACE INTO "rtree_{t}_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"),
 ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END;
CREATE TRIGGER "rtree_{t}_geom_update4" AFTER UPDATE ON "{t}" WHEN OLD."fid" != NEW."fid" AND
 (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM "rtree_{t}_geom" WHERE id IN
 (OLD."fid", NEW."fid"); END;
CREATE TRIGGER "rtree_{t}_geom_delete" AFTER DELETE ON "{t}" WHEN old."geom" NOT NULL BEGIN
 DELETE FROM "rtree_{t}_geom" WHERE id = OLD."fid"; END;
"""

_AREA_TABLE = (
    'CREATE TABLE "{t}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" MULTIPOLYGON, '
    '"uuid" TEXT NOT NULL UNIQUE, "system" TEXT NOT NULL DEFAULT \'urban\', "code" TEXT NOT NULL, '
    '"name" TEXT, "parent_code" TEXT, "valid_from" TEXT NOT NULL, "valid_to" TEXT, '
    '"area_m2" REAL, "source" TEXT, "created_at" TEXT NOT NULL)'
)

_DEFAULT_SRS = [
    ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined",
     "undefined Cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
     "undefined geographic coordinate reference system"),
]

GRID_SYSTEMS = [
    {"code": "urban", "name": "城管单元网格", "kind": "urban",
     "description": "数字城管万米单元网格（CJ/T 213）：区 → 街道 → 社区 → 单元网格"},
    {"code": "env", "name": "环保网格", "kind": "environment",
     "description": "环境监管三级网格：区（县）→ 镇街 → 村居"},
]


def _srs_row(crs: CRS) -> dict[str, Any]:
    epsg = crs.to_epsg(min_confidence=90)
    if epsg is None:
        raise ValueError("the project CRS must have an EPSG code")
    return {"srs_name": crs.name, "srs_id": epsg, "organization": "EPSG",
            "organization_coordsys_id": epsg, "definition": crs.to_wkt("WKT1_GDAL"),
            "description": None}


def _feature_table(db: sqlite_utils.Database, table: str, ddl: str, geometry_type: str,
                   srs_id: int, description: str) -> None:
    """A GeoPackage feature table: the table, its registration and its R-tree with triggers."""
    db.execute(ddl)
    db["gpkg_contents"].insert({"table_name": table, "data_type": "features",
                                "identifier": table, "description": description,
                                "srs_id": srs_id})
    db["gpkg_geometry_columns"].insert({
        "table_name": table, "column_name": "geom", "geometry_type_name": geometry_type,
        "srs_id": srs_id, "z": 0, "m": 0})
    db.execute(f'CREATE VIRTUAL TABLE "rtree_{table}_geom" USING rtree(id, minx, maxx, miny, maxy)')
    for trig in _RTREE_TRIGGERS.format(t=table).strip().split(";\n"):
        if trig.strip():
            db.execute(trig.replace("\n", ""))
    db["gpkg_extensions"].insert({
        "table_name": table, "column_name": "geom", "extension_name": "gpkg_rtree_index",
        "definition": "http://www.geopackage.org/spec120/#extension_rtree",
        "scope": "write-only"})


def _attributes_table(db: sqlite_utils.Database, table: str, ddl: str, description: str) -> None:
    """A non-spatial table registered in gpkg_contents, so QGIS lists it."""
    db.execute(ddl)
    db["gpkg_contents"].insert({"table_name": table, "data_type": "attributes",
                                "identifier": table, "description": description})


def _migration_1(db: sqlite_utils.Database, settings: dict[str, str]) -> None:
    """Schema 1: GeoPackage core, the four area layers, meta, audit, grid systems."""
    for ddl in _GPKG_CORE:
        db.execute(ddl)
    srs = db["gpkg_spatial_ref_sys"]
    for row in _DEFAULT_SRS:
        srs.insert(dict(zip(("srs_name", "srs_id", "organization", "organization_coordsys_id",
                             "definition", "description"), row)))
    srs.insert(_srs_row(CRS.from_epsg(4326)), replace=True)
    crs = CRS.from_user_input(settings["crs"])
    srs.insert(_srs_row(crs), replace=True)
    srs_id = crs.to_epsg(min_confidence=90)
    for level, table in LEVEL_TABLES.items():
        _feature_table(db, table, _AREA_TABLE.format(t=table), "MULTIPOLYGON", srs_id,
                       f"gridmgr {level} areas")
        db.execute(f'CREATE INDEX "idx_{table}_code" ON "{table}" (system, code)')
        db.execute(f'CREATE INDEX "idx_{table}_parent" ON "{table}" (system, parent_code)')
    db.execute("CREATE TABLE gridmgr_meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE gridmgr_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
               "NULL, description TEXT)")
    db.execute("CREATE TABLE gridmgr_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT "
               "NULL, action TEXT NOT NULL, detail TEXT)")
    _attributes_table(db, "grid_systems", "CREATE TABLE grid_systems (id INTEGER PRIMARY KEY "
                      "AUTOINCREMENT, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT, "
                      "description TEXT)", "grid systems")
    db["grid_systems"].insert_all(GRID_SYSTEMS)


_ENTERPRISES = (
    'CREATE TABLE "enterprises" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"geom" POINT, "uuid" TEXT NOT NULL UNIQUE, "credit_code" TEXT UNIQUE, "ext_id" TEXT UNIQUE, '
    '"name" TEXT NOT NULL, "industry" TEXT, "supervision_class" TEXT, "rating" TEXT, '
    '"inspection_frequency" TEXT, "frequency_days" INTEGER, "contact" TEXT, "phone" TEXT, '
    '"address" TEXT, "last_inspection" TEXT, "cell_code" TEXT, "community_code" TEXT, '
    '"street_code" TEXT, "source" TEXT, "created_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)'
)
_OFFICERS = (
    "CREATE TABLE officers (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "staff_no TEXT NOT NULL UNIQUE, name TEXT NOT NULL, mobile TEXT, role TEXT, unit TEXT, "
    "created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
)
_RESPONSIBILITIES = (
    "CREATE TABLE responsibilities (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL "
    "UNIQUE, staff_no TEXT NOT NULL REFERENCES officers (staff_no), role TEXT NOT NULL, "
    "slot TEXT NOT NULL, system TEXT NOT NULL, level TEXT NOT NULL, area_code TEXT NOT NULL, "
    "valid_from TEXT NOT NULL, valid_to TEXT, note TEXT, created_at TEXT NOT NULL, "
    "CHECK (valid_to IS NULL OR valid_to >= valid_from))"
)


def _migration_2(db: sqlite_utils.Database, settings: dict[str, str]) -> None:
    """Schema 2: enterprises (point layer), officers, responsibilities with validity periods."""
    srs_id = CRS.from_user_input(settings["crs"]).to_epsg(min_confidence=90)
    _feature_table(db, "enterprises", _ENTERPRISES, "POINT", srs_id, "gridmgr enterprises")
    db.execute('CREATE INDEX "idx_enterprises_cell" ON "enterprises" (cell_code)')
    _attributes_table(db, "officers", _OFFICERS, "officers")
    _attributes_table(db, "responsibilities", _RESPONSIBILITIES, "who is responsible where, when")
    db.execute("CREATE INDEX idx_resp_area ON responsibilities (system, area_code, slot)")
    db.execute("CREATE INDEX idx_resp_staff ON responsibilities (staff_no)")


def _migration_3(db: sqlite_utils.Database, settings: dict[str, str]) -> None:
    """Schema 3: indexes that let table views sort a million enterprises by the columns
    officers sort by, without sorting the whole table on every page."""
    for col in ("name", "supervision_class", "industry", "last_inspection", "street_code"):
        db.execute(f'CREATE INDEX "idx_enterprises_{col}" ON enterprises ("{col}", fid)')
    db.execute("CREATE INDEX idx_officers_name ON officers (name, id)")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database, dict[str, str]], None]] = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4_cases,
    5: _migration_5_fieldwork,
}

SCHEMA_VERSION = max(MIGRATIONS)


def apply_migrations(db: sqlite_utils.Database, current: int, settings: dict[str, str]) -> None:
    for version in sorted(v for v in MIGRATIONS if v > current):
        MIGRATIONS[version](db, settings)
        db["gridmgr_schema"].insert({"version": version, "applied_at": now_iso(),
                                     "description": (MIGRATIONS[version].__doc__ or "").strip()})
        db["gridmgr_meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")


# --------------------------------------------------------------------------- the store

