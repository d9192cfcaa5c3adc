"""Schema 4: cases and the rectification workflow (the contract in docs/readme-cases.md).

* ``cases`` — a POINT feature layer (QGIS/QField show it) in the project CRS; one row per case
  with its current status, the area codes found at 立案 and the deadlines of its stages.
* ``case_transitions`` — every step of every case: who, when, what, why; never rewritten.
* ``case_photos`` — photos as BLOBs inside the project (a project file travels whole).
* ``case_categories`` — the city's category table: 部件/事件 → 大类 → 小类 with 立案/结案条件 and
  time limits per stage in 工作时 or 工作日 (NULL = no limit).  Keyed by ``code`` (UNIQUE NOT
  NULL); the integer ``id`` is there because a GeoPackage attributes table must have an INTEGER
  primary key (GDAL's validate_gpkg.py, Req 119) and QGIS should list the table.
* ``work_calendar`` — days that differ from the Monday–Friday rule: public holidays and
  weekend make-up working days (调休).  ``day`` is its primary key; like ``gridmgr_meta`` it is
  a plain table, not registered in ``gpkg_contents``.
* ``rectification_notices`` — 整改通知书 with their colour in the 三色单 escalation.

Times are local Beijing time as ISO text without zone, ``YYYY-MM-DDTHH:MM:SS``.
"""

from __future__ import annotations

import sqlite_utils
from pyproj import CRS

from ..api import ProjectDefaults
from .ddl import attributes_table, feature_table

CASES = (
    'CREATE TABLE "cases" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" POINT, '
    '"uuid" TEXT NOT NULL UNIQUE, "case_no" TEXT NOT NULL UNIQUE, "source" TEXT NOT NULL, '
    '"category_code" TEXT, "description" TEXT, "address" TEXT, "enterprise_uuid" TEXT, '
    '"reported_at" TEXT NOT NULL, "reporter" TEXT, "status" TEXT NOT NULL, "system" TEXT, '
    '"cell_code" TEXT, "community_code" TEXT, "street_code" TEXT, "handler_staff_no" TEXT, '
    '"registered_at" TEXT, "dispatched_at" TEXT, "dispose_due_at" TEXT, "due_at" TEXT, '
    '"closed_at" TEXT, "ext_status" TEXT, "ext_no" TEXT, '
    '"supervised" INTEGER NOT NULL DEFAULT 0, "rework_count" INTEGER NOT NULL DEFAULT 0, '
    '"extension_count" INTEGER NOT NULL DEFAULT 0, "created_at" TEXT, '
    '"updated_at" TEXT NOT NULL)'
)
CASE_TRANSITIONS = (
    "CREATE TABLE case_transitions (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL "
    "UNIQUE, case_uuid TEXT NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL, "
    "from_status TEXT, to_status TEXT, by_staff_no TEXT, by_name TEXT, at TEXT NOT NULL, "
    "note TEXT, due_at TEXT, created_at TEXT, UNIQUE (case_uuid, seq))"
)
CASE_PHOTOS = (
    "CREATE TABLE case_photos (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "case_uuid TEXT NOT NULL, name TEXT, mime TEXT, data BLOB, taken_at TEXT, created_at TEXT)"
)
CASE_CATEGORIES = (
    "CREATE TABLE case_categories (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "code TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, major_code TEXT, "
    "major_name TEXT, name TEXT NOT NULL, open_condition TEXT, close_condition TEXT, "
    "dispose_limit REAL, dispose_unit TEXT, verify_limit REAL, verify_unit TEXT, "
    "dispatch_limit REAL, dispatch_unit TEXT, check_limit REAL, check_unit TEXT)"
)
WORK_CALENDAR = (
    "CREATE TABLE work_calendar (day TEXT PRIMARY KEY, kind TEXT NOT NULL "
    "CHECK (kind IN ('holiday', 'workday')), name TEXT)"
)
NOTICES = (
    "CREATE TABLE rectification_notices (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT "
    "NULL UNIQUE, notice_no TEXT NOT NULL UNIQUE, case_uuid TEXT, enterprise_uuid TEXT, "
    "place_key TEXT, colour TEXT NOT NULL CHECK (colour IN ('蓝', '黄', '红')), "
    "issued_at TEXT NOT NULL, deadline TEXT, created_at TEXT)"
)
CASE_INDEXES = ("status", "cell_code", "street_code", "community_code", "handler_staff_no",
                "reported_at", "category_code")


def migration_4(db: sqlite_utils.Database, settings: dict[str, str],
                 defaults: ProjectDefaults) -> None:
    """Schema 4: cases (point layer), transitions, photos, categories, working calendar,
    rectification notices; the category table and the calendar start as ``defaults`` give them."""
    srs_id = CRS.from_user_input(settings["crs"]).to_epsg(min_confidence=90)
    feature_table(db, "cases", CASES, "POINT", srs_id, "gridmgr cases")
    for col in CASE_INDEXES:
        db.execute(f'CREATE INDEX "idx_cases_{col}" ON cases ("{col}")')
    attributes_table(db, "case_transitions", CASE_TRANSITIONS, "every step of every case")
    db.execute("CREATE INDEX idx_case_transitions_case ON case_transitions (case_uuid, seq)")
    # max(at) answers "is there history after this moment?" without reading every step
    db.execute("CREATE INDEX idx_case_transitions_at ON case_transitions (at)")
    attributes_table(db, "case_photos", CASE_PHOTOS, "case photos (kept inside the project)")
    db.execute("CREATE INDEX idx_case_photos_case ON case_photos (case_uuid)")
    attributes_table(db, "case_categories", CASE_CATEGORIES, "case categories and time limits")
    db.execute(WORK_CALENDAR)  # keyed by day, so not a GeoPackage attributes table (Req 119)
    attributes_table(db, "rectification_notices", NOTICES, "rectification notices (三色单)")
    db.execute("CREATE INDEX idx_notices_enterprise ON rectification_notices (enterprise_uuid)")
    db.execute("CREATE INDEX idx_notices_place ON rectification_notices (place_key)")
    db["case_categories"].insert_all(defaults.categories())
    db["work_calendar"].insert_all(defaults.calendar())
    db["gridmgr_meta"].upsert({"key": "work_hours", "value": defaults.work_hours}, pk="key")
