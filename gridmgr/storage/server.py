"""A local PostgreSQL/PostGIS for trying the shared server (``gridmgr server start``); the
cluster itself is :mod:`.postgis.localserver`'s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def start_local_server(folder: str | Path, *, port: int | None = None,
                       password: str | None = None) -> Any:
    from .postgis.localserver import start

    return start(folder, port=port, password=password)


def stop_local_server(folder: str | Path) -> None:
    from .postgis.localserver import stop

    stop(folder)


# -- who may do what on a server project (PostgreSQL roles; see postgis/roles.py)

def _admin_connection(url: str) -> Any:
    from .location import parse_server
    from .postgis.connection import connect
    from .postgis.schema import schema_exists

    loc = parse_server(url)
    db = connect(loc)
    if not schema_exists(db, loc.schema):
        db.raw.close()
        from ..errors import NotAProject

        raise NotAProject(f"服务器上没有项目 schema {loc.schema!r}：{loc}")
    return loc, db


def role_kind(name: str) -> str:
    """'street', 'admin', … for a role named in English or Chinese (UsageError otherwise)."""
    from .postgis.roles import kind_of

    return kind_of(name)


ROLE_NAMES = {"admin": "区级管理员", "street": "街道管理员", "dispatch": "受理派遣员", "reader": "只读"}


def setup_roles(url: str) -> None:
    """Install (or refresh) the project's roles, policies and audit triggers."""
    from .postgis import roles

    loc, db = _admin_connection(url)
    try:
        if not roles.may_create_roles(db):
            from ..errors import PermissionDenied

            raise PermissionDenied(f"{loc.user or '当前用户'} 不能建立角色（需要 CREATEROLE）")
        with db.atomic():
            roles.install(db, loc.schema)
    finally:
        db.raw.close()


def add_user(url: str, name: str, kind: str, *, password: Callable[[], str],
             streets: list[str]) -> bool:
    """Give ``name`` the role ``kind``; a new login is created, its password asked of
    ``password()`` only then.  Returns whether the login was new."""
    from .postgis import roles

    loc, db = _admin_connection(url)
    try:
        pw = None if roles.login_exists(db, name) else password()
        return roles.add_user(db, loc.schema, name, kind, password=pw, streets=streets)
    finally:
        db.raw.close()


def grant_user(url: str, name: str, kind: str, *, streets: list[str]) -> None:
    from .postgis import roles

    loc, db = _admin_connection(url)
    try:
        roles.grant(db, loc.schema, name, kind, streets=streets)
    finally:
        db.raw.close()


def revoke_user(url: str, name: str, kind: str | None, *, streets: list[str]) -> None:
    from .postgis import roles

    loc, db = _admin_connection(url)
    try:
        roles.revoke(db, loc.schema, name, kind, streets=streets)
    finally:
        db.raw.close()


def list_users(url: str) -> list[dict[str, Any]]:
    from .postgis import roles

    loc, db = _admin_connection(url)
    try:
        return [{"user": u.name, "roles": [ROLE_NAMES[k] for k in u.roles],
                 "streets": list(u.streets), "login": u.can_login}
                for u in roles.users(db, loc.schema)]
    finally:
        db.raw.close()
