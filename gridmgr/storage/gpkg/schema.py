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

import json
from collections.abc import Callable

import sqlite_utils
from pyproj import CRS

from ...levels import LEVEL_TABLES
from ..api import ProjectDefaults
from ..clock import now_iso
from .case_times import migration_12 as _migration_12_case_times
from .case_times import migration_13 as _migration_13_stale_steps
from .ddl import DEFAULT_SRS, GPKG_CORE, attributes_table, feature_table, srs_row
from .schema_branches import migration_8 as _migration_8_branches
from .schema_cases import migration_4 as _migration_4_cases
from .schema_fieldwork import migration_5 as _migration_5_fieldwork
from .schema_qgis import migration_11 as _migration_11_qgis
from .schema_teams import migration_10 as _migration_10_teams

_AREA_TABLE = (
    'CREATE TABLE "{t}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" MULTIPOLYGON, '
    '"uuid" TEXT NOT NULL UNIQUE, "system" TEXT NOT NULL DEFAULT \'urban\', "code" TEXT NOT NULL, '
    '"name" TEXT, "parent_code" TEXT, "valid_from" TEXT NOT NULL, "valid_to" TEXT, '
    '"area_m2" REAL, "source" TEXT, "created_at" TEXT NOT NULL)'
)

GRID_SYSTEMS = [
    {"code": "urban", "name": "城管单元网格", "kind": "urban",
     "description": "数字城管万米单元网格（CJ/T 213）：区 → 街道 → 社区 → 单元网格"},
    {"code": "env", "name": "环保网格", "kind": "environment",
     "description": "环境监管三级网格：区（县）→ 镇街 → 村居"},
]


def _migration_1(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 1: GeoPackage core, the four area layers, meta, audit, grid systems."""
    for ddl in GPKG_CORE:
        db.execute(ddl)
    srs = db["gpkg_spatial_ref_sys"]
    for row in DEFAULT_SRS:
        srs.insert(dict(zip(("srs_name", "srs_id", "organization", "organization_coordsys_id",
                             "definition", "description"), row)))
    srs.insert(srs_row(CRS.from_epsg(4326)), replace=True)
    crs = CRS.from_user_input(settings["crs"])
    srs.insert(srs_row(crs), replace=True)
    srs_id = crs.to_epsg(min_confidence=90)
    for level, table in LEVEL_TABLES.items():
        feature_table(db, table, _AREA_TABLE.format(t=table), "MULTIPOLYGON", srs_id,
                       f"gridmgr {level} areas")
        db.execute(f'CREATE INDEX "idx_{table}_code" ON "{table}" (system, code)')
        db.execute(f'CREATE INDEX "idx_{table}_parent" ON "{table}" (system, parent_code)')
    db.execute("CREATE TABLE gridmgr_meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE gridmgr_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
               "NULL, description TEXT)")
    db.execute("CREATE TABLE gridmgr_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT "
               "NULL, action TEXT NOT NULL, detail TEXT)")
    attributes_table(db, "grid_systems", "CREATE TABLE grid_systems (id INTEGER PRIMARY KEY "
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


def _migration_2(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 2: enterprises (point layer), officers, responsibilities with validity periods."""
    srs_id = CRS.from_user_input(settings["crs"]).to_epsg(min_confidence=90)
    feature_table(db, "enterprises", _ENTERPRISES, "POINT", srs_id, "gridmgr enterprises")
    db.execute('CREATE INDEX "idx_enterprises_cell" ON "enterprises" (cell_code)')
    attributes_table(db, "officers", _OFFICERS, "officers")
    attributes_table(db, "responsibilities", _RESPONSIBILITIES, "who is responsible where, when")
    db.execute("CREATE INDEX idx_resp_area ON responsibilities (system, area_code, slot)")
    db.execute("CREATE INDEX idx_resp_staff ON responsibilities (staff_no)")


def _migration_3(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 3: indexes that let table views sort a million enterprises by the columns
    officers sort by, without sorting the whole table on every page."""
    for col in ("name", "supervision_class", "industry", "last_inspection", "street_code"):
        db.execute(f'CREATE INDEX "idx_enterprises_{col}" ON enterprises ("{col}", fid)')
    db.execute("CREATE INDEX idx_officers_name ON officers (name, id)")


def _migration_6(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 6: one current area per code and grid system (a unique index), so two imports
    at once can never leave a cell twice.  A project that already has such twins (left by two
    imports that raced before this version) keeps the first; the later copy is ended on the
    day it began, and the audit log lists the codes."""
    twins: dict[str, list[str]] = {}
    for table in LEVEL_TABLES.values():
        rows = db.execute(f'SELECT fid, code FROM "{table}" t WHERE valid_to IS NULL AND EXISTS '
                          f'(SELECT 1 FROM "{table}" o WHERE o.system = t.system AND o.code = '
                          "t.code AND o.valid_to IS NULL AND o.fid < t.fid)").fetchall()
        if rows:
            db.execute(f'UPDATE "{table}" SET valid_to = valid_from WHERE fid IN '
                       f'({",".join(str(int(r[0])) for r in rows)})')
            twins[table] = sorted({r[1] for r in rows})
        db.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "uq_{table}_current_code" ON "{table}" '
                   "(system, code) WHERE valid_to IS NULL")
    if twins:
        db["gridmgr_audit"].insert({"at": now_iso(), "action": "migration 6", "detail": json.dumps(
            {"duplicate_current_areas_ended": twins}, ensure_ascii=False)})


def _migration_7_reserved(db: sqlite_utils.Database, settings: dict[str, str],
                          defaults: ProjectDefaults) -> None:
    """Schema 7: nothing (a number once reserved and then skipped; projects already carry it,
    so it is never reused — a new migration takes the next number after the highest)."""


def _migration_9(db: sqlite_utils.Database, settings: dict[str, str],
                  defaults: ProjectDefaults) -> None:
    """Schema 9: the audit log names who acted — the desk's login on a file project, the
    database user on a server project (stamped there by the server itself)."""
    if "db_user" not in {c.name for c in db["gridmgr_audit"].columns}:
        db.execute("ALTER TABLE gridmgr_audit ADD COLUMN db_user TEXT")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database, dict[str, str], ProjectDefaults], None]] = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4_cases,
    5: _migration_5_fieldwork,
    6: _migration_6,
    7: _migration_7_reserved,  # a no-op, never reused (see its docstring)
    8: _migration_8_branches,
    9: _migration_9,
    10: _migration_10_teams,
    11: _migration_11_qgis,
    12: _migration_12_case_times,
    13: _migration_13_stale_steps,
}

SCHEMA_VERSION = max(MIGRATIONS)


def apply_migrations(db: sqlite_utils.Database, current: int, settings: dict[str, str],
                     defaults: ProjectDefaults) -> None:
    for version in sorted(v for v in MIGRATIONS if v > current):
        MIGRATIONS[version](db, settings, defaults)
        db["gridmgr_schema"].insert({"version": version, "applied_at": now_iso(),
                                     "description": (MIGRATIONS[version].__doc__ or "").strip()},
                                    replace=True)  # a migration re-run (idempotent) is one row
        db["gridmgr_meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")


