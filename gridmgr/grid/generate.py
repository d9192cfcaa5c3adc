"""``grid generate``: unit grid cells as a fishnet clipped to each community (or street).

The net is laid in the metric CRS of the parents (a CGCS2000 Gauss-Krüger zone for a geographic
project), aligned to multiples of the cell size so that neighbouring parents' nets line up;
slivers are merged into a neighbour and cells are numbered west → east, north → south inside
their parent (see :mod:`gridmgr.grid.fishnet`).  All cells land in one transaction, or none: a parent
whose cells would overflow the code's sequence digits stops the whole run with a finding.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from ..coords.crs import area_m2, metric_crs_for
from ..errors import UsageError
from ..findings import ERROR, WARNING, Finding, Report
from ..progress import Progress, Task
from ..registers.cell_assignment import reassign_enterprises
from ..storage import Store, today
from ..text import iso_date
from .codes import scheme as get_scheme
from .fishnet import generate_cells

WITHIN = ("community", "street")
SNAP_M = 1e-6  # metres: far below any survey, far above floating-point noise


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a repaired geometry as one MultiPolygon (lines and points dropped)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geom


def _certain_overflows(net: gpd.GeoDataFrame, size: float, code_length: int) -> list[Finding]:
    """Parents that would overflow their sequence whatever the clipping does.

    After sliver merging no cell is larger than about two squares, so a parent of area A has at
    least A / (2·size²) cells.
    """
    out = []
    for code, area in zip(net["code"], net.geometry.area):
        width = code_length - len(str(code))
        limit = 10 ** width - 1 if width > 0 else 0
        least = int(area // (2 * size * size))
        if least > limit:
            out.append(Finding.make("sequence_overflow", parent=code, count=f"≥{least}",
                                    width=width, limit=limit))
    return out


def generate_grid(store: Store, *, size: float, within: str = "community",
                  system: str = "urban", supersede: bool = False, dry_run: bool = False,
                  sliver_ratio: float = 0.3, valid_from: str | None = None) -> Task[Report]:
    """Generate cells of ``size`` metres inside every current ``within`` area of ``system``."""
    if within not in WITHIN:
        raise UsageError(f"--within 只能是 {' 或 '.join(WITHIN)}")
    if not 10 <= size <= 5000:
        raise UsageError(f"网格边长应在 10 到 5000 米之间，收到 {size}")
    store.check_system(system)
    token = store.change_token()
    parents = store.areas(within, system=system)
    if len(parents) == 0:
        raise UsageError(f"项目中没有{'社区' if within == 'community' else '街道'}，无法生成单元网格；"
                         f"请先 grid import --level {within}")
    if within == "street" and store.count_areas("community", system=system):
        raise UsageError("该网格体系已有社区：单元网格应在社区内生成（--within community），"
                         "否则网格会跨越社区边界")
    existing = store.areas("cell", system=system)
    if len(existing) and not supersede:
        raise UsageError(f"项目中已有 {len(existing)} 个单元网格；重新生成请加 --supersede"
                         "（旧网格保留为历史，不会删除）")
    valid_from = iso_date(valid_from) if valid_from else today()
    sch = get_scheme(store.meta().get("code_scheme", "national"))
    report = Report(info={"size_m": size, "within": within, "system": system,
                          "parents": len(parents), "dry_run": dry_run,
                          "code_scheme": sch.key})
    metric = metric_crs_for(parents.geometry)
    report.info["metric_crs"] = f"EPSG:{metric.to_epsg()}"
    net = parents[["code", "geometry"]].to_crs(metric)
    # Parents stored in lon/lat come back from the round trip with nanometre noise (an edge
    # on a net line at x=500000.0000000013).  Cut as they are, that leaves nanometre strips
    # that turn into self-intersections when the cells go back to lon/lat.  A micrometre grid
    # removes the noise; shared borders snap alike, so the parents still tile.
    net["geometry"] = shapely.set_precision(net.geometry.to_numpy(), SNAP_M)
    names = dict(zip(parents["code"], parents["name"]))
    early = _certain_overflows(net, size, sch.length("cell"))
    if early:  # don't cut millions of squares to find out what arithmetic already says
        report.extend(early)
        report.info["written"] = False
        return report
    cells, findings = yield from generate_cells(net, size, code_length=sch.length("cell"),
                                                sliver_ratio=sliver_ratio)
    report.extend(findings)
    if any(f.severity == ERROR for f in findings):
        report.accepted = 0
        report.info["written"] = False
        return report
    cells = cells.to_crs(store.crs)
    geoms = cells.geometry.to_numpy()
    bad = ~shapely.is_valid(geoms)
    if bad.any():  # never store what validate would reject: repair, keep the polygonal part
        fixed = shapely.make_valid(geoms[bad], method="structure")
        geoms[bad] = [_polygonal(g) for g in fixed]
        cells = cells.set_geometry(geoms, crs=store.crs)
        report.info["repaired"] = int(bad.sum())
    records = [{"code": c, "parent_code": p, "system": system, "source": "generated",
                "name": f"{names.get(p) or p}{int(s):02d}号网格",
                "valid_from": valid_from}
               for c, p, s in zip(cells["code"], cells["parent_code"], cells["seq"])]
    for rec, a in zip(records, area_m2(gpd.GeoSeries(cells.geometry, crs=store.crs))):
        rec["area_m2"] = round(float(a), 2)
    report.accepted = len(records)
    report.info["written"] = not dry_run
    if dry_run:
        return report
    total = len(records)
    with store.atomic():
        store.check_unchanged(token)  # the cells counted above are still the project's
        if supersede and len(existing):
            report.info["superseded"] = store.close_areas(
                "cell", system, codes=list(existing["code"]), valid_to=valid_from)
            # a cell that ended takes its own responsibilities with it, even if a new cell
            # reuses its code: the new polygon needs a decision, not an inheritance
            closed = store.close_area_responsibilities(system, list(existing["code"]),
                                                       valid_from)
            if closed:
                report.add(Finding.make("responsibilities_closed", severity=WARNING,
                                        count=closed))
        batch = 5000
        geoms = cells.geometry.to_numpy()
        for start in range(0, total, batch):
            store.insert_areas("cell", records[start:start + batch], geoms[start:start + batch])
            yield Progress(min(start + batch, total), total, "写入单元网格")
        if system == "urban":
            moved = reassign_enterprises(store)
            report.info["enterprises_moved_count"] = len(moved)
            report.info["enterprises_moved"] = moved[:1000]  # the report lists the first 1000
        store.audit("grid generate", {"size_m": size, "within": within, "system": system,
                                      "cells": total})
    return report
