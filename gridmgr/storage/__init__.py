"""The project file: one SQLite file that is a valid OGC GeoPackage.  All SQL lives here.

``connection`` opens files (the one connection factory, safe inspection), ``schema`` holds the
DDL and the numbered migrations, ``store`` the open project and its area layers.
"""

from ..levels import LEVEL_TABLES, LEVELS, PARENT_LEVEL
from .gpkg.connection import (
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    ProjectInfo,
    connect,
    inspect,
    now_iso,
    today,
)
from .gpkg.schema import MIGRATIONS, SCHEMA_VERSION
from .gpkg.store import AREA_COLUMNS, Store

__all__ = [
    "AREA_COLUMNS", "GPKG_APPLICATION_ID", "GPKG_USER_VERSION", "LEVELS", "LEVEL_TABLES",
    "MIGRATIONS", "PARENT_LEVEL", "SCHEMA_VERSION", "ProjectInfo", "Store", "connect",
    "inspect", "now_iso", "today",
]
