"""Unit grid cells (单元网格) as a fishnet clipped to parent areas (communities or streets).

Pure geometry: no SQL, no files, no Qt.  The net is aligned to global multiples of the cell size
so that the cells of neighbouring parents line up along their common border.  All geometric work
over squares is vectorised with shapely; Python loops only run over parents and over slivers.
"""

from __future__ import annotations

import heapq
import math

import geopandas
import numpy as np
import shapely

from ..errors import UsageError
from ..findings import ERROR, WARNING, Finding
from ..progress import Progress, Task

# Cells smaller than this (m²) after merging touched nothing: floating-point crumbs, not cells.
_CRUMB_AREA = 1e-6
_POLYGON = shapely.GeometryType.POLYGON


def generate_cells(parents: geopandas.GeoDataFrame, size: float, *, code_length: int,
                   sliver_ratio: float = 0.3) -> Task[tuple[geopandas.GeoDataFrame, list[Finding]]]:
    """Cut every parent into ``size`` × ``size`` cells numbered north → south, west → east.

    A generator task (see :mod:`gridmgr.progress`): it yields one :class:`Progress` before each
    parent, so the desktop can show which parent is being cut and cancel between parents, and
    returns ``(cells, findings)``.  ``cells`` has columns ``code``, ``parent_code``, ``seq`` and
    ``geometry`` in the CRS of ``parents``; the cells of a parent tile it exactly.  Clipped pieces
    smaller than ``sliver_ratio * size²`` are merged into a neighbour so that no one has to walk
    a 3 m² cell.  A parent whose cells do not fit in ``code_length - len(code)`` digits gets no
    cells at all (a ``sequence_overflow`` error) rather than codes that break the scheme.
    """
    size = float(size)
    if not math.isfinite(size) or size <= 0:
        raise UsageError(f"网格边长必须为正数：{size}")
    if not 0 <= sliver_ratio <= 1:
        raise UsageError(f"碎片面积比例必须在 0 到 1 之间：{sliver_ratio}")
    crs = parents.crs
    if crs is not None and crs.is_geographic:
        raise UsageError("生成单元网格需要以米为单位的投影坐标系，而不是经纬度")

    codes = [str(c) for c in parents["code"]]
    geoms = np.asarray(parents.geometry.array, dtype=object)
    total = len(codes)
    sliver_area = sliver_ratio * size * size
    findings: list[Finding] = []
    out_geoms: list[np.ndarray] = []
    out_parent: list[str] = []
    out_seq: list[np.ndarray] = []
    out_code: list[str] = []

    for k, (code, geom) in enumerate(zip(codes, geoms)):
        yield Progress(k, total, f"生成单元网格 {code}")
        parent = _polygonal(geom)
        if parent is None:
            continue
        cells, merged = _parent_cells(parent, size, sliver_area)
        n = len(cells)
        if n == 0:
            continue
        width = code_length - len(code)
        limit = 10**width - 1 if width >= 1 else 0
        if n > limit:
            findings.append(Finding.make("sequence_overflow", severity=ERROR, parent=code,
                                         count=n, width=width, limit=limit))
            continue
        if merged:
            findings.append(Finding.make("sliver_merged", severity=WARNING, parent=code,
                                         count=merged))
        seq = np.arange(1, n + 1)
        out_geoms.append(cells)
        out_parent.extend([code] * n)
        out_seq.append(seq)
        out_code.extend(f"{code}{s:0{width}d}" for s in range(1, n + 1))

    result = geopandas.GeoDataFrame(
        {
            "code": out_code,
            "parent_code": out_parent,
            "seq": np.concatenate(out_seq) if out_seq else np.zeros(0, dtype=np.int64),
        },
        geometry=geopandas.GeoSeries(
            np.concatenate(out_geoms) if out_geoms else np.zeros(0, dtype=object), crs=crs),
        crs=crs,
    )
    result["seq"] = result["seq"].astype(np.int64)
    return result, findings


def _polygonal(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygonal part of ``geom`` made valid, or None when nothing area-like is left.

    Imports keep invalid geometries (they are reported separately), so cutting must cope.
    """
    if geom is None or shapely.is_empty(geom):
        return None
    geom = shapely.force_2d(geom)
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    if shapely.get_type_id(geom) not in (3, 6):  # not Polygon/MultiPolygon: keep the polygons
        parts, _ = _polygons(np.array([geom], dtype=object))
        if len(parts) == 0:
            return None
        geom = shapely.union_all(parts)
    if shapely.is_empty(geom) or shapely.area(geom) <= 0:
        return None
    return geom


def _polygons(geoms: np.ndarray, index: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Explode ``geoms`` (also nested collections) into Polygons with positive area.

    Also returns, for every polygon, the ``index`` entry (default: position) of its source, so
    that a square split into several pieces gives each piece its square.
    """
    idx = np.arange(len(geoms)) if index is None else np.asarray(index)
    while True:
        parts, src = shapely.get_parts(geoms, return_index=True)
        idx = idx[src]
        types = shapely.get_type_id(parts)
        if not np.isin(types, (4, 5, 6, 7)).any():  # no Multi* or collection left
            break
        geoms = parts
    keep = (types == _POLYGON) & (shapely.area(parts) > 0)
    return parts[keep], idx[keep]


def _parent_cells(parent: shapely.Geometry, size: float, sliver_area: float
                  ) -> tuple[np.ndarray, int]:
    """The cells of one parent in numbering order, and how many slivers were merged."""
    minx, miny, maxx, maxy = shapely.bounds(parent)
    i = np.arange(math.floor(minx / size), math.ceil(maxx / size), dtype=np.int64)
    j = np.arange(math.floor(miny / size), math.ceil(maxy / size), dtype=np.int64)
    if len(i) == 0 or len(j) == 0:
        return np.zeros(0, dtype=object), 0
    ii, jj = (a.ravel() for a in np.meshgrid(i, j))
    # (i+1)*size, not i*size+size: both neighbours of a grid line must compute the same number.
    squares = shapely.box(ii * size, jj * size, (ii + 1) * size, (jj + 1) * size)

    was_prepared = shapely.is_prepared(parent)
    shapely.prepare(parent)
    meets = shapely.intersects(parent, squares)
    ii, jj, squares = ii[meets], jj[meets], squares[meets]
    inside = shapely.contains_properly(parent, squares)
    if not was_prepared:
        shapely.destroy_prepared(parent)  # it may be the caller's object; leave it as it came
    edge = np.flatnonzero(~inside)
    clipped, src = _polygons(shapely.intersection(squares[edge], parent), edge)

    pieces = np.concatenate([squares[inside], clipped])
    square_of = np.concatenate([np.flatnonzero(inside), src])
    areas = shapely.area(pieces)
    label, merged = _merge_slivers(pieces, areas, sliver_area)

    # A cell keeps the square of its largest piece (the head of its group); union only where
    # pieces were merged, which is a few per parent.
    order = np.lexsort((-areas, label))
    starts = np.flatnonzero(np.r_[True, label[order][1:] != label[order][:-1]])
    ends = np.r_[starts[1:], len(order)]
    heads = order[starts]
    cells = pieces[heads]
    for g in np.flatnonzero(ends - starts > 1):
        cells[g] = shapely.union_all(pieces[order[starts[g]:ends[g]]])
    ci, cj = ii[square_of[heads]], jj[square_of[heads]]

    bad = ~shapely.is_valid(cells)
    if bad.any():
        cells[bad] = [_polygonal(c) for c in cells[bad]]
    # Crumbs are floating-point leftovers that touched nothing to merge into, not cells.
    keep = np.array([c is not None for c in cells], dtype=bool)
    keep[keep] = shapely.area(cells[keep]) >= _CRUMB_AREA
    cells, ci, cj = cells[keep], ci[keep], cj[keep]

    # Two cells from one square (a square split in two) are told apart by where they lie:
    # west first, and north first should they lie exactly above each other.
    rep_x = np.zeros(len(cells))
    rep_y = np.zeros(len(cells))
    key = (cj - j[0]) * len(i) + (ci - i[0])
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    shared = counts[inverse] > 1
    if shared.any():
        rep = shapely.point_on_surface(cells[shared])
        rep_x[shared], rep_y[shared] = shapely.get_x(rep), shapely.get_y(rep)
    order = np.lexsort((-rep_y, rep_x, ci, -cj))
    return cells[order], merged


def _merge_slivers(pieces: np.ndarray, areas: np.ndarray, sliver_area: float
                   ) -> tuple[np.ndarray, int]:
    """Label pieces so that every sliver joins the neighbour it shares the longest border with.

    Smallest slivers go first; a group that is still a sliver after a merge goes round again, so
    a chain of slivers ends in a proper cell where one touches it.  Returns a group label per
    piece and the number of merges.
    """
    n = len(pieces)
    label = np.arange(n)
    slivers = np.flatnonzero(areas < sliver_area)
    if len(slivers) == 0:
        return label, 0

    tree = shapely.STRtree(pieces)
    src, dst = tree.query(pieces[slivers], predicate="intersects")
    a, b = slivers[src], dst
    pairs = np.unique(np.sort(np.stack([a, b], axis=1)[a != b], axis=1), axis=0)
    adj: dict[int, dict[int, float]] = {}
    if len(pairs):
        shared = shapely.length(shapely.intersection(pieces[pairs[:, 0]], pieces[pairs[:, 1]]))
        for (p, q), length in zip(pairs.tolist(), shared.tolist()):
            if length > 1e-6:  # a corner or a noise-sized touch is no border
                adj.setdefault(p, {})[q] = length
                adj.setdefault(q, {})[p] = length

    area = areas.astype(float)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {}
    heap = [(area[p], p) for p in slivers.tolist()]
    heapq.heapify(heap)
    merges = 0
    while heap:
        a_g, g = heapq.heappop(heap)
        if not alive[g] or area[g] != a_g:
            continue  # stale entry: g was merged away or grew since
        nbrs = adj.get(g)
        if not nbrs:
            continue  # isolated: stays a cell of its own
        # Longest border (to the µm, so that noise does not decide); on a tie the smaller
        # neighbour, so that a strip of slivers pairs up instead of snowballing into one cell.
        h = max(nbrs, key=lambda k: (round(nbrs[k], 6), -area[k], -k))
        members.setdefault(h, [h]).extend(members.pop(g, [g]))
        area[h] += area[g]
        alive[g] = False
        for k, length in adj.pop(g).items():
            del adj[k][g]
            if k != h:
                adj[k][h] = adj[k].get(h, 0.0) + length
                adj[h][k] = adj[h].get(k, 0.0) + length
        merges += 1
        if area[h] < sliver_area:
            heapq.heappush(heap, (area[h], h))
    for h, group in members.items():
        label[group] = h
    return label, merges
