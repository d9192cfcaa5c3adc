"""Who is writing a project: the writer record beside the file, and how long to wait for it.

SQLite's lock says only *that* another connection writes, not who.  While a write transaction
is open, gridmgr keeps ``<project>-writer`` beside the project (pid, host, command, start,
last audit id) so that a process kept waiting can name the writer, and so that an open after a
crash (the record left by a killed process) can say which action was interrupted and undone.
The record is advisory: the lock itself is SQLite's.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from ..clock import now_iso

#: How long a writer waits for another one (seconds).  Long enough for the longest write phase
#: measured (a city-sized import holds the lock for ~16 s); GRIDMGR_BUSY_TIMEOUT overrides it.
DEFAULT_BUSY_TIMEOUT = 60.0


def busy_timeout() -> float:
    """Seconds to wait for another writer (GRIDMGR_BUSY_TIMEOUT, else the default)."""
    try:
        return max(0.0, float(os.environ.get("GRIDMGR_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT)))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT


def writer_path(project: Path) -> Path:
    return project.with_name(project.name + "-writer")


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if name == "__main__.py":  # python -m gridmgr
        name = Path(sys.argv[0]).parent.name
    argv = [name, *sys.argv[1:]] if name else []
    text = " ".join(argv) or "python"
    return text if len(text) <= 200 else text[:199] + "…"


def claim(project: Path, audit_id: int) -> Path | None:
    """Write the writer record (called once the write lock is held); None if it cannot be
    written, which costs only the name in other processes' messages."""
    rec = {"pid": os.getpid(), "host": socket.gethostname(), "command": _command(),
           "since": now_iso(), "audit_id": audit_id}
    path = writer_path(project)
    tmp = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    return path


def release(path: Path | None) -> None:
    """Remove our record (only ours: a record another process wrote since stays)."""
    if path is None:
        return
    rec = read(path.with_name(path.name.removesuffix("-writer")))
    if rec is not None and rec.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def read(project: Path) -> dict[str, Any] | None:
    try:
        rec = json.loads(writer_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and isinstance(rec.get("pid"), int) else None


def alive(rec: dict[str, Any]) -> bool:
    """Whether the process named by a record still runs (on another host: assume it does)."""
    if rec.get("host") != socket.gethostname():
        return True
    try:
        os.kill(rec["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe(rec: dict[str, Any] | None) -> str:
    """``pid 1234：gridmgr grid import …，自 2025-… 起`` — or a plain phrase when unknown."""
    if rec is None:
        return "另一个进程"
    host = "" if rec.get("host") == socket.gethostname() else f"@{rec.get('host')}"
    return f"另一个进程（pid {rec['pid']}{host}：{rec.get('command', '?')}，自 {rec.get('since', '?')} 起）"
