"""The enterprise register (一企一档): importing the bureau's spreadsheet as it really is.

Each row is accepted, accepted with warnings (what was normalised or noticed) or refused with
its spreadsheet row number and a reason; nothing is dropped or "fixed" silently.  Coordinates
copied from Amap (GCJ-02) or Baidu (BD-09) are converted to WGS84 in one vectorised step
(:mod:`gridmgr.chinacoords`), then to the project CRS.  A re-import updates enterprises matched
by credit code (or the register's own id) instead of duplicating them and reports what changed;
a blank cell never erases what the project already knows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from . import chinacoords, creditcode
from .cell_assignment import Hierarchy
from .columns import ENTERPRISE_ALIASES, match_headers
from .crs import parse_crs
from .errors import InputFileError
from .findings import WARNING, Finding, Report
from .progress import Progress, Task
from .storage import Store
from .tables import as_text, read_table

SUPERVISION_CLASSES = ("国控", "省控", "市控", "一般")
KEY_CLASSES = ("国控", "省控")
RATINGS = ("绿", "蓝", "黄", "红", "黑")
_PERIOD_DAYS = {"日": 1, "天": 1, "周": 7, "月": 30, "季度": 91, "季": 91, "半年": 182, "年": 365}
_FREQ = re.compile(r"^每(\d*)(日|天|周|月|季度|季|半年|年)(\d+)次$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
GEOGRAPHIC = ("wgs84", "gcj02", "bd09", "cgcs2000")
_FULLWIDTH = re.compile("[\uff01-\uff5e]")  # full-width ASCII: digits, letters, ．－ …
# the rough box of China's territory; outside it a point is certainly misplaced or swapped
_LON, _LAT = (73.0, 136.0), (3.0, 54.0)


def frequency_days(text: str | None) -> int | None:
    """'每月1次' → 30, '每季度1次' → 91, '每2年1次' → 730; None if not understood."""
    if not text:
        return None
    m = _FREQ.match(text.replace(" ", ""))
    if not m:
        return None
    every, unit, times = int(m.group(1) or 1), m.group(2), int(m.group(3))
    return max(1, round(every * _PERIOD_DAYS[unit] / max(times, 1)))


def parse_date(value: Any) -> str | None:
    """A date cell as ISO text, from a date, '2025-03-01', '2025/3/1' or '2025年3月1日'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = as_text(value)
    if not text:
        return None
    m = re.match(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$", text)
    if not m:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()


def _clean(value: Any) -> tuple[str | None, list[str]]:
    """Text with full-width digits/letters made half-width and stray spaces removed — each
    change named, so the report can say so."""
    text = as_text(value)
    if text is None:
        return None, []
    notes = []
    if _FULLWIDTH.search(text):
        text = unicodedata.normalize("NFKC", text)
        notes.append("fullwidth_digits")
    stripped = " ".join(text.replace("\u3000", " ").split())
    if stripped != text:
        notes.append("stray_spaces")
    return stripped or None, notes


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _district_shape(store: Store) -> shapely.Geometry | None:
    for level in ("district", "street"):
        areas = store.areas(level, system="urban")
        if len(areas):
            return shapely.union_all(areas.geometry.to_numpy())
    return None


def import_enterprises(store: Store, path: str | Path, *, coords: str = "wgs84",
                       sheet: str | None = None, encoding: str | None = None,
                       mapping: Mapping[str, str] | None = None,
                       dry_run: bool = False) -> Task[Report]:
    """Import or update the enterprise register from an XLSX or CSV file."""
    p = Path(path)
    file = p.name
    coords_key = coords.strip().lower()
    target_crs: CRS | None = None
    if coords_key not in GEOGRAPHIC:
        target_crs = parse_crs(coords)  # 'EPSG:4547' etc.: x/y in that CRS
    yield Progress(0, 5, f"读取 {file}")
    table = read_table(p, sheet=sheet, encoding=encoding)
    fields = match_headers(table.headers, ENTERPRISE_ALIASES, mapping)
    report = Report(info={"file": str(p), "sheet": table.sheet, "encoding": table.encoding,
                          "encoding_source": table.encoding_source, "coords": coords,
                          "columns": fields, "rows": len(table.rows), "dry_run": dry_run})
    if "name" not in fields:
        raise InputFileError(f"{p}：找不到企业名称列；文件的列：{', '.join(table.headers)}。"
                             "请用 --map 源列=name 指明")
    xcol, ycol = ("lon", "lat") if "lon" in fields else ("x", "y")
    if xcol not in fields or ycol not in fields:
        raise InputFileError(f"{p}：找不到经度/纬度（或 X/Y）列；文件的列："
                             f"{', '.join(table.headers)}。请用 --map 源列=lon --map 源列=lat 指明")
    cols = {f: table.headers.index(h) for f, h in fields.items()}

    def cell(r: list[Any], f: str) -> Any:
        i = cols.get(f)
        return r[i] if i is not None and i < len(r) else None

    yield Progress(1, 5, "检查每一行")
    recs: list[dict[str, Any]] = []
    xs: list[float] = []
    ys: list[float] = []
    seen_code: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    def refuse(row: int, reason: str, **kw: Any) -> None:
        report.add(Finding.make(reason, file=file, row=row, **kw))

    def warn(row: int, reason: str, **kw: Any) -> None:
        report.add(Finding.make(reason, severity=WARNING, file=file, row=row, **kw))

    for r, row in zip(table.rows, table.row_numbers):
        rec: dict[str, Any] = {"row": row}
        notes: list[tuple[str, str]] = []
        for f in ("name", "credit_code", "ext_id", "industry", "supervision_class", "rating",
                  "inspection_frequency", "contact", "phone", "address"):
            value, changed = _clean(cell(r, f))
            rec[f] = value
            notes += [(n, fields[f]) for n in changed]
        x_text, x_notes = _clean(cell(r, xcol))
        y_text, y_notes = _clean(cell(r, ycol))
        notes += [(n, fields[xcol]) for n in x_notes] + [(n, fields[ycol]) for n in y_notes]

        if not rec["name"]:
            refuse(row, "missing_name")
            continue
        x, y = _number(x_text), _number(y_text)
        if x is None or y is None:
            if x_text is None or y_text is None:
                refuse(row, "missing_coordinates", name=rec["name"])
            else:
                refuse(row, "bad_coordinate_text", name=rec["name"], x0=x_text, y0=y_text)
            continue
        code = rec["credit_code"]
        if code:
            normal = creditcode.normalise(code)
            if normal != code:
                notes.append(("credit_code_normalised", fields["credit_code"]))
                rec["credit_code"] = code = normal
            problem = creditcode.problem(code)
            if problem:
                refuse(row, "invalid_credit_code", code=code, name=rec["name"], detail=problem)
                continue
            if code in seen_code:
                refuse(row, "duplicate_credit_code", code=code, first_row=seen_code[code])
                continue
            seen_code[code] = row
        ext = rec["ext_id"]
        if ext:
            if ext in seen_id:
                refuse(row, "duplicate_ext_id", code=ext, first_row=seen_id[ext])
                continue
            seen_id[ext] = row
        if target_crs is None:
            swapped = (_LAT[0] <= x <= _LAT[1] and _LON[0] <= y <= _LON[1]
                       and not (_LON[0] <= x <= _LON[1]))
            if swapped:
                x, y = y, x
                warn(row, "swapped_coordinates", name=rec["name"], lon=x, lat=y)
        for reason, column in notes:
            warn(row, reason, field=column)
        cls = rec["supervision_class"]
        if cls and cls not in SUPERVISION_CLASSES:
            warn(row, "unknown_value", field=fields["supervision_class"], value=cls,
                 allowed="/".join(SUPERVISION_CLASSES))
        if rec["rating"] and rec["rating"] not in RATINGS:
            warn(row, "unknown_value", field=fields["rating"], value=rec["rating"],
                 allowed="/".join(RATINGS))
        rec["frequency_days"] = frequency_days(rec["inspection_frequency"])
        if rec["inspection_frequency"] and rec["frequency_days"] is None:
            warn(row, "unknown_frequency", value=rec["inspection_frequency"])
        phone = rec["phone"]
        if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
            warn(row, "bad_phone", value=phone)
        try:
            rec["last_inspection"] = parse_date(cell(r, "last_inspection"))
        except ValueError as exc:
            rec["last_inspection"] = None
            warn(row, "bad_date", field=fields["last_inspection"], value=str(exc))
        recs.append(rec)
        xs.append(x)
        ys.append(y)

    yield Progress(2, 5, "坐标转换")
    if recs:
        pts = _to_project(store, np.array(xs), np.array(ys), coords_key, target_crs)
    else:
        pts = np.array([], dtype=object)
    outline = _district_shape(store)
    if outline is None:
        report.add(Finding.make("no_district", severity=WARNING, file=file))
        inside = np.ones(len(pts), dtype=bool)
    else:
        shapely.prepare(outline)
        inside = shapely.covers(outline, pts) if len(pts) else np.zeros(0, dtype=bool)
    keep = []
    for i, rec in enumerate(recs):
        if not inside[i]:
            lon, lat = xs[i], ys[i]
            report.add(Finding.make("outside_district", file=file, row=rec["row"],
                                    name=rec["name"], x0=f"{lon:.6f}", y0=f"{lat:.6f}"))
            continue
        keep.append(i)
    recs = [recs[i] for i in keep]
    pts = pts[keep] if len(keep) else np.array([], dtype=object)

    yield Progress(3, 5, "匹配已有企业、确定网格")
    hierarchy = Hierarchy.load(store)
    if len(hierarchy.cell_codes) == 0:
        report.add(Finding.make("no_cells", severity=WARNING, file=file))
    cells, comms, streets = hierarchy.assign(pts)
    existing = store.enterprises()
    old_rows = existing.drop(columns="geometry").to_dict("records")
    old_geoms = existing.geometry.to_numpy()
    by_code = {c: i for i, c in enumerate(existing["credit_code"]) if c}
    by_ext = {c: i for i, c in enumerate(existing["ext_id"]) if c}
    metres = _distance_metres(store)
    inserts, insert_pts, updates, update_fids, update_pts = [], [], [], [], []
    changes: list[dict[str, Any]] = []
    unchanged = 0
    for rec, pt, c, m, s in zip(recs, pts, cells, comms, streets):
        rec.update(cell_code=c, community_code=m, street_code=s, source=f"{file}#{rec['row']}")
        if c is None and len(hierarchy.cell_codes):
            report.add(Finding.make("no_cell", severity=WARNING, file=file, row=rec["row"],
                                    name=rec["name"]))
        j = by_code.get(rec["credit_code"]) if rec["credit_code"] else None
        if j is None and rec["ext_id"]:
            j = by_ext.get(rec["ext_id"])
        if j is None:
            inserts.append(rec)
            insert_pts.append(pt)
            continue
        old, old_pt = old_rows[j], old_geoms[j]
        diff = {}
        for f in ("name", "credit_code", "ext_id", "industry", "supervision_class", "rating",
                  "inspection_frequency", "frequency_days", "contact", "phone", "address",
                  "last_inspection", "cell_code"):
            new = rec.get(f)
            if new is not None and new != old[f]:
                diff[f] = [old[f], new]
        if old_pt is None or metres(old_pt, pt) > 1.0:
            diff["location"] = [None if old_pt is None else old_pt.wkt, pt.wkt]
        if not diff:
            unchanged += 1
            continue
        update = {f: v[1] for f, v in diff.items() if f != "location"}
        update.update(community_code=m, street_code=s, source=rec["source"])
        updates.append(update)
        update_fids.append(int(old["fid"]))
        update_pts.append(pt if "location" in diff else old_pt)
        changes.append({"row": rec["row"], "credit_code": rec["credit_code"],
                        "name": rec["name"], "changes": diff})
    report.accepted = len(recs)
    report.info.update(inserted=len(inserts), updated=len(updates), unchanged=unchanged,
                       changes=changes[:1000])
    if dry_run:
        yield Progress(5, 5, "试运行完成，未写入")
        return report
    yield Progress(4, 5, f"写入 {len(inserts)} 个新企业、更新 {len(updates)} 个")
    with store.atomic():
        batch = 20000
        for start in range(0, len(inserts), batch):
            store.insert_enterprises(inserts[start:start + batch],
                                     insert_pts[start:start + batch], refresh_extent=False)
            yield Progress(4, 5, f"写入 {min(start + batch, len(inserts))}/{len(inserts)}")
        if updates:
            store.update_enterprises(update_fids, updates, update_pts)
        store.refresh_extent("enterprises")
        store.audit("enterprises import", {"file": str(p), "inserted": len(inserts),
                                           "updated": len(updates),
                                           "refused": len(report.refused)})
    yield Progress(5, 5, "完成")
    return report


def _to_project(store: Store, x: np.ndarray, y: np.ndarray, key: str,
                target: CRS | None) -> np.ndarray:
    """Points in the project CRS from coordinates in the file's system (vectorised)."""
    if target is None:
        if key in ("gcj02", "bd09"):
            x, y = chinacoords.to_wgs84(x, y, key)
        src = CRS.from_epsg(4490 if key == "cgcs2000" else 4326)
    else:
        src = target
    t = Transformer.from_crs(src, store.crs, always_xy=True)
    px, py = t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return shapely.points(px, py)


def _distance_metres(store: Store) -> Any:
    """distance(a, b) in metres between two points in the project CRS."""
    if store.crs.is_projected:
        return lambda a, b: float(shapely.distance(a, b))
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    return lambda a, b: float(geod.inv(a.x, a.y, b.x, b.y)[2])


def overdue(last_inspection: str | None, days: int | None, today: str) -> bool | None:
    """Inspection overdue: never inspected, or last inspection + frequency is past."""
    if days is None:
        return None
    if not last_inspection:
        return True
    due = date.fromisoformat(last_inspection).toordinal() + int(days)
    return due < date.fromisoformat(today).toordinal()
