"""Where a project is: a GeoPackage file path, or a PostgreSQL URL with the project's schema.

``postgresql://user@host:5432/db?schema=chancheng`` — one database may hold several districts'
projects, one schema each.  The password is never part of the URL (it would end up in shell
history, process lists and logs): libpq finds it in ``PGPASSWORD`` or ``~/.pgpass``, and the
desktop asks for it.  A URL that carries one is refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..errors import UsageError

_SCHEMES = ("postgresql", "postgres")
_IDENT = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class ServerLocation:
    """A project on a PostgreSQL server: connection parameters and the project's schema."""

    host: str
    port: int
    dbname: str
    user: str | None
    schema: str

    def conninfo(self) -> dict[str, str | int]:
        """Keyword arguments for ``psycopg.connect`` (libpq adds the password itself)."""
        out: dict[str, str | int] = {"host": self.host, "port": self.port, "dbname": self.dbname,
                                     "application_name": "gridmgr", "connect_timeout": 10}
        if self.user:
            out["user"] = self.user
        return out

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"postgresql://{who}{self.host}:{self.port}/{self.dbname}?schema={self.schema}"


def is_server(location: str | Path) -> bool:
    return isinstance(location, str) and location.split(":", 1)[0].lower() in _SCHEMES


def parse_server(url: str) -> ServerLocation:
    """The parts of a project URL, checked: no password, a schema that is a plain identifier."""
    parts = urlsplit(url)
    if parts.password is not None:
        raise UsageError("项目地址里不能写密码（会留在命令历史和日志中）；"
                         "请用环境变量 PGPASSWORD 或 ~/.pgpass 提供密码")
    query = parse_qs(parts.query)
    schema = (query.get("schema") or [""])[0]
    if not schema:
        raise UsageError(f"项目地址缺少 ?schema=…（每个项目一个 schema，如 ?schema=chancheng）：{url}")
    if not _IDENT.fullmatch(schema):
        raise UsageError(f"schema 名只能用小写字母、数字和下划线，且不以数字开头：{schema!r}")
    dbname = unquote(parts.path.lstrip("/")) or "postgres"
    return ServerLocation(parts.hostname or "127.0.0.1", parts.port or 5432, dbname,
                          unquote(parts.username) if parts.username else None, schema)


def sqlite_uri(path: str | Path, mode: str, *, windows: bool | None = None) -> str:
    """The ``file:`` URI SQLite opens ``path`` with (``?mode=ro|rw``), on any OS.

    ``Path.as_uri()`` gives ``file://server/share/…`` for a share, which SQLite refuses (a URI
    authority other than ``localhost``); SQLite's form is an empty authority and the UNC path,
    ``file:////server/share/…``.  A drive letter is ``file:///C:/…``.  ``?``, ``#`` and ``%``
    in a name are escaped so a folder called ``a#b`` is not cut short.  Pure: ``windows``
    (default: this computer) says how to read ``path``, so every form is tested on every OS.
    """
    win = (os.name == "nt") if windows is None else windows
    text = str(path)
    if win:
        p = PureWindowsPath(text)
        posix = p.as_posix()
        if posix.upper().startswith("//?/UNC/"):
            posix = "//" + posix[8:]
        elif posix.startswith("//?/"):
            posix = posix[4:]
        # \\server\share\… → file: + // (empty authority) + //server/share/…; C:/… → ///C:/…
        body = posix if posix.startswith("//") else "/" + posix
    else:
        body = PurePosixPath(text).as_posix()
        if body.startswith("//"):  # POSIX reads // as /: keep SQLite's authority empty
            body = "/" + body.lstrip("/")
    return f"file://{quote(body, safe='/:')}?mode={mode}"


# Passwords typed into the window for this session: kept in memory, never written or logged, so
# every connection the window's workers open to that server login finds it.
_typed: dict[tuple[str, int, str | None], str] = {}


def remember_password(location: ServerLocation, password: str) -> None:
    _typed[(location.host, location.port, location.user)] = password


def typed_password(location: ServerLocation) -> str | None:
    return _typed.get((location.host, location.port, location.user))
