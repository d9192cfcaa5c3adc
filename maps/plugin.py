"""What the core may ask of maps/: reached through the ``gridmgr.renderers`` entry point.

The core (``gridmgr``) cannot import maps/ (see the import-linter contracts in setup.cfg);
:func:`gridmgr.renderers.renderer` loads this module by its entry point instead.  Each function
here takes plain paths and options, makes sure a QGuiApplication exists (offscreen is fine) and
returns what it wrote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from gridmgr.outputs.sheets import PrintJob
    from gridmgr.progress import Task


def offline_map(path: str, layers: dict, *, title: str) -> str:
    """A one-file offline Leaflet map (field packages): see :mod:`maps.offline_map`."""
    from .offline_map import write_offline_map

    return str(write_offline_map(path, layers, title=title))


def print_map(job: "PrintJob", out: "Path", *, paper: str = "A3", landscape: bool = False,
              dpi: int = 200) -> "Task[dict[str, Any]]":
    """The printed responsibility map of ``job`` (gathered by gridmgr.outputs.sheets) as a task:
    yields progress per page, writes ``out`` (.pdf or .png), returns a summary."""
    from .print_layout import print_job

    return print_job(job, out, paper=paper, landscape=landscape, dpi=dpi)


def rectification_notice(path: str, data: dict[str, Any]) -> str:
    """The 整改通知书 PDF for a case (data from gridmgr.cases.notices.issue_notice): see maps.notice."""
    from .notice import write_notice

    return str(write_notice(path, data))


def print_table(out: str, *, title: str, tables: dict, subtitle: str | None = None) -> str:
    """Titled tables as a PDF (a field package's task list): see :mod:`maps.task_list_pdf`."""
    from .task_list_pdf import print_table as write

    return write(out, title=title, tables=tables, subtitle=subtitle)


def fonts() -> dict[str, str]:
    """The Chinese fonts printing and the window use here (``gridmgr info --fonts``)."""
    import os

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from .fonts import BUNDLED, BUNDLED_FAMILY, cjk_families

    _app = QGuiApplication.instance() or QGuiApplication([])  # Qt's font list needs one
    sans, serif = cjk_families()
    return {"sans": sans, "serif": serif,
            "source": "bundled" if sans == BUNDLED_FAMILY else "system",
            "bundled_file": str(BUNDLED)}
