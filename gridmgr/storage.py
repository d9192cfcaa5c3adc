"""The project file: one SQLite file that is a valid OGC GeoPackage.  All SQL lives here.

Layout (schema version 1):

* GeoPackage core tables (``gpkg_spatial_ref_sys``, ``gpkg_contents``, ``gpkg_geometry_columns``,
  ``gpkg_extensions``), written with the DDL GDAL uses (GeoPackage 1.3), so GDAL, QGIS and QField open the
  file as it is.
* Feature tables ``districts``, ``streets``, ``communities``, ``cells`` — one per hierarchy level,
  each a MULTIPOLYGON layer in the project CRS with an R-tree (``gpkg_rtree_index``).  Rows carry
  the grid ``system`` they belong to and a validity period (``valid_from``/``valid_to``; a NULL
  ``valid_to`` is the current grid), so a redrawn grid closes old rows instead of rewriting them.
* gridmgr's own tables: ``gridmgr_meta`` (settings), ``gridmgr_schema`` (applied migrations),
  ``gridmgr_audit`` (one row per user action), ``grid_systems`` (registered as an attributes
  table so that QGIS shows it).

The R-tree triggers GDAL defines call ``ST_IsEmpty``, ``ST_MinX`` …; :func:`connect`, the one
connection factory, registers those functions (from :mod:`gridmgr.geometry`) and sets the PRAGMAs.
Opening never modifies a file that turns out not to be a usable project: it is inspected through
a read-only connection first.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlite_utils
from pyproj import CRS

from . import geometry
from .errors import (
    CorruptProject,
    NewerSchema,
    NotAProject,
    ProjectExists,
    ProjectNotFound,
    ReadOnlyProject,
    UsageError,
)
from .levels import LEVEL_TABLES, LEVELS, PARENT_LEVEL  # noqa: F401 (re-exported)

GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10300  # GeoPackage 1.3.0: the R-tree triggers of 1.3, which
# every GDAL since 2.x validates (the 1.4 trigger set is unknown to older validators)
SCHEMA_VERSION = 1

AREA_COLUMNS = ("fid", "uuid", "system", "code", "name", "parent_code", "valid_from", "valid_to",
                "area_m2", "source", "created_at")

_SQLITE_MAGIC = b"SQLite format 3\x00"


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def today() -> str:
    return date.today().isoformat()


# --------------------------------------------------------------------------- connection factory

def _register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the GeoPackage R-tree triggers call (GDAL/SpatiaLite provide them natively)."""

    def env(i: int) -> Callable[[bytes | None], float | None]:
        def f(blob: bytes | None) -> float | None:
            e = geometry.envelope(blob)
            return None if e is None else e[i]
        return f

    conn.create_function("ST_MinX", 1, env(0), deterministic=True)
    conn.create_function("ST_MaxX", 1, env(1), deterministic=True)
    conn.create_function("ST_MinY", 1, env(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, env(3), deterministic=True)
    conn.create_function("ST_IsEmpty", 1, geometry.is_empty, deterministic=True)


def connect(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """The one place a connection to a project file is made.

    Read-only connections use SQLite's ``mode=ro`` so that inspecting a file can never change it
    (no journal, no schema upgrade).  Read-write connections never create a file.
    """
    mode = "ro" if readonly else "rw"
    uri = f"{Path(path).resolve().as_uri()}?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=10.0)
    _register_functions(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    if not readonly:
        conn.execute("PRAGMA synchronous = FULL")
    return sqlite_utils.Database(conn)


# --------------------------------------------------------------------------- inspection

@dataclass(frozen=True)
class ProjectInfo:
    path: Path
    schema_version: int
    meta: dict[str, str]


def _is_readonly_file(p: Path) -> bool:
    mode = p.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True  # marked read-only: respected even for root, who could write anyway
    return not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK)


def inspect(path: str | Path, *, for_write: bool = False) -> ProjectInfo:
    """Check that ``path`` is a gridmgr project this version can use; never modifies the file."""
    p = Path(path)
    if not p.exists():
        raise ProjectNotFound(f"项目文件不存在：{p}")
    if not p.is_file():
        raise NotAProject(f"{p} 不是文件")
    with open(p, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or head[:16] != _SQLITE_MAGIC:
        if head[:16] == _SQLITE_MAGIC:
            raise CorruptProject(f"{p} 已损坏（文件被截断）")
        raise NotAProject(f"{p} 不是 gridmgr 项目：不是 SQLite/GeoPackage 文件")
    try:
        db = connect(p, readonly=True)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = set(db.table_names())
            if app_id != GPKG_APPLICATION_ID or "gridmgr_meta" not in tables:
                kind = "GeoPackage" if app_id == GPKG_APPLICATION_ID else "SQLite 数据库"
                raise NotAProject(f"{p} 不是 gridmgr 项目（是普通的 {kind}）；"
                                  "请用 gridmgr init 新建项目后导入数据")
            meta = {r[0]: r[1] for r in db.execute("SELECT key, value FROM gridmgr_meta")}
            version = int(meta.get("schema_version", "0"))
            if for_write:
                bad = db.execute("PRAGMA quick_check(1)").fetchone()[0]
                if bad != "ok":
                    raise CorruptProject(f"{p} 已损坏：{bad}")
        finally:
            db.conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptProject(f"{p} 已损坏，无法读取：{exc}") from exc
    if version > SCHEMA_VERSION:
        raise NewerSchema(f"{p} 由更新版本的 gridmgr 创建（结构版本 {version}，本程序支持 "
                          f"{SCHEMA_VERSION}）；请升级 gridmgr，文件未作改动")
    if for_write and _is_readonly_file(p):
        raise ReadOnlyProject(f"{p} 是只读文件，无法写入；请复制一份或修改权限")
    return ProjectInfo(p, version, meta)


# --------------------------------------------------------------------------- DDL

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
        db.execute(_AREA_TABLE.format(t=table))
        db.execute(f'CREATE INDEX "idx_{table}_code" ON "{table}" (system, code)')
        db.execute(f'CREATE INDEX "idx_{table}_parent" ON "{table}" (system, parent_code)')
        db["gpkg_contents"].insert({
            "table_name": table, "data_type": "features", "identifier": table,
            "description": f"gridmgr {level} areas", "srs_id": srs_id})
        db["gpkg_geometry_columns"].insert({
            "table_name": table, "column_name": "geom", "geometry_type_name": "MULTIPOLYGON",
            "srs_id": srs_id, "z": 0, "m": 0})
        db.execute(f'CREATE VIRTUAL TABLE "rtree_{table}_geom" USING rtree(id, minx, maxx, miny, '
                   "maxy)")
        for trig in _RTREE_TRIGGERS.format(t=table).strip().split(";\n"):
            if trig.strip():
                db.execute(trig.replace("\n", ""))
        db["gpkg_extensions"].insert({
            "table_name": table, "column_name": "geom", "extension_name": "gpkg_rtree_index",
            "definition": "http://www.geopackage.org/spec120/#extension_rtree",
            "scope": "write-only"})
    db.execute("CREATE TABLE gridmgr_meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE gridmgr_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
               "NULL, description TEXT)")
    db.execute("CREATE TABLE gridmgr_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT "
               "NULL, action TEXT NOT NULL, detail TEXT)")
    db.execute("CREATE TABLE grid_systems (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT "
               "NULL UNIQUE, name TEXT NOT NULL, kind TEXT, description TEXT)")
    db["gpkg_contents"].insert({"table_name": "grid_systems", "data_type": "attributes",
                                "identifier": "grid_systems", "description": "grid systems"})
    db["grid_systems"].insert_all(GRID_SYSTEMS)


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database, dict[str, str]], None]] = {
    1: _migration_1,
}


def _apply_migrations(db: sqlite_utils.Database, current: int, settings: dict[str, str]) -> None:
    for version in sorted(v for v in MIGRATIONS if v > current):
        MIGRATIONS[version](db, settings)
        db["gridmgr_schema"].insert({"version": version, "applied_at": now_iso(),
                                     "description": (MIGRATIONS[version].__doc__ or "").strip()})
        db["gridmgr_meta"].upsert({"key": "schema_version", "value": str(version)}, pk="key")


# --------------------------------------------------------------------------- the store

class Store:
    """An open project.  Every user action that writes goes through one ``with store.atomic():``."""

    def __init__(self, path: str | Path, db: sqlite_utils.Database, *, readonly: bool) -> None:
        self.path = Path(path)
        self.db = db
        self.readonly = readonly
        self._meta: dict[str, str] | None = None

    # -- lifecycle
    @classmethod
    def create(cls, path: str | Path, settings: dict[str, str], *, overwrite: bool = False
               ) -> "Store":
        p = Path(path)
        if p.exists() and not overwrite:
            raise ProjectExists(f"文件已存在：{p}（不会覆盖；换一个文件名或先删除）")
        if p.exists() and _is_readonly_file(p):
            raise ReadOnlyProject(f"{p} 是只读文件，不会覆盖")
        tmp = p.with_name(p.name + ".creating")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        conn.close()
        db = connect(tmp)
        try:
            with db.atomic():
                _apply_migrations(db, 0, settings)
                meta = db["gridmgr_meta"]
                for k, v in settings.items():
                    if k != "schema_version":
                        meta.upsert({"key": k, "value": str(v)}, pk="key")
                meta.upsert({"key": "created_at", "value": now_iso()}, pk="key")
                db["gridmgr_audit"].insert({"at": now_iso(), "action": "init",
                                            "detail": json.dumps(settings, ensure_ascii=False)})
        finally:
            db.conn.close()
        os.replace(tmp, p)  # the project appears whole or not at all
        return cls.open(p)

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> "Store":
        info = inspect(path, for_write=not readonly)
        db = connect(path, readonly=readonly)
        store = cls(path, db, readonly=readonly)
        if not readonly and info.schema_version < SCHEMA_VERSION:
            with db.atomic():
                _apply_migrations(db, info.schema_version, store.meta())
            store._meta = None
        return store

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator["Store"]:
        """One transaction: everything inside lands together or not at all."""
        if self.readonly:
            raise ReadOnlyProject(f"{self.path} 以只读方式打开")
        with self.db.atomic():
            yield self

    # -- settings and audit
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = {r["key"]: r["value"] for r in self.db["gridmgr_meta"].rows}
        return dict(self._meta)

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        self.db["gridmgr_audit"].insert({"at": now_iso(), "action": action,
                                         "detail": json.dumps(detail, ensure_ascii=False)})

    def audit_log(self) -> list[dict[str, Any]]:
        return list(self.db["gridmgr_audit"].rows_where(order_by="id"))

    @property
    def crs(self) -> CRS:
        return CRS.from_user_input(self.meta()["crs"])

    @property
    def srs_id(self) -> int:
        return int(self.crs.to_epsg(min_confidence=90))

    def grid_systems(self) -> list[dict[str, Any]]:
        return list(self.db["grid_systems"].rows_where(order_by="id"))

    def check_system(self, system: str | None) -> None:
        """UsageError for a grid system the project does not have (None means all)."""
        known = [s["code"] for s in self.grid_systems()]
        if system is not None and system not in known:
            raise UsageError(f"未知网格体系 {system!r}；本项目有：{', '.join(known)}")

    # -- areas
    def areas(self, level: str, *, system: str | None = None, current: bool = True,
              as_of: str | None = None) -> gpd.GeoDataFrame:
        """Areas of one level as a GeoDataFrame in the project CRS (geometry decoded from GPB)."""
        table = LEVEL_TABLES[level]
        where, params = [], []
        if system is not None:
            where.append("system = ?")
            params.append(system)
        if as_of is not None:
            where.append("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
            params += [as_of, as_of]
        elif current:
            where.append("valid_to IS NULL")
        sql = f'SELECT {", ".join(AREA_COLUMNS)}, geom FROM "{table}"'
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY fid"
        cur = self.db.execute(sql, params)
        rows = cur.fetchall()
        # object columns keep None for missing text (pandas 3 would turn it into NaN)
        df = pd.DataFrame([r[:-1] for r in rows], columns=list(AREA_COLUMNS), dtype=object)
        df["fid"] = df["fid"].astype("int64")
        df["area_m2"] = pd.to_numeric(df["area_m2"]).astype("float64")
        geoms = geometry.decode([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def count_areas(self, level: str, *, system: str | None = None, current: bool = True) -> int:
        where = ["1=1"]
        params: list[Any] = []
        if system is not None:
            where.append("system = ?")
            params.append(system)
        if current:
            where.append("valid_to IS NULL")
        sql = f'SELECT count(*) FROM "{LEVEL_TABLES[level]}" WHERE {" AND ".join(where)}'
        return int(self.db.execute(sql, params).fetchone()[0])

    def existing_codes(self, level: str, system: str) -> set[str]:
        sql = f'SELECT code FROM "{LEVEL_TABLES[level]}" WHERE system = ? AND valid_to IS NULL'
        return {r[0] for r in self.db.execute(sql, [system])}

    def insert_areas(self, level: str, records: Iterable[dict[str, Any]],
                     geoms: Sequence[Any], *, batch_size: int = 2000) -> int:
        """Insert areas (geometries in the project CRS, promoted to MultiPolygon)."""
        recs = list(records)
        blobs = geometry.encode(geometry.to_multi(geoms), self.srs_id)
        created = now_iso()
        rows = []
        for rec, blob in zip(recs, blobs):
            row = {k: rec.get(k) for k in AREA_COLUMNS if k != "fid"}
            row["uuid"] = row["uuid"] or str(uuid.uuid4())
            row["system"] = row["system"] or "urban"
            row["valid_from"] = row["valid_from"] or today()
            row["created_at"] = created
            row["geom"] = blob
            rows.append(row)
        self.db[LEVEL_TABLES[level]].insert_all(rows, batch_size=batch_size)
        self._update_extent(level)
        return len(rows)

    def close_areas(self, level: str, system: str, *, valid_to: str,
                    codes: Iterable[str] = (), parents: Iterable[str] = ()) -> int:
        """End the validity of the current areas with these codes or under these parents.

        A redrawn grid keeps the old rows for history.  An area cannot end before it began:
        that raises UsageError and closes nothing (the caller's transaction rolls back).
        """
        table = LEVEL_TABLES[level]
        n = 0
        for column, values in (("code", list(codes)), ("parent_code", list(parents))):
            for i in range(0, len(values), 500):
                chunk = values[i:i + 500]
                cond = (f"system = ? AND valid_to IS NULL AND {column} IN "
                        f"({','.join('?' * len(chunk))})")
                early = self.db.execute(f'SELECT code, valid_from FROM "{table}" WHERE {cond} '
                                        "AND valid_from > ? LIMIT 1",
                                        [system, *chunk, valid_to]).fetchone()
                if early:
                    raise UsageError(f"{early[0]} 自 {early[1]} 起有效，不能在 {valid_to} 失效；"
                                     "请检查生效日期")
                cur = self.db.execute(f'UPDATE "{table}" SET valid_to = ? WHERE {cond}',
                                      [valid_to, system, *chunk])
                n += cur.rowcount
        return n

    def _update_extent(self, level: str) -> None:
        table = LEVEL_TABLES[level]
        r = self.db.execute(f'SELECT min(minx), min(miny), max(maxx), max(maxy) FROM '
                            f'"rtree_{table}_geom"').fetchone()
        self.db.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
                        "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
                        [*r, table])
