"""Where outputs are written before they are moved into place, and the sweep of what a killed
run left there.

Every output (a print, a field package, an exported layer) is written beside its target under a
hidden name and renamed at the end, so the target is whole or absent.  A process killed with
``kill -9`` cannot clean up after itself: the hidden names carry its pid, and the next output
into the same folder removes the ones whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

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
