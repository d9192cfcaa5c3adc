"""``gpkg_metadata``: the GeoPackage names its project and schema version for other clients.

GDAL lists the record as ``GPKG_METADATA_ITEM_1`` (QGIS shows it under the layer's metadata),
so a file found on a share says which district it is and which gridmgr wrote it.  Written at
create, and refreshed on a read-write open when missing or out of date (a migration changes
the version) — no migration number of its own: the tables are the GeoPackage metadata
extension's, created if absent, and the row is replaced, never duplicated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from ... import __version__

STANDARD_URI = "urn:gridmgr:project"
_DDL = [
    "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT "
    "NULL,md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,mime_type TEXT "
    "NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL,"
    "table_name TEXT,column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,"
    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),"
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
]
_EXTENSION = "http://www.geopackage.org/spec/#extension_metadata"


def document(meta: Mapping[str, str]) -> dict[str, Any]:
    """What the record says: the project, its district code, CRS and schema version."""
    return {"application": "gridmgr", "gridmgr_version": __version__,
            "project": meta.get("name"), "admin_code": meta.get("admin_code"),
            "crs": meta.get("crs"), "schema_version": int(meta.get("schema_version") or 0)}


def current(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The project's record as written, or None (no table, no row)."""
    if not db["gpkg_metadata"].exists():
        return None
    row = db.execute("SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = ? "
                     "ORDER BY id LIMIT 1", [STANDARD_URI]).fetchone()
    return json.loads(row[0]) if row else None


def is_stale(db: sqlite_utils.Database, meta: Mapping[str, str]) -> bool:
    return current(db) != document(meta)


def refresh(db: sqlite_utils.Database, meta: Mapping[str, str]) -> None:
    """Write (or replace) the project's record; call inside the caller's transaction."""
    for ddl in _DDL:
        db.execute(ddl)
    for table in ("gpkg_metadata", "gpkg_metadata_reference"):
        # gpkg_extensions' UNIQUE does not hold with column_name NULL (NULLs differ): look
        if not db.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                          "extension_name = 'gpkg_metadata'", [table]).fetchone():
            db.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                       "definition, scope) VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                       [table, _EXTENSION])
    text = json.dumps(document(meta), ensure_ascii=False)
    row = db.execute("SELECT id FROM gpkg_metadata WHERE md_standard_uri = ? ORDER BY id LIMIT 1",
                     [STANDARD_URI]).fetchone()
    if row:
        db.execute("UPDATE gpkg_metadata SET metadata = ? WHERE id = ?", [text, row[0]])
        db.execute("UPDATE gpkg_metadata_reference SET timestamp = strftime('%Y-%m-%dT%H:%M:%fZ',"
                   "'now') WHERE md_file_id = ?", [row[0]])
        return
    cur = db.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                     "VALUES ('dataset', ?, 'application/json', ?)", [STANDARD_URI, text])
    db.execute("INSERT INTO gpkg_metadata_reference (reference_scope, md_file_id) "
               "VALUES ('geopackage', ?)", [cur.lastrowid])
