"""The demo project: Chancheng district (禅城区, Foshan) built from the files in ``gridmgr/data/demo``.

Built the way an officer would build it — init, import district, streets and communities,
generate unit cells, import the enterprise register (GCJ-02 coordinates, as copied from Amap)
and the staff list, assign responsibility — so the demo exercises the real code paths.  It is built beside the target
and moved into place at the end, so an interrupted build leaves no half project behind.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .cases.importer import import_cases
from .cases.lifecycle import apply_steps_file
from .errors import InputFileError
from .findings import Report
from .grid.generate import generate_grid
from .grid.importer import import_grid
from .progress import Progress, Task
from .project import init_project, open_project
from .registers.enterprises import import_enterprises
from .registers.officers import import_officers
from .registers.responsibility import assign_from_file


def data_dir() -> Path:
    """The demo inputs, shipped as package data (``gridmgr/data/demo``) so that a wheel and the
    bundle build the demo too; read through importlib.resources, which gives a real folder for
    a plain install, an editable one and PyInstaller's.  ``GRIDMGR_DATA`` overrides."""
    env = os.environ.get("GRIDMGR_DATA")
    if env:
        return Path(env)
    return Path(str(files("gridmgr") / "data" / "demo"))


GRID_FROM = "2025-01-01"  # the demo grid and its first assignments start on the same day


def _clean(report: Report, path: Path) -> None:
    if report.refused:
        raise InputFileError(f"演示数据 {path.name} 有 {len(report.refused)} 行被拒收："
                             f"{report.refused[0].line()}")


def build_demo(out: Path, *, cell_size: float = 300.0, force: bool = False) -> Task[Path]:
    src = data_dir() / "chancheng"
    files = {lvl: src / f"{name}.geojson" for lvl, name in
             (("district", "district"), ("street", "streets"), ("community", "communities"))}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise InputFileError(f"演示数据缺失：{', '.join(missing)}")
    out = Path(out)
    if out.exists() and not force:
        with open_project(out, readonly=True) as store:
            if store.count_areas("cell"):
                yield Progress(1, 1, "演示项目已存在（--force 重建）")
                return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".building.gpkg")
    tmp.unlink(missing_ok=True)
    try:
        with init_project(tmp, name="禅城区", admin_code="440604") as store:
            for lvl, path in files.items():
                yield Progress(0, 1, f"导入 {path.name}")
                report = yield from import_grid(store, path, level=lvl, valid_from=GRID_FROM)
                _clean(report, path)
            yield from generate_grid(store, size=cell_size, valid_from=GRID_FROM)
            report = yield from import_enterprises(store, src / "enterprises.xlsx",
                                                   coords="gcj02")
            _clean(report, src / "enterprises.xlsx")
            report = yield from import_officers(store, src / "officers.csv")
            _clean(report, src / "officers.csv")
            yield Progress(0, 1, "分配网格责任人")
            _clean(assign_from_file(store, str(src / "assignments.csv")),
                   src / "assignments.csv")
            yield Progress(0, 1, "导入 2026 年演示案件")
            report = yield from import_cases(store, data_dir() / "cases.csv", coords="gcj02")
            _clean(report, data_dir() / "cases.csv")
            apply_steps_file(store, data_dir() / "case_steps.csv")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
