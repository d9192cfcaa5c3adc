"""Creating and opening projects: the entry points the CLI and the desktop share.

The one place that hands storage the defaults the capabilities own (the shipped category
table and holiday calendar, the value lists and the QGIS layer styles), so that storage creates
tables without knowing cases.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from .cases.categories import default_categories, default_category_roles
from .cases.workcalendar import DEFAULT_WORK_HOURS, default_calendar_rows
from .coords import crs as crsmod
from .errors import UsageError
from .grid.codes import SCHEMES
from .levels import LEVELS
from .registers.teams import default_team_roles
from .storage import SCHEMA_VERSION, ProjectDefaults, Store, create_store, open_store
from .storage import inspect as storage_inspect
from .storage import pull_project as storage_pull
from .storage import push_project as storage_push
from .storage.location import is_server


def _value_lists() -> dict[str, Any]:
    from .fieldwork.export import RESULTS
    from .outputs.qgis_fields import project_value_lists

    return project_value_lists(RESULTS)


def _layer_styles() -> list[dict[str, Any]]:
    from .outputs.qgis_styles import project_styles, style_rows

    return style_rows(project_styles(_value_lists()))


DEFAULTS = ProjectDefaults(categories=default_categories, calendar=default_calendar_rows,
                           work_hours=DEFAULT_WORK_HOURS, team_roles=default_team_roles,
                           category_roles=default_category_roles, value_lists=_value_lists,
                           layer_styles=_layer_styles)


def init_project(path: str | Path, *, name: str, admin_code: str, crs: str = crsmod.CGCS2000,
                 code_scheme: str = "national", overwrite: bool = False) -> Store:
    """Create a new project — a GeoPackage file, or a schema on a PostgreSQL server for a
    ``postgresql://…?schema=…`` URL — and return it open for writing."""
    if not name.strip():
        raise UsageError("项目名称不能为空")
    if not re.fullmatch(r"\d{6}", admin_code or ""):
        raise UsageError(f"区划代码应为 6 位数字（县级行政区划代码，如禅城区 440604），收到 {admin_code!r}")
    if code_scheme not in SCHEMES:
        raise UsageError(f"未知的编码规则 {code_scheme!r}；可选：{', '.join(SCHEMES)}")
    c = crsmod.parse_crs(crs)
    epsg = crsmod.epsg_of(c)
    if epsg is None:
        raise UsageError(f"项目坐标系需要 EPSG 代码：{crs}")
    if c.is_projected and c.axis_info[0].unit_name not in ("metre", "meter"):
        raise UsageError(f"投影坐标系的单位应为米：{c.name}")
    if not is_server(path) and Path(path).suffix.lower() != ".gpkg":
        raise UsageError(f"项目文件应以 .gpkg 结尾（或给出 postgresql://… 服务器地址）：{path}")
    settings = {"name": name.strip(), "admin_code": admin_code, "crs": f"EPSG:{epsg}",
                "code_scheme": code_scheme}
    return create_store(path, settings, defaults=DEFAULTS, overwrite=overwrite)


_log = logging.getLogger("gridmgr.project")


def open_project(path: str | Path, *, readonly: bool = False) -> Store:
    """Open a project; an action a crash interrupted is undone first, and said (logged as a
    warning: the CLI prints it, the window shows ``store.recovered``)."""
    store = open_store(path, defaults=DEFAULTS, readonly=readonly)
    if store.recovered:
        _log.warning("%s：%s", store.path, store.recovered)
    return store


def summary(store: Store) -> dict[str, Any]:
    meta = store.meta()
    return {
        "path": str(store.path),
        "name": meta.get("name"),
        "admin_code": meta.get("admin_code"),
        "crs": meta.get("crs"),
        "code_scheme": meta.get("code_scheme"),
        "schema_version": int(meta.get("schema_version", 0)),
        "scope": meta.get("pulled_scope"),
        "areas": {lvl: store.count_areas(lvl) for lvl in LEVELS},
        "grid_systems": [s["code"] for s in store.grid_systems()],
        "enterprises": store.count_enterprises(),
        "officers": len(store.officers()),
        "responsibilities_current": len(store.responsibilities(current_only=True)),
    }


def push_project(path: str | Path, url: str, *, replace: bool = False) -> dict[str, int]:
    """``gridmgr push``: the file project ``path`` to a new schema at ``url``, whole or not at all."""
    if not is_server(url):
        raise UsageError(f"目标应是服务器地址 postgresql://…?schema=…，收到 {url}")
    if storage_inspect(path).schema_version < SCHEMA_VERSION:
        open_project(path).close()  # a read-write open migrates an older file to this version
    return storage_push(path, url, replace=replace)


def pull_project(url: str, path: str | Path, *, overwrite: bool = False,
                 scope: str | None = None) -> dict[str, int]:
    """``gridmgr pull``: a file copy of the server project ``url`` (opens in QGIS as any
    project); ``scope``: one street's, community's or cell's part, for offline work."""
    if not is_server(url):
        raise UsageError(f"来源应是服务器地址 postgresql://…?schema=…，收到 {url}")
    if Path(path).suffix.lower() != ".gpkg":
        raise UsageError(f"项目文件应以 .gpkg 结尾：{path}")
    return storage_pull(url, path, defaults=DEFAULTS, overwrite=overwrite, scope=scope)


def share_warning(location: str | Path) -> str | None:
    """The warning for a project file on a network share (SQLite there is safe for one writer
    only: several desks belong on the shared server), or None."""
    from . import platforms

    if is_server_url(location) or not platforms.is_network_path(str(location)):
        return None
    return platforms.SHARE_WARNING.format(path=location)


def is_server_url(value: object) -> bool:
    """Whether a location (as the window keeps it) is a server project's URL."""
    return isinstance(value, str) and is_server(value)


def remember_password(url: str, password: str) -> None:
    """A password the user typed for ``url``'s login, kept for this session in memory only."""
    from .storage.location import parse_server
    from .storage.location import remember_password as keep

    keep(parse_server(url), password)


def as_location(value: str | Path) -> str | Path:
    """A project's location as the store takes it: a server URL stays text (``Path`` would fold
    its ``//``), anything else is a file path."""
    return str(value) if is_server(str(value)) else Path(value)


def location_exists(value: str | Path) -> bool:
    """Whether a recent project is still there: a file that exists, or any server URL (the
    server is asked only when the project is opened)."""
    return is_server(str(value)) or Path(value).exists()
