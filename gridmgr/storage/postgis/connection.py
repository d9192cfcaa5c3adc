"""The one connection factory for server projects, and the handle the shared SQL runs on.

The store's queries are written once, in the SQL both SQLite and PostgreSQL speak (see
:mod:`gridmgr.storage.postgis.store`).  :class:`PgDatabase` gives them the small part of the
``sqlite_utils.Database`` interface they use — ``execute``, ``conn.executemany``, ``atomic``,
``db[table].insert/insert_all/upsert/rows/rows_where`` — over psycopg 3, and smooths the
differences that are not SQL text: ``?`` placeholders become ``%s``; numpy scalars, booleans
and NaN are sent as SQLite would store them (int, int, NULL); ``numeric`` comes back as int or
float, not Decimal; PostGIS geometry comes back as EWKB bytes.

Every connection sets ``search_path`` to the project's schema (then ``public`` for PostGIS) and
a lock timeout (:func:`lock_timeout_ms`): a desk waits for another desk's write, not forever.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import numpy as np
import psycopg
from psycopg import sql as pgsql
from psycopg.adapt import Loader

from ...errors import LoginRefused, PermissionDenied, ServerError
from ..location import ServerLocation, typed_password


def lock_timeout_ms() -> int:
    """How long a desk waits for another desk's write: the file projects' busy timeout
    (GRIDMGR_BUSY_TIMEOUT, default 60 s), so both backends wait alike."""
    from ..gpkg.locking import busy_timeout

    return int(busy_timeout() * 1000)


class _NumericLoader(Loader):
    """``numeric`` (sum of bigint, avg …) as SQLite gives it: int when whole, else float."""

    def load(self, data: Any) -> int | float:
        d = Decimal(bytes(data).decode())
        return int(d) if d == d.to_integral_value() else float(d)


class _GeometryLoader(Loader):
    """PostGIS ``geometry`` (hex EWKB in text format) as EWKB bytes."""

    def load(self, data: Any) -> bytes:
        return bytes.fromhex(bytes(data).decode())


def _placeholders(sql: str) -> str:
    """``?`` → ``%s`` outside quotes, ``%`` → ``%%`` everywhere (psycopg's own placeholder)."""
    out, quote = [], None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


def sql_value(v: Any) -> Any:
    """A Python/numpy value as SQLite would have stored it (bool → int, NaN → NULL)."""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _params(params: Any) -> Any:
    if params is None:
        return []
    if isinstance(params, dict):
        return {k: sql_value(v) for k, v in params.items()}
    return [sql_value(v) for v in params]


def dropped(exc: BaseException, *, committing: bool = False) -> ServerError:
    """The connection went away mid-action: the server rolled the transaction back — unless it
    went at the commit itself, when nobody can say; the user is told which."""
    first = (str(exc).strip().splitlines() or ["?"])[0]
    if committing:
        return ServerError(f"提交时与服务器的连接中断（{first}）：无法确认这次操作是否已写入；"
                           "请重新打开项目查看后再决定是否重做")
    return ServerError(f"与服务器的连接中断（{first}）：本次操作没有写入任何内容，服务器保持"
                       "操作前的状态；请检查网络后重试")


def translate_error(exc: psycopg.Error, user: str | None = None, *, broken: bool = False
                    ) -> Exception:
    """psycopg's errors as gridmgr's: a refused role names the login and the table (the row
    triggers already word their own refusals), a lost connection says nothing was written,
    the rest is the server's."""
    if broken or isinstance(exc, (psycopg.errors.AdminShutdown, psycopg.errors.CrashShutdown)):
        return dropped(exc)
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        msg = exc.diag.message_primary or str(exc)
        who = f"用户 {user}" if user else "当前用户"
        if m := re.search(r'row-level security policy for table "([^"]+)"', msg):
            msg = f"{who} 的角色不允许写入这条记录（表 {m.group(1)}：超出所辖街道）"
        elif m := re.search(r"permission denied for (?:table|relation|sequence) (\S+)", msg):
            msg = f"{who} 的角色不允许修改表 {m.group(1)}"
        return PermissionDenied(f"数据库拒绝了这项操作：{msg}；项目未改变")
    return exc


class _Cursor:
    """What the shared SQL reads from a cursor: rows, rowcount, iteration."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur
        self.rowcount = cur.rowcount
        self.description = cur.description

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def fetchmany(self, n: int) -> list[Any]:
        return self._cur.fetchmany(n) if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cur) if self._cur.description else iter(())


class _Conn:
    """``db.conn``: executemany and close, as the shared SQL calls them on sqlite3."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        rows = [_params(r) for r in seq]
        if rows:
            with self._db.raw.cursor() as cur:
                self._db.run(lambda: cur.executemany(_placeholders(sql), rows))

    def execute(self, sql: str, params: Any = None) -> _Cursor:
        return self._db.execute(sql, params)

    def close(self) -> None:
        self._db.raw.close()

    @property
    def in_transaction(self) -> bool:
        return self._db.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


class _Table:
    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db, self.name = db, name

    def _ident(self) -> pgsql.Composable:
        return pgsql.Identifier(self.name)

    last_pk: Any = None

    def insert(self, row: dict[str, Any], **_: Any) -> _Table:
        """One row; ``last_pk`` is its key (every project table's first column)."""
        cols = list(row)
        stmt = pgsql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            self._ident(), pgsql.SQL(", ").join(map(pgsql.Identifier, cols)),
            pgsql.SQL(", ").join(pgsql.Placeholder() * len(cols)))
        with self.db.raw.cursor() as cur:
            self.db.run(lambda: cur.execute(stmt, [sql_value(row[c]) for c in cols]))
            self.last_pk = cur.fetchone()[0]  # type: ignore[index]
        return self

    def insert_all(self, rows: Iterable[dict[str, Any]], **_: Any) -> _Table:
        rows = list(rows)
        if not rows:
            return self
        cols = list(rows[0])
        stmt = pgsql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self._ident(), pgsql.SQL(", ").join(map(pgsql.Identifier, cols)),
            pgsql.SQL(", ").join(pgsql.Placeholder() * len(cols)))
        with self.db.raw.cursor() as cur:
            self.db.run(lambda: cur.executemany(stmt, [[sql_value(r.get(c)) for c in cols]
                                                       for r in rows]))
        return self

    def upsert(self, row: dict[str, Any], pk: str, **_: Any) -> _Table:
        cols = list(row)
        rest = [c for c in cols if c != pk]
        stmt = pgsql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}").format(
            self._ident(), pgsql.SQL(", ").join(map(pgsql.Identifier, cols)),
            pgsql.SQL(", ").join(pgsql.Placeholder() * len(cols)), pgsql.Identifier(pk),
            pgsql.SQL(", ").join(pgsql.SQL("{0} = excluded.{0}").format(pgsql.Identifier(c))
                                 for c in rest))
        with self.db.raw.cursor() as cur:
            self.db.run(lambda: cur.execute(stmt, [sql_value(row[c]) for c in cols]))
        return self

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.rows_where()

    def rows_where(self, where: str | None = None, where_args: Any = None, *,
                   order_by: str | None = None, **_: Any) -> Iterator[dict[str, Any]]:
        text = f'SELECT * FROM "{self.name}"'
        if where:
            text += f" WHERE {where}"
        if order_by:
            text += f" ORDER BY {order_by}"
        with self.db.raw.cursor(row_factory=psycopg.rows.dict_row) as cur:
            self.db.run(lambda: cur.execute(_placeholders(text), _params(where_args)))
            return iter(cur.fetchall())


class PgDatabase:
    """One psycopg connection to a project's schema, shaped like the part of sqlite_utils the
    shared SQL uses."""

    def __init__(self, raw: psycopg.Connection[Any], schema: str) -> None:
        self.raw, self.schema = raw, schema
        self.user = raw.info.user  # kept: a lost connection can no longer say it
        self.conn = _Conn(self)

    def run(self, fn: Any) -> Any:
        try:
            return fn()
        except psycopg.Error as exc:
            err = translate_error(exc, self.user,
                                  broken=self.raw.broken or self.raw.closed)
            if err is exc:
                raise
            raise err from exc

    def execute(self, sql: str, params: Any = None) -> _Cursor:
        cur = self.raw.cursor()
        self.run(lambda: cur.execute(_placeholders(sql), _params(params)))
        return _Cursor(cur)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        with self.raw.cursor(row_factory=psycopg.rows.dict_row) as cur:
            self.run(lambda: cur.execute(_placeholders(sql), _params(params)))
            return iter(cur.fetchall())

    def __getitem__(self, table: str) -> _Table:
        return _Table(self, table)

    def table_names(self) -> list[str]:
        return [r[0] for r in self.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [self.schema])]

    @contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        """A transaction (a savepoint when nested), like sqlite_utils' ``atomic``; a connection
        lost inside it, or at its commit, is said as such (:func:`dropped`)."""
        committing = False
        try:
            with self.raw.transaction():
                yield self
                committing = True
        except psycopg.OperationalError as exc:
            if not (self.raw.broken or self.raw.closed):
                raise
            raise dropped(exc, committing=committing) from exc


def connect(location: ServerLocation, *, readonly: bool = False, password: str | None = None
            ) -> PgDatabase:
    """The one place a connection to a server project is made (autocommit outside
    ``atomic()``, so a reader never holds a transaction open)."""
    kw = location.conninfo()
    password = password if password is not None else typed_password(location)
    if password is not None:
        kw["password"] = password
    try:
        raw = psycopg.connect(autocommit=True, **kw)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or ["?"])[-1]
        if "password" in str(exc).lower() or "authentication" in str(exc).lower():
            raise LoginRefused(f"无法登录 {location.host}:{location.port}（用户 {location.user or '默认'}）："
                              "密码错误或没有提供密码（PGPASSWORD 或 ~/.pgpass）") from exc
        raise ServerError(f"无法连接服务器 {location.host}:{location.port}：{first}") from exc
    raw.adapters.register_loader("numeric", _NumericLoader)
    oid = raw.execute("SELECT oid FROM pg_type WHERE typname = 'geometry'").fetchone()
    if oid is not None:
        raw.adapters.register_loader(oid[0], _GeometryLoader)
    raw.execute(pgsql.SQL("SET search_path TO {}, public").format(pgsql.Identifier(location.schema)))
    raw.execute(f"SET lock_timeout = {lock_timeout_ms()}")
    raw.execute("SET TimeZone = 'UTC'")  # times are text without offset, read as SQLite does
    if readonly:
        raw.execute("SET default_transaction_read_only = on")
    return PgDatabase(raw, location.schema)

