"""Bringing a field package back: check it, match by UUID, apply in one transaction, receipt.

What comes back in ``data.gpkg`` (edited by QField/QGIS or anything that writes GeoPackage):

* new rows in ``inspections`` (a blank ``uuid`` gets one derived from the package and the fid, so
  a re-import recognises it); a row with 立案上报 ticked opens a case (source 巡检发现);
* changed ``enterprises``: a corrected location, contact, phone or address;
* rows in ``case_progress``: 处置/反馈/回退 steps on the open cases the package carried;
* photos the rows name (``photo``: ``DCIM/….jpg`` relative to the project, as QField stores
  them) from the package's ``DCIM`` folder: an inspection's into ``inspection_photos`` (and its
  case's ``case_photos`` when it opens one), a case step's into ``case_photos``.

An enterprise is compared field by field with what the package sent (the snapshot in
``fieldpack_records``): changed in the field only → applied; changed at the desk only → left;
changed on both sides to different values → a conflict on just those fields, kept in
``field_conflicts`` with both values, listed in the report, decided later with
:func:`.conflicts.resolve_conflict`.  Case steps that the desk's changes or later steps make
inapplicable are a conflict too, and the rest of the package is applied.  A finding that cannot open its
case refuses the package (never an inspection without its case).  Nothing is overwritten
silently and nothing is lost.

Refused whole, with the project untouched: a package of another project, a damaged package (a
file missing or changed that should not be, an unreadable GeoPackage), and values edited into
invalid ones (row-level findings naming the layer and the fid) — the package's own values only,
never what the desk did since export.  Re-importing changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.errors import GEOSException
from shapely.ops import transform as transform_geom

from .. import beijing, geometry
from ..beijing import BEIJING, FUTURE_SLACK  # noqa: F401 (bench_fieldpack imports BEIJING)
from ..errors import InputFileError, UsageError
from ..findings import ERROR, WARNING, Finding, Report
from ..messages import message
from ..progress import Progress, Task
from ..registers.cell_assignment import Hierarchy
from ..storage import Store
from ..storage.package_gpkg import (
    PackageReadError,
    inspect_package,
    read_layer_rows,
    settle_wal,
)
from . import cases as fieldpack_cases
from .export import (
    DATA,
    ENTERPRISE_EDITABLE,
    FORMAT,
    MANIFEST,
    PACKAGE_RECORD,
    PROGRESS_ACTIONS,
    RESULTS,
    enterprise_version,
    sha256_file,
    version_hash,
)
from .files import INSPECTION_LAYER, META_LAYER, PROGRESS_LAYER
from .scope import resolve_scope

FIELD_ZH = {"result": "检查结果", "at": "检查时间", "action": "操作", "case_category": "案件小类",
            "findings": "发现的问题", "contact": "联系人", "phone": "联系电话", "address": "地址",
            "location": "位置", "steps": "案件进展", "status": "状态",
            "handler_staff_no": "处置人", "dispose_due_at": "处置截止"}
_UUID_NS = uuid.UUID("6f1c3c0e-5c1b-4f55-9a53-2f0d6f0c7a11")


def derived_uuid(package_uuid: str, layer: str, fid: int) -> str:
    """A stable uuid for a row the field app left without one (same package, same row)."""
    return str(uuid.uuid5(_UUID_NS, f"{package_uuid}/{layer}/{fid}"))


def parse_time(value: Any) -> str | None:
    """A field app's date/time as Beijing local ISO text (``YYYY-MM-DDTHH:MM:SS``); None when
    blank; ValueError when unreadable.  Zoned values (``…Z``, ``+08:00``) are converted."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    dt = beijing.parse_moment(text)  # 3.11: 'Z', fractions, offsets, date only, a space
    if dt.year < 2000:
        raise ValueError(text)
    return beijing.iso(dt)


# --------------------------------------------------------------------------- opening

@dataclass
class Package:
    source: Path
    folder: Path  # where the package's files are (checked against the manifest)
    manifest: dict[str, Any]
    data: Path  # the private copy of data.gpkg that is read (never the user's file)
    manifest_sha256: str = ""  # of manifest.json as it came back
    not_returned: list[str] = field(default_factory=list)  # files left with the officer
    wal: dict[str, Any] = field(default_factory=dict)  # see storage.package_gpkg.settle_wal
    photos: dict[str, Path] = field(default_factory=dict)  # "DCIM/x.jpg" → its private copy

    @property
    def uuid(self) -> str:
        return str(self.manifest.get("package_uuid"))


def _damaged(source: Path, why: str) -> InputFileError:
    return InputFileError(f"外业包 {source} 已损坏或不完整：{why}；项目未改变")


# a returned package is untrusted: these bound what opening one may cost
MAX_MANIFEST_BYTES = 4 << 20
MAX_ENTRIES = 200
DATA_GROWTH = 20  # data.gpkg may grow in the field (inspections, progress) up to 20× + 64 MiB
DATA_SLACK = 64 << 20
WAL = DATA + "-wal"  # a -shm is never taken: SQLite rebuilds it, a foreign one only misleads
# photos taken in the field: QField saves them under DCIM/ beside the project (relative paths)
PHOTO_DIR = "DCIM"
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".heic": "image/heic", ".webp": "image/webp"}
MAX_PHOTO_BYTES = 30 << 20
MAX_PHOTOS = 150


def photo_key(value: Any) -> str | None:
    """A photo field's value as the package-relative name it must be (``DCIM/….jpg``), or None
    when it points outside the package (absolute, ``..``) or is not a photo."""
    text = str(value).strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    parts = text.split("/")
    if (not text or text.startswith("/") or (len(text) > 1 and text[1] == ":") or ".." in parts
            or parts[0] != PHOTO_DIR or len(parts) < 2
            or Path(text).suffix.lower() not in PHOTO_TYPES):
        return None
    return "/".join(parts)


def _photo_member(name: str) -> str | None:
    """The package-relative name of a zip entry or file under DCIM/ (a zip of the package's
    folder has it one level down), None for anything else."""
    parts = name.replace("\\", "/").split("/")
    if PHOTO_DIR not in parts[:-1]:
        return None
    return photo_key("/".join(parts[parts.index(PHOTO_DIR):]))


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry must not be extracted: a path climbing out (``..``), an absolute path
    (``/…``, ``C:…``, ``\\…``) or a symbolic link; None when it is harmless."""
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"条目 {name!r} 是绝对路径"
    if ".." in parts:
        return f"条目 {name!r} 含有“..”，会写到包外"
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        return f"条目 {name!r} 是符号链接"
    return None


def _read_manifest(source: Path, text: bytes) -> tuple[dict[str, Any], str]:
    """The manifest and the sha256 of its bytes (the project keeps the one it wrote)."""
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _damaged(source, f"manifest.json 无法读取（{exc}）") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(source, f"manifest.json 不是 {FORMAT} 格式")
    if not isinstance(manifest.get("files") or [], list):
        raise _damaged(source, "manifest.json 的文件清单无法读取")
    return manifest, hashlib.sha256(text).hexdigest()


def _limits(manifest: dict[str, Any]) -> dict[str, int]:
    """How many bytes each file may have: what the manifest says for the files that must come
    back as they went, a bounded growth for data.gpkg (and its -wal)."""
    out: dict[str, int] = {}
    for f in manifest.get("files") or []:
        if not isinstance(f, dict):
            continue
        try:
            size = max(int(f.get("bytes") or 0), 0)
        except (TypeError, ValueError):
            size = 0
        out[str(f.get("name"))] = (size * DATA_GROWTH + DATA_SLACK if f.get("editable")
                                   else size)
    out[WAL] = out.get(DATA, DATA_SLACK)
    return out


def _extract(source: Path, zf: zipfile.ZipFile, folder: Path) -> tuple[dict[str, Any], str]:
    """Check every entry, read the manifest first, then extract only the files it names
    (flattened: a zip of the package folder works too), each bounded by its limit."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _damaged(source, f"压缩包有 {len(infos)} 个条目，外业包不会这么多")
    for info in infos:
        why = _unsafe_member(info)
        if why:
            raise _damaged(source, why + "，拒绝解压")
    files: dict[str, zipfile.ZipInfo] = {}
    photos: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename.replace("\\", "/").split("/")[-1]
        if info.is_dir() or not name:
            continue
        key = _photo_member(info.filename)
        if key is not None:
            photos[key] = info
            continue
        if name in files:
            raise _damaged(source, f"压缩包里有两个 {name}")
        files[name] = info
    if MANIFEST not in files:
        raise _damaged(source, "缺少 manifest.json")
    manifest, sha = _read_manifest(source, _read_bounded(source, zf, files[MANIFEST],
                                                         MAX_MANIFEST_BYTES))
    limits = _limits(manifest)
    for name, info in files.items():
        if name == MANIFEST or name not in limits:
            continue  # not part of the package: left in the zip
        _read_bounded(source, zf, info, limits[name], folder / name)
    if len(photos) > MAX_PHOTOS:
        raise _damaged(source, f"压缩包里有 {len(photos)} 张照片，超过外业包允许的 {MAX_PHOTOS} 张")
    for key, info in photos.items():
        dest = folder / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        _read_bounded(source, zf, info, MAX_PHOTO_BYTES, dest)
    return manifest, sha


def _read_bounded(source: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                  dest: Path | None = None) -> bytes:
    """A member's bytes (streamed to ``dest`` when given), stopped as soon as they pass
    ``limit``: the header's size can lie, what is counted is what inflates."""
    if info.file_size > limit:
        raise _damaged(source, f"{info.filename} 有 {info.file_size:,} 字节，超过外业包允许的 "
                               f"{limit:,} 字节（压缩炸弹或不是这个外业包的文件）")
    out, n = bytearray(), 0
    with zf.open(info) as fh, (open(dest, "wb") if dest else nullcontext()) as sink:
        while block := fh.read(1 << 20):
            n += len(block)
            if n > limit:
                raise _damaged(source, f"{info.filename} 解压后超过 {limit:,} 字节"
                                       "（压缩炸弹），拒绝解压")
            if sink is None:
                out += block
            else:
                sink.write(block)
    return bytes(out)


def _copy_folder(source: Path, folder: Path, tmp: Path) -> tuple[dict[str, Any], str]:
    """A folder package: the manifest read first, then data.gpkg (and a -wal beside it)
    copied to ``tmp`` so that reading never touches — nor is fooled by — the user's files."""
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise _damaged(source, "缺少 manifest.json")
    if mpath.is_symlink() or mpath.stat().st_size > MAX_MANIFEST_BYTES:
        raise _damaged(source, "manifest.json 不是外业包的清单（符号链接或过大）")
    manifest, sha = _read_manifest(source, mpath.read_bytes())
    limits = _limits(manifest)
    for name in (DATA, WAL):
        p = folder / name
        if not p.exists():
            continue
        if p.is_symlink() or not p.is_file():
            raise _damaged(source, f"{name} 是符号链接或不是普通文件")
        if p.stat().st_size > limits[name]:
            raise _damaged(source, f"{name} 有 {p.stat().st_size:,} 字节，超过外业包允许的 "
                                   f"{limits[name]:,} 字节")
        shutil.copy2(p, tmp / name)
    _copy_photos(source, folder / PHOTO_DIR, tmp)
    return manifest, sha


def _copy_photos(source: Path, photo_dir: Path, tmp: Path) -> None:
    """The photos under DCIM/ (regular files, bounded in number and size) copied to ``tmp``."""
    if not photo_dir.is_dir() or photo_dir.is_symlink():
        return
    inside = photo_dir.resolve()
    found = [p for p in sorted(photo_dir.rglob("*"))
             if p.is_file() and not p.is_symlink() and p.suffix.lower() in PHOTO_TYPES
             and p.resolve().is_relative_to(inside)]  # no symlinked folder leading out
    if len(found) > MAX_PHOTOS:
        raise _damaged(source, f"DCIM 中有 {len(found)} 张照片，超过外业包允许的 {MAX_PHOTOS} 张")
    for p in found:
        key = photo_key(p.relative_to(photo_dir.parent).as_posix())
        if key is None or p.stat().st_size > MAX_PHOTO_BYTES:
            continue
        dest = tmp / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)


@contextmanager
def open_package(path: str | Path) -> Iterator[Package]:
    """The package at ``path`` (a folder, a .zip, or the manifest/data file inside a folder).

    Untrusted input: zip entries that climb out, absolute paths and symlinks are refused
    before anything is extracted, the manifest is read (and bounded) before the rest, each file
    is bounded by what the manifest says, and ``data.gpkg`` is read from a private copy."""
    source = Path(path)
    if not source.exists():
        raise InputFileError(f"找不到外业包：{source}")
    if source.is_file() and source.name in (MANIFEST, DATA):
        source = source.parent
    with tempfile.TemporaryDirectory(prefix="gridmgr-fieldpack-in-") as tmp:
        work = Path(tmp)
        if source.is_dir():
            manifest, sha = _copy_folder(source, source, work)
            folder = source
            wal_newer = ((source / WAL).exists() and (source / DATA).exists() and
                         (source / WAL).stat().st_mtime > (source / DATA).stat().st_mtime + 1)
        else:
            if not zipfile.is_zipfile(source):
                raise InputFileError(f"{source} 不是外业包（应为文件夹或 .zip）")
            try:
                with zipfile.ZipFile(source) as zf:
                    manifest, sha = _extract(source, zf, work)
                    stamps = {Path(i.filename).name: i.date_time for i in zf.infolist()}
                wal_newer = WAL in stamps and stamps[WAL] > stamps.get(DATA, stamps[WAL])
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                    NotImplementedError, RuntimeError) as exc:
                raise _damaged(source, f"压缩包无法读取（{exc}）") from exc
            folder = work
        pkg = Package(source, folder, manifest, work / DATA, sha)
        pkg.photos = {p.relative_to(work).as_posix(): p for p in (work / PHOTO_DIR).rglob("*")
                      if p.is_file()} if (work / PHOTO_DIR).is_dir() else {}
        if pkg.data.exists():
            try:
                pkg.wal = {**settle_wal(pkg.data), "wal_newer": wal_newer}
            except PackageReadError as exc:
                raise _damaged(source, f"data.gpkg 无法读取（{exc}）") from exc
        yield pkg


def check_package(store: Store, pkg: Package) -> dict[str, Any]:
    """Refuse a package of another project, an edited manifest or a damaged package; returns
    the project's record of it, with ``scope`` as the project (not the manifest) knows it.

    Files other than data.gpkg need not come back (the PDFs stay with the officer), but one
    that does come back must be as it went."""
    m = pkg.manifest
    if m.get("project_uuid") != store.project_uuid():
        raise InputFileError(
            f"外业包 {pkg.source} 来自另一个项目（{m.get('project_name') or '未知'}，项目标识 "
            f"{m.get('project_uuid')}），不是本项目（{store.meta().get('name')}）导出的；"
            "项目未改变")
    known = store.fieldpack(pkg.uuid)
    if known is None:
        raise InputFileError(f"本项目没有导出过外业包 {pkg.uuid}（可能是从项目的旧副本导出的）；"
                             "项目未改变")
    signed = store.fieldpack_snapshot(pkg.uuid, PACKAGE_RECORD).get(pkg.uuid)
    if signed is not None and signed[0] != pkg.manifest_sha256:
        raise _damaged(pkg.source, "manifest.json 与导出时不同（本项目记下的校验值不符）："
                                   "清单被改过，不能据此导入")
    problems, not_back = [], []
    for f in m.get("files") or []:
        name = str(f.get("name"))
        if name == DATA:
            continue
        p = pkg.folder / name
        if not p.exists():
            not_back.append(name)
        elif p.is_symlink() or not p.is_file():
            problems.append(f"{name} 是符号链接或不是普通文件")
        elif not f.get("editable") and sha256_file(p) != f.get("sha256"):
            problems.append(f"{name} 与导出时不同（校验值不符）")
    if not any(f.get("name") == DATA for f in m.get("files") or []):
        problems.append("清单中没有 data.gpkg")
    elif not pkg.data.exists():
        problems.append("缺少 data.gpkg")
    if problems:
        raise _damaged(pkg.source, "；".join(problems))
    pkg.not_returned = not_back
    _check_data(pkg)
    cells = signed[1].get("cells") if signed is not None else None
    if cells is None:  # a package exported before the project kept its cells
        try:
            sc, _ = resolve_scope(store, officer=known["staff_no"] if known["scope_kind"] ==
                                  "officer" else None, area=known["scope_value"] if
                                  known["scope_kind"] == "area" else None,
                                  as_of=known["as_of"])
            cells = sc.cells
        except UsageError:
            cells = []
    return {**known, "scope": {"kind": known["scope_kind"], "value": known["scope_value"],
                               "staff_no": known["staff_no"], "cells": list(cells)}}


def _check_data(pkg: Package) -> None:
    try:
        ok, tables, meta = inspect_package(pkg.data, META_LAYER)
    except PackageReadError as exc:
        raise _damaged(pkg.source, f"data.gpkg 无法读取（{exc}）") from exc
    if ok != "ok":
        raise _damaged(pkg.source, f"data.gpkg 已损坏（{ok}）")
    missing = {"enterprises", INSPECTION_LAYER, PROGRESS_LAYER, META_LAYER} - tables
    if missing:
        raise _damaged(pkg.source, f"data.gpkg 缺少图层 {'、'.join(sorted(missing))}")
    if meta.get("package_uuid") != pkg.uuid:
        raise _damaged(pkg.source, "data.gpkg 与 manifest.json 不属于同一个外业包")


def _read_layer(pkg: Package, layer: str, columns: tuple[str, ...], target: CRS
                ) -> list[dict[str, Any]]:
    """Rows of a returned layer as stored (raw text, so a garbled date is seen as such), with
    ``fid`` and, for a feature layer, ``geom`` in the project CRS (None when missing)."""
    try:
        cols, rows, srs_row = read_layer_rows(pkg.data, layer, columns)
    except PackageReadError as exc:
        raise _damaged(pkg.source, f"data.gpkg 的图层 {layer} 无法读取（{exc}）") from exc
    srs = None
    if srs_row is not None:
        if str(srs_row["organization"]).upper() == "EPSG":
            srs = CRS.from_epsg(int(srs_row["code"]))
        else:
            srs = CRS.from_user_input(srs_row["definition"])
    out = []
    n = 1 + len(cols)
    geoms = None
    if srs_row is not None:
        try:
            geoms = list(geometry.decode([r[n] for r in rows])) if rows else []
        except (ValueError, GEOSException) as exc:
            raise _damaged(pkg.source, f"图层 {layer} 的几何无法读取（{exc}）") from exc
        if srs is not None and geoms and not srs.equals(target):
            tr = Transformer.from_crs(srs, target, always_xy=True)
            geoms = [None if g is None else transform_geom(tr.transform, g) for g in geoms]
    for i, r in enumerate(rows):
        rec = {"fid": int(r[0]), **{c: (None if v is None or (isinstance(v, str)
                                                           and not v.strip()) else v)
                                    for c, v in zip(cols, r[1:n])}}
        if geoms is not None:
            g = geoms[i]
            rec["geom"] = None if g is None or g.is_empty else g
        out.append(rec)
    return out


# --------------------------------------------------------------------------- the plan

@dataclass
class Plan:
    inspections: list[dict[str, Any]] = field(default_factory=list)
    inspections_known: int = 0
    enterprise_updates: list[dict[str, Any]] = field(default_factory=list)
    enterprises_unchanged: int = 0
    enterprises_already: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    conflicts_known: int = 0
    progress: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    case_nos: dict[str, str] = field(default_factory=dict)
    progress_known: int = 0

    @property
    def empty(self) -> bool:
        return not (self.inspections or self.enterprise_updates or self.conflicts
                    or self.progress)


class _Checker:
    """Collects row-level findings for one returned layer."""

    def __init__(self, report: Report, layer: str) -> None:
        self.report, self.layer = report, layer

    def refuse(self, fid: int, reason: str, **kw: Any) -> None:
        self.report.add(Finding.make(reason, file=self.layer, row=fid, layer=self.layer, **kw))

    def warn(self, fid: int, reason: str, **kw: Any) -> None:
        self.report.add(Finding.make(reason, severity=WARNING, file=self.layer, row=fid,
                                     layer=self.layer, **kw))

    def time(self, rec: dict[str, Any], col: str, now: datetime) -> str | None:
        try:
            at = parse_time(rec.get(col))
        except ValueError:
            self.refuse(rec["fid"], "field_bad_time", field=FIELD_ZH.get(col, col),
                        value=rec.get(col))
            return None
        if at is None:
            self.refuse(rec["fid"], "field_missing_value", field=FIELD_ZH.get(col, col))
            return None
        if datetime.fromisoformat(at) > now + FUTURE_SLACK:
            self.refuse(rec["fid"], "field_future_time", field=FIELD_ZH.get(col, col),
                        value=at.replace("T", " "), now=now.isoformat(" ", "minutes"))
            return None
        return at


def _district(store: Store) -> Any:
    """The district's outline, a hair wider (a point on the border is inside), prepared for
    many point tests; None when the project has no district or street boundary."""
    for level in ("district", "street"):
        areas = store.areas(level, system="urban")
        if len(areas):
            shape = shapely.union_all(areas.geometry.to_numpy())
            shape = shape.buffer(1e-9 if store.crs.is_geographic else 0.01)
            shapely.prepare(shape)
            return shape
    return None


def _outside(district: Any, g: Any) -> bool:
    return district is not None and not district.covers(g)


def _where(g: Any) -> dict[str, float]:
    return {"x0": round(g.x, 6), "y0": round(g.y, 6)}


def plan_import(store: Store, pkg: Package, known: dict[str, Any]) -> tuple[Report, Plan]:
    """Check every returned row and decide what would happen; writes nothing."""
    report = Report(info={"package": pkg.uuid, "file": str(pkg.source)})
    plan = Plan()
    now = beijing.now()
    district = _district(store)
    geographic = bool(store.crs.is_geographic)
    scope = known["scope"]  # the project's record, not what the manifest claims
    staff = set(store.officers()["staff_no"])
    _plan_enterprises(store, pkg, report, plan, district, geographic)
    _plan_inspections(store, pkg, report, plan, now, district, scope, staff)
    _plan_progress(store, pkg, report, plan, now, staff, scope)
    _wal_findings(pkg, report, plan)
    return report, plan


def _wal_findings(pkg: Package, report: Report, plan: Plan) -> None:
    """A data.gpkg left in WAL mode (QGIS/QField edit that way): what its -wal added was read;
    without one, or with one newer than the file, say which edits may be missing."""
    wal = pkg.wal
    if not wal.get("wal_mode") and not wal.get("wal_bytes"):
        return
    times = [r["at"] for r in plan.inspections if r.get("at")]
    times += [s["at"] for steps in plan.progress.values() for s in steps if s.get("at")]
    last = max(times).replace("T", " ") if times else "（无）"
    if wal.get("wal_bytes") is None:
        report.add(Finding.make("field_wal_missing", severity=WARNING, file=DATA, last=last))
    else:
        report.add(Finding.make("field_wal_read", severity=WARNING, file=DATA,
                                pages=wal.get("wal_pages", 0), last=last,
                                newer="；data.gpkg-wal 比 data.gpkg 新，外业软件拷贝时可能还开着"
                                      "这个文件" if wal.get("wal_newer") else ""))


def _plan_enterprises(store: Store, pkg: Package, report: Report, plan: Plan, district: Any,
                      geographic: bool) -> None:
    chk = _Checker(report, "enterprises")
    rows = _read_layer(pkg, "enterprises", ("uuid", "name", *ENTERPRISE_EDITABLE), store.crs)
    sent = store.fieldpack_snapshot(pkg.uuid, "enterprises")
    desk = store.enterprises_by_uuid(list(sent))
    recorded = store.conflict_keys(pkg.uuid)
    seen = set()
    for rec in rows:
        u = rec.get("uuid")
        if u is None:
            chk.warn(rec["fid"], "field_new_enterprise", name=rec.get("name") or "")
            continue
        if u not in sent:
            chk.refuse(rec["fid"], "field_unknown_record", value=u)
            continue
        seen.add(u)
        g = rec.get("geom")
        field_ver = enterprise_version(rec, g, geographic)
        sent_hash, sent_ver = sent[u]
        if version_hash(field_ver) == sent_hash:
            plan.enterprises_unchanged += 1
            continue
        moved = (field_ver["x"], field_ver["y"]) != (sent_ver["x"], sent_ver["y"])
        if moved and g is None:
            moved = False
            field_ver["x"], field_ver["y"] = sent_ver["x"], sent_ver["y"]
        if moved and _outside(district, g):
            chk.refuse(rec["fid"], "field_outside_district", **_where(g))
            continue
        if u not in desk:
            chk.warn(rec["fid"], "field_enterprise_gone", value=rec.get("name") or u)
            continue
        d = desk[u]
        desk_ver = enterprise_version(d, d["geometry"], geographic)
        name = d.get("name") or u
        # field by field: the field's value where the field changed it and the desk did not;
        # the desk's where only the desk changed it; a conflict only where both changed it to
        # different values
        apply_keys, clash = [], []
        for key in (*ENTERPRISE_EDITABLE, "location"):
            parts = ("x", "y") if key == "location" else (key,)
            f_v, s_v, d_v = ([v[k] for k in parts] for v in (field_ver, sent_ver, desk_ver))
            if key == "location" and not moved:
                continue
            if f_v == s_v or f_v == d_v:
                continue
            (apply_keys if d_v == s_v else clash).append(key)
        if not apply_keys and not clash:
            plan.enterprises_already += 1
            continue
        if apply_keys:
            plan.enterprise_updates.append({
                "uuid": u, "name": name, "fid": rec["fid"],
                "fields": {k: field_ver[k] for k in apply_keys if k != "location"},
                "geom": g if "location" in apply_keys else None, "changed": apply_keys,
                "before": {k: desk_ver[k] for k in (*ENTERPRISE_EDITABLE, "x", "y")}})
        if not clash:
            continue
        if ("enterprises", u) in recorded:
            plan.conflicts_known += 1
            continue
        keys = [k for c in clash for k in (("x", "y") if c == "location" else (c,))]
        plan.conflicts.append({
            "package_uuid": pkg.uuid, "table_name": "enterprises", "record_uuid": u,
            "label": name, "sent_version": {k: sent_ver[k] for k in keys},
            "desk_version": {k: desk_ver[k] for k in keys},
            "field_version": {k: field_ver[k] for k in keys}, "fid": rec["fid"],
            "fields": clash})
    for u in sorted(set(sent) - seen):
        name = desk.get(u, {}).get("name") or u
        report.add(Finding.make("field_deleted", severity=WARNING, file="enterprises",
                                name=name, layer="enterprises"))


def _check_staff(chk: _Checker, fid: int, by: str | None, staff: set[str],
                 scope: dict[str, Any]) -> None:
    """A row is recorded under a person the project knows, and in an officer's package under
    that officer: a package cannot put work in someone else's name."""
    if by and by not in staff:
        chk.refuse(fid, "field_unknown_staff", value=by)
    elif by and scope.get("kind") == "officer" and by != scope.get("staff_no"):
        chk.refuse(fid, "field_other_staff", value=by, staff=scope.get("staff_no"))


def _plan_inspections(store: Store, pkg: Package, report: Report, plan: Plan, now: datetime,
                      district: Any, scope: dict[str, Any], staff: set[str]) -> None:
    chk = _Checker(report, INSPECTION_LAYER)
    rows = _read_layer(pkg, INSPECTION_LAYER, ("uuid", "enterprise_uuid", "by_staff_no", "at",
                                               "result", "findings", "opens_case",
                                               "case_category", "photo"), store.crs)
    for rec in rows:
        if not rec.get("uuid"):
            rec["uuid"] = derived_uuid(pkg.uuid, INSPECTION_LAYER, rec["fid"])
    known = store.inspection_uuids([r["uuid"] for r in rows])
    ent_uuids = [r["enterprise_uuid"] for r in rows if r.get("enterprise_uuid")]
    ents = store.enterprises_by_uuid(ent_uuids)
    sent = store.fieldpack_snapshot(pkg.uuid, "enterprises")
    categories = {c for c, _ in fieldpack_cases.category_values(store)}
    in_scope = _scope_cells(store, rows, ents, scope)
    for rec in rows:
        fid = rec["fid"]
        if rec["uuid"] in known:
            plan.inspections_known += 1
            continue
        before = len(report.refused)
        result = rec.get("result")
        if result is None:
            chk.refuse(fid, "field_missing_value", field="检查结果")
        elif result not in RESULTS:
            chk.refuse(fid, "field_bad_value", field="检查结果", value=result,
                       allowed="、".join(RESULTS))
        at = chk.time(rec, "at", now)
        ent = None
        if rec.get("enterprise_uuid"):
            ent = ents.get(rec["enterprise_uuid"])
            if ent is None:
                chk.refuse(fid, "field_unknown_enterprise", value=rec["enterprise_uuid"])
            elif rec["enterprise_uuid"] not in sent:
                chk.refuse(fid, "field_enterprise_not_sent", value=ent.get("name") or
                           rec["enterprise_uuid"])
        g = rec.get("geom")
        if g is None and ent is not None:
            g = ent["geometry"]
        if g is None:
            if ent is None and not rec.get("enterprise_uuid"):
                chk.refuse(fid, "field_no_location")
        elif _outside(district, g):
            chk.refuse(fid, "field_outside_district", **_where(g))
        elif not in_scope.get(fid, True) and len(report.refused) == before:
            chk.refuse(fid, "field_outside_scope", **_where(g))  # once per row is enough
        opens = str(rec.get("opens_case") or "0").strip().lower() in ("1", "true", "是", "yes")
        if opens:
            if not rec.get("findings"):
                chk.refuse(fid, "field_finding_without_text")
            cat = rec.get("case_category")
            if not cat:
                chk.refuse(fid, "field_missing_value", field="案件小类")
            elif cat not in categories:  # no table at all: no category can open a case
                chk.refuse(fid, "field_bad_value", field="案件小类", value=cat,
                           allowed=f"案件分类表中的 {len(categories)} 个小类编码")
            if not fieldpack_cases.available(store):
                chk.report.add(case_refused(fid, "本程序或项目没有案件模块"))
            if result == "合格":
                chk.warn(fid, "field_result_contradiction", value=result)
        by = rec.get("by_staff_no") or scope.get("staff_no")
        _check_staff(chk, fid, by, staff, scope)
        if len(report.refused) > before:
            continue
        plan.inspections.append({
            "uuid": rec["uuid"], "fid": fid, "enterprise_uuid": rec.get("enterprise_uuid"),
            "enterprise_name": ent.get("name") if ent else None, "by_staff_no": by, "at": at,
            "result": result, "findings": rec.get("findings"), "opens_case": opens,
            "case_category": rec.get("case_category"), "package_uuid": pkg.uuid, "geom": g,
            "photo": _photo(pkg, chk, rec)})


def _photo(pkg: Package, chk: _Checker, rec: dict[str, Any]) -> dict[str, Any] | None:
    """The photo a returned row names (``DCIM/…``, stored relative to the project), read from
    the package; a photo that did not come back, or points outside the package, is a warning —
    the row itself is imported."""
    value = rec.get("photo")
    if value is None:
        return None
    key = photo_key(value)
    if key is None:
        chk.warn(rec["fid"], "field_photo_refused", value=str(value)[:80],
                 detail=f"不是外业包 {PHOTO_DIR} 文件夹中的照片（jpg/png/heic/webp）")
        return None
    path = pkg.photos.get(key)
    if path is None:
        chk.warn(rec["fid"], "field_photo_missing", value=key)
        return None
    return {"name": key.split("/")[-1], "mime": PHOTO_TYPES[Path(key).suffix.lower()],
            "data": path.read_bytes()}


def _scope_cells(store: Store, rows: list[dict[str, Any]], ents: dict[str, Any],
                 scope: dict[str, Any]) -> dict[int, bool]:
    """{fid: whether the inspection's place lies in one of the package's cells}."""
    cells = set(scope.get("cells") or [])
    placed = [(r["fid"], r.get("geom") if r.get("geom") is not None else
               (ents.get(r.get("enterprise_uuid") or "") or {}).get("geometry")) for r in rows]
    placed = [(fid, g) for fid, g in placed if g is not None]
    if not placed or not cells:
        return {}
    got, _comm, _street = Hierarchy.load(store).assign(
        np.asarray([g for _f, g in placed], dtype=object))
    return {fid: code in cells for (fid, _g), code in zip(placed, got)}


def _plan_progress(store: Store, pkg: Package, report: Report, plan: Plan, now: datetime,
                   staff: set[str], scope: dict[str, Any]) -> None:
    chk = _Checker(report, PROGRESS_LAYER)
    rows = _read_layer(pkg, PROGRESS_LAYER, ("uuid", "case_uuid", "action", "at",
                                             "by_staff_no", "note", "photo"), store.crs)
    if not rows:
        return
    sent = store.fieldpack_snapshot(pkg.uuid, "cases")
    for rec in rows:
        if not rec.get("uuid"):
            rec["uuid"] = derived_uuid(pkg.uuid, PROGRESS_LAYER, rec["fid"])
    case_uuids = sorted({r["case_uuid"] for r in rows if r.get("case_uuid") in sent})
    known = fieldpack_cases.known_transition_uuids(store, case_uuids)
    desk = fieldpack_cases.current_versions(store, case_uuids)
    recorded = store.conflict_keys(pkg.uuid)
    steps: dict[str, list[dict[str, Any]]] = {}
    for rec in rows:
        fid = rec["fid"]
        if rec["uuid"] in known:
            plan.progress_known += 1
            continue
        before = len(report.refused)
        if rec.get("case_uuid") not in sent:
            chk.refuse(fid, "field_unknown_case", value=rec.get("case_uuid"))
        action = rec.get("action")
        if action is None:
            chk.refuse(fid, "field_missing_value", field="操作")
        elif action not in PROGRESS_ACTIONS:
            chk.refuse(fid, "field_bad_value", field="操作", value=action,
                       allowed="、".join(PROGRESS_ACTIONS))
        elif action == "回退" and not rec.get("note"):
            chk.refuse(fid, "field_reason_required")
        at = chk.time(rec, "at", now)
        by = rec.get("by_staff_no") or scope.get("staff_no")
        _check_staff(chk, fid, by, staff, scope)
        if len(report.refused) > before:
            continue
        steps.setdefault(rec["case_uuid"], []).append(
            {"uuid": rec["uuid"], "fid": fid, "action": action, "at": at, "by_staff_no": by,
             "note": rec.get("note"), "photo": _photo(pkg, chk, rec)})
    for case_uuid, todo in steps.items():
        todo.sort(key=lambda s: (s["at"], s["fid"]))
        sent_hash, sent_ver = sent[case_uuid]
        case_no = sent_ver.get("case_no")
        # the package's own values: the steps must follow from what was sent (its status and
        # the last step it knew); a failure here is the field's mistake and refuses the package
        bad = fieldpack_cases.check_steps(sent_ver.get("status") or "",
                                          sent_ver.get("last_at") or "", todo)
        for s, why in bad:
            chk.refuse(s["fid"], "field_step_refused", case_no=case_no, action=s["action"],
                       detail=why)
        if bad:
            continue
        now_ver = desk.get(case_uuid)
        why_not = ""
        if now_ver is None:
            why_not = "案件已不在项目中"
        elif version_hash(now_ver) != sent_hash:
            why_not = "桌面改过案件的状态、处置人或处置时限"
        else:
            # the desk may have recorded steps since export (督办, a step dated later…): the
            # field's steps must still fit after them, or they wait for a decision
            late = fieldpack_cases.check_steps(now_ver.get("status") or "",
                                               fieldpack_cases.last_step_at(store, case_uuid),
                                               todo)
            if late:
                why_not = late[0][1]
        if not why_not:
            plan.progress[case_uuid] = todo
            plan.case_nos[case_uuid] = case_no
        elif ("cases", case_uuid) in recorded:
            plan.conflicts_known += 1
        else:
            desk_ver = {**(now_ver or {"status": "（已删除）"}),
                        "steps": fieldpack_cases.desk_steps_since(
                            store, case_uuid, sent_ver.get("last_seq")),
                        "why": why_not}
            fields = ["steps", *(k for k in fieldpack_cases.VERSION_FIELDS
                                 if k != "case_no" and desk_ver.get(k) != sent_ver.get(k))]
            plan.conflicts.append({
                "package_uuid": pkg.uuid, "table_name": "cases", "record_uuid": case_uuid,
                "label": case_no or case_uuid, "sent_version": sent_ver,
                "desk_version": desk_ver, "field_version": {"steps": todo},
                "fid": todo[0]["fid"], "fields": fields})


# --------------------------------------------------------------------------- applying

class _CaseRefused(Exception):
    """A finding could not open its case while applying: unwinds ``store.atomic()``."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def case_refused(fid: int, detail: str) -> Finding:
    """The refusal of an inspection whose finding cannot open a case (the package is refused
    whole, so that the finding is never stored without its case)."""
    return Finding(reason="field_case_refused", severity=ERROR, file=INSPECTION_LAYER, row=fid,
                   message=message("field_case_refused", detail=detail),
                   extra={"layer": INSPECTION_LAYER, "detail": detail})


def _apply(store: Store, plan: Plan, pkg: Package, receipt: dict[str, Any]) -> None:
    hier = Hierarchy.load(store)
    records = receipt["records"]
    if plan.inspections:
        geoms = np.asarray([r["geom"] for r in plan.inspections], dtype=object)
        cells, comms, streets = hier.assign(geoms)
        for rec, cell, comm, street in zip(plan.inspections, cells, comms, streets):
            rec["cell_code"] = cell
            if rec["opens_case"]:
                try:
                    rec["case_uuid"] = fieldpack_cases.open_case_from_finding(
                        store, inspection=rec, geom=rec["geom"], cells=(cell, comm, street))
                except (UsageError, InputFileError) as exc:
                    # never an inspection without the case it should open: the whole import
                    # rolls back and the row is refused (see import_fieldpack)
                    raise _CaseRefused(case_refused(rec["fid"], str(exc))) from exc
                receipt["counts"]["cases_opened"] += 1
                records.append({"kind": "case_opened", "uuid": rec["case_uuid"],
                                "from_inspection": rec["uuid"], "label": rec.get("findings")})
        store.insert_inspections(plan.inspections, list(geoms))
        for rec in plan.inspections:
            if rec.get("photo"):
                ph = rec["photo"]
                store.add_inspection_photo(rec["uuid"], ph["name"], ph["mime"], ph["data"],
                                           rec["at"])
                if rec.get("case_uuid"):  # the finding's case shows the photo too
                    store.add_photo(rec["case_uuid"], ph["name"], ph["mime"], ph["data"],
                                    rec["at"])
                receipt["counts"]["photos"] += 1
            if rec["enterprise_uuid"] and rec["at"]:
                store.raise_last_inspection(rec["enterprise_uuid"], rec["at"][:10])
            records.append({"kind": "inspection", "uuid": rec["uuid"], "layer": INSPECTION_LAYER,
                            "fid": rec["fid"], "label": rec.get("enterprise_name") or
                            rec.get("cell_code"), "result": rec["result"], "at": rec["at"]})
    for upd in plan.enterprise_updates:
        cells = None
        if upd["geom"] is not None:
            c, m, s = hier.assign(np.asarray([upd["geom"]], dtype=object))
            cells = (c[0], m[0], s[0])
        store.set_enterprise_field_values(upd["uuid"], upd["fields"], upd["geom"], cells)
        records.append({"kind": "enterprise_updated", "uuid": upd["uuid"],
                        "layer": "enterprises", "fid": upd["fid"], "label": upd["name"],
                        "changed": upd["changed"]})
    for case_uuid, steps in plan.progress.items():
        done = fieldpack_cases.apply_progress(store, plan.case_nos[case_uuid], steps)
        for st in steps:
            if st.get("photo") and st["uuid"] in done:
                ph = st["photo"]
                store.add_photo(case_uuid, ph["name"], ph["mime"], ph["data"], st["at"])
                receipt["counts"]["photos"] += 1
        for s in steps:
            records.append({"kind": "case_step", "uuid": s["uuid"], "case_uuid": case_uuid,
                            "layer": PROGRESS_LAYER, "fid": s["fid"], "action": s["action"],
                            "applied": s["uuid"] in done})
    for c in plan.conflicts:
        cid = store.insert_conflict(c)
        c["id"] = cid
        records.append({"kind": "conflict", "id": cid, "table": c["table_name"],
                        "uuid": c["record_uuid"], "label": c["label"], "fid": c["fid"]})


def import_fieldpack(store: Store, package: str | Path, *, dry_run: bool = False
                     ) -> Task[Report]:
    """Check a returned package and apply it in one transaction; the report is the receipt."""
    yield Progress(0, 4, "检查外业包")
    token = store.change_token()  # what the plan below is made on
    with open_package(package) as pkg:
        known = check_package(store, pkg)
        yield Progress(1, 4, "读取外业数据")
        report, plan = plan_import(store, pkg, known)
    receipt: dict[str, Any] = {
        "counts": {"inspections_new": len(plan.inspections),
                   "inspections_known": plan.inspections_known,
                   "enterprises_updated": len(plan.enterprise_updates),
                   "enterprises_unchanged": plan.enterprises_unchanged,
                   "enterprises_already": plan.enterprises_already,
                   "case_steps_new": sum(len(v) for v in plan.progress.values()),
                   "case_steps_known": plan.progress_known,
                   "cases_opened": 0,
                   "photos": 0,
                   "conflicts_new": len(plan.conflicts),
                   "conflicts_known": plan.conflicts_known},
        "records": [], "warnings": []}
    report.info.update({"package": pkg.uuid, "scope": pkg.manifest.get("scope"),
                        "not_returned": pkg.not_returned,
                        "exported_at": known.get("exported_at"), "dry_run": dry_run,
                        "previous_imports": known.get("import_count") or 0})
    already = plan.empty and (known.get("import_count") or 0) > 0
    report.info["already_imported"] = already
    if report.refused:
        report.info["receipt"] = receipt
        report.info["applied"] = False
        return report
    yield Progress(2, 4, "写入项目" if not dry_run else "试运行")
    if dry_run or already:
        for c in plan.conflicts:
            c["id"] = None
    else:
        try:
            with store.atomic():
                store.check_unchanged(token)  # planned on what is still the project's
                _apply(store, plan, pkg, receipt)
                store.mark_fieldpack_imported(pkg.uuid)
                store.audit("fieldpack import", {"package": pkg.uuid, **receipt["counts"]})
                yield Progress(3, 4, "提交")
        except _CaseRefused as exc:  # rolled back: nothing of the package was written
            report.add(exc.finding)
            receipt["records"] = []
            receipt["counts"]["cases_opened"] = 0
            report.info["receipt"] = receipt
            report.info["applied"] = False
            return report
    for f in receipt.pop("warnings"):
        report.add(f)
    for c in plan.conflicts:
        report.add(Finding.make("field_conflict", severity=WARNING, file=c["table_name"],
                                row=c["fid"], name=c["label"], id=c.get("id") or "新",
                                fields="、".join(FIELD_ZH.get(k, k) for k in c["fields"])))
    receipt["conflicts"] = [{k: c.get(k) for k in ("id", "table_name", "record_uuid", "label",
                                                    "sent_version", "desk_version",
                                                    "field_version")} for c in plan.conflicts]
    if dry_run:
        receipt["records"] = _dry_records(store, plan)
        receipt["counts"]["cases_opened"] = sum(1 for r in plan.inspections if r["opens_case"])
        receipt["counts"]["photos"] = (
            sum(1 for r in plan.inspections if r.get("photo"))
            + sum(1 for steps in plan.progress.values() for st in steps if st.get("photo")))
    report.info["receipt"] = receipt
    report.info["applied"] = not dry_run and not already
    report.accepted = (len(plan.inspections) + len(plan.enterprise_updates)
                       + sum(len(v) for v in plan.progress.values()))
    yield Progress(4, 4, "完成")
    return report


def _dry_records(store: Store, plan: Plan) -> list[dict[str, Any]]:
    """The records the real import would write, in its order (see _apply); what only the
    write can know — a new case's uuid, a conflict's number — is None."""
    out: list[dict[str, Any]] = [
        {"kind": "case_opened", "uuid": None, "from_inspection": r["uuid"],
         "label": r.get("findings")} for r in plan.inspections if r["opens_case"]]
    cells: list[Any] = []
    if plan.inspections:
        cells = list(Hierarchy.load(store).assign(
            np.asarray([r["geom"] for r in plan.inspections], dtype=object))[0])
    out += [
        {"kind": "inspection", "uuid": r["uuid"], "layer": INSPECTION_LAYER, "fid": r["fid"],
         "label": r.get("enterprise_name") or cell, "result": r["result"], "at": r["at"]}
        for r, cell in zip(plan.inspections, cells)]
    out += [{"kind": "enterprise_updated", "uuid": u["uuid"], "layer": "enterprises",
             "fid": u["fid"], "label": u["name"], "changed": u["changed"]}
            for u in plan.enterprise_updates]
    out += [{"kind": "case_step", "uuid": s["uuid"], "case_uuid": cu, "layer": PROGRESS_LAYER,
             "fid": s["fid"], "action": s["action"], "applied": True}
            for cu, steps in plan.progress.items() for s in steps]
    out += [{"kind": "conflict", "id": None, "table": c["table_name"], "uuid": c["record_uuid"],
             "label": c["label"], "fid": c["fid"]} for c in plan.conflicts]
    return out
