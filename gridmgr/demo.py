"""The demo project: Chancheng district (禅城区, Foshan) built from the files in ``data/``.

Built the way an officer would build it — init, import district, streets and communities, then
generate unit cells — so the demo exercises the real code paths.  It is built beside the target
and moved into place at the end, so an interrupted build leaves no half project behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputFileError
from .grid_generate import generate_grid
from .grid_import import import_grid
from .progress import Progress, Task
from .project import init_project, open_project


def data_dir() -> Path:
    """``data/`` of the source tree (``GRIDMGR_DATA`` overrides, for installed copies)."""
    env = os.environ.get("GRIDMGR_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "data"


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
                report = yield from import_grid(store, path, level=lvl)
                if report.refused:
                    raise InputFileError(f"演示数据 {path.name} 有 {len(report.refused)} 个要素"
                                         f"被拒收：{report.refused[0].line()}")
            yield from generate_grid(store, size=cell_size)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
