"""SQL on a field package's ``data.gpkg`` (not the project): value lists after GDAL wrote the
layers, and reading the layers back exactly as stored.

The package file is written by GDAL (pyogrio); the GeoPackage schema extension that turns a
column into a dropdown in QGIS (``gpkg_data_columns`` + ``gpkg_data_column_constraints``) is
added here.  Reading back goes through SQLite rather than GDAL so that a value typed by hand into
a date column (``下周二``) is seen as typed, not silently turned into NULL.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from .location import sqlite_uri

_DATA_COLUMNS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT "
    "NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE "
    "(table_name, name))")
_CONSTRAINTS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE "
    "(constraint_name, constraint_type, value))")
_SCHEMA_EXT = "http://www.geopackage.org/spec/#extension_schema"


class PackageReadError(Exception):
    """The package's GeoPackage cannot be read as SQLite (damaged, truncated, not one)."""


def _draft(path: Path) -> sqlite3.Connection:
    """A connection to a package file being written in its staging folder: no flush to disk
    per commit (``synchronous = OFF``), since the file counts only once the whole package is
    in place (see :mod:`gridmgr.fieldwork.files`)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def write_value_lists(path: Path, enums: Mapping[str, Sequence[tuple[str, str]]],
                      titles: Mapping[str, Mapping[str, str]],
                      bound: Mapping[tuple[str, str], str]) -> None:
    """Enum constraints (``{name: [(value, label)]}``), column titles (``{layer: {column:
    title}}``) and which column takes which enum (``{(layer, column): name}``).  The title
    goes into ``name`` too: GDAL (3.6 and later) reads that as the field's alternative name,
    which QGIS 3.28+ and QField show as the alias."""
    conn = _draft(path)
    try:
        with conn:
            conn.execute(_DATA_COLUMNS)
            conn.execute(_CONSTRAINTS)
            for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
                conn.execute("INSERT OR REPLACE INTO gpkg_extensions (table_name, column_name, "
                             "extension_name, definition, scope) VALUES (?, NULL, 'gpkg_schema', "
                             "?, 'read-write')", (table, _SCHEMA_EXT))
            for name, values in enums.items():
                conn.executemany(
                    "INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, "
                    "value, description) VALUES (?, 'enum', ?, ?)",
                    [(name, code, label) for code, label in values])
            for layer, cols in titles.items():
                for col, title in cols.items():
                    conn.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, "
                                 "column_name, name, title, constraint_name) VALUES "
                                 "(?, ?, ?, ?, ?)", (layer, col, title, title,
                                                     bound.get((layer, col))))
    finally:
        conn.close()


def declare_types(path: Path, types: Mapping[str, Mapping[str, str]]) -> None:
    """Declare text columns GDAL wrote as DATE/DATETIME (``{layer: {column: type}}``) so GDAL
    and QGIS read them as dates and times; the stored text stays as it is (see
    :mod:`.gpkg.schema_qgis` for why the ``CREATE`` text is rewritten)."""
    conn = _draft(path)
    try:
        with conn:
            changed = []
            for layer, cols in types.items():
                row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                   "name = ?", [layer]).fetchone()
                if row is None:
                    continue
                ddl = row[0]
                for col, kind in cols.items():
                    ddl = re.sub(rf'("{re.escape(col)}"|\b{re.escape(col)}\b) TEXT\b',
                                 rf"\1 {kind}", ddl)
                if ddl != row[0]:
                    changed.append((layer, ddl))
            if changed:
                version = conn.execute("PRAGMA schema_version").fetchone()[0]
                conn.execute("PRAGMA writable_schema = ON")
                for layer, ddl in changed:
                    conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND "
                                 "name = ?", [ddl, layer])
                conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
                conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.close()


def write_layer_styles(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """QGIS's ``layer_styles`` table in the package, one default style per layer."""
    from .gpkg.schema_qgis import write_layer_styles as write

    db = sqlite_utils.Database(_draft(path))
    try:
        with db.conn:
            write(db, rows)
    finally:
        db.conn.close()


# a returned package is untrusted: reading it may not take longer than this (a VIEW or a
# column expression can be written never to end)
READ_SECONDS = 60.0


def _connect_ro(path: Path) -> sqlite3.Connection:
    """Read-only, no writes even by a trigger, no functions called from the file's schema
    (views, triggers, generated columns), and stopped after READ_SECONDS."""
    conn = sqlite3.connect(sqlite_uri(Path(path).resolve(), "ro"), uri=True)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA trusted_schema = 0")
    deadline = time.monotonic() + READ_SECONDS
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)
    return conn


def _why(exc: sqlite3.DatabaseError) -> str:
    if "interrupted" in str(exc):
        return (f"读取超过 {READ_SECONDS:.0f} 秒被中止（文件中可能有不会结束的视图或查询，"
                "不是外业软件写的数据）")
    return str(exc)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: sqlite3.Connection) -> set[str]:
    """Real tables only: a layer that is a VIEW in a returned package is not read."""
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def settle_wal(path: Path) -> dict[str, Any]:
    """For a private copy of a returned data.gpkg: whether it was in WAL mode and how many
    pages its ``-wal`` beside it held; those pages are written into the copy (a checkpoint) so
    that the read-only reads see them, and the copy leaves WAL mode.  PackageReadError when
    SQLite cannot read it."""
    p = Path(path)
    with open(p, "rb") as fh:
        head = fh.read(100)
    wal_mode = len(head) >= 20 and head[:16] == b"SQLite format 3\x00" and head[18] == 2
    wal = p.with_name(p.name + "-wal")
    info: dict[str, Any] = {"wal_mode": wal_mode, "wal_bytes": wal.stat().st_size
                            if wal.exists() else None, "wal_pages": 0}
    if not wal_mode and not wal.exists():
        return info
    try:
        conn = sqlite3.connect(p)
        try:
            conn.execute("PRAGMA trusted_schema = 0")
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            info["wal_pages"] = max(int(done), 0)
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PackageReadError(_why(exc)) from exc
    return info


def inspect_package(path: Path, meta_layer: str) -> tuple[str, set[str], dict[str, str]]:
    """(quick_check result, the layers in gpkg_contents, the key/value rows of ``meta_layer``
    — empty when it is missing); PackageReadError when SQLite cannot read the file."""
    try:
        conn = _connect_ro(path)
        try:
            ok = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
            tables = _tables(conn)
            layers = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")
                      if r[0] in tables}
            meta: dict[str, str] = {}
            if meta_layer in layers:
                meta = {str(k): str(v) for k, v in conn.execute(
                    f"SELECT key, value FROM {_quote(meta_layer)}").fetchall()}
            return ok, layers, meta
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PackageReadError(_why(exc)) from exc


def read_layer_rows(path: Path, layer: str, columns: Sequence[str]
                    ) -> tuple[list[str], list[tuple[Any, ...]], dict[str, Any] | None]:
    """(the wanted columns the layer has, rows as (fid, *those columns[, geometry blob]),
    the layer's CRS as {organization, code, definition} or None for a table)."""
    try:
        conn = _connect_ro(path)
        try:
            if layer not in _tables(conn):
                raise PackageReadError(f"{layer} 不是数据表（视图或缺失）")
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({_quote(layer)})")}
            gcol = conn.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE "
                                "table_name = ?", [layer]).fetchone()
            if gcol and gcol[0] not in have:  # only a real column of the table is read
                raise PackageReadError(f"{layer} 的几何列 {str(gcol[0])[:40]!r} 不存在")
            cols = [c for c in columns if c in have]
            sel = ", ".join(_quote(c) for c in ["fid", *cols])
            if gcol:
                sel += ", " + _quote(gcol[0])
            rows = conn.execute(f"SELECT {sel} FROM {_quote(layer)} ORDER BY fid").fetchall()
            srs = None
            if gcol:
                org = conn.execute("SELECT organization, organization_coordsys_id, definition "
                                   "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
                                   [gcol[1]]).fetchone()
                if org:
                    srs = {"organization": org[0], "code": org[1], "definition": org[2]}
            return cols, rows, srs
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PackageReadError(_why(exc)) from exc
