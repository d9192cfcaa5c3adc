"""Label placement for printed maps: sized to the cell, no two label boxes overlapping.

Everything here is in page millimetres.  Street and community names go first (fixed sizes, at
the centre of the largest inscribed circle, inside their own area: a name that would spill over
a neighbour is dropped — a dense cluster has its detail sheet); cell labels (short code, and the
name when there is room) take one size per sheet and are dropped when they do not fit their
cell or would cover a name or a symbol already placed — the full code and name are always in
the responsibility table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (mm)


@dataclass
class Label:
    kind: str  # street | community | cell
    lines: list[tuple[str, float]]  # text, point size
    box: Box

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.lines)


class Obstacles:
    """Boxes already taken, hashed on a coarse grid for quick overlap tests."""

    def __init__(self, cell_mm: float = 8.0) -> None:
        self.size = cell_mm
        self.grid: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, b: Box) -> list[tuple[int, int]]:
        s = self.size
        return [(i, j) for i in range(int(b[0] // s), int(b[2] // s) + 1)
                for j in range(int(b[1] // s), int(b[3] // s) + 1)]

    def free(self, b: Box) -> bool:
        for key in self._keys(b):
            for o in self.grid.get(key, ()):
                if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                    return False
        return True

    def add(self, b: Box) -> None:
        for key in self._keys(b):
            self.grid.setdefault(key, []).append(b)


def anchors(polys: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Label point and the radius of the largest circle around it inside each polygon: the
    centroid when it is nearly as good as the inscribed circle's centre (looks centred)."""
    if len(polys) == 0:
        return np.zeros((0, 2)), np.zeros(0)
    mic = shapely.maximum_inscribed_circle(polys, tolerance)
    centre = shapely.get_point(mic, 0)
    radius = shapely.length(mic)
    cen = shapely.centroid(polys)
    rc = np.where(shapely.contains_properly(polys, cen),
                  shapely.distance(cen, shapely.boundary(polys)), 0.0)
    use_c = rc >= 0.85 * radius
    pts = np.where(use_c, cen, centre)
    return shapely.get_coordinates(pts), np.where(use_c, rc, radius)


def place_areas(kind: str, names: list[str], polys: np.ndarray, pt: float,
                width: Callable[[str, float], float], height: Callable[[float], float],
                frame: Box, taken: Obstacles) -> list[Label]:
    """Area names at fixed size, inside their own area (a name may reach past the border by
    a third of its height, no more: it never runs across a neighbour); a name that does not
    fit, leaves the frame or hits a placed box is dropped after tries at 80 % and 65 %."""
    out = []
    ok = np.isin(shapely.get_type_id(polys), (3, 6)) & (shapely.area(polys) > 0)
    names = [n for n, keep in zip(names, ok) if keep]
    shapes = polys[ok]
    xy, _ = anchors(shapes, 0.5)
    for name, (x, y), shape in zip(names, xy, shapes):
        if not name:
            continue
        for size in (pt, 0.8 * pt, 0.65 * pt):
            w, h = width(name, size) + 1.0, height(size)
            b = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            inside = b[0] >= frame[0] and b[1] >= frame[1] and b[2] <= frame[2] \
                and b[3] <= frame[3]
            if inside and shapely.contains(shapely.buffer(shape, h / 3), shapely.box(*b)) \
                    and taken.free(b):
                taken.add(b)
                out.append(Label(kind, [(name, size)], b))
                break
    return out


# the sizes a sheet's cell labels may take (pt): one of them for every cell label of a sheet
LADDER = (4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 14.0, 16.0, 18.0, 20.0,
          24.0, 28.0)
SHEET_SHARE = 0.75  # the sheet's size is the largest that this share of its cells can hold


def sheet_size(best: np.ndarray, min_pt: float, max_pt: float,
               share: float = SHEET_SHARE) -> float | None:
    """The one size for a sheet's cell labels: the largest step of :data:`LADDER` (within
    ``min_pt``–``max_pt``) that ``share`` of the cells able to hold the smallest can hold;
    None when none can.  Cells that cannot hold it go unlabelled (their codes are in the table, and a
    dense cluster has its own detail sheet) — neighbours never differ in size."""
    steps = [s for s in LADDER if min_pt <= s <= max_pt] or [min_pt]
    best = best[best >= steps[0]]  # among the cells that can carry a label at all
    if not len(best):
        return None
    for size in reversed(steps):
        if float(np.mean(best >= size)) >= share:
            return size
    return steps[0]


def place_cells(polys: np.ndarray, codes: list[str], names: list[str], *, min_pt: float,
                max_pt: float, width: Callable[[str, float], float],
                height: Callable[[float], float], frame: Box, taken: Obstacles,
                size: float | None = None, share: float = SHEET_SHARE) -> list[Label]:
    """Cell labels in one size for the sheet (``size``, default :func:`sheet_size`): the
    short code with the name under it (at 80 %) when both fit inside the cell, else the code
    alone, else nothing."""
    if len(polys) == 0:
        return []
    xy, radius = anchors(polys, 0.2)
    x0, y0, x1, y1 = shapely.bounds(polys).T
    out = []
    h1 = height(1.0)
    wu0 = np.array([width(c, 1.0) for c in codes])
    # the most the code alone could get: in the inscribed circle, or centred in a wide cell
    best = np.maximum(0.96 * 2 * radius / np.hypot(wu0, h1),
                      np.minimum(0.9 * (x1 - x0) / wu0, 0.85 * (y1 - y0) / h1))
    pt = size if size is not None else sheet_size(best, min_pt, max_pt, share)
    if pt is None:
        return []
    for i in np.flatnonzero(best >= pt - 1e-9):
        code, name = codes[i], names[i]
        options = []
        if name and 0.8 * pt >= min_pt:  # the name never smaller than the smallest label
            options.append([(code, 1.0), (name, 0.8)])
        options.append([(code, 1.0)])
        for lines in options:
            cx, cy = xy[i]
            wu = max(width(t, s) for t, s in lines)  # box size per point of the code's size
            hu = sum(h1 * s for _, s in lines)
            w, h = wu * pt, hu * pt
            if pt > 0.96 * 2 * radius[i] / math.hypot(wu, hu):
                # not in the inscribed circle: a wide cell may hold it centred on its box
                bx, by = (x0[i] + x1[i]) / 2, (y0[i] + y1[i]) / 2
                if not shapely.contains(polys[i], shapely.box(bx - w / 2, by - h / 2,
                                                              bx + w / 2, by + h / 2)):
                    continue
                cx, cy = bx, by
            b = _free_spot(polys[i], cx, cy, w, h, frame, taken)
            if b is None:
                continue
            taken.add(b)
            out.append(Label("cell", [(t, s * pt) for t, s in lines], b))
            break
    return out


def _free_spot(poly: object, cx: float, cy: float, w: float, h: float, frame: Box,
               taken: Obstacles) -> Box | None:
    """The label box at the anchor, or — when a name or symbol is there — moved up, down, left
    or right while it stays inside its cell; None when every spot is taken."""
    for dx, dy in ((0.0, 0.0), (0.0, -h), (0.0, h), (-w * 0.5, 0.0), (w * 0.5, 0.0)):
        b = (cx + dx - w / 2, cy + dy - h / 2, cx + dx + w / 2, cy + dy + h / 2)
        if b[0] < frame[0] or b[1] < frame[1] or b[2] > frame[2] or b[3] > frame[3]:
            continue
        if not taken.free(b):
            continue
        if (dx or dy) and not shapely.contains(poly, shapely.box(*b)):
            continue
        return b
    return None
