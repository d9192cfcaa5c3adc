"""``grid validate``: everything wrong with a project's area hierarchy, as findings.

For each grid system and each level present: invalid geometries, duplicate codes, codes that
break the project's code scheme or do not extend their parent's code, areas with no parent,
overlaps between areas of the level, gaps in each parent not covered by its children, and
children reaching outside their parent.  Geometry is measured in the metric CRS of the data
(see :mod:`gridmgr.coords.crs`); locations are reported in longitude/latitude.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from ..coords.crs import metric_crs_for
from ..findings import WARNING, Finding, Report
from ..levels import LEVEL_TABLES, LEVELS, PARENT_LEVEL
from ..progress import Progress, Task
from ..storage import Store, open_readonly
from . import topology
from .codes import extends_parent
from .codes import scheme as get_scheme


def _code_findings(gdf: gpd.GeoDataFrame, level: str, store: Store) -> list[Finding]:
    sch = get_scheme(store.meta().get("code_scheme", "national"))
    admin = store.meta().get("admin_code")
    out = []
    for code, parent, fid in zip(gdf["code"], gdf["parent_code"], gdf["fid"]):
        problem = sch.problem(code, level)
        if problem:
            out.append(Finding.make("code_scheme", severity=WARNING, file=LEVEL_TABLES[level],
                                    row=int(fid), code=code, scheme=sch.title, detail=problem))
        if level != "district" and not parent:
            out.append(Finding.make("missing_parent", file=LEVEL_TABLES[level], row=int(fid),
                                    code=code, level=level))
        elif parent and not extends_parent(code, parent) and not (
                level == "street" and parent == admin and code.startswith(admin)):
            out.append(Finding.make("code_not_extending_parent", severity=WARNING,
                                    file=LEVEL_TABLES[level], row=int(fid), code=code,
                                    parent=parent))
    return out


def _tag(findings: list[Finding], level: str) -> list[Finding]:
    """Name the layer in each finding, so that the report says where to look."""
    from dataclasses import replace

    return [replace(f, file=f.file or LEVEL_TABLES[level]) for f in findings]


def validate_grid(store: Store, *, system: str | None = None, tolerance_m2: float = 0.1
                  ) -> Task[Report]:
    """Check the current areas of every (or one) grid system; returns a report of findings."""
    store.check_system(system)
    systems = [system] if system else [s["code"] for s in store.grid_systems()]
    report = Report(info={"project": str(store.path), "tolerance_m2": tolerance_m2,
                          "systems": systems})
    steps = len(systems) * len(LEVELS)
    done = 0
    checked = 0
    for sys_code in systems:
        loaded: dict[str, gpd.GeoDataFrame] = {}
        for level in LEVELS:
            yield Progress(done, steps, f"检查 {sys_code} / {LEVEL_TABLES[level]}")
            done += 1
            gdf = store.areas(level, system=sys_code)
            if len(gdf) == 0:
                continue
            checked += len(gdf)
            metric = gdf.to_crs(metric_crs_for(gdf.geometry))
            loaded[level] = metric
            found: list[Finding] = []
            found += topology.invalid_geometries(metric, level=level)
            found += topology.duplicate_codes(metric, level=level)
            found += _code_findings(gdf, level, store)
            found += topology.overlaps(metric, level=level, tolerance_m2=tolerance_m2)
            # the parent layer is the nearest level above that has areas: a grid without
            # communities hangs its cells directly under the streets
            plevel = PARENT_LEVEL[level]
            while plevel and plevel not in loaded:
                plevel = PARENT_LEVEL[plevel]
            parents = loaded.get(plevel) if plevel else None
            if parents is not None:
                parents = parents.to_crs(metric.crs)
                found += topology.gaps(metric, parents, level=level, parent_level=plevel,
                                       tolerance_m2=tolerance_m2)
                found += topology.outside_parent(metric, parents, level=level,
                                                 tolerance_m2=tolerance_m2)
            elif level != "district":
                # no parent layer: holes enclosed by the level itself are still gaps
                found += topology.gaps(metric, None, level=level, tolerance_m2=tolerance_m2)
            report.extend(_tag(found, level))
    report.accepted = checked
    report.info["checked"] = checked
    yield Progress(steps, steps, "完成")
    return report


def validate_file(path: str | Path, *, system: str | None = None, tolerance_m2: float = 0.1
                  ) -> Task[Report]:
    """:func:`validate_grid` on a project file opened read-only for the run: the form a worker
    thread needs, since an SQLite connection stays in the thread that opened it."""
    with open_readonly(path) as store:
        return (yield from validate_grid(store, system=system, tolerance_m2=tolerance_m2))
