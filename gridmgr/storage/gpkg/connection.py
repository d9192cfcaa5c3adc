"""Opening project files: the one connection factory, and the inspection that comes first.

:func:`connect` registers the SQL functions GDAL's R-tree triggers call (``ST_IsEmpty``,
``ST_MinX`` …, from :mod:`gridmgr.geometry`) and sets the PRAGMAs: WAL, so that readers (the
window, ``gridmgr info``) keep reading while another process writes, and a busy timeout long
enough for the longest write phase.  :func:`inspect` looks at a file through a read-only
connection, so a file that turns out not to be a usable project is never modified — except that
an action a crash interrupted (a hot journal, a WAL, a writer record whose process is gone) is
first undone by a read-write open, as SQLite itself would on the next write.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ... import geometry, platforms
from ...errors import (
    CorruptProject,
    NewerSchema,
    NotAProject,
    ProjectBusy,
    ProjectError,
    ProjectNotFound,
    ReadOnlyProject,
)
from ...messages import message
from ..clock import now_iso, today  # noqa: F401 (re-exported)
from ..location import sqlite_uri
from . import locking, schema

log = logging.getLogger("gridmgr")

GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG'
GPKG_USER_VERSION = 10300  # GeoPackage 1.3.0: the R-tree triggers of 1.3, which
# every GDAL since 2.x validates (the 1.4 trigger set is unknown to older validators)


_SQLITE_MAGIC = b"SQLite format 3\x00"

#: What to do with a damaged project: said whenever integrity_check has failed.
WAY_OUT = ("请用最近的备份替换它（gridmgr backup 做的副本，或 .gpkg 连同同名 -wal/-journal 文件一起"
           "复制的副本）；没有备份时 gridmgr repair 可把还能读出的内容抢救到一个新文件")

# --------------------------------------------------------------------------- connection factory

def _register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the GeoPackage R-tree triggers call (GDAL/SpatiaLite provide them natively)."""

    def env(i: int) -> Callable[[bytes | None], float | None]:
        def f(blob: bytes | None) -> float | None:
            e = geometry.envelope(blob)
            return None if e is None else e[i]
        return f

    conn.create_function("ST_MinX", 1, env(0), deterministic=True)
    conn.create_function("ST_MaxX", 1, env(1), deterministic=True)
    conn.create_function("ST_MinY", 1, env(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, env(3), deterministic=True)
    conn.create_function("ST_IsEmpty", 1, geometry.is_empty, deterministic=True)


def connect(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """The one place a connection to a project file is made.

    Read-only connections use SQLite's ``mode=ro`` so that inspecting a file can never change it
    (no journal, no schema upgrade).  Read-write connections never create a file.
    """
    mode = "ro" if readonly else "rw"
    _opened.add(Path(path).resolve())
    if not readonly:
        _warn_if_shared(str(path))
    uri = sqlite_uri(Path(path).resolve(), mode)
    wait = locking.busy_timeout()
    conn = sqlite3.connect(uri, uri=True, timeout=wait)
    _register_functions(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    if not readonly:
        conn.execute("PRAGMA synchronous = FULL")
        use_wal(conn)
    return sqlite_utils.Database(conn)


_opened: set[Path] = set()  # project files this process has opened (for explain_failure)
_checked: set[str] = set()  # project paths already looked at (a share check reads /proc/mounts)


def _warn_if_shared(path: str) -> None:
    """SQLite's locking is not reliable over SMB/NFS: say so, once, when writing there.  Each
    path is looked at once per process: connections are opened often, shares do not move."""
    if path in _checked:
        return
    _checked.add(path)
    if platforms.is_network_path(path):
        log.warning(platforms.SHARE_WARNING.format(path=path))


def explain_failure(exc: BaseException) -> ProjectError | None:
    """The user's message for an SQLite error that escaped a command: another writer, or — once
    integrity_check has confirmed it — a damaged file, with the way out.  None otherwise."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    if is_busy(exc):
        rec = None
        for p in sorted(_opened):
            rec = rec or locking.read(p)
        who = locking.describe(rec if rec is not None and locking.alive(rec) else None)
        return ProjectBusy(f"{who}正在写入项目，等待 {locking.busy_timeout():g} 秒后仍未结束；"
                           "本次操作未完成，项目未改变，请稍后再试")
    for p in sorted(_opened):
        if not p.exists() or p.name.endswith(".part"):
            continue
        try:
            problem = integrity_problem(p)
        except sqlite3.DatabaseError:
            continue
        if problem is not None:
            return CorruptProject(f"{p} 已损坏：{problem}。{WAY_OUT}")
    return None


def use_wal(conn: sqlite3.Connection) -> bool:
    """Switch the file to WAL (persistent: every later connection uses it) so readers do not
    block writers nor writers readers.  Switching needs the file to itself: while another
    connection has it open the file stays as it is until a later open (never waited for)."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return True
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    except sqlite3.OperationalError:
        mode = "busy"
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(locking.busy_timeout() * 1000)}")
    return mode == "wal"


def is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error means another connection holds the lock (not damage)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def busy_error(path: Path, doing: str) -> ProjectBusy:
    """The message for a lock held longer than we wait, naming the writer when it is known."""
    rec = locking.read(path)
    who = locking.describe(rec if rec is not None and locking.alive(rec) else None)
    return ProjectBusy(f"{path}：{who}正在写入项目，等待 {locking.busy_timeout():g} 秒后仍未结束，"
                       f"{doing}未执行，项目未改变；请等它完成后再试")


# --------------------------------------------------------------------------- crash recovery

def _sidecars(p: Path) -> list[Path]:
    """A rollback journal or WAL beside the file: what a crash leaves (or a live writer has)."""
    return [q for q in (p.with_name(p.name + "-journal"), p.with_name(p.name + "-wal"))
            if q.exists() and q.stat().st_size > 0]


def recover(p: Path) -> str | None:
    """Undo what a crash left half-done, before anything reads the file; the notice to show
    (None when nothing was interrupted).

    SQLite rolls back a hot journal (and replays a WAL's committed transactions) on a
    read-write open; a read-only open cannot, and fails.  A writer record whose process is gone
    says which action was interrupted; the audit log tells whether it had committed after all.
    A read-only file is never touched: the user is told what to do instead (never to delete
    the journal, which would really damage the project).
    """
    rec = locking.read(p)
    stale = rec is not None and not locking.alive(rec)
    sidecars = _sidecars(p)
    journal = p.with_name(p.name + "-journal")
    had_journal = journal in sidecars
    if not stale and not sidecars:
        return None
    if is_readonly_file(p):
        if not sidecars:
            return None
        try:  # a journal that is not hot (a live writer's) reads fine
            db = connect(p, readonly=True)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                db.conn.close()
            return None
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                raise busy_error(p, "打开") from exc
            names = "、".join(q.name for q in sidecars)
            raise ReadOnlyProject(
                f"{p} 上次的操作被中断，留下了 {names}，其中记着如何撤销它；文件或所在文件夹是"
                "只读的，无法撤销。请不要删除这些文件（删除会真正损坏项目）：把项目文件和它所在"
                "的文件夹设为可写（或把 .gpkg 与这些文件一起复制到可写的位置）后再打开，"
                "gridmgr 会自动撤销被中断的操作") from exc
    try:
        db = connect(p)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls a hot journal back
            committed = False
            if stale and "gridmgr_audit" in db.table_names():
                last = db.execute("SELECT max(id) FROM gridmgr_audit").fetchone()[0] or 0
                committed = last > int(rec.get("audit_id") or 0)  # type: ignore[union-attr]
        finally:
            db.conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise busy_error(p, "打开") from exc
        return None  # not recoverable here: inspect reports what it is
    if stale:
        locking.writer_path(p).unlink(missing_ok=True)
        if not committed:
            return message("interrupted_undone", pid=rec["pid"],  # type: ignore[index]
                           command=rec.get("command", "?"),  # type: ignore[union-attr]
                           since=rec.get("since", "?"))  # type: ignore[union-attr]
        return None
    if had_journal and not journal.exists():
        return message("interrupted_undone_unknown")
    return None


def integrity_problem(p: Path) -> str | None:
    """The first problem ``PRAGMA integrity_check`` finds (None when the file is intact)."""
    try:
        db = connect(p, readonly=True)
        try:
            rows = [r[0] for r in db.execute("PRAGMA integrity_check(5)").fetchall()]
        finally:
            db.conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise
        return str(exc)
    return None if rows == ["ok"] else "；".join(rows)


# --------------------------------------------------------------------------- inspection

@dataclass(frozen=True)
class ProjectInfo:
    path: Path
    schema_version: int
    meta: dict[str, str]
    recovered: str | None = None  # the notice when an interrupted action was just undone


def is_readonly_file(p: Path) -> bool:
    mode = p.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True  # marked read-only: respected even for root, who could write anyway
    return not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK)


def inspect(path: str | Path, *, for_write: bool = False) -> ProjectInfo:
    """Check that ``path`` is a gridmgr project this version can use; never modifies the file."""
    p = Path(path)
    if not p.exists():
        raise ProjectNotFound(f"项目文件不存在：{p}")
    if not p.is_file():
        raise NotAProject(f"{p} 不是文件")
    with open(p, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or head[:16] != _SQLITE_MAGIC:
        if head[:16] == _SQLITE_MAGIC:
            raise CorruptProject(f"{p} 已损坏（文件被截断）。{WAY_OUT}")
        raise NotAProject(f"{p} 不是 gridmgr 项目：不是 SQLite/GeoPackage 文件")
    recovered = recover(p)
    try:
        db = connect(p, readonly=True)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = set(db.table_names())
            if app_id != GPKG_APPLICATION_ID or "gridmgr_meta" not in tables:
                kind = "GeoPackage" if app_id == GPKG_APPLICATION_ID else "SQLite 数据库"
                raise NotAProject(f"{p} 不是 gridmgr 项目（是普通的 {kind}）；"
                                  "请用 gridmgr init 新建项目后导入数据")
            meta = {r[0]: r[1] for r in db.execute("SELECT key, value FROM gridmgr_meta")}
            version = int(meta.get("schema_version", "0"))
            if for_write:
                bad = db.execute("PRAGMA quick_check(1)").fetchone()[0]
                if bad != "ok":
                    raise CorruptProject(f"{p} 已损坏：{bad}。{WAY_OUT}")
        finally:
            db.conn.close()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise busy_error(p, "打开") from exc
        problem = integrity_problem(p)  # an error is not damage until the check says so
        if problem is None:
            raise ProjectBusy(f"{p} 暂时无法读取（{exc}），但文件完好；请稍后再试") from exc
        raise CorruptProject(f"{p} 已损坏，无法读取：{problem}。{WAY_OUT}") from exc
    if version > schema.SCHEMA_VERSION:
        raise NewerSchema(f"{p} 由更新版本的 gridmgr 创建（结构版本 {version}，本程序支持 "
                          f"{schema.SCHEMA_VERSION}）；请升级 gridmgr，文件未作改动")
    if for_write and is_readonly_file(p):
        raise ReadOnlyProject(f"{p} 是只读文件，无法写入；请复制一份或修改权限")
    return ProjectInfo(p, version, meta, recovered)


