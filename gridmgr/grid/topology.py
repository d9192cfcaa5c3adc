"""Geometry checks for the area hierarchy: district → street → community → unit grid cell.

Grid management needs every level to tile its parent exactly: each piece of ground belongs to one
cell, one community, one street.  These checks find where that fails (invalid shapes, overlaps,
gaps, children outside their parent, orphans, duplicated codes) and return :class:`Finding` s with
a lon/lat location to zoom to and the area concerned, so the CLI, the JSON report and the desktop
table show them the same way.

Pure geometry: no SQL, no files, no Qt.  Inputs are GeoDataFrames in a projected CRS in metres
with columns ``code``, ``parent_code`` and a geometry.  All work is vectorised with shapely 2 so a
layer of 100,000 cells is checked in seconds; Python loops run over parents or findings only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.errors import GEOSException

from ..errors import UsageError
from ..findings import Finding
from ..levels import LEVEL_ZH, PARENT_LEVEL
from ..messages import language

__all__ = [
    "LONLAT_CRS",
    "duplicate_codes",
    "gaps",
    "invalid_geometries",
    "outside_parent",
    "overlaps",
]

LONLAT_CRS = "EPSG:4490"  # CGCS2000 geographic, the national standard for lon/lat


# Coordinate precision (metres) to retry an overlay with when GEOS gives up on the exact one.
_RETRY_GRID = 1e-3

# "Self-intersection[500050 2550050]": GEOS names the offending point in brackets.
_REASON_POINT = re.compile(r"\[\s*([^\s\]]+)\s+([^\s\]]+)[^\]]*\]")

_EMPTY = shapely.Polygon()


# --------------------------------------------------------------------------------------------
# public checks


def invalid_geometries(gdf: gpd.GeoDataFrame, *, level: str,
                       lonlat_crs: str | CRS = LONLAT_CRS) -> list[Finding]:
    """One ``invalid_geometry`` finding per invalid, empty or missing geometry.

    Invalid shapes make every later overlay unreliable, so they are reported first and on their
    own.  ``detail`` is GEOS's reason (e.g. ``Self-intersection[x y]``) or ``"empty"``; the
    location is the point GEOS names when there is one, else a point inside the repaired shape.
    """
    _check_crs(gdf)
    geoms = _geoms(gdf)
    codes = _codes(gdf["code"])
    missing = _missing(geoms)
    bad = np.flatnonzero(~missing & ~shapely.is_valid(geoms))
    reasons = shapely.is_valid_reason(geoms[bad])
    fixed = _make_valid(geoms[bad])
    px, py = _xy(_rep_points(fixed))
    for k, reason in enumerate(reasons):
        named = _reason_point(reason)
        if named is not None:
            px[k], py[k] = named
    lon, lat = _Locator(gdf.crs, lonlat_crs).transform(px, py)
    areas = shapely.area(fixed)

    found: dict[int, Finding] = {}
    for k, i in enumerate(bad):
        found[int(i)] = _make("invalid_geometry", lon[k], lat[k], areas[k], level=level,
                              code=codes[i], detail=str(reasons[k]))
    for i in np.flatnonzero(missing):
        found[int(i)] = Finding.make("invalid_geometry", level=level, code=codes[i],
                                     detail="empty")
    return [found[i] for i in sorted(found)]


def overlaps(gdf: gpd.GeoDataFrame, *, level: str, tolerance_m2: float = 0.1,
             lonlat_crs: str | CRS = LONLAT_CRS) -> list[Finding]:
    """One ``overlap`` finding per pair of features whose interiors share > ``tolerance_m2``.

    Two cells of one level must never claim the same ground.  A shared border is not an overlap;
    containment and identical duplicates are.  ``code`` is the earlier feature of the pair,
    ``other`` the later one, ``area`` the overlap in m², located inside the overlap.

    Candidate pairs come from an STRtree bounding-box query, are narrowed by the area their boxes
    share (a clean grid drops out here), then by a DE-9IM interior test, and only the survivors
    are intersected — all vectorised, so 100,000 cells take seconds.
    """
    _check_crs(gdf)
    geoms = _make_valid(_geoms(gdf))
    geoms[_missing(geoms)] = None
    codes = _codes(gdf["code"])

    left, right = shapely.STRtree(geoms).query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    # Interiors can only share area where the bounding boxes do.
    b = shapely.bounds(geoms)
    wx = np.minimum(b[left, 2], b[right, 2]) - np.maximum(b[left, 0], b[right, 0])
    wy = np.minimum(b[left, 3], b[right, 3]) - np.maximum(b[left, 1], b[right, 1])
    keep = (wx > 0) & (wy > 0) & (wx * wy > tolerance_m2)
    left, right = left[keep], right[keep]
    keep = _robust(_interiors_meet, geoms[left], geoms[right], fallback=True)
    left, right = left[keep], right[keep]

    shared = _robust(shapely.intersection, geoms[left], geoms[right])
    area = shapely.area(shared)
    keep = area > tolerance_m2
    left, right, shared, area = left[keep], right[keep], shared[keep], area[keep]
    order = np.lexsort((right, left))
    left, right, shared, area = left[order], right[order], shared[order], area[order]

    lon, lat = _Locator(gdf.crs, lonlat_crs).lonlat(_rep_points(shared))
    return [
        _make("overlap", lon[k], lat[k], area[k], level=level, code=codes[i], other=codes[j],
              area=float(area[k]))
        for k, (i, j) in enumerate(zip(left, right))
    ]


def gaps(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame | None, *, level: str,
         parent_level: str | None = None, tolerance_m2: float = 0.1,
         lonlat_crs: str | CRS = LONLAT_CRS) -> list[Finding]:
    """One ``gap`` finding per connected piece of a parent that no child covers.

    Every bit of a community must lie in some cell, or events there have no one responsible.
    All children intersecting a parent count as covering it, whatever their ``parent_code``, so a
    cell filed under the wrong parent shows up as a parent mismatch elsewhere, not as a gap here.
    ``code`` is the parent's code; pieces of ``tolerance_m2`` or less are ignored.

    With no parent layer (``parents`` None or empty: the top level), the holes enclosed by the
    union of the children are reported instead.  ``parent_level`` names the parents in the
    message; by default it is the level above ``level``.
    """
    _check_crs(children)
    kids = _make_valid(_geoms(children))
    kids = kids[~_missing(kids)]
    locator = _Locator(children.crs, lonlat_crs)
    if parents is None or len(parents) == 0:
        return _holes(kids, level=level, tolerance_m2=tolerance_m2, locator=locator)

    parents = _same_crs(parents, children)
    pgeoms = _make_valid(_geoms(parents))
    pcodes = _codes(parents["code"])
    plevel = parent_level or PARENT_LEVEL.get(level) or ""

    covering = np.full(len(pgeoms), _EMPTY, dtype=object)
    if len(kids):
        pi, ci = shapely.STRtree(kids).query(pgeoms, predicate="intersects")
        for p, members in _groups(pi, ci):
            covering[p] = _union(kids[members])
    left_over = _robust(shapely.difference, pgeoms, covering)

    pieces, owner = shapely.get_parts(left_over, return_index=True)
    area = shapely.area(pieces)
    keep = area > tolerance_m2
    pieces, owner, area = pieces[keep], owner[keep], area[keep]
    lon, lat = locator.lonlat(_rep_points(pieces))
    return [
        _make("gap", lon[k], lat[k], area[k], level=level, code=pcodes[p], parent=pcodes[p],
              parent_desc=_parent_desc(plevel, pcodes[p]), area=float(area[k]))
        for k, p in enumerate(owner)
    ]


def outside_parent(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame, *, level: str,
                   tolerance_m2: float = 0.1,
                   lonlat_crs: str | CRS = LONLAT_CRS) -> list[Finding]:
    """Children reaching outside their own parent (``outside_parent``) or naming none (``orphan``).

    A cell must lie inside the community it is filed under, else statistics by community count
    ground twice.  One ``outside_parent`` finding per child whose area outside the parent named
    by its ``parent_code`` exceeds ``tolerance_m2``; one ``orphan`` finding per child whose
    ``parent_code`` is not a code in ``parents``.  Children without a ``parent_code`` are left to
    the missing-parent check.  Parents sharing a code are treated as their union.
    """
    _check_crs(children)
    parents = _same_crs(parents, children)
    kids = _make_valid(_geoms(children))
    codes = _codes(children["code"])
    wanted = _codes(children["parent_code"])

    pgeoms = _make_valid(_geoms(parents))
    by_code: dict[str, list[int]] = {}
    for i, c in enumerate(_codes(parents["code"])):
        if c is not None:
            by_code.setdefault(c, []).append(i)
    parent_of = {c: pgeoms[ix[0]] if len(ix) == 1 else _union(pgeoms[ix])
                 for c, ix in by_code.items()}

    orphans = [i for i, pc in enumerate(wanted) if pc is not None and pc not in parent_of]
    has_geom = ~_missing(kids)
    filed = np.array([i for i, pc in enumerate(wanted) if pc in parent_of and has_geom[i]],
                     dtype=np.intp)
    home = np.array([parent_of[wanted[i]] for i in filed], dtype=object)
    for g in parent_of.values():
        shapely.prepare(g)  # covers() below runs prepared on the parent side
    inside = _robust(shapely.covers, home, kids[filed], fallback=False)
    filed, home = filed[~inside], home[~inside]
    beyond = _robust(shapely.difference, kids[filed], home)
    area = shapely.area(beyond)
    keep = area > tolerance_m2
    filed, beyond, area = filed[keep], beyond[keep], area[keep]

    locator = _Locator(children.crs, lonlat_crs)
    found: list[tuple[int, Finding]] = []
    lon, lat = locator.lonlat(_rep_points(beyond))
    for k, i in enumerate(filed):
        found.append((int(i), _make("outside_parent", lon[k], lat[k], area[k], level=level,
                                    code=codes[i], parent=wanted[i], area=float(area[k]))))
    lost = np.array(orphans, dtype=np.intp)
    lon, lat = locator.lonlat(_rep_points(kids[lost]))
    lost_area = shapely.area(kids[lost])
    for k, i in enumerate(lost):
        found.append((int(i), _make("orphan", lon[k], lat[k], lost_area[k], level=level,
                                    code=codes[i], parent=wanted[i])))
    found.sort(key=lambda item: item[0])
    return [f for _, f in found]


def duplicate_codes(gdf: gpd.GeoDataFrame, *, level: str,
                    lonlat_crs: str | CRS = LONLAT_CRS) -> list[Finding]:
    """One ``duplicate_code`` finding per code used by more than one feature.

    Codes are the keys everything else (events, statistics, parent links) hangs on.  The finding
    is located at the first feature with the code; ``count`` says how many use it.
    """
    codes = _codes(gdf["code"])
    counts = Counter(c for c in codes if c is not None)
    first: dict[str, int] = {}
    for i, c in enumerate(codes):
        if c is not None and counts[c] > 1:
            first.setdefault(c, i)
    if not first:
        return []
    rows = np.fromiter(first.values(), dtype=np.intp, count=len(first))
    lon, lat = _Locator(gdf.crs, lonlat_crs).lonlat(_rep_points(_make_valid(_geoms(gdf)[rows])))
    return [
        _make("duplicate_code", lon[k], lat[k], None, level=level, code=c, count=counts[c])
        for k, c in enumerate(first)
    ]


# --------------------------------------------------------------------------------------------
# helpers


class _Locator:
    """Projected metres → lon/lat for finding locations (NaN where unknown or no CRS)."""

    def __init__(self, crs: Any, lonlat_crs: str | CRS) -> None:
        self._t = None if crs is None else Transformer.from_crs(crs, lonlat_crs, always_xy=True)

    def transform(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._t is None or len(x) == 0:
            return np.full(len(x), np.nan), np.full(len(y), np.nan)
        lon, lat = self._t.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def lonlat(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.transform(*_xy(points))


def _holes(kids: np.ndarray, *, level: str, tolerance_m2: float,
           locator: _Locator) -> list[Finding]:
    """Gaps of a top level: ground enclosed by the layer but in none of its areas."""
    if len(kids) == 0:
        return []
    union = _union(kids)
    parts = shapely.get_parts(union)
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    holed = parts[shapely.get_num_interior_rings(parts) > 0]
    if len(holed) == 0:
        return []
    filled = shapely.union_all(shapely.polygons(shapely.get_exterior_ring(holed)))
    # Subtract the whole union, not just the holed parts: islands inside a hole are parts too.
    enclosed = _robust(shapely.difference, np.array([filled], dtype=object),
                       np.array([union], dtype=object))
    pieces = shapely.get_parts(enclosed)
    area = shapely.area(pieces)
    keep = area > tolerance_m2
    pieces, area = pieces[keep], area[keep]
    lon, lat = locator.lonlat(_rep_points(pieces))
    return [_make("hole", lon[k], lat[k], area[k], level=level, area=float(area[k]))
            for k in range(len(pieces))]


def _check_crs(gdf: gpd.GeoDataFrame) -> None:
    """Areas and tolerances are in m²; a lon/lat layer would silently pass every check."""
    if gdf.crs is not None and gdf.crs.is_geographic:
        raise UsageError(f"拓扑检查需要以米为单位的投影坐标系，当前为 {gdf.crs.name}")


def _same_crs(gdf: gpd.GeoDataFrame, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and like.crs is not None and gdf.crs != like.crs:
        return gdf.to_crs(like.crs)
    _check_crs(gdf)
    return gdf


def _geoms(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries as a fresh object array (positional, so index labels do not matter)."""
    return np.array(gdf.geometry.array, dtype=object)


def _codes(values: Sequence[Any]) -> list[str | None]:
    """Codes as stripped strings; None/NaN/NA/blank become None."""
    out: list[str | None] = []
    for v in values:
        if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
            out.append(None)
            continue
        s = str(v).strip()
        out.append(s or None)
    return out


def _missing(geoms: np.ndarray) -> np.ndarray:
    return shapely.is_missing(geoms) | shapely.is_empty(geoms)


def _make_valid(geoms: np.ndarray) -> np.ndarray:
    """A copy with invalid geometries repaired, keeping polygons polygonal (method "structure").

    "structure" keeps both lobes of a bow-tie and never adds stray lines, so areas stay areas.
    A geometry GEOS cannot repair at all becomes None (it is reported by invalid_geometries).
    """
    out = np.array(geoms, dtype=object)
    bad = np.flatnonzero(~shapely.is_missing(out) & ~shapely.is_valid(out))
    if len(bad) == 0:
        return out
    try:
        out[bad] = shapely.make_valid(out[bad], method="structure", keep_collapsed=False)
    except GEOSException:
        for i in bad:
            try:
                out[i] = shapely.make_valid(out[i], method="structure", keep_collapsed=False)
            except GEOSException:
                out[i] = None
    return out


def _robust(func: Callable[..., Any], a: np.ndarray, b: np.ndarray, *,
            fallback: Any = None) -> np.ndarray:
    """``func(a, b)`` vectorised; when GEOS fails on some pair, redo pair by pair.

    A failing pair is retried at millimetre precision (overlays only) and, failing that, gets
    ``fallback`` — a topology exception on one odd shape must not stop a whole check.
    """
    try:
        return func(a, b)
    except GEOSException:
        pass
    is_overlay = func in (shapely.intersection, shapely.difference)
    out = np.empty(len(a), dtype=bool if isinstance(fallback, bool) else object)
    for k, (x, y) in enumerate(zip(a, b)):
        try:
            out[k] = func(x, y)
        except GEOSException:
            out[k] = fallback
            if is_overlay:
                try:
                    out[k] = func(x, y, grid_size=_RETRY_GRID)
                except GEOSException:
                    pass
    return out


def _interiors_meet(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where the interiors of a and b intersect (DE-9IM ``T********``)."""
    return shapely.relate_pattern(a, b, "T********")


def _union(geoms: np.ndarray) -> Any:
    """Union of polygons; the fast coverage union when they form a valid coverage.

    ``coverage_union_all`` is an order of magnitude faster but only correct for non-overlapping
    polygons with matching edges, which a clean grid is; anything else takes ``union_all``.
    """
    geoms = geoms[~_missing(geoms)]
    if len(geoms) == 0:
        return _EMPTY
    if len(geoms) == 1:
        return geoms[0]
    try:
        if bool(shapely.coverage_is_valid(geoms)):
            return shapely.coverage_union_all(geoms)
    except GEOSException:
        pass
    try:
        return shapely.union_all(geoms)
    except GEOSException:
        return shapely.union_all(geoms, grid_size=_RETRY_GRID)


def _groups(keys: np.ndarray, values: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Split ``values`` by ``keys`` (the two arrays of an STRtree query) into (key, values)."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.diff(keys)) + 1
    return list(zip(keys[np.r_[0, starts]].tolist(), np.split(values, starts)))


def _rep_points(geoms: np.ndarray) -> np.ndarray:
    """A point inside each geometry (None where there is none)."""
    geoms = np.array(geoms, dtype=object)
    try:
        pts = shapely.point_on_surface(geoms)
    except GEOSException:
        pts = np.empty(len(geoms), dtype=object)
        for k, g in enumerate(geoms):
            try:
                pts[k] = shapely.point_on_surface(g)
            except GEOSException:
                pts[k] = shapely.centroid(shapely.envelope(g))
    pts[_missing(pts)] = None
    return pts


def _xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.array(points, dtype=object)
    return shapely.get_x(points), shapely.get_y(points)


def _reason_point(reason: str) -> tuple[float, float] | None:
    m = _REASON_POINT.search(reason or "")
    if m is None:
        return None
    try:
        x, y = float(m.group(1)), float(m.group(2))
    except ValueError:
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def _parent_desc(parent_level: str, code: str | None) -> str:
    name = parent_level if language() == "en" else LEVEL_ZH.get(parent_level, parent_level)
    return f"{name} {code}".strip()


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _make(reason: str, lon: Any, lat: Any, area_m2: Any, /, **placeholders: Any) -> Finding:
    """A finding at (lon, lat) with ``area_m2``; NaN (no CRS, no point) becomes None."""
    x, y = _num(lon), _num(lat)
    if x is None or y is None:
        x = y = None
    return Finding.make(reason, x=x, y=y, area_m2=_num(area_m2), **placeholders)
