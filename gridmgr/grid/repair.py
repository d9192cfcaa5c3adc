"""``grid repair``: make the invalid geometries that import kept valid, with a report.

Import keeps an invalid polygon (a bow-tie, a self-touching ring) so that nothing is lost and
``grid validate`` can point at it.  Repair replaces each one by ``shapely.make_valid`` keeping
only its polygonal parts (a bow-tie becomes its two triangles), in place: the area keeps its
code, parent, history and responsibilities.  One transaction for the whole run; the report
lists every area with its area before and after (m²) and how many parts it now has.  An area
whose repair leaves no polygon is refused and left as it was.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..coords.crs import area_m2
from ..findings import WARNING, Finding, Report
from ..levels import LEVEL_TABLES, LEVELS
from ..progress import Progress, Task
from ..registers.cell_assignment import reassign_enterprises
from ..storage import Store


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal parts of a make_valid result (lines and points of a collapse dropped)."""
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    return shapely.union_all(polys) if len(polys) else shapely.Polygon()


def repair_grid(store: Store, *, system: str | None = None, dry_run: bool = False
                ) -> Task[Report]:
    """Repair every current invalid area of every (or one) grid system; returns the report."""
    store.check_system(system)
    systems = [system] if system else [s["code"] for s in store.grid_systems()]
    report = Report(info={"project": str(store.path), "systems": systems, "dry_run": dry_run})
    todo: list[tuple[str, list[int], list[shapely.Geometry], list[float]]] = []
    steps = len(systems) * len(LEVELS)
    done = 0
    for sys_code in systems:
        for level in LEVELS:
            yield Progress(done, steps + 1, f"检查 {sys_code} / {LEVEL_TABLES[level]}")
            done += 1
            gdf = store.areas(level, system=sys_code)
            if len(gdf) == 0:
                continue
            geoms = gdf.geometry.to_numpy()
            present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            bad = np.flatnonzero(present & ~shapely.is_valid(geoms))
            if len(bad) == 0:
                continue
            reasons = shapely.is_valid_reason(geoms[bad])
            fixed = np.array([_polygonal(shapely.make_valid(g)) for g in geoms[bad]],
                             dtype=object)
            before = area_m2(gdf.geometry.iloc[bad])
            after = area_m2(type(gdf.geometry)(fixed, crs=gdf.crs))
            fids, out, areas = [], [], []
            for k, i in enumerate(bad):
                code = gdf["code"].iloc[i]
                where = {"file": LEVEL_TABLES[level], "row": code, "code": code,
                         "level": level, "detail": str(reasons[k])}
                if shapely.is_empty(fixed[k]) or not shapely.is_valid(fixed[k]):
                    report.add(Finding.make("repair_failed", **where))
                    continue
                report.add(Finding.make(
                    "geometry_repaired", severity=WARNING, **where,
                    before=f"{before[k]:.1f}", after=f"{after[k]:.1f}",
                    parts=int(shapely.get_num_geometries(fixed[k]))))
                fids.append(int(gdf["fid"].iloc[i]))
                out.append(fixed[k])
                areas.append(round(float(after[k]), 2))
            if fids:
                todo.append((level, fids, out, areas))
    report.accepted = sum(len(t[1]) for t in todo)
    if dry_run or not todo:
        yield Progress(steps + 1, steps + 1, "完成" if todo else "没有需要修复的几何")
        return report
    yield Progress(steps, steps + 1, f"写入 {report.accepted} 个修复后的区域")
    with store.atomic():
        for level, fids, out, areas in todo:
            store.set_area_geometries(level, fids, out, areas)
        if any(t[0] == "cell" for t in todo) and "urban" in systems:
            moved = reassign_enterprises(store)  # a cell's shape changed: so may their cells
            report.info["enterprises_moved_count"] = len(moved)
            report.info["enterprises_moved"] = moved[:1000]
        store.audit("grid repair", {"repaired": report.accepted,
                                    "refused": len(report.refused), "systems": systems})
    yield Progress(steps + 1, steps + 1, "完成")
    return report
