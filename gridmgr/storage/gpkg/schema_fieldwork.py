"""Schema 5: offline fieldwork — inspections, exported packages and their snapshots, conflicts.

* ``inspections`` — a POINT feature layer (QGIS/QField show it): one visit to an enterprise or a
  place, by whom, when, the result from a value list, the findings, and whether a finding opened a
  case (``case_uuid``).  Rows that came back from the field carry the ``package_uuid``.
* ``fieldpacks`` — one row per exported package: its uuid, the project's uuid, the scope
  (officer or area), when, where it was written and what it held.
* ``fieldpack_records`` — the snapshot of what a package sent: per record uuid the version hash
  of the fields the field may change (and those fields as JSON), so that "changed at the desk
  since export" is decidable when the package comes back.
* ``field_conflicts`` — a record changed both at the desk and in the field: both versions (and
  the one sent) are kept until someone decides; the decision is recorded, nothing is deleted.

The project gets a ``project_uuid`` in ``gridmgr_meta`` (existing projects get one here), so a
package from another project is recognised.
"""

from __future__ import annotations

import uuid

import sqlite_utils
from pyproj import CRS

from ..api import ProjectDefaults
from .ddl import attributes_table, feature_table

INSPECTIONS = (
    'CREATE TABLE "inspections" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"geom" POINT, "uuid" TEXT NOT NULL UNIQUE, "enterprise_uuid" TEXT, "cell_code" TEXT, '
    '"by_staff_no" TEXT, "at" TEXT NOT NULL, "result" TEXT NOT NULL, "findings" TEXT, '
    '"opens_case" INTEGER NOT NULL DEFAULT 0, "case_category" TEXT, "case_uuid" TEXT, '
    '"package_uuid" TEXT, "created_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)'
)
FIELDPACKS = (
    "CREATE TABLE fieldpacks (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "project_uuid TEXT NOT NULL, scope_kind TEXT NOT NULL CHECK (scope_kind IN ('officer', "
    "'area')), scope_value TEXT NOT NULL, staff_no TEXT, as_of TEXT NOT NULL, "
    "exported_at TEXT NOT NULL, out_path TEXT, files TEXT, cells INTEGER, enterprises INTEGER, "
    "cases INTEGER, imported_at TEXT, import_count INTEGER NOT NULL DEFAULT 0)"
)
FIELDPACK_RECORDS = (
    "CREATE TABLE fieldpack_records (id INTEGER PRIMARY KEY AUTOINCREMENT, package_uuid TEXT NOT "
    "NULL, table_name TEXT NOT NULL, record_uuid TEXT NOT NULL, version_hash TEXT NOT NULL, "
    "version TEXT NOT NULL, UNIQUE (package_uuid, table_name, record_uuid))"
)
FIELD_CONFLICTS = (
    "CREATE TABLE field_conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, package_uuid TEXT NOT "
    "NULL, table_name TEXT NOT NULL, record_uuid TEXT NOT NULL, label TEXT, "
    "sent_version TEXT, desk_version TEXT NOT NULL, field_version TEXT NOT NULL, "
    "status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')), "
    "decision TEXT CHECK (decision IS NULL OR decision IN ('desk', 'field')), decided_by TEXT, "
    "decided_at TEXT, created_at TEXT NOT NULL, UNIQUE (package_uuid, table_name, record_uuid))"
)


def migration_5(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 5: fieldwork — inspections (point layer), exported packages and what they sent,
    field conflicts; a project uuid."""

    srs_id = CRS.from_user_input(settings["crs"]).to_epsg(min_confidence=90)
    feature_table(db, "inspections", INSPECTIONS, "POINT", srs_id, "gridmgr inspections")
    for col in ("enterprise_uuid", "cell_code", "at"):
        db.execute(f'CREATE INDEX "idx_inspections_{col}" ON inspections ("{col}")')
    attributes_table(db, "fieldpacks", FIELDPACKS, "exported field packages")
    attributes_table(db, "fieldpack_records", FIELDPACK_RECORDS,
                      "what each field package sent (version per record)")
    attributes_table(db, "field_conflicts", FIELD_CONFLICTS,
                      "records changed at the desk and in the field")
    db.execute("CREATE INDEX idx_field_conflicts_status ON field_conflicts (status)")
    has = db.execute("SELECT 1 FROM gridmgr_meta WHERE key = 'project_uuid'").fetchone()
    if not has:
        db["gridmgr_meta"].insert({"key": "project_uuid", "value": str(uuid.uuid4())})
