"""Where a project lives.  All SQL of gridmgr is in this package, behind one seam.

* :mod:`.api` — the seam: the :class:`Store` protocol every backend implements, and the
  :class:`ProjectDefaults` a new project starts with.
* :mod:`.records` and :mod:`.queries` — the shapes that cross it: frame columns and the paged
  lists' questions.
* :mod:`.gpkg` — the GeoPackage adapter (one SQLite file QGIS opens as it is), and
  :mod:`.postgis` — the shared-server adapter (one schema per project), chosen by
  :mod:`.location` for a ``postgresql://`` URL.
* :mod:`.clock` — the stamps every backend writes; :mod:`.tiles` (offline basemaps) and
  :mod:`.package_gpkg` (a field package's GeoPackage) are files gridmgr reads and writes beside
  a project, not projects.

:func:`create_store`, :func:`open_store` and :func:`open_readonly` are the only way in;
:mod:`gridmgr.project` calls the first two with the defaults the capabilities own.
"""

from __future__ import annotations

from pathlib import Path

from ..levels import LEVEL_TABLES, LEVELS, PARENT_LEVEL
from .api import ProjectDefaults, Store
from .clock import now_iso, today
from .gpkg import copies
from .gpkg.connection import (
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    ProjectInfo,
    connect,
    explain_failure,
    inspect,
)
from .gpkg.schema import MIGRATIONS, SCHEMA_VERSION
from .gpkg.schema_qgis import date_type
from .gpkg.store import GpkgStore
from .location import is_server
from .records import AREA_COLUMNS


def _adapter(location: str | Path) -> type[GpkgStore]:
    """The backend for a location: a ``postgresql://`` URL is a server project, anything else a
    GeoPackage file."""
    if is_server(location):
        from .postgis.store import PgStore  # psycopg is imported only for server projects

        return PgStore
    return GpkgStore


def create_store(location: str | Path, settings: dict[str, str], *,
                 defaults: ProjectDefaults, overwrite: bool = False) -> Store:
    """Create a project at ``location`` with ``settings`` (name, admin_code, crs, code_scheme)
    and return it open for writing."""
    return _adapter(location).create(location, settings, defaults=defaults, overwrite=overwrite)


def open_store(location: str | Path, *, defaults: ProjectDefaults, readonly: bool = False
               ) -> Store:
    """Open the project at ``location``; a read-write open migrates an older schema first."""
    return _adapter(location).open(location, defaults=defaults, readonly=readonly)


def push_project(source: str | Path, target: str, *, replace: bool = False) -> dict[str, int]:
    """Copy the project file ``source`` to a new server project ``target`` in one transaction;
    rows copied per table."""
    from .postgis.transfer import push

    return push(source, target, replace=replace)


def pull_project(source: str, target: str | Path, *, defaults: ProjectDefaults,
                 overwrite: bool = False, scope: str | None = None) -> dict[str, int]:
    """Copy the server project ``source`` into a new project file ``target`` (only the area
    ``scope`` and what lies in it, when given)."""
    from .postgis.transfer import pull

    return pull(source, target, defaults=defaults, overwrite=overwrite, scope=scope)


def backup_project(location: str | Path, dest: str | Path, *, overwrite: bool = False) -> Path:
    """A consistent copy of the project at ``location`` in one file ``dest`` (SQLite's backup
    API: safe while another process writes, never half a file under ``dest``)."""
    return copies.backup(location, dest, overwrite=overwrite)


def salvage_project(location: str | Path, dest: str | Path, *, overwrite: bool = False
                    ) -> dict[str, dict[str, object]]:
    """Copy what can still be read of a damaged project into a new file ``dest``; per table
    the rows copied and whether some were unreadable."""
    return copies.salvage(location, dest, overwrite=overwrite)


def open_readonly(location: str | Path) -> Store:
    """Open the project at ``location`` to read it only (a worker thread's own connection):
    nothing is migrated, so it needs no defaults and no capability above storage."""
    return _adapter(location).open(location, readonly=True)


__all__ = [
    "AREA_COLUMNS", "GPKG_APPLICATION_ID", "GPKG_USER_VERSION", "LEVELS", "LEVEL_TABLES",
    "MIGRATIONS", "PARENT_LEVEL", "SCHEMA_VERSION", "GpkgStore", "ProjectDefaults",
    "ProjectInfo", "Store", "backup_project", "date_type", "connect", "create_store", "explain_failure",
    "inspect", "now_iso", "open_readonly", "open_store", "pull_project", "push_project",
    "salvage_project", "today",
]
