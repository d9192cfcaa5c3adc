"""SQL on a field package's ``data.gpkg`` (not the project): value lists after GDAL wrote the
layers, and reading the layers back exactly as stored.

The package file is written by GDAL (pyogrio); the GeoPackage schema extension that turns a
column into a dropdown in QGIS (``gpkg_data_columns`` + ``gpkg_data_column_constraints``) is
added here.  Reading back goes through SQLite rather than GDAL so that a value typed by hand into
a date column (``下周二``) is seen as typed, not silently turned into NULL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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


def write_value_lists(path: Path, enums: Mapping[str, Sequence[tuple[str, str]]],
                      titles: Mapping[str, Mapping[str, str]],
                      bound: Mapping[tuple[str, str], str]) -> None:
    """Enum constraints (``{name: [(value, label)]}``), column titles (``{layer: {column:
    title}}``) and which column takes which enum (``{(layer, column): name}``)."""
    conn = sqlite3.connect(path)
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
                                 "(?, ?, ?, ?, ?)", (layer, col, col, title,
                                                     bound.get((layer, col))))
    finally:
        conn.close()


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def inspect_package(path: Path, meta_layer: str) -> tuple[str, set[str], dict[str, str]]:
    """(quick_check result, the layers in gpkg_contents, the key/value rows of ``meta_layer``
    — empty when it is missing); PackageReadError when SQLite cannot read the file."""
    try:
        conn = _connect_ro(path)
        try:
            ok = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
            layers = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
            meta: dict[str, str] = {}
            if meta_layer in layers:
                meta = dict(conn.execute(f'SELECT key, value FROM "{meta_layer}"').fetchall())
            return ok, layers, meta
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PackageReadError(str(exc)) from exc


def read_layer_rows(path: Path, layer: str, columns: Sequence[str]
                    ) -> tuple[list[str], list[tuple[Any, ...]], dict[str, Any] | None]:
    """(the wanted columns the layer has, rows as (fid, *those columns[, geometry blob]),
    the layer's CRS as {organization, code, definition} or None for a table)."""
    try:
        conn = _connect_ro(path)
        try:
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{layer}")')}
            gcol = conn.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE "
                                "table_name = ?", [layer]).fetchone()
            cols = [c for c in columns if c in have]
            sel = ", ".join(f'"{c}"' for c in ["fid", *cols])
            if gcol:
                sel += f', "{gcol[0]}"'
            rows = conn.execute(f'SELECT {sel} FROM "{layer}" ORDER BY fid').fetchall()
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
        raise PackageReadError(str(exc)) from exc
