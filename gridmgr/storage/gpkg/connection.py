"""Opening project files: the one connection factory, and the inspection that comes first.

:func:`connect` registers the SQL functions GDAL's R-tree triggers call (``ST_IsEmpty``,
``ST_MinX`` …, from :mod:`gridmgr.geometry`) and sets the PRAGMAs.  :func:`inspect` looks at a
file through a read-only connection, so a file that turns out not to be a usable project is never
modified.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ... import geometry
from ...errors import CorruptProject, NewerSchema, NotAProject, ProjectNotFound, ReadOnlyProject
from ..clock import now_iso, today  # noqa: F401 (re-exported)
from . import schema

GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10300  # GeoPackage 1.3.0: the R-tree triggers of 1.3, which
# every GDAL since 2.x validates (the 1.4 trigger set is unknown to older validators)


_SQLITE_MAGIC = b"SQLite format 3\x00"




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


def is_readonly_file(p: Path) -> bool:
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
    if version > schema.SCHEMA_VERSION:
        raise NewerSchema(f"{p} 由更新版本的 gridmgr 创建（结构版本 {version}，本程序支持 "
                          f"{schema.SCHEMA_VERSION}）；请升级 gridmgr，文件未作改动")
    if for_write and is_readonly_file(p):
        raise ReadOnlyProject(f"{p} 是只读文件，无法写入；请复制一份或修改权限")
    return ProjectInfo(p, version, meta)


