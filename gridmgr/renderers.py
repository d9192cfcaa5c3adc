"""The core's way to reach the drawing layer (maps/) without importing it.

Printed maps, rectification notices and offline HTML maps are drawn by ``maps/`` with QtGui,
which the core never imports.  ``maps`` registers a module under the ``gridmgr.renderers`` entry
point (setup.cfg); the CLI and core tasks call :func:`renderer` to get it — the same way
``gridmgr gui`` reaches ``ui/``.  What the module offers is documented in ``maps/plugin.py``.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from . import platforms
from .errors import SetupError, UsageError


def renderer() -> Any:
    """The registered renderer module (``maps.plugin`` in an installed gridmgr)."""
    found = entry_points(group="gridmgr.renderers")
    if not found:
        raise UsageError("绘图模块未安装（缺少 gridmgr.renderers 入口）；请运行 scripts/setup.sh")
    try:
        return next(iter(found)).load()
    except (ImportError, OSError) as exc:  # Qt could not load a system library (libGL …)
        problem = platforms.setup_problem(exc, "出图（Qt）")
        if problem is None:
            raise
        raise SetupError(problem) from exc
