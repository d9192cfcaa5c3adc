"""Importing areas (district, streets, communities, unit grid cells) from vector files.

Every feature is either accepted or refused with a reason and its feature number as the user sees
it (the fid of a GeoPackage, else counted from 1); warnings say what was noticed or normalised.
Accepted features land in one transaction — on cancel or error nothing lands.  Parents come from a
parent column (by code, or by name when the value is not a code) or, when there is none, from the
parent area that holds the feature's representative point (largest overlap as a fallback).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..coords import crs as crsmod
from ..errors import InputFileError, UsageError
from ..files import columns
from ..files.readers import read_vector
from ..findings import WARNING, Finding, Report
from ..levels import LEVELS, PARENT_LEVEL
from ..progress import Progress, Task
from ..registers.cell_assignment import reassign_enterprises
from ..storage import Store, today
from ..text import clean_codes, clean_names, iso_date
from . import derive as derivemod
from .codes import CodeScheme, extends_parent
from .codes import scheme as get_scheme

POLYGONAL = {"Polygon", "MultiPolygon"}


def _find_parents(store: Store, level: str, system: str, gdf: gpd.GeoDataFrame,
                  parent_values: list[str | None]) -> list[str | None]:
    """The parent code of each feature: "" when none is found, None for a top-level area."""
    plevel = PARENT_LEVEL[level]
    admin = store.meta().get("admin_code")
    parents = store.areas(plevel, system=system) if plevel else None
    if plevel is None:
        return [v or None for v in parent_values]
    if parents is None or len(parents) == 0:
        if plevel == "district":  # streets of a project with no district polygon
            return [v or admin for v in parent_values]
        raise UsageError(f"项目中还没有{ {'street': '街道', 'community': '社区'}[plevel] }，"
                         f"请先导入上一级（grid import --level {plevel}）")
    by_code = set(parents["code"])
    names = parents.groupby("name")["code"].agg(list).to_dict()
    out: list[str | None] = [None] * len(gdf)
    need_location = []
    for i, v in enumerate(parent_values):
        if v is None:
            need_location.append(i)
        elif v in by_code:
            out[i] = v
        elif len(names.get(v, [])) == 1:
            out[i] = names[v][0]
        else:
            out[i] = ""
    if need_location:
        sub = gdf.iloc[need_location]
        pts = gpd.GeoDataFrame(geometry=sub.geometry.representative_point(), crs=gdf.crs)
        joined = gpd.sjoin(pts, parents[["code", "geometry"]], how="left", predicate="within")
        found = joined[~joined.index.duplicated()]["code"].reindex(sub.index).tolist()
        for pos, code in enumerate(found):
            if not isinstance(code, str):  # rare: fall back to the largest overlap
                g = sub.geometry.iloc[pos]
                hits = parents[parents.intersects(g)]
                code = (hits.iloc[int(np.argmax(hits.intersection(g).area))]["code"]
                        if len(hits) else "")
            out[need_location[pos]] = code
    return out


def detect_level(gdf: gpd.GeoDataFrame, sch: CodeScheme,
                 mapping: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(level, code column) of a file imported without ``--level``: the level whose code
    column holds codes of that level's length in the project's scheme (14/15 digits: cells,
    12: communities, 9: streets, 6: the district) for at least 80 % of the features."""
    tried = []
    for level in ("cell", "community", "street", "district"):
        col = columns.recognise(gdf.columns, level, mapping).get("code")
        if col is None:
            continue
        codes = [c for c, _ in clean_codes(gdf[col].tolist())]
        codes = [c for c in codes if c]
        want = sch.length(level)
        fits = sum(1 for c in codes if c.isdigit() and len(c) == want)
        tried.append(f"{col}（{fits}/{len(codes)} 个为 {want} 位）")
        if codes and fits >= 0.8 * len(codes):
            return level, col
    raise UsageError("无法从编码判断这是哪一级区域" + (f"：{'；'.join(tried)}" if tried else
                     "：找不到编码列") + "。请用 --level district|street|community|cell 指明")


def _plausible(geoms: gpd.GeoSeries, margin_deg: float = 1.0) -> np.ndarray:
    """Per feature: coordinates are finite and inside the area of use of the project CRS.

    Catches the usual mistakes — Gauss-Krüger metres declared as degrees, longitude and
    latitude swapped, a wrong zone — before they land as a street at latitude 113.
    """
    if len(geoms) == 0:
        return np.zeros(0, dtype=bool)
    arr = geoms.to_numpy()
    ok = np.isfinite(shapely.bounds(arr)).all(axis=1)
    use = geoms.crs.area_of_use
    if use is None or not ok.any():
        return ok
    with np.errstate(all="ignore"):
        ll = geoms.to_crs("EPSG:4490").bounds.to_numpy()
    w, s, e, n = use.west - margin_deg, use.south - margin_deg, use.east + margin_deg, \
        use.north + margin_deg
    inside = (ll[:, 0] >= w) & (ll[:, 2] <= e) & (ll[:, 1] >= s) & (ll[:, 3] <= n)
    return ok & np.isfinite(ll).all(axis=1) & inside


def _replaced_codes(store: Store, level: str, system: str, rows: list[dict[str, Any]],
                    geoms: list[Any], min_overlap_m2: float = 1.0) -> list[str]:
    """Current areas a redrawn file replaces: same code, or overlapping a new area by more than
    ``min_overlap_m2`` (a redrawn grid may renumber)."""
    codes = {r["code"] for r in rows}
    old = store.areas(level, system=system)
    if len(old) == 0 or not geoms:
        return sorted(codes)
    new = gpd.GeoSeries(geoms, crs=store.crs)
    metric = crsmod.metric_crs_for(new)
    old_m = old.geometry.to_crs(metric).to_numpy()
    new_m = new.to_crs(metric).to_numpy()
    tree = shapely.STRtree(old_m)
    i_new, i_old = tree.query(new_m, predicate="intersects")
    if len(i_old):
        area = shapely.area(shapely.intersection(new_m[i_new], old_m[i_old]))
        codes |= set(old["code"].to_numpy()[i_old[area > min_overlap_m2]])
    return sorted(codes)


def _still_free(store: Store, level: str, system: str, rows: list[dict[str, Any]],
                geoms: list[Any], report: Report, *, supersede: bool
                ) -> tuple[list[dict[str, Any]], list[Any]]:
    """Inside the write transaction: drop the rows whose code another process made current,
    or whose parent it ended, since the file was checked (each refused with its reason)."""
    taken = set() if supersede else store.existing_codes(level, system)
    parent_level = PARENT_LEVEL[level]
    parents = (store.existing_codes(parent_level, system)
               if parent_level not in (None, "district") else None)
    keep_rows, keep_geoms = [], []
    for r, g in zip(rows, geoms):
        file, _, row = r["source"].rpartition("#")
        if r["code"] in taken:
            report.add(Finding.make("duplicate_code_in_project", file=file, row=int(row),
                                    code=r["code"], level=level))
        elif parents is not None and r["parent_code"] and r["parent_code"] not in parents:
            report.add(Finding.make("parent_not_found", file=file, row=int(row), code=r["code"],
                                    parent=r["parent_code"]))
        else:
            keep_rows.append(r)
            keep_geoms.append(g)
    report.accepted = len(keep_rows)
    return keep_rows, keep_geoms


def import_grid(store: Store, path: str | Path, *, level: str | None = None,
                system: str = "urban",
                layer: str | None = None, encoding: str | None = None,
                crs: str | None = None, mapping: Mapping[str, str] | None = None,
                dry_run: bool = False, supersede: bool = False,
                valid_from: str | None = None) -> Task[Report]:
    """Import one level of areas from ``path``; yields progress, returns the report.

    ``level=None``: recognised from the codes (:func:`detect_level`).  A cell or community
    file imported into a project without the levels above it derives them (:mod:`.derive`).
    """
    if level is not None and level not in LEVELS:
        raise UsageError(f"未知层级 {level!r}；可选：{', '.join(LEVELS)}")
    store.check_system(system)
    valid_from = iso_date(valid_from) if valid_from else today()
    p = Path(path)
    file = p.name
    yield Progress(0, 5, f"读取 {file}")
    data = read_vector(p, layer=layer, encoding=encoding)
    gdf = data.gdf
    sch = get_scheme(store.meta().get("code_scheme", "national"))
    detected = level is None
    if level is None:
        level, _ = detect_level(gdf, sch, mapping)
    report = Report(info={"level_detected": detected,
        "file": str(p), "layer": data.layer, "level": level, "system": system,
        "encoding": data.encoding, "encoding_source": data.encoding_source,
        "dry_run": dry_run, "features": len(gdf)})
    for row in data.dropped_z:  # read_vector made them 2D; say so, row by row
        report.add(Finding.make("z_dropped", severity=WARNING, file=file, row=row))
    if crs:
        src_crs = crsmod.parse_crs(crs)
        if data.crs is not None and not data.crs.equals(src_crs):
            report.add(Finding.make("crs_override", severity=WARNING, file=file,
                                    file_crs=data.crs.name, crs=src_crs.name))
    elif data.crs is not None:
        src_crs = data.crs
    else:
        raise InputFileError(f"{p}：文件没有坐标系（缺少 .prj 等），无法确定位置；"
                             "请用 --crs 指明，例如 --crs EPSG:4547（CGCS2000 3 度带 114°E）")
    report.info["crs"] = f"EPSG:{crsmod.epsg_of(src_crs)}" if crsmod.epsg_of(src_crs) \
        else src_crs.name
    fields = columns.recognise(gdf.columns, level, mapping)
    report.info["columns"] = fields
    if "code" not in fields:
        raise InputFileError(
            f"{p}：找不到编码列；文件的列：{', '.join(c for c in gdf.columns if c != 'geometry')}"
            "。请用 --map 源列=code 指明")
    if len(gdf) == 0:
        raise InputFileError(f"{p}：图层 {data.layer} 中没有要素")
    gdf = gdf.set_crs(src_crs, allow_override=True)

    yield Progress(1, 5, "检查要素")
    existing = store.existing_codes(level, system)
    seen: dict[str, int] = {}
    keep: list[int] = []
    recs: list[dict[str, Any]] = []
    parent_values: list[str | None] = []
    geom_types = gdf.geometry.geom_type.to_numpy()
    empty = gdf.geometry.is_empty.to_numpy() | gdf.geometry.isna().to_numpy()
    n = len(gdf)
    raw_codes = gdf[fields["code"]].tolist()
    raw_names = gdf[fields["name"]].tolist() if "name" in fields else [None] * n
    raw_parents = gdf[fields["parent"]].tolist() if "parent" in fields else [None] * n
    # whole columns, value by value: a well-kept file's values pass as they are
    cleaned = zip(clean_codes(raw_codes), clean_names(raw_names), clean_codes(raw_parents))
    for i, (code_notes, name_notes, parent_notes) in enumerate(cleaned):
        row = data.rows[i]
        code, notes = code_notes
        for note in notes:
            report.add(Finding.make(note, severity=WARNING, file=file, row=row,
                                    field=fields["code"]))
        name, notes = name_notes
        for note in notes:
            report.add(Finding.make(note, severity=WARNING, file=file, row=row,
                                    field=fields["name"]))
        parent, notes = parent_notes
        for note in notes:
            report.add(Finding.make(note, severity=WARNING, file=file, row=row,
                                    field=fields["parent"]))
        if empty[i]:
            report.add(Finding.make("no_geometry", file=file, row=row, code=code))
            continue
        if geom_types[i] not in POLYGONAL:
            report.add(Finding.make("not_polygon", file=file, row=row, code=code,
                                    geom_type=geom_types[i]))
            continue
        if not code:
            report.add(Finding.make("missing_code", file=file, row=row))
            continue
        if code in seen:
            report.add(Finding.make("duplicate_code_in_file", file=file, row=row, code=code,
                                    first_row=seen[code]))
            continue
        seen[code] = row
        if code in existing and not supersede:
            report.add(Finding.make("duplicate_code_in_project", file=file, row=row, code=code,
                                    level=level))
            continue
        problem = sch.problem(code, level)
        if problem:
            report.add(Finding.make("code_scheme", severity=WARNING, file=file, row=row,
                                    code=code, scheme=sch.title, detail=problem))
        keep.append(i)
        recs.append({"code": code, "name": name, "row": row})
        parent_values.append(parent)

    anc_cols = columns.ancestor_columns(gdf.columns, level, mapping)
    report.info["ancestor_columns"] = anc_cols
    anc_values = {anc: [gdf[c].iloc[keep].tolist() for c in cols]
                  for anc, cols in anc_cols.items()}

    yield Progress(2, 5, "坐标转换")
    sub = gdf.iloc[keep]
    try:
        geoms = sub.geometry.to_crs(store.crs) if len(sub) else sub.geometry
    except Exception as exc:  # pyproj raises several kinds for impossible transforms
        raise InputFileError(f"{p}：无法从 {src_crs.name} 转换到项目坐标系：{exc}") from exc
    finite = _plausible(geoms)
    valid = shapely.is_valid(geoms.to_numpy()) if len(geoms) else []
    sub_gdf = gpd.GeoDataFrame({"row": [r["row"] for r in recs]}, geometry=geoms.to_numpy(),
                               crs=store.crs)

    yield Progress(3, 5, "确定上级")
    present = {lv: store.count_areas(lv, system=system) for lv in LEVELS}
    to_derive = derivemod.levels_to_derive(level, present) if level in ("cell", "community") \
        else []
    derived = None
    if to_derive:
        derived = _derive(store, level, system, to_derive, recs, geoms, finite, anc_values,
                          parent_values, sch, file, report)
        parents = [p or "" for p in derived.parents]
    else:
        parents = _find_parents(store, level, system, sub_gdf, parent_values)
    if level == "street" and present["district"] == 0 and recs:
        report.add(Finding.make("streets_without_district", severity=WARNING, file=file,
                                admin=store.meta().get("admin_code")))
    rows_out, geoms_out = [], []
    garr = geoms.to_numpy()  # by position: a GeoSeries' iloc costs more than the row's checks
    for j, rec in enumerate(recs):
        row = rec["row"]
        if not finite[j]:
            lon, lat = shapely.get_coordinates(sub.geometry.iloc[j])[0]
            report.add(Finding.make("bad_coordinates", file=file, row=row, code=rec["code"],
                                    crs=report.info["crs"], x0=f"{lon:.6g}", y0=f"{lat:.6g}"))
            continue
        parent = parents[j]
        if parent == "":
            reason = ("no_parent_derivable" if derived is not None else
                      "parent_not_found" if parent_values[j] is not None else "no_parent")
            report.add(Finding.make(reason, file=file, row=row, code=rec["code"],
                                    parent=parent_values[j]))
            continue
        if parent_values[j] is None and PARENT_LEVEL[level] not in (None, "district") \
                and derived is None:
            report.add(Finding.make("parent_by_location", severity=WARNING, file=file, row=row,
                                    code=rec["code"], parent=parent))
        if parent and not extends_parent(rec["code"], parent):
            report.add(Finding.make("code_not_extending_parent", severity=WARNING, file=file,
                                    row=row, code=rec["code"], parent=parent))
        if not valid[j]:
            detail = shapely.is_valid_reason(garr[j])
            report.add(Finding.make("invalid_geometry_input", severity=WARNING, file=file,
                                    row=row, code=rec["code"], detail=detail))
        rows_out.append({"code": rec["code"], "name": rec["name"], "parent_code": parent,
                         "system": system, "source": f"{file}#{row}",
                         "valid_from": valid_from})
        geoms_out.append(garr[j])
    report.accepted = len(rows_out)
    report.info["preview"] = [f"{r['code']} {r['name'] or ''}".strip() for r in rows_out[:5]]
    if rows_out:
        areas = crsmod.area_m2(gpd.GeoSeries(geoms_out, crs=store.crs))
        for r, a in zip(rows_out, areas):
            r["area_m2"] = round(float(a), 2)
    derived_out = _derived_rows(derived, rows_out, system, file, valid_from, store)
    if dry_run:
        yield Progress(5, 5, "试运行完成，未写入")
        return report

    yield Progress(4, 5, f"写入 {len(rows_out)} 个要素")
    with store.atomic():
        for dlevel, drows, dgeoms in derived_out:  # top-down, before the features themselves
            store.insert_areas(dlevel, drows, dgeoms)
        # the write lock is held from here: what another process wrote while this file was
        # read is seen now, and refused as it would have been had it come first
        rows_out, geoms_out = _still_free(store, level, system, rows_out, geoms_out, report,
                                          supersede=supersede)
        if supersede:
            replaced = _replaced_codes(store, level, system, rows_out, geoms_out)
            report.info["superseded"] = store.close_areas(level, system, codes=replaced,
                                                          valid_to=valid_from)
            closed = store.close_area_responsibilities(system, replaced, valid_from)
            if closed:  # the areas ended: so did the responsibilities sitting on them
                report.add(Finding.make("responsibilities_closed", severity=WARNING,
                                        count=closed))
        batch = 5000
        for start in range(0, len(rows_out), batch):
            store.insert_areas(level, rows_out[start:start + batch],
                               geoms_out[start:start + batch])
            yield Progress(4, 5, f"写入 {min(start + batch, len(rows_out))}/{len(rows_out)}")
        if system == "urban" and level in ("cell", "community", "street"):
            moved = reassign_enterprises(store)  # the grid changed: so may their cells
            report.info["enterprises_moved_count"] = len(moved)
            report.info["enterprises_moved"] = moved[:1000]  # the report lists the first 1000
        store.audit("grid import", {"file": str(p), "level": level, "system": system,
                                    "derived": {lv: len(r) for lv, r, _ in derived_out},
                                    "accepted": report.accepted,
                                    "refused": len(report.refused)})
    yield Progress(5, 5, "完成")
    return report


def _derive(store: Store, level: str, system: str, to_derive: list[str],
            recs: list[dict[str, Any]], geoms: gpd.GeoSeries, finite: np.ndarray,
            anc_values: dict[str, list[list[Any]]], parent_values: list[str | None],
            sch: CodeScheme, file: str, report: Report) -> derivemod.Derived:
    """The levels above ``level`` derived from the file (features with usable coordinates
    only), the topmost one's parents resolved like an import's; UsageError when nothing in the
    file says which area a feature belongs to."""
    ok = np.flatnonzero(finite)
    nearest = to_derive[0]
    cols = {anc: [[v[j] for j in ok] for v in vals] for anc, vals in anc_values.items()}
    if level == "cell" or nearest not in cols:  # the parent column may be all there is
        cols.setdefault(nearest, []).append([parent_values[j] for j in ok])
    admin = store.meta().get("admin_code")
    existing = {anc: store.existing_codes(anc, system) for anc in to_derive}
    d = derivemod.derive(level, to_derive, [recs[j]["code"] for j in ok],
                         list(geoms.to_numpy()[ok]), cols, cell_length=sch.length(level),
                         admin=admin, file=file, existing=existing)
    if not any(d.parents):
        zh = derivemod.LEVEL_ZH
        raise UsageError(
            f"项目中还没有{zh[nearest]}，文件中也没有可推出{zh[nearest]}的编码（{sch.length(level)} "
            f"位编码的前 {derivemod.CODE_LENGTH[nearest]} 位）或{zh[nearest]}列；"
            f"请先导入上一级（grid import --level {nearest}），或用 --map 指明列")
    top = d.levels[0]
    tgdf = gpd.GeoDataFrame(geometry=top.geoms, crs=store.crs)
    tparents = _find_parents(store, top.level, system, tgdf, top.parent_values)
    lost: set[str] = set()  # derived areas with no parent: they and all below them are refused
    for row, pcode in zip(top.rows, tparents):
        row["parent_code"] = pcode or None
        if pcode == "":
            report.add(Finding.make("no_parent", file=file, code=row["code"]))
            lost.add(row["code"])
    for lv in d.levels[1:]:
        lost |= {r["code"] for r in lv.rows if r["parent_code"] in lost}
    d.levels[-1].of_feature = [None if c in lost else c for c in d.levels[-1].of_feature]
    if top.level == "street" and store.count_areas("district", system=system) == 0:
        report.add(Finding.make("streets_without_district", severity=WARNING, file=file,
                                admin=admin))
    full = [None] * len(recs)
    for k, j in enumerate(ok):
        full[j] = d.parents[k]
    d.levels[-1].of_feature = full
    report.extend(d.findings)
    report.info["derived"] = [{**x, "of": level} for x in d.summary()]
    for lv in d.levels:
        report.add(Finding.make("hierarchy_derived", severity=WARNING, file=file,
                                level=lv.level, count=len(lv.rows)))
    return d


def _derived_rows(derived: derivemod.Derived | None, rows_out: list[dict[str, Any]],
                  system: str, file: str, valid_from: str, store: Store
                  ) -> list[tuple[str, list[dict[str, Any]], list[Any]]]:
    """(level, rows, geometries) to insert for the derived levels, top-down; only areas that
    an accepted feature belongs to (directly or through a child)."""
    if derived is None:
        return []
    used = {r["parent_code"] for r in rows_out}
    out = []
    for lv in reversed(derived.levels):
        keep = [k for k, r in enumerate(lv.rows) if r["code"] in used and r["parent_code"]]
        rows = [{"code": lv.rows[k]["code"], "name": lv.rows[k]["name"],
                 "parent_code": lv.rows[k]["parent_code"], "system": system,
                 "source": f"{file}（派生）",
                 "valid_from": valid_from} for k in keep]
        gs = [lv.geoms[k] for k in keep]
        if rows:
            for r, a in zip(rows, crsmod.area_m2(gpd.GeoSeries(gs, crs=store.crs))):
                r["area_m2"] = round(float(a), 2)
        out.append((lv.level, rows, gs))
        used = {r["parent_code"] for r in rows}
    return list(reversed(out))
