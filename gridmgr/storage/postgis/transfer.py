"""Moving a project between a file and the server, whole and in one transaction.

``push``: every table of a GeoPackage project (areas with their history, registers, cases with
every step, audit log, field-package records) into a new schema — created, filled with COPY and
indexed inside one transaction, so a failure or a dropped connection leaves the server as it
was.  Geometry goes over as EWKB with the project's SRID; ids are kept and the identity
sequences moved past them.

``pull``: the other way, into a new GeoPackage made by this version's migrations (so it opens in
QGIS like any project file), written beside the target and renamed into place when complete.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from ... import geometry, staging
from ...errors import ProjectExists, UsageError
from ..gpkg.connection import connect as gpkg_connect
from ..gpkg.connection import inspect as gpkg_inspect
from ..gpkg.features import update_extent
from ..location import ServerLocation, parse_server
from . import case_times_guard, roles, schema
from .connection import PgDatabase, connect

BATCH = 20_000
_log = logging.getLogger(__name__)


def _columns(gpkg: Any, table: str) -> list[str]:
    return [r[1] for r in gpkg.execute(f'PRAGMA table_info("{table}")')]


def _identity_column(gpkg: Any, table: str) -> str | None:
    ddl = gpkg.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    for col in _columns(gpkg, table):
        if f'"{col}" INTEGER PRIMARY KEY AUTOINCREMENT' in ddl or \
                f"{col} INTEGER PRIMARY KEY AUTOINCREMENT" in ddl:
            return col
    return None


def push(source: str | Path, target: str | ServerLocation, *, replace: bool = False
         ) -> dict[str, int]:
    """Copy the project file ``source`` to the server project ``target`` (a new schema).
    Returns rows copied per table."""
    loc = parse_server(target) if isinstance(target, str) else target
    gpkg_inspect(source)  # a usable project of this or an older version, never modified
    gpkg = gpkg_connect(source, readonly=True)
    db = connect(loc)
    counts: dict[str, int] = {}
    try:
        schema.ensure_postgis(db)
        meta = dict(gpkg.execute("SELECT key, value FROM gridmgr_meta").fetchall())
        if meta.get("pulled_scope"):
            raise UsageError(f"{source} 是只含 {meta['pulled_scope']} 的部分副本（pull --scope），"
                             "不能作为整个项目上传")
        srid = int(meta["crs"].split(":")[1])
        geoms = schema.geometry_columns(gpkg)
        with db.atomic():
            if schema.schema_exists(db, loc.schema):
                if not replace:
                    raise ProjectExists(f"服务器上已有 schema {loc.schema!r}（不会覆盖；换一个 schema 名，"
                                        f"或用 --replace 整体替换）：{loc}")
                db.execute(f'DROP SCHEMA "{loc.schema}" CASCADE')
            tables = schema.create_schema(db, loc.schema, gpkg, srid)
            for table in tables:
                counts[table] = _copy_table(gpkg, db, table, geoms.get(table), srid)
                ident = _identity_column(gpkg, table)
                if ident:
                    db.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{ident}'), "
                               f'coalesce((SELECT max("{ident}") FROM "{table}"), 0) + 1, false)')
            if {"case_transitions", "case_times"} <= set(tables):  # after the copy
                case_times_guard.install(db)
            if roles.may_create_roles(db):
                roles.install(db, loc.schema)
            else:
                _log.warning("%s：当前登录不能建立角色，项目暂无分级权限；请有 CREATEROLE 权限的用户运行 "
                             "gridmgr users setup %s", loc, loc)
    finally:
        gpkg.conn.close()
        db.raw.close()
    return counts


def _copy_table(gpkg: Any, db: PgDatabase, table: str, geom_col: str | None, srid: int
                ) -> int:
    cols = _columns(gpkg, table)
    names = ", ".join(f'"{c}"' for c in cols)
    gi = cols.index(geom_col) if geom_col else -1
    n = 0
    cur = gpkg.conn.execute(f'SELECT {names} FROM "{table}"')
    with db.raw.cursor() as pg, pg.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            if gi >= 0:
                shapes = geometry.decode([r[gi] for r in rows])
                missing = shapely.is_missing(shapes)
                hexes = shapely.to_wkb(shapely.set_srid(shapes, srid),
                                       hex=True, include_srid=True, flavor="extended")
                rows = [(*r[:gi], None if m else h, *r[gi + 1:])
                        for r, m, h in zip(rows, missing, hexes)]
            for r in rows:
                copy.write_row(r)
            n += len(rows)
    return n


def pull(source: str | ServerLocation, target: str | Path, *, defaults: Any,
         overwrite: bool = False, scope: str | None = None) -> dict[str, int]:
    """Copy the server project ``source`` into a new project file ``target``; with ``scope``
    (an area code) only that area, its parents, and what lies in it (see :func:`_trim`)."""
    from ..gpkg.store import GpkgStore

    loc = parse_server(source) if isinstance(source, str) else source
    out = Path(target)
    if out.exists() and not overwrite:
        raise ProjectExists(f"文件已存在：{out}（不会覆盖；换一个文件名或先删除）")
    db = connect(loc, readonly=True)
    counts: dict[str, int] = {}
    try:
        # built in a hidden folder beside the target (with its -wal/-journal), renamed whole; a
        # kill -9 leaves only that folder, which the next output into the folder sweeps
        with staging.stage_dir(out, "pull") as folder:
            tmp = Path(folder) / out.name
            meta = dict(db.execute("SELECT key, value FROM gridmgr_meta").fetchall())
            if scope is not None:
                _check_scope(db, scope)
            settings = {k: meta[k] for k in ("name", "admin_code", "crs", "code_scheme")
                        if k in meta}
            GpkgStore.create(tmp, settings, defaults=defaults).close()
            gpkg = gpkg_connect(tmp)
            try:
                geoms = schema.geometry_columns(gpkg)
                srs_id = int(meta["crs"].split(":")[1])
                with gpkg.atomic():
                    for table, _ddl in schema.project_tables(gpkg):
                        counts[table] = _pull_table(db, gpkg, table, geoms.get(table), srs_id)
                    if scope is not None:
                        counts = _trim(gpkg, scope)
                    for table in geoms:
                        update_extent(gpkg, table)  # gpkg_contents' bounding box
            finally:
                gpkg.conn.close()
            os.replace(tmp, out)
    finally:
        db.raw.close()
    return counts


def _check_scope(db: PgDatabase, code: str) -> None:
    from ...levels import LEVEL_TABLES

    for table in LEVEL_TABLES.values():
        if db.execute(f'SELECT 1 FROM "{table}" WHERE code = ? LIMIT 1', [code]).fetchone():
            return
    raise UsageError(f"--scope {code}：项目里没有这个编码的区域（区、街道、社区或网格编码）")


# What a scoped copy keeps of each table: the area, its parents and its children; what is in it.
_IN_SCOPE = "(code LIKE :a || '%' OR :a LIKE code || '%')"
_PLACED = ("(cell_code LIKE :a || '%' OR community_code LIKE :a || '%' OR street_code LIKE "
           ":a || '%')")
_TRIM = {
    "districts": _IN_SCOPE, "streets": _IN_SCOPE, "communities": _IN_SCOPE, "cells": _IN_SCOPE,
    "enterprises": _PLACED, "cases": _PLACED,
    "inspections": "cell_code LIKE :a || '%'",
    "responsibilities": "(area_code LIKE :a || '%' OR :a LIKE area_code || '%')",
    "case_transitions": "case_uuid IN (SELECT uuid FROM cases)",
    "case_times": "case_uuid IN (SELECT uuid FROM cases)",
    "case_photos": "case_uuid IN (SELECT uuid FROM cases)",
    "rectification_notices": "case_uuid IN (SELECT uuid FROM cases)",
}


def _trim(gpkg: Any, code: str) -> dict[str, int]:
    """Keep only the scope ``code`` in the new file (in order: cases before their steps).
    Officers, categories, the calendar and field-package records are kept whole; the file
    remembers its scope, so it is never pushed back over the whole project."""
    for table, keep in _TRIM.items():
        gpkg.execute(f'DELETE FROM "{table}" WHERE NOT {keep}', {"a": code})
    gpkg["gridmgr_meta"].upsert({"key": "pulled_scope", "value": code}, pk="key")
    return {t: gpkg.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t, _ in schema.project_tables(gpkg)}


def _pull_table(pg: PgDatabase, gpkg: Any, table: str, geom_col: str | None, srs_id: int) -> int:
    cols = _columns(gpkg, table)
    if table not in pg.table_names():
        return 0
    sel = ", ".join(f'"{c}"' for c in cols)
    gpkg.execute(f'DELETE FROM "{table}"')
    gi = cols.index(geom_col) if geom_col else -1
    marks = ", ".join("?" * len(cols))
    n = 0
    with pg.raw.transaction(), pg.raw.cursor(name=f"pull_{table}") as cur:
        cur.execute(f'SELECT {sel} FROM "{table}" ORDER BY 1')
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            if gi >= 0:
                shapes = shapely.from_wkb(np.asarray([None if r[gi] is None else bytes(r[gi])
                                                      for r in rows], dtype=object))
                blobs = geometry.encode(shapes, srs_id)
                rows = [(*r[:gi], b, *r[gi + 1:]) for r, b in zip(rows, blobs)]
            gpkg.conn.executemany(f'INSERT INTO "{table}" ({sel}) VALUES ({marks})', rows)
            n += len(rows)
    return n


__all__ = ["pull", "push"]
