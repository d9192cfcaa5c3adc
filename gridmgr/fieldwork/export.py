"""Offline field packages: what an officer takes out for their cells (export).

A package is a folder (or the same folder zipped) holding ``manifest.json`` (package and project
uuid, scope, file list with sha256), ``data.gpkg`` (cells, enterprises, open cases and empty
``inspections``/``case_progress`` layers with value lists — for QField/QGIS), ``tasks.xlsx``,
``map.kml``, ``waypoints.gpx``, ``map.html`` (an offline Leaflet map), ``fieldpack.qgs`` (the
QField/QGIS project: styles, forms, relations, map themes; :mod:`.qfield`) and, when the
printing renderer offers them, ``tasks.pdf`` and ``atlas.pdf``.  Photos taken in the field come
back in ``DCIM/``.

The project remembers every package (``fieldpacks``) with a snapshot of what it sent: per record
uuid a hash of the fields the field may change.  When the package comes back
(:mod:`gridmgr.fieldwork.importer`), a record whose desk version no longer matches the snapshot was
changed at the desk; if the field changed it too, that is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import staging
from ..errors import UsageError
from ..progress import Progress, Task
from ..registers.enterprises import overdue
from ..registers.responsibility import effective
from ..storage import Store, now_iso, today
from ..text import iso_date
from . import cases as fieldpack_cases
from . import files as fieldpack_files
from . import qfield
from .day import Day, read_day
from .files import ENTERPRISE_EDITABLE
from .scope import Scope, resolve_scope

FORMAT = "gridmgr-fieldpack/1"
DATA = "data.gpkg"
MANIFEST = "manifest.json"
# fieldpack_records.table_name of the package's own record: the sha256 of the manifest.json
# written (an edited manifest is refused) and the scope's cells (rows outside are refused)
PACKAGE_RECORD = "package"
# the field app writes into these (QGIS may save the project); every other file must come back
# intact
EDITABLE_FILES = {DATA, qfield.PROJECT_FILE}
# what an inspection result may be (the value list QField shows)
RESULTS = ("合格", "发现问题", "已整改", "未遇（未开门）", "停产或关闭")
# what a field officer records on a case; the desk does the rest of the workflow
PROGRESS_ACTIONS = ("处置", "反馈", "回退")
DUE_HORIZON_DAYS = 7  # "due for inspection": overdue, or due within a week of the package date


# --------------------------------------------------------------------------- versions

def _round(v: float, geographic: bool) -> float:
    return round(float(v), 7 if geographic else 3)


def enterprise_version(rec: dict[str, Any], geom: Any, geographic: bool) -> dict[str, Any]:
    """The fields of an enterprise the field may change, as compared at import."""
    ver: dict[str, Any] = {k: (rec.get(k) or None) for k in ENTERPRISE_EDITABLE}
    if geom is None or geom.is_empty:
        ver["x"] = ver["y"] = None
    else:
        ver["x"], ver["y"] = _round(geom.x, geographic), _round(geom.y, geographic)
    return ver


def version_hash(version: dict[str, Any]) -> str:
    text = json.dumps(version, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- export

def _next_due(last: str | None, days: Any) -> str | None:
    if days is None or pd.isna(days):
        return None
    if not last:
        return None
    return (date.fromisoformat(last) + timedelta(days=int(days))).isoformat()


def package_frames(store: Store, scope: Scope, eff: pd.DataFrame, day: Day | None = None
                   ) -> dict[str, gpd.GeoDataFrame]:
    """The layers of the package in the project CRS: cells (with who answers for them),
    enterprises (with next due date and whether due) and open cases.  ``eff``: the scope's
    rows of the effective responsibility; ``day``: the day's frames when read already."""
    cells = (day.areas["cell"] if day is not None
             else store.areas("cell", system="urban", as_of=scope.as_of))
    cells = cells[cells["code"].isin(scope.cells)]
    cols = ["community_name", "street_name", "primary_name", "primary_mobile",
            "supervisor_name", "supervisor_mobile", "collectors", "team_text"]
    cells = cells[["uuid", "code", "name", "geometry"]].copy()
    codes = list(cells["code"])
    for c in cols:
        info = dict(zip(eff["cell_code"], eff[c]))
        cells[c] = pd.Series([info.get(code) for code in codes], index=cells.index,
                             dtype=object)
    cells = cells.sort_values("code").reset_index(drop=True)

    ents = day.enterprises if day is not None else store.enterprises()
    ents = ents[ents["cell_code"].isin(scope.cells)].copy()
    horizon = (date.fromisoformat(scope.as_of) + timedelta(days=DUE_HORIZON_DAYS)).isoformat()
    ents["next_due"] = [_next_due(d, f) for d, f in
                        zip(ents["last_inspection"], ents["frequency_days"])]
    ents["overdue"] = [bool(overdue(d, None if pd.isna(f) else int(f), scope.as_of))
                       for d, f in zip(ents["last_inspection"], ents["frequency_days"])]
    # no next date (a blank or unknown 检查频次: pandas holds it as NaN) is never due by date
    ents["due"] = [bool(o) or (isinstance(n, str) and n <= horizon)
                   for o, n in zip(ents["overdue"], ents["next_due"])]
    names = dict(zip(eff["cell_code"], eff["cell_name"]))
    ents["cell_name"] = pd.Series([names.get(c) for c in ents["cell_code"]], index=ents.index,
                                  dtype=object)
    ents = ents[["uuid", "name", "credit_code", "industry", "supervision_class", "rating",
                 "inspection_frequency", "contact", "phone", "address", "last_inspection",
                 "next_due", "overdue", "due", "cell_code", "cell_name", "geometry"]]
    ents = ents.sort_values(["cell_code", "name"]).reset_index(drop=True)
    cases = fieldpack_cases.open_cases(store, scope.cells,
                                       None if day is None else day.open_cases)
    return {"cells": cells, "enterprises": ents, "cases": cases}


def _write_package(store: Store, scope: Scope, frames: dict[str, gpd.GeoDataFrame],
                   eff: pd.DataFrame, folder: Path, manifest: dict[str, Any], day: Day
                   ) -> Task[list[str]]:
    """Write every file of the package into ``folder``; returns what could not be made.
    ``eff``: the scope's rows of ``day.eff``, the whole grid's effective responsibility."""
    left_out: list[str] = []
    steps = 7
    yield Progress(1, steps, "写入 data.gpkg")
    categories = day.categories
    fieldpack_files.write_gpkg(folder / DATA, frames, store.crs, manifest,
                               results=RESULTS, actions=PROGRESS_ACTIONS, categories=categories)
    _write_qgis(store, scope, frames, folder, manifest, categories)
    yield Progress(2, steps, "写入任务清单 tasks.xlsx")
    wgs = {k: v.to_crs("EPSG:4326") for k, v in frames.items()}
    fieldpack_files.write_tasks_xlsx(folder / "tasks.xlsx", scope, wgs, eff)
    yield Progress(3, steps, "写入 map.kml、waypoints.gpx")
    fieldpack_files.write_kml(folder / "map.kml", scope, wgs)
    fieldpack_files.write_gpx(folder / "waypoints.gpx", scope, wgs)
    yield Progress(4, steps, "写入离线地图 map.html")
    plugin = day.plugin
    layers = fieldpack_files.map_layers(wgs)
    if plugin is not None and hasattr(plugin, "offline_map"):
        plugin.offline_map(folder / "map.html", layers, title=f"外业包 {scope.label}")
    else:
        left_out.append("map.html（绘图模块未安装）")
    yield Progress(5, steps, "打印任务清单 PDF")
    if not fieldpack_files.print_tasks_pdf(plugin, folder, scope, wgs, eff):
        left_out.append("tasks.pdf（打印模块尚未提供表格打印）")
    yield Progress(5, steps, "打印图册 atlas.pdf")
    atlas = fieldpack_files.print_atlas(plugin, store, folder, scope, day.eff,
                                        areas=day.areas, enterprises=day.enterprises)
    if atlas is not False:
        atlas = yield from atlas
    if not atlas:
        left_out.append("atlas.pdf（打印模块不可用）")
    return left_out


def _write_qgis(store: Store, scope: Scope, frames: dict[str, gpd.GeoDataFrame], folder: Path,
                manifest: dict[str, Any], categories: list[tuple[str, str]]) -> None:
    """The package's layer styles (in data.gpkg) and its QField/QGIS project."""
    from ..outputs.qgis_styles import style_rows
    from ..storage.package_gpkg import write_layer_styles

    columns = {k: [c for c in v.columns if c != v.geometry.name] for k, v in frames.items()}
    kw = {"results": RESULTS, "actions": PROGRESS_ACTIONS, "categories": categories}
    plain = qfield.package_styles(columns, relations=False, **kw)
    write_layer_styles(folder / DATA, style_rows(list(plain.values())))
    cells = frames["cells"]
    bounds = cells.total_bounds if len(cells) else frames["enterprises"].total_bounds
    if len(cells) == 0 and len(frames["enterprises"]) == 0:
        bounds = store.areas("district", system="urban").total_bounds
    qfield.write_project(folder / qfield.PROJECT_FILE,
                         qfield.package_styles(columns, relations=True, **kw), crs=store.crs,
                         bounds=list(bounds), title=f"外业包 {scope.label}",
                         staff_no=scope.staff_no, package_uuid=manifest["package_uuid"])


def export_fieldpack(store: Store, *, out: str | Path, officer: str | None = None,
                     area: str | None = None, as_of: str | None = None,
                     eff: pd.DataFrame | None = None, day: Day | None = None
                     ) -> Task[dict[str, Any]]:
    """Write a field package for an officer's cells (or an area's) to a folder or a .zip, and
    remember what it sent.  Returns the manifest plus ``out`` and ``left_out``.  ``eff``: see
    :func:`resolve_scope`; ``day``: the day's frames (:func:`.day.read_day` for ``as_of``)
    when many packages are made in a row.  A full disk or read-only folder is an
    ``OutputError``."""
    return (yield from staging.guard(_export_fieldpack(store, out=Path(out), officer=officer,
                                                       area=area, as_of=as_of, eff=eff,
                                                       day=day),
                                     Path(out)))


def _export_fieldpack(store: Store, *, out: Path, officer: str | None, area: str | None,
                      as_of: str | None, eff: pd.DataFrame | None, day: Day | None
                      ) -> Task[dict[str, Any]]:
    as_zip = out.suffix.lower() == ".zip"
    if not out.parent.exists():
        raise UsageError(f"目录不存在：{out.parent}")
    if out.exists() and (as_zip or not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} 已存在且不是空目录，不会覆盖；请换一个位置")
    yield Progress(0, 7, "确定范围")
    when = iso_date(as_of) if as_of else today()
    if day is None:  # once: the scope, the files and the atlas all read it
        if eff is None:
            eff = effective(store, as_of=when, system="urban")
        day = read_day(store, when, eff)
    elif day.as_of != when:
        raise ValueError(f"the day's frames are of {day.as_of}, not {when}")
    scope, eff = resolve_scope(store, officer=officer, area=area, as_of=when, eff=day.eff)
    frames = package_frames(store, scope, eff, day)
    package_uuid = str(uuid.uuid4())
    manifest: dict[str, Any] = {
        "format": FORMAT, "package_uuid": package_uuid, "project_uuid": store.project_uuid(),
        "project_name": store.meta().get("name"), "created_at": now_iso(),
        "scope": {"kind": scope.kind, "value": scope.value, "staff_no": scope.staff_no,
                  "name": scope.officer_name, "label": scope.label, "as_of": scope.as_of},
        "counts": {k: int(len(v)) for k, v in frames.items()},
        "crs": store.meta()["crs"],
    }
    with staging.stage_dir(out, "fieldpack") as tmp:
        folder = Path(tmp) / "package"
        folder.mkdir()
        left_out = yield from _write_package(store, scope, frames, eff, folder, manifest, day)
        yield Progress(6, 7, "写入 manifest.json")
        manifest["files"] = [{"name": p.name, "sha256": sha256_file(p),
                              "bytes": p.stat().st_size, "editable": p.name in EDITABLE_FILES}
                             for p in sorted(folder.iterdir())]
        manifest["left_out"] = left_out
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
        records = _snapshot(store, frames)
        signed = sha256_file(folder / MANIFEST)
        records.append({"table_name": PACKAGE_RECORD, "record_uuid": package_uuid,
                        "version_hash": signed,
                        "version": {"manifest_sha256": signed, "cells": scope.cells}})
        with store.atomic():
            store.insert_fieldpack({
                "uuid": package_uuid, "project_uuid": manifest["project_uuid"],
                "scope_kind": scope.kind, "scope_value": scope.value,
                "staff_no": scope.staff_no, "as_of": scope.as_of,
                "exported_at": manifest["created_at"], "out_path": str(out.resolve()),
                "files": json.dumps([f["name"] for f in manifest["files"]]),
                "cells": len(frames["cells"]), "enterprises": len(frames["enterprises"]),
                "cases": len(frames["cases"])}, records)
            store.audit("fieldpack export", {"package": package_uuid, "scope": scope.label,
                                             "out": str(out)})
            # the files land last, still inside the transaction: a failure here rolls back
            if as_zip:
                staged = Path(tmp) / out.name
                with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as zf:
                    for p in sorted(folder.iterdir()):
                        zf.write(p, p.name)
                os.replace(staged, out)
            else:
                if out.exists():
                    out.rmdir()
                shutil.move(str(folder), str(out))
    yield Progress(7, 7, "完成")
    return {**manifest, "out": str(out), "left_out": left_out}


def _snapshot(store: Store, frames: dict[str, gpd.GeoDataFrame]) -> list[dict[str, Any]]:
    geographic = bool(store.crs.is_geographic)
    records = []
    ents = frames["enterprises"]
    for rec, geom in zip(ents.drop(columns="geometry").to_dict("records"), ents.geometry):
        ver = enterprise_version(rec, geom, geographic)
        records.append({"table_name": "enterprises", "record_uuid": rec["uuid"],
                        "version_hash": version_hash(ver), "version": ver})
    cases = frames["cases"].drop(columns="geometry").to_dict("records")
    marks = fieldpack_cases.history_marks(store, [r["uuid"] for r in cases])
    for rec in cases:
        ver = fieldpack_cases.case_version(rec)
        # the hash covers the version fields; where the history ended rides along, so that an
        # import tells the field's own mistakes from steps the desk added after export
        records.append({"table_name": "cases", "record_uuid": rec["uuid"],
                        "version_hash": version_hash(ver),
                        "version": {**ver, **marks.get(rec["uuid"], {})}})
    return records
