"""Copies of a project: a backup through SQLite's backup API, and a salvage of a damaged file.

A file copy of a live project can miss what is still in its ``-wal`` (or catch a write half
done); the backup API copies a consistent snapshot, even while another process writes.  Both
write ``<dest>.part`` first and rename it, so a full disk or a kill leaves no half a project
under the name the user asked for.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from ... import staging
from ...errors import GridmgrError, ProjectError, ProjectExists
from .connection import busy_error, connect, inspect, integrity_problem, is_busy


def _part(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _discard(dest: Path) -> None:
    part = _part(dest)
    staging.discard(part, *(part.with_name(part.name + s) for s in ("-journal", "-wal", "-shm")))


def _check_dest(dest: Path, overwrite: bool) -> None:
    if dest.exists() and not overwrite:
        raise ProjectExists(f"文件已存在：{dest}（不会覆盖；换一个文件名或加 --force）")
    if not dest.parent.is_dir():
        raise ProjectError(f"目标文件夹不存在：{dest.parent}")


def _write_failed(dest: Path, exc: BaseException) -> GridmgrError:
    _discard(dest)
    return (staging.output_failure(exc, dest)
            or ProjectError(f"无法写入 {dest}：{exc}；没有留下不完整的文件，项目未改变"))


def backup(src: str | Path, dest: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the project at ``src`` to ``dest`` (one self-contained file, no ``-wal``)."""
    src, dest = Path(src), Path(dest)
    _check_dest(dest, overwrite)
    inspect(src)
    part = _part(dest)
    db = connect(src, readonly=True)
    try:
        _discard(dest)
        out = sqlite3.connect(part)
        try:
            db.conn.backup(out, pages=4096)
            out.execute("PRAGMA journal_mode = DELETE")
            out.commit()
        finally:
            out.close()
    except sqlite3.OperationalError as exc:
        _discard(dest)
        if is_busy(exc):
            raise busy_error(src, "备份") from exc
        raise _write_failed(dest, exc) from exc
    except OSError as exc:
        raise _write_failed(dest, exc) from exc
    finally:
        db.conn.close()
    problem = integrity_problem(part)
    if problem is not None:
        _discard(dest)
        raise ProjectError(f"备份 {dest} 未通过完整性检查：{problem}；未保留")
    try:
        os.replace(part, dest)
    except OSError as exc:
        raise _write_failed(dest, exc) from exc
    return dest


def salvage(src: str | Path, dest: str | Path, *, overwrite: bool = False) -> dict[str, Any]:
    """Copy every row still readable from a damaged project at ``src`` into a new file
    ``dest``; returns per table the rows copied and whether some could not be read."""
    src, dest = Path(src), Path(dest)
    _check_dest(dest, overwrite)
    part = _part(dest)
    _discard(dest)
    uri = f"{src.resolve().as_uri()}?mode=ro"
    try:
        old = sqlite3.connect(uri, uri=True)
        head = old.execute("PRAGMA application_id").fetchone()[0], \
            old.execute("PRAGMA user_version").fetchone()[0]
        objects = old.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql "
                              "IS NOT NULL ORDER BY type = 'table' DESC, rowid").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{src} 的结构已无法读取（{exc}），无法抢救；请用备份") from exc
    tables: dict[str, dict[str, Any]] = {}
    try:
        new = connect_plain(part)
    except sqlite3.DatabaseError as exc:
        old.close()
        raise _write_failed(dest, exc) from exc
    try:
        new.execute(f"PRAGMA application_id = {int(head[0])}")
        new.execute(f"PRAGMA user_version = {int(head[1])}")
        for kind, name, _tbl, sql in objects:
            if kind == "table" and not name.startswith("sqlite_") and not _shadow(name):
                new.execute(sql)
        for kind, name, _tbl, _sql in objects:
            if kind != "table" or name.startswith(("sqlite_", "rtree_")):
                continue
            tables[name] = _copy_rows(old, new, name)
        for kind, name, _tbl, sql in objects:
            if kind in ("index", "trigger"):
                try:
                    new.execute(sql)
                except sqlite3.DatabaseError:  # a unique index the salvaged rows break
                    tables.setdefault("_skipped", {"objects": []})["objects"].append(name)
        for kind, name, _tbl, _sql in objects:  # R-trees rebuilt from the salvaged geometry
            if kind == "table" and name.startswith("rtree_") and name.endswith("_geom") \
                    and "USING rtree" in (_sql or ""):
                base = name.removeprefix("rtree_").removesuffix("_geom")
                new.execute(f'DELETE FROM "{name}"')
                new.execute(f'INSERT INTO "{name}" SELECT fid, ST_MinX(geom), ST_MaxX(geom), '
                            f'ST_MinY(geom), ST_MaxY(geom) FROM "{base}" WHERE geom IS NOT '
                            "NULL AND NOT ST_IsEmpty(geom)")
        new.commit()
    except OSError as exc:
        raise _write_failed(dest, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise _write_failed(dest, exc) from exc
    finally:
        new.close()
        old.close()
    os.replace(part, dest)
    return tables


def _shadow(name: str) -> bool:
    """An R-tree's own tables, made by its CREATE VIRTUAL TABLE."""
    return name.startswith("rtree_") and name.endswith(("_node", "_parent", "_rowid"))


def connect_plain(path: Path) -> sqlite3.Connection:
    """A connection that creates ``path`` (salvage writes a new file), with the R-tree
    triggers' functions registered."""
    from .connection import _register_functions

    conn = sqlite3.connect(path)
    _register_functions(conn)
    return conn


def _copy_rows(old: sqlite3.Connection, new: sqlite3.Connection, table: str
               ) -> dict[str, Any]:
    """All rows if the table reads whole; else row by row as far as each can be read."""
    q = f'"{table}"'
    try:
        rows = old.execute(f"SELECT * FROM {q}").fetchall()
        lost = False
    except sqlite3.DatabaseError:
        rows, lost = [], True
        try:
            ids = [r[0] for r in old.execute(f"SELECT rowid FROM {q}")]
        except sqlite3.DatabaseError:
            ids = []
        for rid in ids:
            try:
                rows.append(old.execute(f"SELECT * FROM {q} WHERE rowid = ?", [rid]).fetchone())
            except sqlite3.DatabaseError:
                continue
    if rows:
        marks = ",".join("?" * len(rows[0]))
        new.executemany(f"INSERT OR IGNORE INTO {q} VALUES ({marks})", rows)
    return {"rows": len(rows), "incomplete": lost}
