"""GeoPackage building blocks: the core tables as GDAL writes them (GeoPackage 1.3), and the
registration of a feature table (with its R-tree and triggers) or an attributes table.

The migrations in :mod:`.schema`, :mod:`.schema_cases` and :mod:`.schema_fieldwork` build the
project's tables from these.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from pyproj import CRS

GPKG_CORE = [
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

DEFAULT_SRS = [
    ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined",
     "undefined Cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
     "undefined geographic coordinate reference system"),
]


def srs_row(crs: CRS) -> dict[str, Any]:
    epsg = crs.to_epsg(min_confidence=90)
    if epsg is None:
        raise ValueError("the project CRS must have an EPSG code")
    return {"srs_name": crs.name, "srs_id": epsg, "organization": "EPSG",
            "organization_coordsys_id": epsg, "definition": crs.to_wkt("WKT1_GDAL"),
            "description": None}


def feature_table(db: sqlite_utils.Database, table: str, ddl: str, geometry_type: str,
                   srs_id: int, description: str) -> None:
    """A GeoPackage feature table: the table, its registration and its R-tree with triggers."""
    db.execute(ddl)
    db["gpkg_contents"].insert({"table_name": table, "data_type": "features",
                                "identifier": table, "description": description,
                                "srs_id": srs_id})
    db["gpkg_geometry_columns"].insert({
        "table_name": table, "column_name": "geom", "geometry_type_name": geometry_type,
        "srs_id": srs_id, "z": 0, "m": 0})
    db.execute(f'CREATE VIRTUAL TABLE "rtree_{table}_geom" USING rtree(id, minx, maxx, miny, maxy)')
    for trig in _RTREE_TRIGGERS.format(t=table).strip().split(";\n"):
        if trig.strip():
            db.execute(trig.replace("\n", ""))
    db["gpkg_extensions"].insert({
        "table_name": table, "column_name": "geom", "extension_name": "gpkg_rtree_index",
        "definition": "http://www.geopackage.org/spec120/#extension_rtree",
        "scope": "write-only"})


def attributes_table(db: sqlite_utils.Database, table: str, ddl: str, description: str) -> None:
    """A non-spatial table registered in gpkg_contents, so QGIS lists it."""
    db.execute(ddl)
    db["gpkg_contents"].insert({"table_name": table, "data_type": "attributes",
                                "identifier": table, "description": description})
