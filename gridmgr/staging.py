"""Where outputs are written before they are moved into place, and the sweep of what a killed
run left there.

Every output (a print, a field package, an exported layer) is written beside its target under a
hidden name and renamed at the end, so the target is whole or absent.  A process killed with
``kill -9`` cannot clean up after itself: the hidden names carry its pid, and the next output
into the same folder removes the ones whose process is gone.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import shutil
import sys
import tempfile
import traceback
from collections.abc import Generator
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from .errors import GridmgrError, OutputError

_STAGED = re.compile(r"^\.gridmgr-[a-z]+\.(\d+)-[^.]*$|^\..+\.(\d+)\.partial$")


def _gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def sweep(folder: Path) -> list[Path]:
    """Remove staging files and folders in ``folder`` left by processes that no longer run."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _STAGED.match(p.name)
        if m is None or not _gone(int(m.group(1) or m.group(2))):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed


def stage_dir(target: Path, kind: str) -> tempfile.TemporaryDirectory[str]:
    """A hidden temporary folder beside ``target`` (same file system: the final move is a
    rename), named so that a later sweep recognises it if this process is killed."""
    sweep(target.parent)
    return tempfile.TemporaryDirectory(prefix=f".gridmgr-{kind}.{os.getpid()}-",
                                       dir=target.parent)


def partial(target: Path) -> Path:
    """The hidden name ``target`` is written under before the rename."""
    sweep(target.parent)
    return target.with_name(f".{target.name}.{os.getpid()}.partial")


_FULL = ("disk is full", "no space left", "file too large")
_READONLY = ("read-only file system", "readonly database", "permission denied")


def output_failure(exc: BaseException, target: Path) -> OutputError | None:
    """The user's message when ``exc`` means the target's folder cannot take the output (full
    disk, read-only or forbidden folder); None for anything else (a bug stays a bug)."""
    if isinstance(exc, GridmgrError):
        return None
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or any(t in text for t in _FULL):
        why = "磁盘空间不足"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM) or any(t in text for t in _READONLY):
        why = "文件夹只读或没有写入权限"
    elif not os.access(target.parent, os.W_OK):  # libraries word it their own way
        why = "文件夹只读或没有写入权限"
    elif _free(target.parent) < 1 << 20:
        why = "磁盘空间不足"
    else:
        return None
    return OutputError(f"无法写入 {target}：{why}。没有留下不完整的文件，项目未改变；"
                       "请换一个文件夹或腾出空间后再试")


def _free(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 1 << 40


def discard(*paths: Path) -> None:
    """Remove staged files after a failure, never raising (a read-only folder has none)."""
    for p in paths:
        with suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)


T = TypeVar("T")


def guard(task: Generator[Any, None, T], target: Path) -> Generator[Any, None, T]:
    """Run a writing task so that a full disk or a read-only folder ends it with the user's
    message (:func:`output_failure`) instead of an internal error."""
    try:
        return (yield from task)
    except Exception as exc:
        failure = output_failure(exc, target)
        if failure is None:
            raise
        _release(exc)
        raise failure from None


def _release(exc: BaseException) -> None:
    """Free what the failed writer still holds (a half-written zip whose ``__del__`` would
    print a traceback at exit) now, quietly: the user has the one-line message instead."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _u: None
    try:
        seen: set[int] = set()
        todo: list[BaseException | None] = [exc]
        while todo:  # the failure and every exception raised while handling it
            e = todo.pop()
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            traceback.clear_frames(e.__traceback__)
            e.__traceback__ = None
            todo += [e.__context__, e.__cause__]
        gc.collect()
    finally:
        sys.unraisablehook = hook
