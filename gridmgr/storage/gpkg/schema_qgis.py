"""Schema 11: what QGIS and QField read from the project beyond the geometry.

* **Dates and times are declared DATE / DATETIME** in every table QGIS lists (those in
  ``gpkg_contents``), so GDAL gives QGIS Date/DateTime fields (date pickers, filters by date)
  instead of strings.  The stored text does not change: dates ``YYYY-MM-DD``, times Beijing local
  ``YYYY-MM-DDTHH:MM:SS`` (GDAL reads a time without a zone as local time; GDAL's
  validate_gpkg.py notes that GeoPackage prefers UTC with milliseconds, a warning, not an
  error).  SQLite cannot alter a column's type, and rebuilding a feature table would take its
  R-tree triggers, indexes and foreign keys with it; a declared type is only the ``CREATE``
  text in ``sqlite_master`` and does not touch a stored row, so the migration rewrites that text
  as SQLite's ALTER TABLE documentation describes (writable_schema, schema_version bumped,
  all in the migration's transaction) — the affinity becomes NUMERIC, which leaves ISO text as
  text.  The server schema is derived from the same text and keeps these columns as text.
* **Value lists** (GeoPackage schema extension: ``gpkg_data_columns`` +
  ``gpkg_data_column_constraints`` enums) for the closed lists — case status, officer role,
  supervision class, environmental rating, grid system, case source — with Chinese column
  names that GDAL exposes as field aliases (``gpkg_data_columns.name``).
* **Default layer styles** (``layer_styles``, QGIS's own table): what QGIS applies when a layer
  is opened; supplied by the capability that draws (``ProjectDefaults.layer_styles``).
* ``inspection_photos`` — photos an officer took on an inspection (a case's go to
  ``case_photos``), kept inside the project like case photos.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlite_utils

from ..api import ProjectDefaults
from .ddl import attributes_table

DATE_COLUMNS = ("valid_from", "valid_to", "last_inspection", "as_of", "day")
DATETIME_SUFFIX = "_at"
DATETIME_COLUMNS = ("at", "deadline", "update_time")

LAYER_STYLES = (
    'CREATE TABLE "layer_styles" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
DATA_COLUMNS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT "
    "NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE "
    "(table_name, name))")
DATA_COLUMN_CONSTRAINTS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE "
    "(constraint_name, constraint_type, value))")
SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"
INSPECTION_PHOTOS = (
    "CREATE TABLE inspection_photos (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL "
    "UNIQUE, inspection_uuid TEXT NOT NULL, name TEXT, mime TEXT, data BLOB, taken_at DATETIME, "
    "created_at DATETIME)"
)
INSPECTION_PHOTOS_INDEX = ("CREATE INDEX idx_inspection_photos_inspection ON inspection_photos "
                           "(inspection_uuid)")


def date_type(column: str) -> str | None:
    """DATE or DATETIME for a column gridmgr stores dates or times in, by its name."""
    if column in DATE_COLUMNS:
        return "DATE"
    if column in DATETIME_COLUMNS or column.endswith(DATETIME_SUFFIX):
        return "DATETIME"
    return None


def declare_date_types(ddl: str) -> str:
    """``CREATE TABLE`` text with the date/time columns' TEXT declared DATE/DATETIME."""
    def one(m: re.Match[str]) -> str:
        kind = date_type(m.group(2) or m.group(3))
        return f"{m.group(1)} {kind}" if kind else m.group(0)

    return re.sub(r'((?<=[(,])\s*(?:"([a-z_]+)"|([a-z_]+)))\s+TEXT\b', one, ddl)


def _declare_dates(db: sqlite_utils.Database) -> list[str]:
    """Rewrite the declared types of the listed tables (see the module docstring)."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN "
        "(SELECT table_name FROM gpkg_contents)").fetchall()
    changed = [(name, new) for name, sql in rows if (new := declare_date_types(sql)) != sql]
    if not changed:
        return []
    version = int(db.execute("PRAGMA schema_version").fetchone()[0])
    db.execute("PRAGMA writable_schema = ON")
    try:
        for name, new in changed:
            db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                       [new, name])
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    return [name for name, _ in changed]


def write_value_lists(db: Any, enums: Mapping[str, Sequence[tuple[str, str]]],
                      columns: Iterable[tuple[str, str, str, str | None]]) -> None:
    """Enum constraints ``{name: [(value, description)]}`` and column descriptions
    ``(table, column, Chinese name, constraint or None)`` into the schema extension; the
    Chinese name is in both ``name`` (GDAL's alternative name, QGIS's alias) and ``title``."""
    db.execute(DATA_COLUMNS)
    db.execute(DATA_COLUMN_CONSTRAINTS)
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        db.execute("DELETE FROM gpkg_extensions WHERE table_name = ? AND extension_name = "
                   "'gpkg_schema'", [table])
        db.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                   "definition, scope) VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
                   [table, SCHEMA_EXTENSION])
    for name, values in enums.items():
        db.execute("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = ?", [name])
        for value, description in values:
            db.execute("INSERT INTO gpkg_data_column_constraints (constraint_name, "
                       "constraint_type, value, description) VALUES (?, 'enum', ?, ?)",
                       [name, value, description])
    for table, column, title, constraint in columns:
        db.execute("DELETE FROM gpkg_data_columns WHERE table_name = ? AND column_name = ?",
                   [table, column])
        db.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, title, "
                   "constraint_name) VALUES (?, ?, ?, ?, ?)",
                   [table, column, title, title, constraint])


def refresh_role_list(db: Any) -> None:
    """The ``officer_role`` value list as the project's own role table (schema 10) has it: a
    bureau adds and renames roles, so the shipped list would be stale."""
    names = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE name IN ('team_roles', "
        "'gpkg_data_column_constraints')")}
    if names != {"team_roles", "gpkg_data_column_constraints"}:
        return
    db.execute("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = 'officer_role'")
    db.execute("INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, "
               "value, description) SELECT 'officer_role', 'enum', name, name FROM team_roles "
               "ORDER BY sort_order, id")


def write_layer_styles(db: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """QGIS's ``layer_styles`` (created and registered when missing); a layer's earlier
    gridmgr default is replaced, a style someone saved from QGIS is kept but no longer the
    default."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'layer_styles'").fetchone():
        attributes_table(db, "layer_styles", LAYER_STYLES, "QGIS layer styles")
    for row in rows:
        key = [row["f_table_name"], row["f_geometry_column"]]
        db.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND f_geometry_column = ? "
                   "AND owner = 'gridmgr'", key)
        db.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ? AND "
                   "f_geometry_column = ?", key)
        cols = list(row)
        db.execute(f"INSERT INTO layer_styles ({', '.join(cols)}) VALUES "
                   f"({', '.join('?' * len(cols))})", [row[c] for c in cols])


def migration_11(db: sqlite_utils.Database, settings: dict[str, str],
                defaults: ProjectDefaults) -> None:
    """Schema 11: dates and times declared DATE/DATETIME, value lists and Chinese field names
    (gpkg_data_columns), default QGIS layer styles (layer_styles), inspection photos."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'inspection_photos'"
                      ).fetchone():
        attributes_table(db, "inspection_photos", INSPECTION_PHOTOS, "inspection photos")
        db.execute(INSPECTION_PHOTOS_INDEX)
    tables = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
    lists = defaults.value_lists()
    write_value_lists(db, lists.get("enums", {}),
                      [c for c in lists.get("columns", []) if c[0] in tables])
    refresh_role_list(db)
    write_layer_styles(db, [r for r in defaults.layer_styles() if r["f_table_name"] in tables])
    _declare_dates(db)
