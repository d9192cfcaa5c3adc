"""Which coordinate system a register's points were given in, when the user did not say.

A register copied from Amap (GCJ-02) read as WGS84 lands every point 300–700 m off: near the
district's edge many fall outside, inside it many fall in the neighbouring cell, and nothing
says so.  So when ``--coords`` is left out, every plausible system is tried on the whole file
(WGS84/CGCS2000, GCJ-02, BD-09; for X/Y in metres the project's projected CRS and the
district's Gauss-Krüger zone in both numberings) and the points each puts inside the district
and inside a cell are counted.  WGS84 (or the first projected candidate) is the default; when
another system puts clearly more points inside, the import is refused with the counts for
each, naming the likely system — the check a re-import already makes (a systematic shift of
matched enterprises), applied to the first import too.  When the systems cannot be told apart
(a district much larger than the shift) the default is used and a warning says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS

from ..coords.crs import epsg_of, gk_zone_for
from ..errors import InputFileError
from ..storage import Store

LABELS = {"wgs84": "WGS84/CGCS2000（GPS）", "gcj02": "GCJ-02（高德/腾讯）",
          "bd09": "BD-09（百度）"}
GEOGRAPHIC_CANDIDATES = ("wgs84", "gcj02", "bd09")


def clearly_more(best: int, default: int, n: int) -> bool:
    """Whether ``best`` points inside beats the default's ``default`` by a margin no noise
    explains: at least 3 points and 2 % of the file.  (Chancheng's 3,000 GCJ-02 enterprises
    read as WGS84: 7.8 % fall outside the district; correct ones all fall inside.)"""
    return best - default >= max(3, 0.02 * n)


@dataclass
class CoordsChoice:
    """The system used, whether it was guessed, and what each candidate scored."""

    coords: str
    guessed: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)  # candidates that scored as well

    def summary(self) -> str:
        """'WGS84 412/1000 在辖区内（398 在网格内）；GCJ-02 …' for messages and reports."""
        parts = []
        for key, c in self.counts.items():
            cells = f"，{c['cells']} 在网格内" if c.get("cells") is not None else ""
            parts.append(f"{label(key)}：{c['district']}/{c['points']} 在辖区内{cells}")
        return "；".join(parts)


def label(key: str) -> str:
    return LABELS.get(key, key)


def _projected_candidates(store: Store, outline: shapely.Geometry) -> list[str]:
    """EPSG codes for X/Y in metres: the project's CRS when projected, the district's GK zone
    by central meridian (EPSG:4534–4554) and the same zone with its number prefixed
    (EPSG:4513–4533)."""
    out: list[str] = []
    if store.crs.is_projected and epsg_of(store.crs):
        out.append(f"EPSG:{epsg_of(store.crs)}")
    from pyproj import Transformer

    c = outline.centroid
    lon, _ = Transformer.from_crs(store.crs, "EPSG:4490", always_xy=True).transform(c.x, c.y)
    by_cm = gk_zone_for(lon)
    for crs in (by_cm, CRS.from_epsg(epsg_of(by_cm) - 21)):
        code = f"EPSG:{epsg_of(crs)}"
        if code not in out:
            out.append(code)
    return out


def in_some_cell(tree: shapely.STRtree, points: np.ndarray) -> int:
    """How many ``points`` some cell of ``tree`` covers (its border included): the points the
    union of the cells covers."""
    hit = tree.query(points, predicate="covered_by")[0]
    return int(len(np.unique(hit)))


def choose_coords(store: Store, xs: np.ndarray, ys: np.ndarray, given: str | None,
                  to_points: Callable[[np.ndarray, np.ndarray, str], np.ndarray],
                  outline: shapely.Geometry | None, file: str) -> CoordsChoice:
    """The coordinate system to read ``xs``/``ys`` in (rules in the module doc).

    ``to_points(xs, ys, coords)`` converts to project points; ``outline`` is the district
    (None: nothing to test against, the default is used).  InputFileError when another system
    fits clearly better than the default.
    """
    if given is not None:
        return CoordsChoice(given, guessed=False)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    metres = len(xs) > 0 and float(np.nanmedian(np.abs(xs))) > 1000.0
    if outline is None or len(xs) == 0:
        return CoordsChoice("wgs84", guessed=True)
    candidates = (_projected_candidates(store, outline) if metres
                  else list(GEOGRAPHIC_CANDIDATES))
    cells = store.areas("cell", system="urban")
    # points in some cell, counted on a tree of the cells (their union took 1.5 s at 100k)
    cell_tree = shapely.STRtree(cells.geometry.to_numpy()) if len(cells) else None
    shapely.prepare(outline)
    counts: dict[str, dict[str, int]] = {}
    for key in candidates:
        pts = to_points(xs, ys, key)
        ok = shapely.covers(outline, pts)
        if metres:  # surveyors' tables often put the northing in X: count a point either way
            ok |= shapely.covers(outline, to_points(ys, xs, key))
        c = {"points": len(xs), "district": int(ok.sum())}
        if cell_tree is not None:
            c["cells"] = in_some_cell(cell_tree, pts)
        counts[key] = c

    def score(key: str) -> int:
        return counts[key].get("cells", counts[key]["district"])

    default = candidates[0]
    best = max(candidates, key=lambda k: (score(k), k == default))
    choice = CoordsChoice(default, guessed=True, counts=counts)
    if best != default and clearly_more(score(best), score(default), len(xs)):
        raise InputFileError(
            f"{file}：没有指定坐标系（--coords），试算了各坐标系——{choice.summary()}。"
            f"多半是 {label(best)}：请加 --coords {best} 重新导入"
            f"（窗口中在“坐标/编码”一步选择）。项目未改变")
    choice.ambiguous = [k for k in candidates if k != default
                        and not clearly_more(score(default), score(k), len(xs))]
    return choice
