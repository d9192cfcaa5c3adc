"""``grid validate``: everything wrong with a project's area hierarchy, as findings.

For each grid system and each level present: invalid geometries, duplicate codes, codes that
break the project's code scheme or do not extend their parent's code, areas with no parent,
overlaps between areas of the level, gaps in each parent not covered by its children, and
children reaching outside their parent.  Geometry is measured in the metric CRS of the data
(see :mod:`gridmgr.coords.crs`); locations are reported in longitude/latitude.

A geometry is invalid when it is invalid as stored or as measured: reprojection can hide a
bow-tie, and what import kept must be reported until ``grid repair`` fixes it.  Overlaps, gaps
and overshoots smaller than the survey tolerance (default :data:`SURVEY_TOLERANCE_M2`) are
notices, not errors; below :data:`NOISE_M2` (floating-point residue of reprojection) nothing is
reported.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..coords.crs import metric_crs_for
from ..findings import NOTICE, WARNING, Finding, Report
from ..levels import LEVEL_TABLES, LEVELS, PARENT_LEVEL
from ..progress import Progress, Task
from ..storage import Store, open_readonly
from . import topology
from .codes import extends_parent
from .codes import scheme as get_scheme

# A 1 m × 1 m square: the plotting precision of the 1:500–1:2000 surveys cell layers are drawn
# from (±0.5 m); smaller slivers are survey noise, worth a notice, not an error.
SURVEY_TOLERANCE_M2 = 1.0
NOISE_M2 = 0.01
AREA_REASONS = ("overlap", "gap", "hole", "outside_parent")


def survey_tolerance_m2(crs: object = None) -> float:
    """The default tolerance for a project: :data:`SURVEY_TOLERANCE_M2` whatever its CRS, since
    stored coordinates (double degrees or metres) are far more precise than the survey."""
    return SURVEY_TOLERANCE_M2


def _stored_invalid(gdf: gpd.GeoDataFrame, level: str, flagged: set[str]) -> list[Finding]:
    """Invalid geometries as stored (project CRS) that the metric check did not flag; located
    in lon/lat."""
    geoms = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bad = np.flatnonzero(present & ~shapely.is_valid(geoms))
    out = []
    for i in bad:
        code = gdf["code"].iloc[i]
        if code in flagged:
            continue
        p = shapely.point_on_surface(shapely.make_valid(geoms[i]))
        if gdf.crs is not None and gdf.crs.is_projected and not p.is_empty:
            p = gpd.GeoSeries([p], crs=gdf.crs).to_crs(topology.LONLAT_CRS).iloc[0]
        out.append(Finding.make("invalid_geometry", level=level, code=code,
                                detail=shapely.is_valid_reason(geoms[i]),
                                x=float(p.x) if not p.is_empty else None,
                                y=float(p.y) if not p.is_empty else None))
    return out


def _as_notices(findings: list[Finding], tolerance_m2: float) -> list[Finding]:
    """Area findings under the tolerance become notices."""
    return [replace(f, severity=NOTICE, extra={**f.extra, "tolerance_m2": tolerance_m2})
            if f.reason in AREA_REASONS and f.area_m2 is not None and f.area_m2 <= tolerance_m2
            else f for f in findings]


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
    return [replace(f, file=f.file or LEVEL_TABLES[level]) for f in findings]


def validate_grid(store: Store, *, system: str | None = None,
                  tolerance_m2: float | None = None) -> Task[Report]:
    """Check the current areas of every (or one) grid system; returns a report of findings.

    ``tolerance_m2`` None: the survey tolerance (:func:`survey_tolerance_m2`); the report says
    which one was used (``tolerance_m2``, ``tolerance_source``).
    """
    store.check_system(system)
    systems = [system] if system else [s["code"] for s in store.grid_systems()]
    source = "option" if tolerance_m2 is not None else "survey"
    if tolerance_m2 is None:
        tolerance_m2 = survey_tolerance_m2(store.crs)
    floor = min(NOISE_M2, tolerance_m2)
    report = Report(info={"project": str(store.path), "tolerance_m2": tolerance_m2,
                          "tolerance_source": source, "noise_m2": floor, "systems": systems})
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
            found += _stored_invalid(gdf, level, {f.code for f in found if f.code})
            found += topology.duplicate_codes(metric, level=level)
            found += _code_findings(gdf, level, store)
            found += topology.overlaps(metric, level=level, tolerance_m2=floor)
            # the parent layer is the nearest level above that has areas: a grid without
            # communities hangs its cells directly under the streets
            plevel = PARENT_LEVEL[level]
            while plevel and plevel not in loaded:
                plevel = PARENT_LEVEL[plevel]
            parents = loaded.get(plevel) if plevel else None
            if parents is not None:
                parents = parents.to_crs(metric.crs)
                found += topology.gaps(metric, parents, level=level, parent_level=plevel,
                                       tolerance_m2=floor)
                found += topology.outside_parent(metric, parents, level=level,
                                                 tolerance_m2=floor)
            elif level != "district":
                # no parent layer: holes enclosed by the level itself are still gaps
                found += topology.gaps(metric, None, level=level, tolerance_m2=floor)
            report.extend(_tag(_as_notices(found, tolerance_m2), level))
    report.accepted = checked
    report.info["checked"] = checked
    yield Progress(steps, steps, "完成")
    return report


def validate_file(path: str | Path, *, system: str | None = None,
                  tolerance_m2: float | None = None) -> Task[Report]:
    """:func:`validate_grid` on a project file opened read-only for the run: the form a worker
    thread needs, since an SQLite connection stays in the thread that opened it."""
    with open_readonly(path) as store:
        return (yield from validate_grid(store, system=system, tolerance_m2=tolerance_m2))
