"""The enterprise register (一企一档): importing the bureau's spreadsheet as it really is.

Each row is accepted, accepted with warnings (what was normalised or noticed) or refused with
its spreadsheet row number and a reason; nothing is dropped or "fixed" silently.  Coordinates
copied from Amap (GCJ-02) or Baidu (BD-09) are converted to WGS84 in one vectorised step
(:mod:`gridmgr.coords.chinacoords`), then to the project CRS.  A re-import updates enterprises matched
by credit code (or the register's own id) instead of duplicating them and reports what changed;
a blank cell never erases what the project already knows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ..coords import chinacoords
from ..coords.crs import parse_crs
from ..errors import InputFileError
from ..files.columns import ENTERPRISE_ALIASES, match_headers
from ..files.tables import cell_reader, read_table
from ..findings import WARNING, Finding, Report
from ..progress import Progress, Task
from ..storage import Store
from ..text import LANDLINE, MOBILE, as_text, clean_cell, finite_number
from . import creditcode
from .cell_assignment import Hierarchy

SHARED_FLAG = "信用代码多处共用（分支机构）"  # as schema 8 marks them

SUPERVISION_CLASSES = ("国控", "省控", "市控", "一般")
KEY_CLASSES = ("国控", "省控")
RATINGS = ("绿", "蓝", "黄", "红", "黑")
_PERIOD_DAYS = {"日": 1, "天": 1, "周": 7, "月": 30, "季度": 91, "季": 91, "半年": 182, "年": 365}
_FREQ = re.compile(r"^每(\d*)(日|天|周|月|季度|季|半年|年)(\d+)次$")
GEOGRAPHIC = ("wgs84", "gcj02", "bd09", "cgcs2000")
TEXT_FIELDS = ("name", "credit_code", "ext_id", "industry", "supervision_class", "rating",
               "inspection_frequency", "contact", "phone", "address")
NARROW_FIELDS = ("credit_code", "ext_id", "phone")  # codes and numbers: full-width → half-width
COMPARED_FIELDS = ("name", "credit_code", "ext_id", "industry", "supervision_class", "rating",
                   "inspection_frequency", "frequency_days", "contact", "phone", "address",
                   "last_inspection", "cell_code")
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


def _district_shape(store: Store) -> shapely.Geometry | None:
    for level in ("district", "street"):
        areas = store.areas(level, system="urban")
        if len(areas):
            return shapely.union_all(areas.geometry.to_numpy())
    return None


def _coords_key(coords: str) -> str:
    """'GCJ-02', 'gcj02', 'WGS-84' … → 'gcj02', 'wgs84'; anything else is passed to pyproj."""
    key = coords.strip().lower().replace("-", "").replace("_", "")
    return key if key in GEOGRAPHIC else coords.strip()


def import_enterprises(store: Store, path: str | Path, *, coords: str | None = None,
                       sheet: str | None = None, encoding: str | None = None,
                       mapping: Mapping[str, str] | None = None, dry_run: bool = False,
                       allow_shift: bool = False, strict: bool = False) -> Task[Report]:
    """Import or update the enterprise register from an XLSX or CSV file.

    ``coords=None`` (no ``--coords``): the system is chosen by :mod:`.coordguess`, which
    refuses the file when another system fits the district clearly better than WGS84.
    A credit code that fails GB 32100 (a bad check character, a typo) is imported as given with
    a warning — the bureau's register is what it is, and ``check`` keeps flagging it — unless
    ``strict``, which refuses the row.  A row without coordinates that matches an enterprise
    already in the project (credit code or id) updates its other fields and keeps its location.
    """
    p = Path(path)
    token = store.change_token()  # what the plan below is made on
    file = p.name
    coords_key = _coords_key(coords) if coords else "wgs84"
    target_crs: CRS | None = None
    if coords and coords_key not in GEOGRAPHIC:
        target_crs = parse_crs(coords)  # 'EPSG:4547' etc.: x/y in that CRS
    yield Progress(0, 5, f"读取 {file}")
    table = read_table(p, sheet=sheet, encoding=encoding, header_aliases=ENTERPRISE_ALIASES)
    fields = match_headers(table.headers, ENTERPRISE_ALIASES, mapping)
    report = Report(info={"file": str(p), "sheet": table.sheet, "encoding": table.encoding,
                          "encoding_source": table.encoding_source, "coords": coords,
                          "columns": fields, "rows": len(table.rows), "dry_run": dry_run,
                          "header_row": table.info.get("header_row")})
    if "name" not in fields:
        raise InputFileError(f"{p}：找不到企业名称列；文件的列：{', '.join(table.headers)}。"
                             "请用 --map 源列=name 指明")
    xcol, ycol = ("lon", "lat") if "lon" in fields else ("x", "y")
    if (xcol in fields) != (ycol in fields):
        raise InputFileError(f"{p}：只找到经度/纬度（或 X/Y）中的一列；文件的列："
                             f"{', '.join(table.headers)}。请用 --map 源列=lon --map 源列=lat 指明")
    report.info["has_coordinates"] = xcol in fields
    cols = {f: table.headers.index(h) for f, h in fields.items()}

    cell = cell_reader(cols)
    refuse, warn = partial(report.refuse, file), partial(report.warn, file)

    yield Progress(1, 5, "检查每一行")
    recs: list[dict[str, Any]] = []
    xs: list[float] = []
    ys: list[float] = []
    for r, row in zip(table.rows, table.row_numbers):
        rec: dict[str, Any] = {"row": row}
        notes: list[tuple[str, str]] = []
        for f in TEXT_FIELDS:
            value, changed = clean_cell(cell(r, f), narrow=f in NARROW_FIELDS)
            rec[f] = value
            notes += [(n, fields[f]) for n in changed]
        x_text, x_notes = clean_cell(cell(r, xcol), narrow=True)
        y_text, y_notes = clean_cell(cell(r, ycol), narrow=True)
        notes += [(n, fields[xcol]) for n in x_notes] + [(n, fields[ycol]) for n in y_notes]
        if not rec["name"]:
            refuse(row, "missing_name")
            continue
        x, y = finite_number(x_text), finite_number(y_text)
        # no coordinates at all: only an update of an enterprise the project knows (checked
        # when matching); it keeps its location
        rec["located"] = not (x_text is None and y_text is None)
        if not rec["located"]:
            x = y = math.nan
        elif x is None or y is None:
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
                if strict:
                    refuse(row, "invalid_credit_code", code=code, name=rec["name"],
                           detail=problem)
                    continue
                warn(row, "invalid_credit_code_kept", code=code, name=rec["name"],
                     detail=problem)
        if target_crs is None and rec["located"]:
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
        if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
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
    outline = _district_shape(store)
    located = np.array([r["located"] for r in recs], dtype=bool)
    coords = settle_coords(store, report, [x for x, ok in zip(xs, located) if ok],
                           [y for y, ok in zip(ys, located) if ok], coords, outline, file)
    coords_key = _coords_key(coords)
    target_crs = None if coords_key in GEOGRAPHIC else parse_crs(coords)
    pts = np.full(len(recs), None, dtype=object)
    if located.any():
        pts[located] = _to_project(store, np.array(xs)[located], np.array(ys)[located],
                                   coords_key, target_crs)
    if outline is None:
        if located.any():
            report.add(Finding.make("no_district", severity=WARNING, file=file))
        inside = np.ones(len(pts), dtype=bool)
    else:
        shapely.prepare(outline)
        inside = ~located
        if located.any():
            inside[located] = shapely.covers(outline, pts[located])
        if target_crs is not None and not inside.all():
            # surveyors' tables often put the northing in X: try each refused point swapped
            out = np.flatnonzero(~inside)
            alt = _to_project(store, np.array(ys)[out], np.array(xs)[out], coords_key,
                              target_crs)
            fits = shapely.covers(outline, alt)
            for k, i in enumerate(out):
                if fits[k]:
                    pts[i], inside[i] = alt[k], True
                    xs[i], ys[i] = ys[i], xs[i]
                    warn(recs[i]["row"], "swapped_coordinates", name=recs[i]["name"],
                         lon=xs[i], lat=ys[i])
    kept: list[int] = []
    seen_site: dict[tuple[str, str, str], int] = {}
    seen_code: dict[str, int] = {}
    seen_id: dict[str, int] = {}
    for i, rec in enumerate(recs):
        row = rec["row"]
        if not inside[i]:
            refuse(row, "outside_district", name=rec["name"], x0=f"{xs[i]:.6f}",
                   y0=f"{ys[i]:.6f}")
            continue
        # repeats are judged among rows that would land, so a refused first row does not
        # take its repeat down with it.  One code, name and address twice is the same site
        # twice (refused); one code at another name or address is a branch site (分支机构):
        # kept with a warning, refused with --strict
        code = rec["credit_code"]
        site = (code or "", rec["name"] or "", rec["address"] or "")
        if code and site in seen_site:
            refuse(row, "duplicate_credit_code", code=code, first_row=seen_site[site])
            continue
        if rec["ext_id"] and rec["ext_id"] in seen_id:
            refuse(row, "duplicate_ext_id", code=rec["ext_id"], first_row=seen_id[rec["ext_id"]])
            continue
        if code and code in seen_code:
            if strict:
                refuse(row, "shared_credit_code_refused", code=code, name=rec["name"],
                       first_row=seen_code[code])
                continue
            warn(row, "shared_credit_code", code=code, name=rec["name"],
                 address=rec["address"] or "", first_row=seen_code[code])
        if code:
            seen_site[site] = row
            seen_code.setdefault(code, row)
        if rec["ext_id"]:
            seen_id[rec["ext_id"]] = row
        kept.append(i)
    recs = [recs[i] for i in kept]
    pts = pts[kept] if kept else np.array([], dtype=object)

    yield Progress(3, 5, "匹配已有企业、确定网格")
    hierarchy = Hierarchy.load(store)
    if len(hierarchy.cell_codes) == 0:
        report.add(Finding.make("no_cells", severity=WARNING, file=file))
    cells = np.full(len(pts), None, dtype=object)
    comms, streets = cells.copy(), cells.copy()
    at = np.array([p is not None for p in pts], dtype=bool)
    if at.any():
        cells[at], comms[at], streets[at] = hierarchy.assign(pts[at])
    existing = store.enterprises()
    old_rows = existing.drop(columns="geometry").to_dict("records")
    old_geoms = existing.geometry.to_numpy()
    by_code: dict[str, list[int]] = {}
    for i, c in enumerate(existing["credit_code"]):
        if c:
            by_code.setdefault(c, []).append(i)
    by_ext = {c: i for i, c in enumerate(existing["ext_id"]) if c}
    by_name = {(n, a): i for i, (n, a, c, e) in enumerate(zip(
        existing["name"], existing["address"], existing["credit_code"], existing["ext_id"]))
        if not c and not e}
    in_file: dict[str, int] = {}
    for rec in recs:
        if rec["credit_code"]:
            in_file[rec["credit_code"]] = in_file.get(rec["credit_code"], 0) + 1
    inserts, insert_pts, updates, update_fids, update_pts = [], [], [], [], []
    changes: list[dict[str, Any]] = []
    moves: list[tuple[float, float]] = []
    matched: set[int] = set()
    unchanged = 0
    for rec, pt, c, m, s in zip(recs, pts, cells, comms, streets):
        row = rec["row"]
        rec.update(cell_code=c, community_code=m, street_code=s, source=f"{file}#{row}")
        if c is None and len(hierarchy.cell_codes) and rec["located"]:
            warn(row, "no_cell", name=rec["name"])
        j_ext = by_ext.get(rec["ext_id"]) if rec["ext_id"] else None
        sites = by_code.get(rec["credit_code"], []) if rec["credit_code"] else []
        if j_ext is not None and sites and j_ext not in sites:
            refuse(row, "key_conflict", name=rec["name"], code=rec["credit_code"],
                   ext=rec["ext_id"], other=old_rows[j_ext]["name"])
            continue
        j = j_ext if j_ext is not None else branch_site(rec, sites, old_rows, matched,
                                                         in_file.get(rec["credit_code"], 0))
        if j is None and not rec["credit_code"] and not rec["ext_id"]:
            warn(row, "no_key", name=rec["name"])
            j = by_name.get((rec["name"], rec["address"]))
        if not rec["located"]:
            if j is None:  # a new enterprise needs a place
                refuse(row, "missing_coordinates", name=rec["name"])
                continue
            m, s = old_rows[j]["community_code"], old_rows[j]["street_code"]
            rec.update(cell_code=None, community_code=m, street_code=s)
        if j is None:
            inserts.append(rec)
            insert_pts.append(pt)
            continue
        matched.add(j)
        old, old_pt = old_rows[j], old_geoms[j]
        diff = {}
        for f in COMPARED_FIELDS:
            new = rec.get(f)
            if new is None or new == old[f]:
                continue
            if f == "last_inspection" and old[f] and new < old[f]:
                warn(row, "older_inspection", name=rec["name"], old=old[f], new=new)
                continue  # an older register never rolls the last inspection back
            diff[f] = [old[f], new]
        if pt is None:
            pt = old_pt  # an update without coordinates keeps the location
        elif old_pt is None:
            diff["location"] = [None, pt.wkt]
        else:
            dx, dy = _offset_metres(store, old_pt, pt)
            if math.hypot(dx, dy) > 1.0:
                diff["location"] = [old_pt.wkt, pt.wkt]
                moves.append((dx, dy))
        if not diff:
            unchanged += 1
            continue
        update = {f: v[1] for f, v in diff.items() if f != "location"}
        update.update(community_code=m, street_code=s, source=rec["source"])
        updates.append(update)
        update_fids.append(int(old["fid"]))
        update_pts.append(pt if "location" in diff else old_pt)
        changes.append({"row": row, "credit_code": rec["credit_code"], "name": rec["name"],
                        "changes": diff})
    flag_fids, flags = credit_flags(old_rows, updates, update_fids, inserts)
    shift = _systematic_shift(moves, len(matched))
    if shift and not allow_shift:
        raise InputFileError(
            f"{p}：{len(moves)} 个已有企业的位置会整体向同一方向移动约 {shift:.0f} 米——"
            f"多半是 --coords 不对（现为 {coords}；高德/腾讯坐标用 gcj02，百度用 bd09）。"
            "项目未改变；确属位置更正请加 --allow-shift")
    missing = [old_rows[j] for j in range(len(old_rows)) if j not in matched]
    report.accepted = len(inserts) + len(updates) + unchanged
    report.info.update(inserted=len(inserts), updated=len(updates), unchanged=unchanged,
                       changes=changes[:1000], not_in_file=len(missing),
                       not_in_file_sample=[{"credit_code": o["credit_code"], "name": o["name"]}
                                           for o in missing[:50]])
    if dry_run:
        yield Progress(5, 5, "试运行完成，未写入")
        return report
    yield Progress(4, 5, f"写入 {len(inserts)} 个新企业、更新 {len(updates)} 个")
    with store.atomic():
        store.check_unchanged(token)  # planned on what is still the project's
        batch = 20000
        for start in range(0, len(inserts), batch):
            store.insert_enterprises(inserts[start:start + batch],
                                     insert_pts[start:start + batch], refresh_extent=False)
            yield Progress(4, 5, f"写入 {min(start + batch, len(inserts))}/{len(inserts)}")
        if updates:
            store.update_enterprises(update_fids, updates, update_pts)
        if flag_fids:
            store.set_enterprise_flags(flag_fids, flags)
        store.refresh_extent("enterprises")
        store.audit("enterprises import", {"file": str(p), "inserted": len(inserts),
                                           "updated": len(updates),
                                           "refused": len(report.refused)})
    yield Progress(5, 5, "完成")
    return report


def branch_site(rec: dict[str, Any], sites: list[int], old_rows: list[dict[str, Any]],
                matched: set[int], rows_in_file: int) -> int | None:
    """Which of the project's enterprises under ``rec``'s credit code a file row updates.

    One enterprise under the code and one row with it in the file: that one (its name or
    address may change).  Branch sites (several under the code, in the project or in the file):
    the one at the same address, else the one with the same name — never one already matched
    by an earlier row; none (a new branch site) otherwise."""
    free = [j for j in sites if j not in matched]
    if len(sites) == 1 and rows_in_file <= 1:
        return free[0] if free else None
    for field in ("address", "name"):
        same = [j for j in free if rec[field] and old_rows[j][field] == rec[field]]
        if len(same) == 1:
            return same[0]
    return None


def credit_flag(code: str | None, shared: bool) -> str | None:
    """The register's mark for a credit code that needs a look: shared by several enterprises
    (branch sites), or failing GB 32100 (kept as the bureau has it)."""
    parts = [SHARED_FLAG] if shared else []
    problem = creditcode.problem(code) if code else None
    if problem:
        parts.append(f"信用代码无效：{problem}")
    return "；".join(parts) or None


def credit_flags(old_rows: list[dict[str, Any]], updates: list[dict[str, Any]],
                 update_fids: list[int], inserts: list[dict[str, Any]]
                 ) -> tuple[list[int], list[str | None]]:
    """The flags of the register as the import leaves it: new rows get theirs in ``inserts``;
    returns (fids, flags) of the existing enterprises whose flag changes."""
    changed = dict(zip(update_fids, updates))
    codes = {int(o["fid"]): changed.get(int(o["fid"]), {}).get("credit_code", o["credit_code"])
             for o in old_rows}
    count: dict[str, int] = {}
    for code in [*codes.values(), *(r["credit_code"] for r in inserts)]:
        if code:
            count[code] = count.get(code, 0) + 1
    for rec in inserts:
        rec["credit_code_flag"] = credit_flag(rec["credit_code"],
                                              count.get(rec["credit_code"] or "", 0) > 1)
    fids, flags = [], []
    for o in old_rows:
        fid = int(o["fid"])
        flag = credit_flag(codes[fid], count.get(codes[fid] or "", 0) > 1)
        if flag != o.get("credit_code_flag"):
            fids.append(fid)
            flags.append(flag)
    return fids, flags


def settle_coords(store: Store, report: Report, xs: list[float], ys: list[float],
                  coords: str | None, outline: shapely.Geometry | None, file: str) -> str:
    """The coordinate system to read a file's points in: ``coords`` when given, else guessed
    by :func:`.coordguess.choose_coords` (InputFileError when another system fits clearly
    better); the report says which one was used and what each candidate scored."""
    from .coordguess import choose_coords, label

    def points(x: np.ndarray, y: np.ndarray, key: str) -> np.ndarray:
        k = _coords_key(key)
        return _to_project(store, x, y, k, None if k in GEOGRAPHIC else parse_crs(key))

    choice = choose_coords(store, np.array(xs), np.array(ys), coords, points, outline, file)
    report.info["coords"] = choice.coords
    report.info["coords_guessed"] = choice.guessed
    if choice.counts:
        report.info["coords_counts"] = choice.counts
    if choice.guessed and xs:
        report.add(Finding.make(
            "coords_assumed" if choice.ambiguous or not choice.counts else "coords_checked",
            severity=WARNING, file=file, coords=label(choice.coords),
            others="、".join(label(k) for k in choice.ambiguous) or "-",
            counts=choice.summary() or "-"))
    return choice.coords


def _systematic_shift(moves: list[tuple[float, float]], matched: int) -> float | None:
    """The size of a shift most matched enterprises share — the mark of a wrong --coords
    (GCJ-02 is 300–700 m off WGS84 in China, BD-09 about 1–1.5 km) — else None."""
    if matched < 10 or len(moves) < 0.5 * matched:
        return None
    d = np.array(moves)
    median = np.median(d, axis=0)
    size = float(np.hypot(*median))
    spread = np.hypot(*(d - median).T)
    if 150 <= size <= 2500 and np.mean(spread < 0.2 * size) > 0.8:
        return size
    return None


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


def _offset_metres(store: Store, a: shapely.Geometry, b: shapely.Geometry
                   ) -> tuple[float, float]:
    """(east, north) in metres from point a to point b, both in the project CRS."""
    if store.crs.is_projected:
        return b.x - a.x, b.y - a.y
    lat = math.radians((a.y + b.y) / 2)
    return ((b.x - a.x) * 111_320.0 * math.cos(lat), (b.y - a.y) * 110_574.0)


def overdue(last_inspection: str | None, days: int | None, today: str) -> bool | None:
    """Inspection overdue: never inspected, or last inspection + frequency is past."""
    if days is None:
        return None
    if not last_inspection:
        return True
    due = date.fromisoformat(last_inspection).toordinal() + int(days)
    return due < date.fromisoformat(today).toordinal()


EDITABLE = ("contact", "phone", "address")


def edit_enterprise(store: Store, key: str, values: Mapping[str, str | None], *,
                    seen: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Change one enterprise's contact, phone or address (by credit code, register id or exact
    name); returns {"name", "credit_code", "changes": {field: [old, new]}}.  One transaction
    with an audit entry; a phone that is neither a mobile nor a landline is refused.

    The row is read inside the write transaction, so ``old`` is what this edit replaced.
    ``seen`` (what a form showed before the user typed) makes it compare-and-set: if another
    desk changed one of those fields since, nothing is written and the refusal names who."""
    from ..errors import ProjectChanged, UsageError

    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise UsageError(f"不能修改 {', '.join(sorted(unknown))}；可改：{', '.join(EDITABLE)}")
    cleaned: dict[str, str | None] = {}
    for f, v in values.items():
        text, _ = clean_cell(v, narrow=f == "phone")
        if f == "phone" and text and not (MOBILE.match(text) or LANDLINE.match(text)):
            raise UsageError(f"电话号码“{text}”看起来不对（手机 11 位，座机如 0757-82345678）")
        cleaned[f] = text
    with store.atomic():
        ent = store.find_enterprise(key)
        if ent is None:
            raise UsageError(f"找不到企业“{key}”（按统一社会信用代码、企业编号或企业全称，须唯一）")
        old = store.enterprises_by_uuid([ent["uuid"]])[ent["uuid"]]
        moved = {f: (v, old.get(f)) for f, v in (seen or {}).items()
                 if f in cleaned and (v or None) != (old.get(f) or None)}
        if moved:
            last = store.last_audit_of(ent["uuid"]) or {}
            who = last.get("db_user") or "另一个工位"
            said = "；".join(f"{f} 你看到的是“{a or '（空）'}”，现在是“{b or '（空）'}”"
                            for f, (a, b) in moved.items())
            raise ProjectChanged(f"企业 {ent['name']} 已被 {who} 于 {last.get('at', '刚才')} 修改："
                                 f"{said}；本次未修改，请刷新后重试")
        new = {f: v for f, v in cleaned.items() if v != old.get(f)}
        changes = {f: [old.get(f), v] for f, v in new.items()}
        if new:
            store.set_enterprise_field_values(ent["uuid"], new, None, None)
            store.audit("enterprises edit", {"uuid": ent["uuid"], "credit_code":
                                             ent["credit_code"], "changes": changes})
    return {"name": ent["name"], "credit_code": ent["credit_code"], "changes": changes}
